"""Database hooks: SQLite pragmas, and the data version bumped by every write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import cast

from flask import Flask
from sqlalchemy import Engine, delete, event, insert, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, scoped_session

from app.core import clock
from app.db import known, write_lock
from app.db.models import (
    Actor,
    ControlPeriod,
    Crossing,
    DataChange,
    DataVersion,
    Event,
    LoginFailure,
    Proposal,
    Revision,
    SeedMark,
    Site,
    Source,
    StatusPeriod,
    User,
    UserSession,
    Verification,
    control_period_source,
)
from app.extensions import db

# Writes to these tables do not change what the map, API or downloads show (a proposal
# waits in its own table until approved).
_UNTRACKED = (
    Revision,
    SeedMark,
    User,
    DataVersion,
    DataChange,
    LoginFailure,
    UserSession,
    Proposal,
)
_UNTRACKED_TABLES = {model.__tablename__ for model in _UNTRACKED}
# Rows that change one site's as-of answers only: the as-of index reloads just that site.
_ONE_SITE = (ControlPeriod, StatusPeriod, Verification)
# Rows no as-of answer reads (events show on the map beside the sites' state): a write of
# only these changes no site, and the as-of index is kept as it is.
_NO_SITE = (Event,)
# The most sites an as-of index reloads one by one: a write logging more logs "any site",
# and an index that has reloaded more since its full build is rebuilt (app.db.asof_index).
MOST_SITES = 256
# Shared rows an as-of index patches in place when edited, by the change log's column:
# an actor's labels or a source's fields show at every site that names them.
PATCHED = {Actor: "actors", Source: "sources"}


def init_app(app: Flask) -> None:
    """Register the data-version hooks on the app's session and SQLite's pragmas."""
    # Listening twice with the same function is a no-op, so repeated apps are safe.
    for name, hook in (
        ("before_flush", _note_changes),
        ("do_orm_execute", _note_bulk_writes),
        ("before_commit", _bump_version),
        ("after_rollback", _forget_sites),
    ):
        event.listen(db.session, name, hook)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    write_lock.install(
        engine, float(app.config.get("WRITE_LOCK_TIMEOUT", write_lock.DEFAULT_TIMEOUT))
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless asked; WAL lets readers work during a write.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _note_changes(session: Session, _context, _instances) -> None:
    # Each of these builds a new collection: read them once per flush.
    new, dirty, deleted = session.new, session.dirty, session.deleted
    changed = [obj for obj in (*new, *dirty, *deleted) if not isinstance(obj, _UNTRACKED)]
    if changed:
        session.info["data_changed"] = True
        sites = session.info.setdefault("asof_sites", set())
        patched = session.info.setdefault("asof_patched", set())
        for obj in changed:
            if sites is None:
                break
            is_new = obj in new
            if type(obj) in PATCHED and not is_new and obj not in deleted:
                # Its own columns are patched in place. Dirty with no column changed (a
                # form saved as it was) it changes nothing.
                if session.is_modified(obj, include_collections=False):
                    patched.add((PATCHED[type(obj)], obj.id))
                continue
            found = _sites_of(session, obj, is_new)
            if found is None or len(sites | found) > MOST_SITES:
                session.info["asof_sites"] = sites = None
            else:
                sites |= found


def _sites_of(session: Session, obj, is_new: bool) -> set[int | Site] | None:
    """The sites whose answers a changed row affects, or None (anything may change)."""
    if isinstance(obj, _NO_SITE):
        return set()
    if isinstance(obj, (Source, Actor, Crossing)):
        # Shared rows, new or deleted (or a crossing): the sites that show them now (read
        # before the flush). A new one is shown nowhere yet; whoever cites, holds or joins
        # it is a change of its own.
        return set() if is_new else _sites_showing(session, obj)
    if isinstance(obj, _ONE_SITE) and not is_new:
        return _sites_before_and_after(obj)
    site_id = _site_of(obj)
    return None if site_id is None else {site_id}


def _sites_showing(session: Session, obj: Source | Actor | Crossing) -> set[int]:
    """The sites whose rows show this source (cited by a control period), actor (holder
    or challenger of a control period) or crossing (its slug)."""
    if isinstance(obj, Source):
        link = control_period_source
        stmt = (
            select(ControlPeriod.site_id)
            .join(link, link.c.control_period_id == ControlPeriod.id)
            .where(link.c.source_id == obj.id)
        )
    elif isinstance(obj, Actor):
        stmt = select(ControlPeriod.site_id).where(
            or_(ControlPeriod.actor_id == obj.id, ControlPeriod.challenger_id == obj.id)
        )
    else:
        stmt = select(Site.id).where(Site.crossing_id == obj.id)
    # Core on the session's connection: no autoflush from inside a flush.
    return set(session.connection().scalars(stmt.distinct()))


def _site_of(obj) -> int | Site | None:
    """The one site whose answers a changed row affects, or None (anything may change).
    A site not flushed yet gets its id in the flush: the site itself stands for it."""
    if isinstance(obj, Site):
        # Edited, new, deleted or re-slugged: its own rows, or which rows there are and
        # their order (the as-of index reads the order again when the list changed).
        return obj if obj.id is None else obj.id
    if not isinstance(obj, _ONE_SITE):
        return None
    if obj.site_id is not None:
        return obj.site_id
    # The id may only be on the related site (read without loading), or not yet.
    site = obj.__dict__.get("site")
    return None if site is None else site if site.id is None else site.id


def _sites_before_and_after(obj) -> set[int | Site] | None:
    """A stored period or confirmation's site, and the one it left if it was moved (None
    when the one it left is not known: its old value was never loaded)."""
    state = sa_inspect(obj)
    sites: set[int | Site | None] = {_site_of(obj)}
    for name in ("site_id", "site"):
        history = state.attrs[name].history
        if history.has_changes() and not history.deleted:
            return None
        for value in (*history.deleted, *history.added):
            sites.add(value if not isinstance(value, Site) else value.id or value)
    sites.discard(None)
    return cast(set[int | Site], sites)


def _note_bulk_writes(state) -> None:
    # Core INSERT/UPDATE/DELETE through the session (bulk loads, restores) count too.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in _UNTRACKED_TABLES:
            state.session.info["data_changed"] = True
            state.session.info["asof_sites"] = None  # rows of any site: rebuild the index


def _bump_version(session: Session) -> None:
    session.flush()
    sites = session.info.pop("asof_sites", None)
    if sites is not None:  # new sites have their ids now
        ids = {s if isinstance(s, int) else s.id for s in sites}
        sites = None if None in ids else ids
    patched = session.info.pop("asof_patched", set())
    if session.info.pop("data_changed", False):
        bump_data_version(session, sites, patched)


def _forget_sites(session: Session) -> None:
    session.info.pop("asof_sites", None)
    session.info.pop("asof_patched", None)


#: Versions the change log keeps: a worker further behind rebuilds its as-of index.
CHANGE_LOG_SIZE = 256


def bump_data_version(
    session: Session, sites: set[int] | None = None, patched: Iterable[tuple[str, int]] = ()
) -> None:
    """Increment the data version in the current transaction (atomic on every database),
    and log which `sites` it changed (None: any) and which actors and sources it edited,
    as (PATCHED column, id), for every worker's as-of index."""
    now = clock.now()
    updated = session.execute(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1, changed_at=now)
    )
    if updated.rowcount == 0:
        session.execute(insert(DataVersion).values(id=1, version=1, changed_at=now))
    version = session.execute(_VERSION_QUERY).scalar_one()
    # Rows at or past this number are left from before the version row was emptied.
    session.execute(
        delete(DataChange).where(
            or_(DataChange.version >= version, DataChange.version <= version - CHANGE_LOG_SIZE)
        )
    )
    logged = {"sites": sites} | {
        column: {i for kind, i in patched if kind == column} for column in PATCHED.values()
    }
    session.execute(
        insert(DataChange).values(
            version=version,
            changed_at=now,
            **{
                k: None if ids is None else ",".join(map(str, sorted(ids)))
                for k, ids in logged.items()
            },
        )
    )


