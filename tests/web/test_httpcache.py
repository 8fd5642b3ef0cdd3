"""Conditional responses: ETag and Last-Modified from the data version, 304s, Cache-Control."""

import datetime as dt
import re
import uuid

import pytest
from werkzeug.http import http_date, parse_date

from app.core import clock
from app.db.models import DataVersion, Site
from app.db.session_events import data_version
from app.extensions import db
from app.web import httpcache, replay

ENDPOINTS = [
    "/api/sites.geojson?date=2015-08-01",
    "/api/periods.geojson",
    "/api/sites.csv?date=2015-08-01",
    "/api/periods.csv",
    "/api/export.gpkg?date=2015-08-01",
    "/ogc/collections/periods/items?limit=2",
]
WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


def _rename_a_site(app):
    with app.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "al-tanf"))
        site.name = "al-Tanf (renamed)"
        db.session.commit()


# etag and ok ---------------------------------------------------------------------------
def test_etag_is_stable_and_depends_on_version_time_and_query():
    tag = httpcache.etag((3, WHEN), ("sites", "2015-08-01"))
    assert re.fullmatch(r"[0-9a-f]{32}", tag)
    assert tag == httpcache.etag((3, WHEN), ("sites", "2015-08-01"))
    others = {
        httpcache.etag((4, WHEN), ("sites", "2015-08-01")),
        httpcache.etag((3, WHEN + dt.timedelta(seconds=1)), ("sites", "2015-08-01")),
        httpcache.etag((3, None), ("sites", "2015-08-01")),
        httpcache.etag((3, WHEN), ("sites", "2015-08-02")),
    }
    assert tag not in others and len(others) == 4


@pytest.mark.parametrize(
    "filename, attachment, disposition",
    [
        (None, False, None),
        ("x-2015-08-01.csv", False, 'inline; filename="x-2015-08-01.csv"'),
        ("x-2015-08-01.csv", True, 'attachment; filename="x-2015-08-01.csv"'),
    ],
)
def test_ok_builds_a_200_triple(filename, attachment, disposition):
    status, headers, body = httpcache.ok(b"a,b", "text/csv", filename, attachment)
    assert (status, body, headers["Content-Type"]) == (200, b"a,b", "text/csv")
    assert headers.get("Content-Disposition") == disposition


# respond, called directly --------------------------------------------------------------
def _key(name: str) -> tuple[str, str]:
    """A key no other test (or backend run) shares: the response cache is per process."""
    return "httpcache-test", f"{name}-{uuid.uuid4()}"


def _counting(body=b"hello", status=200):
    calls = []

    def produce():
        calls.append(1)
        return status, {"Content-Type": "text/plain"}, body

    return produce, calls


def test_respond_builds_once_per_version_and_answers_304_without_building(app):
    produce, calls = _counting()
    key = _key("once")
    with app.test_request_context("/x"):
        first = httpcache.respond(key, produce)
        tag = httpcache.etag(replay.answer_version(data_version(db.session)), key)
    assert first.status_code == 200 and first.get_data() == b"hello"
    assert first.headers["ETag"] == f'W/"{tag}"'
    assert first.headers["Vary"] == "Accept-Encoding"
    assert first.headers["Content-Type"] == "text/plain"
    with app.test_request_context("/x"):
        assert httpcache.respond(key, produce).get_data() == b"hello"
    with app.test_request_context("/x", headers={"If-None-Match": f'W/"{tag}"'}):
        not_modified = httpcache.respond(key, produce)
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    assert not_modified.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert len(calls) == 1


def test_respond_rebuilds_after_a_write(app, contract_client):
    produce, calls = _counting()
    key = _key("write")
    with app.test_request_context("/x"):
        before = httpcache.respond(key, produce).headers["ETag"]
    _rename_a_site(app)
    with app.test_request_context("/x", headers={"If-None-Match": before}):
        after = httpcache.respond(key, produce)
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert len(calls) == 2


def test_refusals_pass_through_without_validators(app):
    produce, _ = _counting(b"no such thing", 404)
    with app.test_request_context("/x"):
        resp = httpcache.respond(_key("404"), produce)
    assert resp.status_code == 404 and resp.get_data() == b"no such thing"
    assert "ETag" not in resp.headers and "Cache-Control" not in resp.headers


