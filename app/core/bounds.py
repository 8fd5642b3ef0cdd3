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
from collections.abc import Mapping
from dataclasses import dataclass, field

import edtf
from babel.dates import get_month_names

from app.core import clock
from app.core.text_rules import N_, Refusal

__all__ = [
    "Bound",
    "BoundError",
    "DateWords",
    "ENGLISH",
    "PHRASES",
    "Short",
    "date_words",
    "parse",
    "read",
    "exact",
    "at_precision",
    "future_problem",
    "latin_digits",
    "MAX_TEXT",
]

#: Longest expression accepted (the longest useful one, a window of two days, is 21).
MAX_TEXT = 40
#: The earliest year a bound may name: earlier ones are slips (0201 for 2011), and year 0
#: or below is no date Python can hold.
EARLIEST_YEAR = 1900
#: English month names, January first.
MONTHS = (
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
#: The phrases around dates, in English; `date_words` takes their translations. Keys are
#: shared with the map script's strings (app/web/js_strings.py), which words the same
#: bounds in the browser; placeholders are ``{name}``.
PHRASES = {
    "date.sometime": "sometime {window}",
    "date.in": "in {date}",
    "date.between": "between {first} and {last}",
    "date.no_later_than": "no later than {date}",
    "date.no_earlier_than": "no earlier than {date}",
    "date.by": "by {date}",
    "date.from": "from {date}",
    "date.uncertain": "{date} (uncertain)",
    "date.approximate": "{date} (approximate)",
    "date.uncertain_approximate": "{date} (uncertain, approximate)",
    # map_encoding.when_label: the state table's and the popup's "since / until".
    "when.span": "{since} – {until}",
    "when.since": "since {date}",
    "when.until": "until {date}",
    "when.always": "always on record",
    "when.no_record": "no record",
    "when.handover": "{chain}, {window}",
    "when.arrow": " → ",
}
#: Babel locale whose month names each interface language uses. Arabic is read along
#: this border with the Levantine (Syriac) month names, كانون الثاني … كانون الأول, which
#: CLDR gives for Syria and Iraq; its plain "ar" has يناير … ديسمبر (Egypt, the Gulf).
DATE_LOCALES = {"ar": "ar_SY"}
# With Arabic-Indic digits the decimal point is the Arabic decimal separator (U+066B).
_ARABIC_INDIC = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")
# What people type for 0–9 in Arabic: Arabic-Indic (٠–٩) and Eastern Arabic (Persian, ۰–۹).
_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_DAY = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_MONTH = re.compile(r"\A[0-9]{4}-[0-9]{2}\Z")
_YEAR = re.compile(r"\A[0-9]{4}\Z")


class BoundError(Refusal):
    """An expression that is not a date EDTF allows here; the message says why."""


@dataclass(frozen=True, slots=True)
class DateWords:
    """How bounds are written: month names, digits ("latn" or "arab") and the phrases
    around dates (:data:`PHRASES`, translated), in `language` (a code: "en", "ar"). The
    default is English."""

    months: tuple[str, ...] = MONTHS
    abbreviations: tuple[str, ...] = tuple(m[:3] for m in MONTHS)
    digits: str = "latn"
    phrases: Mapping[str, str] = field(default_factory=lambda: PHRASES)
    # Text written beside these words in another language (an event's title in the site
    # chart) is marked with its own (svg_timeline), so it is read in the right voice.
    language: str = "en"

    def phrase(self, key: str, **values: str) -> str:
        """A phrase with its placeholders filled; the English one if not translated."""
        return (self.phrases.get(key) or PHRASES[key]).format(**values)

    def number(self, n: int) -> str:
        """`n` in the chosen digits: "2014" or "٢٠١٤"."""
        return in_digits(str(n), self.digits)


ENGLISH = DateWords()


def in_digits(number: str, digits: str) -> str:
    """A written number (digits, a sign, a decimal point) in `digits`, "latn" or "arab".

    >>> in_digits("1.9", "arab"), in_digits("-12", "latn")
    ('١٫٩', '-12')
    """
    if digits != "arab":
        return number
    return number.translate(_ARABIC_INDIC)


def latin_digits(text: str) -> str:
    """`text` with Arabic-Indic and Eastern Arabic digits written 0–9: every date typed or
    imported is read through this, and stored in 0–9.

    >>> latin_digits("٢٠١٨-٠٢-١٧/۲۰۱۸-۰۴-۲۰")
    '2018-02-17/2018-04-20'
    """
    return text.translate(_TO_LATIN)


def date_words(
    locale: str = "en", digits: str = "latn", phrases: Mapping[str, str] | None = None
) -> DateWords:
    """The words of dates in `locale`: English as ever, else Babel's (CLDR) month names.

    >>> ar = date_words("ar", "arab")
    >>> parse("2014-06").short(ar), parse("2016-03-04").short(date_words("ar"))
    ('حزيران ٢٠١٤', '4 آذار 2016')
    """
    if locale == "en":
        return DateWords(digits=digits, phrases=phrases or PHRASES)
    where = DATE_LOCALES.get(locale, locale)
    wide = tuple(get_month_names("wide", locale=where).values())
    short = tuple(get_month_names("abbreviated", locale=where).values())
    return DateWords(wide, short, digits, phrases or PHRASES, language=locale)


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

    def reading(self, words: DateWords = ENGLISH) -> str:
        """The bound in plain words: "4 March 2016", "sometime between 7 and 31 December 2024".

        >>> parse("2016-03-04").reading(), parse("2014?").reading()
        ('4 March 2016', 'sometime in 2014 (uncertain)')
        >>> parse("2014-06-20/2014-07-02").reading()
        'sometime between 20 June and 2 July 2014'
        >>> parse("../2013-12-31").reading(), parse("2015-05~").reading()
        ('no later than 31 December 2013', 'sometime in May 2015 (approximate)')
        """
        text, vague = _window(self, words)
        return _qualified(
            words.phrase("date.sometime", window=text) if vague else text, self, words
        )

    def window_reading(self, words: DateWords = ENGLISH) -> str:
        """The reading without "sometime", for a handover: "between 7 and 31 December 2024".

        >>> parse("2014-06").window_reading(), parse("../2013").window_reading()
        ('in June 2014', 'no later than 31 December 2013')
        """
        return _qualified(_window(self, words)[0], self, words)

    def short(self, words: DateWords = ENGLISH) -> str:
        """A compact label: "4 Mar 2016", "Jun 2014", "2014", "7–31 Dec 2024".

        >>> parse("2024-12-07/2024-12-31").short(), parse("2014-06").short()
        ('7–31 Dec 2024', 'Jun 2014')
        >>> parse("2014-07/2014-08").short(), parse("2016/2017").short()
        ('Jul–Aug 2014', '2016–2017')
        >>> parse("2013-12/2014-02").short()
        'Dec 2013 – Feb 2014'
        """
        uncertain = "?" in self.text or "%" in self.text  # % is both
        approximate = "~" in self.text or "%" in self.text
        return _short(self, words) + ("?" if uncertain else "") + ("~" if approximate else "")


class Short(str):
    """A bound's compact label as a message (text_rules.Phrase) holds it: the English, and
    the bound, for the web layer to write in the reader's language.

    >>> Short(parse("2014-06")), Short(parse("2014-06")).bound.text
    ('Jun 2014', '2014-06')
    """

    bound: Bound

    def __new__(cls, bound: Bound) -> Short:
        self = super().__new__(cls, bound.short())
        self.bound = bound
        return self


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
        raise BoundError(N_("%(text)s is not text"), text=repr(text))
    return _parse(latin_digits(text.strip()))


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Bound:
    if not text or len(text) > MAX_TEXT:
        raise BoundError(
            N_("%(text)s: give a date of at most %(most)s characters"),
            text=repr(text[:MAX_TEXT]),
            most=MAX_TEXT,
        )
    bound = _plain(text) or _general(text)
    if any(day is not None and day.year < EARLIEST_YEAR for day in (bound.earliest, bound.latest)):
        raise BoundError(
            N_("%(text)s: a year before %(year)s is not a date this record can hold"),
            text=repr(text),
            year=EARLIEST_YEAR,
        )
    return bound


def _general(text: str) -> Bound:
    """Any EDTF expression, through the ``edtf`` package."""
    try:
        parsed = edtf.parse_edtf(text)
        earliest, latest = _day(parsed.lower_strict()), _day(parsed.upper_strict())
    except Exception:  # the parser raises several kinds of error for bad input
        raise BoundError(
            N_(
                "%(text)s is not a date EDTF allows (e.g. 2024-12-06, 2024-12, 2014, "
                "2024-12-07/2024-12-31, ../2013-12-31, 2014?)"
            ),
            text=repr(text),
        ) from None
    if earliest is None and latest is None:
        raise BoundError(N_("%(text)s: a window open on both sides says nothing"), text=repr(text))
    if earliest is not None and latest is not None and latest < earliest:
        raise BoundError(N_("%(text)s: the window ends before it starts"), text=repr(text))
    if "-" in text[:1] or any(d is not None and d.year < 1 for d in (earliest, latest)):
        raise BoundError(N_("%(text)s: only dates of the common era are allowed"), text=repr(text))
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
    for "sometime in June 2014"; read that as the whole month, never as the 1st. Another
    day than the first (``2014-06-15``, month) is refused: storing the month would drop it.

    >>> read("2014-06-01", "month").text, read("2014-06-01").text, read("2014~", "day").text
    ('2014-06', '2014-06-01', '2014~')
    """
    plain = latin_digits(text.strip()) if isinstance(text, str) else ""
    if precision in ("month", "year") and _DAY.match(plain):
        try:
            day = dt.date.fromisoformat(plain)
        except ValueError:
            raise BoundError(N_("%(text)s is not a real calendar date"), text=repr(plain)) from None
        whole = at_precision(day, precision)
        # Older files wrote a month or year as its first day; any other day would be dropped
        # without a word, so the file and the record would no longer say the same.
        if day != whole.earliest:
            raise BoundError(
                N_(
                    "%(text)s with precision %(precision)s would be stored as %(stored)s and "
                    "lose its day: give %(first)s for the whole %(precision)s, or precision day"
                ),
                text=repr(plain),
                precision=precision,
                stored=whole.text,
                first=clock.iso_day(whole.earliest),
            )
        return whole
    return parse(text)


def future_problem(when: Bound | dt.date | None, today: dt.date) -> Refusal | None:
    """Why a date is refused as in the future (its first possible day is after `today`), or None."""
    # A window that begins on or before today ("2026" on 3 December 2026) may hold today.
    first = when.earliest if isinstance(when, Bound) else when
    if first is not None and first > today:
        return Refusal(
            N_("must not be in the future (today is %(today)s)"), today=today.isoformat()
        )
    return None


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
    raise BoundError(
        N_("precision must be day, month or year, not %(precision)s"), precision=repr(precision)
    )


def _day(value) -> dt.date | None:
    """A struct_time from the parser as a date; an infinite side as None."""
    if isinstance(value, float):
        return None
    return dt.date(value.tm_year, value.tm_mon, value.tm_mday)


def _long(day: dt.date, w: DateWords) -> str:
    return f"{w.number(day.day)} {w.months[day.month - 1]} {w.number(day.year)}"


def _whole_month(b: Bound) -> bool:
    lo, hi = b.earliest, b.latest
    return (
        lo is not None
        and hi is not None
        and _whole_months(b)
        and lo.month == hi.month
        and lo.year == hi.year
    )


def _whole_months(b: Bound) -> bool:
    """From the first day of a month to the last day of a month (the window "2014-07/2014-08")."""
    lo, hi = b.earliest, b.latest
    return (
        lo is not None
        and hi is not None
        and lo.day == 1
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


def _window(b: Bound, w: DateWords) -> tuple[str, bool]:
    """The days a bound allows in words, and whether "sometime" belongs before them."""
    lo, hi = b.earliest, b.latest
    if lo is None:
        return (w.phrase("date.no_later_than", date=_long(hi, w)) if hi else ""), False
    if hi is None:
        return w.phrase("date.no_earlier_than", date=_long(lo, w)), False
    if lo == hi:
        return _long(lo, w), False
    if _whole_year(b):
        return w.phrase("date.in", date=w.number(lo.year)), True
    if _whole_month(b):
        return w.phrase("date.in", date=f"{w.months[lo.month - 1]} {w.number(lo.year)}"), True
    if lo.year != hi.year:
        first = _long(lo, w)
    elif lo.month != hi.month:
        first = f"{w.number(lo.day)} {w.months[lo.month - 1]}"
    else:
        first = w.number(lo.day)
    return w.phrase("date.between", first=first, last=_long(hi, w)), True


def _abbr(day: dt.date, w: DateWords) -> str:
    return f"{w.number(day.day)} {w.abbreviations[day.month - 1]} {w.number(day.year)}"


def _short(b: Bound, w: DateWords) -> str:
    lo, hi = b.earliest, b.latest
    if lo is None:
        return w.phrase("date.by", date=_abbr(hi, w)) if hi else ""
    if hi is None:
        return w.phrase("date.from", date=_abbr(lo, w))
    if lo == hi:
        return _abbr(lo, w)
    if _whole_year(b):
        return w.number(lo.year)
    if _whole_month(b):
        return f"{w.abbreviations[lo.month - 1]} {w.number(lo.year)}"
    if _whole_months(b):  # "2016–2017", "Jul–Aug 2014", "Dec 2013 – Feb 2014"
        if (lo.month, hi.month) == (1, 12):
            return f"{w.number(lo.year)}–{w.number(hi.year)}"
        first, last = w.abbreviations[lo.month - 1], w.abbreviations[hi.month - 1]
        if lo.year == hi.year:
            return f"{first}–{last} {w.number(hi.year)}"
        return f"{first} {w.number(lo.year)} – {last} {w.number(hi.year)}"
    if lo.year != hi.year:
        return f"{_abbr(lo, w)} – {_abbr(hi, w)}"
    if lo.month != hi.month:
        return f"{w.number(lo.day)} {w.abbreviations[lo.month - 1]} – {_abbr(hi, w)}"
    return f"{w.number(lo.day)}–{_abbr(hi, w)}"


def _qualified(text: str, b: Bound, w: DateWords) -> str:
    marks = b.text
    if "%" in marks or ("?" in marks and "~" in marks):
        return w.phrase("date.uncertain_approximate", date=text)
    if "?" in marks:
        return w.phrase("date.uncertain", date=text)
    if "~" in marks:
        return w.phrase("date.approximate", date=text)
    return text
