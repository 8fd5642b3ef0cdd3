"""A contributor proposes a control change at al-Waleed; readers do not see it; an editor
approves it on /review; the map then shows the new holder. On its own seeded server, so
the other browser tests' edits and this one's never meet."""

from __future__ import annotations

import re
import threading

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from app.db.models import Site, User
from app.extensions import db
from app.io import seed

PASSWORD = "review browser password"
DAY = "2026-11-01"
LONG_NAME = "Tell-" + "Abu" * 20


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    """A seeded app on its own SQLite file with a contributor and an editor, served."""
    db_file = tmp_path_factory.mktemp("review") / "atlas.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "SECRET_KEY": "review-browser-tests",
            "TESTING": False,
        }
    )
    with app.app_context():
        upgrade()
        seed.load(app.config["SEED_FILE"])
        for name, role in (("cora", "contributor"), ("rita", "editor")):
            user = User(username=name, role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
        # Never verified, so first among the stalest sites: one unbroken word of a name.
        db.session.add(
            Site(slug="long-name", name=LONG_NAME, country="SY", kind="town", lon=41.0, lat=34.4)
        )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _sign_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/editor/")


def _sign_out(page, base: str) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(f"{base}/")  # the map: let it load before going on
    page.wait_for_load_state("load")


def test_a_contributor_proposes_and_an_editor_approves(page, guard, review_server):
    base = review_server
    _sign_in(page, base, "cora")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals")
    ).to_be_visible()
    page.goto(f"{base}/editor/sites/al-waleed/log-control")
    page.get_by_label("New controller").select_option(
        label="Hashd al-Ashaeri (Sunni tribal militias)"
    )
    page.get_by_label("Date", exact=True).fill("2026-10-01")
    page.get_by_label("Confidence").select_option("medium")
    page.get_by_label("Source title", exact=True).fill("Tribal forces take the crossing")
    page.get_by_label("Comment for the history").fill("seen in two reports")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/review/\d+$"))
    expect(page.locator(".flashes")).to_contain_text("Proposed for review")
    proposal_url = page.url

    # Readers still see the record as it was.
    _sign_out(page, base)
    page.goto(f"{base}/?date={DAY}")
    expect(page.locator("#row-al-waleed")).to_contain_text("Iraqi")
    expect(page.locator("#row-al-waleed")).not_to_contain_text("Hashd")

    _sign_in(page, base, "rita")
    page.get_by_role("link", name="Review (1)").click()
    page.get_by_role("link", name=proposal_url.rsplit("/", 1)[1].join(["#", ""])).click()
    expect(page.locator("table.diff, p.logged").first).to_contain_text("Hashd")
    expect(page.locator("figure.preview-after svg")).to_be_visible()
    page.get_by_role("button", name="Approve and publish").click()
    page.wait_for_url(f"{base}/review")
    expect(page.locator(".flashes")).to_contain_text("Approved and published")
    expect(page.get_by_role("link", name="Review (0)")).to_be_visible()

    page.goto(f"{base}/?date={DAY}")
    expect(page.locator("#row-al-waleed")).to_contain_text("Hashd")
    page.goto(f"{base}/?date=2026-09-30")
    expect(page.locator("#row-al-waleed")).not_to_contain_text("Hashd")
    guard.assert_clean()


def test_the_stalest_sites_fit_a_390px_phone(browser, review_server):
    """A site's long unbroken name wraps inside its cell: /review does not scroll sideways."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        _sign_in(page, review_server, "rita")
        page.goto(f"{review_server}/review?lang=en")
        expect(page.locator("table.stale")).to_contain_text(LONG_NAME)
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= 390, width
    finally:
        context.close()