def test_without_a_change_the_answer_dates_from_the_start_of_today(app, monkeypatch):
    monkeypatch.setattr(httpcache, "data_version", lambda _session: (0, None))
    monkeypatch.setattr(clock, "now", lambda: WHEN)
    produce, key = _counting()[0], _key("never")
    with app.test_request_context("/x"):
        resp = httpcache.respond(key, produce)
    midnight = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    assert resp.status_code == 200 and resp.headers["Last-Modified"] == http_date(midnight)
    assert resp.headers["ETag"] == f'W/"{httpcache.etag((0, midnight), key)}"'


def test_last_modified_is_the_time_of_the_last_change(app, monkeypatch):
    monkeypatch.setattr(httpcache, "data_version", lambda _session: (7, WHEN))
    monkeypatch.setattr(clock, "now", lambda: WHEN + dt.timedelta(hours=3))
    produce, calls = _counting()
    key = _key("dated")
    with app.test_request_context("/x"):
        resp = httpcache.respond(key, produce)
    assert resp.headers["Last-Modified"] == http_date(WHEN) == "Mon, 06 May 2024 07:08:09 GMT"
    earlier = http_date(WHEN - dt.timedelta(minutes=1))
    with app.test_request_context("/x", headers={"If-Modified-Since": earlier}):
        assert httpcache.respond(key, produce).status_code == 200
    with app.test_request_context("/x", headers={"If-Modified-Since": http_date(WHEN)}):
        assert httpcache.respond(key, produce).status_code == 304
    assert len(calls) == 1


@pytest.mark.parametrize(
    "path", ["/api/sites.geojson", "/ogc/collections/sites/items/al-tanf", "/api/sites.csv"]
)
def test_an_answer_without_a_date_changes_at_midnight(contract_client, monkeypatch, path):
    """Today's answer lasts the day: al-Tanf passes to ISIS on 2015-05-21, with no write."""
    app = contract_client.application
    with app.app_context():
        db.session.execute(
            db.update(DataVersion).values(changed_at=dt.datetime(2015, 5, 1, tzinfo=dt.UTC))
        )
        db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2015, 5, 20, 23, 0, tzinfo=dt.UTC))
    evening = contract_client.get(path)
    assert evening.status_code == 200 and b"syrian-government" in evening.data
    assert contract_client.get(path).data == evening.data  # cached (and replayed) all evening
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2015, 5, 21, 1, 0, tzinfo=dt.UTC))
    night = contract_client.get(path, headers={"If-None-Match": evening.headers["ETag"]})
    assert night.status_code == 200 and night.headers["ETag"] != evening.headers["ETag"]
    assert parse_date(night.headers["Last-Modified"]) == dt.datetime(2015, 5, 21, tzinfo=dt.UTC)
    for resp in (night, contract_client.get(path)):
        assert b"isis" in resp.data and b"syrian-government" not in resp.data


def test_large_bodies_are_gzipped_once_per_version(app):
    import gzip

    body = b"x" * 5000
    produce, calls = _counting(body)
    key = _key("gzip")
    for _ in range(2):
        with app.test_request_context("/x", headers={"Accept-Encoding": "gzip"}):
            resp = httpcache.respond(key, produce)
        assert resp.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(resp.get_data()) == body
    with app.test_request_context("/x"):
        assert httpcache.respond(key, produce).get_data() == body
    assert len(calls) == 1


def test_max_age_follows_the_setting(app_variant):
    variant = app_variant(DOWNLOAD_MAX_AGE=5)
    resp = variant.test_client().get("/api/periods.geojson")
    assert resp.headers["Cache-Control"] == "public, max-age=5, must-revalidate"


# through the routes --------------------------------------------------------------------
@pytest.mark.parametrize("url", ENDPOINTS)
def test_conditional_get_answers_304_until_the_data_changes(app, contract_client, url):
    client = contract_client
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["ETag"].startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert parse_date(first.headers["Last-Modified"]) is not None
    tag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    _rename_a_site(app)
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_a_stale_or_foreign_etag_gets_the_body(contract_client):
    url = "/api/periods.geojson"
    resp = contract_client.get(url, headers={"If-None-Match": 'W/"not-the-tag"'})
    assert resp.status_code == 200 and resp.get_json()["features"]


def test_etag_differs_between_queries(contract_client):
    a = contract_client.get("/api/sites.geojson?date=2015-08-01").headers["ETag"]
    b = contract_client.get("/api/sites.geojson?date=2016-08-01").headers["ETag"]
    c = contract_client.get("/api/sites.csv?date=2015-08-01").headers["ETag"]
    assert len({a, b, c}) == 3


