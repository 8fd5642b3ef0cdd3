"""Snapshot reads: one instant for every read of the block, writers not blocked, and no
setting left on the pooled connection afterwards."""

import pytest
from sqlalchemy import select, text

from app.db import snapshot
from app.db.models import Actor
from app.extensions import db


def _rename(app, name: str) -> None:
    """Commit a rename through another session, as another request would."""
    with app.app_context():
        db.session.execute(text("UPDATE actor SET name = :n WHERE slug = 'isis'"), {"n": name})
        db.session.commit()


@pytest.fixture
def ctx(seeded):
    with seeded.app_context():
        yield seeded


@pytest.mark.parametrize("kind", ["session", "connection"])
def test_a_write_during_the_block_is_not_seen_until_it_ends(ctx, kind):
    query = select(Actor.name).where(Actor.slug == "isis")
    if kind == "session":
        with snapshot.session(db.session()) as session:
            before = session.scalar(query)
            _rename(ctx, "renamed meanwhile")
            assert session.scalar(query) == before
    else:
        with snapshot.connection() as conn:
            before = conn.scalar(query)
            _rename(ctx, "renamed meanwhile")
            assert conn.scalar(query) == before
    assert db.session.scalar(query) == "renamed meanwhile"


def test_a_session_already_in_a_transaction_is_refused(ctx):
    db.session.scalar(select(Actor.id).limit(1))
    with pytest.raises(RuntimeError, match="transaction of its own"):
        with snapshot.session(db.session()):
            pass


def test_the_block_cannot_write_and_leaves_the_pool_writable(ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no read-only transactions; the block must not write")
    with pytest.raises(Exception, match="read-only"):
        with snapshot.session(db.session()) as session:
            session.execute(text("UPDATE actor SET name = name"))
    db.session.rollback()
    # Every pooled connection still writes (a connection-wide read-only would stick).
    for _ in range(3):
        db.session.execute(text("UPDATE actor SET name = name"))
        db.session.commit()
