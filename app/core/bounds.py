"""When a period starts or ends, as the sources know it: an EDTF expression and its days.

A bound is an Extended Date/Time Format expression (Library of Congress EDTF, ISO 8601-2)
parsed by the ``edtf`` package: a day ``2024-12-06``, a month ``2024-12``, a year
``2014``, a window of days ``2024-12-07/2024-12-31``, an open window ``../2013-12-31`` (no
later than 2013) or ``2015/..``, each optionally qualified ``?`` (uncertain) or ``~``
(approximate). It allows every day from ``earliest`` to ``latest`` (both included; None
is an open side). The record never picks a day inside that window.

>>> b = parse("2024-12-07/2024-12-31")
>>> b.earliest, b.latest, b.precision
(datetime.date(2024, 12, 7), datetime.date(2024, 12, 31), 'window')
>>> parse("2014-06").reading()
'sometime in June 2014'
>>> parse("../2013-12-31").earliest is None
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

import edtf

__all__ = ["Bound", "BoundError", "parse", "read", "exact", "at_precision", "MAX_TEXT"]

#: Longest expression accepted (the longest useful one, a window of two days, is 21).
MAX_TEXT = 40
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAY = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
_MONTH = re.compile(r"\A\d{4}-\d{2}\Z")
_YEAR = re.compile(r"\A\d{4}\Z")


class BoundError(ValueError):
    """An expression that is not a date EDTF allows here; the message says why."""


@dataclass(frozen=True, slots=True)
class Bound:
    """An EDTF expression and the first and last day it allows (None: open)."""

    text: str
    earliest: dt.date | None
    latest: dt.date | None

    @property
    def precision(self) -> str:
        """ "day", "month" or "year" for a plain date, else "window"."""
        core = self.text.rstrip("?~%")
        if _DAY.match(core):
            return "day"
        if _MONTH.match(core):
            return "month"
        if _YEAR.match(core):
            return "year"
        return "window"

    @property
    def qualified(self) -> bool:
        """Tell whether the sources call the date uncertain (?) or approximate (~)."""
        return any(mark in self.text for mark in "?~%")

    @property
    def is_exact(self) -> bool:
        """One known day, unqualified."""
        return self.earliest is not None and self.earliest == self.latest and not self.qualified

    def reading(self) -> str:
        """The bound in plain words: "4 March 2016", "sometime between 7 and 31 December 2024".

        >>> parse("2016-03-04").reading(), parse("2014?").reading()
        ('4 March 2016', 'sometime in 2014 (uncertain)')
        >>> parse("2014-06-20/2014-07-02").reading()
        'sometime between 20 June and 2 July 2014'
        >>> parse("../2013-12-31").reading(), parse("2015-05~").reading()
        ('no later than 31 December 2013', 'sometime in May 2015 (approximate)')
        """
        return _reading(self) + _qualifier(self.text)

    def short(self) -> str:
        """A compact label: "4 Mar 2016", "Jun 2014", "2014", "7–31 Dec 2024".

        >>> parse("2024-12-07/2024-12-31").short(), parse("2014-06").short()
        ('7–31 Dec 2024', 'Jun 2014')
        """
        uncertain = "?" in self.text or "%" in self.text  # % is both
        approximate = "~" in self.text or "%" in self.text
        return _short(self) + ("?" if uncertain else "") + ("~" if approximate else "")


def parse(text: str) -> Bound:
    """Parse an EDTF expression into a Bound, or raise BoundError saying what is wrong.

    >>> parse("2014-02-30")
    Traceback (most recent call last):
    ...
    app.core.bounds.BoundError: '2014-02-30' is not a date EDTF allows (e.g. 2024-12-06, ...)
    >>> parse("2024-12-31/2024-12-07")
    Traceback (most recent call last):
    ...
    app.core.bounds.BoundError: '2024-12-31/2024-12-07': the window ends before it starts
    """
    if not isinstance(text, str):
        raise BoundError(f"{text!r} is not text")
    return _parse(text.strip())


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Bound:
    if not text or len(text) > MAX_TEXT:
        raise BoundError(f"{text[:MAX_TEXT]!r}: give a date of at most {MAX_TEXT} characters")
    return _plain(text) or _general(text)


def _general(text: str) -> Bound:
    """Any EDTF expression, through the ``edtf`` package."""
    try:
        parsed = edtf.parse_edtf(text)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except Exception:  # the parser raises several kinds of error for bad input
        raise BoundError(
            f"{text!r} is not a date EDTF allows (e.g. 2024-12-06, 2024-12, 2014, "
            "2024-12-07/2024-12-31, ../2013-12-31, 2014?)"
        ) from None
    earliest, latest = _day(lower), _day(upper)
    if earliest is None and latest is None:
        raise BoundError(f"{text!r}: a window open on both sides says nothing")
    if earliest is not None and latest is not None and latest < earliest:
        raise BoundError(f"{text!r}: the window ends before it starts")
    if "-" in text[:1] or any(d is not None and d.year < 1 for d in (earliest, latest)):
        raise BoundError(f"{text!r}: only dates of the common era are allowed")
    return Bound(str(parsed), earliest, latest)


def _plain(text: str) -> Bound | None:
    """EDTF level 0 dates (YYYY-MM-DD, YYYY-MM, YYYY) are ISO 8601 calendar dates: read
    them with the standard library, which is much faster than the general parser (tests
    check both agree); anything else goes to the ``edtf`` package."""
    try:
        if _DAY.match(text):
            return exact(dt.date.fromisoformat(text))
        if _MONTH.match(text):
            return at_precision(dt.date(int(text[:4]), int(text[5:]), 1), "month")
        if _YEAR.match(text) and text != "0000":
            return at_precision(dt.date(int(text), 1, 1), "year")
    except ValueError:
        return None  # not a real date: the general parser gives the message
    return None


def read(text: str, precision: str | None = None) -> Bound:
    """An EDTF expression, or the older form of a first day plus its precision.

    Files written before bounds were EDTF say ``2014-06-01`` with precision ``month``
    for "sometime in June 2014"; read that as the whole month, never as the 1st.

    >>> read("2014-06-01", "month").text, read("2014-06-01").text, read("2014~", "day").text
    ('2014-06', '2014-06-01', '2014~')
    """
    if precision in ("month", "year") and isinstance(text, str) and _DAY.match(text.strip()):
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            raise BoundError(f"{text.strip()!r} is not a real calendar date") from None
        return at_precision(day, precision)
    return parse(text)


def exact(day: dt.date) -> Bound:
    """The bound of one known day.

    >>> exact(dt.date(2015, 5, 21))
    Bound(text='2015-05-21', earliest=datetime.date(2015, 5, 21), latest=datetime.date(2015, 5, 21))
    """
    return Bound(day.isoformat(), day, day)


def at_precision(day: dt.date, precision: str) -> Bound:
    """The whole day, month or year containing `day` (how bounds were stored before EDTF).

    >>> at_precision(dt.date(2014, 6, 1), "month").latest
    datetime.date(2014, 6, 30)
    """
    if precision == "day":
        return exact(day)
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return Bound(f"{day.year:04d}-{day.month:02d}", day.replace(day=1), day.replace(day=last))
    if precision == "year":
        return Bound(f"{day.year:04d}", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise BoundError(f"precision must be day, month or year, not {precision!r}")


def _day(value) -> dt.date | None:
    """A struct_time from the parser as a date; an infinite side as None."""
    if isinstance(value, float):
        return None
    return dt.date(value.tm_year, value.tm_mon, value.tm_mday)


def _long(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _whole_month(b: Bound) -> bool:
    lo, hi = b.earliest, b.latest
    return (
        lo is not None
        and hi is not None
        and lo.day == 1
        and (lo.year, lo.month) == (hi.year, hi.month)
        and hi.day == calendar.monthrange(hi.year, hi.month)[1]
    )


def _whole_year(b: Bound) -> bool:
    lo, hi = b.earliest, b.latest
    return (
        lo is not None
        and hi is not None
        and lo.year == hi.year
        and (lo.month, lo.day) == (1, 1)
        and (hi.month, hi.day) == (12, 31)
    )


def _reading(b: Bound) -> str:
    lo, hi = b.earliest, b.latest
    if lo is None:
        return f"no later than {_long(hi)}" if hi else ""
    if hi is None:
        return f"no earlier than {_long(lo)}"
    if lo == hi:
        return _long(lo)
    if _whole_year(b):
        return f"sometime in {lo.year}"
    if _whole_month(b):
        return f"sometime in {_MONTHS[lo.month - 1]} {lo.year}"
    if lo.year != hi.year:
        return f"sometime between {_long(lo)} and {_long(hi)}"
    if lo.month != hi.month:
        return f"sometime between {lo.day} {_MONTHS[lo.month - 1]} and {_long(hi)}"
    return f"sometime between {lo.day} and {_long(hi)}"


def _abbr(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def _short(b: Bound) -> str:
    lo, hi = b.earliest, b.latest
    if lo is None:
        return f"by {_abbr(hi)}" if hi else ""
    if hi is None:
        return f"from {_abbr(lo)}"
    if lo == hi:
        return _abbr(lo)
    if _whole_year(b):
        return str(lo.year)
    if _whole_month(b):
        return f"{_MONTHS[lo.month - 1][:3]} {lo.year}"
    if lo.year != hi.year:
        return f"{_abbr(lo)} – {_abbr(hi)}"
    if lo.month != hi.month:
        return f"{lo.day} {_MONTHS[lo.month - 1][:3]} – {_abbr(hi)}"
    return f"{lo.day}–{_abbr(hi)}"


def _qualifier(text: str) -> str:
    if "%" in text or ("?" in text and "~" in text):
        return " (uncertain, approximate)"
    if "?" in text:
        return " (uncertain)"
    if "~" in text:
        return " (approximate)"
    return ""
