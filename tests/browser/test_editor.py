"""An editor signs in, logs a control change at al-Qa'im, and sees it on the map page
and in the history."""

from tests.browser.live import own_live_app
from tests.browser.mapview import PHONE, VIEWPORTS

# An app of this module's own: the changes logged here must reach no other module's map.
live_app, live_server, admin_account = own_live_app("editor")


def _row(page, name):
    # The site's own row (a crossing's group row above it names it too).
    return page.locator("table.state tbody tr", has_text=name).last


def _map_popup(page, live_server, day):
    """The text of al-Qa'im's popup on the map at `day`."""
    page.goto(f"{live_server}/?date={day}")
    page.get_by_role("button", name="Show al-Qa'im on the map").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    return popup.inner_text()


def test_log_a_control_change_at_al_qaim(
    page, guard, live_server, sign_in_page, admin_account, screenshot
):
    sign_in_page(page)
    page.goto(f"{live_server}/sites/al-qaim")
    page.get_by_role("link", name="Log a change here").click()
    page.get_by_label("New controller").select_option(
        label="Kurdistan Regional Government (Peshmerga)"
    )
    page.get_by_label("Date", exact=True).fill("2025-02-01")
    page.get_by_label("Confidence").select_option("medium")
    page.get_by_label("Source URL", exact=True).fill("https://example.org/handover")
    page.get_by_label("Source title", exact=True).fill("Crossing handed over")
    page.get_by_label("Source publisher", exact=True).fill("Example Wire")
    page.get_by_label("Source date", exact=True).fill("2025-02-02")
    page.get_by_label("Note", exact=True).fill("Browser test handover.")
    screenshot("log-control-change")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server}/sites/al-qaim?date=2025-02-01")  # the logged day
    assert "Logged:" in page.locator(".flashes").inner_text()

    assert "Kurdistan Regional Government" in _map_popup(page, live_server, "2025-02-10")
    assert "KRG / Peshmerga" in _row(page, "al-Qa'im").inner_text()
    assert "Iraqi federal government" in _map_popup(page, live_server, "2025-01-31")

    page.goto(f"{live_server}/history")
    change = page.locator("details.change").first
    assert "Kurdistan Regional Government" in change.locator("summary").inner_text()
    assert not change.locator("article.revision").first.is_visible()  # collapsed
    change.locator("summary").click()
    latest = change.locator("article.revision").first
    assert "Kurdistan Regional Government" in latest.inner_text()
    assert f"by {admin_account[0]}" in latest.inner_text()
    screenshot("history")
    guard.assert_clean()


def test_refused_date_is_explained_in_the_form(page, guard, live_server, sign_in_page, screenshot):
    sign_in_page(page)
    page.goto(f"{live_server}/editor/sites/al-qaim/log-control")
    page.get_by_label("New controller").select_option(label="Islamic State (ISIS / ISIL)")
    page.get_by_label("Date", exact=True).fill("2015-01-01")
    page.get_by_label("Source title", exact=True).fill("Some source")
    page.get_by_role("button", name="Save").click()
    errors = page.locator(".errors").inner_text()
    screenshot("log-change-refused")
    assert "falls inside the period 1 Sep 2014 – 3 Nov 2017" in errors
    assert page.get_by_label("Source title", exact=True).input_value() == "Some source"
    assert guard.off_host == [] and guard.failed == []
    # The browser logs the 422 answer itself as a console error; nothing else may appear.
    assert all("422" in e for e in guard.console_errors), guard.console_errors


def test_point_picker_sets_lon_lat_offline(page, guard, live_server, sign_in_page, screenshot):
    sign_in_page(page)
    page.goto(f"{live_server}/editor/sites/new")
    picker = page.locator("#point-picker")
    # Boundary layers drawn from /editor/layers.json stand in for tiles.
    page.wait_for_function("() => document.querySelectorAll('#point-picker path').length > 3")
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    lon = float(page.get_by_label("Longitude").input_value())
    lat = float(page.get_by_label("Latitude").input_value())
    assert 38 < lon < 43 and 32 < lat < 37
    screenshot("site-point-picker")
    page.get_by_label("Longitude").fill("41.0")
    page.get_by_label("Longitude").dispatch_event("change")
    guard.assert_clean()


def test_date_field_reads_edtf_in_plain_words_as_one_types(
    page, guard, live_server, sign_in_page, screenshot
):
    from playwright.sync_api import expect

    sign_in_page(page)
    page.goto(f"{live_server}/editor/sites/al-qaim/log-control")
    date = page.get_by_label("Date", exact=True)
    reading = page.locator("#date-reading")
    date.press_sequentially("2024-12-07/2024-12-31", delay=10)
    expect(reading).to_have_text("sometime between 7 and 31 December 2024")
    date.fill("2014")
    expect(reading).to_have_text("sometime in 2014")
    date.fill("2024-13")
    expect(reading).to_have_class("reading bad")
    expect(reading).to_contain_text("is not a date EDTF allows")
    screenshot("date-reading")
    guard.assert_clean()


