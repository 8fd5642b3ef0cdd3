"""The OGC items table on a phone (and any screen narrower than the table): wide, in its
own scroll box, but no column squeezed to its longest word. An id, slug, date or kind stays
on one line (it was broken a letter per line, making every row hundreds of pixels tall), a
feature without long text is one line tall, and text wraps in a readable column."""

from __future__ import annotations

import pytest

PHONES = pytest.mark.parametrize("width", [390, 320])
#: Columns whose values are keys: identifiers, codes, dates, words from a list.
KEYS = {
    "id", "slug", "site", "actor", "controller", "crossing", "country", "kind", "status",
    "confidence", "date", "start", "end", "since", "period_id", "last_verified",
}  # fmt: skip
#: Columns of running text.
TEXT = {"note", "sources", "title", "description", "name", "controller_name", "site_name"}

MEASURE = """() => {
  const heads = [...document.querySelectorAll('.table-wrap thead th')].map(t => t.textContent);
  const rows = [...document.querySelectorAll('.table-wrap tbody tr')];
  const line = parseFloat(getComputedStyle(rows[0].cells[0]).lineHeight);
  const textHeight = cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    return range.getBoundingClientRect().height;
  };
  return {
    line,
    rows: rows.map(r => ({
      height: r.getBoundingClientRect().height,
      cells: [...r.cells].map((c, i) => ({
        column: heads[i], text: c.textContent,
        width: c.getBoundingClientRect().width, textHeight: textHeight(c),
      })),
    })),
    pageWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    rem: parseFloat(getComputedStyle(document.documentElement).fontSize),
  };
}"""


def _measure(page, live_server, path: str, width: int) -> dict:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server}{path}")
    got = page.evaluate(MEASURE)
    assert got["rows"], path
    # The table scrolls in its own box; the page does not.
    assert got["pageWidth"] <= got["viewport"], got["pageWidth"]
    return got


PATHS = [
    "/ogc/collections/sites/items?f=html",
    "/ogc/collections/periods/items?f=html&limit=20",
    "/ogc/collections/events/items?f=html&limit=20",
]


@PHONES
@pytest.mark.parametrize("path", PATHS)
def test_keys_stay_on_one_line_and_text_columns_are_readable(page, live_server, path, width):
    got = _measure(page, live_server, path, width)
    line = got["line"]
    for row in got["rows"]:
        for cell in row["cells"]:
            if cell["column"] in KEYS and cell["text"]:
                assert cell["textHeight"] <= line * 1.5, cell
            if cell["column"] in TEXT and len(cell["text"]) > 40:
                assert cell["width"] >= 12 * got["rem"], cell


@PHONES
def test_a_site_without_long_text_is_one_line_tall(page, live_server, guard, width):
    got = _measure(page, live_server, "/ogc/collections/sites/items?f=html", width)
    short = [r for r in got["rows"] if all(len(c["text"]) <= 40 for c in r["cells"])]
    assert short, "the seed has a site whose values are all short"
    for row in short:
        assert row["height"] <= got["line"] * 2, row
    guard.assert_clean()
