"""The as-of index: every site's periods in memory, one per data version, answering
:func:`app.db.queries.state_at` without a query.

Each worker process keeps its own; the database stays the truth. The first request of a
worker starts a full build in a background thread and is answered by the SQL path (as is
every request until the build is done), so no request waits for a build; the build is
the file another worker wrote when the change log leads from it (app.db.asof_files),
else one read from the database (then written to that file). After that,
each write logs the sites it changed (edited, new or deleted) and the actors and sources
it edited with the data version it made (table ``data_change``, in the write's own
transaction), and the next request of every worker, on any server, copies its index,
reloads only those sites, which it answers with the SQL path's own rule
(:func:`queries._state_row`), and patches those actors' labels and sources in place
wherever they show. A write that may change any site (an import, a restore, a bulk
update), a worker too far behind the log, or too many reloaded sites start a new full
build. A request pinned to a past revision uses the SQL path on its snapshot. Rows are
the same, field for field, as :func:`queries.compute_state_at`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from flask import Flask, current_app
from sqlalchemy import String, bindparam, cast, func, select, union

from app.core import asof_index, cache, clock, collector, timeline, vocabulary
from app.core.asof_index import Track
from app.core.bounds import Bound
from app.db import asof_files, freshness, queries, snapshot
from app.db.models import (
    Actor,
    ControlPeriod,
    DataChange,
    Site,
    Source,
    StatusPeriod,
    control_period_source,
)
from app.db.session_events import MOST_SITES, data_version
from app.extensions import db

__all__ = ["AsOfIndex", "index_for", "forget", "wait"]

_KEEP = 2  # the live version and the one before it while its requests finish
_MAX_OVERLAY = MOST_SITES  # sites reloaded since the last full build; past that, rebuild
# Sites a worker may reload after reading an index file rather than build in full.
_FILE_BEHIND = _MAX_OVERLAY // 4
# New sites and new slugs placed in the order of the answers one by one, each after the
# nearest of the _NEAREST sites before it; more, and the whole order is read again.
_FEW = 16
_NEAREST = 8

_lock = threading.Lock()
_apps = itertools.count(1)
_indexes: OrderedDict[Hashable, AsOfIndex] = OrderedDict()
_builds: dict[tuple, threading.Thread] = {}  # database → its running full build
_inline_lock = threading.Lock()

_NO_BOUND = (None, None, None)
_NO_ACTOR = (None, None, None, None, None)
# A control row's labels of its holder, in the order of the actors' tuples (_ACTORS).
_CONTROLLER_KEYS = ("controller", "controller_name", "controller_name_ar", "controller_short_ar",
                    "controller_colour")  # fmt: skip
# A row's site fields, in the order of queries._state_row (JSON keeps the order).
_ROW_SITE_KEYS = ("slug", "name", "name_ar", "country", "kind", "crossing", "lon", "lat",
                  "location_precision", "tracked")  # fmt: skip


def index_for(version: tuple) -> AsOfIndex | None:
    """The index of data version `version` (as data_version() gives it), or None when the
    caller should ask the database (being built, pinned to a past revision, or off)."""
    mode = current_app.config.get("ASOF_INDEX", "background")
    if mode == "off" or not isinstance(version[0], int):
        return None
    database = _database()
    key = (database, *version)
    with _lock:
        found = _indexes.get(key)
        if found is not None:
            _indexes.move_to_end(key)
            return found
        base = _newest(database, version[0])
    if base is not None:
        # Outside the lock: reloading sites must not hold up readers of a built version.
        changes = _changes_since(base.version, version[0])
        if changes is not None:
            index = base.updated(key, changes)
            _keep(index)
            if len(index.overlay) > _MAX_OVERLAY:
                _build(database)  # compact; this index answers meanwhile
            return index
    if mode == "inline":
        return _build_here(key)
    _build(database)
    return None


def forget() -> None:
    """Drop every index (a restore rewrites history; tests start afresh)."""
    wait()
    with _lock:
        _indexes.clear()
    cache.reserve("as-of index", 0)


def wait() -> None:
    """Wait for the running full builds to finish."""
    with _lock:
        running = list(_builds.values())
    for thread in running:
        thread.join()


def _database() -> tuple[str, int]:
    """The database's address and this app's number: tests empty a database (its version
    starts again) under a new app, so an index never outlives its app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        if "asof_index" not in app.extensions:
            app.extensions["asof_index"] = next(_apps)
        number = app.extensions["asof_index"]
    return db.engine.url.render_as_string(hide_password=True), number


def _newest(database: tuple, version: int) -> AsOfIndex | None:
    """The kept index of `database` older than `version` that leaves the fewest sites to
    answer from reloaded rows (under the lock): a full build that finished after a newer
    version was updated by site may be the better base."""
    older = [i for i in _indexes.values() if i.version[0] == database and i.version[1] < version]
    # About one site per write since the index, plus the sites it has reloaded already.
    return min(
        older, key=lambda i: (len(i.overlay) + version - i.version[1], -i.version[1]), default=None
    )


def _keep(index: AsOfIndex) -> None:
    with _lock:
        _indexes[index.version] = index
        _indexes.move_to_end(index.version)
        while len(_indexes) > _KEEP:
            _indexes.popitem(last=False)
        # Versions updated by site share their arrays: count each full build once.
        held = sum({id(i.c): i.footprint for i in _indexes.values()}.values())
    cache.reserve("as-of index", held)


class _Changes(NamedTuple):
    """What versions after an index changed: sites to reload, actors and sources to patch."""

    sites: set[int]
    actors: set[int]
    sources: set[int]


def _changes_since(base: tuple, new: int) -> _Changes | None:
    """What versions after the index `base` up to `new` changed, from the change log;
    None when one of them may have changed any site or is not logged, or when `base`
    itself is not (its version number may have been counted again since)."""
    _database, old, changed_at = base
    rows = db.session.connection().execute(_CHANGES, {"old": old, "new": new}).all()
    logged = {row[0]: row[1:] for row in rows}
    if len(logged) != new - old + 1 or logged[old][0] != changed_at:
        return None
    out = _Changes(set(), set(), set())
    for version in range(old + 1, new + 1):
        _when, *columns = logged[version]
        if columns[0] is None:
            return None
        for ids, text in zip(out, columns, strict=True):
            ids.update(int(i) for i in (text or "").split(",") if i)
    return out


_CHANGES = select(
    DataChange.version, DataChange.changed_at, DataChange.sites, DataChange.actors,
    DataChange.sources,
).where(DataChange.version >= bindparam("old"), DataChange.version <= bindparam("new"))  # fmt: skip


def _build_here(key: tuple) -> AsOfIndex:
    """Build the index of `key` with the request's own session (its reads are what the
    SQL path would read), one request at a time: the others wait for it, holding no
    more database connections than they had."""
    with _inline_lock:
        with _lock:
            found = _indexes.get(key)
        if found is None:
            found = AsOfIndex.load(key)
            _keep(found)
        return found


