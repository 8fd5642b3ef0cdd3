"""Issue 14, point 2: time you can see (ticks, changes on a date, scoped steps, Play,
live region)."""

import re

from playwright.sync_api import expect

from tests.browser.mapview import VIEWPORTS, open_map


@VIEWPORTS
def test_slider_shows_weighted_ticks_for_change_days(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    ticks = page.locator("#change-ticks .tick")
    assert ticks.count() > 10
    heights = {t.evaluate("(el) => el.style.height") for t in ticks.all()}
    assert len(heights) > 1  # weighted: more changes, taller ticks
    expect(page.locator("#day-slider")).to_have_attribute("list", "change-days")
    assert page.locator("#change-days option").count() == page.evaluate(
        "AtlasMap.instance.data.changes.filter((c) => c <= AtlasMap.instance.data.max).length"
    )
    guard.assert_clean()


@VIEWPORTS
def test_changes_on_this_date_list_and_highlight_rows(page, guard, live_server, viewport):
    open_map(page, live_server, "/?date=2015-05-21", viewport=viewport)
    changes = page.locator("#changes-list li")
    expect(page.locator("#changes")).to_be_visible()
    expect(changes.filter(has_text="al-Tanf")).to_contain_text("→ ISIS")
    expect(page.locator("#row-al-tanf")).to_have_class(re.compile(r"\bchanged\b"))
    assert page.locator("#state-table tr.changed").count() == len(
        {li.get_attribute("data-site") for li in changes.all()}
    )
    # With its source.
    expect(changes.filter(has_text="al-Tanf").locator(".change-source")).not_to_be_empty()
    # The live region says what changed, once the slider settles.
    expect(page.locator("#change-announce")).to_contain_text("al-Tanf")
    # A day without changes: the list goes away.
    page.locator("#day-slider").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#changes")).to_be_hidden()
    expect(page.locator("#state-table tr.changed")).to_have_count(0)
    expect(page.locator("#change-announce")).to_contain_text("no change")
    guard.assert_clean()


@VIEWPORTS
def test_next_change_can_be_limited_to_one_site_or_actor(page, guard, live_server, viewport):
    open_map(page, live_server, "/?date=2011-01-01", viewport=viewport)
    page.locator("#change-scope").select_option("site:al-tanf")
    for _ in range(3):
        page.get_by_role("button", name="Next change").click()
        expect(page.locator("#changes-list")).to_contain_text("al-Tanf")
    first = page.evaluate("AtlasMap.instance.day")
    page.get_by_role("button", name="Previous change").click()
    assert page.evaluate("AtlasMap.instance.day") < first
    expect(page.locator("#changes-list")).to_contain_text("al-Tanf")
    page.locator("#change-scope").select_option("actor:isis")
    page.get_by_role("button", name="Next change").click()
    expect(page.locator("#changes-list")).to_contain_text("ISIS")
    page.locator("#change-scope").select_option("")
    assert page.evaluate("AtlasMap.instance.scopeDays") is None
    guard.assert_clean()


@VIEWPORTS
def test_play_pauses_on_each_change(page, guard, live_server, viewport):
    open_map(page, live_server, "/?date=2014-01-01", viewport=viewport)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => AtlasMap.instance.paused === true", polling=100)
    assert page.evaluate("AtlasMap.instance.changeDays.has(AtlasMap.instance.day)")
    held = page.evaluate("AtlasMap.instance.day")
    page.wait_for_timeout(900)  # a change is held for longer than a normal step
    assert page.evaluate("AtlasMap.instance.day") == held
    expect(page.locator("#changes")).to_be_visible()
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#play")).to_have_text("Play")
    guard.assert_clean()
