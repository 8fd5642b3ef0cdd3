"""Check import rows against the record and plan the changes; pure, no database.

Every rule broken is reported with the row's place in the file; a plan with any
error is refused as a whole. Sources are matched by ``ref``; crossings, actors, sites and
events by ``slug``; periods by (site, start): a match is an update, anything else is
created. Columns a download derives from others (a bound's first day, an actor's name, a
period's key) are not imported but must agree with what they derive from.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.core import bounds, clock, geo, record_keys, text_rules, timeline, vocabulary
from app.core.bounds import Bound
from app.core.text_rules import ALIASES_MAX, N_, NOTE_MAX, Phrase, Refusal
from app.io.import_formats import Row

__all__ = ["Change", "Existing", "Plan", "plan"]

ENUMS = {
    "kind": vocabulary.SITE_KINDS,
    "actor_kind": vocabulary.ACTOR_KINDS,
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
    # Slugs, or slug -> fields (with "id") where updates are planned too.
    actors: set[str] | dict[str, dict] = field(default_factory=set)
    crossings: set[str] | dict[str, dict] = field(default_factory=set)
    periods: dict[str, list[tuple[timeline.Period, dict]]] = field(default_factory=dict)
    status: dict[str, list[tuple[timeline.Period, dict]]] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)


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
    errors: list[str] = field(default_factory=list)  # Phrases, in file order

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, Counter]:
        """Per kind, how many rows would be created, updated or left unchanged."""
        out: dict[str, Counter] = defaultdict(Counter)
        for c in self.changes:
            out[c.kind][c.action] += 1
        return dict(out)


#: The order rows are checked and written in: each kind after the kinds it refers to.
ORDER = {
    "crossings": 0,
    "actors": 1,
    "sources": 2,
    "sites": 3,
    "state": 3,
    "periods": 4,
    "status": 5,
    "events": 6,
}


class _Invalid(Refusal):
    """One broken rule; the message names the field."""


def _field(name: str, reason: Refusal | str) -> _Invalid:
    """A field's value refused for `reason` (a date's, a bound's, a list's)."""
    return _Invalid(N_("field %(field)r: %(reason)s"), field=name, reason=reason)


def plan(
    rows: Iterable[Row],
    existing: Existing,
    progress: Callable[[list[Row]], Iterable[Row]] = iter,
    today: dt.date | None = None,
) -> Plan:
    """Check every row and plan the changes (what others refer to first)."""
    rows = list(rows)
    checker = _Checker(existing, rows, today or clock.today())
    result = Plan()
    for row in progress(sorted(rows, key=lambda r: ORDER[r.kind])):
        reason: str | Refusal | None = None
        if row.problems:  # the file's own: one message, separated by semicolons
            reason = text_rules.listed(row.problems, N_("%(first)s; %(then)s"))
        else:
            try:
                result.changes.append(checker.check(row))
            except Refusal as exc:  # _Invalid, or a rule of timeline's (a period's end)
                reason = exc
        if reason is not None:
            result.errors.append(_error(row, reason))
    result.errors.sort(key=_place)
    return result


def _error(row: Row, reason: str | Refusal) -> Phrase:
    """A line of the report: where in the file, the kind of row, the rule it breaks."""
    return Phrase(
        N_("%(where)s (%(kind)s): %(reason)s"), where=row.where, kind=row.kind, reason=reason
    )


class _Checker:
    """Applies the field and cross-row rules, remembering what the file adds."""

    def __init__(self, existing: Existing, rows: list[Row], today: dt.date):
        self.existing = existing
        # One day for the whole file: a check running past midnight judges every row alike.
        self.today = today
        self.file_refs = {str(r.values.get("ref")) for r in rows if r.kind == "sources"}
        self.file_sites = {str(r.values.get("slug")) for r in rows if r.kind in ("sites", "state")}
        self.file_actors = {str(r.values.get("slug")) for r in rows if r.kind == "actors"}
        self.file_crossings = {str(r.values.get("slug")) for r in rows if r.kind == "crossings"}
        self.seen: dict[tuple[str, str], str] = {}
        self.accepted: dict[tuple[str, str], list[timeline.Period]] = defaultdict(list)
        # Values of the file's rows checked so far, for the derived columns of later rows.
        self.checked: dict[tuple[str, str], dict] = {}

    def check(self, row: Row) -> Change:
        change = getattr(self, f"_{row.kind}")(row)
        self._agree(row, change.values)
        if row.kind in ("sources", "sites", "actors", "state"):
            kind = "sites" if row.kind == "state" else row.kind
            earlier = self._lookup(kind, change.key) or {}
            self.checked[(kind, change.key)] = {**earlier, **change.values}
        return change

    def _crossings(self, row: Row) -> Change:
        v = row.values
        values = {"slug": _slug(v, "slug"), "name": _text(v, "name", 200, required=True)}
        for name in ("name_ar", "note"):
            if name in v:
                values[name] = _text(v, name, 200 if name == "name_ar" else NOTE_MAX)
        self._once(row, "crossings", values["slug"])
        return _change(
            row, values["slug"], values, _fields_of(self.existing.crossings, values["slug"])
        )

    def _actors(self, row: Row) -> Change:
        v = row.values
        values = {
            "slug": _slug(v, "slug"),
            "name": _text(v, "name", 200, required=True),
            "short": _text(v, "short", 40, required=True),
            "kind": _enum({"actor_kind": v.get("kind")}, "actor_kind", required=True),
            "colour": _text(v, "colour", 7, required=True),
        }
        if not re.fullmatch("#[0-9A-Fa-f]{6}", values["colour"]):
            raise _Invalid(N_("field 'colour' must be #RRGGBB, such as #0072B2"))
        for name in ("name_ar", "note"):
            if name in v:
                values[name] = _text(v, name, 200 if name == "name_ar" else NOTE_MAX)
        if "short_ar" in v:
            values["short_ar"] = _text(v, "short_ar", 40)
        if "name_ar_transliterated" in v:
            values["name_ar_transliterated"] = _flag(v, "name_ar_transliterated")
        if "parent" in v:
            values["parent"] = self._known(
                v, "parent", set(self.existing.actors) | self.file_actors
            )
            if values["parent"] == values["slug"]:
                raise _Invalid(N_("field 'parent' must name another actor"))
        self._once(row, "actors", values["slug"])
        return _change(
            row, values["slug"], values, _fields_of(self.existing.actors, values["slug"])
        )

    def _state(self, row: Row) -> Change:
        """A site's row in the state on a date: its own fields; the state is set aside."""
        return self._sites(row)

    def _events(self, row: Row) -> Change:
        v = row.values
        values: dict = {
            "slug": _slug(v, "slug", 120),
            "title": _text(v, "title", 300, required=True),
        }
        raw = v.get("date_edtf") if v.get("date_edtf") not in (None, "") else v.get("date")
        if raw in (None, ""):
            raise _Invalid(N_("field 'date_edtf' (or 'date') is required"))
        name = "date_edtf" if v.get("date_edtf") not in (None, "") else "date"
        try:
            when = bounds.read(str(raw), None if name == "date_edtf" else _derived_precision(row))
        except bounds.BoundError as exc:
            raise _field(name, exc) from None
        if when.earliest is None or when.latest is None:
            raise _Invalid(
                N_("field %(field)r: an event's date needs a first and a last day"), field=name
            )
        _not_future(name, when, self.today)
        values["when"] = when
        if name == "date_edtf" and v.get("date") not in (None, ""):
            if not _same(v.get("date"), clock.iso_day(when.earliest)):
                raise _disagree("date", v.get("date"), "date_edtf", raw, when.earliest)
        if "end" in v:
            values["end"] = _day(v, "end", self.today)
            if timeline.ends_before(when, values["end"]):
                raise _Invalid(N_("field 'end' must not be before the date"))
        if "description" in v:
            values["description"] = _text(v, "description", NOTE_MAX)
        if "confidence" in v:
            values["confidence"] = _enum(v, "confidence")
        if "sites" in v:
            known = set(self.existing.sites) | self.file_sites
            values["sites"] = sorted(set(_list(v, "sites")))
            for slug in values["sites"]:
                if slug not in known:
                    raise _no_such("sites", slug)
        if "sources" in v:
            values["sources"] = self._refs(v, required=False)
        if "lon" in v or "lat" in v:
            missing = [n for n in ("lon", "lat") if v.get(n) in (None, "")]
            if len(missing) == 1:
                raise _Invalid(
                    N_("field %(field)r: give both lon and lat, or neither"), field=missing[0]
                )
            values["lon"] = _number(v, "lon", -180, 180, optional=True)
            values["lat"] = _number(v, "lat", -90, 90, optional=True)
        self._once(row, "events", values["slug"])
        return _change(row, values["slug"], values, self.existing.events.get(values["slug"]))

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
            values["published"], values["published_precision"] = _partial(
                v, "published", self.today
            )
        if "accessed" in v:
            values["accessed"] = _day(v, "accessed", self.today)
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
            values["radius_km"] = _radius(v)
        if v.get("crossing"):
            values["crossing"] = self._known(
                v, "crossing", set(self.existing.crossings) | self.file_crossings
            )
        elif "crossing" in v:
            values["crossing"] = ""
        self._once(row, "sites", values["slug"])
        return _change(row, values["slug"], values, self.existing.sites.get(values["slug"]))

    def _periods(self, row: Row) -> Change:
        values = self._period_values(row, "periods")
        v = row.values
        values["actor"] = self._known(v, "actor", self._actors_known(), required=True)
        if "contested" in v:
            values["contested"] = _flag(v, "contested")
        if v.get("challenger"):
            values["challenger"] = self._known(v, "challenger", self._actors_known())
            if values["challenger"] == values["actor"]:
                raise _Invalid(N_("field 'challenger' must differ from 'actor'"))
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
            raise _no_such("site", site)
        values: dict = {"site": site}
        values["start"] = _bound(v, "start", row, self.today)
        values["end"] = _bound(v, "end", row, self.today)
        problem = timeline.end_problem(values["start"], values["end"])
        if problem:
            raise _field("end_edtf" if "end_edtf" in v else "end", problem)
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
        candidate = timeline.Period(values["start"], values["end"], key=target)
        self._no_overlap(candidate, stored, self.accepted[(kind, values["site"])], values["site"])
        self.accepted[(kind, values["site"])].append(
            timeline.Period(candidate.start, candidate.end, row.where, row.where)
        )
        key = Phrase(N_("%(site)s from %(span)s"), site=values["site"], span=candidate.describe())
        return _change(row, key, values, match[1] if match else None, target)

    @staticmethod
    def _no_overlap(candidate, stored, accepted, site: str) -> None:
        clash = timeline.find_overlaps([p for p, _ in stored], candidate)
        if clash:
            raise _Invalid(
                N_("overlaps the period %(span)s already recorded for %(site)s"),
                span=clash[0].describe(),
                site=site,
            )
        clash = timeline.find_overlaps(accepted, candidate)
        if clash:
            raise _Invalid(
                N_("overlaps the period %(span)s at %(where)s of this file"),
                span=clash[0].describe(),
                where=clash[0].value,
            )

    def _actors_known(self) -> set[str]:
        return set(self.existing.actors) | self.file_actors

    def _refs(self, v: Mapping, required: bool = True) -> list[str]:
        refs = _refs_of(v)
        if not refs and required:
            raise _Invalid(N_("field 'sources' needs at least one source ref"))
        for ref in refs:
            if ref not in self.existing.sources and ref not in self.file_refs:
                raise _Invalid(
                    N_("field 'sources': no source %(ref)r in the record or this file"), ref=ref
                )
        return sorted(set(refs))

    # derived columns ----------------------------------------------------------------
    def _lookup(self, kind: str, key: str) -> dict | None:
        """The values of a source, site or actor: this file's row, else the record's."""
        found = self.checked.get((kind, key))
        if found is not None:
            return found
        return _fields_of(getattr(self.existing, kind), key)

    def _agree(self, row: Row, values: dict) -> None:
        """Every derived column the row gives must be what its other columns make it."""
        if not row.derived and not _cited_objects(row.values):
            return
        expected = self._expected(row, values)
        for name, given in row.derived.items():
            if name in expected and not _same(given, expected[name]):
                raise _Invalid(
                    N_(
                        "field %(field)r: %(given)s does not agree with the other fields, "
                        "which make it %(expected)s; correct it or leave it out"
                    ),
                    field=name,
                    given=_shown(given),
                    expected=_shown(expected[name]),
                )
        for ref, cited in _cited_objects(row.values):
            source = self._lookup("sources", ref) or {}
            for name, given in cited.items():
                if name == "ref" or name not in source:
                    continue
                want = source[name]
                if name == "published":
                    want = _at_precision(source.get("published"), source.get("published_precision"))
                if not _same(given, want):
                    raise _Invalid(
                        N_(
                            "field 'sources': %(field)s %(given)s of source %(ref)r does not "
                            "agree with the source's own %(own)s"
                        ),
                        field=name,
                        given=_shown(given),
                        ref=ref,
                        own=_shown(want),
                    )

    def _expected(self, row: Row, values: dict) -> dict:
        """The derived columns of a row, computed from its checked values."""
        kind = row.kind
        if kind == "sources":
            return {"id": values["ref"]}
        if kind not in ("periods", "status"):
            out: dict = {"id": values["slug"]}
            if kind == "events":
                when = values["when"]
                out.update(precision=when.precision, date_latest=clock.iso_day(when.latest))
                out.update(self._urls(row))
            return out
        start, end = values["start"], values["end"]
        span = timeline.Period(start, end)
        certain = span.certain_days
        out = {
            "id": record_keys.period_key(
                values["site"], "control" if kind == "periods" else "status", start
            ),
            "start_precision": span.start_precision,
            "end_precision": span.end_precision,
            "certain_start": clock.iso_day(certain and certain[0]),
            "certain_end": clock.iso_day(certain and certain[1]),
        }
        for side, bound in (("start", start), ("end", end)):
            out[f"{side}_earliest"] = clock.iso_day(bound and bound.earliest)
            out[f"{side}_latest"] = clock.iso_day(bound and bound.latest)
        site = self._lookup("sites", values["site"]) or {}
        for name, field_name in (("site_name", "name"), ("country", "country")):
            if field_name in site:
                out[name] = site[field_name]
        if "lon" in site:
            out.update(lon=site["lon"], lat=site["lat"])
        actor = self._lookup("actors", values.get("actor", "")) or {}
        if "name" in actor:
            out["actor_name"] = actor["name"]
        out.update(self._urls(row))
        return out

    def _urls(self, row: Row) -> dict:
        """`source_urls`: the cited sources' addresses, in the order of their refs."""
        if "source_urls" not in row.derived:
            return {}
        urls = []
        for ref in _refs_of(row.values):
            source = self._lookup("sources", ref)
            if source is None or "url" not in source:
                return {}  # the record does not say: nothing to compare with
            urls.append(source["url"])
        return {"source_urls": "; ".join(u for u in urls if u)}

    @staticmethod
    def _known(v: Mapping, name: str, known: set[str], required: bool = False) -> str:
        value = str(v.get(name) or "")
        if not value and not required:
            return ""
        if value not in known:
            raise _Invalid(
                N_("field %(field)r: no %(kind)s called %(value)r in the record"),
                field=name,
                kind=name,
                value=value,
            )
        return value

    def _once(self, row: Row, kind: str, key: str) -> None:
        earlier = self.seen.setdefault((kind, key), row.where)
        if earlier != row.where:
            raise _Invalid(N_("%(key)r is also at %(where)s of this file"), key=key, where=earlier)


