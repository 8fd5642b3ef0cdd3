"""Reading the map page and the embed in either language, with large text and in forced
colours (an accessibility audit of /?date=2015-08-01 and /embed):

- a place's two names come in the reader's language first, as on the site page: on an
  Arabic page the Arabic name, the English one beside it marked lang="en" dir="ltr", in the
  table (the server's rows and the script's alike), its crossing headings, the popups and
  the search results; an English page is unchanged;
- with text at 200% nothing scrolls sideways on a 390 or 320 px phone;
- in forced colours (Windows high contrast) each symbol of the map's key stays distinct;
- the popup's close button is named in the reader's language.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.mapview import DESKTOP, PHONE, open_map

ARABIC_LETTER = "[\\u0600-\\u06ff]"

# Per site: the heading cell of its row as the page has it (without the "show on map"
# button the script adds) and as the script builds it (makeRow, for rows past the server's
# first TABLE_ROWS), so that both kinds of row can be compared.
_ROW_CELLS = """() => {
    const x = AtlasMap.instance;
    const clean = (th) => {
        const copy = th.cloneNode(true);
        copy.querySelectorAll('button.show-on-map').forEach((b) => b.remove());
        return copy.innerHTML.replace(/\\s+/g, ' ').trim();
    };
    return x.data.sites.map((s, i) => {
        const row = document.getElementById('row-' + s[0]);
        return {slug: s[0], en: s[1], ar: s[2],
                page: row ? clean(row.cells[0]) : null, script: clean(x.makeRow(i).cells[0])};
    });
}"""

# The first name and the second of an element: its first child's text and language, and
# the first [lang] element after it.
_NAMES = """(el) => {
    const first = el.firstElementChild && el.firstElementChild.tagName === 'A'
        ? el.firstElementChild : el.firstChild;
    const firstEl = first.nodeType === 1 ? first : null;
    const other = [...el.querySelectorAll('[lang]')].find((n) => n !== firstEl) || null;
    return {
        first: first.textContent.trim(),
        firstLang: firstEl ? firstEl.getAttribute('lang') : null,
        firstDir: firstEl ? firstEl.getAttribute('dir') : null,
        other: other && other.textContent.trim(),
        otherLang: other && other.getAttribute('lang'),
        otherDir: other && other.getAttribute('dir'),
    };
}"""


def _row_cells(page) -> list[dict]:
    return page.evaluate(_ROW_CELLS)


def test_arabic_rows_name_the_site_in_arabic_first_and_mark_the_english(page, guard, live_server):
    open_map(page, live_server, "/?lang=ar&date=2015-08-01")
    sites = _row_cells(page)
    with_arabic = [s for s in sites if s["ar"]]
    assert with_arabic
    for s in sites:
        assert s["page"] is not None, s["slug"]
        # The script's rows are the server's.
        assert s["script"] == s["page"], s["slug"]
        names = page.locator(f"#row-{s['slug']} th").evaluate(_NAMES)
        if s["ar"]:
            assert names["first"] == s["ar"], names
            assert names["firstLang"] is None, names  # the page's language
            assert (names["other"], names["otherLang"], names["otherDir"]) == (
                s["en"],
                "en",
                "ltr",
            ), names
        else:
            assert (names["first"], names["firstLang"]) == (s["en"], "en"), names
    guard.assert_clean()


def test_english_rows_are_unchanged_and_the_scripts_match_the_servers(page, guard, live_server):
    open_map(page, live_server, "/?lang=en&date=2015-08-01")
    for s in _row_cells(page):
        assert s["script"] == s["page"], s["slug"]
        names = page.locator(f"#row-{s['slug']} th").evaluate(_NAMES)
        assert (names["first"], names["firstLang"]) == (s["en"], "en"), names
        assert (names["other"] or "", names["otherLang"]) == (s["ar"], "ar"), names
    guard.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_crossing_headings_name_the_crossing_in_the_readers_language_first(
    page, guard, live_server, lang
):
    open_map(page, live_server, f"/?lang={lang}&date=2015-08-01")
    heads = page.locator("#state-table tr.group-row:not(.group-others) th")
    expect(heads.first).to_be_visible()
    names = heads.evaluate_all(f"(ths) => ths.map({_NAMES})")
    assert names
    tanf = [n for n in names if "al-Tanf" in (n["first"] + (n["other"] or ""))]
    assert tanf, names
    for n in names:
        if lang == "ar":
            assert (n["otherLang"], n["otherDir"]) == ("en", "ltr"), n
            assert n["first"] and "al-" not in n["first"], n
        else:
            assert n["otherLang"] == "ar", n
            assert n["first"].startswith(("al-", "Albukamal", "Semalka")), n
    guard.assert_clean()


@pytest.mark.parametrize(
    "path",
    [
        "/?lang={lang}&date=2015-08-01&site=al-tanf",
        "/embed?lang={lang}&date=2015-08-01&site=al-tanf",
    ],
)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_popup_headings_and_close_buttons_speak_the_readers_language(
    page, guard, live_server, lang, path
):
    open_map(page, live_server, path.format(lang=lang))
    heading = page.locator(".leaflet-popup-content h3")
    expect(heading).to_be_visible()
    names = heading.evaluate(_NAMES)
    close = page.locator(".leaflet-popup-close-button")
    if lang == "ar":
        assert names["first"] == "التنف", names
        assert (names["other"], names["otherLang"], names["otherDir"]) == ("al-Tanf", "en", "ltr")
        label = close.get_attribute("aria-label")
        assert label and label != "Close popup", label
        assert page.evaluate(f"(s) => new RegExp('{ARABIC_LETTER}').test(s)", label), label
    else:
        assert names["first"] == "al-Tanf", names
        assert (names["other"], names["otherLang"]) == ("التنف", "ar"), names
        expect(close).to_have_attribute("aria-label", "Close this popup")
    guard.assert_clean()


def test_a_popups_source_titles_carry_their_language(page, guard, live_server):
    open_map(page, live_server, "/?lang=ar&date=2015-08-01&site=al-tanf")
    titles = page.locator(".leaflet-popup-content .popup-sources li > :first-child")
    expect(titles.first).to_be_visible()
    # The seed's sources are English reports: an Arabic screen reader reads them as English.
    assert {t.get_attribute("lang") for t in titles.all()} == {"en"}
    guard.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_search_results_name_the_site_in_the_readers_language_first(page, guard, live_server, lang):
    open_map(page, live_server, f"/?lang={lang}&date=2015-08-01")
    page.locator("#q").fill("tanf")
    page.locator("#search-form button").click()
    buttons = page.locator("#search-results button")
    expect(buttons.first).to_be_visible()
    names = buttons.evaluate_all(f"(bs) => bs.map({_NAMES})")
    tanf = next(n for n in names if "al-Tanf" in (n["first"], n["other"]))
    if lang == "ar":
        assert tanf["first"] == "التنف", tanf
        assert (tanf["other"], tanf["otherLang"], tanf["otherDir"]) == ("al-Tanf", "en", "ltr")
    else:
        assert (tanf["first"], tanf["other"], tanf["otherLang"]) == ("al-Tanf", "التنف", "ar")
    guard.assert_clean()


# What lies outside the screen at the sides: the page's scroll width over the window's, and
# the controls one needs that reach past either edge.
_SIDEWAYS = """() => {
    const w = window.innerWidth;
    const out = [...document.querySelectorAll(
        '.topbar .brand, .panel h1, .time-buttons button, .leaflet-control-zoom a, #q, #date')]
        .filter((el) => el.getClientRects().length)
        .map((el) => ({what: el.id || el.className || el.tagName, r: el.getBoundingClientRect()}))
        .filter((o) => o.r.left < -0.5 || o.r.right > w + 0.5)
        .map((o) => `${o.what} ${Math.round(o.r.left)}..${Math.round(o.r.right)}`);
    return {scroll: document.documentElement.scrollWidth, width: w, out};
}"""


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_text_at_200_percent_does_not_scroll_sideways_on_a_phone(
    browser, guard, live_server, lang, width
):
    context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.route("**/*", guard.route)
    page.on("pageerror", lambda e: guard.console_errors.append(str(e)))
    try:
        open_map(page, live_server, f"/?lang={lang}&date=2015-08-01", viewport=page.viewport_size)
        page.add_style_tag(content="html{font-size:200% !important}")
        page.wait_for_timeout(300)
        seen = page.evaluate(_SIDEWAYS)
        assert seen["scroll"] <= seen["width"], seen
        assert not seen["out"], seen
        guard.assert_clean()
    finally:
        context.close()


KEY = {
    "changing hands": "[data-state=transition] .mk",
    "not tracked": "[data-state=untracked] .mk",
    "contested": ".legend-marks .mk-contested",
    "date uncertain": ".legend-marks .mk-hatched",
    "crossing": ".legend-marks .mk-split",
    "selected": ".legend-marks .mk-selected",
}


def _key_pictures(page) -> dict[str, bytes]:
    legend = page.locator("#atlas-legend")
    if legend.get_attribute("open") is None:
        legend.locator("summary").click()
    pictures = {}
    for name, selector in KEY.items():
        mark = page.locator(f"#atlas-legend {selector}").first
        mark.evaluate("(el) => el.closest('li').classList.remove('absent')")
        mark.scroll_into_view_if_needed()
        pictures[name] = mark.screenshot(animations="disabled")
    return pictures


@pytest.mark.parametrize("forced", ["none", "active"])
def test_each_symbol_of_the_key_stays_distinct_in_forced_colours(
    browser, guard, live_server, forced
):
    context = browser.new_context(viewport=DESKTOP, forced_colors=forced)
    page = context.new_page()
    page.route("**/*", guard.route)
    try:
        open_map(page, live_server, "/?date=2015-08-01")
        assert page.evaluate("matchMedia('(forced-colors: active)').matches") == (
            forced == "active"
        )
        pictures = _key_pictures(page)
        names = list(pictures)
        same = [
            (a, b)
            for n, a in enumerate(names)
            for b in names[n + 1 :]
            if pictures[a] == pictures[b]
        ]
        assert not same, f"key symbols drawn alike with forced-colors: {forced}: {same}"
        guard.assert_clean()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_download_links_and_show_buttons_are_24px_targets(page, guard, live_server, viewport):
    """WCAG 2.5.8 with a mouse too: axe's target-size finds nothing on the panel, and the
    download links and the table's "show on map" buttons are at least 24×24."""
    from tests.browser.axe import axe_violations, format_violations

    open_map(page, live_server, "/?date=2015-08-01", viewport=viewport)
    violations = [v for v in axe_violations(page, tags=("wcag22aa",)) if v["id"] == "target-size"]
    assert not violations, format_violations(violations)
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            '.downloads a, .map-downloads a, #state-table button.show-on-map')]
            .filter((el) => el.getClientRects().length && !el.closest('[hidden]'))
            .map((el) => ({what: el.getAttribute('aria-label') || el.textContent.trim(),
                           w: el.getBoundingClientRect().width,
                           h: el.getBoundingClientRect().height}))
            .filter((b) => b.w < 23.99 || b.h < 23.99)"""
    )
    assert not small, small
    guard.assert_clean()
