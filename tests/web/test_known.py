"""`known=` / `rev=`: every reader answers from the record as it stood then, links keep the
pin, the map says it is an older state, and bad values are refused naming the parameter."""

import datetime as dt
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pyogrio
import pytest
from sqlalchemy import select

from app.core import clock
from app.db import known
from app.db.models import Actor, Revision
from app.extensions import db

LOG = "/editor/sites/al-qaim/log-control"
DAY = "2025-06-01"
READS = [
    f"/api/sites.geojson?date={DAY}",
    f"/api/sites.csv?date={DAY}",
    "/api/periods.csv",
    "/api/export.gpkg",
    f"/ogc/collections/sites/items?datetime={DAY}&f=json",
    "/feeds/sites/al-qaim.atom",
    f"/sites/al-qaim?date={DAY}",
]


def _latest(app) -> int:
    with app.app_context():
        return db.session.scalar(select(db.func.max(Revision.id)))


@pytest.fixture
def corrected(seeded, editor_client, log_control):
    """The seed, its answers before a correction, and the revision they stood at."""
    known.forget()
    before_rev = _latest(seeded)
    reader = seeded.test_client()
    before = {url: reader.get(url).get_data() for url in READS}
    log_control(seeded, editor_client, "al-qaim", "kurdistan-region", "2025-01-01")
    return seeded, reader, before_rev, before


def _same(a: bytes, b: bytes) -> bool:
    # Answers carry their own URL (self links, the pin kept in links) and OGC's timeStamp:
    # compare without them.
    if a.startswith(b'{"type":"FeatureCollection"'):
        a, b = (
            {k: v for k, v in json.loads(x).items() if k not in ("links", "timeStamp")}
            for x in (a, b)
        )
        return a == b
    if a.startswith(b"SQLite format 3"):  # a GeoPackage: its layers, not its timestamps
        return all(
            pyogrio.read_dataframe(io.BytesIO(a), layer=layer).equals(
                pyogrio.read_dataframe(io.BytesIO(b), layer=layer)
            )
            for layer in ("sites", "periods", "status", "events", "sources")
        )
    if a.startswith(b"<?xml"):
        # <updated> says when a row was written: the database's clock for today's rows, the
        # revision's for a past state's, which can fall either side of a second.
        a, b = (re.sub(rb"<updated>[^<]*</updated>", b"", x) for x in (a, b))
    if a.startswith(b"<!doctype html>"):
        a, b = (x[x.index(b'<main id="main">') :] for x in (a, b))
    strip = re.compile(rb"[?&](known|rev)=[^&\"'<\s]*|&amp;(known|rev)=[^&\"'<\s]*")
    return strip.sub(b"", a) == strip.sub(b"", b)


@pytest.mark.filterwarnings("ignore:File /vsimem/:RuntimeWarning")
@pytest.mark.parametrize("url", READS)
def test_a_pinned_read_answers_as_the_record_stood(corrected, url):
    _app, reader, rev, before = corrected
    now = reader.get(url).get_data()
    assert now != before[url], "the correction must change the current answer"
    sep = "&" if "?" in url else "?"
    pinned = reader.get(f"{url}{sep}rev={rev}")
    assert pinned.status_code == 200
    assert _same(pinned.get_data(), before[url])


def test_known_day_is_the_record_at_the_end_of_that_day(corrected):
    app, reader, rev, before = corrected
    yesterday = clock.today() - dt.timedelta(days=1)
    with app.app_context():
        db.session.execute(
            Revision.__table__.update()
            .where(Revision.id <= rev)
            .values(at=dt.datetime.combine(yesterday, dt.time(12), tzinfo=dt.UTC))
        )
        db.session.commit()
    url = READS[0]
    assert _same(reader.get(f"{url}&known={yesterday.isoformat()}").get_data(), before[url])
    page = reader.get(f"/?date={DAY}&known={yesterday.isoformat()}").get_data(as_text=True)
    assert 'class="known-banner"' in page
    # Today's state is the current record: no banner, the current answer.
    today = reader.get(f"/?date={DAY}&known={clock.today().isoformat()}").get_data(as_text=True)
    assert 'class="known-banner"' not in today
    assert reader.get(f"{url}&known={clock.today().isoformat()}").get_data() != before[url]