# field rules --------------------------------------------------------------------
def _fields_of(known, key: str) -> dict | None:
    """The fields of `key` in a collection of the record (a set holds slugs only)."""
    if isinstance(known, dict):
        return known.get(key)
    return {} if key in known else None


def _same(given, expected) -> bool:
    """Whether a derived value read from a file is the value expected (text, numbers,
    flags and empty cells compared as a file writes them)."""
    if given in (None, "") or expected in (None, ""):
        return given in (None, "") and expected in (None, "")
    if isinstance(expected, bool) or isinstance(given, bool):
        return str(given).lower() == str(expected).lower()
    if isinstance(expected, int | float):
        try:
            return math.isclose(float(given), float(expected), rel_tol=0, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, dt.date):
        expected = expected.isoformat()
    return str(given) == str(expected)


def _shown(value) -> str:
    return Phrase(N_("empty")) if value in (None, "") else repr(value)


def _no_such(name: str, site: str) -> _Invalid:
    return _Invalid(
        N_("field %(field)r: no site %(site)r in the record or this file"), field=name, site=site
    )


def _disagree(name: str, given, edtf: str, raw, first: dt.date | None) -> _Invalid:
    """A first day given beside its EDTF that is not the EDTF's first day."""
    return _Invalid(
        N_(
            "field %(field)r: %(given)s does not agree with %(edtf)s %(raw)s, whose first "
            "day is %(first)s"
        ),
        field=name,
        given=_shown(given),
        edtf=edtf,
        raw=_shown(raw),
        first=_shown(clock.iso_day(first)),
    )


