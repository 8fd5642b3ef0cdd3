"""Read queries shared by the map, the API and the downloads; the state "as of" a date."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from sqlalchemy import (
    Date,
    Row,
    Table,
    and_,
    bindparam,
    cast,
    func,
    inspect,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from app.core import bounds, clock, map_encoding, search, timeline, vocabulary
from app.core.bounds import Bound
from app.core.cache import VersionedCache, approx_size
from app.db import freshness
from app.db.models import (
    Actor,
    ControlPeriod,
    Crossing,
    Event,
    Site,
    Source,
    StatusPeriod,
    control_period_source,
    event_site,
    event_source,
    status_period_source,
)
from app.extensions import db


def possibly_covering(model, day: dt.date, dialect: str):
    """Condition: `model`'s periods whose possible span [earliest start, latest end) holds `day`.

    A site has at most a few such periods (one, or those whose windows meet around a
    handover). PostgreSQL answers from a GiST index on the possible span (migration 0005);
    SQLite from the (site_id, end_latest) and (site_id, start_earliest) indexes.
    """
    if dialect == "postgresql":
        span = func.daterange(
            func.coalesce(model.start_earliest, literal_column("'-infinity'::date")),
            model.end_latest,
        )
        return span.op("@>")(cast(day, Date))
    return and_(
        or_(model.start_earliest.is_(None), model.start_earliest <= day),
        or_(model.end_latest.is_(None), model.end_latest > day),
    )


_SOURCE_CACHE = VersionedCache("sources", 0.05)
# Rows of recent dates (a slider session touches many); 10,000 sites are ~25 MB a date,
# so the share of the byte budget, not a count, decides how many dates stay.
_STATE_CACHE = VersionedCache(
    "as-of rows", 0.35, sizeof=lambda rows: _rows_size(rows, _STATE_CACHE.max_bytes)
)
_IN_BATCH = 900
_FEW_PERIODS = 200  # up to this many, sources_for_periods reads only theirs


def state_at(day: dt.date) -> list[dict]:
    """Every site with its controller and status on `day` (treat the rows as read-only).

    Answered from the data version's in-memory as-of index (app.db.asof_index), or by
    compute_state_at while the index is being built (the same rows), then kept per data
    version: the map, the API and the downloads asking for the same date share the rows
    until the next write.
    """
    from app.db import asof_index
    from app.db.session_events import data_version

    session = db.session()
    if session.info.get("data_changed") or session.new or session.dirty or session.deleted:
        # This transaction's own writes are no data version yet: ask the database itself.
        return compute_state_at(day)
    version = data_version(db.session)

    def compute() -> list[dict]:
        index = asof_index.index_for(version)
        return compute_state_at(day) if index is None else index.rows(day)

    return _STATE_CACHE.get(version, day, compute)


def _rows_size(rows: list[dict], limit: int | None = None) -> int:
    """Estimated bytes of as-of rows; their source dicts belong to the source cache.

    An answer that one row shows to be far past `limit` is not sampled further.
    """
    if not rows:
        return approx_size(rows)
    # Rows have the same keys and values of like sizes: a few tell the size of 10,000
    # (sizing 150 of them took about 1 ms per request). At 10,000 sites one tells enough:
    # about 24 MB against the cache's 8.8 MB, and sampling 16 only to refuse the answer
    # took 0.4 ms of each new date's 17.
    first = approx_size({**rows[0], "sources": None}) * len(rows)
    if limit is not None and first > 2 * limit:
        return first
    step = max(1, len(rows) // 16)
    sample = [{**r, "sources": None} for r in rows[::step]]
    return approx_size(sample) * len(rows) // len(sample)


def compute_state_at(day: dt.date) -> list[dict]:
    """state_at() without the cache: always runs the queries.

    SQL picks the periods that may apply on `day`; the one rule of
    :func:`app.core.timeline.answer` decides between a holder, a transition and unknown.
    """
    dialect = db.session.get_bind().dialect.name
    conn = db.session.connection()  # Core: plain tuples, no identity-map work
    control = _candidates(conn, _with_holds(_control_statement, ControlPeriod, day, dialect))
    status = _candidates(conn, _with_holds(_status_statement, StatusPeriod, day, dialect))
    cited = sources_for_periods(r["period_id"] for rows in control.values() for r in rows)
    verified = freshness.last_verified_by_site()
    return [
        _state_row(
            day, site, control.get(site["site_id"], []), status.get(site["site_id"], []), cited
        )
        | {"last_verified": clock.iso_day(verified.get(site["site_id"]))}
        for site in (
            dict(zip(_SITE_COLUMNS, r, strict=True)) for r in conn.execute(_SITE_STATEMENT)
        )
    ]


_SITE_COLUMNS = (
    "site_id",
    "slug",
    "name",
    "name_ar",
    "country",
    "kind",
    "lon",
    "lat",
    "location_precision",
    "crossing",
)
_SITE_STATEMENT = (
    select(
        Site.id,
        Site.slug,
        Site.name,
        Site.name_ar,
        Site.country,
        Site.kind,
        Site.lon,
        Site.lat,
        Site.location_precision,
        Crossing.slug,
    )
    .outerjoin(Crossing, Site.crossing_id == Crossing.id)
    .order_by(Site.slug)
)
_BOUND_COLUMNS = (
    "start_edtf",
    "start_earliest",
    "start_latest",
    "end_edtf",
    "end_earliest",
    "end_latest",
)


def _control_statement(day: dt.date | None, dialect: str):
    """Control periods that may apply on `day`, with their actor and challenger."""
    cp, actor, challenger = ControlPeriod, aliased(Actor), aliased(Actor)
    columns = [cp.site_id, cp.id.label("period_id")]
    columns += [getattr(cp, c) for c in _BOUND_COLUMNS]
    columns += [
        cp.contested,
        cp.confidence,
        cp.note,
        actor.slug.label("controller"),
        actor.name.label("controller_name"),
        actor.name_ar.label("controller_name_ar"),
        actor.short_ar.label("controller_short_ar"),
        actor.colour.label("controller_colour"),
        challenger.slug.label("challenger"),
    ]
    stmt = (
        select(*columns)
        .join(actor, actor.id == cp.actor_id)
        .outerjoin(challenger, challenger.id == cp.challenger_id)
    )
    # No day: every period (the as-of index reloads a site's periods after a write).
    return stmt if day is None else stmt.where(possibly_covering(cp, day, dialect))


def _status_statement(day: dt.date | None, dialect: str):
    """Status periods that may apply on `day`."""
    sp = StatusPeriod
    columns = [
        sp.site_id,
        sp.id.label("period_id"),
        *(getattr(sp, c) for c in _BOUND_COLUMNS),
        sp.status,
    ]
    stmt = select(*columns)
    return stmt if day is None else stmt.where(possibly_covering(sp, day, dialect))


def goes_on_with_a_hold(model):
    """Condition: `model`'s period goes on with the hold of another (timeline.hold): one of
    its site with the same actor (or status) ends on the very bound it starts on. Such a
    period is no change of hands (the record split the hold, say where a contest ended)."""
    other = aliased(model)
    return (
        select(other.id)
        .where(
            other.site_id == model.site_id,
            _held(other) == _held(model),
            other.end_edtf == model.start_edtf,
        )
        .exists()
    )


def _held(entity):
    """The column a hold keeps one value of (timeline.hold), of a period model or its alias:
    the actor of a control period, the status of a status period."""
    return entity.actor_id if inspect(entity).mapper.class_ is ControlPeriod else entity.status


def _with_holds(statement, model, day: dt.date, dialect: str):
    """`statement`'s periods that may apply on `day`, and the periods their holds join
    (timeline.hold: one value, each starting on the bound the one before ends on), whose
    first start and last end are the answer's since and until."""
    value, other = _held(model), aliased(model)
    other_value = _held(other)
    found = (
        select(model.id, model.site_id, value.label("value"), model.start_edtf, model.end_edtf)
        .where(possibly_covering(model, day, dialect))
        .cte("held", recursive=True)
    )
    joined = and_(
        other.site_id == found.c.site_id,
        other_value == found.c.value,
        or_(other.end_edtf == found.c.start_edtf, other.start_edtf == found.c.end_edtf),
    )
    found = found.union(
        select(other.id, other.site_id, other_value, other.start_edtf, other.end_edtf).join(
            found, joined
        )
    )
    return statement(None, dialect).where(model.id.in_(select(found.c.id)))


