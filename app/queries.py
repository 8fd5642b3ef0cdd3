"""Read queries shared by the map, the API and the downloads; the state "as of" a date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from . import mapdata, timeline
from .extensions import db
from .models import (
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


def _covers(model, day: dt.date):
    """SQL condition: the period's [start, end) contains `day`."""
    return and_(or_(model.start.is_(None), model.start <= day),
                or_(model.end.is_(None), model.end > day))


def state_at(day: dt.date) -> list[dict]:
    """Every site with its controller and status on `day`, in one indexed query."""
    cp, sp = aliased(ControlPeriod), aliased(StatusPeriod)
    actor, challenger = aliased(Actor), aliased(Actor)
    stmt = (
        select(Site, Crossing.slug, cp, actor, challenger.slug, sp)
        .outerjoin(Crossing, Site.crossing_id == Crossing.id)
        .outerjoin(cp, and_(cp.site_id == Site.id, _covers(cp, day)))
        .outerjoin(actor, actor.id == cp.actor_id)
        .outerjoin(challenger, challenger.id == cp.challenger_id)
        .outerjoin(sp, and_(sp.site_id == Site.id, _covers(sp, day)))
        .order_by(Site.slug)
    )
    rows = db.session.execute(stmt).all()
    sources = sources_for_periods([r[2].id for r in rows if r[2] is not None])
    return [_state_row(day, *row, sources) for row in rows]


def sources_for_periods(period_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Sources of the given control periods, keyed by period id."""
    ids = list(period_ids)
    out: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return out
    stmt = (select(control_period_source.c.control_period_id, Source)
            .join(Source, Source.id == control_period_source.c.source_id)
            .where(control_period_source.c.control_period_id.in_(ids))
            .order_by(Source.published))
    for period_id, source in db.session.execute(stmt):
        out[period_id].append(source_dict(source))
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
        "published_label": timeline.format_bound(source.published,
                                                 source.published_precision),
        "language": source.language,
        "archived_url": source.archived_url,
    }


def to_period(p: ControlPeriod | StatusPeriod, value=None) -> timeline.Period:
    """The pure-timeline view of a stored period."""
    return timeline.Period(p.start, p.end, value, p.start_precision, p.end_precision, p.id)


def _state_row(day, site: Site, crossing_slug, cp, actor, challenger_slug, sp, sources):
    period = to_period(cp) if cp is not None else None
    return {
        "slug": site.slug,
        "name": site.name,
        "name_ar": site.name_ar,
        "country": site.country,
        "kind": site.kind,
        "crossing": crossing_slug,
        "lon": site.lon,
        "lat": site.lat,
        "location_precision": site.location_precision,
        "controller": actor.slug if actor else None,
        "controller_name": actor.name if actor else None,
        "controller_colour": actor.colour if actor else None,
        "since": _iso(cp.start) if cp else None,
        "since_precision": cp.start_precision if cp else None,
        "until": _iso(cp.end) if cp else None,
        "until_precision": cp.end_precision if cp else None,
        "uncertain": bool(period and timeline.is_uncertain(period, day)),
        "contested": bool(cp and cp.contested),
        "challenger": challenger_slug,
        "confidence": cp.confidence if cp else None,
        "note": cp.note if cp else "",
        "period_id": cp.id if cp else None,
        "status": sp.status if sp else "unknown",
        "status_since": _iso(sp.start) if sp else None,
        "sources": sources.get(cp.id, []) if cp else [],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


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


def map_rows() -> mapdata.MapRows:
    """Sites, actors, control and status periods, events and their sources, as plain rows."""
    control = _rows(select(ControlPeriod.id, ControlPeriod.site_id, ControlPeriod.actor_id,
                           ControlPeriod.challenger_id, ControlPeriod.start,
                           ControlPeriod.end, ControlPeriod.start_precision,
                           ControlPeriod.end_precision, ControlPeriod.contested,
                           ControlPeriod.confidence))
    _attach_sources(control, control_period_source, "control_period_id")
    events = _rows(select(Event.id, Event.date, Event.precision, Event.title, Event.lon,
                          Event.lat).order_by(Event.date, Event.id))
    _attach_sources(events, event_source, "event_id")
    _locate_events(events)
    used = {i for r in control for i in r["source_ids"]} | {
        i for r in events for i in r["source_ids"]}
    return mapdata.MapRows(
        actors=_rows(select(Actor.id, Actor.slug, Actor.name, Actor.short, Actor.colour)
                     .order_by(Actor.id)),
        sites=_rows(select(Site.id, Site.slug, Site.name, Site.name_ar, Site.country,
                           Site.lon, Site.lat, Site.kind).order_by(Site.slug)),
        control=control,
        status=_rows(select(StatusPeriod.site_id, StatusPeriod.status, StatusPeriod.start,
                            StatusPeriod.end, StatusPeriod.start_precision,
                            StatusPeriod.end_precision, StatusPeriod.confidence)),
        events=events,
        sources=_source_labels(used),
    )


def _rows(stmt) -> list[dict]:
    """Run a Core select and return its rows as dicts."""
    return [dict(r) for r in db.session.execute(stmt).mappings()]


def _attach_sources(rows: list[dict], link, key: str) -> None:
    """Give each row the ids of its sources (`source_ids`), oldest publication first."""
    ids: dict[int, list[int]] = defaultdict(list)
    stmt = (select(link.c[key], link.c.source_id)
            .join(Source, Source.id == link.c.source_id)
            .order_by(Source.published, Source.id))
    for owner, source_id in db.session.execute(stmt):
        ids[owner].append(source_id)
    for r in rows:
        r["source_ids"] = ids.get(r["id"], [])


def _locate_events(events: list[dict]) -> None:
    """Events without a point of their own take the location of their first site."""
    stmt = (select(event_site.c.event_id, Site.lon, Site.lat)
            .join(Site, Site.id == event_site.c.site_id).order_by(Site.slug))
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
    return {s.id: {"title": s.title, "publisher": s.publisher, "url": s.url,
                   "label": s.published_label} for s in db.session.scalars(stmt)}


def search_candidates() -> list[dict]:
    """Every site's names and stored search text, for search.find."""
    return _rows(select(Site.slug, Site.name, Site.name_ar, Site.country, Site.kind,
                        Site.search_text).order_by(Site.name))


def actor_short_names() -> dict[str, str]:
    """Short label of every actor by slug ("ISIS"), for compact tables."""
    return dict(db.session.execute(select(Actor.slug, Actor.short)).all())
