"""The record as it stood at a past revision ("as known on"), rebuilt from the revisions.

Every write to the record leaves a revision holding the row as it was after the write
(app/db/revisions.py), so the state after revision N is, for each row, the snapshot of
its last revision up to N (none, or a delete: the row did not exist). Rows that no
revision mentions (loaded without history, e.g. demo data) count as always there.

Design: a pinned request reads from a small SQLite database in memory holding only the
record's tables as they stood at N, built once per revision and kept (an old state never
changes). Every query of the map, site pages, API, downloads, OGC API and feeds then runs
unchanged against it (:class:`PinnableSession` routes the record's tables there), so one
definition of each answer serves the current and the past record alike. The alternative,
system-time columns on every table, would put a time condition into every query and index
of both databases; the revisions already hold the whole history.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import orjson
import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy import Date, DateTime, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.util import find_tables

from app.core import search
from app.db.models import (
    RECORD_MODELS,
    Revision,
    Site,
    control_period_source,
    event_site,
    event_source,
    status_period_source,
)
from app.extensions import Session, db

#: Tables whose rows the revisions track, by table name.
MODELS = RECORD_MODELS
#: Snapshot keys that hold a row's links rather than a column: key -> (link table, the
#: row's column in it, the other column).
_LINKS = {
    "control_period": [("source_ids", control_period_source, "control_period_id", "source_id")],
    "status_period": [("source_ids", status_period_source, "status_period_id", "source_id")],
    "event": [
        ("source_ids", event_source, "event_id", "source_id"),
        ("site_ids", event_site, "event_id", "site_id"),
    ],
}
LINK_TABLES = (control_period_source, status_period_source, event_source, event_site)
RECORD_TABLES = frozenset(
    [*MODELS, *(t.name for t in LINK_TABLES)]
)  # what a pinned request reads from the snapshot
#: Past states kept per process; each is a few MB at a thousand sites.
KEEP = 6


@dataclass(frozen=True)
class Pin:
    """A past revision of the record and when it was made."""

    revision: int
    at: dt.datetime | None


def latest_revision(session) -> int:
    """The newest revision id (0 for a record without history)."""
    return session.scalar(select(func.max(Revision.id))) or 0


def revision_on(session, day: dt.date) -> int:
    """The last revision made on or before `day` (UTC), 0 if none."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return session.scalar(select(func.max(Revision.id)).where(Revision.at < end)) or 0


def revision_time(session, revision: int) -> dt.datetime | None:
    """When revision `revision` was made (None when there is no such revision)."""
    return session.scalar(select(Revision.at).where(Revision.id == revision))


# ---- pinning a request ----


def pin(pinned: Pin | None) -> None:
    """Make this app context read the record as of `pinned` (None: the current record)."""
    g.known_pin = pinned


def pinned() -> Pin | None:
    """The past revision this app context reads, or None for the current record."""
    return g.get("known_pin") if has_app_context() else None


def _route(_session, mapper, clause) -> Engine | None:
    """The snapshot for a pinned request's reads of the record's tables; accounts,
    sign-in sessions, proposals and revisions stay on the live database."""
    past = pinned()
    if past is not None and _reads_record(mapper, clause):
        return snapshot_engine(past)
    return None


Session.route = _route


def _reads_record(mapper, clause) -> bool:
    """Whether a statement (or a mapper's table) belongs to the record's tables; a bare
    connection request (no mapper, no clause) is for the record's queries too."""
    if mapper is not None:
        table = inspect(mapper).local_table
        return getattr(table, "name", None) in RECORD_TABLES
    if clause is None:
        return True
    return any(getattr(t, "name", None) in RECORD_TABLES for t in find_tables(clause))


# ---- building a snapshot ----

_ENGINES: OrderedDict[tuple[str, int, dt.datetime | None], Engine] = OrderedDict()
_ANCHORS: dict[Engine, Any] = {}
_LOCK = threading.Lock()
_NAMES = itertools.count(1)


def snapshot_engine(past: Pin) -> Engine:
    """The in-memory database of the record after revision `past` (built on first use)."""
    live, revision = db.engine, past.revision
    # The revision's time is in the key: emptying or restoring a database can reuse ids.
    key = (live.url.render_as_string(hide_password=True), revision, past.at)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            _ENGINES.move_to_end(key)
            return engine
    engine = _build(live, revision)
    with _LOCK:
        if key in _ENGINES:  # another thread built it meanwhile: keep theirs
            _drop(engine)
            return _ENGINES[key]
        _ENGINES[key] = engine
        while len(_ENGINES) > KEEP:
            _drop(_ENGINES.popitem(last=False)[1])
    return engine


def forget() -> None:
    """Drop every kept snapshot (a restore rewrites history; tests start afresh)."""
    from app.db import asof_index

    asof_index.forget()  # the as-of indexes of those versions go with them
    with _LOCK:
        while _ENGINES:
            _drop(_ENGINES.popitem()[1])


def _drop(engine: Engine) -> None:
    anchor = _ANCHORS.pop(engine, None)
    engine.dispose()
    if anchor is not None:
        anchor.close()  # the last connection: SQLite frees the database


