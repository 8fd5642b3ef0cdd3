"""Features for the downloads and the OGC API: filtered, paged SQL in, GeoJSON dicts out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shapely.geometry import box, shape
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.core import clock, collector, geo, geojson
from app.core.record_keys import parse_period_key, period_key
from app.core.vocabulary import FIRST_DAY
from app.db import queries
from app.db.models import (
    Actor,
    ControlPeriod,
    Crossing,
    Event,
    Site,
    Source,
    StatusPeriod,
    event_site,
    event_source,
    status_period_source,
)
from app.extensions import db

__all__ = [
    "Filters",
    "periods",
    "status",
    "events",
    "sites_at",
    "sources",
    "boundaries",
    "boundaries_extent",
    "extent",
    "count",
    "find",
    "site_records",
    "actors",
    "crossings",
]


@dataclass(frozen=True)
class Filters:
    """What to keep: a site, an actor, a half-open date window [lo, hi), a lon/lat box, and
    `where`, a SQL condition on the collection's table (a CQL2 filter from app.db.cql)."""

    site: str | None = None
    actor: str | None = None
    lo: dt.date | None = None
    hi: dt.date | None = None
    bbox: tuple[float, float, float, float] | None = None
    fid: int | None = None
    where: object = None


def count(kind: str, f: Filters) -> int:
    """How many features of `kind` ("periods", "status", "events") pass the filters."""
    model = _MODELS[kind]
    stmt = select(func.count()).select_from(model).where(*_CONDITIONS[kind](f))
    return db.session.scalar(stmt)


