"""Pure time logic for control and status periods: half-open intervals, precision, as-of.

A period covers ``[start, end)``: on ``end`` the next period applies. ``start=None``
means "held since before the record begins", ``end=None`` means "still ongoing".
A bound with ``month`` or ``year`` precision is normally stored as the first day of
that month or year; an answer whose date falls inside such a bound's month or year is
*uncertain*. Gaps between periods mean *unknown*, never "the last actor".

>>> from datetime import date
>>> gov = Period(None, date(2015, 5, 21), value="gov")
>>> isis = Period(date(2015, 5, 21), date(2016, 3, 4), value="isis")
>>> as_of([gov, isis], date(2015, 5, 20)).value, as_of([gov, isis], date(2015, 5, 21)).value
('gov', 'isis')
>>> as_of([gov, isis], date(2016, 3, 4)) is None
True
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.vocabulary import PRECISIONS

__all__ = [
    "PRECISIONS",
    "Period",
    "Answer",
    "parse_date",
    "parse_partial_date",
    "floor_date",
    "format_bound",
    "contains",
    "overlaps",
    "find_overlaps",
    "as_of",
    "answer",
    "is_uncertain",
    "gaps",
    "change_points",
    "boundary_dates",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO_DAY = re.compile(r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_PARTIAL = re.compile(r"\A([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")


@dataclass(frozen=True)
class Period:
    """A half-open interval ``[start, end)`` carrying a value (an actor, a status)."""

    start: dt.date | None
    end: dt.date | None
    value: Any = None
    start_precision: str = "day"
    end_precision: str = "day"
    key: Any = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        for name in ("start_precision", "end_precision"):
            if getattr(self, name) not in PRECISIONS:
                raise ValueError(f"{name} must be one of {PRECISIONS}")

    def describe(self) -> str:
        """Human label such as "Mar 2013 – 4 Mar 2016" (used in error messages).

        >>> Period(dt.date(2013, 3, 1), None, start_precision="month").describe()
        'Mar 2013 – ongoing'
        """
        left = format_bound(self.start, self.start_precision, none="before records")
        right = format_bound(self.end, self.end_precision, none="ongoing")
        return f"{left} – {right}"


@dataclass(frozen=True)
class Answer:
    """The as-of answer for one date: the period that applies (or None) and how sure."""

    period: Period | None
    uncertain: bool

    @property
    def value(self) -> Any:
        return None if self.period is None else self.period.value


def parse_date(text: str) -> dt.date:
    """Parse a strict ISO calendar date ``YYYY-MM-DD``.

    >>> parse_date("2015-08-01")
    datetime.date(2015, 8, 1)
    >>> parse_date("2015-13-45")
    Traceback (most recent call last):
    ...
    ValueError: '2015-13-45' is not a real calendar date (YYYY-MM-DD)
    """
    if not isinstance(text, str) or not _ISO_DAY.match(text):
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date (YYYY-MM-DD)") from None


def parse_partial_date(text: str) -> tuple[dt.date, str]:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into (first day, precision).

    >>> parse_partial_date("2014-06")
    (datetime.date(2014, 6, 1), 'month')
    >>> parse_partial_date("2013")
    (datetime.date(2013, 1, 1), 'year')
    """
    m = _PARTIAL.match(text.strip()) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"{text!r} is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    try:
        if day:
            return dt.date(int(year), int(month), int(day)), "day"
        if month:
            return dt.date(int(year), int(month), 1), "month"
        return dt.date(int(year), 1, 1), "year"
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None


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


def contains(period: Period, day: dt.date) -> bool:
    """Tell whether `day` lies in ``[start, end)``."""
    return (period.start is None or period.start <= day) and (
        period.end is None or day < period.end
    )


def overlaps(a: Period, b: Period) -> bool:
    """Tell whether two half-open periods share at least one day (symmetric).

    >>> overlaps(Period(None, dt.date(2014, 6, 1)), Period(dt.date(2014, 6, 1), None))
    False
    """
    a_before_b = a.end is not None and b.start is not None and a.end <= b.start
    b_before_a = b.end is not None and a.start is not None and b.end <= a.start
    return not (a_before_b or b_before_a)


def find_overlaps(periods: Iterable[Period], candidate: Period) -> list[Period]:
    """Periods that collide with `candidate`, ignoring the one with the same key."""
    return [
        p
        for p in periods
        if (candidate.key is None or p.key != candidate.key) and overlaps(p, candidate)
    ]


def as_of(periods: Iterable[Period], day: dt.date) -> Period | None:
    """The period that applies on `day`, or None for a gap (unknown)."""
    for p in periods:
        if contains(p, day):
            return p
    return None


def is_uncertain(period: Period, day: dt.date) -> bool:
    """Tell whether `day` falls inside the month or year of one of the period's imprecise bounds.

    >>> p = Period(dt.date(2014, 6, 1), None, start_precision="month")
    >>> is_uncertain(p, dt.date(2014, 6, 30)), is_uncertain(p, dt.date(2014, 7, 1))
    (True, False)
    """
    for bound, precision in (
        (period.start, period.start_precision),
        (period.end, period.end_precision),
    ):
        if (
            bound is not None
            and precision != "day"
            and (floor_date(day, precision) == floor_date(bound, precision))
        ):
            return True
    return False


def answer(periods: Iterable[Period], day: dt.date) -> Answer:
    """As-of lookup plus the uncertainty flag."""
    p = as_of(periods, day)
    return Answer(p, p is not None and is_uncertain(p, day))


def gaps(periods: Sequence[Period], lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Half-open ranges within ``[lo, hi)`` covered by no period (unknown).

    >>> gaps([Period(dt.date(2012, 1, 1), dt.date(2013, 1, 1))], dt.date(2011, 1, 1),
    ...      dt.date(2014, 1, 1))
    [(datetime.date(2011, 1, 1), datetime.date(2012, 1, 1)),
     (datetime.date(2013, 1, 1), datetime.date(2014, 1, 1))]
    """
    out: list[tuple[dt.date, dt.date]] = []
    cursor = lo
    for p in sorted(periods, key=_start_key):
        start = lo if p.start is None else max(p.start, lo)
        if start > cursor:
            out.append((cursor, min(start, hi)))
        if p.end is None:
            return [g for g in out if g[0] < g[1]]
        cursor = max(cursor, p.end)
        if cursor >= hi:
            break
    if cursor < hi:
        out.append((cursor, hi))
    return [g for g in out if g[0] < g[1]]


def boundary_dates(periods: Iterable[Period]) -> set[dt.date]:
    """Every start and end date of the periods."""
    out: set[dt.date] = set()
    for p in periods:
        out.update(d for d in (p.start, p.end) if d is not None)
    return out


def change_points(periods_by_site: Mapping[Any, Sequence[Period]]) -> list[dt.date]:
    """Sorted dates on which at least one site's value (or knownness) changes.

    Adjacent periods with the same value do not make a change point.

    >>> a = [Period(None, dt.date(2013, 3, 2), "gov"), Period(dt.date(2013, 3, 2), None, "gov")]
    >>> change_points({"yar": a})
    []
    """
    points: set[dt.date] = set()
    for periods in periods_by_site.values():
        for day in boundary_dates(periods):
            if _value(periods, day) != _value(periods, day - dt.timedelta(days=1)):
                points.add(day)
    return sorted(points)


def _value(periods: Iterable[Period], day: dt.date) -> tuple[bool, Any]:
    p = as_of(periods, day)
    return (False, None) if p is None else (True, p.value)


def _start_key(p: Period) -> dt.date:
    return dt.date.min if p.start is None else p.start
