"""Links that carry the view: after the slider moves and a site is shown, the language and
digit switches, "Cite this view", sign-in and the embed snippet keep that date and site
(they kept the date the page was opened at, and no site)."""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.mapview import open_map


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_switches_cite_sign_in_and_embed_follow_the_view(page, guard, live_server, lang):
    open_map(page, live_server, f"/?date=2015-08-01&lang={lang}")
    page.locator("#day-slider").focus()
    page.keyboard.press("PageUp")
    page.evaluate("AtlasMap.instance.focusSite(AtlasMap.instance.bySlug.get('rabia'))")
    page.wait_for_function("() => new URLSearchParams(location.search).get('site') === 'rabia'")
    page.wait_for_timeout(100)
    day = page.evaluate("new URLSearchParams(location.search).get('date')")
    assert day != "2015-08-01"
    links = page.eval_on_selector_all(
        ".lang-switch a, #cite-link", "(els) => els.map((a) => a.getAttribute('href'))"
    )
    assert len(links) == (3 if lang == "ar" else 2)
    for href in links:
        query = _query(href)
        assert query["date"] == [day] and query["site"] == ["rabia"], href
    sign_in = page.locator("a[data-next-link]").get_attribute("href")
    back = _query(sign_in)["next"][0]
    assert _query(back)["date"] == [day] and _query(back)["site"] == ["rabia"]
    snippet = page.locator("#embed-code").input_value()
    src = html.unescape(snippet.split('src="', 1)[1].split('"', 1)[0])
    assert _query(src)["date"] == [day] and _query(src)["site"] == ["rabia"]
    assert "&amp;" in snippet  # still HTML to paste
    guard.assert_clean()
