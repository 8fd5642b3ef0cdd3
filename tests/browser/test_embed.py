"""The embed in Chromium, inside an <iframe> of a page from another site (a news article
served by a second tiny server, reached as localhost so it is not the app's 127.0.0.1): it
draws, its slider moves, its link back follows; the map page itself is refused there."""

from __future__ import annotations

import re
import threading
from html import escape

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.browser.axe import assert_no_axe_violations

EMBED = "/embed?date=2024-12-15&site=albukamal"


@Request.application
def _news_site(request: Request) -> Response:
    """A news site whose /article shows ?src= in its one <iframe>; nothing else exists."""
    if request.path != "/article":
        return Response("", 404)
    src = escape(request.args.get("src", ""))
    return Response(
        "<!doctype html><html lang=en><head><title>An article</title></head><body>"
        "<h1>Who holds the crossings</h1>"
        f'<iframe src="{src}" title="Border Control Atlas" width="900" height="560"></iframe>'
        "</body></html>",
        mimetype="text/html",
    )


@pytest.fixture(scope="module")
def news_site():
    """The news site's base URL, on its own port, by the name localhost (another site)."""
    server = make_server("127.0.0.1", 0, _news_site, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()


@pytest.fixture
def article(page, news_site):
    """article(src): open the news article with `src` in its <iframe>."""
    # Registered after the guard's route, so it answers first for the news site's host.
    page.route(f"{news_site}/**", lambda route: route.continue_())

    def open_article(src: str) -> None:
        page.goto(f"{news_site}/article?src={src.replace('&', '%26')}")

    return open_article


def _frame(page):
    """The <iframe>'s frame once its document has loaded."""
    handle = page.locator("iframe").element_handle()
    frame = handle.content_frame()
    assert frame is not None
    return frame


def _map_frame(page):
    """The <iframe>'s frame once its map has been built (the load runs in turns)."""
    frame = _frame(page)
    frame.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    return frame


def test_embed_draws_inside_another_sites_iframe(page, guard, live_server, article, screenshot):
    article(f"{live_server}{EMBED}")
    inside = page.frame_locator("iframe")
    slider = inside.locator("#day-slider")
    expect(slider).to_be_visible()
    expect(slider).to_have_attribute("aria-valuetext", "15 December 2024")
    expect(inside.locator(".atlas-canvas canvas").first).to_be_visible()
    # ?site= opens the site's popup, as on the map page.
    expect(inside.locator(".leaflet-popup-content")).to_contain_text("Albukamal")
    frame = _map_frame(page)
    assert frame.evaluate("AtlasMap.instance.markers.length") == 11
    # The labels are placed (those under the open popup stay hidden).
    expect(inside.locator(".atlas-label")).not_to_have_count(0)
    # No chrome: the top bar, table and search are not there.
    for absent in (".topbar", "#state-table", "#search-form", "#embed-code"):
        expect(inside.locator(absent)).to_have_count(0)
    screenshot("embed-in-iframe")
    guard.assert_clean()


def test_slider_moves_the_date_and_the_link_back_follows(
    page, guard, live_server, news_site, article
):
    article(f"{live_server}{EMBED}")
    inside = page.frame_locator("iframe")
    link = inside.get_by_role("link", name="Open in Border Control Atlas")
    expect(link).to_have_attribute("href", re.compile(r"/\?date=2024-12-15&site=albukamal$"))
    expect(inside.locator(".leaflet-popup-content")).to_be_visible()
    slider = inside.locator("#day-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "16 December 2024")
    expect(inside.locator("#day-label")).to_have_text("16 December 2024")
    expect(link).to_have_attribute("href", re.compile(r"/\?date=2024-12-16&site=albukamal$"))
    page.keyboard.press("Home")
    expect(slider).to_have_attribute("aria-valuetext", "1 January 2011")
    expect(link).to_have_attribute("href", re.compile(r"date=2011-01-01"))
    # Closing the popup unfocuses the site: the link then opens the map on the date alone.
    inside.locator(".leaflet-popup-close-button").click()
    expect(link).to_have_attribute("href", re.compile(r"/\?date=2011-01-01$"))
    # The link opens the full map in a new tab, leaving the article where it is.
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == f"{live_server}/?date=2011-01-01"
    expect(tab.locator("#state-table")).to_be_visible()
    assert page.url.startswith(f"{news_site}/article")
    tab.close()
    guard.assert_clean()


def test_buttons_step_between_changes_inside_the_frame(page, guard, live_server, article):
    article(f"{live_server}/embed?date=2015-08-01")
    inside = page.frame_locator("iframe")
    slider = inside.locator("#day-slider")
    expect(slider).to_have_attribute("aria-valuetext", "1 August 2015")
    following = _map_frame(page).evaluate(
        "AtlasCore.longDate(AtlasMap.instance.changeFrom(AtlasMap.instance.day, 1))"
    )
    inside.get_by_role("button", name="Next change").click()
    expect(slider).to_have_attribute("aria-valuetext", following)
    guard.assert_clean()


def test_the_map_page_is_refused_inside_an_iframe(page, guard, live_server, article):
    answers = []
    page.on("response", lambda r: r.url.startswith(live_server) and answers.append(r))
    article(f"{live_server}/?date=2024-12-15")
    page.wait_for_timeout(500)
    # The server answered, with the headers that forbid framing ...
    framed = [r for r in answers if "/?date=2024-12-15" in r.url]
    assert framed and framed[0].headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in framed[0].headers["content-security-policy"]
    # ... and Chromium showed none of the page in the frame.
    frame = _frame(page)
    assert not frame.url.startswith(live_server)
    expect(page.frame_locator("iframe").locator("#day-slider")).to_have_count(0)
    assert any("frame" in e.lower() for e in guard.console_errors), guard.console_errors
    assert guard.off_host == []


def test_embed_and_the_snippet_have_no_axe_violations(page, guard, live_server):
    page.set_viewport_size({"width": 800, "height": 560})
    # Without ?site= no popup opens: the hidden <h1> is then the page's only heading.
    page.goto(f"{live_server}/embed")
    expect(page.locator(".atlas-canvas canvas").first).to_be_visible()
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert_no_axe_violations(page, "plain embed")
    page.goto(f"{live_server}{EMBED}")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Albukamal")
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    assert_no_axe_violations(page, "embed with a popup open")
    page.goto(f"{live_server}/?date=2024-12-15")
    copy = page.get_by_role("button", name="Copy")
    expect(copy).to_be_visible()
    assert_no_axe_violations(page, "map page with the embed snippet")
    guard.assert_clean()