def _at_precision(day, precision) -> str | None:
    """A source's publication date as downloads write it ("2013-03" for a month)."""
    if day in (None, ""):
        return None
    text = day.isoformat() if isinstance(day, dt.date) else str(day)
    return text[: {"year": 4, "month": 7}.get(precision or "day", 10)]


def _cited_objects(v: Mapping) -> list[tuple[str, dict]]:
    """(ref, object) for each source given as an object (as GeoJSON downloads cite them)."""
    raw = v.get("sources")
    if not isinstance(raw, list):
        return []
    return [(str(s.get("ref")), s) for s in raw if isinstance(s, dict)]


def _refs_of(v: Mapping) -> list[str]:
    """Source refs in the order given: text separated by ';', a list of refs, or a list
    of source objects with a 'ref'."""
    raw = v.get("sources")
    if isinstance(raw, list) and all(isinstance(s, dict) for s in raw):
        if not all(isinstance(s.get("ref"), str) and s.get("ref") for s in raw):
            raise _Invalid(N_("field 'sources': each source object needs its 'ref'"))
        return _list({"sources": [s["ref"] for s in raw]}, "sources")
    return _list(v, "sources")


def _derived_precision(row: Row) -> str | None:
    """The `precision` of an event given as a first day with its precision (older files)."""
    value = row.derived.get("precision")
    return str(value) if value not in (None, "") else None


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
        raise _Invalid(N_("field %(field)r must be text"), field=name)
    value = value.strip()
    if required and not value:
        raise _Invalid(N_("field %(field)r is required"), field=name)
    if size is not None and len(value) > size:
        raise _Invalid(
            N_("field %(field)r is longer than %(size)s characters"), field=name, size=size
        )
    _plain(name, value)
    return value


