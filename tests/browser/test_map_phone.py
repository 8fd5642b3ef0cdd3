"""Issue 14, point 4: the map page on phones (390×844 and 360 wide)."""

import pytest
from playwright.sync_api import expect

from tests.browser.mapview import PHONE, open_map


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
