"""Cached answers replayed before Flask: the same bytes, only for the same request and data."""

import gzip

import pytest
from flask import request_started

from app.db.models import Site
from app.extensions import db

SITES = "/api/sites.geojson?date=2015-08-01"
ITEMS = "/ogc/collections/periods/items?limit=2"


@pytest.fixture
def dispatched(contract_client):
    """(client, calls): `calls` lists the paths Flask itself dispatched."""
    calls: list[str] = []
    app = contract_client.application

    def note(_sender, **_extra):
        from flask import request

        calls.append(request.full_path)

    request_started.connect(note, app)
    yield contract_client, calls
    request_started.disconnect(note, app)


def _wire(resp):
    return resp.status, sorted(resp.headers.items()), resp.get_data()


def test_a_repeated_request_is_answered_with_the_first_answers_bytes(dispatched):
    client, calls = dispatched
    first = client.get(SITES)
    again = client.get(SITES)
    assert first.status_code == 200 and first.is_json
    assert _wire(again) == _wire(first)
    assert len(calls) == 1, "the second answer was replayed without Flask"


def test_a_write_through_another_server_is_seen_on_the_next_request(dispatched, app_variant):
    client, calls = dispatched
    before = client.get(SITES).get_data(as_text=True)
    other = app_variant()  # a second server on the same database
    with other.app_context():
        site = db.session.scalars(db.select(Site).order_by(Site.id)).first()
        site.name = "Renamed through the other server"
        db.session.commit()
    after = client.get(SITES)
    assert "Renamed through the other server" not in before
    assert "Renamed through the other server" in after.get_data(as_text=True)
    assert len(calls) == 2
    assert _wire(client.get(SITES)) == _wire(after) and len(calls) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"If-None-Match": 'W/"not-the-tag"'},
        {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        {"Range": "bytes=0-9"},
    ],
    ids=["authorization", "if-none-match", "if-modified-since", "range"],
)
def test_private_conditional_and_partial_requests_go_through_flask(dispatched, headers):
    client, calls = dispatched
    client.get(SITES)
    client.get(SITES, headers=headers)
    client.get(SITES, headers=headers)
    client.get(SITES)
    assert len(calls) == 3


def test_a_request_with_a_cookie_goes_through_flask(dispatched):
    client, calls = dispatched
    client.get(SITES)
    client.set_cookie("lang", "ar")  # the test client sends its jar as the Cookie header
    client.get(SITES)
    client.get(SITES)
    assert len(calls) == 3


def test_only_gets_are_replayed(dispatched):
    client, calls = dispatched
    client.get(SITES)
    head = client.head(SITES)
    assert head.status_code == 200 and head.get_data() == b""
    assert client.post(SITES).status_code == 405
    assert len(calls) == 3


def test_each_encoding_format_and_language_keeps_its_own_answer(dispatched):
    client, calls = dispatched
    variants = [{}, {"Accept-Encoding": "gzip"}, {"Accept": "text/html"}, {"Accept-Language": "ar"}]
    first = [client.get(ITEMS, headers=h) for h in variants]
    again = [client.get(ITEMS, headers=h) for h in variants]
    assert [_wire(r) for r in again] == [_wire(r) for r in first]
    assert len(calls) == len(first), "each variant was dispatched once, then replayed"
    plain, zipped, html, arabic = first
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert html.mimetype == "text/html" and plain.mimetype == "application/geo+json"
    arabic_page = client.get(ITEMS + "&f=html", headers={"Accept-Language": "ar"})
    assert '<html lang="ar"' in arabic_page.text
    assert '<html lang="en"' in client.get(ITEMS + "&f=html").text


@pytest.mark.parametrize("proxies", [0, 1])
def test_each_host_keeps_its_own_links(app_variant, contract_client, proxies):
    client = app_variant(TRUSTED_HOSTS=None, PROXY_FIX=proxies).test_client()

    def get(host):
        if proxies:
            return client.get(ITEMS, headers={"X-Forwarded-Host": host})
        return client.get(ITEMS, base_url=f"http://{host}")

    for _ in range(2):  # the first answers, then their replays
        one, two = get("one.example.org").get_data(), get("two.example.org").get_data()
        assert b"one.example.org" in one and b"two.example.org" not in one
        assert b"two.example.org" in two and b"one.example.org" not in two


def test_an_answer_that_sets_a_cookie_is_not_kept(dispatched):
    _, calls = dispatched
    # A client without a cookie jar: the cookie set by the first answer is not sent back,
    # so the second request is as anonymous as the first.
    client = dispatched[0].application.test_client(use_cookies=False)
    chosen = "/ogc/?f=html&lang=ar"
    assert "Set-Cookie" in client.get(chosen).headers
    assert "Set-Cookie" in client.get(chosen).headers
    assert len(calls) == 2


def test_refusals_are_not_kept(dispatched):
    client, calls = dispatched
    bad = "/api/sites.geojson?date=2015-13-45"
    assert client.get(bad).status_code == 400
    assert client.get(bad).status_code == 400
    assert len(calls) == 2


def test_the_replay_can_be_turned_off(app_variant, contract_client):
    plain = app_variant(REPLAY_CACHED_ANSWERS=False)
    calls: list[int] = []
    request_started.connect(lambda *_a, **_k: calls.append(1), plain, weak=False)
    client = plain.test_client()
    assert client.get(SITES).get_data() == client.get(SITES).get_data()
    assert len(calls) == 2


def test_a_host_outside_trusted_hosts_is_refused_even_after_a_replay(dispatched):
    client, _ = dispatched
    assert client.get(ITEMS).status_code == 200
    assert client.get(ITEMS).status_code == 200
    refused = client.get(ITEMS, base_url="http://evil.example")
    assert refused.status_code == 400 and b"TRUSTED_HOSTS" in refused.get_data()


def test_with_a_public_url_made_up_hosts_share_one_kept_answer(app_variant, contract_client):
    public = app_variant(PUBLIC_URL="https://atlas.example.org", TRUSTED_HOSTS=None)
    calls: list[int] = []
    request_started.connect(lambda *_a, **_k: calls.append(1), public, weak=False)
    client = public.test_client()
    bodies = {client.get(ITEMS, base_url=f"http://h{i}.example").get_data() for i in range(5)}
    assert len(bodies) == 1 and b"https://atlas.example.org/" in bodies.pop()
    assert len(calls) == 1


def test_pages_and_static_files_cost_no_version_read_of_their_own(dispatched, monkeypatch):
    from app.web import replay

    client, _ = dispatched
    reads: list[int] = []
    real = replay.committed_version
    monkeypatch.setattr(replay, "committed_version", lambda e: reads.append(1) or real(e))
    for _ in range(2):
        assert client.get("/static/css/app.css").status_code == 200
        assert client.get("/").status_code == 200
    assert reads == []
    client.get(SITES)  # the first answer is kept without a read of the replay's own
    client.get(SITES)  # the replay reads the version once
    assert reads == [1]


def test_answers_pinned_to_a_past_revision_are_not_kept(dispatched):
    client, calls = dispatched
    past = SITES + "&rev=1"
    first, again = client.get(past), client.get(past)
    assert first.status_code == again.status_code == 200
    assert len(calls) == 2
