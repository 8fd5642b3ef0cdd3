"""One writer at a time: a write request takes the database's write lock when its transaction
begins, before it reads anything its checks depend on.

The editor's rules (no two periods of a site overlap, slugs and source refs are unique, a
revert only undoes the latest change) are checked by reading rows and then writing. Two
requests doing that at the same moment could both pass the check (write skew). So a
request that will write runs its whole transaction under one lock:

- SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock at once (pysqlite's own
  transaction handling is switched off so that we emit BEGIN ourselves; see SQLAlchemy's
  "Serializable isolation / Savepoints / Transactional DDL" recipe for pysqlite).
- PostgreSQL: a transaction-scoped advisory lock, ``pg_advisory_xact_lock``, on one key;
  the exclusion constraints stay as the last line of defence.

The web layer says which requests write (:func:`claim`); reads keep a plain deferred
transaction and never wait. Waiting longer than the timeout raises the driver's
"database is locked" / lock-timeout error, which :func:`is_lock_timeout` recognises.
"""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

#: Advisory-lock key of the record's write lock ("ATLS").
PG_LOCK_KEY = 0x41544C53
DEFAULT_TIMEOUT = 15.0

_wanted: ContextVar[bool] = ContextVar("atlas_write_lock_wanted", default=False)


def claim() -> None:
    """Mark the current context (request) as a writer: its transactions take the lock."""
    _wanted.set(True)


def release() -> None:
    """Back to reading: later transactions of this context no longer take the lock."""
    _wanted.set(False)


def claimed() -> bool:
    """Whether transactions begun now take the write lock."""
    return _wanted.get()


def install(engine: Engine, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Make `engine` begin transactions of claimed contexts under the write lock."""
    if engine.dialect.name == "sqlite":
        busy_ms = int(timeout * 1000)

        def _connect(dbapi_connection, _record) -> None:
            # Turn off pysqlite's implicit BEGIN (it would start transactions late, at the
            # first write); _begin below emits BEGIN for every transaction instead.
            dbapi_connection.isolation_level = None
            dbapi_connection.execute(f"PRAGMA busy_timeout={busy_ms}")

        event.listen(engine, "connect", _connect)
        event.listen(engine, "begin", _begin_sqlite)
    elif engine.dialect.name == "postgresql":
        lock_ms = int(timeout * 1000)

        def _begin_pg(conn) -> None:
            if _wanted.get():
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {lock_ms}")
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")

        event.listen(engine, "begin", _begin_pg)


def _begin_sqlite(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _wanted.get() else "BEGIN")


def is_lock_timeout(exc: BaseException) -> bool:
    """True for "waited too long for the write lock" on SQLite or PostgreSQL."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text
