"""Issue 14, points 3 and 5: crossings as units in the table, its filter and sort, the
Downloads toolbar next to the date and the skip link."""

import pytest
from playwright.sync_api import expect

from tests.browser.mapview import VIEWPORTS, open_map

ROW_ORDER = """() => [...document.querySelectorAll('#state-table tbody tr')]
    .filter((tr) => !tr.hidden)
    .map((tr) => tr.classList.contains('group-row') ? '# ' + tr.textContent.trim().split('\\n')[0]
                                                    : tr.id.replace('row-', ''))"""


@VIEWPORTS
def test_rows_are_grouped_by_crossing_with_other_sites_below(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    order = page.evaluate(ROW_ORDER)
    tanf = next(n for n, r in enumerate(order) if r.startswith("# al-Tanf"))
    assert order[tanf + 1 : tanf + 3] == ["al-tanf", "al-waleed"]
    bukamal = next(n for n, r in enumerate(order) if r.startswith("# Albukamal"))
    assert order[bukamal + 1 : bukamal + 3] == ["albukamal", "al-qaim"]
    others = order.index("# Other sites")
    assert "akashat" in order[others:] and "al-tanf-garrison" in order[others:]
    assert all(not r.startswith("#") for r in order[others + 1 :])
    guard.assert_clean()


@VIEWPORTS
def test_the_filter_finds_both_sides_by_the_crossings_name(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    page.get_by_label("Find", exact=True).fill("Waleed")
    expect(page.locator("#row-al-tanf")).to_be_visible()
    expect(page.locator("#row-al-waleed")).to_be_visible()
    expect(page.locator("#row-akashat")).to_be_hidden()
    page.get_by_label("Find", exact=True).fill("Qaim")
    expect(page.locator("#row-albukamal")).to_be_visible()
    expect(page.locator("#row-al-qaim")).to_be_visible()
    expect(page.locator("#row-al-tanf")).to_be_hidden()
    expect(page.locator("#filter-count")).to_have_text(
        f"2 of {page.evaluate('AtlasMap.instance.data.sites.length')} sites"
    )
    guard.assert_clean()


def test_the_filter_knows_the_spellings_the_search_knows(page, guard, live_server):
    """Aliases and transliterations (app/core/search.py) reach the table's filter through
    the server's search; what the text matches as typed shows at once."""
    open_map(page, live_server)
    find = page.get_by_label("Find", exact=True)
    for text, row in (("Abu Kamal", "#row-albukamal"), ("Yaarubiyah", "#row-al-yarubiyah"),
                      ("أبو كمال", "#row-albukamal")):  # fmt: skip
        find.fill(text)
        expect(page.locator(row)).to_be_visible()
        expect(page.locator("#row-akashat")).to_be_hidden()
    find.fill("Akash")  # as typed: no wait for the server
    expect(page.locator("#row-akashat")).to_be_visible()
    expect(page.locator("#row-albukamal")).to_be_hidden()
    find.fill("zzzz")
    page.wait_for_timeout(600)
    expect(page.locator("#filter-count")).to_have_text(
        f"0 of {page.evaluate('AtlasMap.instance.data.sites.length')} sites"
    )
    guard.assert_clean()


@VIEWPORTS
def test_filter_by_actor_country_status_and_sort(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    page.get_by_label("Actor", exact=True).select_option("isis")
    visible = page.locator("#state-table tbody tr:not(.group-row):visible")
    expect(visible).to_have_count(5)
    for row in visible.all():
        expect(row.locator("td").first).to_contain_text("ISIS")
    page.get_by_label("Country", exact=True).select_option("IQ")
    for row in visible.all():
        expect(row.locator(".cc")).to_have_text("IQ")
    page.get_by_label("Actor", exact=True).select_option("")
    page.get_by_label("Country", exact=True).select_option("")
    page.get_by_label("Status", exact=True).select_option("closed")
    # Closed, or may be: al-Waleed closed by 17 Jun 2017 is "changing (unknown → closed)".
    texts = [row.locator(".status").inner_text() for row in visible.all()]
    assert "closed" in texts and all("closed" in text for text in texts), texts
    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_label("Sort", exact=True).select_option("name")
    names = page.evaluate(
        """() => [...document.querySelectorAll('#state-table tbody tr:not(.group-row)')]
        .filter((tr) => !tr.hidden).map((tr) => tr.querySelector('th a').textContent)"""
    )
    assert names == sorted(names, key=str.lower) or names == sorted(
        names, key=lambda n: n.lower().replace("-", "")
    )
    expect(page.locator("#state-table tr.group-row:visible")).to_have_count(0)
    # The filter follows the date: a new holder enters or leaves the actor filter.
    page.get_by_label("Sort", exact=True).select_option("crossing")
    expect(page.locator("#state-table tr.group-row:visible").first).to_be_visible()
    guard.assert_clean()


@VIEWPORTS
def test_downloads_sit_next_to_the_date_and_follow_it(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    date_box = page.locator("#date-form").bounding_box()
    downloads = page.locator(".downloads").bounding_box()
    assert 0 <= downloads["y"] - (date_box["y"] + date_box["height"]) < 40
    page.locator("#day-slider").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(".downloads a", has_text="CSV").first).to_have_attribute(
        "href", "/api/sites.csv?date=2015-08-02"
    )
    # "Download this map" (static pictures) follows the slider too.
    expect(page.locator(".map-downloads a", has_text="PDF").first).to_have_attribute(
        "href", "/maps/at.pdf?date=2015-08-02"
    )
    guard.assert_clean()


@VIEWPORTS
def test_skip_link_moves_focus_to_the_map(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    page.locator("#skip-to-map").focus()
    expect(page.locator("#skip-to-map")).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement === AtlasMap.instance.map.getContainer()")
    guard.assert_clean()


@VIEWPORTS
def test_the_column_titles_stay_in_view_while_the_rows_scroll(page, guard, live_server, viewport):
    """On a desktop the panel scrolls, on a phone the page: the head sticks to the top of
    whichever does, and a row brought into view is not hidden under it."""
    open_map(page, live_server, "/?date=2015-06-01", viewport=viewport)
    tops = page.evaluate(
        """() => {
            const table = document.getElementById('state-table'), head = table.tHead;
            let box = table.parentElement;
            while (box && !/auto|scroll/.test(getComputedStyle(box).overflowY)) {
                box = box.parentElement;
            }
            const scroller = box || document.scrollingElement;
            const top = () => (box ? box.getBoundingClientRect().top + box.clientTop : 0);
            scroller.scrollTop += table.getBoundingClientRect().top - top() + 300;
            const at = (el) => el.getBoundingClientRect().top - top();
            return [at(head), at(table)];
        }"""
    )
    assert tops[1] < -50, tops  # the table's top is above the view
    assert -1 <= tops[0] <= 1, tops  # its titles are not
    if viewport["width"] > 900:  # a marker's row is scrolled into the panel, below the titles
        page.locator("#row-albukamal td").first.click()
        page.keyboard.press("Escape")
        row = page.locator("#row-albukamal").bounding_box()
        head = page.locator("#state-table thead").bounding_box()
        assert row["y"] >= head["y"] + head["height"] - 1
    guard.assert_clean()


# Words of the table's visible cells laid out on more than one line ("Albukam|al").
_BROKEN_WORDS = """() => {
    const out = [], range = document.createRange();
    const walk = document.createTreeWalker(document.getElementById('state-table'), 4);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        if (!node.parentElement.offsetParent) continue;
        for (const m of node.textContent.matchAll(/\\S+/g)) {
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (lines.size > 1) out.push(m[0]);
        }
    }
    return out;
}"""


@pytest.mark.parametrize("width", [1000, 1220, 1280, 1366, 1440, 1536, 1600])
@pytest.mark.parametrize(
    "date",
    # Handover windows with long names ("… Iraqi federal government, between …"), a status
    # changing in a window ("changing (unknown → closed)"), and day ranges ("11–12 Feb").
    ["2014-07-15", "2015-06-01", "2017-11-20", "2024-12-15"],
)
def test_no_word_of_the_table_is_broken_on_a_desktop(page, guard, live_server, width, date):
    """Under 1220 px the panel is too narrow for five columns: its rows are cards of two, as
    on a phone; either way no word is split across lines, in English or Arabic, nor a range
    written without spaces ("11–12" at 1366–1600 px broke after its en dash)."""
    for lang in ("en", "ar"):
        viewport = {"width": width, "height": 800}
        open_map(page, live_server, f"/?date={date}&lang={lang}", viewport=viewport)
        columns = page.locator("#state-table thead th:visible")
        expect(columns).to_have_count(2 if width <= 1220 else 5)
        assert page.evaluate(_BROKEN_WORDS) == [], lang
    guard.assert_clean()