def _plain(name: str, value: str) -> None:
    problem = text_rules.control_problem(value)
    if problem:
        raise _broken(name, problem)


def _url(v: Mapping, name: str) -> str:
    value = _text(v, name, 2000)
    problem = value and text_rules.url_problem(value)
    if problem:
        raise _broken(name, problem)
    return value


def _broken(name: str, problem: str) -> _Invalid:
    """A text field that breaks a rule of text_rules ("must not contain …")."""
    return _Invalid(N_("field %(field)r %(problem)s"), field=name, problem=problem)


def _slug(v: Mapping, name: str, size: int = 80) -> str:
    value = _text(v, name, size, required=True)
    if not text_rules.is_slug(value):
        raise _Invalid(
            N_(
                "field %(field)r: %(value)r must be lower-case letters and digits joined by "
                "single hyphens"
            ),
            field=name,
            value=value,
        )
    return value


def _country(v: Mapping) -> str:
    """A site's country: one of vocabulary.COUNTRIES, as the site form offers them."""
    value = _text(v, "country", None, required=True)
    if value.upper() not in vocabulary.COUNTRIES:
        raise _Invalid(
            N_("field %(field)r: %(value)r is not one of %(allowed)s"),
            field="country",
            value=value[:40],
            allowed=", ".join(vocabulary.COUNTRIES),
        )
    return value.upper()


