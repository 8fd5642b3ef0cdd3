"""The map explorer in Chromium: offline, keyboard-operable, in step with the URL."""

import re

import pytest
from playwright.sync_api import expect

ISIS_2015 = "/?date=2015-08-01"


def _open(page, live_server, path=ISIS_2015):
    page.goto(f"{live_server}{path}")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")


def _state(page, slug):
    """The actor slug and marker fill the plugin shows for a site."""
    return page.evaluate(
        """(slug) => {
        const a = AtlasMap.instance, i = a.bySlug.get(slug), p = a.period(i);
        return {actor: p ? a.data.actors[p[0]][0] : null, colour: p ? a.data.actors[p[0]][2] : null,
                fill: a.markers[i].look.fills[0]};
    }""",
        slug,
    )


def test_map_loads_offline_without_errors(page, guard, live_server, screenshot):
    _open(page, live_server)
    expect(page.locator(".atlas-canvas canvas").first).to_be_visible()
    assert page.evaluate("AtlasMap.instance.markers.length") == 11
    expect(page.locator("#atlas-legend")).to_contain_text("ISIS (5)")
    expect(page.locator("#atlas-legend li[data-actor=fsa]")).to_be_hidden()
    page.wait_for_timeout(300)
    screenshot("map-2015-08-01")
    guard.assert_clean()


# Watches every class change from the first byte: Leaflet marks its map pane while a zoom glides.
_WATCH_ZOOM_ANIMATION = """window.__zoomGlided = false;
new MutationObserver((changes) => {
    const glides = (c) => c.target.classList && c.target.classList.contains("leaflet-zoom-anim");
    if (changes.some(glides)) window.__zoomGlided = true;
}).observe(document, { attributes: true, attributeFilter: ["class"], subtree: true });"""


@pytest.mark.parametrize("path", ["/?date=2015-08-01", "/embed?date=2024-12-15"])
@pytest.mark.parametrize("width", [390, 1440])
def test_the_map_opens_at_its_view_without_gliding_to_it(page, guard, live_server, path, width):
    """The map is drawn at the view that fits the region: a zoom gliding there at load is
    motion for nothing, and a view asked for while it glides (a site in the address, a
    reader's first pinch) is lost when it lands."""
    page.add_init_script(_WATCH_ZOOM_ANIMATION)
    page.set_viewport_size({"width": width, "height": 844})
    _open(page, live_server, path)
    page.wait_for_timeout(400)
    assert not page.evaluate("window.__zoomGlided")
    guard.assert_clean()


@pytest.mark.parametrize(
    ("date", "actor", "label"),
    [("2015-08-01", "isis", "ISIS"), ("2016-03-05", "new-syrian-army", "New Syrian Army")],
)
def test_al_tanf_row_and_marker_show_the_controller(page, guard, live_server, date, actor, label):
    _open(page, live_server, f"/?date={date}")
    expect(page.locator("#row-al-tanf")).to_contain_text(label)
    state = _state(page, "al-tanf")
    assert state["actor"] == actor and state["fill"] == state["colour"]
    guard.assert_clean()


def _change_after(page, direction):
    """The change point the explorer's next (1) or previous (-1) step goes to, as text."""
    return page.evaluate(
        """(dir) => { const a = AtlasMap.instance;
            return AtlasCore.longDate(a.changeFrom(a.day, dir)); }""",
        direction,
    )


