"""/maps/<date>.svg|png|pdf, /timeline.*, /maps/animation.*: the seeded record as pictures."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from babel.messages.pofile import read_po
from PIL import Image
from pypdf import PdfReader

from app.core import animation, static_map
from app.db import queries
from app.db.models import Site
from app.extensions import db
from app.web import pictures
from tests.conftest import ROOT

CATALOGUE = ROOT / "app" / "translations" / "ar" / "LC_MESSAGES" / "messages.po"
LIVE_LEGEND = ROOT / "app" / "templates" / "_map_legend.html"

# A handover in a window of days (Albukamal, Dec 2024), contests (mid-2014) and sites
# with no record yet (2012): which answers these dates hold is checked from the data.
DATES = ("2024-12-15", "2014-07-01", "2012-06-01")


def texts(body: bytes) -> list[str]:
    return [t.strip() for t in re.findall(r"<!-- (.*?) -->", body.decode(), re.S)]


def _state(app, iso: str) -> list[dict]:
    with app.app_context():
        return queries.state_at(dt.date.fromisoformat(iso))


def _shorts(app) -> dict[str, str]:
    with app.app_context():
        return queries.actor_short_names()


def test_the_dates_cover_a_handover_a_contest_and_an_unknown_site(seeded):
    rows = [r for iso in DATES for r in _state(seeded, iso) if r["tracked"]]
    assert any(r["transition"] for r in rows)
    assert any(r["contested"] for r in rows)
    assert any(not r["controller"] and not r["transition"] for r in rows)


@pytest.mark.parametrize("iso", DATES)
def test_svg_names_every_site_its_actors_the_date_and_the_sources(seeded, iso):
    response = seeded.test_client().get(f"/maps/{iso}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    shown = texts(response.data)
    rows, shorts = _state(seeded, iso), _shorts(seeded)
    for row in rows:
        assert row["name"] in shown
        for slug in (
            row["controller"],
            row["challenger"],
            *((row["transition"] or {}).get("candidates") or ()),
        ):
            if slug:
                assert shorts[slug] in shown
    assert static_map.long_date(dt.date.fromisoformat(iso)) in shown
    footer = next(t for t in shown if t.startswith("Revision"))
    # As many as "Cite this view" lists for the day: control's and status's sources.
    cite = seeded.test_client().get(f"/cite?date={iso}").get_data(as_text=True)
    cited = set(
        re.findall(r'<span class="ref">\[([^]]+)\]</span>', cite.split('id="cite-sources-h"')[1])
    )
    assert footer.endswith(f"Sources: {len(cited)}")
    assert f"http://localhost/?date={iso}" in shown
    assert static_map.ATTRIBUTION in shown


def test_svg_is_byte_identical_and_cached(seeded):
    client = seeded.test_client()
    first = client.get("/maps/2024-12-15.svg")
    assert client.get("/maps/2024-12-15.svg").data == first.data
    again = client.get("/maps/2024-12-15.svg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    # The second answer above came from the cache: drawing anew, twice, gives the same bytes.
    day = dt.date(2024, 12, 15)
    with seeded.test_request_context("/maps/2024-12-15.svg"):
        redrawn = [pictures.map_bytes(day, "svg", link=pictures.permalink(day)) for _ in "ab"]
    assert redrawn[0] == redrawn[1] == first.data


def test_a_write_to_the_record_renews_the_map(seeded):
    client = seeded.test_client()
    before = next(t for t in texts(client.get("/maps/2024-12-15.svg").data) if "Revision" in t)
    with seeded.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "al-tanf"))
        site.name = "al-Tanf (renamed)"
        db.session.commit()
    shown = texts(client.get("/maps/2024-12-15.svg").data)
    assert "al-Tanf (renamed)" in shown and "al-Tanf" not in shown
    # A write outside the editor makes no revision: the record's revision is the same.
    assert next(t for t in shown if "Revision" in t) == before


def test_the_footer_names_the_revision_a_citation_names(seeded):
    """The number under the map is the `rev` of "Cite this view": put in a link, it reopens
    the record the picture shows (a data version counter would open another state)."""
    client = seeded.test_client()
    cite = client.get("/cite?date=2024-12-15").get_data(as_text=True)
    rev = re.search(r"rev=(\d+)", cite)[1]
    footer = next(t for t in texts(client.get("/maps/2024-12-15.svg").data) if "Revision" in t)
    assert footer.startswith(f"Revision {rev} (")
    earlier = int(rev) - 1
    pinned = texts(client.get(f"/maps/2024-12-15.svg?rev={earlier}").data)
    assert next(t for t in pinned if "Revision" in t).startswith(f"Revision {earlier} (")


def test_permalink_uses_public_url(seeded):
    seeded.config["PUBLIC_URL"] = "https://atlas.example.org"
    shown = texts(seeded.test_client().get("/maps/2024-12-15.svg").data)
    assert "https://atlas.example.org/?date=2024-12-15" in shown


def test_arabic_map(seeded):
    shown = texts(seeded.test_client().get("/maps/2024-12-15.svg?lang=ar").data)
    assert "البوكمال" in shown and "15 كانون الأول 2024" in shown
    # The glossary's word for a crossing (README, For translators), and no English credit.
    assert "من سيطر على المنافذ الحدودية بين سوريا والعراق" in shown
    assert static_map.ATTRIBUTION not in shown and any(t.startswith("الحدود: ") for t in shown)


def test_arabic_map_says_what_the_live_map_says(seeded):
    """One vocabulary: the static map's words are the catalogue's, on the live map's msgids."""
    legend = LIVE_LEGEND.read_text(encoding="utf-8")
    for shared in ("Changing hands (date window)", "Not tracked for control", "Contested"):
        assert f"_('{shared}')" in legend and shared in static_map.WORDS
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    shown = texts(seeded.test_client().get("/maps/2024-12-15.svg?lang=ar").data)
    for message in static_map.WORDS:
        arabic = catalogue[message].string
        assert arabic and not catalogue[message].fuzzy, message
        if "{" not in message:
            assert arabic in shown, (message, arabic)