def periods(f: Filters, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Control periods as Point features at their site, ordered by id."""
    actor, challenger = aliased(Actor), aliased(Actor)
    stmt = (
        select(
            ControlPeriod,
            Site.slug,
            Site.name,
            Site.country,
            Site.lon,
            Site.lat,
            actor.slug,
            actor.name,
            challenger.slug,
        )
        .join(Site, Site.id == ControlPeriod.site_id)
        .join(actor, actor.id == ControlPeriod.actor_id)
        .outerjoin(challenger, challenger.id == ControlPeriod.challenger_id)
        .where(*_period_conditions(f))
        .order_by(ControlPeriod.id)
        .limit(limit)
        .offset(offset)
    )
    rows = db.session.execute(stmt).all()
    sources = queries.sources_for_periods(r[0].id for r in rows)
    return [_period_feature(*row, sources[row[0].id]) for row in rows]


def status(f: Filters, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Open/closed status periods as Point features at their site, ordered by id."""
    stmt = (
        select(StatusPeriod, Site.slug, Site.name, Site.country, Site.lon, Site.lat)
        .join(Site, Site.id == StatusPeriod.site_id)
        .where(*_status_conditions(f))
        .order_by(StatusPeriod.id)
        .limit(limit)
        .offset(offset)
    )
    rows = db.session.execute(stmt).all()
    sources = queries.sources_for_periods((r[0].id for r in rows), status_period_source)
    return [_status_feature(*row, sources[row[0].id]) for row in rows]


def events(f: Filters, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Events as MultiPoint features at their sites (null geometry without a place)."""
    stmt = select(Event).where(*_event_conditions(f)).order_by(Event.id).limit(limit).offset(offset)
    rows = list(db.session.scalars(stmt))
    ids = [e.id for e in rows]
    places = _event_places(ids)
    sources = queries.sources_for_periods(ids, event_source)
    return [_event_feature(e, places.get(e.id, []), sources[e.id]) for e in rows]


def sites_at(day: dt.date, bbox=None) -> list[dict]:
    """The state of every site on `day` as Point features (the map's own query)."""
    # Thousands of acyclic features, freed once serialised: no young sweeps over them.
    with collector.paused():
        rows = queries.state_at(day)
        shown: dict[int, list[dict]] = {}  # lives no longer than `rows`
        feats = [_state_feature(r, shown) for r in rows]
    return [f for f in feats if bbox is None or _in_box(f["geometry"]["coordinates"], bbox)]


def _state_feature(row: dict, shown: dict[int, list[dict]]) -> dict:
    """A state row as a feature, with `period_id` as the held period's record key, from its
    own start (`period_start`; the row's since is its hold's), and `shown` as in
    geojson.point_feature."""
    out = geojson.point_feature(row, row["slug"], shown)
    props = out["properties"]  # a copy of the row's fields: the row stays as is
    start = props.pop("period_start")
    props["period_id"] = row["period_id"] and period_key(row["slug"], "control", start)
    return out


def find(kind: str, key: str, day: dt.date | None = None) -> dict | None:
    """The feature (or row) of `kind` whose record key is `key`; None if there is none.

    Kinds: "sites" (the state on `day`, default today), "periods", "status", "events",
    "sources", "actors", "crossings", "site_records".
    """
    if kind in ("periods", "status"):
        parsed = parse_period_key(key)
        if parsed is None or parsed[1] != {"periods": "control", "status": "status"}[kind]:
            return None
        model = ControlPeriod if kind == "periods" else StatusPeriod
        site, _, days = parsed
        first, last = days or (None, None)
        row_id = db.session.scalar(
            select(model.id)
            .join(Site, Site.id == model.site_id)
            .where(
                Site.slug == site,
                model.start_edtf.is_(None) if days is None else model.start_edtf.is_not(None),
                _same_day(model.start_earliest, first),
                _same_day(model.start_latest, last),
            )
        )
        fetch = periods if kind == "periods" else status
        found = fetch(Filters(fid=row_id)) if row_id is not None else []
        return found[0] if found else None
    if kind == "events":
        row_id = db.session.scalar(select(Event.id).where(Event.slug == key))
        found = events(Filters(fid=row_id)) if row_id is not None else []
        return found[0] if found else None
    listed = {
        "sites": lambda: sites_at(day or clock.today()),
        "sources": sources,
        "actors": actors,
        "crossings": crossings,
        "site_records": site_records,
    }.get(kind)
    return next((f for f in listed() if f["id"] == key), None) if listed else None


def _same_day(column, day: dt.date | None):
    return column.is_(None) if day is None else column == day


def site_records() -> list[dict]:
    """Every site's own record (names, spellings, place, notes) as Point features by slug."""
    stmt = select(Site, Crossing.slug).outerjoin(Crossing).order_by(Site.slug)
    return [
        geojson.feature(
            site.slug,
            geojson.point(site.lon, site.lat),
            {
                "slug": site.slug,
                "name": site.name,
                "name_ar": site.name_ar,
                "aliases": list(site.aliases or []),
                "country": site.country,
                "kind": site.kind,
                "crossing": crossing,
                "location_precision": site.location_precision,
                "location_note": site.location_note,
                "radius_km": site.radius_km,
                "note": site.note,
            },
        )
        for site, crossing in db.session.execute(stmt)
    ]


def actors() -> list[dict]:
    """Every actor as a plain row by slug, its parent by slug."""
    parent = aliased(Actor)
    stmt = select(Actor, parent.slug).outerjoin(parent, parent.id == Actor.parent_id)
    return [
        {
            "id": a.slug,
            "slug": a.slug,
            "name": a.name,
            "name_ar": a.name_ar,
            "name_ar_transliterated": a.name_ar_transliterated,
            "short": a.short,
            "short_ar": a.short_ar,
            "kind": a.kind,
            "colour": a.colour,
            "parent": parent_slug,
            "note": a.note,
        }
        for a, parent_slug in db.session.execute(stmt.order_by(Actor.slug))
    ]


def crossings() -> list[dict]:
    """Every crossing as a plain row by slug."""
    stmt = select(Crossing).order_by(Crossing.slug)
    return [
        {"id": c.slug, "slug": c.slug, "name": c.name, "name_ar": c.name_ar, "note": c.note}
        for c in db.session.scalars(stmt)
    ]


def sources(cited_by: list[dict] | None = None) -> list[dict]:
    """Every source as a plain row keyed by its ref, or only those cited by the features.

    `published` is written at its precision ("2013-03" when only the month is known).
    """
    stmt = select(Source).order_by(Source.id)
    rows = [
        {
            "id": s.ref or f"#{s.id}",
            "ref": s.ref,
            "title": s.title,
            "publisher": s.publisher,
            "url": s.url,
            "published": _at_precision(s.published, s.published_precision),
            "language": s.language,
            "accessed": clock.iso_day(s.accessed),
            "archived_url": s.archived_url,
            "note": s.note,
        }
        for s in db.session.scalars(stmt)
    ]
    if cited_by is None:
        return rows
    refs = {s["ref"] for f in cited_by for s in f["properties"].get("sources", [])}
    return [r for r in rows if r["ref"] in refs]


def boundaries(geodata_dir, bbox=None) -> list[dict]:
    """Countries, the Syria–Iraq border line and the al-Tanf zone as one feature list."""
    out = []
    for layer, collection in geo.display_layers(geodata_dir).items():
        for n, f in enumerate(collection["features"]):
            p = f["properties"]
            fid = f"{layer}-{(p.get('iso_a2') or str(n)).lower()}"
            props = {
                "layer": layer,
                "name": p.get("name"),
                "iso_a2": p.get("iso_a2"),
                "note": p.get("note") or p.get("source") or "",
            }
            out.append(geojson.feature(fid, f["geometry"], props))
    if bbox is None:
        return out
    minx, miny, maxx, maxy = bbox
    # Across the antimeridian (minx > maxx, as OGC API – Features allows): two boxes.
    area = (
        box(*bbox)
        if minx <= maxx
        else box(minx, miny, 180, maxy).union(box(-180, miny, maxx, maxy))
    )
    return [f for f in out if shape(f["geometry"]).intersects(area)]


def extent(kind: str) -> tuple[list[float] | None, list[str | None] | None]:
    """Spatial bbox of the sites and the temporal [first, last] of `kind` (None: open)."""
    box = db.session.execute(
        select(func.min(Site.lon), func.min(Site.lat), func.max(Site.lon), func.max(Site.lat))
    ).one()
    spatial = None if box[0] is None else [float(v) for v in box]
    if kind == "sites":  # a state is answered for each day of the record's span, no other
        return spatial, [FIRST_DAY.isoformat(), clock.today().isoformat()]
    if kind == "events":
        lo, hi = db.session.execute(
            select(func.min(Event.date), func.max(func.coalesce(Event.end, Event.date)))
        ).one()
        return spatial, [clock.iso_day(lo), clock.iso_day(hi)]
    model = ControlPeriod if kind in ("periods", "sites") else StatusPeriod
    lo, hi, before, ongoing = db.session.execute(
        select(
            func.min(model.start_earliest),
            func.max(model.end_latest),
            func.count().filter(model.start_earliest.is_(None)),
            func.count().filter(model.end_latest.is_(None)),
        )
    ).one()
    return spatial, [None if before else clock.iso_day(lo), None if ongoing else clock.iso_day(hi)]


# conditions ---------------------------------------------------------------
def _intersects(model, f: Filters) -> list:
    """SQL: the period's possible span [earliest start, latest end) meets [lo, hi)."""
    out = []
    if f.hi is not None:
        out.append(or_(model.start_earliest.is_(None), model.start_earliest < f.hi))
    if f.lo is not None:
        out.append(or_(model.end_latest.is_(None), model.end_latest > f.lo))
    return out


def _site_conditions(model, f: Filters) -> list:
    out = _intersects(model, f)
    if f.where is not None:
        out.append(f.where)
    if f.fid is not None:
        out.append(model.id == f.fid)
    if f.site is not None:
        out.append(model.site_id == select(Site.id).where(Site.slug == f.site).scalar_subquery())
    if f.bbox is not None:
        out.append(model.site_id.in_(select(Site.id).where(_box(f.bbox))))
    return out


def _period_conditions(f: Filters) -> list:
    out = _site_conditions(ControlPeriod, f)
    if f.actor is not None:
        out.append(
            ControlPeriod.actor_id
            == select(Actor.id).where(Actor.slug == f.actor).scalar_subquery()
        )
    return out


def _status_conditions(f: Filters) -> list:
    return _site_conditions(StatusPeriod, f)


def _event_conditions(f: Filters) -> list:
    """Events are closed intervals of days: [date, the later of date_latest and end]."""
    out = [] if f.where is None else [f.where]
    if f.fid is not None:
        out.append(Event.id == f.fid)
    if f.hi is not None:
        out.append(Event.date < f.hi)
    if f.lo is not None:
        out.append(or_(Event.date_latest >= f.lo, Event.end >= f.lo))
    linked = select(event_site.c.event_id).join(Site, Site.id == event_site.c.site_id)
    if f.site is not None:
        out.append(Event.id.in_(linked.where(Site.slug == f.site)))
    if f.bbox is not None:
        own = and_(Event.lon.is_not(None), _box(f.bbox, Event.lon, Event.lat))
        placed = exists(linked.where(event_site.c.event_id == Event.id))
        inside = exists(linked.where(event_site.c.event_id == Event.id, _box(f.bbox)))
        # OGC API – Features /req/core/fc-bbox-response C: a bbox also matches every
        # feature without a geometry (no point of its own and no site).
        nowhere = and_(Event.lon.is_(None), ~placed)
        out.append(or_(own, inside, nowhere))
    return out


def _box(bbox, lon=Site.lon, lat=Site.lat):
    """Condition: (lon, lat) in the bbox; one whose minx is east of its maxx crosses the
    antimeridian (OGC API – Features, bbox)."""
    minx, miny, maxx, maxy = bbox
    east_west = lon.between(minx, maxx) if minx <= maxx else or_(lon >= minx, lon <= maxx)
    return and_(east_west, lat.between(miny, maxy))


_MODELS = {"periods": ControlPeriod, "status": StatusPeriod, "events": Event}
_CONDITIONS = {
    "periods": _period_conditions,
    "status": _status_conditions,
    "events": _event_conditions,
}


# rows -> features ---------------------------------------------------------
def _period_feature(
    p, site, site_name, country, lon, lat, actor, actor_name, challenger, sources
) -> dict:
    props = {
        "site": site,
        "site_name": site_name,
        "country": country,
        "actor": actor,
        "actor_name": actor_name,
        **_bounds(p),
        "contested": p.contested,
        "challenger": challenger,
        "confidence": p.confidence,
        "note": p.note,
        "sources": geojson.cited(sources),
    }
    return geojson.feature(period_key(site, "control", p.start), geojson.point(lon, lat), props)


def _status_feature(p, site, site_name, country, lon, lat, sources) -> dict:
    props = {
        "site": site,
        "site_name": site_name,
        "country": country,
        "status": p.status,
        **_bounds(p),
        "confidence": p.confidence,
        "note": p.note,
        "sources": geojson.cited(sources),
    }
    return geojson.feature(period_key(site, "status", p.start), geojson.point(lon, lat), props)


def _event_feature(e: Event, places: list[tuple], sources: list[dict]) -> dict:
    points = [[lon, lat] for _, lon, lat in places]
    if e.lon is not None:
        points.insert(0, [e.lon, e.lat])
    props = {
        "slug": e.slug,
        "date": clock.iso_day(e.date),
        "precision": e.precision,
        "date_edtf": e.date_edtf,
        "date_latest": clock.iso_day(e.date_latest),
        "end": clock.iso_day(e.end),
        "title": e.title,
        "description": e.description,
        "sites": [slug for slug, _, _ in places],
        "confidence": e.confidence,
        "sources": geojson.cited(sources),
    }
    geometry = {"type": "MultiPoint", "coordinates": points} if points else None
    return geojson.feature(e.slug, geometry, props)


def _event_places(ids: list[int]) -> dict[int, list[tuple]]:
    """(slug, lon, lat) of each event's sites, by event id."""
    out: dict[int, list[tuple]] = {}
    if not ids:
        return out
    stmt = (
        select(event_site.c.event_id, Site.slug, Site.lon, Site.lat)
        .join(Site, Site.id == event_site.c.site_id)
        .where(event_site.c.event_id.in_(ids))
        .order_by(Site.slug)
    )
    for event_id, slug, lon, lat in db.session.execute(stmt):
        out.setdefault(event_id, []).append((slug, lon, lat))
    return out


def _bounds(p) -> dict:
    """The period's bounds: `start`/`end` as before EDTF (earliest day and precision), the
    EDTF text with its earliest and latest days, and the certain span."""
    span = p.as_period()
    certain = span.certain_days
    return {
        "start": clock.iso_day(span.possible_start),
        "start_precision": p.start_precision,
        "end": clock.iso_day(p.end and p.end.earliest),
        "end_precision": p.end_precision,
        **_edtf("start", p.start),
        **_edtf("end", p.end),
        # The days on which this period alone holds; both null when its windows leave none.
        "certain_start": clock.iso_day(certain and certain[0]),
        "certain_end": clock.iso_day(certain and certain[1]),
    }


def _edtf(side: str, bound) -> dict:
    return {
        f"{side}_edtf": bound.text if bound else None,
        f"{side}_earliest": clock.iso_day(bound and bound.earliest),
        f"{side}_latest": clock.iso_day(bound and bound.latest),
    }


def _at_precision(day: dt.date | None, precision: str) -> str | None:
    """A partial date as the import reads it back: "2013", "2013-03" or "2013-03-04"."""
    return day.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)] if day else None


def _in_box(coords, bbox) -> bool:
    """_box for a feature already built."""
    minx, miny, maxx, maxy = bbox
    lon, lat = coords[0], coords[1]
    east_west = minx <= lon <= maxx if minx <= maxx else (lon >= minx or lon <= maxx)
    return east_west and miny <= lat <= maxy


def boundaries_extent(geodata_dir) -> tuple[list[float], None]:
    """Bounding box of every boundary feature; boundaries have no time."""
    bounds = [shape(f["geometry"]).bounds for f in boundaries(geodata_dir)]
    box_ = [
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    ]
    return [round(v, 6) for v in box_], None
