"""Check import rows against the record and plan the changes; pure, no database.

Every rule broken is reported with the row's place in the file; a plan with any
error is refused as a whole. Sources are matched by ``ref``, sites by ``slug`` and
periods by (site, start): a match is an update, anything else is created.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.core import bounds, text_rules, timeline, vocabulary
from app.core.bounds import Bound
from app.core.text_rules import ALIASES_MAX, NOTE_MAX
from app.io.import_formats import Row

__all__ = ["Change", "Existing", "Plan", "plan"]

ENUMS = {
    "kind": vocabulary.SITE_KINDS,
    "location_precision": vocabulary.LOCATION_PRECISIONS,
    "confidence": vocabulary.CONFIDENCES,
    "status": vocabulary.STATUSES,
}
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0", ""}


@dataclass
class Existing:
    """What the record already holds, as plain values."""

    sources: dict[str, dict] = field(default_factory=dict)
    sites: dict[str, dict] = field(default_factory=dict)
    actors: set[str] = field(default_factory=set)
    crossings: set[str] = field(default_factory=set)
    periods: dict[str, list[tuple[timeline.Period, dict]]] = field(default_factory=dict)
    status: dict[str, list[tuple[timeline.Period, dict]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One planned row: create, update or unchanged; `target` is the existing id."""

    kind: str
    where: str
    key: str
    action: str
    values: dict
    target: int | str | None = None


@dataclass
class Plan:
    """The changes an import would make, or the errors that stop it."""

    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, Counter]:
        """Per kind, how many rows would be created, updated or left unchanged."""
        out: dict[str, Counter] = defaultdict(Counter)
        for c in self.changes:
            out[c.kind][c.action] += 1
        return dict(out)


class _Invalid(ValueError):
    """One broken rule; the message names the field."""


def plan(
    rows: Iterable[Row], existing: Existing, progress: Callable[[list[Row]], Iterable[Row]] = iter
) -> Plan:
    """Check every row and plan the changes (sources, then sites, then periods)."""
    rows = list(rows)
    checker = _Checker(existing, rows)
    result = Plan()
    order = {"sources": 0, "sites": 1, "periods": 2, "status": 3}
    for row in progress(sorted(rows, key=lambda r: order[r.kind])):
        try:
            if row.problems:
                raise _Invalid("; ".join(row.problems))
            result.changes.append(checker.check(row))
        except _Invalid as exc:
            result.errors.append(f"{row.where} ({row.kind}): {exc}")
    result.errors.sort(key=_place)
    return result