def test_slider_moves_by_keyboard_and_the_url_follows(page, guard, live_server):
    _open(page, live_server)
    slider = page.locator("#day-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "2 August 2015")
    expect(page).to_have_url(re.compile(r"date=2015-08-02"))
    expect(page.locator("#day-label")).to_have_text("2 August 2015")
    # The next and previous change points are the data block's (the seed may change).
    following = _change_after(page, 1)
    page.keyboard.press("PageUp")
    expect(slider).to_have_attribute("aria-valuetext", following)
    expect(page.locator("#day-label")).to_have_text(following)
    previous = _change_after(page, -1)
    page.keyboard.press("PageDown")
    expect(slider).to_have_attribute("aria-valuetext", previous)
    page.keyboard.press("Home")
    expect(slider).to_have_attribute("aria-valuetext", "1 January 2011")
    expect(page).to_have_url(re.compile(r"date=2011-01-01"))
    expect(page.locator("#row-al-tanf")).to_contain_text("Syrian gov.")
    page.keyboard.press("End")
    assert slider.input_value() == slider.get_attribute("max")
    guard.assert_clean()


def test_buttons_step_between_changes_and_play(page, guard, live_server):
    _open(page, live_server)
    following = _change_after(page, 1)
    page.get_by_role("button", name="Next change").click()
    expect(page.locator("#day-slider")).to_have_attribute("aria-valuetext", following)
    previous = _change_after(page, -1)
    page.get_by_role("button", name="Previous change").click()
    expect(page.locator("#day-slider")).to_have_attribute("aria-valuetext", previous)
    before = page.evaluate("AtlasMap.instance.day")
    play = page.get_by_role("button", name="Play")
    play.click()
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(700)
    page.locator("#play").click()
    expect(page.locator("#play")).to_have_text("Play")
    assert page.evaluate("AtlasMap.instance.day") > before
    guard.assert_clean()


def test_popup_lists_sources_and_the_url_names_the_site(page, guard, live_server):
    _open(page, live_server)
    page.get_by_role("button", name="Show al-Tanf on the map").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Islamic State")
    expect(popup).to_contain_text("Syrian side of a crossing")
    links = popup.locator(".sources a")
    assert links.count() >= 2
    assert links.first.get_attribute("rel") == "noopener noreferrer"
    expect(popup.get_by_role("link", name=re.compile("Site page"))).to_have_attribute(
        "href", "/sites/al-tanf?date=2015-08-01"
    )
    expect(page).to_have_url(re.compile(r"site=al-tanf"))
    expect(page.locator("#row-al-tanf")).to_have_class(re.compile("focus"))
    guard.assert_clean()


def test_clicking_a_marker_on_the_canvas_opens_its_popup(page, guard, live_server):
    _open(page, live_server)
    x, y = page.evaluate("""() => {
        const a = AtlasMap.instance, m = a.markers[a.bySlug.get('akashat')];
        const p = a.map.latLngToContainerPoint(m.getLatLng());
        const box = a.map.getContainer().getBoundingClientRect();
        return [box.left + p.x + m.options.dx, box.top + p.y];
    }""")
    page.mouse.click(x, y)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Akashat")
    guard.assert_clean()


def test_site_parameter_focuses_the_site(page, guard, live_server):
    _open(page, live_server, "/?date=2016-03-05&site=al-tanf")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("New Syrian Army")
    assert page.evaluate("AtlasMap.instance.map.getZoom()") >= 9
    guard.assert_clean()


def test_search_box_finds_bukamal(page, guard, live_server):
    _open(page, live_server)
    page.get_by_label("Find a site").fill("Bukamal")
    page.get_by_label("Find a site").press("Enter")
    expect(page.locator("#search-results")).to_contain_text("Albukamal")
    expect(page.locator("#search-results")).to_contain_text("— ISIS")  # the holder on the date
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Albukamal")
    expect(page).to_have_url(re.compile(r"site=albukamal"))
    guard.assert_clean()


def test_without_javascript_the_table_still_answers(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}{ISIS_2015}")
    expect(page.locator("#row-al-tanf")).to_contain_text("ISIS")
    expect(page.locator(".map-wrap")).to_be_hidden()
    expect(page.locator("#date")).to_be_visible()
    context.close()


def test_site_page_shows_the_svg_timeline(page, guard, live_server, screenshot):
    page.goto(f"{live_server}/sites/al-tanf")
    chart = page.locator("svg.timeline")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == 6  # 5 control periods, 1 status
    assert "Islamic State" in chart.locator("rect.bar title").all_text_contents()[1]
    screenshot("site-al-tanf-timeline")
    guard.assert_clean()