def _build(database: tuple) -> None:
    """Start a full build of the database's index in a thread, unless one is running."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        if database in _builds:
            return
        thread = _builds[database] = threading.Thread(
            target=_full_build, args=(app, database), name="asof-index-build", daemon=True
        )
        thread.start()


def _full_build(app: Flask, database: tuple) -> None:
    """Keep an index of the newest version: the database's file when the change log
    leads from it to now, else a full build read in one snapshot (then written to the
    file), one worker of the machine at a time."""
    try:
        with app.app_context():
            where = asof_files.folder()
            _keep(_built(database) if where is None else _shared(where, database))
    except Exception:  # the SQL path answers instead; say why once in the log
        app.logger.exception("as-of index: full build failed")
    finally:
        with _lock:
            _builds.pop(database, None)


def _built(database: tuple) -> AsOfIndex:
    """A full build of the newest version, read in one snapshot."""
    with snapshot.session(db.session()):
        return AsOfIndex.load((database, *data_version(db.session)))


def _shared(where: Path, database: tuple) -> AsOfIndex:
    """The database's file if it will do, else a full build written to it, one worker of
    the machine at a time (one that waited reads the file the builder wrote)."""
    index = _from_file(where, database)
    if index is not None:
        return index
    with asof_files.building(where, database[0]) as waited:
        index = _from_file(where, database) if waited else None
        if index is None:
            index = _built(database)
            try:
                asof_files.write(where, database[0], *index.to_file())
            except OSError:  # the index is kept all the same
                current_app.logger.warning("as-of index: could not write its file", exc_info=True)
    return index


def _from_file(where: Path, database: tuple) -> AsOfIndex | None:
    """The index in the database's file, if the change log leads from it to now through
    few sites (a build that compacts an index with many reloaded sites must not start
    again from a file further behind). Its version is checked before the index is made."""
    try:
        found = asof_files.read(where, database[0])
        if found is None or not _close_behind(AsOfIndex.file_version(database, found[1])):
            return None
        return AsOfIndex.from_file(database, *found)
    except Exception:  # a cache: whatever is wrong with it, build instead
        current_app.logger.warning("as-of index: file unreadable, building", exc_info=True)
        return None


def _close_behind(version: tuple) -> bool:
    """Whether the change log leads from `version` to now through at most _FILE_BEHIND
    sites."""
    now = data_version(db.session)[0]
    assert isinstance(now, int)
    changes = _changes_since(version, now) if now >= version[1] else None
    db.session.rollback()  # the build's snapshot, if any, starts afresh
    return changes is not None and len(changes.sites) <= _FILE_BEHIND


class AsOfIndex:
    """Sites, their control and status periods as Tracks, and the periods' payload."""

    def __init__(self, version: tuple):
        """Use :meth:`load`."""
        self.version = version
        self.sites: list[tuple] = []  # (id, *_ROW_SITE_KEYS values), in the SQL path's order
        self.position: dict[int, int] = {}  # site id → position
        self.last_verified: list[str | None] = []
        self.control = Track.build(0, [], [], [], [], [])
        self.status = Track.build(0, [], [], [], [], [])
        self.bounds: list[Bound] = []
        self.bound_fields: list[tuple] = []  # (iso earliest, precision, text) by bound
        # A transition window's fields by bound (queries.window_fields).
        self.windows: dict[int, dict] = {}
        # A transition's actors' part by (actor indices…, edges): built once, as the
        # windows are (a new dict when actors' labels change).
        self.between: dict[tuple, dict] = {}
        self.start_days: list[tuple[int, int]] = [asof_index.start_days(None)]
        self.end_days: list[tuple[int, int]] = [asof_index.end_days(None)]
        # By bound, as arrays: the certain start and the certain end days.
        self.certain_start = np.array([self.start_days[0][1]], dtype=np.int32)
        self.certain_end = np.array([self.end_days[0][0]], dtype=np.int32)
        self.bound_qualified = np.zeros(1, dtype=bool)
        self.actors: list[tuple] = []  # (slug, name, name_ar, short_ar, colour)
        self.actor_at: dict[int | None, int] = {None: -1}  # actor id → its place in actors
        self.values: list = []  # interned notes, confidences and statuses
        self.sources: dict[int, dict] = {}  # source id → the dict its sets hold
        # The sets' source ids, set after set, and where each set starts in them: a set
        # made again (or sorted again) without looking at the sets.
        self.set_ids = np.zeros(0, dtype=np.int32)
        self.set_starts = np.zeros(1, dtype=np.int64)
        # The same the other way round (_citing): the sets that cite each source, source
        # after source; the cited source ids, in order; where each one's run starts.
        self.citing = np.zeros(0, dtype=np.int32)
        self.cited_ids = np.zeros(0, dtype=np.int32)
        self.citing_starts = np.zeros(1, dtype=np.int64)
        self.c = _Payload()
        self.s = _Payload()
        # The labels above as object arrays, gathered for thousands of rows at once; the
        # sets of cited sources live only there (source_sets).
        self.gather = _Gather.of(self, [])
        # Positions in the order of the answers once sites were added or deleted after
        # the full build (None: position order).
        self.order: list[int] | None = None
        # Sites reloaded after a write, answered by the SQL path's rule: site id → (the
        # site as in self.sites, its control rows, status rows, cited, last verified).
        self.overlay: dict[int, _Reloaded] = {}
        # Estimated bytes, set aside from RESPONSE_CACHE_MB while the index is kept (the
        # sources the sets point to belong to the source cache).
        self.footprint = 0
        # The last day's (held, status held, slow, rows by position, slow sites' reasons,
        # answer): the next day starts from them.
        self._previous: tuple | None = None

    # ---- building -----------------------------------------------------------------------

    @classmethod
    @collector.paused()  # its interned tuples and bounds are acyclic, like a date's rows
    def load(cls, version: tuple) -> AsOfIndex:
        """Read every site and period of the session's view into a new index."""
        self = cls(version)
        conn = db.session.connection()
        for r in conn.execute(queries._SITE_STATEMENT):
            self.position[r[0]] = len(self.sites)
            self.sites.append(_site(r))
        verified = freshness.last_verified_by_site()
        self.last_verified = [clock.iso_day(verified.get(s[0])) for s in self.sites]
        actor_at = self.actor_at
        for r in conn.execute(_ACTORS):
            actor_at[r[0]] = len(self.actors)
            self.actors.append(tuple(r[1:]))
        bound_at = self._load_bounds(conn)
        value_at: dict = {}
        set_at: dict[str | None, int] = {None: -1}
        set_ids: list[list[int]] = []  # each new set's source ids, for self.set_ids
        sets: list[tuple[dict, ...]] = []  # the sets themselves, for self.gather
        self.sources = queries.sources_by_id()
        keys = _published_keys(self.sources)
        cp, link = ControlPeriod, control_period_source
        ids = cast(link.c.source_id, String)
        joined = (
            func.string_agg(ids, ",")
            if conn.dialect.name == "postgresql"
            else func.group_concat(ids, ",")
        )
        # Both in period id order, merged as they come: no period's sources wait in a dict.
        cited_chunks = _fetch(
            conn,
            select(link.c.control_period_id, joined)
            .group_by(link.c.control_period_id)
            .order_by(link.c.control_period_id),
            "asof_cited",
        )
        cited = itertools.chain.from_iterable(cited_chunks)
        next_cited = next(cited, None)
        parts = []
        for rows in _fetch(
            conn,
            select(
                cp.site_id, cp.id, cp.start_edtf, cp.end_edtf, cp.actor_id, cp.challenger_id,
                cp.contested, cp.confidence, cp.note,
            ).order_by(cp.id),
            "asof_control",
        ):  # fmt: skip
            cols = list(zip(*rows, strict=True))
            texts = []
            for period_id in cols[1]:
                while next_cited is not None and next_cited[0] < period_id:
                    next_cited = next(cited, None)
                texts.append(next_cited[1] if next_cited and next_cited[0] == period_id else None)
            part = self._payload(cols, bound_at)
            part.actor = np.array([actor_at[a] for a in cols[4]], dtype=np.int16)
            part.challenger = np.array([actor_at[a] for a in cols[5]], dtype=np.int16)
            part.contested = np.array(cols[6], dtype=bool)
            part.confidence = self._interned(cols[7], value_at)
            part.note = self._interned([n or "" for n in cols[8]], value_at)
            part.sources = self._source_sets(texts, set_at, keys, set_ids, sets)
            parts.append(part)
        cited_chunks.close()
        self.c = _Payload.joined(parts, _CONTROL_COLUMNS)
        self.set_starts = np.cumsum([0, *map(len, set_ids)], dtype=np.int64)
        self.set_ids = np.fromiter(itertools.chain.from_iterable(set_ids), dtype=np.int32)
        self.citing, self.cited_ids, self.citing_starts = _citing(self.set_ids, self.set_starts)
        sp = StatusPeriod
        parts = []
        stmt = select(sp.site_id, sp.id, sp.start_edtf, sp.end_edtf, sp.status)
        for rows in _fetch(conn, stmt, "asof_status"):
            cols = list(zip(*rows, strict=True))
            part = self._payload(cols, bound_at)
            part.status = self._interned(cols[4], value_at)
            parts.append(part)
        self.s = _Payload.joined(parts, _STATUS_COLUMNS)
        for payload, value in ((self.c, self.c.actor), (self.s, self.s.status)):
            payload.first_start, payload.last_end = _holds(payload, value)
        # One trailing row that no Track points at: gathers for "no holder" (index 0 after
        # np.maximum(held, 0)) stay in range when a kind of period has no rows at all.
        for payload in (self.c, self.s):
            for name, column in vars(payload).items():
                setattr(payload, name, np.append(column, -1).astype(column.dtype))
        self._bound_days()
        self.gather = _Gather.of(self, sets)
        self.control = self._track(self.c)
        self.status = self._track(self.s)
        self._measure()
        return self

    def _bound_days(self) -> None:
        """What answers read of each bound, by bound index (-1, the last: none)."""
        self.bound_qualified = np.array([b.qualified for b in self.bounds] + [False], dtype=bool)
        self.bound_fields = [(clock.iso_day(b.earliest), b.precision, b.text) for b in self.bounds]
        # (possible, certain) start and (certain, possible) end days by bound; -1: none.
        self.start_days = [*map(asof_index.start_days, self.bounds), asof_index.start_days(None)]
        self.end_days = [*map(asof_index.end_days, self.bounds), asof_index.end_days(None)]
        self.certain_start = np.array([d[1] for d in self.start_days], dtype=np.int32)
        self.certain_end = np.array([d[0] for d in self.end_days], dtype=np.int32)

    def _measure(self) -> None:
        self.footprint = self.nbytes + sum(
            cache.approx_size(part)
            for part in (self.sites, self.position, self.last_verified, self.bounds,
                         self.bound_fields, self.start_days, self.end_days, self.values)
        ) + sum(map(sys.getsizeof, self.source_sets)) + self.gather.nbytes  # fmt: skip

    @property
    def source_sets(self) -> np.ndarray:
        """The sets of cited sources, in published order, by the index a payload holds."""
        return self.gather.sets[:-1]

    # ---- files (app.db.asof_files) --------------------------------------------------------

    def to_file(self) -> tuple[dict[str, np.ndarray], dict]:
        """A full build as NumPy arrays and JSON-ready rest, for :meth:`from_file`."""
        assert self.order is None and not self.overlay, "only a full build is written"
        arrays = {name: getattr(self, name) for name in _SET_ARRAYS}
        for prefix, payload in (("c.", self.c), ("s.", self.s)):
            arrays |= {prefix + name: column for name, column in vars(payload).items()}
        for name in _TRACKS:
            track = getattr(self, name)
            arrays |= {f"{name}.{slot}": getattr(track, slot) for slot in _TRACK_ARRAYS}
        _database, number, changed_at = self.version
        rest = {
            "version": [number, changed_at.isoformat() if changed_at else None],
            "sites": self.sites,
            "last_verified": self.last_verified,
            "bounds": [
                [b.text, clock.iso_day(b.earliest), clock.iso_day(b.latest)] for b in self.bounds
            ],  # fmt: skip
            "actors": self.actors,
            "actor_at": [[i, at] for i, at in self.actor_at.items() if i is not None],
            "values": self.values,
            "sources": list(self.sources.items()),
        }
        return arrays, rest

    @staticmethod
    def file_version(database: tuple, rest: dict) -> tuple:
        """The version key (as index_for keys it) of the index :meth:`to_file` wrote."""
        number, changed_at = rest["version"]
        return database, number, changed_at and dt.datetime.fromisoformat(changed_at)

    @classmethod
    @collector.paused()
    def from_file(cls, database: tuple, arrays: dict[str, np.ndarray], rest: dict) -> AsOfIndex:
        """The index :meth:`to_file` wrote, for `database` (as index_for keys it)."""
        self = cls(cls.file_version(database, rest))
        self.sites = [tuple(site) for site in rest["sites"]]
        self.position = {site[0]: at for at, site in enumerate(self.sites)}
        self.last_verified = rest["last_verified"]
        self.bounds = [Bound(text, _date(a), _date(b)) for text, a, b in rest["bounds"]]
        self._bound_days()
        self.actors = [tuple(actor) for actor in rest["actors"]]
        self.actor_at = {None: -1, **dict(rest["actor_at"])}
        self.values = rest["values"]
        self.sources = dict(rest["sources"])
        for name in _SET_ARRAYS:
            setattr(self, name, arrays[name])
        ids, starts, get = self.set_ids.tolist(), self.set_starts.tolist(), self.sources.__getitem__
        sets = [tuple(map(get, ids[a:b])) for a, b in itertools.pairwise(starts)]
        for payload, prefix, names in ((self.c, "c.", _CONTROL_COLUMNS),
                                       (self.s, "s.", _STATUS_COLUMNS)):  # fmt: skip
            for name in (*names, *_HOLD_COLUMNS):
                setattr(payload, name, arrays[prefix + name])
        for name in _TRACKS:
            columns = {slot: arrays[f"{name}.{slot}"] for slot in _TRACK_ARRAYS}
            setattr(self, name, Track(len(self.sites), **columns))
        self.gather = _Gather.of(self, sets)
        self._measure()
        return self

    def _load_bounds(self, conn) -> dict[str | None, int]:
        """Every distinct bound of every period, as self.bounds; text → its index (None:
        no bound, -1). A bound's days follow from its text (the app stores both)."""
        parts = [
            select(
                getattr(model, f"{side}_edtf"),
                getattr(model, f"{side}_earliest"),
                getattr(model, f"{side}_latest"),
            ).where(getattr(model, f"{side}_edtf").is_not(None))
            for model in (ControlPeriod, StatusPeriod)
            for side in ("start", "end")
        ]
        bound_at: dict[str | None, int] = {None: -1}
        rows = itertools.chain.from_iterable(_fetch(conn, union(*parts), "asof_bounds"))
        for text, earliest, latest in rows:
            if text not in bound_at:
                bound_at[text] = len(self.bounds)
                self.bounds.append(Bound(text, _date(earliest), _date(latest)))
        return bound_at

    def _source_sets(
        self,
        cited: Iterable[str | None],
        set_at: dict[str | None, int],
        keys: dict[int, tuple],
        set_ids: list[list[int]],
        sets: list[tuple[dict, ...]],
    ) -> np.ndarray:
        """Interned sets of cited sources (-1: none) from their ids joined by commas, each
        set sorted as the SQL path sorts it (keys: _published_keys of self.sources); each
        new set is appended to `sets`, its ids to `set_ids`."""
        sources = self.sources
        out = []
        for text in cited:
            found = set_at.get(text)
            if found is None:
                assert text is not None
                ids = sorted(map(int, text.split(",")), key=keys.__getitem__)
                found = set_at[text] = len(sets)
                sets.append(tuple(sources[i] for i in ids))
                set_ids.append(ids)
            out.append(found)
        return np.array(out, dtype=np.int32)

    def _payload(self, cols: list, bound_at: dict[str | None, int]) -> _Payload:
        """Site positions, ids and bounds of one kind of period, from its columns."""
        out = _Payload()
        position = self.position
        out.site = np.array([position[s] for s in cols[0]], dtype=np.int32)
        out.period_id = np.array(cols[1], dtype=np.int64)
        out.start = np.array([bound_at[t] for t in cols[2]], dtype=np.int32)
        out.end = np.array([bound_at[t] for t in cols[3]], dtype=np.int32)
        return out

    def _interned(self, items, value_at: dict) -> np.ndarray:
        """Indices into self.values of `items` (notes, statuses: few distinct values)."""
        out = []
        for item in items:
            found = value_at.get(item)
            if found is None:
                found = value_at[item] = len(self.values)
                self.values.append(item)
            out.append(found)
        return np.array(out, dtype=np.int32)

    def _track(self, p: _Payload) -> Track:
        """The Track of a payload: its bounds' days, looked up by bound index."""
        # Index -1 ("no bound") reads the last entry of start_days and end_days.
        starts, ends = np.array(self.start_days), np.array(self.end_days)
        size = len(p.site) - 1  # without the trailing row
        start, end = starts[p.start[:size]], ends[p.end[:size]]
        return Track.build(
            len(self.sites), p.site[:size], start[:, 0], start[:, 1], end[:, 0], end[:, 1]
        )

    @collector.paused()  # like a full build's, what it makes is acyclic and lasts
    def updated(self, version: tuple, changes: _Changes) -> AsOfIndex:
        """A copy for `version` that reloads the changed sites only (their periods and
        their own fields), takes in new sites and drops deleted ones, and patches the
        edited actors and sources where they show."""
        site_ids = set(changes.sites)
        new = object.__new__(AsOfIndex)
        new.__dict__.update(self.__dict__)
        if changes.actors or changes.sources:
            if changes.actors - self.actor_at.keys() or changes.sources - self.sources.keys():
                site_ids |= set(self.overlay)  # added after the full build: no old labels
            new._patch_actors(changes.actors)
            new._patch_sources(changes.sources)
        reloaded = _reload(site_ids)
        gone = {s for s, r in reloaded.items() if r[0] is None}
        if gone or any(r[0] is not None and self._slug(s) != r[0][1] for s, r in reloaded.items()):
            new._relist(reloaded, gone)
        overlay = {**new.overlay, **reloaded}
        new.overlay = {s: r for s, r in overlay.items() if s not in gone}
        new.version, new._previous = version, None
        return new

    def _slug(self, site_id: int) -> str | None:
        """The site's slug as this index answers it (None: not in it)."""
        reloaded = self.overlay.get(site_id)
        if reloaded is not None:
            return reloaded[0][1]
        pos = self.position.get(site_id)
        return None if pos is None else self.sites[pos][1]

    def _relist(self, reloaded: dict[int, _Reloaded], gone: set[int]) -> None:
        """Take in new sites and drop deleted ones (copies: older versions keep theirs).
        New sites go after the built ones, answered from their reloaded rows; in the
        order of the answers (by slug, as the database sorts) they and new slugs are
        placed after the site before them."""
        self.sites, self.last_verified = list(self.sites), list(self.last_verified)
        before = self.position
        self.position = {s: p for s, p in before.items() if s not in gone}
        moved: dict[int, str] = {}  # new sites and new slugs, to be placed in the order
        for site_id, (fields, *_rows, verified) in reloaded.items():
            if fields is None:
                continue
            if site_id not in before:
                self.position[site_id] = len(self.sites)
                self.sites.append(fields)
                self.last_verified.append(verified)
                moved[site_id] = fields[1]
            elif self._slug(site_id) != fields[1]:
                moved[site_id] = fields[1]
        leaving = {before[s] for s in [*gone, *moved] if s in before}
        order = range(len(before)) if self.order is None else self.order
        self.order = [p for p in order if p not in leaving]
        if not moved:
            return
        conn = db.session.connection()
        if len(moved) == 1:
            placing = [*moved]
        elif len(moved) <= _FEW:
            placing = conn.scalars(_in_order(), {"sites": [*moved]}).all()
        else:
            placing = []
        # In slug order: a moved site before another is placed by the time it is needed.
        if len(placing) < len(moved) or not all(
            self._place(conn, self.position[s], moved[s]) for s in placing
        ):
            # Many, or made, renamed or deleted again meanwhile: read the whole order.
            ids = conn.scalars(queries._SITE_STATEMENT.with_only_columns(Site.id))
            # A site made or deleted by a newer version waits for that version's update.
            self.order = [self.position[i] for i in ids if i in self.position]

    def _place(self, conn, pos: int, slug: str) -> bool:
        """Put the site at `pos` with `slug` in the order after the nearest site before it
        that the order holds (not one still to be placed, nor one a newer version made);
        False when none of the few nearest is there."""
        assert self.order is not None
        for i in (nearest := conn.scalars(_before_slug(), {"slug": slug}).all()):
            at = self.position.get(i)
            if at is not None and at in self.order:
                self.order.insert(self.order.index(at) + 1, pos)
                return True
        if len(nearest) == _NEAREST:
            return False
        self.order.insert(0, pos)  # nothing before it that the order holds
        return True

    def _patch_actors(self, ids: set[int]) -> None:
        """Replace the labels of these actors (a copy of the list: older versions keep
        theirs). An actor added after the full build shows only at reloaded sites."""
        known = [i for i in ids if i in self.actor_at]
        if not known:
            return
        old, self.actors, self.between = self.actors, list(self.actors), {}
        for r in db.session.connection().execute(_ACTORS.where(Actor.id.in_(known))):
            self.actors[self.actor_at[r[0]]] = tuple(r[1:])
        self.gather = self.gather._replace(**_Gather.actor_arrays(self.actors))
        # Reloaded rows carry the labels of when they were read: the old ones (slugs are
        # unique, so the old slug names the actor).
        relabel = {
            old[at][0]: self.actors[at]
            for at in map(self.actor_at.__getitem__, known)
            if old[at] != self.actors[at]
        }
        if relabel:
            self.overlay = {s: _relabelled(r, relabel) for s, r in self.overlay.items()}

    def _patch_sources(self, ids: set[int]) -> None:
        """Replace these sources in every cited set that holds them, each set sorted again
        if their dates or refs changed (copies: older versions keep theirs)."""
        known = [i for i in ids if i in self.sources]
        if not known:
            return
        rows = db.session.scalars(select(Source).where(Source.id.in_(known))).all()
        sources = {**self.sources, **{s.id: queries.source_dict(s) for s in rows}}
        for i in set(known) - {s.id for s in rows}:
            del sources[i]  # deleted meanwhile (its citations went first): cited nowhere
        old_keys = _published_keys({i: self.sources[i] for i in known})
        keys = _published_keys(sources)
        resort = any(keys.get(i) != old_keys[i] for i in known)
        starts = self.set_starts
        # The sets that hold them, in order, and every slot of those sets, set after set.
        hit = self._sets_citing(known)
        lengths = starts[hit + 1] - starts[hit]
        ends = np.cumsum(lengths)
        slots = np.repeat(starts[hit] - ends + lengths, lengths) + np.arange(lengths.sum())
        members = self.set_ids[slots]
        set_ids = self.set_ids
        if resort and len(members):
            # Each set sorted by its sources' places in print order, deleted ones last (-1).
            place = np.full(max(members.max(), max(sources)) + 2, len(sources), dtype=np.int64)
            place[sorted(sources, key=keys.__getitem__)] = np.arange(len(sources))
            members = members[np.lexsort((place[members], np.repeat(np.arange(len(hit)), lengths)))]
            members[place[members] == len(sources)] = -1
            set_ids = set_ids.copy()  # older versions keep theirs
            set_ids[slots] = members
        # Each set made again from its ids, all in one go, and put in place in a copy of the
        # sets; an id read as None (-1, or deleted meanwhile) is dropped.
        members_read = list(map(sources.get, members.tolist()))
        made = [tuple(members_read[a:b]) for a, b in itertools.pairwise([0, *ends.tolist()])]
        if None in members_read:
            made = [tuple(filter(None, s)) for s in made]
        gathered = self.gather.sets.copy()
        gathered[hit] = _objects(made)
        self.gather = self.gather._replace(sets=gathered)
        # Reloaded rows cite the sources as they were read: the old dicts.
        swap = [(self.sources[i], sources.get(i)) for i in known]
        self.overlay = {s: _recited(r, swap, resort) for s, r in self.overlay.items()}
        self.sources, self.set_ids = sources, set_ids

    def _sets_citing(self, ids: list[int]) -> np.ndarray:
        """The sets that cite any of these sources, in order. A set keeps its place in
        `citing` when its sources are sorted again or one is deleted (its id is then
        asked for no more), so `citing` holds for every version of the index."""
        at = np.searchsorted(self.cited_ids, ids)
        runs = [
            self.citing[self.citing_starts[k] : self.citing_starts[k + 1]]
            for k, i in zip(at.tolist(), ids, strict=True)
            if k < len(self.cited_ids) and self.cited_ids[k] == i
        ]
        if len(runs) == 1:
            return runs[0]  # in order already, each set once
        return np.unique(np.concatenate([np.zeros(0, dtype=np.int32), *runs]))

    @property
    def nbytes(self) -> int:
        """Bytes of the NumPy arrays (the periods; sites and interned values are extra)."""
        arrays = [a for p in (self.c, self.s) for a in vars(p).values()]
        arrays += [getattr(self, name) for name in _SET_ARRAYS]
        return self.control.nbytes + self.status.nbytes + sum(a.nbytes for a in arrays)

    # ---- answering ------------------------------------------------------------------------

    def rows(self, day: dt.date) -> list[dict]:
        """state_at rows for `day`: compute_state_at's answer, from memory.

        A site that holds the same periods as on the day asked before, outside any
        window, keeps that day's row (rows are read-only): a slider moving by days or
        months rebuilds only the sites whose periods change. The day asked before is
        answered with its own list (another reader of the same date).
        """
        d = day.toordinal()
        previous = self._previous  # read once: another thread may replace it
        if previous is not None and previous[0] == d:
            return previous[6]
        held, c_slow = self.control.lookup(d)
        s_held, s_slow = self.status.lookup(d)
        added = len(self.sites) - self.control.n_sites
        if added:  # sites added since the full build, all answered from reloaded rows
            held, s_held = (np.append(a, np.full(added, -1, dtype=a.dtype)) for a in (held, s_held))
        slow = np.zeros(len(self.sites), dtype=bool)
        slow[c_slow] = True
        slow[s_slow] = True
        slow[[self.position[site] for site in self.overlay]] = True
        if previous is None:
            out: list[dict] = [_TEMPLATE] * len(self.sites)
            todo = np.flatnonzero(~slow)
            p_decided: dict[int, tuple] = {}
            p_rows: Sequence[dict] = _SiteRows(self.sites, self.last_verified)
            reuse = None
        else:
            self._previous = None  # from here on, no other reader takes the day's rows
            reuse = _unshared(previous)
            _day, p_held, p_status, p_slow, p_rows, p_decided, _answer = previous
            out = list(p_rows)
            todo = np.flatnonzero(~slow & ((held != p_held) | (s_held != p_status) | p_slow))
        with collector.paused():
            slow_rows, decided = self._slow_rows(
                day, d, np.flatnonzero(slow).tolist(), p_decided, p_rows, reuse
            )
            for pos, row in slow_rows.items():
                out[pos] = row
            self._held_rows(out, todo, held[todo], s_held[todo], p_rows, reuse)
        # The answer is a list of its own: `out` stays this index's (see _unshared).
        answer = list(out) if self.order is None else [out[pos] for pos in self.order]
        self._previous = (d, held, s_held, slow, out, decided, answer)
        return answer

    def _held_rows(
        self,
        out: list[dict] | dict[int, dict],
        todo: np.ndarray,
        held: np.ndarray,
        s_held: np.ndarray,
        before: Sequence[dict],
        reuse: list[bool] | None = None,
    ) -> None:
        """Rows of the sites at positions `todo`, each held by at most one period of each
        kind that certainly applies (held, s_held: their rows, -1 for none).

        Each row starts as the site's row in `before` (by position): its site fields
        stay, every other field is set again. That row itself when `reuse` says nothing
        else holds it, else a copy: either is cheaper than a new row of the site (its 11
        site fields set one by one), and a row set again is neither allocated nor freed.
        """
        if reuse is None:
            reuse = [False] * len(before)
        c, s, g = self.c, self.s, self.gather
        at = np.maximum(held, 0)
        uncertain = (self._qualified(c.start[at]) | self._qualified(c.end[at])).tolist()
        own_start = g.fields[c.start[at]].tolist()  # the held period's own (its record key)
        # Since and until are the hold's (timeline.hold), not only the period's.
        start, end = c.first_start[at], c.last_end[at]
        s_at = np.maximum(s_held, 0)
        statuses = g.values[np.where(s_held >= 0, s.status[s_at], -1)].tolist()
        s_since = g.fields[np.where(s_held >= 0, s.first_start[s_at], -1)].tolist()
        unknown = _UNKNOWN_ROW
        for pos, h, a, ch, con, conf, note, pid, own, srcs, sb, eb, unc, st, ss in zip(
            todo.tolist(),
            held.tolist(),
            g.actors[c.actor[at]].tolist(),
            g.slugs[c.challenger[at]].tolist(),
            c.contested[at].tolist(),
            g.values[c.confidence[at]].tolist(),
            g.values[c.note[at]].tolist(),
            c.period_id[at].tolist(),
            own_start,
            g.sets[c.sources[at]].tolist(),
            g.fields[start].tolist(),
            g.fields[end].tolist(),
            uncertain,
            statuses,
            s_since,
            strict=True,
        ):
            row = before[pos]
            if not reuse[pos]:
                row = row.copy()
            out[pos] = row
            row["status"] = st
            row["status_since"], row["status_since_precision"], row["status_since_edtf"] = ss
            row["status_transition"] = None
            if h < 0:
                row.update(unknown)
                continue
            (row["controller"], row["controller_name"], row["controller_name_ar"],
             row["controller_short_ar"], row["controller_colour"]) = a  # fmt: skip
            row["since"], row["since_precision"], row["since_edtf"] = sb
            row["until"], row["until_precision"], row["until_edtf"] = eb
            row["uncertain"] = unc
            row["transition"] = None
            row["contested"] = con
            row["challenger"] = ch
            row["confidence"] = conf
            row["note"] = note
            row["period_id"] = pid
            row["period_start"] = own[2]
            row["sources"] = srcs

    def _qualified(self, bound: np.ndarray) -> np.ndarray:
        return self.bound_qualified[bound]  # -1 (no bound) reads the trailing False

    def _slow_rows(
        self,
        day: dt.date,
        d: int,
        positions: list[int],
        before: dict[int, tuple],
        before_rows: Sequence[dict],
        reuse: list[bool] | None = None,
    ) -> tuple[dict[int, dict], dict[int, tuple]]:
        """Sites with several periods that may apply, or one that may and not certainly:
        timeline.answer's rule on their candidates (the few sites in a window). Returns
        the rows and, by position, (what decided the row, the row): a site decided by
        the same things as in `before` (the day asked before) keeps that row
        (`before_rows` and `reuse`: that day's rows, as in _held_rows)."""
        out: dict[int, dict] = {}
        decided: dict[int, tuple] = {}
        plain = positions
        if self.overlay:  # sites reloaded after a write: the SQL path's rule
            plain = []
            for pos in positions:
                reloaded = self.overlay.get(self.sites[pos][0])
                if reloaded is not None:
                    out[pos] = self._reloaded_row(day, reloaded)
                else:
                    plain.append(pos)
        c, s, g = self.c, self.s, self.gather
        c_found = self.control.candidates_of(plain, d)
        s_found = self.status.candidates_of(plain, d)
        # Every candidate's fields at once, flat in the sites' order (each site's
        # candidates in start order): per site, a run of `len(found)` of them.
        c_flat = np.fromiter(itertools.chain.from_iterable(c_found), dtype=np.int64)
        s_flat = np.fromiter(itertools.chain.from_iterable(s_found), dtype=np.int64)
        c_start, c_end = c.start[c_flat], c.end[c_flat]
        begun = (self.certain_start[c_start] <= d).tolist()  # else before its certain start
        ended = (self.certain_end[c_end] <= d).tolist()  # at or after its certain end
        actor, cites = c.actor[c_flat].tolist(), c.sources[c_flat].tolist()
        # A window's marks are its candidates' (timeline.window_marks).
        contested, levels = c.contested[c_flat].tolist(), g.values[c.confidence[c_flat]].tolist()
        c_start, c_end = c_start.tolist(), c_end.tolist()
        s_start, s_end = s.start[s_flat], s.end[s_flat]
        s_begun, s_ended = self.certain_start[s_start] <= d, self.certain_end[s_end] <= d
        s_holds = (s_begun & ~s_ended).tolist()
        s_begun, s_ended = s_begun.tolist(), s_ended.tolist()
        s_status = g.values[s.status[s_flat]].tolist()
        s_since = g.fields[s.first_start[s_flat]].tolist()  # the hold's (timeline.hold)
        s_start, s_end = s_start.tolist(), s_end.tolist()
        sets = g.sets
        by_holder = []  # (position, control row or -1, status row or -1, what decided it)
        transitions: dict[tuple, dict] = {}
        changing: dict[int, dict] = {}  # by position: a status changing in a window
        k = ks = 0  # where the site's runs start in the flat lists
        for pos, found, found_status in zip(plain, c_found, s_found, strict=True):
            n, ns = len(found), len(found_status)
            state, s_held, s_edges = _NO_STATUS, None, None
            for j in range(ks, ks + ns):
                if s_holds[j]:
                    state = (s_status[j], s_since[j])
                    s_held = found_status[j - ks]
                    break
            else:
                if ns:  # only windows reach the day: the status is changing
                    s_edges = (not s_begun[ks], s_ended[ks + ns - 1])
                    statuses = s_status[ks : ks + ns]
                    if s_edges == (False, False) and len(set(statuses)) == 1:
                        # timeline.settled: the same either way, since the first's start
                        state, s_held, s_edges = (statuses[0], s_since[ks]), found_status[0], None
                    else:
                        at = _window_bound(
                            s_edges, s_start[ks + ns - 1], s_end[ks], s_end[ks + ns - 1]
                        )
                        made = transitions.get(between := ("status", *statuses, s_edges, at))
                        if made is None:
                            made = self._status_transition(statuses, s_edges, at)
                            transitions[between] = made
                        changing[pos] = made
            ks += ns
            held = None
            for j in range(k, k + n):
                if begun[j] and not ended[j]:
                    held = found[j - k]
                    break
            # A transition's words depend on whether the day is before or after its ends.
            edges = (not begun[k], ended[k + n - 1]) if held is None and n else None
            first, last = k, k + n - 1
            k += n
            key = (found, held, s_held, edges, s_edges, found_status if s_edges else None)
            kept = before.get(pos)
            if kept is not None and kept[0] == key:
                out[pos], decided[pos] = kept[1], kept
                continue
            if held is not None or not n:
                by_holder.append(
                    (pos, -1 if held is None else held, -1 if s_held is None else s_held, key)
                )
                continue
            row = before_rows[pos]
            if reuse is None or not reuse[pos]:
                row = row.copy()
            out[pos] = row
            row.update(_IN_WINDOW)
            row["status"], since = state
            row["status_since"], row["status_since_precision"], row["status_since_edtf"] = since
            row["status_transition"] = changing.get(pos)
            window = _window_bound(edges, c_start[last], c_end[first], c_end[last])
            # Sites between the same actors in the same window share one transition
            # (about 2.4 a day at 10,000 demo sites; rows are read-only).
            actors = actor[first : last + 1]
            made = transitions.get(between := (*actors, edges, window))
            if made is None:
                made = transitions[between] = self._transition(actors, edges, window)
            row["transition"] = made
            row["contested"], row["confidence"] = timeline.window_marks(
                contested[first : last + 1], levels[first : last + 1]
            )
            cited = set(cites[first : last + 1]) - {-1}
            if len(cited) == 1:  # one set: already in published order
                row["sources"] = sets[cited.pop()]
            else:
                union = {id(x): x for i in cited for x in sets[i]}
                row["sources"] = tuple(sorted(union.values(), key=queries._published_key))
            decided[pos] = (key, row)
        if by_holder:
            # Decided by at most one period of each kind: the same rows as certain holders.
            at, held_at, status_at, keys = zip(*by_holder, strict=True)
            self._held_rows(
                out, np.array(at), np.array(held_at), np.array(status_at), before_rows, reuse
            )
            for pos, key in zip(at, keys, strict=True):
                if pos in changing:
                    out[pos]["status_transition"] = changing[pos]
                decided[pos] = (key, out[pos])
        return out, decided

    def _transition(self, actors: list[int], edges: tuple[bool, bool], window: int) -> dict:
        """queries._transition of timeline.answer's Transition between these candidates'
        actors (by index), with the day before the first's start or after the last's end
        (`edges`) and the bound whose window holds the day."""
        part = self.between.get(key := (*actors, *edges))
        if part is None:
            part = self.between[key] = self._between(actors, edges)
        return {**part, **self._window(window)}

    def _status_transition(self, statuses: list, edges: tuple[bool, bool], window: int) -> dict:
        """queries._status_transition between these statuses, as _transition."""
        before, after = edges
        return {
            "from": None if before else statuses[0],
            "to": None if after else statuses[-1],
            "candidates": statuses,
            **self._window(window),
        }

    def _between(self, actors: list[int], edges: tuple[bool, bool]) -> dict:
        """A transition's fields that its actors and edges decide (its lists are shared:
        rows are read-only)."""
        before, after = edges
        labels = self.actors
        slugs, names, names_ar, _short, colours = zip(*map(labels.__getitem__, actors), strict=True)
        names_ar = [ar or name for ar, name in zip(names_ar, names, strict=True)]
        edge_before, edge_after = (("unknown",) if before else ()), (("unknown",) if after else ())
        return {
            "from": None if before else slugs[0],
            "to": None if after else slugs[-1],
            "candidates": list(slugs),
            "colours": list(colours),
            "names": [*edge_before, *names, *edge_after],
            "names_ar": [*edge_before, *names_ar, *edge_after],
        }

    def _window(self, at: int) -> dict:
        """A transition window's fields, computed once per bound (read-only: shared)."""
        found = self.windows.get(at)
        if found is None:
            found = self.windows[at] = queries.window_fields(self.bounds[at])
        return found

    def _reloaded_row(self, day: dt.date, reloaded: _Reloaded) -> dict:
        """A site reloaded after a write: the SQL path's own rule on its rows."""
        fields, control, status, cited, verified = reloaded
        site = dict(zip(("site_id", *_ROW_SITE_KEYS), fields, strict=True))
        # Every period of the site: those that may apply decide, their holds' neighbours
        # give since and until.
        return queries._state_row(day, site, control, status, cited) | {"last_verified": verified}