def _enum(v: Mapping, name: str, required: bool = False) -> str:
    label = "kind" if name == "actor_kind" else name
    value = _text({label: v.get(name)}, label, None, required=required)
    if not value and not required:
        return ENUMS[name][0] if name != "status" else value
    if value not in ENUMS[name]:
        raise _Invalid(
            N_("field %(field)r: %(value)r is not one of %(allowed)s"),
            field=label,
            value=value,
            allowed=", ".join(ENUMS[name]),
        )
    return value


def _number(v: Mapping, name: str, lo: float, hi: float, optional: bool = False):
    raw = v.get(name)
    if optional and raw in (None, ""):
        return None
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        raise _Invalid(
            N_("field %(field)r: %(value)r is not a number"), field=name, value=raw
        ) from None
    if not (math.isfinite(value) and lo <= value <= hi):
        raise _Invalid(
            N_("field %(field)r: %(value)r is not within [%(lo)s, %(hi)s]"),
            field=name,
            value=raw,
            lo=lo,
            hi=hi,
        )
    return value


def _radius(v: Mapping) -> float | None:
    """A site's radius_km: empty, or within the rule the site form applies too."""
    raw = v.get("radius_km")
    if raw in (None, ""):
        return None
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        raise _Invalid(
            N_("field %(field)r: %(value)r is not a number"), field="radius_km", value=raw
        ) from None
    if problem := geo.radius_problem(value):
        raise _field("radius_km", problem)
    return value


