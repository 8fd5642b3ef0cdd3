"""The timeline of every crossing: lanes by crossing, the site chart's rules, pages."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from app.core import bounds, timeline_chart
from app.core.svg_timeline import Bar, Tick, Tracks
from app.core.timeline_chart import Lane

HI = dt.date(2026, 1, 1)
#: The challenger's colour, which no bar, status or key uses: only the stripe draws it.
CHALLENGER = "#ee7733"


def _lanes(challenger: str | None = CHALLENGER) -> list[Lane]:
    albukamal = Tracks(
        control=[
            Bar(None, bounds.parse("2014-06"), "FSA", "#332288", challenger_colour=challenger),
            Bar(bounds.parse("2014-06"), bounds.parse("2024-12-07/2024-12-31"), "ISIS", "#000000"),
            Bar(bounds.parse("2024-12-07/2024-12-31"), None, "Syria (transitional)", "#882255"),
        ],
        status=[Bar(dt.date(2012, 1, 1), dt.date(2019, 9, 30), "closed", "#5e3c99")],
        events=[Tick(dt.date(2014, 6, 10), "Fall of Mosul")],
    )
    qaim = Tracks(control=[Bar(dt.date(2017, 11, 3), None, "Iraqi gov.", "#88CCEE")])
    return [
        Lane("Albukamal – al-Qa'im", "Albukamal", albukamal),
        Lane("Albukamal – al-Qa'im", "al-Qa'im", qaim),
        Lane("Other sites", "Akashat", Tracks()),
    ]


def texts(svg: bytes) -> list[str]:
    return [t.strip() for t in re.findall(r"<!-- (.*?) -->", svg.decode(), re.S)]


@pytest.fixture(scope="module")
def svg() -> bytes:
    return timeline_chart.render(_lanes(), "svg", hi=HI, footer="Revision 3 · link")


def test_lanes_grouped_by_crossing_with_years_legend_and_footer(svg):
    shown = texts(svg)
    assert (
        shown.index("Albukamal – al-Qa'im")
        < shown.index("Albukamal")
        < shown.index("al-Qa'im")
        < shown.index("Other sites")
        < shown.index("Akashat")
    )
    assert {str(y) for y in range(2011, 2027)} <= set(shown)
    assert {
        "FSA",
        "ISIS",
        "Syria (transitional)",
        "Iraqi gov.",
        "closed",
        "unknown",
        "date window",
        "event",
    } <= set(shown)
    assert "Revision 3 · link" in shown
    assert "1 Jan 2011 – 1 Jan 2026" in shown


def test_windows_are_hatched_and_colours_come_from_the_bars(svg):
    text = svg.decode().lower()
    assert 'id="h' in text  # Matplotlib's hatch patterns
    for colour in ("#332288", "#000000", "#882255", "#88ccee", "#5e3c99"):
        assert colour in text


def test_a_contest_is_a_stripe_in_the_challengers_colour(svg):
    stripe = re.findall(r"fill: (#[0-9a-f]{6}); stroke: #ffffff", svg.decode())
    assert CHALLENGER in stripe
    assert "top stripe: contested (challenger's colour)" in texts(svg)
    uncontested = timeline_chart.render(_lanes(None), "svg", hi=HI).decode()
    assert CHALLENGER not in uncontested


def test_svg_repeats_byte_for_byte(svg):
    assert timeline_chart.render(_lanes(), "svg", hi=HI, footer="Revision 3 · link") == svg


def test_from_to_narrows_the_axis():
    shown = texts(timeline_chart.render(_lanes(), "svg", dt.date(2014, 1, 1), dt.date(2016, 6, 1)))
    assert {"2014", "2015", "2016"} <= set(shown) and "2013" not in shown and "2017" not in shown


def test_pdf_is_a4_landscape_one_page_per_fourteen_sites():
    lanes = _lanes() * 10  # 30 sites
    reader = PdfReader(io.BytesIO(timeline_chart.render(lanes, "pdf", hi=HI)))
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 in points


def test_png_width():
    png = timeline_chart.render(_lanes(), "png", hi=HI, width=1000)
    assert Image.open(io.BytesIO(png)).size[0] == 1000


def test_too_many_sites_for_one_image():
    with pytest.raises(ValueError, match="PDF"):
        timeline_chart.render(_lanes() * 41, "svg", hi=HI)


def test_arabic_words_dates_and_text_from_the_right():
    words = {
        "Control of the Syria–Iraq border crossings": "السيطرة على المنافذ الحدودية",
        "date window": "نافذة تواريخ",
        "closed": "مغلق",
    }
    arabic = timeline_chart.render(
        _lanes(),
        "svg",
        hi=HI,
        words=words,
        date_words=bounds.date_words("ar"),
        rtl=True,
    )
    shown = texts(arabic)
    assert {"السيطرة على المنافذ الحدودية", "نافذة تواريخ", "مغلق"} <= set(shown)
    assert "1 كانون الثاني 2011 – 1 كانون الثاني 2026" in shown
    assert "event" in shown  # a phrase without a translation stays English
    assert "Control of the Syria–Iraq border crossings" not in shown
    # The title starts at the right edge; the English one at the left.
    english = timeline_chart.render(_lanes(), "svg", hi=HI)
    width = _svg_width(arabic)
    assert _text_x(arabic, "السيطرة على المنافذ الحدودية") > 0.5 * width  # ends at the right
    assert _text_x(english, "Control of the Syria–Iraq border crossings") < 0.2 * width


def _text_x(svg: bytes, text: str) -> float:
    """Where a text is drawn: the translate x of the glyphs after its comment."""
    after = svg.decode().split(f"<!-- {text} -->", 1)[1]
    return float(re.search(r"translate\(([\d.]+)", after).group(1))


def _svg_width(svg: bytes) -> float:
    return float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg.decode()).group(1))


def test_an_event_known_only_to_a_year_is_drawn_over_the_year_not_on_1_january():
    def lane(event):
        return [Lane("Other sites", "al-Tanf zone", Tracks(events=[event]))]

    yearly = timeline_chart.render(lane(Tick(bounds.parse("2016"), "55 km zone")), "svg", hi=HI)
    daily = timeline_chart.render(lane(Tick(dt.date(2016, 3, 4), "NSA")), "svg", hi=HI)
    assert b'id="event-window' in yearly
    assert b'id="event-window' not in daily
