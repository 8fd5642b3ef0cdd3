"""Issue 14, points 6 and 7: popups for editors, keyboard and screen readers on the map."""

import re

from playwright.sync_api import expect

from tests.browser.mapview import VIEWPORTS, open_map


def _contrast(page, fg, bg):
    return page.evaluate(
        """([fg, bg]) => {
        const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).map(Number).map((v) => {
            v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05); }""",
        [fg, bg],
    )


@VIEWPORTS
def test_focus_moves_into_the_popup_and_back(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    button = page.get_by_role("button", name="Show al-Waleed on the map")
    button.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("al-Waleed")
    inside = "document.querySelector('.leaflet-popup').contains(document.activeElement)"
    assert page.evaluate(inside)
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(button).to_be_focused()
    guard.assert_clean()


@VIEWPORTS
def test_escape_closes_the_popup_from_anywhere(page, guard, live_server, viewport):
    open_map(page, live_server, "/?date=2015-08-01&site=al-tanf", viewport=viewport)
    expect(page.locator(".leaflet-popup")).to_contain_text("al-Tanf")
    page.locator("#filter-text").focus()
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    guard.assert_clean()


def test_focus_ring_and_labels_meet_wcag_contrast(page, guard, live_server):
    open_map(page, live_server)
    page.locator("#prev-change").focus()
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineColor, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert ring[1] != "none" and ring[2] >= 2
    assert _contrast(page, ring[0], "rgb(255, 255, 255)") >= 3
    assert _contrast(page, ring[0], "rgb(243, 245, 248)") >= 3
    label = page.locator(".atlas-label:not([hidden])").first
    colours = label.evaluate(
        "(el) => { const s = getComputedStyle(el); return [s.color, s.backgroundColor]; }"
    )
    # The label's background is near-opaque white over a pale base map.
    assert _contrast(page, colours[0], "rgb(255, 255, 255)") >= 4.5
    assert _contrast(page, colours[0], "rgb(219, 228, 236)") >= 4.5
    guard.assert_clean()


@VIEWPORTS
def test_signed_in_popups_offer_log_a_change_here(page, guard, live_server, sign_in_page, viewport):
    open_map(page, live_server, "/?date=2015-08-01&site=al-tanf", viewport=viewport)
    expect(page.locator(".leaflet-popup")).to_contain_text("al-Tanf")
    expect(page.get_by_role("link", name="Log a change here")).to_have_count(0)
    sign_in_page(page)
    open_map(page, live_server, "/?date=2015-08-01&site=al-tanf", viewport=viewport)
    link = page.locator(".leaflet-popup").get_by_role("link", name="Log a change here")
    expect(link).to_have_attribute("href", "/editor/log-change?site=al-tanf&date=2015-08-01")
    link.click()
    expect(page).to_have_url(re.compile(r"/editor/sites/al-tanf/log-control\?date=2015-08-01"))
    guard.assert_clean()


_IN_VIEW = """(el) => { const f = document.getElementById('atlas-map').getBoundingClientRect();
    const b = el.getBoundingClientRect();
    return f.left <= b.left && b.right <= f.right && f.top <= b.top && b.bottom <= f.bottom; }"""


def test_the_map_knows_its_own_size_once_the_page_has_loaded(page, guard, live_server):
    """The parts below the map load after it (the embed's time bar): Leaflet must measure
    its box again, or centring and panning aim at a map taller than the one shown."""
    path = "/embed?date=2024-12-15&site=albukamal"
    open_map(page, live_server, path, viewport={"width": 390, "height": 844})
    size = page.evaluate(
        """() => { const m = AtlasMap.instance.map, c = m.getContainer();
        return [m.getSize().x, m.getSize().y, c.clientWidth, c.clientHeight]; }"""
    )
    assert size[:2] == size[2:], size
    guard.assert_clean()


def test_an_event_marker_reached_by_tab_is_brought_into_view(page, guard, live_server):
    """Tab reaches event markers outside the map's view too: the map pans to each."""
    open_map(page, live_server, "/embed?date=2024-12-15", viewport={"width": 390, "height": 844})
    markers = page.locator(".atlas-event")
    assert markers.count() >= 2
    page.evaluate("AtlasMap.instance.map.setView([37.09, 42.35], 11, {animate: false})")
    assert not all(markers.nth(n).evaluate(_IN_VIEW) for n in range(markers.count()))
    for n in range(markers.count()):
        # Looked at in the same task as the focus: the map must be right at once, not a frame later.
        focused_in_view = f"(el) => {{ el.focus(); return ({_IN_VIEW})(el); }}"
        assert markers.nth(n).evaluate(focused_in_view), n
    guard.assert_clean()
