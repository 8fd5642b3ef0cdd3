"""Load the reviewed seed file (data/seed.yaml) idempotently, never undoing an edit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select

from app.core import bounds, text_rules, timeline
from app.core.bounds import Bound
from app.db import revisions
from app.db.models import (
    Actor,
    ControlPeriod,
    Crossing,
    Event,
    SeedMark,
    Site,
    Source,
    StatusPeriod,
)
from app.extensions import db

SEED_COMMENT = revisions.SEED_COMMENT
# libyaml's loader when available: several times faster on the seed file.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SeedError(ValueError):
    """The seed file breaks a rule; the message names the entry and the rule."""


@dataclass
class SeedReport:
    """What one `flask seed` run did."""

    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    #: Entries that clash with the record (each has a warning): not marked as loaded, so a
    #: later run loads them once nothing clashes.
    refused: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


#: What a _make_ method returns for an entry the record refuses (as opposed to None: the
#: row exists already).
_REFUSED = object()


KINDS = ("actors", "crossings", "sources", "sites", "periods", "status", "events")


def load(path: str | Path, kinds: tuple[str, ...] = KINDS) -> SeedReport:
    """Insert every seed entry (of `kinds`) not loaded before; all or nothing."""
    data = _read(Path(path))
    loader = _Loader(SeedReport())
    try:
        for kind in kinds:
            for i, entry in enumerate(data.get(kind) or []):
                loader.add(kind, i, entry)
        db.session.flush()
        for row in loader.rows:
            revisions.record(row, "create", None, comment=SEED_COMMENT, flush=False)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return loader.report


def _read(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: cannot read the seed file ({exc})") from None
    if not isinstance(data, dict):
        raise SeedError(f"{path}: the seed file must be a mapping of lists")
    return data


def _date(entry: dict, key: str, where: str) -> tuple[dt.date | None, str]:
    """Parse a seed date string; explicit `<key>_precision` wins over the string's."""
    raw = entry.get(key)
    if raw is None:
        return None, entry.get(f"{key}_precision") or "day"
    try:
        day, precision = timeline.parse_partial_date(str(raw))
    except ValueError as exc:
        raise SeedError(f"{where}: field '{key}': {exc}") from None
    return day, entry.get(f"{key}_precision") or precision


def _bound(entry: dict, key: str, where: str) -> Bound | None:
    """A period bound: an EDTF expression (or a first day with `<key>_precision`)."""
    raw = entry.get(key)
    if raw is None:
        return None
    try:
        return bounds.read(str(raw), entry.get(f"{key}_precision"))
    except bounds.BoundError as exc:
        raise SeedError(f"{where}: field '{key}': {exc}") from None


