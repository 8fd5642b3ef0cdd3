"""Bulk import: read the record's current state, then apply a checked plan in one commit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from app.core import geo
from app.core.text_rules import N_, Phrase
from app.db import revisions
from app.db.models import Actor, ControlPeriod, Crossing, Event, Site, Source, StatusPeriod
from app.db.queries import to_period
from app.extensions import db
from app.io import import_plan
from app.io.import_formats import Row
from app.io.import_plan import Change, Existing, Plan, plan

__all__ = ["FAR_KM", "check", "apply", "existing"]

#: A site farther than this from the Syria–Iraq border needs `allow_far`.
FAR_KM = geo.FAR_FROM_BORDER_KM


def check(
    rows: Iterable[Row],
    progress=iter,
    *,
    geodata_dir: str | Path,
    allow_far: bool = False,
) -> Plan:
    """Plan the import of `rows` against the record as it is now.

    Sites the import would create or change more than FAR_KM from the border are
    refused unless `allow_far` says they are intended.
    """
    result = plan(rows, existing(), progress)
    if not allow_far:
        result.errors.extend(_far_sites(result.changes, geodata_dir))
        result.errors.sort(key=import_plan._place)  # keep the file order of the report
    return result


def _far_sites(changes: list[Change], geodata_dir: str | Path) -> list[Phrase]:
    """An error for each created or updated site more than FAR_KM from the border."""
    sites = [c for c in changes if c.kind == "sites" and c.action != "unchanged"]
    if not sites:
        return []
    points = [(c.where, c.values["lon"], c.values["lat"], None) for c in sites]
    found = geo.locate(points, geo.load_boundaries(geodata_dir))
    return [
        Phrase(
            N_(
                "%(where)s (sites): fields 'lon', 'lat': the point is %(km)s km from the "
                "Syria–Iraq border (more than %(most)s km); check them, or import with "
                '"sites far from the border are intended" (--allow-far on the command line)'
            ),
            where=c.where,
            km=f"{found[c.where].border_km:.1f}",
            most=FAR_KM,
        )
        for c in sites
        if found[c.where].border_km > FAR_KM
    ]


def existing() -> Existing:
    """The record as plain values, in the form the import rows are checked in."""
    out = Existing(
        actors={
            a.slug: {
                "id": a.id,
                **_fields(a, _ACTOR_FIELDS),
                "parent": a.parent.slug if a.parent else "",
            }
            for a in db.session.scalars(select(Actor))
        },
        crossings={
            c.slug: {"id": c.id, **_fields(c, _CROSSING_FIELDS)}
            for c in db.session.scalars(select(Crossing))
        },
    )
    for e in db.session.scalars(select(Event)):
        out.events[e.slug] = {
            "id": e.id,
            **_fields(e, _EVENT_FIELDS),
            "sites": sorted(s.slug for s in e.sites),
            "sources": sorted(s.ref for s in e.sources if s.ref),
        }
    for s in db.session.scalars(select(Source)):
        out.sources[s.ref or f"#{s.id}"] = {"id": s.id, **_fields(s, _SOURCE_FIELDS)}
    for site in db.session.scalars(select(Site)):
        out.sites[site.slug] = {
            "id": site.id,
            **_fields(site, _SITE_FIELDS),
            "crossing": site.crossing.slug if site.crossing else "",
        }
        out.periods[site.slug] = [
            (to_period(p), _period_fields(p, site)) for p in site.control_periods
        ]
        out.status[site.slug] = [
            (to_period(p), _period_fields(p, site)) for p in site.status_periods
        ]
    return out


def apply(changes: Iterable[Change], user=None, comment: str = "") -> Counter:
    """Create and update the planned rows with a Revision each; all or nothing."""
    writer = _Writer()
    done: Counter = Counter()
    written = []
    try:
        for change in changes:
            if change.action != "unchanged":
                written.append(writer.write(change))
                done[change.action] += 1
        writer.link_parents()
        db.session.flush()
        for obj, before in written:
            revisions.record(
                obj,
                "update" if before else "create",
                before,
                user=user,
                comment=comment,
                flush=False,
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return done


_SOURCE_FIELDS = (
    "ref",
    "title",
    "publisher",
    "url",
    "published",
    "published_precision",
    "language",
    "accessed",
    "archived_url",
    "note",
)
_SITE_FIELDS = (
    "slug",
    "name",
    "name_ar",
    "aliases",
    "country",
    "kind",
    "lon",
    "lat",
    "location_precision",
    "location_note",
    "radius_km",
    "note",
)
_PERIOD_FIELDS = ("start", "end", "confidence", "note")
_ACTOR_FIELDS = (
    "slug",
    "name",
    "name_ar",
    "name_ar_transliterated",
    "short",
    "short_ar",
    "kind",
    "colour",
    "note",
)
_CROSSING_FIELDS = ("slug", "name", "name_ar", "note")
_EVENT_FIELDS = (
    "slug",
    "title",
    "when",
    "end",
    "description",
    "confidence",
    "lon",
    "lat",
)


def _fields(obj, names) -> dict:
    return {n: getattr(obj, n) for n in names}


def _period_fields(p, site: Site) -> dict:
    out = {
        "site": site.slug,
        **_fields(p, _PERIOD_FIELDS),
        "sources": sorted(s.ref for s in p.sources if s.ref),
    }
    if isinstance(p, ControlPeriod):
        out.update(
            actor=p.actor.slug,
            contested=p.contested,
            challenger=p.challenger.slug if p.challenger else "",
        )
    else:
        out["status"] = p.status
    return out


class _Writer:
    """Turns planned changes into rows, resolving slugs and refs (file rows included)."""

    def __init__(self):
        self.sources = {s.ref: s for s in db.session.scalars(select(Source)) if s.ref}
        self.sites = {s.slug: s for s in db.session.scalars(select(Site))}
        self.actors = {a.slug: a for a in db.session.scalars(select(Actor))}
        self.crossings = {c.slug: c for c in db.session.scalars(select(Crossing))}
        # An actor's parent may come later in the file: linked once every actor exists.
        self.parents: list[tuple[Actor, str]] = []

    def link_parents(self) -> None:
        """Set the parents the file named, now that every actor of the file exists."""
        for actor, parent in self.parents:
            actor.parent = self.actors.get(parent) if parent else None

    def write(self, change: Change) -> tuple[object, dict | None]:
        """Create or update the row of one change; return it with its earlier snapshot."""
        model, table = {
            "crossings": (Crossing, self.crossings),
            "actors": (Actor, self.actors),
            "sources": (Source, self.sources),
            "sites": (Site, self.sites),
            "state": (Site, self.sites),
            "periods": (ControlPeriod, None),
            "status": (StatusPeriod, None),
            "events": (Event, None),
        }[change.kind]
        obj = db.session.get(model, change.target) if change.target else model()
        before = revisions.snapshot(obj) if change.target else None
        self._fill(obj, change.values)
        if change.target is None:
            db.session.add(obj)
        if table is not None:
            table[change.key] = obj
        return obj, before

    def _fill(self, obj, values: dict) -> None:
        for name, value in values.items():
            if name == "sources":
                obj.sources = [self.sources[ref] for ref in value]
            elif name == "site":
                obj.site = self.sites[value]
            elif name == "sites":
                obj.sites = [self.sites[slug] for slug in value]
            elif name == "parent":
                self.parents.append((obj, value))
            elif name in ("actor", "challenger"):
                setattr(obj, name, self.actors.get(value))
            elif name == "crossing":
                obj.crossing = self.crossings.get(value)
            else:
                setattr(obj, name, value)
