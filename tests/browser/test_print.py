"""Printing a site page (static/css/print.css): the timeline whole on the paper's width
from its first label, no menus, forms or buttons, and each source's address printed."""

from __future__ import annotations

import pytest

A4 = {"width": 794, "height": 1123}  # an A4 page at 96 dpi

LANGUAGES = pytest.mark.parametrize("lang", ["en", "ar"])


def _print_site(page, live_server, lang: str) -> None:
    """Open al-Qa'im as a reader would (screen: its chart scrolled to today), then print."""
    page.set_viewport_size(A4)
    page.goto(f"{live_server}/sites/al-qaim?lang={lang}")
    page.wait_for_load_state("load")
    page.emulate_media(media="print")


@LANGUAGES
def test_the_timeline_prints_whole_from_its_first_label(page, live_server, guard, lang):
    _print_site(page, live_server, lang)
    width = page.evaluate("document.documentElement.clientWidth")
    svg = page.locator(".chart svg.timeline").bounding_box()
    assert svg is not None
    assert svg["x"] >= 0 and svg["x"] + svg["width"] <= width + 0.5, (svg, width)
    box = page.evaluate(
        """() => {
          const box = document.querySelector('.chart .scroll');
          const style = getComputedStyle(box);
          return {scrollLeft: box.scrollLeft, overflowX: style.overflowX,
                  scrollWidth: box.scrollWidth, clientWidth: box.clientWidth};
        }"""
    )
    assert box["scrollLeft"] == 0 and box["overflowX"] == "visible", box
    assert box["scrollWidth"] <= box["clientWidth"] + 1, box
    # The rows' labels (the chart's first text) and the first years are on the paper.
    for text in page.locator(".chart svg.timeline text").all()[:3]:
        label = text.bounding_box()
        assert label is not None
        assert svg["x"] <= label["x"] and label["x"] + label["width"] <= width, (label, width)
    first = page.evaluate(
        """() => {
          const texts = [...document.querySelectorAll('.chart svg.timeline text')];
          const year = texts.find(t => /^(2011|٢٠١١)$/.test(t.textContent.trim()));
          const r = year.getBoundingClientRect();
          return {left: r.left, right: r.right};
        }"""
    )
    assert 0 <= first["left"] and first["right"] <= width, first
    guard.assert_clean()


@LANGUAGES
def test_navigation_forms_and_buttons_do_not_print(page, live_server, lang):
    _print_site(page, live_server, lang)
    hidden = page.evaluate(
        """() => [...document.querySelectorAll(
              'header.topbar, #topnav, .skip, form, button, .lang-switch')]
            .map(el => [el.tagName + '.' + el.className, getComputedStyle(el).display,
                        el.getBoundingClientRect().height])"""
    )
    assert hidden, "the page has a top bar"
    for name, display, height in hidden:
        assert display == "none" or height == 0, name
    # The record itself prints.
    assert page.locator("h1").is_visible()
    assert page.locator("table.periods").first.is_visible()


@LANGUAGES
def test_source_links_print_their_addresses_internal_links_do_not(page, live_server, lang):
    _print_site(page, live_server, lang)
    after = page.evaluate(
        """() => [...document.querySelectorAll('.sources a[href^="http"]')]
            .map(a => [a.getAttribute('href'), getComputedStyle(a, '::after').content])"""
    )
    assert after, "al-Qa'im cites sources with addresses"
    for href, content in after:
        assert href in content, (href, content)
    internal = page.evaluate(
        """() => [...document.querySelectorAll('main a[href^="/"], main a[href^="#"]')]
            .map(a => getComputedStyle(a, '::after').content)"""
    )
    assert internal and all(c in ("none", "normal", "") for c in internal), internal


def test_back_on_screen_the_timeline_opens_at_today_again(page, live_server, guard):
    _print_site(page, live_server, "en")
    page.emulate_media(media="screen")
    page.wait_for_function("document.querySelector('.chart .scroll').scrollLeft > 0")
    guard.assert_clean()