@pytest.mark.parametrize("iso", DATES)
@pytest.mark.parametrize(
    ("query", "size"),
    [
        ("", (1200, 900)),
        ("?scale=2", (2400, 1800)),
        ("?w=640", (640, 480)),
        ("?w=500&scale=2", (1000, 750)),
    ],
)
def test_png_sizes(seeded, iso, query, size):
    response = seeded.test_client().get(f"/maps/{iso}.png{query}")
    assert response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == size


@pytest.mark.parametrize("iso", DATES)
def test_pdf_has_one_page(seeded, iso):
    response = seeded.test_client().get(f"/maps/{iso}.pdf")
    assert response.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1


BAD_PARAMETERS = [
    ("/maps/2024-02-30.svg", "date"),
    ("/maps/yesterday.png", "date"),
    ("/maps/2010-12-31.svg", "date"),
    ("/maps/2999-01-01.pdf", "date"),
    ("/maps/2024-12-15.png?w=399", "w"),
    ("/maps/2024-12-15.png?w=4001", "w"),
    ("/maps/2024-12-15.png?w=1e3", "w"),
    ("/maps/2024-12-15.png?scale=3", "scale"),
    ("/maps/2024-12-15.svg?lang=fr", "lang"),
    ("/maps/2024-12-15.svg?w=800", "w"),
    ("/timeline.svg?from=2016-01-01&to=2015-01-01", "to"),
    ("/timeline.pdf?from=2016-13-01", "from"),
    ("/timeline.svg?lang=fr", "lang"),
    ("/maps/animation.gif?step=week", "step"),
    ("/maps/animation.gif?step=month", "to"),
    ("/maps/animation.gif?w=2000", "w"),
    # An empty value is no value: refused by its rule, not read as the default.
    ("/maps/at.svg?date=", "date"),
    ("/maps/2024-12-15.png?w=", "w"),
    ("/maps/2024-12-15.png?scale=", "scale"),
    ("/maps/2024-12-15.svg?lang=", "lang"),
    ("/timeline.svg?from=", "from"),
    ("/timeline.svg?to=", "to"),
    ("/maps/animation.gif?step=", "step"),
]


@pytest.mark.parametrize(("url", "name"), BAD_PARAMETERS)
def test_bad_parameters_are_refused_by_name(seeded, url, name):
    response = seeded.test_client().get(url)
    assert response.status_code == 400
    assert f"parameter &#39;{name}&#39;" in response.text or f"parameter '{name}'" in response.text


@pytest.mark.parametrize(("url", "name"), BAD_PARAMETERS)
def test_bad_parameters_are_refused_in_the_readers_language(seeded, url, name):
    response = seeded.test_client().get(url, headers={"Accept-Language": "ar"})
    assert response.status_code == 400
    said = html.unescape(response.text)
    main = said.split("<main", 1)[-1]
    assert "معامل" in main and f"'{name}'" in main and "parameter" not in main


