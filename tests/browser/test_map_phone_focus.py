"""User audit: a marker tapped on a phone leaves the page where it is (the popup stays on
screen), a crossing's English and Arabic names stand apart in the table, and the table's
column titles never break inside a word."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _guarded_page
from tests.browser.mapview import PHONE, open_map, wait_until_still

DESKTOP = {"width": 1366, "height": 900}

MARKER_POINT = """(slug) => {
    const a = AtlasMap.instance, m = a.markers[a.bySlug.get(slug)];
    const p = a.map.latLngToContainerPoint(m.getLatLng());
    const box = a.map.getContainer().getBoundingClientRect();
    return [box.left + p.x + m.options.dx, box.top + p.y];
}"""


@pytest.fixture
def touch_page(browser, guard):
    """A guarded page on a touch phone (390×844)."""
    context, page = _guarded_page(browser, guard, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_tapping_a_marker_on_a_phone_does_not_scroll_the_page(touch_page, guard, live_server, lang):
    page = touch_page
    open_map(page, live_server, f"/?date=2015-08-01&lang={lang}", viewport=PHONE)
    assert page.evaluate("window.scrollY") == 0
    x, y = page.evaluate(MARKER_POINT, "albukamal")
    assert 0 <= y < PHONE["height"], "the marker is on the first screen"
    page.touchscreen.tap(x, y)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(page.locator("#row-albukamal")).to_have_class(re.compile(r"\bfocus\b"))
    wait_until_still(page)
    page.wait_for_timeout(200)
    assert page.evaluate("window.scrollY") == 0
    expect(popup).to_be_in_viewport(ratio=1)
    box = popup.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    # Narrower than the screen by the auto-pan margins, its close button inside the map.
    frame = page.locator(".leaflet-popup").bounding_box()
    assert frame["width"] <= PHONE["width"] - 48, frame
    guard.assert_clean()


POPUP_IN_MAP = """() => {
    const p = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
    const m = AtlasMap.instance.map.getContainer().getBoundingClientRect();
    return {top: p.top - m.top, bottom: m.bottom - p.bottom, scrollY: window.scrollY};
}"""


@pytest.mark.parametrize("slug", ["semalka", "al-yarubiyah", "albukamal"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_popup_near_the_top_of_the_map_is_shown_whole(page, guard, live_server, slug, viewport):
    """The map may not pan past its bounds: a popup taller than the room above its marker
    (a northern crossing, a phone's first zoom) has the map zoom in rather than lose its top."""
    open_map(page, live_server, viewport=viewport)
    x, y = page.evaluate(MARKER_POINT, slug)
    page.mouse.click(x, y)
    expect(page.locator(".leaflet-popup-content h3")).to_be_visible()
    wait_until_still(page)
    page.wait_for_timeout(400)
    wait_until_still(page)
    where = page.evaluate(POPUP_IN_MAP)
    assert where["top"] >= 0 and where["bottom"] >= 0 and where["scrollY"] == 0, where
    expect(page.locator(f"#row-{slug}")).to_have_class(re.compile(r"\bfocus\b"))
    guard.assert_clean()


def _row_and_panel(page, slug):
    return page.evaluate(
        """(slug) => {
        const row = document.getElementById('row-' + slug), panel = row.closest('.panel');
        const p = panel.getBoundingClientRect(), r = row.getBoundingClientRect();
        const head = document.querySelector('#state-table thead tr').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, panelTop: p.top + panel.clientTop,
                panelBottom: p.top + panel.clientTop + panel.clientHeight,
                headBottom: head.bottom, scrollTop: panel.scrollTop, scrollY: window.scrollY};
    }""",
        slug,
    )


@pytest.mark.parametrize(
    ("slug", "start", "height"),
    [("akashat", "top", 900), ("al-yarubiyah", "bottom", 600)],
    ids=["below", "above"],
)
def test_clicking_a_marker_on_a_desktop_brings_its_row_into_the_panel(
    page, guard, live_server, slug, start, height
):
    open_map(page, live_server, viewport={"width": DESKTOP["width"], "height": height})
    page.evaluate(
        "(end) => { const p = document.querySelector('.panel');"
        " p.scrollTop = end === 'top' ? 0 : p.scrollHeight; }",
        start,
    )
    before = _row_and_panel(page, slug)
    assert before["bottom"] > before["panelBottom"] or before["top"] < before["panelTop"]
    x, y = page.evaluate(MARKER_POINT, slug)
    page.mouse.click(x, y)
    expect(page.locator(f"#row-{slug}")).to_have_class(re.compile(r"\bfocus\b"))
    after = _row_and_panel(page, slug)
    assert after["scrollY"] == 0
    assert after["scrollTop"] != before["scrollTop"]
    # Wholly visible: below the sticky column titles and above the panel's bottom edge.
    assert after["top"] >= after["headBottom"] - 1, after
    assert after["bottom"] <= after["panelBottom"] + 1, after
    guard.assert_clean()


GROUP_GAPS = """() => [...document.querySelectorAll('#state-table tr.group-row th')]
    .filter((th) => th.querySelector('.ar, .en') && th.getClientRects().length)
    .map((th) => {
        const rtl = getComputedStyle(th).direction === 'rtl';
        const range = document.createRange();
        range.selectNodeContents(th.firstChild);
        const names = range.getClientRects(), name = names[names.length - 1];
        const ar = th.querySelector('.ar, .en').getClientRects()[0];
        const sameLine = Math.min(name.bottom, ar.bottom) - Math.max(name.top, ar.top) > 4;
        return {text: th.textContent, sameLine,
                gap: rtl ? name.left - ar.right : ar.left - name.right};
    })"""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_crossing_rows_keep_a_gap_between_english_and_arabic_names(
    page, guard, live_server, lang, viewport
):
    open_map(page, live_server, f"/?date=2015-08-01&lang={lang}", viewport=viewport)
    gaps = [g for g in page.evaluate(GROUP_GAPS) if g["sameLine"]]
    assert gaps, "a crossing's two names share a line"
    for g in gaps:
        assert g["gap"] >= 3, g
    guard.assert_clean()


# Each word of each column title: on how many lines, and whether it stays inside its cell's
# content box (a word that cannot break may spill into the padding, which scrollWidth misses).
HEADER_WORDS = """() => {
    const out = [];
    for (const th of document.querySelectorAll('#state-table thead th')) {
        if (!th.getClientRects().length) continue;
        const box = th.getBoundingClientRect(), style = getComputedStyle(th);
        const left = box.left + parseFloat(style.paddingLeft) - 0.5;
        const right = box.right - parseFloat(style.paddingRight) + 0.5;
        const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
        for (let node; (node = walker.nextNode());) {
            for (const m of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const rects = [...range.getClientRects()];
                out.push({word: m[0], lines: new Set(rects.map((r) => Math.round(r.top))).size,
                          inside: rects.every((r) => r.left >= left && r.right <= right)});
            }
        }
    }
    const table = document.getElementById('state-table');
    const panel = table.closest('.panel').getBoundingClientRect();
    const t = table.getBoundingClientRect();
    return {words: out, inside: t.left >= panel.left - 0.5 && t.right <= panel.right + 0.5,
            scroll: table.scrollWidth <= table.clientWidth};
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(
    "viewport",
    [DESKTOP, {"width": 1440, "height": 900}, PHONE],
    ids=["1366", "1440", "390"],
)
def test_column_titles_never_break_inside_a_word(page, guard, live_server, lang, viewport):
    open_map(page, live_server, f"/?date=2015-08-01&lang={lang}", viewport=viewport)
    found = page.evaluate(HEADER_WORDS)
    assert found["words"]
    for w in found["words"]:
        assert w["lines"] == 1 and w["inside"], w
    assert found["inside"] and found["scroll"], found
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    guard.assert_clean()
