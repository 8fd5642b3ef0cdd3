"""axe-core on the map page: signed in and out, desktop and phone, no violations."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.mapview import VIEWPORTS, open_map


@VIEWPORTS
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_map_page_has_no_axe_violations(
    page, guard, live_server, sign_in_page, viewport, signed_in
):
    if signed_in:
        sign_in_page(page)
    # A change day (the changes list and highlighted rows are on screen).
    open_map(page, live_server, "/?date=2015-05-21", viewport=viewport)
    expect(page.locator("#changes")).to_be_visible()
    assert_no_axe_violations(page, f"map, {'signed in' if signed_in else 'signed out'}")
    # With a popup open, focus inside it.
    page.get_by_role("button", name="Show al-Tanf on the map").click()
    expect(page.locator(".leaflet-popup")).to_contain_text("al-Tanf")
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    if signed_in:
        expect(page.locator(".leaflet-popup")).to_contain_text("Log a change here")
    assert_no_axe_violations(page, "map with a popup open")
    guard.assert_clean()


def test_the_helper_reports_violations(page, live_server):
    """The shared helper really runs axe: a page with a nameless button fails."""
    open_map(page, live_server)
    page.evaluate(
        "() => document.querySelector('#timebar').append(document.createElement('button'))"
    )
    with pytest.raises(AssertionError, match="button-name"):
        assert_no_axe_violations(page, "broken on purpose")
