"""Races against a live threaded server: 100 conflicting saves fired at once, per kind.

Each burst must leave exactly the allowed winners, no overlapping periods in the record, no
5xx answer, and every loser's answer must still hold what that editor typed. The same on
SQLite and on PostgreSQL (when TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import datetime as dt
import html
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select, text
from werkzeug.serving import make_server

from app.db import records, write_lock
from app.db.models import Actor, ControlPeriod, Revision, Site, Source, StatusPeriod
from app.extensions import db

N = 100
WINNER = {302, 303}
LOSER = {409, 422}


@pytest.fixture
def serve():
    """serve(app) -> base URL of the app on a threaded server (stopped at teardown)."""
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        server.request_queue_size = 256
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def world(app, make_user, password):
    """Two actors, a source, sites for each race, an editor and an admin."""
    with app.app_context():
        actors = [
            Actor(slug=f"a{i}", name=f"Actor {i}", short=f"A{i}", kind="state", colour="#123456")
            for i in range(2)
        ]
        source = Source(title="Race source", ref="RS-0")
        sites = {
            slug: Site(slug=slug, name=slug, country="SY", kind="crossing_side", lon=41.0, lat=34.4)
            for slug in ("open-site", "empty-site", "status-site", "skew-site")
        }
        db.session.add_all([*actors, source, *sites.values()])
        db.session.commit()
        ids = {
            "actors": [a.id for a in actors],
            "source": source.id,
            **{slug: s.id for slug, s in sites.items()},
        }
    make_user(app, "ed", "editor")
    make_user(app, "root", "admin")
    ids["password"] = password
    return ids


def _login(base: str, username: str, password: str) -> dict:
    s = requests.Session()
    resp = s.post(
        f"{base}/login", data={"username": username, "password": password}, allow_redirects=False
    )
    assert resp.status_code in WINNER, resp.text[:500]
    return s.cookies.get_dict()


def _burst(base: str, cookies: dict, requests_: list[tuple[str, dict]]) -> list:
    """POST every (path, form) at the same moment; the responses in the same order."""
    gate = threading.Barrier(len(requests_))

    def one(item):
        path, data = item
        gate.wait()
        return requests.post(
            base + path, data=data, cookies=cookies, allow_redirects=False, timeout=120
        )

    with ThreadPoolExecutor(max_workers=len(requests_)) as pool:
        return list(pool.map(one, requests_))


def _verdict(responses: list, markers: list[str], winners: int) -> None:
    statuses = [r.status_code for r in responses]
    assert [s for s in statuses if s >= 500] == [], statuses
    assert sum(s in WINNER for s in statuses) == winners, statuses
    assert all(s in WINNER | LOSER for s in statuses), statuses
    lost = [
        m
        for r, m in zip(responses, markers, strict=True)
        if r.status_code in LOSER and m not in html.unescape(r.text)
    ]
    assert lost == [], f"{len(lost)} losers lost their input, e.g. {lost[:3]}"


def _overlaps(app) -> list[str]:
    """Every stored period that collides with another of its site."""
    with app.app_context():
        out = []
        for model in (ControlPeriod, StatusPeriod):
            for row in db.session.scalars(select(model)):
                problem = records.overlap_message(row)
                if problem:
                    out.append(f"{model.__tablename__} #{row.id}: {problem}")
        return out


def _log(world, kind: str, i: int, token: str) -> dict:
    data = {
        "date": (dt.date(2020, 1, 1) + dt.timedelta(days=i)).isoformat(),
        "date_precision": "day",
        "confidence": "medium",
        "note": f"race note {kind} {i}",
        "source_ids": str(world["source"]),
        "comment": "race",
        "version": token,
    }
    if kind == "status":
        data["status"] = "closed" if i % 2 else "open"
    else:
        data["actor_id"] = str(world["actors"][i % 2])
    return data


def _period(world, site: str, start: str, end: str) -> dict:
    return {
        "site_id": str(world[site]),
        "actor_id": str(world["actors"][0]),
        "start": start,
        "start_precision": "day",
        "end": end,
        "end_precision": "day",
        "confidence": "high",
        "source_ids": str(world["source"]),
        "note": "",
        "comment": "setup",
    }


@pytest.mark.parametrize(
    ("site", "kind", "path"),
    [
        ("open-site", "control", "log-control"),
        ("empty-site", "control", "log-control"),
        ("status-site", "status", "log-status"),
    ],
    ids=["control-with-open-period", "control-without-period", "status-without-period"],
)
def test_log_a_change_has_one_winner(app, world, serve, site, kind, path):
    base = serve(app)
    cookies = _login(base, "ed", world["password"])
    url = f"/editor/sites/{site}/{path}"
    token = "none"
    if site == "open-site":
        first = requests.post(
            base + url, data=_log(world, kind, 0, "none"), cookies=cookies, allow_redirects=False
        )
        assert first.status_code in WINNER, first.text[:300]
        with app.app_context():
            p = db.session.scalar(select(ControlPeriod).where(ControlPeriod.site_id == world[site]))
            token = f"{p.id}:{p.version}"
    batch = [(url, _log(world, kind, 1 + i, token)) for i in range(N)]
    responses = _burst(base, cookies, batch)
    _verdict(responses, [d["note"] for _, d in batch], winners=1)
    assert _overlaps(app) == []


def test_write_skew_across_two_periods_has_one_winner(app, world, serve):
    """Moving the end of one period and the start of the next towards each other: each
    alone is fine, any two together overlap, so only one save may win."""
    base = serve(app)
    cookies = _login(base, "ed", world["password"])
    for start, end in (("2010-01-01", "2012-01-01"), ("2014-01-01", "2016-01-01")):
        resp = requests.post(
            f"{base}/editor/control-periods/new",
            data=_period(world, "skew-site", start, end),
            cookies=cookies,
            allow_redirects=False,
        )
        assert resp.status_code in WINNER, resp.text[:300]
    with app.app_context():
        first, second = db.session.scalars(
            select(ControlPeriod)
            .where(ControlPeriod.site_id == world["skew-site"])
            .order_by(ControlPeriod.id)
        ).all()
        ids, versions = (first.id, second.id), (first.version, second.version)
    batch = []
    for i in range(N):
        if i % 2 == 0:  # the first period ends later ...
            end = (dt.date(2013, 7, 1) + dt.timedelta(days=i)).isoformat()
            data = _period(world, "skew-site", "2010-01-01", end)
            row, version = ids[0], versions[0]
        else:  # ... or the second starts earlier
            start = (dt.date(2012, 6, 1) + dt.timedelta(days=i)).isoformat()
            data = _period(world, "skew-site", start, "2016-01-01")
            row, version = ids[1], versions[1]
        data.update(version=str(version), note=f"skew note {i}")
        batch.append((f"/editor/control-periods/{row}/edit", data))
    responses = _burst(base, cookies, batch)
    _verdict(responses, [d["note"] for _, d in batch], winners=1)
    assert _overlaps(app) == []


@pytest.mark.parametrize("kind", ["sites", "sources"])
def test_same_slug_or_source_ref_has_one_winner(app, world, serve, kind):
    base = serve(app)
    cookies = _login(base, "ed", world["password"])
    if kind == "sites":
        forms = [
            {
                "slug": "race-post",
                "name": f"Race post {i}",
                "country": "SY",
                "kind": "crossing_side",
                "lon": "41.0",
                "lat": "34.4",
                "location_precision": "exact",
                "comment": "race",
            }
            for i in range(N)
        ]
        markers = [f["name"] for f in forms]
    else:
        forms = [{"ref": "RACE-1", "title": f"Race title {i}", "comment": "race"} for i in range(N)]
        markers = [f["title"] for f in forms]
    responses = _burst(base, cookies, [(f"/editor/{kind}/new", f) for f in forms])
    _verdict(responses, markers, winners=1)
    model, column, value = (
        (Site, Site.slug, "race-post")
        if kind == "sites"
        else (
            Source,
            Source.ref,
            "RACE-1",
        )
    )
    with app.app_context():
        assert len(db.session.scalars(select(model).where(column == value)).all()) == 1


def test_concurrent_reverts_of_one_revision_have_one_winner(app, world, serve):
    base = serve(app)
    cookies = _login(base, "root", world["password"])
    resp = requests.post(
        f"{base}/editor/sites/new",
        data={
            "slug": "to-revert",
            "name": "To revert",
            "country": "SY",
            "kind": "crossing_side",
            "lon": "41.0",
            "lat": "34.4",
            "location_precision": "exact",
        },
        cookies=cookies,
        allow_redirects=False,
    )
    assert resp.status_code in WINNER, resp.text[:300]
    with app.app_context():
        rev = db.session.scalar(
            select(Revision).where(Revision.entity == "site").order_by(Revision.id.desc())
        ).id
    comments = [f"race revert {i}" for i in range(N)]
    batch = [(f"/history/{rev}/revert", {"comment": c}) for c in comments]
    responses = _burst(base, cookies, batch)
    _verdict(responses, comments, winners=1)
    with app.app_context():
        assert db.session.scalar(select(Site).where(Site.slug == "to-revert")) is None
        reverts = db.session.scalars(select(Revision).where(Revision.action == "revert")).all()
        assert len(reverts) == 1


def test_a_save_that_waits_too_long_for_the_lock_is_a_503_that_keeps_its_input(
    app, app_variant, world, serve
):
    """A long import holds the write lock: saves give up after WRITE_LOCK_TIMEOUT with a
    503, retry advice and the editor's input, and change nothing."""
    impatient = app_variant(WRITE_LOCK_TIMEOUT=0.5)
    base = serve(impatient)
    cookies = _login(base, "ed", world["password"])
    url = "/editor/sites/empty-site/log-control"
    batch = [(url, _log(world, "control", i, "none")) for i in range(10)]
    with _held_write_lock(app):
        responses = _burst(base, cookies, batch)
    assert [r.status_code for r in responses] == [503] * 10
    assert all(r.headers.get("Retry-After") for r in responses)
    for r, (_, data) in zip(responses, batch, strict=True):
        assert data["note"] in html.unescape(r.text) and "another save" in r.text
    with app.app_context():
        assert db.session.scalars(select(ControlPeriod)).all() == []


class _held_write_lock:
    """Hold the record's write lock from another connection, as an import would."""

    def __init__(self, app):
        self.app = app

    def __enter__(self):
        with self.app.app_context():
            url = db.engine.url
        if url.get_backend_name() == "sqlite":
            self.conn = sqlite3.connect(url.database, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
            self.close = self.conn.rollback
        else:
            from sqlalchemy import create_engine

            self.engine = create_engine(url)
            self.conn = self.engine.connect()
            self.conn.execute(text(f"SELECT pg_advisory_xact_lock({write_lock.PG_LOCK_KEY})"))
            self.close = self.conn.rollback
        time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.close()
        self.conn.close()
        if hasattr(self, "engine"):
            self.engine.dispose()


def test_reads_do_not_wait_for_the_write_lock(app, world, serve):
    base = serve(app)
    with _held_write_lock(app):
        started = time.monotonic()
        resp = requests.get(f"{base}/api/sites.geojson?date=2015-01-01", timeout=30)
        assert resp.status_code == 200
        assert time.monotonic() - started < 5
