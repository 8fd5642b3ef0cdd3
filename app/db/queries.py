"""Read queries shared by the map, the API and the downloads; the state "as of" a date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import (
    Date,
    String,
    Table,
    and_,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from app.core import clock, map_encoding, timeline
from app.core.cache import VersionedCache
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
)
from app.extensions import db


def covering(model, site_id, day: dt.date, dialect: str):
    """Join condition: `model`'s period of site `site_id` whose [start, end) holds `day`.

    Periods of a site never overlap, so the only candidate is the one with the latest
    start on or before `day` (or the open-start one). PostgreSQL answers that from a GiST
    index on the date range; SQLite from a B-tree probe per site on (site_id, start).
    """
    if dialect == "postgresql":
        span = func.daterange(
            func.coalesce(model.start, literal_column("'-infinity'::date")), model.end
        )
        return and_(model.site_id == site_id, span.op("@>")(cast(day, Date)))
    probe = aliased(model)
    latest = (
        select(probe.id)
        .where(probe.site_id == site_id, probe.start <= day)
        .order_by(probe.start.desc())
        .limit(1)
        .scalar_subquery()
    )
    open_start = (
        select(probe.id)
        .where(probe.site_id == site_id, probe.start.is_(None))
        .limit(1)
        .scalar_subquery()
    )
    return and_(
        model.id == func.coalesce(latest, open_start), or_(model.end.is_(None), model.end > day)
    )


_SOURCE_CACHE = VersionedCache(maxsize=4)
# Rows of recent dates (a slider session touches many); 10,000 sites are ~10 MB a date.
_STATE_CACHE = VersionedCache(maxsize=32)
_IN_BATCH = 900

_STATE_COLUMNS = (
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
    "period_id",
    "start",
    "end",
    "start_precision",
    "end_precision",
    "contested",
    "confidence",
    "note",
    "controller",
    "controller_name",
    "controller_colour",
    "challenger",
    "status",
    "status_since",
)


def state_at(day: dt.date) -> list[dict]:
    """Every site with its controller and status on `day` (treat the rows as read-only).

    Computed by one indexed query, then kept per data version: the map, the API and the
    downloads asking for the same date share the rows until the next write.
    """
    from app.db.session_events import data_version

    return _STATE_CACHE.get(data_version(db.session), day, lambda: compute_state_at(day))


def compute_state_at(day: dt.date) -> list[dict]:
    """state_at() without the cache: always runs the query."""
    dialect = db.session.get_bind().dialect.name
    # Core execution: plain tuples, no ORM identity map work for thousands of rows.
    result = db.session.connection().execute(state_statement(day, dialect))
    sources = sources_by_id()
    return [
        _state_row(day, dict(zip(_STATE_COLUMNS, r, strict=False)), r[-1], sources) for r in result
    ]


def state_statement(day: dt.date, dialect: str):
    """The as-of SELECT: one row per site with its covering control and status period."""
    cp, sp = aliased(ControlPeriod), aliased(StatusPeriod)
    actor, challenger = aliased(Actor), aliased(Actor)
    return (
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
            cp.id,
            cp.start,
            cp.end,
            cp.start_precision,
            cp.end_precision,
            cp.contested,
            cp.confidence,
            cp.note,
            actor.slug,
            actor.name,
            actor.colour,
            challenger.slug,
            sp.status,
            sp.start,
            _source_ids(cp.id, dialect),
        )
        .outerjoin(Crossing, Site.crossing_id == Crossing.id)
        .outerjoin(cp, covering(cp, Site.id, day, dialect))
        .outerjoin(actor, actor.id == cp.actor_id)
        .outerjoin(challenger, challenger.id == cp.challenger_id)
        .outerjoin(sp, covering(sp, Site.id, day, dialect))
        .order_by(Site.slug)
    )


def _source_ids(period_id, dialect: str):
    """Correlated subquery: the period's source ids as "3,17" (primary-key lookups)."""
    link = control_period_source
    if dialect == "postgresql":
        joined = func.string_agg(cast(link.c.source_id, String), ",")
    else:
        joined = func.group_concat(link.c.source_id, ",")
    return select(joined).where(link.c.control_period_id == period_id).scalar_subquery()


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
    owner = next(c for c in link.c if c.name != "source_id")
    by_id = sources_by_id()
    # Batches keep every statement under SQLite's limit on bound parameters.
    for i in range(0, len(ids), _IN_BATCH):
        stmt = select(owner, link.c.source_id).where(owner.in_(ids[i : i + _IN_BATCH]))
        for owner_id, source_id in db.session.execute(stmt):
            out[owner_id].append(by_id[source_id])
    for cited in out.values():
        cited.sort(key=_published_key)
    return out


