"""An editor signs in, logs a control change at al-Qa'im, and sees it on the map page
and in the history."""


def _row(page, name):
    return page.locator("table.state tbody tr", has_text=name)


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
    page.get_by_role("link", name="Log a control change").click()
    page.get_by_label("New controller").select_option(
        label="Kurdistan Regional Government (Peshmerga)"
    )
    page.get_by_label("Date", exact=True).fill("2025-02-01")
    page.get_by_label("Confidence").select_option("medium")
    page.get_by_label("Source URL").fill("https://example.org/handover")
    page.get_by_label("Source title").fill("Crossing handed over")
    page.get_by_label("Source publisher").fill("Example Wire")
    page.get_by_label("Source date").fill("2025-02-02")
    page.get_by_label("Note", exact=True).fill("Browser test handover.")
    screenshot("log-control-change")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server}/sites/al-qaim")
    assert "Logged:" in page.locator(".flashes").inner_text()

    assert "Kurdistan Regional Government" in _map_popup(page, live_server, "2025-02-10")
    assert "KRG / Peshmerga" in _row(page, "al-Qa'im").inner_text()
    assert "Iraqi federal government" in _map_popup(page, live_server, "2025-01-31")

    page.goto(f"{live_server}/history")
    latest = page.locator("article.revision").first
    assert "Kurdistan Regional Government" in latest.inner_text()
    assert f"by {admin_account[0]}" in latest.inner_text()
    screenshot("history")
    guard.assert_clean()


def test_refused_date_is_explained_in_the_form(page, guard, live_server, sign_in_page, screenshot):
    sign_in_page(page)
    page.goto(f"{live_server}/editor/sites/al-qaim/log-control")
    page.get_by_label("New controller").select_option(label="Islamic State (ISIS / ISIL)")
    page.get_by_label("Date", exact=True).fill("2015-01-01")
    page.get_by_label("Source title").fill("Some source")
    page.get_by_role("button", name="Save").click()
    errors = page.locator(".errors").inner_text()
    screenshot("log-change-refused")
    assert "falls inside the period 1 Sep 2014 – 3 Nov 2017" in errors
    assert page.get_by_label("Source title").input_value() == "Some source"
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
