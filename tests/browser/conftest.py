"""Browser fixtures: a live seeded server and a Chromium page that may only talk to it."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.live import BROWSER_ADMIN, seeded_app, serving

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Mark every test in this folder `browser` (so `-m browser` selects them), and skip
    them clearly when Chromium is missing (CI installs it)."""
    # The hook sees the whole session's items; only this folder's are ours.
    ours = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if not Path(CHROMIUM).exists():
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """A seeded app on its own SQLite file, shared by the modules that only read."""
    return seeded_app(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve the app on 127.0.0.1 in a background thread; yields its base URL."""
    yield from serving(live_app)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Guard:
    """What a page tried that it should not: off-host requests, console errors."""

    def __init__(self):
        self.off_host: list[str] = []
        self.console_errors: list[str] = []
        self.failed: list[str] = []

    def route(self, route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.off_host.append(route.request.url)
            route.abort()

    def assert_clean(self):
        assert self.off_host == [], f"requests left 127.0.0.1: {self.off_host}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.failed == [], f"failed requests: {self.failed}"


@pytest.fixture
def guard():
    return Guard()


def _guarded_page(browser, guard, **options):
    """A page in a new context; requests leaving 127.0.0.1 are aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, **options)
    page = context.new_page()
    page.route("**/*", guard.route)
    page.on("console", lambda m: m.type == "error" and guard.console_errors.append(m.text))
    page.on("pageerror", lambda e: guard.console_errors.append(str(e)))
    # A request cancelled because the test moved on to another page (net::ERR_ABORTED)
    # is not a failure of the app; a refused connection or a reset one is.
    page.on(
        "requestfailed",
        lambda r: (
            urlparse(r.url).hostname == "127.0.0.1"
            and r.failure != "net::ERR_ABORTED"
            and guard.failed.append(r.url)
        ),
    )
    return context, page


@pytest.fixture
def page(browser, guard):
    """A fresh page; any request leaving 127.0.0.1 is aborted and recorded."""
    context, page = _guarded_page(browser, guard)
    yield page
    context.close()


@pytest.fixture
def page_without_csp(browser, guard):
    """A guarded page that ignores the CSP, so injected markup would really run
    (proves escaping on its own, not just the CSP)."""
    context, page = _guarded_page(browser, guard, bypass_csp=True)
    yield page
    context.close()


@pytest.fixture(scope="session")
def admin_account(live_app):
    """An admin account in the live app: (username, password)."""
    from app.db.models import User
    from app.extensions import db

    with live_app.app_context():
        user = User(username=BROWSER_ADMIN[0], role="admin")
        user.set_password(BROWSER_ADMIN[1])
        db.session.add(user)
        db.session.commit()
    return BROWSER_ADMIN


@pytest.fixture
def sign_in_page(live_server, admin_account):
    """sign_in_page(page): sign the page in through the form as the admin account."""

    def sign_in(page):
        page.goto(f"{live_server}/login")
        page.get_by_label("Username").fill(admin_account[0])
        page.get_by_label("Password").fill(admin_account[1])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server}/editor/")

    return sign_in


@pytest.fixture
def screenshot(page):
    """Save a screenshot under tests/browser/screenshots/ (for people to look at)."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return take