class _Loader:
    """Creates rows for unseen seed keys and remembers them in SeedMark."""

    def __init__(self, report: SeedReport):
        self.report = report
        self.rows: list = []
        self.marks = {(m.kind, m.key) for m in db.session.scalars(select(SeedMark))}
        self.actors = {a.slug: a for a in db.session.scalars(select(Actor))}
        self.crossings = {c.slug: c for c in db.session.scalars(select(Crossing))}
        self.sources = {s.ref: s for s in db.session.scalars(select(Source)) if s.ref}
        self.sites = {s.slug: s for s in db.session.scalars(select(Site))}

    def add(self, kind: str, index: int, entry: dict) -> None:
        where = f"{kind}[{index}]"
        if not isinstance(entry, dict):
            raise SeedError(f"{where}: each entry must be a mapping")
        key = getattr(self, f"_key_{kind}")(entry, where)
        if (kind, key) in self.marks:
            self.report.skipped[kind] += 1
            return
        row = getattr(self, f"_make_{kind}")(entry, where)
        if row is _REFUSED:
            self.report.refused[kind] += 1
            return
        db.session.add(SeedMark(kind=kind, key=key))
        self.marks.add((kind, key))
        if row is None:
            self.report.skipped[kind] += 1
            return
        db.session.add(row)
        self.rows.append(row)
        self.report.created[kind] += 1

    # keys -----------------------------------------------------------------
    def _key_actors(self, e, where):
        return _require(e, "slug", where)

    _key_crossings = _key_events = _key_sites = _key_actors

    def _key_sources(self, e, where):
        return _require(e, "ref", where)

    def _key_periods(self, e, where):
        return f"{_require(e, 'site', where)}|{_require(e, 'actor', where)}|{e.get('start')}"

    def _key_status(self, e, where):
        return f"{_require(e, 'site', where)}|{_require(e, 'status', where)}|{e.get('start')}"

    # rows -----------------------------------------------------------------
    def _make_actors(self, e, where):
        if e["slug"] in self.actors:
            return None
        actor = Actor(
            slug=e["slug"],
            name=_require(e, "name", where),
            name_ar=e.get("name_ar") or "",
            name_ar_transliterated=bool(e.get("name_ar_transliterated")),
            short=e.get("short") or e["name"][:40],
            short_ar=e.get("short_ar") or "",
            kind=_require(e, "kind", where),
            colour=_require(e, "colour", where),
            note=e.get("note") or "",
        )
        if e.get("parent"):
            actor.parent = self._ref(self.actors, e["parent"], "parent", where)
        self.actors[actor.slug] = actor
        return actor

    def _make_crossings(self, e, where):
        if e["slug"] in self.crossings:
            return None
        crossing = Crossing(
            slug=e["slug"],
            name=_require(e, "name", where),
            name_ar=e.get("name_ar") or "",
            note=e.get("note") or "",
        )
        self.crossings[crossing.slug] = crossing
        return crossing

    def _make_sources(self, e, where):
        if e["ref"] in self.sources:
            return None
        published, precision = _date(e, "published", where)
        source = Source(
            ref=e["ref"],
            title=_require(e, "title", where),
            publisher=e.get("publisher") or "",
            url=_url(e, "url", where),
            published=published,
            published_precision=precision,
            language=e.get("language") or "en",
            archived_url=_url(e, "archived_url", where),
            note=e.get("note") or "",
        )
        self.sources[source.ref] = source
        return source

    def _make_sites(self, e, where):
        if e["slug"] in self.sites:
            return None
        site = Site(
            slug=e["slug"],
            name=_require(e, "name", where),
            name_ar=e.get("name_ar") or "",
            aliases=list(e.get("aliases") or []),
            country=_require(e, "country", where),
            kind=_require(e, "kind", where),
            lon=float(_require(e, "lon", where)),
            lat=float(_require(e, "lat", where)),
            location_precision=e.get("location_precision") or "exact",
            location_note=e.get("location_note") or "",
            radius_km=e.get("radius_km"),
            note=e.get("note") or "",
        )
        if e.get("crossing"):
            site.crossing = self._ref(self.crossings, e["crossing"], "crossing", where)
        self.sites[site.slug] = site
        return site

    def _make_periods(self, e, where):
        period = ControlPeriod(
            actor=self._ref(self.actors, e["actor"], "actor", where),
            contested=bool(e.get("contested")),
        )
        if e.get("challenger"):
            period.challenger = self._ref(self.actors, e["challenger"], "challenger", where)
        return self._fill_period(period, e, where, "control_periods")

    def _make_status(self, e, where):
        return self._fill_period(StatusPeriod(status=e["status"]), e, where, "status_periods")

    def _fill_period(self, period, e, where, collection):
        site = self._ref(self.sites, e["site"], "site", where)
        period.start = _bound(e, "start", where)
        period.end = _bound(e, "end", where)
        period.confidence = e.get("confidence") or "high"
        period.note = e.get("note") or ""
        period.sources = self._sources(e, where)
        try:
            candidate = timeline.Period(period.start, period.end)
        except ValueError as exc:
            raise SeedError(f"{where}: {exc}") from None
        existing = [p.as_period() for p in getattr(site, collection)]
        clash = timeline.find_overlaps(existing, candidate)
        if clash:
            self.report.warnings.append(
                f"{where}: not loaded, it overlaps the period {clash[0].describe()} "
                f"already recorded for {site.slug}"
            )
            return _REFUSED
        period.site = site
        return period

    def _make_events(self, e, where):
        if e.get("date") is None:
            raise SeedError(f"{where}: field 'date' is required")
        try:  # EDTF, or a first day with its precision (older files)
            when = bounds.read(str(e["date"]), e.get("precision"))
        except bounds.BoundError as exc:
            raise SeedError(f"{where}: field 'date': {exc}") from None
        if when.earliest is None or when.latest is None:
            raise SeedError(f"{where}: field 'date': give a first and a last possible day")
        end, _ = _date(e, "end", where)
        return Event(
            slug=e["slug"],
            when=when,
            end=end,
            title=_require(e, "title", where),
            description=e.get("description") or "",
            lon=e.get("lon"),
            lat=e.get("lat"),
            confidence=e.get("confidence") or "high",
            sites=[self._ref(self.sites, s, "sites", where) for s in e.get("sites") or []],
            sources=self._sources(e, where, required=False),
        )

    # helpers --------------------------------------------------------------
    def _sources(self, e, where, required=True):
        refs = e.get("sources") or []
        if required and not refs:
            raise SeedError(f"{where}: field 'sources' needs at least one source")
        return [self._ref(self.sources, r, "sources", where) for r in refs]

    @staticmethod
    def _ref(table: dict, key, field_name: str, where: str):
        try:
            return table[key]
        except KeyError:
            raise SeedError(f"{where}: field '{field_name}' names unknown entry '{key}'") from None


def _url(entry: dict, key: str, where: str) -> str:
    value = entry.get(key) or ""
    problem = value and text_rules.url_problem(value)
    if problem:
        raise SeedError(f"{where}: field '{key}' {problem}")
    return value


def _require(entry: dict, key: str, where: str):
    value = entry.get(key)
    if value is None or value == "":
        raise SeedError(f"{where}: field '{key}' is required")
    return value