def _candidates(conn, stmt, params: dict | None = None) -> dict[int, list[dict]]:
    """Rows of `stmt` by site id, each with its bounds as `start` / `end`."""
    out: dict[int, list[dict]] = defaultdict(list)
    for r in conn.execute(stmt, params).mappings():
        row = dict(r)
        row["start"] = bound_of(row, "start")
        row["end"] = bound_of(row, "end")
        out[row["site_id"]].append(row)
    return out


def bound_of(row, side: str) -> Bound | None:
    """The Bound stored in a row's `side`_edtf / _earliest / _latest columns."""
    text = row[f"{side}_edtf"]
    return None if text is None else Bound(text, row[f"{side}_earliest"], row[f"{side}_latest"])


def sources_by_id() -> dict[int, dict]:
    """Every source as a plain dict, cached per data version (the table is small)."""
    from app.db.session_events import data_version

    return _SOURCE_CACHE.get(data_version(db.session), "sources", _load_sources)


def _load_sources() -> dict[int, dict]:
    return {s.id: source_dict(s) for s in db.session.scalars(select(Source))}


def sources_for_periods(
    period_ids: Iterable[int], link: Table = control_period_source
) -> dict[int, list[dict]]:
    """Sources of the given control periods (or rows of another `link` table), by id."""
    ids = list(period_ids)
    out: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return out
    owner = _owner(link)
    if len(ids) <= _FEW_PERIODS:
        # A site's periods: read their sources alone rather than every source (the
        # cache of all of them is per data version, and a write has just made a new one).
        # Plain rows, not ORM objects: source_dict reads only their columns.
        made: dict[int, dict] = {}  # one dict per source, as from the cache (rows dedupe by id)
        conn = db.session.connection()
        for row in conn.execute(_sources_of_statement(link), {"owners": ids}):
            if row.id not in made:
                made[row.id] = source_dict(row)
            out[row[0]].append(made[row.id])
    else:
        by_id = sources_by_id()
        # Batches keep every statement under SQLite's limit on bound parameters.
        for i in range(0, len(ids), _IN_BATCH):
            stmt = select(owner, link.c.source_id).where(owner.in_(ids[i : i + _IN_BATCH]))
            for owner_id, source_id in db.session.execute(stmt):
                out[owner_id].append(by_id[source_id])
    for cited in out.values():
        cited.sort(key=_published_key)
    return out