def source_dict(source: Source) -> dict:
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
    return timeline.Period(p.start, p.end, value, p.start_precision, p.end_precision, p.id)


def _state_row(day: dt.date, r: dict, source_ids: str | None, sources: dict[int, dict]) -> dict:
    known = r["period_id"] is not None
    if known and (r["start_precision"] != "day" or r["end_precision"] != "day"):
        uncertain = timeline.is_uncertain(
            timeline.Period(r["start"], r["end"], None, r["start_precision"], r["end_precision"]),
            day,
        )
    else:
        uncertain = False
    cited = [sources[int(i)] for i in source_ids.split(",")] if source_ids else []
    return {
        "slug": r["slug"],
        "name": r["name"],
        "name_ar": r["name_ar"],
        "country": r["country"],
        "kind": r["kind"],
        "crossing": r["crossing"],
        "lon": r["lon"],
        "lat": r["lat"],
        "location_precision": r["location_precision"],
        "controller": r["controller"],
        "controller_name": r["controller_name"],
        "controller_colour": r["controller_colour"],
        "since": clock.iso_day(r["start"]),
        "since_precision": r["start_precision"] if known else None,
        "until": clock.iso_day(r["end"]),
        "until_precision": r["end_precision"] if known else None,
        "uncertain": bool(uncertain),
        "contested": bool(r["contested"]),
        "challenger": r["challenger"],
        "confidence": r["confidence"],
        "note": r["note"] or "",
        "period_id": r["period_id"],
        "status": r["status"] or "unknown",
        "status_since": clock.iso_day(r["status_since"]),
        "sources": sorted(cited, key=_published_key),
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
    for p in db.session.scalars(select(ControlPeriod).order_by(ControlPeriod.start)):
        out[p.site_id].append(to_period(p, p.actor_id))
    return out


def map_rows() -> map_encoding.MapRows:
    """Sites, actors, control and status periods, events and their sources, as plain rows."""
    control = _rows(
        select(
            ControlPeriod.id,
            ControlPeriod.site_id,
            ControlPeriod.actor_id,
            ControlPeriod.challenger_id,
            ControlPeriod.start,
            ControlPeriod.end,
            ControlPeriod.start_precision,
            ControlPeriod.end_precision,
            ControlPeriod.contested,
            ControlPeriod.confidence,
        )
    )
    _attach_sources(control, control_period_source, "control_period_id")
    events = _rows(
        select(Event.id, Event.date, Event.precision, Event.title, Event.lon, Event.lat).order_by(
            Event.date, Event.id
        )
    )
    _attach_sources(events, event_source, "event_id")
    _locate_events(events)
    used = {i for r in control for i in r["source_ids"]} | {
        i for r in events for i in r["source_ids"]
    }
    return map_encoding.MapRows(
        actors=_rows(
            select(Actor.id, Actor.slug, Actor.name, Actor.short, Actor.colour).order_by(Actor.id)
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
        control=control,
        status=_rows(
            select(
                StatusPeriod.site_id,
                StatusPeriod.status,
                StatusPeriod.start,
                StatusPeriod.end,
                StatusPeriod.start_precision,
                StatusPeriod.end_precision,
                StatusPeriod.confidence,
            )
        ),
        events=events,
        sources=_source_labels(used),
    )


def _rows(stmt) -> list[dict]:
    """Run a Core select and return its rows as dicts."""
    return [dict(r) for r in db.session.execute(stmt).mappings()]


def _attach_sources(rows: list[dict], link, key: str) -> None:
    """Give each row the ids of its sources (`source_ids`), oldest publication first."""
    ids: dict[int, list[int]] = defaultdict(list)
    stmt = (
        select(link.c[key], link.c.source_id)
        .join(Source, Source.id == link.c.source_id)
        .order_by(Source.published, Source.id)
    )
    for owner, source_id in db.session.execute(stmt):
        ids[owner].append(source_id)
    for r in rows:
        r["source_ids"] = ids.get(r["id"], [])


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
    """Title, publisher, URL and date label of each source id."""
    if not ids:
        return {}
    stmt = select(Source).where(Source.id.in_(sorted(ids)))
    return {
        s.id: {"title": s.title, "publisher": s.publisher, "url": s.url, "label": s.published_label}
        for s in db.session.scalars(stmt)
    }


def search_candidates() -> list[dict]:
    """Every site's names and stored search text, for search.find."""
    return _rows(
        select(
            Site.slug, Site.name, Site.name_ar, Site.country, Site.kind, Site.search_text
        ).order_by(Site.name)
    )


def actor_short_names() -> dict[str, str]:
    """Short label of every actor by slug ("ISIS"), for compact tables."""
    return dict(db.session.execute(select(Actor.slug, Actor.short)).all())
