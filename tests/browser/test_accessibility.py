"""axe-core finds no violations on the site's pages and the OGC API's HTML pages (not the
map: see test_map_axe.py),
signed in and out, on a desktop (1440×900) and a phone (390×844)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}

PUBLIC = [
    "/sites/al-tanf",
    "/sites/al-qaim?date=2015-06-01",
    "/search?q=tanf",
    "/search?q=zzzz",
    "/login",
    "/sites/no-such-place",
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/periods",
    "/ogc/collections/periods/items?limit=5",
    "/ogc/collections/periods/queryables",
    "/ogc/collections/sites/items/al-tanf",
    "/nope",
    "/?date=2015-13-45",
]
EDITOR = [
    "/sites/al-tanf",
    "/search?q=bukamal",
    "/editor/",
    "/editor/sites/al-qaim/log-control?date=2025-01-05",
    "/editor/sites/al-qaim/log-status",
    "/editor/sites/al-qaim/verify?date=2025-01-05",
    "/editor/sites/new",
    "/editor/control-periods/new",
    "/editor/actors/new",
    "/editor/sources/new",
    "/editor/events/new",
    "/editor/status-periods/new",
    "/editor/import",
    "/history",
    "/history/1",
    "/sites/al-qaim/history",
    "/sites/no-such-place",
    "/ogc/collections",
]


def edit_forms(live_app) -> dict[str, str]:
    """Edit forms of seeded rows: a site, an actor and a control period (the routes take
    ids, which the seed assigns)."""
    from sqlalchemy import select

    from app.db.models import Actor, ControlPeriod, Site
    from app.extensions import db

    with live_app.app_context():
        site = db.session.scalar(select(Site.id).where(Site.slug == "al-qaim"))
        actor = db.session.scalar(select(Actor.id).where(Actor.slug == "isis"))
        period = db.session.scalar(
            select(ControlPeriod.id).where(ControlPeriod.site_id == site).order_by(ControlPeriod.id)
        )
    return {
        "site": f"/editor/sites/{site}/edit",
        "actor": f"/editor/actors/{actor}/edit",
        "control period": f"/editor/control-periods/{period}/edit",
    }


def refuse_log_form(page, live_server) -> None:
    """Open al-Qa'im's log-control form and Save it empty, so it comes back with errors."""
    page.goto(f"{live_server}/editor/sites/al-qaim/log-control")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errors")).to_be_visible()
    # The errors can show before the stylesheet has loaded; callers measure the styled page.
    page.wait_for_load_state("load")


def _context(browser, size):
    return browser.new_context(viewport=size)


def sign_in(page, live_server, account):
    """Sign `page` in through the form (any screen size)."""
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/editor/")


@pytest.mark.parametrize("screen", SCREENS)
def test_public_pages_have_no_axe_violations(browser, live_server, screen):
    context = _context(browser, SCREENS[screen])
    page = context.new_page()
    try:
        for path in PUBLIC:
            page.goto(f"{live_server}{path}")
            assert_no_axe_violations(page, f"{path} ({screen}, signed out)")
    finally:
        context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_editor_pages_have_no_axe_violations(browser, live_app, live_server, admin_account, screen):
    context = _context(browser, SCREENS[screen])
    page = context.new_page()
    try:
        sign_in(page, live_server, admin_account)
        for path in [*EDITOR, *edit_forms(live_app).values()]:
            page.goto(f"{live_server}{path}")
            assert_no_axe_violations(page, f"{path} ({screen}, signed in)")
        refuse_log_form(page, live_server)
        assert_no_axe_violations(page, f"refused log form ({screen})")
    finally:
        context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_history_with_an_open_entry_has_no_axe_violations(
    browser, live_server, admin_account, screen
):
    context = _context(browser, SCREENS[screen])
    page = context.new_page()
    try:
        sign_in(page, live_server, admin_account)
        page.goto(f"{live_server}/history")
        page.locator("details.change summary").first.click()
        assert_no_axe_violations(page, f"/history with an entry open ({screen})")
    finally:
        context.close()


def _luminance(rgb: str) -> float:
    """Relative luminance (WCAG 2) of "rgb(r, g, b)"."""
    parts = [int(float(x)) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    channels = [c / 255 for c in parts]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


_RING = """(el) => {
    let node = el, bg = 'rgba(0, 0, 0, 0)';
    while (node && node.nodeType === 1) {
        bg = getComputedStyle(node).backgroundColor;
        if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') break;
        node = node.parentElement;
    }
    const s = getComputedStyle(el);
    return {ring: s.outlineColor, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
            stroke: s.stroke, background: bg === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : bg};
}"""


def test_focus_rings_meet_wcag_contrast(browser, live_server):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/sites/al-qaim")
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand, in the dark top bar
        ring = page.evaluate(f"() => ({_RING})(document.activeElement)")
        assert ring["style"] != "none" and ring["width"] >= 2
        assert _contrast(ring["ring"], ring["background"]) >= 3, ring
        link = page.get_by_role("link", name="Show on the map")
        link.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focused from the keyboard, so :focus-visible applies
        ring = link.evaluate(_RING)
        assert ring["style"] != "none" and ring["width"] >= 2
        assert _contrast(ring["ring"], ring["background"]) >= 3, ring
        bar = page.locator("svg.timeline rect.bar").first
        bar.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        ring = bar.evaluate(_RING)
        assert _contrast(ring["stroke"], "rgb(255, 255, 255)") >= 3, ring
    finally:
        context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_the_api_definition_page_has_no_axe_violations_around_swagger_ui(
    browser, live_server, screen
):
    """The page that holds the vendored Swagger UI: our part of it is checked; the widget's
    own markup (buttons inside buttons, skipped heading levels, low-contrast method badges:
    upstream swagger-ui issues) is left out of the scan."""
    context = _context(browser, SCREENS[screen])
    page = context.new_page()
    try:
        page.goto(f"{live_server}/ogc/api?f=html")
        page.locator("#swagger-ui .opblock").first.wait_for()
        assert_no_axe_violations(page, f"/ogc/api?f=html ({screen})", exclude=["#swagger-ui"])
    finally:
        context.close()


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_api_definition_page_with_swagger_ui_has_no_axe_violations(
    browser, live_server, screen, lang
):
    """The whole page, Swagger UI's part included, in either language: as loaded, with
    operations and schemas open, and after trying a request."""
    context = _context(browser, SCREENS[screen])
    page = context.new_page()

    def settled() -> None:
        # Swagger UI fades its blocks and buttons: colours are measured once they stop.
        page.wait_for_function("() => document.getAnimations().length === 0")

    try:
        page.goto(f"{live_server}/ogc/api?f=html&lang={lang}")
        page.locator("#swagger-ui .opblock").first.wait_for()
        where = f"/ogc/api?f=html&lang={lang} ({screen})"
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        # Swagger UI's words and the definition's are English inside an Arabic page.
        expect(page.locator("#swagger-ui")).to_have_attribute("lang", "en")
        expect(page.locator("#swagger-ui")).to_have_attribute("dir", "ltr")
        assert_no_axe_violations(page, where)
        operations = page.locator("#swagger-ui .opblock-summary-control")
        operations.nth(0).click()
        operations.nth(7).click()
        page.locator("#swagger-ui section.models .models-control").first.click()
        for control in page.locator("#swagger-ui .model-box-control").all()[:3]:
            control.click()
        settled()
        assert_no_axe_violations(page, f"{where}, operations and schemas open")
        page.locator("#swagger-ui .try-out__btn").first.click()
        page.locator("#swagger-ui .btn.execute").first.click()
        page.locator("#swagger-ui .live-responses-table").first.wait_for()
        page.mouse.move(0, 0)  # no hover state in the colours checked
        settled()
        assert_no_axe_violations(page, f"{where}, a request tried")
    finally:
        context.close()