def test_writes_that_do_not_change_the_record_keep_the_validator(app, contract_client, make_user):
    url = "/api/periods.geojson"
    tag = contract_client.get(url).headers["ETag"]
    make_user(app, "nadia")  # accounts are not part of what the API shows
    assert contract_client.get(url, headers={"If-None-Match": tag}).status_code == 304


# byte ranges ---------------------------------------------------------------------------
RANGED = [
    "/api/export.gpkg?date=2015-08-01",
    "/api/periods.csv",
    "/api/sites.geojson?date=2015-08-01",
    "/feeds/changes.atom",
]


@pytest.mark.parametrize("url", RANGED)
def test_a_range_gets_206_with_those_bytes_of_the_plain_body(contract_client, url):
    whole = contract_client.get(url)
    assert whole.headers["Accept-Ranges"] == "bytes"
    size = len(whole.data)
    part = contract_client.get(url, headers={"Range": "bytes=10-99", "Accept-Encoding": "gzip"})
    assert part.status_code == 206
    assert part.data == whole.data[10:100]
    assert part.headers["Content-Range"] == f"bytes 10-99/{size}"
    assert part.headers["Content-Length"] == "90"
    assert "Content-Encoding" not in part.headers  # ranges of the identity body only
    assert part.headers["ETag"] == whole.headers["ETag"]
    tail = contract_client.get(url, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.data == whole.data[-16:]
    rest = contract_client.get(url, headers={"Range": f"bytes={size - 5}-"})
    assert rest.status_code == 206 and rest.data == whole.data[-5:]


def test_a_range_past_the_end_is_416_with_the_length(contract_client):
    size = len(contract_client.get("/api/periods.csv").data)
    resp = contract_client.get("/api/periods.csv", headers={"Range": f"bytes={size}-"})
    assert resp.status_code == 416
    assert resp.headers["Content-Range"] == f"bytes */{size}"
    assert "Content-Disposition" not in resp.headers


@pytest.mark.parametrize("header", ["bytes=0-4,10-14", "bytes=x-y", "lines=1-2"])
def test_several_or_unreadable_ranges_get_the_whole_body(contract_client, header):
    whole = contract_client.get("/api/periods.csv").data
    resp = contract_client.get("/api/periods.csv", headers={"Range": header})
    assert resp.status_code == 200 and resp.data == whole


def test_if_range_resumes_only_the_same_version(app, contract_client):
    url = "/api/export.gpkg?date=2015-08-01"
    whole = contract_client.get(url)
    validator = whole.headers["Last-Modified"]
    resumed = contract_client.get(url, headers={"Range": "bytes=100-", "If-Range": validator})
    assert resumed.status_code == 206 and resumed.data == whole.data[100:]
    _rename_a_site(app)
    stale = contract_client.get(
        url, headers={"Range": "bytes=100-", "If-Range": whole.headers["ETag"]}
    )
    assert stale.status_code == 200 and stale.headers["ETag"] != whole.headers["ETag"]
    assert stale.data[:16] == b"SQLite format 3\x00"


@pytest.mark.parametrize(
    "url", ["/api/export.gpkg?date=2015-08-01", "/ogc/collections/periods/items?f=json"]
)
def test_if_range_with_an_etag_gets_the_whole_body(contract_client, url):
    """If-Range compares entity tags strongly (RFC 9110 13.1.5); ours are weak (one tag for
    the plain and the gzip body), so no tag matches: the whole body, never a part."""
    whole = contract_client.get(url)
    tag = whole.headers["ETag"]
    assert tag.startswith('W/"')
    for validator in (tag, tag[2:]):  # our weak tag as sent, and the same tag as strong
        resp = contract_client.get(url, headers={"Range": "bytes=10-", "If-Range": validator})
        assert resp.status_code == 200 and resp.data == whole.data
        assert "Content-Range" not in resp.headers


def test_a_rebuilt_body_is_the_same_bytes(contract_client):
    """The cache may drop a body; made again it must be byte-identical, or a resumed
    download would join two different files."""
    from app.core.cache import responses

    url = "/api/export.gpkg?date=2015-08-01"
    first = contract_client.get(url, headers={"Accept-Encoding": "gzip"})
    responses.clear()
    again = contract_client.get(url, headers={"Accept-Encoding": "gzip"})
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]


def test_if_match_that_fails_is_412(contract_client):
    resp = contract_client.get("/api/periods.csv", headers={"If-Match": '"something-else"'})
    assert resp.status_code == 412