def _owner(link: Table):
    """The column of a link table that names the period (the other one names the source)."""
    return next(c for c in link.c if c.name != "source_id")


@functools.cache
def _sources_of_statement(link: Table):
    """(period id, source id, what source_dict reads) of the periods bound as `owners`
    (built once)."""
    owner, sources = _owner(link), Source.__table__
    return (
        select(owner, sources.c.id, *(sources.c[name] for name in _SOURCE_FIELDS))
        .join_from(link, sources, sources.c.id == link.c.source_id)
        .where(owner.in_(bindparam("owners", expanding=True)))
    )


#: The columns source_dict reads (a source's note and dates of access stay in the table).
_SOURCE_FIELDS = ("ref", "title", "publisher", "url", "published", "published_precision",
                  "language", "archived_url")  # fmt: skip


def source_dict(source: Source | Row) -> dict:
    """Plain, JSON-ready view of a source."""
    return {
        "ref": source.ref,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published.isoformat() if source.published else None,
        "published_precision": source.published_precision,
        "published_label": timeline.format_bound(source.published, source.published_precision),
        "language": source.language,
        "archived_url": source.archived_url,
    }


def to_period(p: ControlPeriod | StatusPeriod, value=None) -> timeline.Period:
    """The pure-timeline view of a stored period."""
    return p.as_period(value)