def test_dated_link_redirects_to_the_dated_map(seeded):
    response = seeded.test_client().get("/maps/at.png?date=2024-12-15&scale=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/maps/2024-12-15.png?scale=2"


def test_timeline_lists_every_site_by_crossing(seeded, seed_data):
    response = seeded.test_client().get("/timeline.svg")
    assert response.status_code == 200
    shown = texts(response.data)
    crossings = {c["slug"]: c["name"] for c in seed_data["crossings"]}
    for site in seed_data["sites"]:
        assert site["name"] in shown
        if site.get("crossing"):
            assert shown.index(crossings[site["crossing"]]) < shown.index(site["name"])
    assert "2011" in shown
    assert any(t.startswith("Border Control Atlas · Revision") for t in shown)


def test_timeline_pdf_is_a4_landscape(seeded, seed_data):
    response = seeded.test_client().get("/timeline.pdf?from=2014-01-01&to=2018-01-01")
    reader = PdfReader(io.BytesIO(response.data))
    pages = -(-len(seed_data["sites"]) // 14)
    assert len(reader.pages) == pages
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_animation_has_one_frame_per_change(seeded):
    client = seeded.test_client()
    response = client.get("/maps/animation.gif?from=2024-11-01&to=2025-01-31&w=400")
    assert response.mimetype == "image/gif"
    with seeded.app_context():
        days = pictures.animation_days(dt.date(2024, 11, 1), dt.date(2025, 1, 31), "change")
    assert len(days) > 1
    assert Image.open(io.BytesIO(response.data)).n_frames == len(days)


def test_monthly_animation(seeded):
    response = seeded.test_client().get(
        "/maps/animation.webp?from=2024-10-15&to=2025-01-01&step=month&w=400"
    )
    assert response.mimetype == "image/webp"
    assert Image.open(io.BytesIO(response.data)).n_frames == 4  # 15 Oct, 1 Nov, 1 Dec, 1 Jan


def test_mp4(seeded, tmp_path):
    import imageio_ffmpeg

    response = seeded.test_client().get("/maps/animation.mp4?from=2024-11-01&to=2025-01-31&w=400")
    assert response.mimetype == "video/mp4"
    assert response.data[4:8] == b"ftyp"
    movie = tmp_path / "animation.mp4"
    movie.write_bytes(response.data)
    with seeded.app_context():
        days = pictures.animation_days(dt.date(2024, 11, 1), dt.date(2025, 1, 31), "change")
    # One frame a day, the last held for LAST_FRAME_MS (repeated, at one frame per FRAME_MS).
    held = round(animation.LAST_FRAME_MS / animation.FRAME_MS)
    assert imageio_ffmpeg.count_frames_and_secs(str(movie))[0] == len(days) - 1 + held


def test_download_links_partial(seeded):
    from flask import render_template_string

    with seeded.test_request_context("/"):
        html = render_template_string(
            '{% include "_map_downloads.html" %}', day=dt.date(2024, 12, 15)
        )
    for url in (
        "/maps/at.svg?date=2024-12-15",
        "/maps/at.png?date=2024-12-15",
        "/maps/at.pdf?date=2024-12-15",
        "/timeline.pdf",
        "/maps/animation.gif",
    ):
        assert f'href="{url}"' in html


def test_the_map_page_offers_the_dated_downloads(seeded):
    page = seeded.test_client().get("/?date=2024-12-15").get_data(as_text=True)
    assert "Download this map" in page
    assert 'href="/maps/at.svg?date=2024-12-15"' in page


@pytest.mark.parametrize(
    "url", ["/maps/2024-12-15.svg", "/timeline.svg", "/timeline.pdf", "/maps/animation.gif"]
)
def test_an_empty_record_still_draws(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("fmt", "limit"), [("svg", "MAX_LANES"), ("pdf", "MAX_PDF_LANES")])
def test_timeline_refuses_more_sites_than_fit(seeded, monkeypatch, fmt, limit):
    from app.core import timeline_chart

    monkeypatch.setattr(timeline_chart, limit, 3)
    response = seeded.test_client().get(f"/timeline.{fmt}")
    assert response.status_code == 400
    assert "format &#39;" + fmt in response.text


def test_arabic_timeline(seeded, seed_data):
    response = seeded.test_client().get("/timeline.svg?lang=ar")
    assert response.status_code == 200
    assert "border-control-timeline-ar.svg" in response.headers["Content-Disposition"]
    shown = texts(response.data)
    assert "السيطرة على المنافذ الحدودية بين سوريا والعراق" in shown
    crossings = {c["slug"]: c.get("name_ar") or c["name"] for c in seed_data["crossings"]}
    for site in seed_data["sites"]:
        name = site.get("name_ar") or site["name"]
        assert name in shown
        if site.get("crossing"):
            assert shown.index(crossings[site["crossing"]]) < shown.index(name)
    for english in ("open", "closed", "unknown", "date window", "event", "Other sites"):
        assert english not in shown
    assert any(t.startswith("أطلس السيطرة على المنافذ الحدودية · المراجعة") for t in shown)


def test_the_map_pages_pictures_come_in_its_language(seeded):
    """The map page's picture links carry the interface's language (a picture's address
    names its language), and offer the map in the other one."""
    client = seeded.test_client()
    english = client.get("/?date=2024-12-15&lang=en").get_data(as_text=True)
    arabic = client.get("/?date=2024-12-15&lang=ar").get_data(as_text=True)
    links = re.compile(r'href="(/(?:maps|timeline)[^"]*)"')
    assert all("lang=" not in u or "lang=ar" in u for u in links.findall(english))
    assert sum("lang=ar" in u for u in links.findall(english)) == 1  # the Arabic SVG
    in_arabic = [html.unescape(u) for u in links.findall(arabic)]
    assert [u for u in in_arabic if "lang=ar" not in u] == ["/maps/at.svg?date=2024-12-15&lang=en"]
    assert "/timeline.pdf?lang=ar" in in_arabic and "/maps/animation.gif?lang=ar" in in_arabic
