"""Static maps: marks as on the live map, texts, determinism, sizes, pages, Arabic."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import subprocess
import sys

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from app.core import map_marks, static_map

DAY = dt.date(2024, 12, 15)
ACTORS = [
    {"slug": "sdf", "name": "SDF", "name_ar": "قسد", "short": "SDF", "colour": "#F0E442"},
    {
        "slug": "gov",
        "name": "Government",
        "name_ar": "الحكومة",
        "short": "Gov.",
        "colour": "#882255",
    },
    {
        "slug": "isis",
        "name": "Islamic State",
        "name_ar": "داعش",
        "short": "ISIS",
        "colour": "#000000",
    },
    {"slug": "unused", "name": "Never shown", "name_ar": "", "short": "", "colour": "#123456"},
]


def _square(x0, y0, x1, y1):
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


LAYERS = {
    "countries": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"iso_a2": "SY", "name": "Syria"},
                "geometry": {"type": "Polygon", "coordinates": _square(36, 32, 40.5, 37.5)},
            },
            {
                "type": "Feature",
                "properties": {"iso_a2": "IQ", "name": "Iraq"},
                "geometry": {"type": "Polygon", "coordinates": _square(40.5, 32, 45, 37.5)},
            },
        ],
    },
    "border": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": [[40.5, 32], [40.5, 37.5]]},
            }
        ],
    },
    "zone": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": _square(38.4, 33.3, 38.8, 33.7)},
            }
        ],
    },
}


def _row(slug, name, lon, lat, **extra):
    row = {
        "slug": slug,
        "name": name,
        "name_ar": extra.pop("name_ar", ""),
        "country": "SY",
        "lon": lon,
        "lat": lat,
        "tracked": True,
        "controller": None,
        "transition": None,
        "contested": False,
        "challenger": None,
        "uncertain": False,
        "status": "open",
        "sources": [],
    }
    row.update(extra)
    return row


ROWS = [
    _row(
        "held",
        "Held Post",
        39.0,
        36.0,
        controller="gov",
        name_ar="المخفر",
        sources=[{"ref": "S1"}, {"ref": "S2"}],
    ),
    _row(
        "handover",
        "Handover Town",
        40.9,
        34.5,
        country="IQ",
        status="closed",
        transition={
            "from": "sdf",
            "to": "gov",
            "candidates": ["sdf", "gov"],
            "colours": ["#F0E442", "#882255"],
        },
        sources=[{"ref": "S2"}, {"ref": "S3"}],
    ),
    _row(
        "fought",
        "Fought Over",
        42.0,
        36.5,
        controller="sdf",
        contested=True,
        challenger="isis",
        status="restricted",
        sources=[{"ref": "S3"}],
    ),
    _row("blank", "Nobody Knows", 39.5, 33.0, status="unknown"),
    _row("zone", "Context Zone", 38.6, 33.5, tracked=False, status="unknown"),
]


def spec(lang="en", rows=ROWS):
    return static_map.MapInput(
        DAY, rows, ACTORS, LAYERS, "42 (2026-11-01)", "https://atlas.example/?date=2024-12-15", lang
    )


def texts(svg: bytes) -> list[str]:
    """Matplotlib writes each drawn text as an SVG comment before its glyphs."""
    return [t.strip() for t in re.findall(r"<!-- (.*?) -->", svg.decode(), re.S)]


@pytest.fixture(scope="module")
def svg() -> bytes:
    return static_map.render(spec(), "svg")


def test_svg_has_title_date_labels_legend_and_footer(svg):
    shown = texts(svg)
    assert "Who controlled the Syria–Iraq border crossings" in shown
    assert "15 December 2024" in shown
    for name in ("Held Post", "Handover Town", "Fought Over", "Nobody Knows", "Context Zone"):
        assert name in shown
    # Legend: the actors of the answers shown (holder, handover sides, challenger) only.
    assert {"SDF", "Gov.", "ISIS"} <= set(shown) and "Never shown" not in shown
    for key in (
        "Unknown (no record)",
        "Changing hands (date window)",
        "Contested",
        "Not tracked for control",
        "Open",
        "Closed",
        "Restricted",
    ):
        assert key in shown
    assert "Revision 42 (2026-11-01) · Sources: 3" in shown
    assert "https://atlas.example/?date=2024-12-15" in shown
    assert static_map.ATTRIBUTION in shown
    assert "N" in shown and "0" in shown and any(t.endswith(" km") for t in shown)


def test_svg_repeats_byte_for_byte(svg):
    assert static_map.render(spec(), "svg") == svg


def test_marks_follow_the_live_map(svg):
    text = svg.decode().lower()
    # Both sides of the handover and the challenger's ring are drawn in their colours.
    for colour in ("#f0e442", "#882255", "#000000"):
        assert f"fill: {colour}" in text or f"stroke: {colour}" in text
    assert "stroke-dasharray" in text  # uncertain (handover, unknown) outlines are dashed


def test_looks_of_each_kind_of_answer():
    canvas_look = static_map._Canvas.__dict__["_look"]

    class Fake:
        colours = {a["slug"]: static_map.safe_colour(a["colour"]) for a in ACTORS}
        _ring = static_map._Canvas.__dict__["_ring"]

    held, handover, fought, blank, zone = (canvas_look(Fake(), r) for r in ROWS)
    assert held == {"status": "open", "fills": ["#882255"], "dashed": False, "ring": None}
    assert handover["fills"] == ["#F0E442", "#882255"] and handover["dashed"]
    assert handover["ring"] is None
    # A window whose candidates are contested keeps its ring (timeline.window_marks).
    fought_window = dict(ROWS[1], contested=True, challenger=None)
    assert canvas_look(Fake(), fought_window)["ring"] == static_map.NO_CHALLENGER
    assert fought["ring"] == "#000000" and fought["status"] == "restricted"
    assert blank["gap"] and blank["fills"] == []
    assert zone["untracked"]
    unknown_before = dict(ROWS[1], transition={**ROWS[1]["transition"], "from": None})
    assert canvas_look(Fake(), unknown_before)["fills"] == [None, "#F0E442", "#882255"]


@pytest.mark.parametrize(
    ("width", "scale", "size"),
    [
        (1200, 1, (1200, 900)),
        (1200, 2, (2400, 1800)),
        (400, 1, (400, 300)),
        (800, 2, (1600, 1200)),
    ],
)
def test_png_size(width, scale, size):
    png = static_map.render(spec(), "png", width, scale)
    assert Image.open(io.BytesIO(png)).size == size


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_animation_frames_are_the_figure_drawn_whole(lang):
    """Frames copy the parts drawn once: the same pixels, nothing left of the frame before."""
    later = [dict(ROWS[0], controller="isis", name="Taken Post"), *ROWS[3:]]
    frames = [
        static_map.Frame(DAY, ROWS, "https://atlas.example/?date=2024-12-15"),
        static_map.Frame(DAY + dt.timedelta(days=40), later),
        static_map.Frame(DAY + dt.timedelta(days=90), ROWS[1:3]),
    ]
    images = static_map.render_frames(spec(lang), frames, 800)
    legend = static_map._legend_actors(ACTORS, [f.rows for f in frames])
    with static_map.drawing():
        whole = static_map._Canvas(spec(lang), 800 / static_map.FIG_W, legend)
        for frame, image in zip(frames, images, strict=True):
            whole.draw_frame(frame.day, frame.rows, frame.permalink, big_date=True)
            drawn = Image.open(io.BytesIO(whole.save("png"))).convert("RGB")
            assert image.size == drawn.size == (800, 600)
            assert image.tobytes() == drawn.tobytes(), frame.day


@pytest.mark.parametrize("width", [399, 4001])
def test_width_is_bounded(width):
    with pytest.raises(ValueError, match="width"):
        static_map.render(spec(), "png", width)


def test_pdf_is_one_page():
    assert len(PdfReader(io.BytesIO(static_map.render(spec(), "pdf"))).pages) == 1


def _glyph_names(svg: bytes, text: str) -> list[str]:
    """The glyphs Matplotlib drew for one text, left to right, by their font names."""
    font = TTFont(os.path.join(matplotlib.get_data_path(), "fonts/ttf/DejaVuSans.ttf"))
    order = font.getGlyphOrder()
    body = svg.decode()
    start = body.index(f"<!-- {text} -->")
    group = body[start : body.index("</g>", start)]
    return [order[int(h, 16)] for h in re.findall(r'xlink:href="#DejaVuSans-([0-9a-f]+)"', group)]


def test_arabic_is_joined_and_right_to_left():
    svg = static_map.render(spec("ar"), "svg")
    shown = texts(svg)
    assert "المخفر" in shown and "15 كانون الأول 2024" in shown and "الحكومة" in shown
    # المخفر drawn right to left in joined forms: from the left, final reh, medial feh,
    # medial khah, medial meem, initial lam, and the alef (which never joins onward).
    assert _glyph_names(svg, "المخفر") == [
        "uniFEAE",
        "uniFED4",
        "uniFEA8",
        "uniFEE4",
        "uniFEDF",
        "uni0627",
    ]


def test_words_come_from_the_caller_else_english():
    words = {"Contested": "متنازع عليه", "Revision {v}": "المراجعة {v}"}
    shown = texts(static_map.render(dataclasses.replace(spec("ar"), words=words), "svg"))
    assert "متنازع عليه" in shown and "Contested" not in shown
    assert any(t.startswith("المراجعة 42") for t in shown)
    assert "Not tracked for control" in shown  # not given: the English msgid


def test_label_falls_back_to_english_without_an_arabic_name():
    assert "Handover Town" in texts(static_map.render(spec("ar"), "svg"))


def test_sites_sharing_a_point_stand_apart():
    twins = [
        _row("west", "West", 40.0, 34.0, country="SY"),
        _row("east", "East", 40.0, 34.0, country="IQ"),
    ]
    (dx_sy, dy_sy, side_sy), (dx_iq, _, side_iq) = map_marks.side_by_side(
        twins, [(100.0, 100.0), (100.0, 100.0)]
    )
    assert dx_sy < dx_iq and side_sy == "left" and side_iq == "right" and dy_sy == 0
    three = [*twins, _row("north", "North", 40.0, 34.1)]
    placed = map_marks.side_by_side(three, [(100.0, 100.0), (100.0, 100.0), (100.0, 104.0)])
    assert len({round(dy) for _, dy, _ in placed}) == 3


def test_source_count_counts_each_source_once():
    assert static_map.source_count(ROWS) == 3


def test_importing_the_app_draws_nothing():
    code = (
        "import sys, app; from app import create_app; "
        "print(sorted(m for m in ('matplotlib', 'PIL', 'imageio_ffmpeg') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
