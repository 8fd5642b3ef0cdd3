"""Pure time logic for control and status periods: half-open intervals, windows, as-of.

A period covers ``[start, end)``: on ``end`` the next period applies. ``start=None``
means "held since before the record begins", ``end=None`` means "still ongoing". Each
bound is an EDTF window of days (:mod:`app.core.bounds`); the record never picks a day
inside it. On a day inside one period's *certain* span ``[latest start, earliest end)``
that period's value holds; on a day inside only *possible* spans control was changing
hands (a transition); on any other day it is unknown, never "the last actor".

>>> from datetime import date
>>> gov = Period(None, date(2015, 5, 21), value="gov")
>>> isis = Period(date(2015, 5, 21), date(2016, 3, 4), value="isis")
>>> as_of([gov, isis], date(2015, 5, 20)).value, as_of([gov, isis], date(2015, 5, 21)).value
('gov', 'isis')
>>> as_of([gov, isis], date(2016, 3, 4)) is None
True
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core import bounds
from app.core.bounds import Bound
from app.core.text_rules import N_, Phrase, Refusal
from app.core.vocabulary import PRECISIONS, least_confident

__all__ = [
    "PRECISIONS",
    "Period",
    "Transition",
    "Answer",
    "parse_date",
    "end_problem",
    "ends_before",
    "overlaps_by_its_end",
    "parse_partial_date",
    "floor_date",
    "format_bound",
    "holds_certainly",
    "holds_possibly",
    "overlaps",
    "find_overlaps",
    "as_of",
    "answer",
    "window_marks",
    "hold",
    "joins",
    "gaps",
    "change_points",
    "boundary_dates",
]


def end_problem(start: Bound | None, end: Bound | None) -> Refusal | None:
    """Why `end` cannot close a period from `start` (its latest day is not after start's first)."""
    lo = start.earliest if start else None
    hi = end.latest if end else None
    if start is None or end is None or lo is None or hi is None or lo < hi:
        return None
    return Refusal(N_("end %(end)s must be after start %(start)s"), end=end.text, start=start.text)


def ends_before(when: Bound, last_day: dt.date | None) -> bool:
    """Whether an event's last day comes before the first day its date allows."""
    return last_day is not None and when.earliest is not None and last_day < when.earliest


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO_DAY = re.compile(r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_PARTIAL = re.compile(r"\A([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open interval ``[start, end)`` carrying a value (an actor, a status).

    Each bound is an EDTF :class:`~app.core.bounds.Bound` (a plain date is taken as that
    exact day). ``start=None`` means held since before the record begins, ``end=None``
    still ongoing. The *certain* span is ``[latest start, earliest end)``, the *possible*
    span ``[earliest start, latest end)``.
    """

    start: Bound | None
    end: Bound | None
    value: Any = None
    key: Any = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            bound = getattr(self, name)
            if isinstance(bound, dt.date):
                object.__setattr__(self, name, bounds.exact(bound))
            elif bound is not None and not isinstance(bound, Bound):
                raise TypeError(f"{name} must be a date or a Bound, not {bound!r}")
        problem = end_problem(self.start, self.end)
        if problem:
            raise problem

    @property
    def certain_start(self) -> dt.date | None:
        """First day the value certainly holds (None: since before the record).

        A start open at its late side ("2015/..": no earlier than 2015) is never certain:
        the value may not have begun on any day, so the certain span never starts.
        """
        if self.start is None:
            return None
        return dt.date.max if self.start.latest is None else self.start.latest

    @property
    def certain_end(self) -> dt.date | None:
        """First day the value may no longer hold (None: ongoing).

        An end open at its early side ("../2013-12-31": no later than 2013) may have come
        on any day, so no day is certain.
        """
        if self.end is None:
            return None
        return dt.date.min if self.end.earliest is None else self.end.earliest

    @property
    def possible_start(self) -> dt.date | None:
        """First day the value may hold (None: before the record)."""
        return None if self.start is None else self.start.earliest

    @property
    def possible_end(self) -> dt.date | None:
        """First day the value certainly no longer holds (None: may be ongoing)."""
        return None if self.end is None else self.end.latest

    @property
    def start_precision(self) -> str | None:
        """The start's precision; None for an open start (there is no day to be precise about)."""
        return None if self.start is None else self.start.precision

    @property
    def end_precision(self) -> str | None:
        """The end's precision; None while the period is open-ended."""
        return None if self.end is None else self.end.precision

    @property
    def qualified(self) -> bool:
        """Tell whether a bound is marked uncertain (?) or approximate (~)."""
        return any(b is not None and b.qualified for b in (self.start, self.end))

    @property
    def certain_days(self) -> tuple[dt.date | None, dt.date | None] | None:
        """The certain span as (first day, first day after), None if it holds no day."""
        lo, hi = self.certain_start, self.certain_end
        if (
            lo == dt.date.max
            or hi == dt.date.min
            or (lo is not None and hi is not None and hi <= lo)
        ):
            return None
        return lo, hi

    def describe(self) -> Phrase:
        """Human label such as "Mar 2013 – 4 Mar 2016" (used in messages).

        >>> Period(bounds.parse("2013-03"), None).describe()
        'Mar 2013 – ongoing'
        """
        left = Phrase(N_("before records")) if self.start is None else bounds.Short(self.start)
        right = Phrase(N_("ongoing")) if self.end is None else bounds.Short(self.end)
        return Phrase(N_("%(start)s – %(end)s"), start=left, end=right)


@dataclass(frozen=True, slots=True)
class Transition:
    """A day on which the record knows only that control was changing hands.

    ``candidates`` are the periods that may hold on that day, in time order. The first
    may not have begun yet (``unknown_before``), the last may already have ended
    (``unknown_after``); ``window`` is the bound whose days the handover falls in.
    """

    candidates: tuple[Period, ...]
    window: Bound
    unknown_before: bool = False
    unknown_after: bool = False

    @property
    def outgoing(self) -> Period | None:
        """The period being left, or None when what came before is unknown."""
        return None if self.unknown_before else self.candidates[0]

    @property
    def incoming(self) -> Period | None:
        """The period being entered, or None when what follows is unknown."""
        return None if self.unknown_after else self.candidates[-1]

    def chain(self, name=str) -> list[str]:
        """The holders in order, "unknown" at an open side: ["SDF", "gov"]."""
        names = [name(p.value) for p in self.candidates]
        return (
            (["unknown"] if self.unknown_before else [])
            + names
            + (["unknown"] if self.unknown_after else [])
        )

    def describe(self, name=str) -> str:
        """ "SDF → gov, handover sometime between 7 and 31 December 2024"."""
        return f"{' → '.join(self.chain(name))}, handover {self.window.reading()}"


@dataclass(frozen=True, slots=True)
class Answer:
    """The as-of answer for one day: the certain holder, or a transition, or neither."""

    period: Period | None
    uncertain: bool
    transition: Transition | None = None

    @property
    def value(self) -> Any:
        return None if self.period is None else self.period.value


def parse_date(text: str) -> dt.date:
    """Parse a strict ISO calendar date ``YYYY-MM-DD`` (Arabic-Indic digits read as 0–9).

    >>> parse_date("2015-08-01"), parse_date("٢٠١٥-٠٨-٠١")
    (datetime.date(2015, 8, 1), datetime.date(2015, 8, 1))
    >>> parse_date("2015-13-45")
    Traceback (most recent call last):
    ...
    app.core.text_rules.Refusal: '2015-13-45' is not a real calendar date (YYYY-MM-DD)
    """
    if isinstance(text, str):
        text = bounds.latin_digits(text)
    if not isinstance(text, str) or not _ISO_DAY.match(text):
        raise Refusal(N_("%(text)s is not a date in the form YYYY-MM-DD"), text=repr(text))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Refusal(
            N_("%(text)s is not a real calendar date (YYYY-MM-DD)"), text=repr(text)
        ) from None


def parse_partial_date(text: str) -> tuple[dt.date, str]:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into (first day, precision).

    >>> parse_partial_date("2014-06")
    (datetime.date(2014, 6, 1), 'month')
    >>> parse_partial_date("2013")
    (datetime.date(2013, 1, 1), 'year')
    """
    m = _PARTIAL.match(bounds.latin_digits(text.strip())) if isinstance(text, str) else None
    if not m:
        raise Refusal(
            N_("%(text)s is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"), text=repr(text)
        )
    year, month, day = m.groups()
    try:
        if day:
            return dt.date(int(year), int(month), int(day)), "day"
        if month:
            return dt.date(int(year), int(month), 1), "month"
        return dt.date(int(year), 1, 1), "year"
    except ValueError:
        raise Refusal(N_("%(text)s is not a real calendar date"), text=repr(text)) from None


def floor_date(day: dt.date, precision: str) -> dt.date:
    """First day of the month or year containing `day` (unchanged for ``day``).

    >>> floor_date(dt.date(2014, 6, 17), "month")
    datetime.date(2014, 6, 1)
    """
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    if precision == "day":
        return day
    raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")


def format_bound(day: dt.date | None, precision: str = "day", none: str = "") -> str:
    """Show a bound at its precision: "4 Mar 2013", "Mar 2013" or "2013".

    >>> format_bound(dt.date(2013, 3, 4)), format_bound(dt.date(2013, 3, 1), "month")
    ('4 Mar 2013', 'Mar 2013')
    """
    if day is None:
        return none
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def holds_certainly(period: Period, day: dt.date) -> bool:
    """Tell whether `day` lies in the period's certain span ``[latest start, earliest end)``."""
    lo, hi = period.certain_start, period.certain_end
    return (lo is None or lo <= day) and (hi is None or day < hi)


def holds_possibly(period: Period, day: dt.date) -> bool:
    """Tell whether `day` lies in the possible span ``[earliest start, latest end)``."""
    lo, hi = period.possible_start, period.possible_end
    return (lo is None or lo <= day) and (hi is None or day < hi)


def _before(a: Period, b: Period) -> bool:
    """`a` ends before `b` starts, or its end window meets `b`'s start window."""
    return (
        a.certain_end is not None
        and b.possible_start is not None
        and a.certain_end <= b.possible_start
        and a.possible_end is not None
        and b.certain_start is not None
        and a.possible_end <= b.certain_start
    )


def overlaps(a: Period, b: Period) -> bool:
    """Tell whether two periods collide (symmetric).

    They may only follow one another: one's certain span never meets the other's possible
    span, and possible spans share days only where an end window meets a start window.

    >>> overlaps(Period(None, dt.date(2014, 6, 1)), Period(dt.date(2014, 6, 1), None))
    False
    >>> overlaps(Period(None, bounds.parse("2014-06")), Period(bounds.parse("2014-06"), None))
    False
    >>> overlaps(Period(None, bounds.parse("2014-06")), Period(dt.date(2014, 6, 10), None))
    True
    """
    return not (_before(a, b) or _before(b, a))


def overlaps_by_its_end(candidate: Period, other: Period) -> bool:
    """Tell whether `candidate` meets `other` only by its end: it starts clear of `other`
    and would not overlap it had it ended where `other` starts (an end that reaches into
    `other`, or past the whole of it); False when its start falls inside `other`.

    >>> other = Period(bounds.parse("2023-02"), bounds.parse("2024-03"))
    >>> overlaps_by_its_end(Period(bounds.parse("2022-06"), bounds.parse("2023-06")), other)
    True
    >>> overlaps_by_its_end(Period(bounds.parse("2023-06"), None), other)
    False
    """
    try:
        shorter = Period(candidate.start, other.start)
    except ValueError:  # `other` starts first: the start of `candidate` falls inside it
        return False
    return not overlaps(shorter, other)


def find_overlaps(periods: Iterable[Period], candidate: Period) -> list[Period]:
    """Periods that collide with `candidate`, ignoring the one with the same key."""
    return [
        p
        for p in periods
        if (candidate.key is None or p.key != candidate.key) and overlaps(p, candidate)
    ]


def as_of(periods: Iterable[Period], day: dt.date) -> Period | None:
    """The period that certainly applies on `day`, or None (a transition or unknown)."""
    for p in periods:
        if holds_certainly(p, day):
            return p
    return None


def answer(periods: Iterable[Period], day: dt.date) -> Answer:
    """Who held it on `day`: the certain holder, a transition between two, or unknown.

    >>> sdf = Period(dt.date(2024, 12, 6), bounds.parse("2024-12-07/2024-12-31"), "SDF")
    >>> gov = Period(bounds.parse("2024-12-07/2024-12-31"), None, "gov")
    >>> answer([sdf, gov], dt.date(2024, 12, 6)).value
    'SDF'
    >>> a = answer([sdf, gov], dt.date(2024, 12, 10))
    >>> a.value, a.uncertain, a.transition.describe()
    (None, True, 'SDF → gov, handover sometime between 7 and 31 December 2024')
    >>> answer([sdf, gov], dt.date(2024, 12, 31)).value
    'gov'
    """
    periods = list(periods)
    for p in periods:
        if holds_certainly(p, day):
            return Answer(p, p.qualified)
    possible = sorted((p for p in periods if holds_possibly(p, day)), key=_start_key)
    if not possible:
        return Answer(None, False)
    first, last = possible[0], possible[-1]
    before = first.certain_start is not None and day < first.certain_start
    after = last.certain_end is not None and last.certain_end <= day
    if not after:
        window = last.start
    elif not before:
        window = first.end
    else:
        window = last.end
    assert window is not None  # a day in a window has a bound on that side
    return Answer(None, True, Transition(tuple(possible), window, before, after))


def settled(found: Answer, key: Callable[[Any], Any] = lambda value: value) -> Answer:
    """`found`, except that a transition between periods of one same value (by `key`),
    with neither side unknown, is that value held, since the first one's start: a status
    open on both sides of the window is open whichever day the record changed.

    >>> one = Period(dt.date(2014, 10, 1), bounds.parse("2016-06"), "open")
    >>> two = Period(bounds.parse("2016-06"), None, "open")
    >>> a = settled(answer([one, two], dt.date(2016, 6, 15)))
    >>> a.value, a.uncertain, a.transition, a.period is one
    ('open', True, None, True)
    """
    t = found.transition
    if t is None or t.unknown_before or t.unknown_after:
        return found
    if len({key(p.value) for p in t.candidates}) != 1:
        return found
    return Answer(t.candidates[0], True)


def window_marks(contested: Iterable[bool], confidences: Iterable[str]) -> tuple[bool, str | None]:
    """The marks of a day in a handover window, from its candidate periods' own: contested
    when any of them is, and no surer than the least sure of them (vocabulary order).

    A window is where the record is least sure who held the site; a mark of one candidate
    kept out of the answer there would be the silent choice design.md §2 forbids.

    >>> window_marks([False, True], ["medium", "low"])
    (True, 'low')
    """
    return any(contested), least_confident(confidences)


def joins(end: Bound | None, value: Any, start: Bound | None, other: Any) -> bool:
    """Tell whether a period of value `other` starting on `start` goes on with the hold of
    one of `value` ending on `end`: one value, and the very bound (its EDTF text)."""
    return end is not None and start is not None and end.text == start.text and value == other


def hold(
    periods: Iterable[Period], period: Period, key: Callable[[Any], Any] = lambda value: value
) -> tuple[Bound | None, Bound | None]:
    """The first start and the last end of `period`'s hold: the periods of one value (by
    `key`), each starting on the very bound the one before it ends on (:func:`joins`).

    The record splits a hold where something about it changes (a contested summer, a new
    source): the holder still took it once, so its "since" is the hold's first start.

    >>> contested = Period(bounds.parse("2014-06-20/2014-06-21"), dt.date(2014, 9, 1), "ISIS")
    >>> agreed = Period(dt.date(2014, 9, 1), dt.date(2017, 11, 3), "ISIS")
    >>> [b.text for b in hold([contested, agreed], agreed)]
    ['2014-06-20/2014-06-21', '2017-11-03']
    """
    # Periods do not overlap: the one a hold joins is next to it in start order.
    ordered = sorted(periods, key=_start_key)
    at = next(n for n, p in enumerate(ordered) if p is period)
    first = last = at

    def joined(a: Period, b: Period) -> bool:
        return joins(a.end, key(a.value), b.start, key(b.value))

    while first > 0 and joined(ordered[first - 1], ordered[first]):
        first -= 1
    while last + 1 < len(ordered) and joined(ordered[last], ordered[last + 1]):
        last += 1
    return ordered[first].start, ordered[last].end


def gaps(periods: Sequence[Period], lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Half-open ranges within ``[lo, hi)`` that no period can cover (unknown).

    >>> gaps([Period(dt.date(2012, 1, 1), dt.date(2013, 1, 1))], dt.date(2011, 1, 1),
    ...      dt.date(2014, 1, 1))
    [(datetime.date(2011, 1, 1), datetime.date(2012, 1, 1)),
     (datetime.date(2013, 1, 1), datetime.date(2014, 1, 1))]
    """
    out: list[tuple[dt.date, dt.date]] = []
    cursor = lo
    for p in sorted(periods, key=_start_key):
        start = lo if p.possible_start is None else max(p.possible_start, lo)
        if start > cursor:
            out.append((cursor, min(start, hi)))
        if p.possible_end is None:
            return [g for g in out if g[0] < g[1]]
        cursor = max(cursor, p.possible_end)
        if cursor >= hi:
            break
    if cursor < hi:
        out.append((cursor, hi))
    return [g for g in out if g[0] < g[1]]


def boundary_dates(periods: Iterable[Period]) -> set[dt.date]:
    """Every day on which a period's certain or possible span begins or ends."""
    out: set[dt.date] = set()
    for p in periods:
        out.update(
            d
            for d in (p.possible_start, p.certain_start, p.certain_end, p.possible_end)
            if d is not None
        )
    return out


def change_points(
    periods_by_site: Mapping[Any, Sequence[Period]], settle: bool = False
) -> list[dt.date]:
    """Sorted days on which at least one site's answer changes (a transition included).

    Adjacent periods with the same value do not make a change point; with `settle`
    (status), neither does a window between two of them (see `settled`).

    >>> a = [Period(None, dt.date(2013, 3, 2), "gov"), Period(dt.date(2013, 3, 2), None, "gov")]
    >>> change_points({"yar": a})
    []
    >>> june = bounds.parse("2016-06")
    >>> b = [Period(None, june, "open"), Period(june, None, "open")]
    >>> len(change_points({"sem": b})), change_points({"sem": b}, settle=True)
    (2, [])
    """
    points: set[dt.date] = set()
    one = dt.timedelta(days=1)
    for periods in periods_by_site.values():
        near = _Near(periods)
        for day in boundary_dates(periods):
            if _value(near(day), day, settle) != _value(near(day - one), day - one, settle):
                points.add(day)
    return sorted(points)


class _Near:
    """A track's periods whose possible span holds a day, in the track's order: `answer` on
    them is `answer` on all (the others neither hold it certainly nor possibly), found by
    bisection instead of a test of every period for every day."""

    def __init__(self, periods: Iterable[Period]):
        self.periods = list(periods)
        self.order = sorted(
            range(len(self.periods)), key=lambda i: self.periods[i].possible_start or dt.date.min
        )
        self.starts = [self.periods[i].possible_start or dt.date.min for i in self.order]
        # reach[k]: the latest possible end among the first k + 1 by start (None: ongoing).
        self.reach: list[dt.date] = []
        for i in self.order:
            end = self.periods[i].possible_end or dt.date.max
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def __call__(self, day: dt.date) -> list[Period]:
        found = []
        for k in range(bisect.bisect_right(self.starts, day) - 1, -1, -1):
            if self.reach[k] <= day:  # none that starts this early is still possible
                break
            if holds_possibly(self.periods[self.order[k]], day):
                found.append(self.order[k])
        return [self.periods[i] for i in sorted(found)]


def _value(periods: Iterable[Period], day: dt.date, settle: bool) -> tuple:
    a = answer(periods, day)
    if settle:
        a = settled(a)
    if a.transition is not None:
        t = a.transition
        return ("transition", t.outgoing and t.outgoing.value, t.incoming and t.incoming.value)
    return ("unknown",) if a.period is None else ("held", a.period.value)


def _start_key(p: Period) -> tuple[dt.date, dt.date]:
    """Time order: by earliest start, then by latest start (the sooner sure one first)."""
    sure = p.certain_start
    return (
        dt.date.min if p.possible_start is None else p.possible_start,
        dt.date.min if sure is None else sure,
    )