def test_a_pinned_page_says_so_and_its_links_keep_the_pin(corrected):
    _app, reader, rev, _before = corrected
    page = reader.get(f"/?date={DAY}&rev={rev}").get_data(as_text=True)
    assert 'class="known-banner"' in page
    assert f"revision {rev}" in page
    assert re.search(rf'href="/sites/[a-z-]+\?[^"]*rev={rev}', page) or f"rev={rev}" in page
    site = reader.get(f"/sites/al-qaim?date={DAY}&rev={rev}").get_data(as_text=True)
    assert 'class="known-banner"' in site
    current = reader.get(f"/?date={DAY}").get_data(as_text=True)
    assert 'class="known-banner"' not in current


def test_every_link_of_the_pinned_ogc_api_leads_to_the_same_state(corrected):
    """Landing page, collections, items and pages: each link a URL of its own that keeps
    `rev` (the base once carried the pin's query, with paths added after it)."""
    _app, reader, before_rev, _before = corrected
    seen, todo = set(), [f"/ogc/?rev={before_rev}&f=json"]
    while todo and len(seen) < 40:
        url = todo.pop(0)
        resp = reader.get(url)
        assert resp.status_code == 200, url
        seen.add(url)
        doc = resp.get_json()
        links = [
            *doc.get("links", []),
            *(li for c in doc.get("collections", []) for li in c["links"]),
        ]
        for link in links:
            parts = urlsplit(link["href"])
            query = parse_qs(parts.query)
            assert parts.path.startswith("/ogc") and "?" not in parts.path, link["href"]
            assert query["rev"] == [str(before_rev)], link["href"]
            own = parts.path + "?" + parts.query
            if "json" in link["type"] and own not in seen and "/api" not in parts.path:
                todo.append(own)
    assert len(seen) >= 10
    page = reader.get(f"/ogc/collections?rev={before_rev}&f=html").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="OGC API">(.*?)</nav>', page).group(1)
    hrefs = re.findall(r'href="([^"]*)"', nav)
    assert len(hrefs) >= 3 and all(f"rev={before_rev}" in h for h in hrefs)


def test_a_pinned_answer_is_cached_and_survives_later_writes(corrected, editor_client):
    app, reader, rev, before = corrected
    url = f"{READS[0]}&rev={rev}"
    first = reader.get(url)
    again = reader.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    with app.app_context():
        db.session.execute(
            Actor.__table__.update().where(Actor.slug == "isis").values(name="Renamed")
        )
        db.session.commit()
    assert reader.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    "query, name",
    [
        ("rev=abc", "rev"),
        ("rev=0", "rev"),
        ("rev=99999999", "rev"),
        ("known=2999-01-01", "known"),
        ("known=yesterday", "known"),
        ("known=2025-02-30", "known"),
        ("rev=%C2%B2", "rev"),
        ("known=" + "9" * 5000, "known"),
    ],
)
def test_bad_state_parameters_are_refused_naming_them(seeded_client, query, name):
    resp = seeded_client.get(f"/api/sites.geojson?{query}")
    assert resp.status_code == 400
    assert f"'{name}'" in resp.get_data(as_text=True)


def test_editor_pages_always_act_on_the_current_record(corrected, editor_client):
    _app, _reader, rev, _before = corrected
    page = editor_client.get(f"{LOG}?rev={rev}").get_data(as_text=True)
    assert "Kurdistan" in page  # the correction is there: forms never edit the past


@pytest.mark.parametrize("query", ["rev=abc", "known=yesterday"])
def test_the_ogc_api_refuses_a_bad_state_with_its_own_exception_code(seeded_client, query):
    """OGC clients read `code`: InvalidParameterValue, as for the API's other refusals."""
    resp = seeded_client.get(f"/ogc/collections/periods/items?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "InvalidParameterValue"
    missing = seeded_client.get("/ogc/collections/nowhere/items/x/y")
    assert missing.status_code == 404 and missing.get_json()["code"] == "NotFound"
    api = seeded_client.get(f"/api/sites.geojson?{query}")
    assert api.get_json()["code"] == "Bad Request"  # the site's own API keeps HTTP's names