_CHUNK = 20_000  # rows read at a time
_ACTORS = select(Actor.id, Actor.slug, Actor.name, Actor.name_ar, Actor.short_ar, Actor.colour)


def _fetch(conn, stmt, name: str) -> Iterator[list[tuple]]:
    """The rows of a parameterless SELECT, `_CHUNK` at a time, on the DB-API cursor (no
    per-value conversion); on PostgreSQL a server-side cursor `name`, so the client never
    holds every row either."""
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw = conn.connection.dbapi_connection
    cursor = raw.cursor(name=name) if conn.dialect.name == "postgresql" else raw.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_CHUNK):
            yield rows
    finally:
        cursor.close()


def _citing(
    set_ids: np.ndarray, set_starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sets that cite each source, in set order, source after source; the cited ids
    in order; where each one's run starts (and the end): a source's sets are a slice."""
    owner = np.repeat(np.arange(len(set_starts) - 1, dtype=np.int32), np.diff(set_starts))
    order = np.argsort(set_ids, kind="stable")
    ids, starts = np.unique(set_ids[order], return_index=True)
    return owner[order], ids.astype(np.int32), np.append(starts, len(order)).astype(np.int64)


def _date(value) -> dt.date | None:
    """A bound's day as the driver gave it (a date, or SQLite's ISO text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


_TRACKS = ("control", "status")
_SET_ARRAYS = ("set_ids", "set_starts", "citing", "cited_ids", "citing_starts")
_TRACK_ARRAYS = ("row", "key", "certain_start", "certain_end", "possible_end", "reach", "first")
_CONTROL_COLUMNS = ("site", "period_id", "start", "end", "actor", "challenger", "contested",
                    "confidence", "note", "sources")  # fmt: skip
_STATUS_COLUMNS = ("site", "period_id", "start", "end", "status")
# Set after the columns above (_holds): each period's hold's first start and last end.
_HOLD_COLUMNS = ("first_start", "last_end")
# Column types when a kind of period has no rows at all.
_DTYPES = {"site": np.int32, "period_id": np.int64, "start": np.int32, "end": np.int32,
           "actor": np.int16, "challenger": np.int16, "contested": np.bool_,
           "confidence": np.int32, "note": np.int32, "sources": np.int32,
           "status": np.int32}  # fmt: skip


class _Gather(NamedTuple):
    """An index's labels as object arrays, by the index its payload holds (-1: none):
    one NumPy gather takes them for every row of a day, where indexing a list took a
    Python step and a new int each."""

    actors: np.ndarray  # (slug, name, name_ar, short_ar, colour); -1: all None
    slugs: np.ndarray  # an actor's slug (a challenger's label); -1: None
    fields: np.ndarray  # a bound's (iso earliest, precision, text); -1: all None
    values: np.ndarray  # interned notes, confidences and statuses; -1: "unknown"
    sets: np.ndarray  # cited sources in published order; -1: none

    @classmethod
    def of(cls, index: AsOfIndex, sets: list[tuple[dict, ...]]) -> _Gather:
        """The arrays of `index`'s labels as they are now, and its sets of cited sources."""
        fields = [*index.bound_fields, _NO_BOUND]
        return cls(
            **cls.actor_arrays(index.actors),
            fields=_objects(fields),
            values=_objects([*index.values, "unknown"]),
            sets=_objects([*sets, ()]),
        )

    @staticmethod
    def actor_arrays(actors: list[tuple]) -> dict[str, np.ndarray]:
        """The actors' two arrays, to be replaced together when an actor is renamed."""
        return {
            "actors": _objects([*actors, _NO_ACTOR]),
            "slugs": _objects([*(a[0] for a in actors), None]),
        }

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays (the labels are the index's own)."""
        return sum(a.nbytes for a in self)


def _objects(items: list) -> np.ndarray:
    """A 1-D object array of `items` (tuples stay whole)."""
    return np.fromiter(items, dtype=object, count=len(items))


class _Payload:
    """Per-period columns of one kind of period, in load order (Track.row points here)."""

    @classmethod
    def joined(cls, parts: list[_Payload], names: tuple[str, ...]) -> _Payload:
        """One payload of the columns `names` of `parts`, one after the other."""
        out = cls()
        for name in names:
            dtype = _DTYPES[name]
            columns = [getattr(p, name) for p in parts]
            setattr(out, name, np.concatenate(columns) if columns else np.zeros(0, dtype))
        return out

    site: np.ndarray
    period_id: np.ndarray
    start: np.ndarray  # bound index, -1 for none
    end: np.ndarray
    actor: np.ndarray
    challenger: np.ndarray
    contested: np.ndarray
    confidence: np.ndarray
    note: np.ndarray
    sources: np.ndarray  # interned source set, -1 for none
    status: np.ndarray
    first_start: np.ndarray  # bound index of the period's hold's first start (_holds)
    last_end: np.ndarray


def _holds(p: _Payload, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """timeline.hold for every period at once: the bound index of its hold's first start
    and of its last end. A period joins the one of its site and value that ends on the
    bound it starts on (bounds are interned: one bound, one index)."""
    n = len(p.site)
    if not n:
        return p.start.copy(), p.end.copy()
    # (site, value, bound) as one integer key: equal keys, the same three.
    values = int(value.max()) + 2
    bounds_n = int(max(p.start.max(), p.end.max())) + 2
    base = (p.site.astype(np.int64) * values + value.astype(np.int64) + 1) * bounds_n + 1
    ends, starts = base + p.end, base + p.start
    closed = np.flatnonzero(p.end >= 0)  # an open end (ongoing) joins nothing
    order = np.argsort(ends[closed], kind="stable")
    keys = ends[closed][order]
    before = np.full(n, -1, dtype=np.int64)
    if len(keys):
        opened = np.flatnonzero(p.start >= 0)
        at = np.minimum(np.searchsorted(keys, starts[opened]), len(keys) - 1)
        hit = keys[at] == starts[opened]
        before[opened[hit]] = closed[order[at[hit]]]
    after = np.full(n, -1, dtype=np.int64)
    joined = np.flatnonzero(before >= 0)
    after[before[joined]] = joined
    return p.start[_root(before)], p.end[_root(after)]


def _root(step: np.ndarray) -> np.ndarray:
    """Where following `step` (-1: stop) from each position ends, by pointer doubling."""
    at = np.where(step >= 0, step, np.arange(len(step)))
    while True:
        further = at[at]
        if np.array_equal(further, at):
            return at
        at = further


_HELD_KEYS = ("controller", "controller_name", "controller_name_ar", "controller_short_ar",
              "controller_colour", "since", "since_precision", "since_edtf", "until",
              "until_precision", "until_edtf", "uncertain", "transition", "contested",
              "challenger", "confidence", "note", "period_id", "period_start")  # fmt: skip
# No period on the day: the held fields of queries._state_row with no holder.
_UNKNOWN = (None,) * 11 + (False, None, False, None, None, "", None, None)
_STATUS_KEYS = ("status", "status_since", "status_since_precision", "status_since_edtf",
                "status_transition")  # fmt: skip
_ROW_KEYS = (*_ROW_SITE_KEYS, *_HELD_KEYS, *_STATUS_KEYS, "sources", "last_verified")
# A row's fields with no period on the day, status included.
_UNKNOWN_ROW = dict(zip(_HELD_KEYS, _UNKNOWN, strict=True)) | {"sources": ()}
# A row's fields in a transition window, before its transition, marks (contested,
# confidence: timeline.window_marks) and sources are set; no challenger, no note.
_IN_WINDOW = _UNKNOWN_ROW | {"uncertain": True}
_NO_STATUS = ("unknown", _NO_BOUND)
_TEMPLATE = (
    dict.fromkeys(_ROW_KEYS) | dict(zip(_HELD_KEYS, _UNKNOWN, strict=True)) | {"status": "unknown"}
)


def _window_bound(edges: tuple[bool, bool], last_start: int, first_end: int, last_end: int) -> int:
    """timeline.answer's window of a transition: the bound whose days hold the day."""
    before_first, after_last = edges
    if not after_last:
        return last_start
    return first_end if not before_first else last_end


def _site_row(site: tuple, verified: str | None) -> dict:
    """A new row of `site` (as in AsOfIndex.sites) with no holder and unknown status."""
    # Copying one template and setting keys is several times faster than building a dict
    # of 32 keys, and keeps the SQL path's key order (JSON keeps it).
    row = _TEMPLATE.copy()
    (row["slug"], row["name"], row["name_ar"], row["country"], row["kind"], row["crossing"],
     row["lon"], row["lat"], row["location_precision"], row["tracked"]) = site[1:]  # fmt: skip
    row["last_verified"] = verified
    return row


def _reported(holders: int) -> int:
    """What sys.getrefcount says, through map() over a list, of an object that `holders`
    names or containers (and that list) hold: interpreters count their own references
    differently."""
    probe = object()
    held = [probe] * holders
    del probe
    return next(map(sys.getrefcount, held[:1]))


# An object held by two names or containers, as _unshared sees it.
_HELD_TWICE = _reported(2)
# Without the GIL (free-threaded builds) counts are not exact and another thread may
# take a reference between the count and the change: rows are then always copied.
_COUNTS_HOLD = getattr(sys, "_is_gil_enabled", lambda: True)()


def _unshared(state: tuple) -> list[bool] | None:
    """By position, whether only its own lists hold each row of `state` (an
    AsOfIndex._previous that no longer is): such a row can be set again in place for
    the next day, as no reader can see it. None when anything else holds the state or
    its answer: another thread may be reading them.

    CPython counts references exactly (NumPy's ndarray.resize checks the same way
    before resizing in place). Each count here is of an object held twice when nothing
    else holds it: the state by the caller's name and this call's; the answer by the
    state and the name `answer`; a row by the lists `rows` and `answer` (a row decided
    as on the day before is also held by `decided`, and is copied).
    """
    rows, answer = state[4], state[6]
    if answer is rows or not _COUNTS_HOLD:
        return None
    counts = list(map(sys.getrefcount, [state, answer, *rows]))
    if counts[0] != _HELD_TWICE or counts[1] != _HELD_TWICE:
        return None
    return [n == _HELD_TWICE for n in counts[2:]]


class _SiteRows(Sequence[dict]):
    """New rows of the sites (with no holder, unknown status), by position."""

    def __init__(self, sites: list[tuple], verified: list[str | None]):
        self.sites, self.verified = sites, verified

    def __len__(self) -> int:
        return len(self.sites)

    def __getitem__(self, pos):
        return _site_row(self.sites[pos], self.verified[pos])


def _published_keys(sources: dict[int, dict]) -> dict[int, tuple]:
    """Each source's place in a list of cited sources as the SQL path sorts them: by
    publication, then by id."""
    return {i: (*queries._published_key(source), i) for i, source in sources.items()}


def _site(row) -> tuple:
    """An index site, (id, *_ROW_SITE_KEYS values), from a row of queries._SITE_STATEMENT."""
    site = dict(zip(queries._SITE_COLUMNS, row, strict=True))
    site["tracked"] = site["kind"] not in vocabulary.UNTRACKED_KINDS
    return (row[0], *(site[k] for k in _ROW_SITE_KEYS))


def _relabelled(reloaded: _Reloaded, relabel: dict[str, tuple]) -> _Reloaded:
    """A reloaded site with its control rows showing the new labels of the actors
    `relabel` maps from their old slugs (itself when it shows none of them)."""
    fields, control, status, cited, verified = reloaded
    if not any(r["controller"] in relabel or r["challenger"] in relabel for r in control):
        return reloaded
    rows = []
    for r in control:
        holder, challenger = relabel.get(r["controller"]), relabel.get(r["challenger"])
        if holder is not None:
            r = r | dict(zip(_CONTROLLER_KEYS, holder, strict=True))
        if challenger is not None:
            r = r | {"challenger": challenger[0]}
        rows.append(r)
    return fields, rows, status, cited, verified


def _recited(reloaded: _Reloaded, swap: list[tuple[dict, dict | None]], resort: bool) -> _Reloaded:
    """A reloaded site citing each new source dict (None: deleted) of `swap` in place of
    the old one, sorted again as the SQL path sorts when their dates or refs changed."""
    fields, control, status, cited, verified = reloaded
    changed = {}
    for period, sources in cited.items():
        if any(d is old or d == old for d in sources for old, _new in swap):
            kept = [next((n for o, n in swap if d is o or d == o), d) for d in sources]
            changed[period] = [d for d in kept if d is not None]
            if resort:
                changed[period].sort(key=queries._published_key)
    return reloaded if not changed else (fields, control, status, cited | changed, verified)


# A reloaded site: (its fields as _site gives them or None when it is gone, its control
# and status periods as the SQL path's candidate rows, their sources, last verified).
_Reloaded = tuple[tuple | None, list[dict], list[dict], dict, str | None]


def _reload(site_ids: set[int]) -> dict[int, _Reloaded]:
    """These sites' own fields and every period of theirs (a few small queries)."""
    conn = db.session.connection()
    ids = sorted(site_ids)
    control: dict[int, list[dict]] = {s: [] for s in ids}
    status: dict[int, list[dict]] = {s: [] for s in ids}
    fields: dict[int, tuple] = {}
    verified: dict[int, dt.date] = {}
    dialect = conn.dialect.name
    width = len(queries._SITE_COLUMNS)
    for i in range(0, len(ids), queries._IN_BATCH):
        batch = {"sites": ids[i : i + queries._IN_BATCH]}
        for row in conn.execute(_some_sites(), batch):
            fields[row[0]] = _site(row[:width])
            days = [freshness._day(day) for day in row[width:] if day is not None]
            if days:
                verified[row[0]] = max(days)
        for site_id, rows in queries._candidates(
            conn, _all_periods(queries._control_statement, ControlPeriod, dialect), batch
        ).items():
            control[site_id] = rows
        for site_id, rows in queries._candidates(
            conn, _all_periods(queries._status_statement, StatusPeriod, dialect), batch
        ).items():
            status[site_id] = rows
    cited = queries.sources_for_periods(r["period_id"] for rows in control.values() for r in rows)
    return {
        s: (
            fields.get(s),
            control[s],
            status[s],
            {r["period_id"]: cited[r["period_id"]] for r in control[s] if r["period_id"] in cited},
            clock.iso_day(verified.get(s)),
        )
        for s in ids
    }


@functools.cache
def _in_order():
    """The ids of the sites bound as `sites`, in the order of the answers."""
    sites = bindparam("sites", expanding=True)
    return select(Site.id).where(Site.id.in_(sites)).order_by(Site.slug)


@functools.cache
def _before_slug():
    """The ids of the few sites nearest before the slug bound as `slug` in the order of
    the answers (the database's own order: its collation, its index)."""
    return (
        select(Site.id)
        .where(Site.slug < bindparam("slug"))
        .order_by(Site.slug.desc())
        .limit(_NEAREST)
    )


# Built once: making this statement took longer than running it for one site.
@functools.cache
def _some_sites():
    """queries._SITE_STATEMENT for the sites bound as `sites`, each with the last days of
    freshness's kinds of confirmation (the largest is the site's last verified day)."""
    return queries._SITE_STATEMENT.add_columns(*freshness.latest_days(Site.id)).where(
        Site.id.in_(bindparam("sites", expanding=True))
    )


@functools.cache
def _all_periods(statement, model, dialect: str):
    """The SQL path's candidate `statement` for every period of the sites bound as
    `sites`, any day (built once per kind and dialect)."""
    return statement(None, dialect).where(model.site_id.in_(bindparam("sites", expanding=True)))
