"""A status changing within a date window on the map (al-Waleed closed, then open from
sometime between 17 Feb and 20 Apr 2026; al-Tanf open from "2017-03", nothing before):
the table and the popup say from what to what, as the server writes it, at desktop and
phone sizes, and a step of the slider into the window repaints the row."""

import pytest
from playwright.sync_api import expect

from tests.browser.mapview import VIEWPORTS, open_map

pytestmark = pytest.mark.browser

STATUS_CELL = "(slug) => document.getElementById('row-' + slug).cells[3].innerText.trim()"


def _server_status(browser, base, path, slug):
    """The status cell as the server renders it (no JavaScript)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + path)
    text = page.evaluate(STATUS_CELL, slug)
    context.close()
    return text


@VIEWPORTS
@pytest.mark.parametrize(
    ("lang", "words"), [("en", "changing (closed → open)"), ("ar", "قيد التغيّر (مغلق ← مفتوح)")]
)
def test_a_status_in_its_window_reads_as_the_server_writes_it(
    page, guard, live_server, browser, viewport, lang, words
):
    path = f"/?date=2026-03-01&site=al-waleed&lang={lang}"
    open_map(page, live_server, path, viewport)
    shown = page.evaluate(STATUS_CELL, "al-waleed")
    assert shown.replace("\u2068", "").replace("\u2069", "") == words
    assert _server_status(browser, live_server, path, "al-waleed") == words
    line = page.locator(".leaflet-popup .status-line").inner_text()
    if lang == "en":
        assert line == "Status: changing (closed → open) between 17 February and 20 April 2026"
    guard.assert_clean()


@VIEWPORTS
def test_a_step_into_a_window_repaints_the_status(page, guard, live_server, viewport):
    open_map(page, live_server, "/?date=2017-02-28&lang=en", viewport)
    assert page.evaluate(STATUS_CELL, "al-tanf") == "unknown"
    page.locator("#day-slider").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('2017-03-01')")
    page.wait_for_function(f"() => ({STATUS_CELL})('al-tanf') === 'changing (unknown → open)'")
    page.keyboard.press("End")
    page.wait_for_function(f"() => ({STATUS_CELL})('al-tanf') === 'open'")
    guard.assert_clean()


@VIEWPORTS
def test_the_status_filter_finds_a_status_changing_under_either_side(
    page, guard, live_server, viewport
):
    open_map(page, live_server, "/?date=2026-03-01", viewport)
    row = page.locator("#row-al-waleed")
    for status in ("closed", "open", "restricted", "unknown"):
        page.get_by_label("Status", exact=True).select_option(status)
        if status in ("closed", "open"):
            expect(row).to_be_visible()
        else:
            expect(row).to_be_hidden()
    guard.assert_clean()
