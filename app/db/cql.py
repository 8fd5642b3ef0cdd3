"""CQL2 filters (OGC API – Features Part 3): the queryables of each collection, compiled by
pygeofilter's SQLAlchemy backend to SQL, or by a small pygeofilter evaluator to a Python test
for the collections computed in Python (sites at a date, boundaries).

Dates of periods and events are windows: `start` lies somewhere in [start_earliest,
start_latest] (EDTF, never a chosen day). The rule:

- a comparison with a window holds when some day of the window satisfies it
  (`start >= '2015-01-01'` keeps a start known only as "2014–2015"), so the answer is every
  period that *may* match; `start_earliest` / `start_latest` compare one end exactly;
- a bound that is absent (held since before the record, still ongoing) is NULL, as CQL2 asks:
  `end > '2015-06-01'` leaves out ongoing periods, `(end > '2015-06-01' OR end IS NULL)` not;
- temporal predicates (T_INTERSECTS, T_BEFORE, T_AFTER, T_DURING; pygeofilter reads T_OVERLAPS as
  T_INTERSECTS) take the window as an interval of days; there an absent start is before every
  day and an absent end after it;
- timestamps are read as their UTC day; string literals compared with a date are read as
  RFC 3339 dates or date-times (GDAL sends '2015-01-01T').
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle
from pygeofilter.backends.sqlalchemy import filters
from pygeofilter.backends.sqlalchemy.evaluate import SQLAlchemyFilterEvaluator
from pygeofilter.util import like_pattern_to_re
from sqlalchemy import Boolean, String, and_, cast, false, func, not_, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from app.core.text_rules import N_, Refusal
from app.core.vocabulary import COUNTRIES
from app.db.models import Actor, ControlPeriod, Event, Site, event_site

__all__ = [
    "FilterError",
    "Queryable",
    "QUERYABLES",
    "queryables",
    "schema",
    "titles",
    "to_sql",
    "to_python",
]


class FilterError(Refusal):
    """A filter the collection cannot answer; the message (a catalogue msgid) names the rule."""


@dataclass(frozen=True)
class Queryable:
    """One filterable property: its JSON Schema, and where its value lives."""

    type: str
    title: str
    sql: Any = None
    window: tuple[Any, Any] | None = None
    format: str | None = None
    enum: tuple[str, ...] | None = None
    #: In temporal predicates an absent window is "below" (start) or "above" (end) every day.
    open: str | None = None

    def schema(self) -> dict:
        """The JSON Schema of the property."""
        out: dict[str, Any] = {"title": self.title, "type": self.type}
        if self.format:
            out["format"] = self.format
        if self.enum:
            out["enum"] = list(self.enum)
        if self.window is not None:
            # Clients see a plain date; the description says why `=` and `<>` may both hold.
            out["description"] = (
                "A date known to a day, month, year or window of days: a comparison"
                " matches when some day of the window satisfies it."
            )
        return out


def _of(model_id, column):
    """A column of the row `model_id` points to, correlated to the outer query only (the
    outer query may join the same table itself)."""
    other = aliased(column.class_)
    value = getattr(other, column.key)
    return select(value).where(other.id == model_id).correlate_except(other).scalar_subquery()


def _text(title, sql=None, enum=None) -> Queryable:
    # PostgreSQL enum columns compare by declaration order and refuse unknown labels;
    # as text they compare alike on both databases and an unknown label just matches nothing.
    if enum is not None and sql is not None:
        sql = cast(sql, String)
    return Queryable("string", title, sql, enum=enum)


def _day(title, sql=None, window=None, open_=None) -> Queryable:
    return Queryable("string", title, sql, window, format="date", open=open_)


_CONFIDENCE = ("high", "medium", "low")
_CP = ControlPeriod
#: Each property's title is an N_ message: English in the JSON Schemas (the machine
#: contract), in the reader's language on the HTML pages (see titles()).
QUERYABLES: dict[str, dict[str, Queryable]] = {
    "periods": {
        "site": _text(N_("Site slug"), _of(_CP.site_id, Site.slug)),
        "site_name": _text(N_("Site name"), _of(_CP.site_id, Site.name)),
        "country": _text(
            N_("Country of the site"), _of(_CP.site_id, Site.country), tuple(COUNTRIES)
        ),
        "actor": _text(N_("Actor slug"), _of(_CP.actor_id, Actor.slug)),
        "actor_name": _text(N_("Actor name"), _of(_CP.actor_id, Actor.name)),
        "challenger": _text(N_("Challenging actor slug"), _of(_CP.challenger_id, Actor.slug)),
        "contested": Queryable("boolean", N_("Contested"), _CP.contested),
        "confidence": _text(N_("Confidence"), _CP.confidence, _CONFIDENCE),
        "start": _day(
            N_("Start (window)"), window=(_CP.start_earliest, _CP.start_latest), open_="below"
        ),
        "end": _day(
            N_("End, exclusive (window)"), window=(_CP.end_earliest, _CP.end_latest), open_="above"
        ),
        "start_earliest": _day(N_("First possible start day"), _CP.start_earliest),
        "start_latest": _day(N_("Last possible start day"), _CP.start_latest),
        "end_earliest": _day(N_("First possible end day"), _CP.end_earliest),
        "end_latest": _day(N_("Last possible end day"), _CP.end_latest),
        "start_edtf": _text(N_("Start as EDTF"), _CP.start_edtf),
        "end_edtf": _text(N_("End as EDTF"), _CP.end_edtf),
        "note": _text(N_("Note"), _CP.note),
    },
    "events": {
        "slug": _text(N_("Event slug"), Event.slug),
        "title": _text(N_("Title"), Event.title),
        "description": _text(N_("Description"), Event.description),
        "date": _day(N_("Date (window)"), window=(Event.date, Event.date_latest)),
        "date_latest": _day(N_("Last possible day"), Event.date_latest),
        "date_edtf": _text(N_("Date as EDTF"), Event.date_edtf),
        "end": _day(N_("Last day of a multi-day event"), Event.end),
        "confidence": _text(N_("Confidence"), Event.confidence, _CONFIDENCE),
        "site": _text(N_("Slug of one of the event's sites")),
    },
    "sites": {
        "slug": _text(N_("Site slug")),
        "name": _text(N_("Name")),
        "name_ar": _text(N_("Arabic name")),
        "country": _text(N_("Country"), enum=tuple(COUNTRIES)),
        "kind": _text(N_("Kind"), enum=("crossing_side", "town", "garrison", "zone")),
        "crossing": _text(N_("Crossing slug")),
        "controller": _text(N_("Controlling actor slug (null: unknown or in transition)")),
        "controller_name": _text(N_("Controlling actor name")),
        "since": _day(N_("Controller since (first possible day)")),
        "until": _day(N_("Controller until (first possible day)")),
        "uncertain": Queryable("boolean", N_("Inside a transition window")),
        "contested": Queryable("boolean", N_("Contested")),
        "challenger": _text(N_("Challenging actor slug")),
        "confidence": _text(N_("Confidence"), enum=_CONFIDENCE),
        "status": _text(N_("Status"), enum=("open", "closed", "restricted", "unknown")),
    },
    "boundaries": {
        "layer": _text(N_("Layer"), enum=("countries", "border", "zone")),
        "name": _text(N_("Name")),
        "iso_a2": _text(N_("ISO 3166-1 alpha-2 code")),
    },
}


_SOURCES = {"title": N_("Sources cited"), "type": "array", "items": {"type": "object"}}
_PRECISION = {
    "title": N_("Precision of the day (day, month, year, window; null: open)"),
    "type": "string",
}
#: Properties served but not filterable: they complete the schema (Part 5) of each collection.
_OTHERS: dict[str, dict[str, dict]] = {
    "periods": {
        "start_precision": _PRECISION,
        "end_precision": _PRECISION,
        "certain_start": {
            "title": N_("First day held for certain"),
            "type": "string",
            "format": "date",
        },
        "certain_end": {
            "title": N_("Day after the certain span"),
            "type": "string",
            "format": "date",
        },
        "sources": _SOURCES,
    },
    "events": {
        "precision": _PRECISION,
        "sites": {"title": N_("Slugs of the sites"), "type": "array", "items": {"type": "string"}},
        "sources": _SOURCES,
    },
    "sites": {
        "location_precision": {"title": N_("Precision of the location"), "type": "string"},
        "tracked": {"title": N_("Control is tracked"), "type": "boolean"},
        "controller_name_ar": {"title": N_("Arabic name of the controller"), "type": "string"},
        "controller_short_ar": {
            "title": N_("Arabic short label of the controller"),
            "type": "string",
        },
        "controller_colour": {"title": N_("Map colour of the controller"), "type": "string"},
        "since_precision": _PRECISION,
        "since_edtf": {"title": N_("Since, as EDTF"), "type": "string"},
        "until_precision": _PRECISION,
        "until_edtf": {"title": N_("Until, as EDTF"), "type": "string"},
        "transition": {"title": N_("Outgoing and incoming actor in a window"), "type": "object"},
        "note": {"title": N_("Note"), "type": "string"},
        "period_id": {"title": N_("Record key of the period held"), "type": "string"},
        "status_since": {"title": N_("Status since"), "type": "string", "format": "date"},
        "status_since_precision": _PRECISION,
        "status_since_edtf": {"title": N_("Status since, as EDTF"), "type": "string"},
        "status_transition": {
            "title": N_("Outgoing and incoming status in a window"),
            "type": "object",
        },
        "last_verified": {
            "title": N_("Last verified (latest confirmation or sourced period start)"),
            "type": "string",
            "format": "date",
        },
        "sources": _SOURCES,
    },
    "boundaries": {"note": {"title": N_("Source and note"), "type": "string"}},
}


def queryables(kind: str) -> dict[str, dict]:
    """Property name -> JSON Schema of what a filter may name (/queryables)."""
    return {name: q.schema() for name, q in QUERYABLES[kind].items()}


def schema(kind: str) -> dict[str, dict]:
    """Property name -> JSON Schema of every property the features carry (/schema)."""
    return {**queryables(kind), **_OTHERS[kind]}


def titles() -> tuple[str, ...]:
    """Every property's title, in every collection: the words the HTML pages translate."""
    return tuple(dict.fromkeys(p["title"] for kind in QUERYABLES for p in schema(kind).values()))