def _state_row(
    day: dt.date, site: dict, control: list[dict], status: list[dict], cited: dict[int, list[dict]]
) -> dict:
    """One site's answer on `day` from the periods that may apply."""
    periods = [_period(r) for r in control]
    answer = timeline.answer(periods, day)
    held = answer.period.value if answer.period else None
    since, until = (
        timeline.hold(periods, answer.period, key=_CONTROLLER) if answer.period else (None, None)
    )
    shown = (
        [held]
        if held
        else [p.value for p in answer.transition.candidates]
        if (answer.transition)
        else []
    )
    sources = {id(s): s for r in shown for s in cited.get(r["period_id"], [])}
    if held:
        contested, confidence = bool(held["contested"]), held["confidence"]
    elif answer.transition:
        # A window keeps its candidates' marks; no challenger (the candidates are listed
        # in `transition`) and no note (each is its own period's words, on the site page).
        contested, confidence = timeline.window_marks(
            (r["contested"] for r in shown), (r["confidence"] for r in shown)
        )
    else:
        contested, confidence = False, None
    status_periods = [_period(r) for r in status]
    status_answer = timeline.settled(timeline.answer(status_periods, day), key=_STATUS)
    status_row = status_answer.period.value if status_answer.period else None
    status_since = (
        timeline.hold(status_periods, status_answer.period, key=_STATUS)[0]
        if status_answer.period
        else None
    )
    return {
        "slug": site["slug"],
        "name": site["name"],
        "name_ar": site["name_ar"],
        "country": site["country"],
        "kind": site["kind"],
        "crossing": site["crossing"],
        "lon": site["lon"],
        "lat": site["lat"],
        "location_precision": site["location_precision"],
        "tracked": site["kind"] not in vocabulary.UNTRACKED_KINDS,
        "controller": held and held["controller"],
        "controller_name": held and held["controller_name"],
        "controller_name_ar": held and held["controller_name_ar"],
        "controller_short_ar": held and held["controller_short_ar"],
        "controller_colour": held and held["controller_colour"],
        **_bound_fields("since", since),
        **_bound_fields("until", until),
        "uncertain": answer.uncertain,
        "transition": _transition(answer.transition),
        "contested": contested,
        "challenger": held and held["challenger"],
        "confidence": confidence,
        "note": (held and held["note"]) or "",
        "period_id": held and held["period_id"],
        # The held period's own start, as written: its record key (since is the hold's).
        "period_start": held and held["start_edtf"],
        "status": status_row["status"] if status_row else "unknown",
        **_bound_fields("status_since", status_since),
        "status_transition": _status_transition(status_answer.transition),
        "sources": tuple(sorted(sources.values(), key=_published_key)),
    }


# What a hold (timeline.hold) keeps the same: the controller, the status.
_CONTROLLER = operator.itemgetter("controller")
_STATUS = operator.itemgetter("status")


def _period(row: dict) -> timeline.Period:
    return timeline.Period(row["start"], row["end"], row, key=row["period_id"])


def _bound_fields(name: str, bound: Bound | None) -> dict:
    """`since` / `until` as before EDTF (the earliest day, its precision) and the EDTF text."""
    return {
        name: clock.iso_day(bound and bound.earliest),
        f"{name}_precision": bound.precision if bound else None,
        f"{name}_edtf": bound.text if bound else None,
    }


#: The parts of a row's `transition` and `status_transition` (downloads flatten them into
#: one column each, present on every date).
WINDOW_PARTS = ("window", "earliest", "latest", "reading")
TRANSITION_PARTS = ("from", "to", "candidates", "colours", "names", "names_ar", *WINDOW_PARTS)
STATUS_TRANSITION_PARTS = ("from", "to", "candidates", *WINDOW_PARTS)


def _transition(t: timeline.Transition | None) -> dict | None:
    """A handover in progress, as plain values (actors by slug, the window's days)."""
    if t is None:
        return None
    return {
        "from": t.outgoing.value["controller"] if t.outgoing else None,
        "to": t.incoming.value["controller"] if t.incoming else None,
        "candidates": [p.value["controller"] for p in t.candidates],
        "colours": [p.value["controller_colour"] for p in t.candidates],
        "names": t.chain(lambda row: row["controller_name"]),
        "names_ar": t.chain(lambda row: row["controller_name_ar"] or row["controller_name"]),
        **window_fields(t.window),
    }


def _status_transition(t: timeline.Transition | None) -> dict | None:
    """A status changing in a window: the statuses in order (None at an unknown side)."""
    if t is None:
        return None
    return {
        "from": t.outgoing.value["status"] if t.outgoing else None,
        "to": t.incoming.value["status"] if t.incoming else None,
        "candidates": [p.value["status"] for p in t.candidates],
        **window_fields(t.window),
    }


