"""The versioned response cache: hits within a version, misses after any write, and a
budget in bytes that no number of distinct queries can exceed."""

import pytest

from app.core import cache as cache_module
from app.core.cache import VersionedCache, approx_size
from app.db.models import Actor
from app.db.session_events import data_version
from app.extensions import db


def test_hit_within_a_version_and_miss_after_a_bump():
    cache, calls = VersionedCache(), []
    produce = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert cache.get(1, "q", produce) == 1
    assert cache.get(1, "q", produce) == 1
    assert cache.get(2, "q", produce) == 2
    assert (cache.hits, cache.misses) == (1, 2)


def test_lru_evicts_the_least_recently_used_when_the_bytes_run_out():
    cache = VersionedCache(max_bytes=3000, sizeof=len)
    for key in "abc":
        cache.get(1, key, lambda k=key: k * 1000)
    assert cache.bytes == 3000 and len(cache) == 3
    cache.get(1, "a", lambda: "unused")  # a is now the most recently used
    cache.get(1, "d", lambda: "d" * 1000)
    assert cache.get(1, "b", lambda: "again") == "again"  # b was the oldest: gone
    assert cache.get(1, "a", lambda: "unused") == "a" * 1000
    assert cache.bytes <= 3000


def test_ten_thousand_distinct_keys_stay_within_the_budget():
    cache = VersionedCache(max_bytes=1_000_000)
    for day in range(10_000):
        cache.get(1, ("sites.geojson", day), lambda: (200, {}, b"x" * 10_000))
    assert cache.bytes <= 1_000_000
    assert 90 <= len(cache) <= 100  # ~10 kB each: the newest hundred or so


def test_a_value_bigger_than_the_budget_is_served_but_not_kept():
    cache = VersionedCache(max_bytes=1000)
    assert cache.get(1, "big", lambda: b"x" * 5000) == b"x" * 5000
    assert len(cache) == 0 and cache.bytes == 0


def test_a_value_too_big_is_measured_once_while_it_is_asked_for_again():
    measured = []
    c = VersionedCache(max_bytes=10, sizeof=lambda v: measured.append(v) or 100)
    big = [1, 2, 3]
    for _ in range(3):
        assert c.get(1, "k", lambda: big) is big
    assert len(measured) == 1 and len(c) == 0
    c.get(1, "k", lambda: [4, 5])  # another value (a later answer) is measured again
    assert len(measured) == 2


def test_refused_values_are_not_kept():
    cache = VersionedCache(max_bytes=10_000)
    cache.get(1, "bad", lambda: (400, {}, b"no"), keep=lambda v: v[0] == 200)
    assert len(cache) == 0


def test_sizes_count_bodies_exactly_and_rows_roughly():
    body = b"x" * 100_000
    assert 100_000 <= approx_size((200, {"Content-Type": "a/b"}, body)) < 101_000
    rows = [{"slug": f"site-{i}", "name": "A name " * 4, "lon": 40.0 + i} for i in range(5000)]
    exact = sum(approx_size(r) for r in rows) + approx_size([])
    assert 0.8 * exact <= approx_size(rows) <= 1.2 * exact


def test_the_process_budget_is_shared_out_and_set_from_the_setting(app):
    from app import create_app

    create_app({**app.config, "RESPONSE_CACHE_MB": 10})
    limits = {name: limit for name, (_, _, limit) in cache_module.usage().items()}
    assert sum(limits.values()) <= 10 * 2**20
    assert limits["responses"] >= 4 * 2**20
    create_app({**app.config, "RESPONSE_CACHE_MB": 64})
    assert sum(limit for *_, limit in cache_module.usage().values()) <= 64 * 2**20


def test_a_reservation_shrinks_every_share_down_to_half_the_budget(app, monkeypatch):
    from app import create_app

    monkeypatch.setattr(cache_module, "_reserved", {})  # no index kept by another test
    create_app({**app.config, "RESPONSE_CACHE_MB": 10})
    full = sum(limit for *_, limit in cache_module.usage().values())
    try:
        cache_module.responses.put(0, "big", b"x" * (4 * 2**20))
        cache_module.reserve("test", 3 * 2**20)
        limits = sum(limit for *_, limit in cache_module.usage().values())
        assert limits == pytest.approx(full * 7 / 10, rel=0.01)
        assert cache_module.responses.bytes <= cache_module.responses.max_bytes
        cache_module.reserve("test", 100 * 2**20)  # the caches keep half
        limits = sum(limit for *_, limit in cache_module.usage().values())
        assert limits == pytest.approx(full * cache_module.MIN_FREE, rel=0.01)
    finally:
        cache_module.reserve("test", 0)
    assert sum(limit for *_, limit in cache_module.usage().values()) == full


def test_every_write_bumps_the_data_version(app):
    with app.app_context():
        before, _ = data_version(db.session)
        db.session.add(Actor(slug="x", name="X", short="X", kind="state", colour="#000000"))
        db.session.commit()
        after, changed_at = data_version(db.session)
        assert after == before + 1 and changed_at is not None
        db.session.commit()  # nothing changed: no bump
        assert data_version(db.session)[0] == after


def test_bulk_core_writes_bump_the_data_version_too(app):
    from sqlalchemy import insert

    with app.app_context():
        before, _ = data_version(db.session)
        db.session.execute(
            insert(Actor.__table__),
            [
                dict(
                    slug="bulk",
                    name="Bulk",
                    name_ar="",
                    short="B",
                    kind="state",
                    colour="#111111",
                    note="",
                    version=1,
                )
            ],
        )
        db.session.commit()
        assert data_version(db.session)[0] == before + 1


def test_state_rows_are_shared_until_the_next_write(seeded):
    import datetime as dt

    from app.db import queries
    from app.db.models import Site

    with seeded.app_context():
        day = dt.date(2015, 8, 1)
        first = queries.state_at(day)
        assert queries.state_at(day) is first
        site = db.session.scalar(db.select(Site).where(Site.slug == "al-tanf"))
        site.name = "al-Tanf (renamed)"
        db.session.commit()
        again = queries.state_at(day)
        assert again is not first
        assert any(r["name"] == "al-Tanf (renamed)" for r in again)


def test_the_bare_version_read_agrees_with_the_session_and_sees_other_writers(app):
    from app.db.session_events import committed_version

    with app.app_context():
        before = committed_version(db.engine)
        db.session.add(Actor(slug="y", name="Y", short="Y", kind="state", colour="#000000"))
        db.session.commit()
        bare = committed_version(db.engine)
        db.session.execute(db.select(Actor))  # inside a transaction: the session's view
        assert bare == data_version(db.session) and bare[0] == before[0] + 1
        db.session.commit()
        assert bare[1].tzinfo is not None or db.engine.dialect.name == "sqlite"
        # A write from another connection is seen at once, with no session involved.
        with db.engine.begin() as conn:
            conn.execute(db.text("UPDATE data_version SET version = version + 1"))
        db.session.remove()
        assert data_version(db.session)[0] == bare[0] + 1


def test_the_bare_version_read_hands_its_connection_back_as_the_orm_expects_it(app):
    from app.db.session_events import committed_version

    with app.app_context():
        db.engine.dispose()  # one pooled connection: the read's is the session's next
        committed_version(db.engine)
        raw = db.engine.raw_connection()
        try:
            assert getattr(raw.dbapi_connection, "autocommit", False) is False
        finally:
            raw.close()
        db.session.add(Actor(slug="undone", name="U", short="U", kind="state", colour="#000000"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(db.select(Actor).where(Actor.slug == "undone")) is None