class _Checker:
    """Applies the field and cross-row rules, remembering what the file adds."""

    def __init__(self, existing: Existing, rows: list[Row]):
        self.existing = existing
        self.file_refs = {str(r.values.get("ref")) for r in rows if r.kind == "sources"}
        self.file_sites = {str(r.values.get("slug")) for r in rows if r.kind == "sites"}
        self.seen: dict[tuple[str, str], str] = {}
        self.accepted: dict[tuple[str, str], list[timeline.Period]] = defaultdict(list)

    def check(self, row: Row) -> Change:
        return getattr(self, f"_{row.kind}")(row)

    def _sources(self, row: Row) -> Change:
        v = row.values
        values = {
            "ref": _text(v, "ref", 40, required=True),
            "title": _text(v, "title", 500, required=True),
        }
        for name, size in (("publisher", 200), ("language", 10), ("note", NOTE_MAX)):
            if name in v:
                values[name] = _text(v, name, size)
        for name in ("url", "archived_url"):
            if name in v:
                values[name] = _url(v, name)
        if "published" in v:
            values["published"], values["published_precision"] = _partial(v, "published")
        if "accessed" in v:
            values["accessed"] = _day(v, "accessed")
        self._once(row, "sources", values["ref"])
        return _change(row, values["ref"], values, self.existing.sources.get(values["ref"]))

    def _sites(self, row: Row) -> Change:
        v = row.values
        values = {
            "slug": _slug(v, "slug"),
            "name": _text(v, "name", 200, required=True),
            "country": _country(v),
            "kind": _enum(v, "kind", required=True),
            "lon": _number(v, "lon", -180, 180),
            "lat": _number(v, "lat", -90, 90),
        }
        for name in ("name_ar", "location_note", "note"):
            if name in v:
                values[name] = _text(v, name, 200 if name == "name_ar" else NOTE_MAX)
        if "aliases" in v:
            values["aliases"] = _aliases(v)
        if "location_precision" in v:
            values["location_precision"] = _enum(v, "location_precision")
        if "radius_km" in v:
            values["radius_km"] = _number(v, "radius_km", 0, 1000, optional=True)
        if v.get("crossing"):
            values["crossing"] = self._known(v, "crossing", self.existing.crossings)
        self._once(row, "sites", values["slug"])
        return _change(row, values["slug"], values, self.existing.sites.get(values["slug"]))

    def _periods(self, row: Row) -> Change:
        values = self._period_values(row, "periods")
        v = row.values
        values["actor"] = self._known(v, "actor", self.existing.actors, required=True)
        if "contested" in v:
            values["contested"] = _flag(v, "contested")
        if v.get("challenger"):
            values["challenger"] = self._known(v, "challenger", self.existing.actors)
            if values["challenger"] == values["actor"]:
                raise _Invalid("field 'challenger' must differ from 'actor'")
        return self._placed(row, "periods", values)

    def _status(self, row: Row) -> Change:
        values = self._period_values(row, "status")
        values["status"] = _enum(row.values, "status", required=True)
        return self._placed(row, "status", values)

    # helpers -------------------------------------------------------------------
    def _period_values(self, row: Row, kind: str) -> dict:
        v = row.values
        site = str(v.get("site") or "")
        if site not in self.existing.sites and site not in self.file_sites:
            raise _Invalid(f"field 'site': no site {site!r} in the record or this file")
        values = {"site": site}
        values["start"] = _bound(v, "start")
        values["end"] = _bound(v, "end")
        if "confidence" in v:
            values["confidence"] = _enum(v, "confidence")
        if "note" in v:
            values["note"] = _text(v, "note", NOTE_MAX)
        values["sources"] = self._refs(v)
        return values

    def _placed(self, row: Row, kind: str, values: dict) -> Change:
        """Match (site, start) to an existing period; refuse overlaps."""
        stored = getattr(self.existing, kind).get(values["site"], [])
        match = next(((p, f) for p, f in stored if p.start == values["start"]), None)
        target = match[0].key if match else None
        try:
            candidate = timeline.Period(values["start"], values["end"], key=target)
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
        self._no_overlap(candidate, stored, self.accepted[(kind, values["site"])], values["site"])
        self.accepted[(kind, values["site"])].append(
            timeline.Period(candidate.start, candidate.end, row.where, row.where)
        )
        key = f"{values['site']} from {candidate.describe()}"
        return _change(row, key, values, match[1] if match else None, target)

    @staticmethod
    def _no_overlap(candidate, stored, accepted, site: str) -> None:
        clash = timeline.find_overlaps([p for p, _ in stored], candidate)
        if clash:
            raise _Invalid(f"overlaps the period {clash[0].describe()} already recorded for {site}")
        clash = timeline.find_overlaps(accepted, candidate)
        if clash:
            raise _Invalid(
                f"overlaps the period {clash[0].describe()} at {clash[0].value} of this file"
            )

    def _refs(self, v: Mapping) -> list[str]:
        refs = _list(v, "sources")
        if not refs:
            raise _Invalid("field 'sources' needs at least one source ref")
        for ref in refs:
            if ref not in self.existing.sources and ref not in self.file_refs:
                raise _Invalid(f"field 'sources': no source {ref!r} in the record or this file")
        return sorted(set(refs))

    @staticmethod
    def _known(v: Mapping, name: str, known: set[str], required: bool = False) -> str:
        value = str(v.get(name) or "")
        if not value and not required:
            return ""
        if value not in known:
            raise _Invalid(f"field {name!r}: no {name} called {value!r} in the record")
        return value

    def _once(self, row: Row, kind: str, key: str) -> None:
        earlier = self.seen.setdefault((kind, key), row.where)
        if earlier != row.where:
            raise _Invalid(f"{key!r} is also at {earlier} of this file")


# field rules --------------------------------------------------------------------
def _change(row: Row, key: str, values: dict, current: dict | None, target=None) -> Change:
    if current is None:
        return Change(row.kind, row.where, key, "create", values)
    same = all(current.get(k) == v for k, v in values.items())
    return Change(
        row.kind,
        row.where,
        key,
        "unchanged" if same else "update",
        values,
        target if target is not None else current.get("id"),
    )


