"""Phones (issue 14, point 4): no page but the map scrolls sideways at 360 px; the top bar
folds behind a menu button; site timelines scroll with readable text; forms fit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.mapview import open_map
from tests.browser.test_accessibility import edit_forms, refuse_log_form, sign_in

PHONE = {"width": 360, "height": 740}

PUBLIC = [
    "/search",
    "/search?q=tanf",
    "/search?q=qaim&date=2015-06-01",
    "/login",
    "/login?next=/sites/al-qaim",
    "/sites/no-such-place",
    "/nope",
    "/?date=2015-13-45",
    "/search?q=x&date=1999-01-01",
    "/ogc",
    "/ogc/",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/sites",
    "/ogc/collections/periods",
    "/ogc/collections/sites/items",
    "/ogc/collections/periods/items?limit=5",
    "/ogc/collections/periods/queryables",
    "/ogc/collections/periods/schema",
    "/ogc/api?f=html",
    "/cite",
]
# Pages drawn by script after load: the element to wait for before measuring.
READY = {"/ogc/api?f=html": "#swagger-ui .opblock"}
EDITOR = [
    "/editor/",
    "/editor/sites/al-qaim/log-control",
    "/editor/sites/al-qaim/log-control?date=2015-06-01",
    "/editor/sites/al-qaim/log-status",
    "/editor/sites/new",
    "/editor/sites/",
    "/editor/actors/new",
    "/editor/actors/",
    "/editor/sources/new",
    "/editor/sources/",
    "/editor/events/new",
    "/editor/events/",
    "/editor/control-periods/new",
    "/editor/control-periods/?site=al-qaim",
    "/editor/status-periods/new",
    "/editor/status-periods/",
    "/editor/sites/al-qaim/verify",
    "/editor/import",
    "/history",
    "/history?page=2",
    "/history/1",
    "/sites/al-qaim/history",
    "/sites/al-tanf",
    "/search?q=tanf",
    "/review",
    "/review/mine",
]


def _overflow(page) -> tuple[int, int]:
    """(scrollWidth of the document, innerWidth) as the page is now."""
    return page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")


# The innermost elements that reach past the screen's right edge (for the failure report).
_WIDE = """(limit) => Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > limit + 0.5)
    .filter((e) => !Array.from(e.children).some(
        (c) => c.getBoundingClientRect().right > limit + 0.5))
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined
        ? '.' + String(e.className).split(' ').join('.') : '') + ' ' +
        Math.round(e.getBoundingClientRect().right) + 'px')"""


def _fits(page, label, failures):
    """Record a failure when the page as it is now is wider than the phone."""
    width, inner = _overflow(page)
    # On a phone a too-wide page can widen the viewport itself: hold both to 360 px.
    if max(width, inner) > PHONE["width"]:
        wide = page.evaluate(_WIDE, PHONE["width"])
        failures.append(f"{label}: {width} px wide at {inner} px; widest: {wide}")


def _check(page, base, paths, failures):
    for path in paths:
        resp = page.goto(f"{base}{path}")
        assert resp is not None and resp.status < 500, f"{path}: {resp and resp.status}"
        if path in READY:
            page.locator(READY[path]).first.wait_for()
        _fits(page, path, failures)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def site_slugs(live_app):
    from app.db import queries

    with live_app.app_context():
        return [s.slug for s in queries.all_sites()]


@pytest.fixture(scope="module")
def ogc_item(live_app):
    client = live_app.test_client()
    body = client.get(
        "/ogc/collections/sites/items?limit=1", headers={"Accept": "application/geo+json"}
    )
    return f"/ogc/collections/sites/items/{body.get_json()['features'][0]['id']}"


def test_no_public_page_scrolls_sideways_at_360px(phone, live_server, site_slugs, ogc_item):
    failures: list[str] = []
    paths = [*PUBLIC, ogc_item, *(f"/sites/{slug}" for slug in site_slugs)]
    paths.append(f"/sites/{site_slugs[0]}?date=2015-06-01")
    _check(phone, live_server, paths, failures)
    assert not failures, "pages wider than the phone:\n" + "\n".join(failures)


def test_no_editor_page_scrolls_sideways_at_360px(phone, live_app, live_server, admin_account):
    sign_in(phone, live_server, admin_account)
    failures: list[str] = []
    _check(phone, live_server, [*EDITOR, *edit_forms(live_app).values()], failures)
    # A refused form, with its error messages, fits too.
    refuse_log_form(phone, live_server)
    _fits(phone, "refused log form", failures)
    # The map signed in (its popups and rows gain editor links).
    open_map(phone, live_server, "/", viewport=PHONE)
    _fits(phone, "/ (signed in)", failures)
    assert not failures, "pages wider than the phone:\n" + "\n".join(failures)


def test_menu_button_reveals_sign_out_on_a_phone(phone, live_server, admin_account):
    sign_in(phone, live_server, admin_account)
    phone.goto(f"{live_server}/sites/al-tanf")
    menu = phone.get_by_role("button", name="Menu")
    sign_out = phone.get_by_role("button", name="Sign out", exact=True)
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(sign_out).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(sign_out).to_be_in_viewport()
    phone.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    menu.click()
    sign_out.click()
    expect(phone.locator(".flashes")).to_contain_text("Signed out.")


def test_menu_button_is_not_shown_on_a_desktop(page, live_server):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server}/sites/al-tanf")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_site_timeline_scrolls_with_readable_text(phone, live_server):
    phone.goto(f"{live_server}/sites/al-qaim")
    scroller = phone.locator(".chart .scroll")
    expect(scroller).to_be_visible()
    sizes = scroller.evaluate(
        """(box) => {
            const svg = box.querySelector('svg');
            const scale = svg.getScreenCTM().a;
            const texts = Array.from(svg.querySelectorAll('text'));
            return {scroll: box.scrollWidth, client: box.clientWidth,
                    smallest: Math.min(...texts.map(
                        (t) => parseFloat(getComputedStyle(t).fontSize) * scale))};
        }"""
    )
    assert sizes["scroll"] > sizes["client"], sizes  # it scrolls instead of shrinking
    assert sizes["smallest"] >= 11, sizes
    # It opens at today's end; a page opened for a date opens the chart at that date.
    end = sizes["scroll"] - sizes["client"]
    expect(scroller).to_have_js_property("scrollLeft", end)
    phone.goto(f"{live_server}/sites/al-qaim?date=2011-06-01")
    assert phone.locator(".chart .scroll").evaluate("(b) => b.scrollLeft") < end / 4


def test_log_form_fits_and_saves_on_a_390px_phone(browser, live_server, admin_account):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, admin_account)
        page.goto(f"{live_server}/editor/sites/rabia/log-status?date=2026-05-01")
        page.get_by_label("New status").select_option("restricted")
        page.get_by_label("Source title").fill("Phone test report")
        fields = page.locator(".editform input, .editform select, .editform textarea")
        widths = fields.evaluate_all(
            "(els) => els.filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect().right)"
        )
        assert max(widths) <= 390, widths
        save = page.get_by_role("button", name="Save")
        save.scroll_into_view_if_needed()
        expect(save).to_be_in_viewport()
        save.click()
        assert page.locator(".errors").count() == 0, page.locator(".errors").inner_text()
        page.wait_for_url(f"{live_server}/sites/rabia?date=2026-05-01")  # the logged day
        expect(page.locator(".flashes")).to_contain_text("Logged:")
    finally:
        context.close()
