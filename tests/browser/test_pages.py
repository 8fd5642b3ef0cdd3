"""Pages in Chromium: they load from 127.0.0.1 only and without script errors."""

from playwright.sync_api import expect


def test_state_page_loads_offline(page, guard, live_server):
    page.goto(f"{live_server}/?date=2015-08-01")
    assert page.locator("table.state").is_visible()
    # The table's rows are filled in turns after the load event: wait for them.
    expect(page.locator("table.state tbody")).to_contain_text("ISIS")
    guard.assert_clean()


def test_site_page_loads_offline(page, guard, live_server, screenshot):
    page.goto(f"{live_server}/sites/al-tanf")
    assert page.get_by_role("heading", name="Control").is_visible()
    screenshot("site-al-tanf")
    guard.assert_clean()
