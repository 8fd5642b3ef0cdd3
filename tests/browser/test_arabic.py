"""The Arabic interface (issue 15) at desktop and phone size: every page right to left, no
sideways scroll, no axe violations; the slider still runs left to right."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.mapview import VIEWPORTS, open_map

SIGNED_OUT = ["/sites/al-qaim?date=2015-06-01", "/search?q=tanf", "/login"]
SIGNED_IN = ["/editor/sites/al-qaim/log-control", "/editor/sites/new", "/editor/actors/new"]


def _check(page, where: str) -> None:
    """Right to left, nothing wider than the screen, and axe finds nothing."""
    assert page.evaluate("() => [document.documentElement.lang, document.dir]") == ["ar", "rtl"]
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{where} scrolls sideways by {wide} px"
    assert_no_axe_violations(page, f"{where} (Arabic)")


@VIEWPORTS
def test_arabic_pages_mirror_fit_and_pass_axe(page, live_server, sign_in_page, viewport):
    open_map(page, live_server, "/?lang=ar&date=2015-05-21", viewport=viewport)
    _check(page, "the map")
    # Time still runs left to right: the slider's first year is left of its last.
    years = page.locator(".years span")
    assert years.first.bounding_box()["x"] < years.last.bounding_box()["x"]
    for path in SIGNED_OUT:
        page.goto(f"{live_server}{path}")  # the cookie keeps Arabic
        _check(page, path)
    page.goto(f"{live_server}/search?lang=en")  # the sign-in helper reads English labels
    sign_in_page(page)
    for path in SIGNED_IN:
        page.goto(f"{live_server}{path}?lang=ar")
        expect(page.locator("h1")).not_to_contain_text("Log a")
        _check(page, path)


def test_screenshots_of_the_arabic_interface(page, live_server, screenshot):
    """For people to look at (tests/browser/screenshots/)."""
    open_map(page, live_server, "/?lang=ar&date=2015-05-21")
    assert screenshot("map-ar").exists()
    page.goto(f"{live_server}/sites/al-tanf")
    assert screenshot("site-al-tanf-ar").exists()


def test_the_timelines_arabic_hover_texts_run_right_to_left_and_its_time_left_to_right(
    page, live_server
):
    """Chromium lays a tooltip out in the direction of the element holding its <title>."""
    page.goto(f"{live_server}/sites/al-tanf?lang=ar")
    directions = page.evaluate("""() => {
        const svg = document.querySelector('svg.timeline');
        const hovered = [...svg.querySelectorAll('title')].map((t) => t.parentElement)
            .filter((e) => e !== svg);
        return [getComputedStyle(svg).direction,
                [...new Set(hovered.map((e) => getComputedStyle(e).direction))]]; }""")
    assert directions == ["ltr", ["rtl"]]
    page.goto(f"{live_server}/sites/al-tanf?lang=en")
    assert page.evaluate("""() => [...document.querySelectorAll('svg rect.bar')]
        .every((e) => getComputedStyle(e).direction === 'ltr')""")


def test_the_scale_bar_speaks_the_readers_units_and_digits(page, live_server):
    """Metres in Arabic words and the chosen digits; feet and miles only in English."""
    open_map(page, live_server, "/?lang=ar&digits=arab&date=2015-05-21")
    lines = page.locator(".leaflet-control-scale-line")
    expect(lines).to_have_count(1)
    expect(lines.first).to_have_text(re.compile("^[٠-٩]+ (كم|م)$"))
    open_map(page, live_server, "/?lang=en&digits=latn&date=2015-05-21")
    expect(lines).to_have_count(2)
    expect(lines.first).to_have_text(re.compile(r"^\d+ (km|m)$"))
    expect(lines.last).to_have_text(re.compile(r"^\d+ (mi|ft)$"))


def test_english_source_titles_in_an_arabic_popup_read_left_to_right(page, live_server):
    """A title's brackets and last words stay where English puts them (dir="auto")."""
    open_map(page, live_server, "/?lang=ar&date=2024-12-20&site=albukamal")
    titles = page.locator(".leaflet-popup .sources li > a, .leaflet-popup .sources li > bdi")
    expect(titles.first).to_be_visible()
    for title in titles.all():
        latin = title.evaluate("(el) => !/[\\u0600-\\u06ff]/.test(el.textContent)")
        direction = title.evaluate("(el) => getComputedStyle(el).direction")
        assert direction == ("ltr" if latin else "rtl"), title.text_content()


_SITE_OPTIONS = "#change-scope option[value^='site:']"
# The values of the options whose text has no Arabic letter.
_LATIN_ONLY = (
    "(els) => els.filter((o) => !/[\\u0600-\\u06ff]/.test(o.textContent)).map((o) => o.value)"
)


def test_the_maps_changes_and_site_choices_name_sites_in_the_readers_language(
    page, guard, live_server
):
    """The "changes on this date" list, the screen reader's announcement and the "One
    site" choices name each site as its map label does: by its Arabic name in Arabic (the
    crossing التنف and the garrison قاعدة التنف apart), by its English name in English."""
    open_map(page, live_server, "/?lang=ar&date=2015-05-21")
    changes = page.locator("#changes-list")
    expect(changes.locator("li[data-site='al-tanf'] button")).to_have_text("التنف")
    expect(changes).not_to_contain_text("al-Tanf")
    announce = page.locator("#change-announce")
    expect(announce).to_contain_text("التنف")
    expect(announce).not_to_contain_text("al-Tanf")
    options = page.locator(_SITE_OPTIONS)
    expect(options).to_have_count(page.evaluate("AtlasMap.instance.data.sites.length"))
    expect(options.and_(page.locator("[value='site:albukamal']"))).to_have_text("البوكمال")
    expect(options.and_(page.locator("[value='site:al-tanf-garrison']"))).to_have_text(
        "قاعدة التنف"
    )
    assert options.evaluate_all(_LATIN_ONLY) == []
    # Choosing one still scopes the steps to it.
    page.locator("#change-scope").select_option("site:akashat")
    page.locator("#next-change").click()
    expect(changes.locator("li[data-site='akashat'] button")).to_have_text("عكاشات")
    expect(announce).to_contain_text("عكاشات")
    expect(announce).not_to_contain_text("Akashat")

    open_map(page, live_server, "/?lang=en&date=2015-05-21")
    expect(changes.locator("li[data-site='al-tanf'] button")).to_have_text("al-Tanf")
    expect(announce).to_contain_text("al-Tanf")
    expect(options).to_have_count(page.evaluate("AtlasMap.instance.data.sites.length"))
    expect(options.and_(page.locator("[value='site:albukamal']"))).to_have_text("Albukamal")
    expect(options.and_(page.locator("[value='site:al-tanf-garrison']"))).to_have_text(
        "al-Tanf garrison"
    )
    assert len(options.evaluate_all(_LATIN_ONLY)) == options.count()
    guard.assert_clean()