# literals -------------------------------------------------------------------------
def _literal(q: Queryable, name: str, value: Any) -> Any:
    """The literal as the property's type, or a FilterError naming the rule."""
    if value is None:
        return None
    if q.format == "date":
        return _as_day(name, value)
    if q.type == "boolean":
        if isinstance(value, bool) or value in (0, 1):
            return bool(value)
        raise FilterError(
            N_("'%(name)s' is true or false, not %(value)s"), name=name, value=repr(value)
        )
    if not isinstance(value, str):
        raise FilterError(
            N_("'%(name)s' is text: compare it with a quoted string, not %(value)s"),
            name=name,
            value=repr(value),
        )
    return value


def _as_day(name: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # as the datetime parameter: which day it was is unknown
            raise FilterError(
                N_(
                    "'%(name)s': a time needs Z or an offset, e.g. "
                    "TIMESTAMP('%(moment)sZ'), or compare with DATE('%(day)s')"
                ),
                name=name,
                moment=f"{value:%Y-%m-%dT%H:%M:%S}",
                day=f"{value:%Y-%m-%d}",
            )
        return value.astimezone(dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        day = text[:10]
        rest = text[10:]
        try:
            parsed = dt.date.fromisoformat(day)
        except ValueError:
            parsed = None
        if parsed and rest in ("", "T", "t"):
            return parsed
        try:
            moment = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(dt.UTC).date()
    raise FilterError(
        N_(
            "'%(name)s' is a date: compare it with DATE('2015-01-01'), "
            "TIMESTAMP('2015-01-01T00:00:00Z') or '2015-01-01', not %(value)s"
        ),
        name=name,
        value=repr(value),
    )


def _interval(name: str, value: Any) -> tuple[dt.date | None, dt.date | None]:
    """A temporal literal as inclusive days [a, b] (None: open)."""
    # pygeofilter's SQLAlchemy backend hands intervals over as (start, end) tuples.
    if isinstance(value, values.Interval):
        value = (value.start, value.end)
    if isinstance(value, tuple):
        ends = [None if v in (None, "..") else _as_day(name, v) for v in value]
        return ends[0], ends[1]
    day = _as_day(name, value)
    return day, day


# SQL ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ref:
    """An evaluated property reference: its name and its queryable (`casei`: its value
    lower-cased, CASEI(name))."""

    name: str
    q: Queryable
    casei: bool = False


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "<>": "<>"}
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _window_sql(lo, hi, op: str, day: dt.date):
    """Some day of [lo, hi] satisfies `op day` (a NULL window stays NULL)."""
    if op in ("<", "<="):
        return _OPS[op](lo, day)
    if op in (">", ">="):
        return _OPS[op](hi, day)
    if op == "=":
        return and_(lo <= day, hi >= day)
    return or_(lo != day, hi != day)


class _SQL(SQLAlchemyFilterEvaluator):
    """pygeofilter's SQLAlchemy backend, told which properties exist and which are windows."""

    def __init__(self, fields: Mapping[str, Queryable]):
        super().__init__({}, False)
        self.fields = fields

    @handle(ast.Attribute)
    def attribute(self, node):
        if node.name == "geometry":
            raise _spatial()
        if node.name not in self.fields:
            raise FilterError(N_("unknown property '%(name)s' (see /queryables)"), name=node.name)
        return _Ref(node.name, self.fields[node.name])

    @handle(ast.Not)
    def not_(self, node, sub):
        return not_(_condition_sql(sub))

    @handle(ast.And, ast.Or)
    def combination(self, node, lhs, rhs):
        combine = and_ if isinstance(node, ast.And) else or_
        return combine(_condition_sql(lhs), _condition_sql(rhs))

    def _column(self, value):
        if not isinstance(value, _Ref):
            return value
        if value.q.sql is None and value.q.window is None:
            raise FilterError(N_("'%(name)s' takes =, <>, LIKE, IN or IS NULL"), name=value.name)
        if value.q.sql is None:
            raise FilterError(
                N_(
                    "'%(name)s' is a date window: compare it with a date (=, <>, <, <=, >, "
                    ">=, BETWEEN) or use a T_ predicate; %(name)s_earliest and "
                    "%(name)s_latest are single days"
                ),
                name=value.name,
            )
        return value.q.sql

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        op = node.op.value
        if isinstance(rhs, _Ref) and not isinstance(lhs, _Ref):
            lhs, rhs, op = rhs, lhs, _FLIP[op]
        if hasattr(lhs, "self_group") and not isinstance(rhs, _Ref):
            return _OPS[op](lhs, rhs)  # CASEI(name) = CASEI('Text')
        if not isinstance(lhs, _Ref):
            raise FilterError(N_("a comparison needs a property on one side"))
        if isinstance(rhs, _Ref):
            raise FilterError(N_("compare a property with a literal, not with another property"))
        value = _literal(lhs.q, lhs.name, rhs)
        if lhs.q.window is not None:
            return _window_sql(*lhs.q.window, op, value)
        return _OPS[op](lhs.q.sql, value)

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        both = and_(
            self.comparison(ast.GreaterEqual(node.lhs, node.low), lhs, low),
            self.comparison(ast.LessEqual(node.lhs, node.high), lhs, high),
        )
        return not_(both) if node.not_ else both

    @handle(ast.Like)
    def like(self, node, lhs):
        test = _like(node, self._column(lhs))
        return not_(test) if node.not_ else test

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        if not isinstance(lhs, _Ref):
            raise FilterError(N_("IN needs a property on its left"))
        column = self._column(lhs)
        items = [_literal(lhs.q, lhs.name, o) for o in options]
        return filters.runop(column, items, "in", node.not_)

    @handle(ast.IsNull)
    def null(self, node, lhs):
        if isinstance(lhs, _Ref) and lhs.q.window is not None:
            test = lhs.q.window[0].is_(None)
        else:
            test = self._column(lhs).is_(None)
        return not_(test) if node.not_ else test

    @handle(ast.TemporalPredicate, subclasses=True)
    def temporal(self, node, lhs, rhs):
        if not isinstance(lhs, _Ref) or lhs.q.format != "date":
            raise FilterError(N_("temporal predicates need a date property on the left"))
        lo, hi = lhs.q.window or (lhs.q.sql, lhs.q.sql)
        a, b = _interval(lhs.name, rhs)
        return _temporal_sql(_relation(node), lo, hi, a, b, lhs.q.open)

    @handle(ast.Function)
    def function(self, node, *arguments):
        if node.name == "lower" and len(arguments) == 1:
            return func.lower(self._column(arguments[0]))
        raise FilterError(N_("function %(name)s() is not supported (only CASEI)"), name=node.name)

    @handle(ast.SpatialComparisonPredicate, ast.BBox, ast.Relate, subclasses=True)
    def spatial_operation(self, node, *args):
        raise _spatial()

    @handle(ast.SpatialDistancePredicate, ast.ArrayPredicate, ast.Arithmetic, subclasses=True)
    def unsupported(self, node, *args):
        raise FilterError(
            N_("%(name)s is not supported (Basic CQL2 and T_ predicates)"),
            name=type(node).__name__,
        )

    @handle(values.Geometry, values.Envelope)
    def geometry(self, node):
        raise _spatial()

    @handle(type(None))
    def open_end(self, node):
        return None  # an interval's open end ("..")


class _Like(ColumnElement):
    """CQL2 LIKE: case-sensitive, `%` and `_` as wildcards, a backslash escaping them. SQLite's
    LIKE ignores case, so there it is GLOB (its own wildcards, brackets for the literal ones)."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_string),
    ]

    def __init__(self, column, pattern: str):
        self.column, self.pattern = column, pattern


@compiles(_Like)
def _like_sql(element: _Like, compiler, **kw) -> str:
    return compiler.process(element.column.like(element.pattern, escape="\\"), **kw)


@compiles(_Like, "sqlite")
def _like_sqlite(element: _Like, compiler, **kw) -> str:
    return compiler.process(element.column.op("GLOB")(_glob(element.pattern)), **kw)


def _glob(pattern: str) -> str:
    r"""A CQL2 LIKE pattern as a GLOB pattern.

    >>> _glob(r"al-%[1]_\%\_*")
    'al-*[[]1]?%_[*]'
    """
    out, chars = [], iter(pattern)
    for c in chars:
        if c == "\\":
            c = next(chars, "\\")
            out.append(f"[{c}]" if c in "*?[" else c)
        elif c == "%":
            out.append("*")
        elif c == "_":
            out.append("?")
        else:
            out.append(f"[{c}]" if c in "*?[" else c)
    return "".join(out)


def _like(node, column):
    """`column LIKE pattern` in SQL, lower-cased on both sides for CASEI."""
    if not isinstance(node.pattern, str):
        raise FilterError(N_("LIKE needs a quoted pattern"))
    if node.nocase:
        return _Like(func.lower(column), node.pattern.lower())
    return _Like(column, node.pattern)


def _not_a_condition(value: Any) -> FilterError:
    """AND, OR and NOT were given something that is neither a condition nor true/false."""
    if isinstance(value, _Ref):
        return FilterError(
            N_("AND, OR and NOT combine conditions or true or false, not the property '%(name)s'"),
            name=value.name,
        )
    return FilterError(
        N_("AND, OR and NOT combine conditions or true or false, not %(value)s"),
        value=repr(value),
    )


def _condition_sql(value: Any) -> Any:
    """An operand of AND, OR or NOT as SQL: a condition, or a literal true/false."""
    if isinstance(value, bool):
        return true() if value else false()
    if not isinstance(value, ColumnElement):
        raise _not_a_condition(value)
    return value


def _spatial() -> FilterError:
    return FilterError(
        N_("spatial predicates (S_INTERSECTS, …) are not supported: use the bbox parameter")
    )


_TEMPORAL = {
    "TOVERLAPS": "intersects",
    "DISJOINT": "disjoint",
    "BEFORE": "before",
    "AFTER": "after",
    "DURING": "during",
}


def _relation(node) -> str:
    """T_INTERSECTS arrives from pygeofilter as T_OVERLAPS; both mean "meets" here."""
    rel = _TEMPORAL.get(node.op.name)
    if rel is None:
        name = _CQL2_NAMES.get(node.op.name, node.op.name)
        raise FilterError(
            N_("T_%(name)s is not supported (T_INTERSECTS, T_BEFORE, T_AFTER, T_DURING)"),
            name=name,
        )
    return rel


#: pygeofilter's names of CQL2's temporal predicates where they differ (T_EQUALS: TEQUALS).
_CQL2_NAMES = {
    "TEQUALS": "EQUALS",
    "TCONTAINS": "CONTAINS",
    "BEGINS": "STARTS",
    "BEGUNBY": "STARTEDBY",
    "ENDS": "FINISHES",
    "ENDEDBY": "FINISHEDBY",
}


def _cmp(column, op: str, day, open_: str | None):
    """`column op day` in SQL, where NULL is below every day ("below"), above ("above")."""
    test = _OPS[op](column, day)
    if open_ is None:
        return test
    if (op in ("<", "<=")) == (open_ == "below"):
        return or_(column.is_(None), test)
    return and_(column.is_not(None), test)


def _temporal_sql(rel: str, lo, hi, a, b, open_):
    """The window [lo, hi] against the days [a, b] (None: open)."""

    def side(column, op, day, empty):
        return empty if day is None else _cmp(column, op, day, open_)

    if rel in ("intersects", "disjoint"):
        meets = and_(side(lo, "<=", b, true()), side(hi, ">=", a, true()))
        return meets if rel == "intersects" else not_(meets)
    if rel == "before":
        return side(hi, "<", a, false())
    if rel == "after":
        return side(lo, ">", b, false())
    return and_(side(lo, ">=", a, true()), side(hi, "<=", b, true()))


def _temporal_py(rel: str, day, a, b) -> bool:
    """The same relations for one known day."""
    after_a, before_b = a is None or day >= a, b is None or day <= b
    if rel == "intersects":
        return after_a and before_b
    if rel == "disjoint":
        return not (after_a and before_b)
    if rel == "before":
        return a is not None and day < a
    if rel == "after":
        return b is not None and day > b
    return after_a and before_b


def to_sql(kind: str, node) -> Any:
    """The filter as a SQLAlchemy condition on the collection's table."""
    evaluator = _EventSQL if kind == "events" else _SQL
    return _condition_sql(evaluator(QUERYABLES[kind]).evaluate(node))


# events: `site = 'x'` matches an event linked to site x (events list them in `sites`)
_EVENT_SITE = select(event_site.c.event_id).join(Site, Site.id == event_site.c.site_id)


class _EventSQL(_SQL):
    """Events: `site = 'x'` means the event is linked to site x."""

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        ref = lhs if isinstance(lhs, _Ref) else rhs
        if isinstance(ref, _Ref) and ref.name == "site":
            value = _literal(ref.q, "site", rhs if ref is lhs else lhs)
            if node.op.value not in ("=", "<>"):
                raise FilterError(N_("'site' takes = or <>"))
            linked = Event.id.in_(_EVENT_SITE.where(Site.slug == value))
            return linked if node.op.value == "=" else not_(linked)
        return super().comparison(node, lhs, rhs)

    @handle(ast.Like)
    def like(self, node, lhs):
        if isinstance(lhs, _Ref) and lhs.name == "site":
            linked = Event.id.in_(_EVENT_SITE.where(_like(node, Site.slug)))
            return not_(linked) if node.not_ else linked
        return super().like(node, lhs)

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        if isinstance(lhs, _Ref) and lhs.name == "site":
            slugs = [_literal(lhs.q, "site", o) for o in options]
            linked = Event.id.in_(_EVENT_SITE.where(Site.slug.in_(slugs)))
            return not_(linked) if node.not_ else linked
        return super().in_(node, lhs, *options)

    @handle(ast.IsNull)
    def null(self, node, lhs):
        if isinstance(lhs, _Ref) and lhs.name == "site":
            linked = Event.id.in_(select(event_site.c.event_id))
            return linked if node.not_ else not_(linked)
        return super().null(node, lhs)


# Python ---------------------------------------------------------------------------
Test = Callable[[dict], Any]


def _condition_py(value: Any) -> Test:
    """An operand of AND, OR or NOT as a test: a condition, or a literal true/false (a
    valid CQL2 boolean expression, true or false of every feature)."""
    if isinstance(value, bool):
        return lambda _props: value
    if isinstance(value, _Ref) or not callable(value):
        raise _not_a_condition(value)
    return value


class _Python(Evaluator):
    """The same rules on feature properties, with SQL's three-valued logic (None: unknown)."""

    def __init__(self, fields: Mapping[str, Queryable]):
        self.fields = fields

    @handle(ast.Attribute)
    def attribute(self, node):
        if node.name == "geometry":
            raise _spatial()
        if node.name not in self.fields:
            raise FilterError(N_("unknown property '%(name)s' (see /queryables)"), name=node.name)
        return _Ref(node.name, self.fields[node.name])

    def _get(self, ref: _Ref) -> Test:
        name, q = ref.name, ref.q

        def get(props):
            value = props.get(name)
            if value is not None and q.format == "date":
                return _as_day(name, value)
            return value.lower() if ref.casei and isinstance(value, str) else value

        return get

    @handle(ast.Not)
    def not_(self, node, sub):
        sub = _condition_py(sub)
        return lambda p: None if (v := sub(p)) is None else not v

    @handle(ast.And)
    def and_(self, node, lhs, rhs):
        lhs, rhs = _condition_py(lhs), _condition_py(rhs)

        def test(p):
            a, b = lhs(p), rhs(p)
            return False if a is False or b is False else (None if None in (a, b) else True)

        return test

    @handle(ast.Or)
    def or_(self, node, lhs, rhs):
        lhs, rhs = _condition_py(lhs), _condition_py(rhs)

        def test(p):
            a, b = lhs(p), rhs(p)
            return True if a is True or b is True else (None if None in (a, b) else False)

        return test

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        op = node.op.value
        if isinstance(rhs, _Ref) and not isinstance(lhs, _Ref):
            lhs, rhs, op = rhs, lhs, _FLIP[op]
        if not isinstance(lhs, _Ref) or isinstance(rhs, _Ref):
            raise FilterError(N_("compare a property with a literal"))
        value, get, compare = _literal(lhs.q, lhs.name, rhs), self._get(lhs), _OPS[op]
        return lambda p: None if (v := get(p)) is None or value is None else compare(v, value)

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        ge = self.comparison(ast.GreaterEqual(node.lhs, node.low), lhs, low)
        le = self.comparison(ast.LessEqual(node.lhs, node.high), lhs, high)
        both = self.and_(node, ge, le)
        return self.not_(node, both) if node.not_ else both

    @handle(ast.Like)
    def like(self, node, lhs):
        if not isinstance(lhs, _Ref) or not isinstance(node.pattern, str):
            raise FilterError(N_("LIKE needs a property and a quoted pattern"))
        regex = like_pattern_to_re(
            node.pattern, node.nocase, node.wildcard, node.singlechar, node.escapechar
        )
        get = self._get(lhs)

        def test(p):
            v = get(p)
            return None if v is None else (regex.match(str(v)) is None) == node.not_

        return test

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        if not isinstance(lhs, _Ref):
            raise FilterError(N_("IN needs a property on its left"))
        items = [_literal(lhs.q, lhs.name, o) for o in options]
        get = self._get(lhs)
        return lambda p: None if (v := get(p)) is None else (v in items) != node.not_

    @handle(ast.IsNull)
    def null(self, node, lhs):
        get = self._get(lhs)
        return lambda p: (get(p) is None) != node.not_

    @handle(ast.TemporalPredicate, subclasses=True)
    def temporal(self, node, lhs, rhs):
        if not isinstance(lhs, _Ref) or lhs.q.format != "date":
            raise FilterError(N_("temporal predicates need a date property on the left"))
        rel, (a, b), get = _relation(node), _interval(lhs.name, rhs), self._get(lhs)
        return lambda p: None if (day := get(p)) is None else _temporal_py(rel, day, a, b)

    @handle(ast.Function)
    def function(self, node, *arguments):
        if node.name == "lower" and len(arguments) == 1:  # CASEI
            (arg,) = arguments
            if isinstance(arg, _Ref) and arg.q.type == "string" and arg.q.format != "date":
                return replace(arg, casei=True)
            if isinstance(arg, str):
                return arg.lower()
            raise FilterError(N_("CASEI takes a text property or a quoted string"))
        raise FilterError(N_("function %(name)s() is not supported (only CASEI)"), name=node.name)

    @handle(ast.SpatialComparisonPredicate, ast.BBox, ast.Relate, subclasses=True)
    def spatial_operation(self, node, *args):
        raise _spatial()

    @handle(ast.SpatialDistancePredicate, ast.ArrayPredicate, ast.Arithmetic, subclasses=True)
    def unsupported(self, node, *args):
        raise FilterError(
            N_("%(name)s is not supported (Basic CQL2 and T_ predicates)"),
            name=type(node).__name__,
        )

    @handle(values.Geometry, values.Envelope)
    def geometry(self, node):
        raise _spatial()

    @handle(*values.LITERALS)
    def literal(self, node):
        return node

    @handle(values.Interval)
    def interval(self, node, start, end):
        return values.Interval(start, end)

    @handle(type(None))
    def open_end(self, node):
        return None  # an interval's open end ("..")


def to_python(kind: str, node) -> Callable[[dict], bool]:
    """The filter as a test of a feature (its properties), for collections built in Python."""
    test = _condition_py(_Python(QUERYABLES[kind]).evaluate(node))
    return lambda feature: test(feature["properties"]) is True