def window_fields(window: Bound) -> dict:
    """A change window's fields in a transition: its EDTF, first and last day, reading."""
    return {
        "window": window.text,
        "earliest": clock.iso_day(window.earliest),
        "latest": clock.iso_day(window.latest),
        "reading": window.reading(),
    }


def _published_key(source: dict) -> tuple[str, str]:
    return source["published"] or "", source["ref"] or ""


def site_by_slug(slug: str) -> Site | None:
    """One site, or None."""
    return db.session.scalar(select(Site).where(Site.slug == slug))


def all_sites() -> list[Site]:
    """Every site, by slug."""
    return list(db.session.scalars(select(Site).order_by(Site.slug)))


def periods_by_site() -> dict[int, list[timeline.Period]]:
    """All control periods as pure timeline periods (value = actor id), per site id."""
    out: dict[int, list[timeline.Period]] = defaultdict(list)
    for p in db.session.scalars(select(ControlPeriod).order_by(ControlPeriod.start_earliest)):
        out[p.site_id].append(to_period(p, p.actor_id))
    return out


def map_rows() -> map_encoding.MapRows:
    """Sites, actors, control and status periods, events and their sources, as plain rows.

    The periods (tens of thousands at scale) are not loaded whole: `control` and `status`
    stream from the database, grouped by site, and map_encoding.encode reads each once.
    """
    control_sources = _source_ids(control_period_source, "control_period_id")
    status_sources = _source_ids(status_period_source, "status_period_id")
    events = _rows(
        select(
            Event.id,
            Event.date,
            Event.date_latest,
            Event.precision,
            Event.title,
            Event.lon,
            Event.lat,
        ).order_by(Event.date, Event.id)
    )
    event_sources = _source_ids(event_source, "event_id")
    for e in events:
        e["source_ids"] = event_sources.get(e["id"], ())
    _locate_events(events)
    used = {i for ids in control_sources.values() for i in ids}
    used |= {i for ids in status_sources.values() for i in ids}
    used |= {i for ids in event_sources.values() for i in ids}
    control = select(
        ControlPeriod.id,
        ControlPeriod.site_id,
        ControlPeriod.actor_id,
        ControlPeriod.challenger_id,
        *(getattr(ControlPeriod, c) for c in _BOUND_COLUMNS),
        ControlPeriod.contested,
        ControlPeriod.confidence,
    ).order_by(ControlPeriod.site_id, ControlPeriod.id)
    status = select(
        StatusPeriod.id,
        StatusPeriod.site_id,
        StatusPeriod.status,
        *(getattr(StatusPeriod, c) for c in _BOUND_COLUMNS),
        StatusPeriod.confidence,
    ).order_by(StatusPeriod.site_id, StatusPeriod.id)
    return map_encoding.MapRows(
        actors=_rows(
            select(
                Actor.id,
                Actor.slug,
                Actor.name,
                Actor.short,
                Actor.colour,
                Actor.name_ar,
                Actor.short_ar,
            ).order_by(Actor.id)
        ),
        sites=_rows(
            select(
                Site.id,
                Site.slug,
                Site.name,
                Site.name_ar,
                Site.country,
                Site.lon,
                Site.lat,
                Site.kind,
            ).order_by(Site.slug)
        ),
        control=_streamed(control, control_sources),
        status=_streamed(status, status_sources),
        events=events,
        sources=_source_labels(used),
    )


def _rows(stmt) -> list[dict]:
    """Run a Core select and return its rows as dicts (bounds gathered as `start` / `end`)."""
    return [_plain(r) for r in db.session.execute(stmt).mappings()]


def _streamed(stmt, sources: Mapping[int, tuple[int, ...]] | None = None) -> Iterator[dict]:
    """The rows of a select as _rows gives them, fetched in batches as they are read (each
    with its `source_ids` when `sources` is given)."""
    for row in db.session.execute(stmt.execution_options(yield_per=2000)).mappings():
        plain = _plain(row)
        if sources is not None:
            plain["source_ids"] = sources.get(plain["id"], ())
        yield plain


