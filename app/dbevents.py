"""Database hooks: SQLite pragmas, and the data version bumped by every write."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import DataVersion, LoginFailure, Revision, SeedMark, User

# Writes to these tables do not change what the map, API or downloads show.
_UNTRACKED = (Revision, SeedMark, User, DataVersion, LoginFailure)
_UNTRACKED_TABLES = {model.__tablename__ for model in _UNTRACKED}


def init_app(app: Flask) -> None:
    """Turn on SQLite's foreign keys and WAL journal for this app's engine."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless asked; WAL lets readers work during a write.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context, _instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(not isinstance(obj, _UNTRACKED) for obj in changed):
        session.info["data_changed"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(state) -> None:
    # Core INSERT/UPDATE/DELETE through the session (bulk loads, restores) count too.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in _UNTRACKED_TABLES:
            state.session.info["data_changed"] = True


@event.listens_for(Session, "before_commit")
def _bump_version(session: Session) -> None:
    session.flush()
    if session.info.pop("data_changed", False):
        bump_data_version(session)


def bump_data_version(session: Session) -> None:
    """Increment the data version in the current transaction (atomic on every database)."""
    now = dt.datetime.now(dt.UTC)
    updated = session.execute(update(DataVersion).where(DataVersion.id == 1).values(
        version=DataVersion.version + 1, changed_at=now))
    if updated.rowcount == 0:
        session.execute(insert(DataVersion).values(id=1, version=1, changed_at=now))


_VERSION_QUERY = select(DataVersion.__table__.c.version, DataVersion.__table__.c.changed_at
                        ).where(DataVersion.__table__.c.id == 1)


def data_version(session: Session) -> tuple[int, dt.datetime | None]:
    """The current data version and when it last changed."""
    # Core on the session's connection: this runs on every cached request.
    row = session.connection().execute(_VERSION_QUERY).first()
    return (row[0], row[1]) if row else (0, None)
