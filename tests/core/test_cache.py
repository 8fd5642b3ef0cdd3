"""The versioned response cache: hits within a version, misses after any write."""

from app.core.cache import VersionedCache
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


def test_lru_evicts_the_oldest():
    cache = VersionedCache(maxsize=2)
    for key in "abc":
        cache.get(1, key, lambda k=key: k)
    assert cache.get(1, "a", lambda: "again") == "again"


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
