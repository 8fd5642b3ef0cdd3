"""Reads that all see one instant of the database, while writers go on."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.extensions import db


def _begin(conn: Connection) -> None:
    """Make the transaction `conn` has just begun one snapshot."""
    if conn.dialect.name == "postgresql":
        # For this transaction only: a connection-wide setting would be reset on its way
        # back to the pool, undoing the server's own defaults (a replica's read-only).
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return
    raw = conn.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        # pysqlite on its own opens a transaction only before a write, so each SELECT
        # would see a different state. In WAL mode the first read after BEGIN fixes the
        # snapshot, and writers are not blocked.
        conn.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def connection() -> Iterator[Connection]:
    """A new connection in one read-only transaction, rolled back at the end."""
    with db.engine.connect() as conn:
        conn.begin()
        _begin(conn)
        try:
            yield conn
        finally:
            conn.rollback()


@contextlib.contextmanager
def session(session: Session) -> Iterator[Session]:
    """`session`, not yet in a transaction, reading one snapshot until the block ends
    (then rolled back: the block must not write)."""
    if session.in_transaction():
        raise RuntimeError("a snapshot must start a transaction of its own")
    _begin(session.connection())
    try:
        yield session
    finally:
        session.rollback()


def schema_revision(conn: Connection | None = None) -> str | None:
    """The database's schema revision (Alembic's), as `conn` or the session sees it."""
    return MigrationContext.configure(conn or db.session.connection()).get_current_revision()
