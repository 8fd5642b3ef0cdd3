"""Issue 14, point 4: the map page on phones (390×844 and 360 wide)."""

import pytest
from playwright.sync_api import expect

from tests.browser.mapview import PHONE, open_map, wait_until_still

# Visible map controls over the open popup (Leaflet draws controls above popups).
_COVERING = """() => {
    const r = document.querySelector('.leaflet-popup').getBoundingClientRect();
    return [...document.querySelectorAll('.leaflet-control')].filter((el) => {
        const c = el.getBoundingClientRect();
        return getComputedStyle(el).visibility !== 'hidden' && c.right > r.left
            && c.left < r.right && c.bottom > r.top && c.top < r.bottom;
    }).map((el) => el.className);
}"""


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("path", ["/?date=2015-08-01", "/?date=2024-12-20", "/?date=2011-01-01"])
def test_no_horizontal_scroll_and_short_card_rows(page, guard, live_server, width, path):
    open_map(page, live_server, path, viewport={"width": width, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heights = page.evaluate(
        """() => [...document.querySelectorAll('#state-table tbody tr')]
        .filter((tr) => !tr.hidden).map((tr) => tr.getBoundingClientRect().height)"""
    )
    assert heights and max(heights) < 600
    # Under 900 px (map.css) a site's row is a card: a grid of two equal columns, and the
    # header keeps only the first two column titles.
    cards = page.evaluate(
        """() => [...document.querySelectorAll('#state-table tbody tr:not(.group-row)')]
        .filter((tr) => !tr.hidden).map((tr) => {
            const s = getComputedStyle(tr);
            return [s.display, s.gridTemplateColumns.split(' ').map(parseFloat)];
        })"""
    )
    assert cards
    for display, tracks in cards:
        assert display == "grid" and len(tracks) == 2, (display, tracks)
        assert abs(tracks[0] - tracks[1]) < 1, tracks
    header = page.locator("#state-table thead th:visible")
    expect(header).to_have_count(2)
    # Wide things stay inside the screen: table, filter, slider, downloads.
    for selector in ("#state-table", "#table-filter", "#timebar", ".downloads", "#map-wrap"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, selector
    guard.assert_clean()


def test_tapping_a_row_brings_the_map_and_popup_into_view(page, guard, live_server):
    open_map(page, live_server, viewport=PHONE)
    row = page.locator("#row-akashat")
    row.scroll_into_view_if_needed()
    row.locator("td").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Akashat")
    # The page scrolls smoothly to the map: wait until the popup has arrived, wholly on screen.
    expect(popup).to_be_in_viewport(ratio=1)
    box = popup.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    guard.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_popup_at_the_top_of_the_map_is_whole_and_can_be_closed(page, guard, live_server, lang):
    """An event's popup near the map's top edge (Rabia, January 2026): the map makes room
    for it, the buttons it would lie under step aside, and its close button closes it."""
    open_map(page, live_server, f"/?date=2026-01-25&lang={lang}", viewport=PHONE)
    page.locator('.atlas-event[title="SDF–Damascus integration agreement signed"]').click()
    popup = page.locator(".leaflet-popup")
    expect(popup).to_be_visible()
    wait_until_still(page)
    frame, box = page.locator("#atlas-map").bounding_box(), popup.bounding_box()
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    assert page.evaluate(_COVERING) == []
    page.locator(".leaflet-popup-close-button").click()  # fails if anything covers it
    expect(popup).to_have_count(0)
    expect(page.locator(".leaflet-control.under-popup")).to_have_count(0)
    expect(page.locator(".leaflet-control-zoom")).to_be_visible()
    guard.assert_clean()


def test_a_slow_phone_still_opens_the_site_named_in_the_address(page, guard, live_server):
    """The map is built in turns, which on a slow CPU outlast the first rewrite of the
    address (it follows the date shown, and names no site until one is focused)."""
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/?date=2015-08-01&site=al-tanf")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("al-Tanf", timeout=30_000)
    page.wait_for_function("() => new URLSearchParams(location.search).get('site') === 'al-tanf'")
    guard.assert_clean()