def test_sign_in_returns_to_the_site_and_date_then_the_log_form_keeps_them(
    page, guard, live_server, admin_account, screenshot
):
    from playwright.sync_api import expect

    page.goto(f"{live_server}/sites/albukamal?date=2015-06-01")
    expect(page.get_by_role("link", name="Show on the map on 1 June 2015")).to_have_attribute(
        "href", "/?date=2015-06-01&site=albukamal"
    )
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(admin_account[0])
    page.get_by_label("Password").fill(admin_account[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/sites/albukamal?date=2015-06-01")
    page.get_by_role("link", name="Log a change here").click()
    page.wait_for_url(f"{live_server}/editor/sites/albukamal/log-control?date=2015-06-01")
    expect(page.get_by_label("Date", exact=True)).to_have_value("2015-06-01")
    currently = page.locator("#currently")
    expect(currently).to_contain_text("Currently: Islamic State")
    page.get_by_label("Date", exact=True).fill("2012-08-01")
    expect(currently).not_to_contain_text("Islamic State")
    expect(currently).to_contain_text("Currently:")
    controller = page.get_by_label("New controller")
    expect(controller).to_have_value("")
    expect(controller).to_have_attribute("required", "")
    screenshot("log-change-prefilled")
    guard.assert_clean()


@VIEWPORTS
def test_source_picker_filters_checks_and_saves(page, guard, live_server, sign_in_page, viewport):
    from playwright.sync_api import expect

    # Each screen logs its own change (the same one twice would be refused).
    day, status = ("2026-05-03", "closed") if viewport == PHONE else ("2026-05-02", "restricted")
    page.set_viewport_size(viewport)
    sign_in_page(page)
    page.goto(f"{live_server}/editor/sites/semalka/log-status?date={day}")
    select = page.locator("select#source_ids")
    expect(select).to_be_hidden()
    picker = page.locator(".source-picker")
    boxes = picker.get_by_role("checkbox")
    total = boxes.count()
    assert total > 20
    page.get_by_label("Existing sources").fill("reuters")
    visible = picker.locator(".opt:visible")
    assert 0 < visible.count() < total
    first = visible.first.get_by_role("checkbox")
    first.check()
    expect(picker.locator(".count")).to_contain_text("1 picked")
    chosen = first.get_attribute("value")
    assert select.evaluate("(s) => Array.from(s.selectedOptions).map((o) => o.value)") == [chosen]
    page.get_by_label("New status").select_option(status)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server}/sites/semalka?date={day}")
    # Next time the source this editor just cited comes first.
    page.goto(f"{live_server}/editor/sites/semalka/log-control")
    recent = page.get_by_role("group", name="Recently cited by you")
    expect(recent.get_by_role("checkbox").first).to_have_value(chosen)
    guard.assert_clean()


def test_the_source_picker_is_one_tab_stop_walked_with_arrows(
    page, guard, live_server, sign_in_page
):
    """Hundreds of sources are not hundreds of Tab stops: Tab enters the list once, the
    arrows move among the sources shown, Space picks one, Tab leaves."""
    from playwright.sync_api import expect

    sign_in_page(page)
    page.goto(f"{live_server}/editor/sites/semalka/log-status")
    picker = page.locator(".source-picker")
    expect(picker.locator("input[type=checkbox][tabindex='0']")).to_have_count(1)
    page.get_by_label("Existing sources").fill("reuters")
    page.keyboard.press("ArrowDown")  # from the filter into the list
    shown = picker.locator(".opt:visible input[type=checkbox]")
    expect(shown.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(shown.nth(1)).to_be_focused()
    page.keyboard.press("Space")
    expect(shown.nth(1)).to_be_checked()
    expect(picker.locator(".count")).to_contain_text("1 picked")
    page.keyboard.press("End")
    expect(shown.last).to_be_focused()
    page.keyboard.press("Home")
    expect(shown.first).to_be_focused()
    page.keyboard.press("Tab")  # out of the list, not to the next source
    assert page.evaluate("() => !document.activeElement.closest('.options')")
    page.keyboard.press("Shift+Tab")  # back to where the arrows left off
    expect(shown.first).to_be_focused()
    assert shown.first.get_attribute("aria-describedby")
    guard.assert_clean()


def test_timeline_bars_are_reachable_by_keyboard(page, guard, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server}/sites/al-qaim")
    first = page.locator("svg.timeline rect.bar").first
    first.focus()
    expect(first).to_be_focused()
    label = first.get_attribute("aria-label")
    assert label and any(str(year) in label for year in range(2011, 2027))
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused and focused != label
    stroke = first.evaluate("(el) => getComputedStyle(el).stroke")
    first.focus()
    focused_stroke = first.evaluate("(el) => getComputedStyle(el).stroke")
    assert focused_stroke != "rgb(255, 255, 255)", (stroke, focused_stroke)
    guard.assert_clean()
