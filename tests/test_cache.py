"""The versioned response cache: hits within a version, misses after any write."""

from app.cache import VersionedCache
from app.dbevents import data_version
from app.extensions import db
from app.models import Actor


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