def _text(v: Mapping, name: str, size: int | None, required: bool = False) -> str:
    value = v.get(name)
    value = "" if value is None else value
    if not isinstance(value, str):
        raise _Invalid(f"field {name!r} must be text")
    value = value.strip()
    if required and not value:
        raise _Invalid(f"field {name!r} is required")
    if size is not None and len(value) > size:
        raise _Invalid(f"field {name!r} is longer than {size} characters")
    _plain(name, value)
    return value


def _plain(name: str, value: str) -> None:
    problem = text_rules.control_problem(value)
    if problem:
        raise _Invalid(f"field {name!r} {problem}")


def _url(v: Mapping, name: str) -> str:
    value = _text(v, name, 2000)
    problem = value and text_rules.url_problem(value)
    if problem:
        raise _Invalid(f"field {name!r} {problem}")
    return value


def _slug(v: Mapping, name: str) -> str:
    value = _text(v, name, 80, required=True)
    if not text_rules.is_slug(value):
        raise _Invalid(
            f"field {name!r}: {value!r} must be lower-case letters and digits "
            "joined by single hyphens"
        )
    return value


def _country(v: Mapping) -> str:
    value = _text(v, "country", 2, required=True).upper()
    if not re.fullmatch("[A-Z]{2}", value):
        raise _Invalid("field 'country' must be a two-letter ISO code such as SY or IQ")
    return value


def _enum(v: Mapping, name: str, required: bool = False) -> str:
    value = _text(v, name, None, required=required)
    if not value and not required:
        return ENUMS[name][0] if name != "status" else value
    if value not in ENUMS[name]:
        raise _Invalid(f"field {name!r}: {value!r} is not one of {', '.join(ENUMS[name])}")
    return value


def _number(v: Mapping, name: str, lo: float, hi: float, optional: bool = False):
    raw = v.get(name)
    if optional and raw in (None, ""):
        return None
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        raise _Invalid(f"field {name!r}: {raw!r} is not a number") from None
    if not (math.isfinite(value) and lo <= value <= hi):
        raise _Invalid(f"field {name!r}: {raw!r} is not within [{lo}, {hi}]")
    return value


def _partial(v: Mapping, name: str) -> tuple[dt.date | None, str]:
    raw = v.get(name)
    if raw in (None, ""):
        return None, "day"
    try:
        return timeline.parse_partial_date(str(raw))
    except ValueError as exc:
        raise _Invalid(f"field {name!r}: {exc}") from None


def _bound(v: Mapping, name: str) -> Bound | None:
    """A period bound: EDTF, or a first day with a `<name>_precision` column (older files)."""
    raw = v.get(name)
    if raw in (None, ""):
        return None
    try:
        return bounds.read(str(raw), v.get(f"{name}_precision") or None)
    except bounds.BoundError as exc:
        raise _Invalid(f"field {name!r}: {exc}") from None


def _day(v: Mapping, name: str) -> dt.date | None:
    raw = v.get(name)
    if raw in (None, ""):
        return None
    try:
        return timeline.parse_date(str(raw))
    except ValueError as exc:
        raise _Invalid(f"field {name!r}: {exc}") from None


def _flag(v: Mapping, name: str) -> bool:
    raw = v.get(name)
    if isinstance(raw, bool):
        return raw
    text = "" if raw is None else str(raw).strip().lower()
    if text not in _TRUE | _FALSE:
        raise _Invalid(f"field {name!r}: {raw!r} must be true or false")
    return text in _TRUE


def _aliases(v: Mapping) -> list[str]:
    """Spellings: at most ALIASES_MAX, each at most 200 characters."""
    items = _list(v, "aliases")
    if len(items) > ALIASES_MAX:
        raise _Invalid(f"field 'aliases' has {len(items)} spellings; at most {ALIASES_MAX}")
    if any(len(item) > 200 for item in items):
        raise _Invalid("field 'aliases': each spelling must be at most 200 characters")
    return items


def _list(v: Mapping, name: str) -> list[str]:
    """A list value: a JSON list of strings, or text separated by ';'."""
    raw = v.get(name)
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.split(";")
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        items = [x.strip() for x in raw if x.strip()]
        for item in items:
            _plain(name, item)
        return items
    raise _Invalid(f"field {name!r} must be a list of text (or text separated by ';')")


def _place(message: str) -> tuple:
    """Sort key: errors in file order (line numbers numerically)."""
    where = message.split(" (", 1)[0]
    numbers = [int(n) for n in re.findall(r"\d+", where)]
    return (where.split(" ")[0].split("[")[0], numbers)