_VERSION_QUERY = select(DataVersion.__table__.c.version, DataVersion.__table__.c.changed_at).where(
    DataVersion.__table__.c.id == 1
)


def data_version(session: Session | scoped_session) -> tuple[int | str, dt.datetime | None]:
    """The current data version and when it last changed; for a request pinned to a past
    revision N, ("rN", when N was made): that state never changes, so caches keep it."""
    past = known.pinned()
    if past is not None:
        return f"r{past.revision}", past.at
    if _in_transaction(session):
        # Inside a transaction the session's own view counts (its writes included).
        row = session.connection().execute(_VERSION_QUERY).first()
        return (row[0], row[1]) if row else (0, None)
    # Outside a transaction there is nothing uncommitted to see: skip the session.
    return committed_version(
        db.engine if isinstance(session, scoped_session) else session.get_bind()
    )


def _in_transaction(session: Session | scoped_session) -> bool:
    if isinstance(session, scoped_session):
        if not session.registry.has():  # no session yet in this request
            return False
        session = session()
    return session.in_transaction()


def committed_version(engine: Engine) -> tuple[int, dt.datetime | None]:
    """The committed data version, read on a bare pooled connection.

    Every cached request starts here, so it skips the ORM session and SQLAlchemy's
    result machinery: a pool checkout and one primary-key lookup.
    """
    sql, convert = _raw_version_query(engine.dialect)
    raw = engine.raw_connection()
    # On PostgreSQL one round trip instead of three (BEGIN, the query, the pool's ROLLBACK
    # on return): after a long computation each of them waits for the server to wake up.
    # SQLite starts no transaction for a SELECT.
    driver = raw.dbapi_connection if engine.dialect.name == "postgresql" else None
    try:
        if driver is not None:
            driver.autocommit = True
        try:
            cursor = raw.cursor()
            cursor.execute(sql)
            row = cursor.fetchone()
            cursor.close()
        finally:
            if driver is not None:
                driver.autocommit = False  # as the pool and the ORM expect it
    finally:
        raw.close()  # the pool rolls back on return: no transaction stays open
    if row is None:
        return 0, None
    return row[0], convert(row[1]) if convert and row[1] is not None else row[1]


def _raw_version_query(dialect: Dialect) -> tuple[str, object]:
    """The version query compiled for this dialect, and the changed_at converter."""
    if dialect.name not in _RAW_QUERIES:
        sql = str(_VERSION_QUERY.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        changed_at = DataVersion.__table__.c.changed_at.type.dialect_impl(dialect)
        _RAW_QUERIES[dialect.name] = sql, changed_at.result_processor(dialect, None)
    return _RAW_QUERIES[dialect.name]


_RAW_QUERIES: dict[str, tuple[str, object]] = {}