def _plain(row) -> dict:
    """One row as a dict; bound columns become the Bounds `start` and `end`."""
    plain = dict(row)
    if "start_edtf" in plain:
        plain["start"], plain["end"] = bound_of(row, "start"), bound_of(row, "end")
        for column in _BOUND_COLUMNS:
            del plain[column]
    return plain


def _source_ids(link, key: str) -> dict[int, tuple[int, ...]]:
    """The ids of each owner's sources (period or event id → ids), oldest publication first."""
    ids: dict[int, list[int]] = defaultdict(list)
    stmt = (
        select(link.c[key], link.c.source_id)
        .join(Source, Source.id == link.c.source_id)
        .order_by(Source.published, Source.id)
    )
    for owner, source_id in db.session.execute(stmt):
        ids[owner].append(source_id)
    # Tuples: a third of the memory of lists at tens of thousands of periods.
    return {owner: tuple(found) for owner, found in ids.items()}


def _locate_events(events: list[dict]) -> None:
    """Events without a point of their own take the location of their first site."""
    stmt = (
        select(event_site.c.event_id, Site.lon, Site.lat)
        .join(Site, Site.id == event_site.c.site_id)
        .order_by(Site.slug)
    )
    first: dict[int, tuple[float, float]] = {}
    for event_id, lon, lat in db.session.execute(stmt):
        first.setdefault(event_id, (lon, lat))
    for e in events:
        if e["lon"] is None and e["id"] in first:
            e["lon"], e["lat"] = first[e["id"]]


def _source_labels(ids: set[int]) -> dict[int, dict]:
    """Title, publisher, URL, publication date (ISO at its precision, "2013-03": the page
    writes it in the reader's words) and language of each source id."""
    if not ids:
        return {}
    stmt = select(Source).where(Source.id.in_(sorted(ids)))
    return {
        s.id: {
            "title": s.title,
            "publisher": s.publisher,
            "url": s.url,
            "published": (
                bounds.at_precision(s.published, s.published_precision or "day").text
                if s.published
                else ""
            ),
            "language": s.language or "",
        }
        for s in db.session.scalars(stmt)
    }


def search_candidates() -> list[dict]:
    """Every site's names and stored search text, and its crossing's names (`crossing_text`:
    "Tanf" finds both sides of al-Tanf – al-Waleed), for search.find."""
    rows = _rows(
        select(
            Site.slug,
            Site.name,
            Site.name_ar,
            Site.country,
            Site.kind,
            Site.search_text,
            Crossing.name.label("crossing_name"),
            Crossing.name_ar.label("crossing_name_ar"),
        )
        .outerjoin(Crossing, Site.crossing_id == Crossing.id)
        .order_by(Site.name)
    )
    for row in rows:
        names = re.split(r"\s+[–—/-]\s+", row.pop("crossing_name") or "")
        names += re.split(r"\s+[–—/-]\s+", row.pop("crossing_name_ar") or "")
        row["crossing_text"] = search.names_text(*names)
    return rows


def actor_short_names() -> dict[str, str]:
    """Short label of every actor by slug ("ISIS"), for compact tables."""
    return dict(db.session.execute(select(Actor.slug, Actor.short)).all())


def status_sources_at(day: dt.date) -> dict[str, list[dict]]:
    """Sources of the status on `day`, by site slug (sites with a status): its period's,
    or, while it changes within a window, every candidate period's (as the map's popup)."""
    dialect = db.session.get_bind().dialect.name
    conn = db.session.connection()
    held: dict[int, list[int]] = {}
    for site_id, rows in _candidates(conn, _status_statement(day, dialect)).items():
        # As compute_state_at decides the status (settled: one same status either side).
        answer = timeline.settled(timeline.answer([_period(r) for r in rows], day), key=_STATUS)
        periods = [answer.period] if answer.period else []
        if answer.transition:
            periods = list(answer.transition.candidates)
        if periods:
            held[site_id] = [p.value["period_id"] for p in periods]
    if not held:
        return {}
    cited = sources_for_periods([pid for ids in held.values() for pid in ids], status_period_source)
    slugs = dict(db.session.execute(select(Site.id, Site.slug)).all())
    return {
        # One dict per source (sources_for_periods), so identity finds a repeat.
        slugs[site_id]: list({id(s): s for pid in ids for s in cited.get(pid, [])}.values())
        for site_id, ids in held.items()
    }