def _partial(v: Mapping, name: str, today: dt.date) -> tuple[dt.date | None, str]:
    raw = v.get(name)
    if raw in (None, ""):
        return None, "day"
    try:
        day, precision = timeline.parse_partial_date(str(raw))
    except ValueError as exc:
        raise _field(name, exc) from None
    _not_future(name, day, today)
    return day, precision


def _not_future(name: str, when: Bound | dt.date | None, today: dt.date) -> None:
    """The forms' not_future: no date whose first possible day is after today."""
    problem = bounds.future_problem(when, today)
    if problem:
        raise _field(name, problem)


def _bound(v: Mapping, name: str, row: Row, today: dt.date) -> Bound | None:
    """A period bound: `<name>_edtf` when given (then `<name>` is its first day, checked),
    else `<name>` as EDTF, or a first day with a `<name>_precision` column (older files)."""
    edtf = f"{name}_edtf"
    if edtf in v:
        raw = v.get(edtf)
        try:
            bound = None if raw in (None, "") else bounds.parse(str(raw))
        except bounds.BoundError as exc:
            raise _field(edtf, exc) from None
        first = bound.earliest if bound else None
        if name in v and not _same(v.get(name), clock.iso_day(first)):
            raise _disagree(name, v.get(name), edtf, raw, first)
        _not_future(edtf, bound, today)
        return bound
    raw = v.get(name)
    if raw in (None, ""):
        return None
    precision = v.get(f"{name}_precision") or row.derived.get(f"{name}_precision")
    try:
        bound = bounds.read(str(raw), str(precision) if precision else None)
    except bounds.BoundError as exc:
        raise _field(name, exc) from None
    _not_future(name, bound, today)
    return bound


def _day(v: Mapping, name: str, today: dt.date) -> dt.date | None:
    raw = v.get(name)
    if raw in (None, ""):
        return None
    try:
        day = timeline.parse_date(str(raw))
    except ValueError as exc:
        raise _field(name, exc) from None
    _not_future(name, day, today)
    return day


def _flag(v: Mapping, name: str) -> bool:
    raw = v.get(name)
    if isinstance(raw, bool):
        return raw
    text = "" if raw is None else str(raw).strip().lower()
    if text not in _TRUE | _FALSE:
        raise _Invalid(
            N_("field %(field)r: %(value)r must be true or false"), field=name, value=raw
        )
    return text in _TRUE


def _aliases(v: Mapping) -> list[str]:
    """Spellings: at most ALIASES_MAX, each at most 200 characters."""
    items = _list(v, "aliases")
    if len(items) > ALIASES_MAX:
        raise _Invalid(
            N_("field 'aliases' has %(count)s spellings; at most %(most)s"),
            count=len(items),
            most=ALIASES_MAX,
        )
    if any(len(item) > 200 for item in items):
        raise _Invalid(N_("field 'aliases': each spelling must be at most 200 characters"))
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
    raise _Invalid(
        N_("field %(field)r must be a list of text (or text separated by ';')"), field=name
    )


def _place(message: str) -> tuple:
    """Sort key: errors in file order (line numbers numerically)."""
    where = message.split(" (", 1)[0]
    numbers = [int(n) for n in re.findall(r"\d+", where)]
    return (where.split(" ")[0].split("[")[0], numbers)