def _build(live: Engine, revision: int) -> Engine:
    """Create the snapshot database and fill it from the live one."""
    # A named in-memory database shared by its connections: each thread gets its own
    # connection from the pool, and the anchor keeps the data alive between requests.
    name = f"file:atlas-known-{id(live)}-{revision}-{next(_NAMES)}"
    engine = sa.create_engine(
        f"sqlite:///{name}?mode=memory&cache=shared&uri=true",
        connect_args={"check_same_thread": False},
        poolclass=QueuePool,
    )
    anchor = engine.raw_connection()
    _ANCHORS[engine] = anchor
    target, copies = _loose_schema()
    with live.connect() as source:
        rows = _state(source, revision)
    with engine.begin() as conn:
        target.create_all(conn)
        for table in copies:
            if rows.get(table.name):
                conn.execute(table.insert(), rows[table.name])
    return engine


@functools.cache
def _loose_schema() -> tuple[sa.MetaData, list[sa.Table]]:
    """The record's tables for a snapshot, made once per process."""
    # Rebuilt as they stood, not re-validated: the rules of the day held when they were made.
    target = sa.MetaData()
    tables = [m.__table__ for m in MODELS.values()] + list(LINK_TABLES)
    return target, [_loose_copy(t, target) for t in tables]


def _loose_copy(table: sa.Table, target: sa.MetaData) -> sa.Table:
    """The table's columns and indexes, without constraints or foreign keys."""
    columns = [
        sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=True) for c in table.columns
    ]
    copy = sa.Table(table.name, target, *columns)
    for index in table.indexes:
        sa.Index(index.name, *(copy.c[c.name] for c in index.columns))
    return copy


def _state(conn, revision: int) -> dict[str, list[dict]]:
    """Rows of every record table (links included) after `revision`, as insertable dicts."""
    last = (
        select(Revision.entity, Revision.entity_id, func.max(Revision.id).label("last"))
        .where(Revision.id <= revision, Revision.entity.in_(list(MODELS)))
        .group_by(Revision.entity, Revision.entity_id)
        .subquery()
    )
    # The snapshots as text, parsed by orjson: several times faster than the JSON type's
    # own parsing, which dominated rebuilding a thousand sites.
    after_text = sa.cast(Revision.after, sa.Text)
    latest = conn.execute(
        select(Revision.entity, Revision.entity_id, after_text, Revision.at).join(
            last, Revision.id == last.c.last
        )
    )
    rows: dict[str, list[dict]] = {}
    for entity, entity_id, text, at in latest:
        after = orjson.loads(text) if text else None
        if not after:
            continue  # deleted by then
        rows.setdefault(entity, []).append(_row(entity, entity_id, after, at))
        for key, table, mine, other in _LINKS.get(entity, ()):
            rows.setdefault(table.name, []).extend(
                {mine: entity_id, other: i} for i in after.get(key) or ()
            )
    _search_texts(conn, rows.get("site", []))
    _untracked(conn, rows)
    return rows


def _untracked(conn, rows: dict[str, list[dict]]) -> None:
    """Add the rows (and their links) that no revision mentions: they were always there."""
    for entity, model in MODELS.items():
        tracked = select(Revision.entity_id).where(Revision.entity == entity)
        table = model.__table__
        found = [
            dict(r)
            for r in conn.execute(select(table).where(table.c.id.not_in(tracked))).mappings()
        ]
        if not found:
            continue
        rows.setdefault(entity, []).extend(found)
        ids = [r["id"] for r in found]
        for _key, link, mine, _other in _LINKS.get(entity, ()):
            rows.setdefault(link.name, []).extend(
                dict(r) for r in conn.execute(select(link).where(link.c[mine].in_(ids))).mappings()
            )


@functools.cache
def _plan(entity: str) -> tuple[tuple[str, str, Any, Any], ...]:
    """(snapshot key, column name, converter, default) for each column of a record table."""
    out = []
    for attr in inspect(MODELS[entity]).column_attrs:
        column = attr.columns[0]
        convert = (
            dt.datetime.fromisoformat
            if isinstance(column.type, DateTime)
            else dt.date.fromisoformat
            if isinstance(column.type, Date)
            else None
        )
        out.append((attr.key, column.name, convert, _default(column)))
    return tuple(out)


def _row(entity: str, entity_id: int, after: dict, at: dt.datetime | None) -> dict:
    """A revision's JSON snapshot as the row's column values."""
    out: dict[str, Any] = {}
    for key, name, convert, default in _plan(entity):
        if key in after:
            value = after[key]
            out[name] = convert(value) if convert and value is not None else value
        else:  # a column added after this revision was made, or bookkeeping
            out[name] = default() if callable(default) else default
    out["id"] = entity_id
    if "version" in out:
        out["version"] = 1
    if "updated_at" in out:
        out["updated_at"] = at
    return out


def _search_texts(conn, sites: list[dict]) -> None:
    """Each site's stored search names: today's where its names are unchanged (computing
    them normalises every name, the slowest part of a rebuild), else computed afresh."""
    names = ("name", "name_ar", "slug", "aliases")
    live = {
        r.id: r
        for r in conn.execute(select(Site.id, Site.search_text, *(getattr(Site, n) for n in names)))
    }
    for site in sites:
        now = live.get(site["id"])
        same = now is not None and all(getattr(now, n) == site.get(n) for n in names)
        site["search_text"] = (
            now.search_text if same else search.search_text(SimpleNamespace(**site))
        )


def _default(column: sa.Column) -> Any:
    """The column's Python default: a value, a callable making one (an empty list), or None."""
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_callable", False):
        return lambda: default.arg(None)
    return default.arg if getattr(default, "is_scalar", False) else None
