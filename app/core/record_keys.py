"""Record keys: the ids that outlive a database (feature ids, feed ids, export ids).

A site, actor, source or event is known by its slug or ref. A period has no name of its
own, but two periods of one site and kind never start in the same window of days (they
would overlap), and only one can have an open start, so site, kind and the days its start
allows name it: one day when the start is a day, else ``first..last`` (either side may be
open). The first day alone would not do: a period that starts on 1 March and one whose
start window is 1–2 March share it. Row ids change when a record is exported and imported
elsewhere; these keys do not, and they need no escaping in a URL path.

>>> period_key("albukamal", "control", "2014-06-17")
'albukamal.control.2014-06-17'
>>> period_key("albukamal", "control", "2014-06/2014-07")
'albukamal.control.2014-06-01..2014-07-31'
>>> period_key("albukamal", "control", "../2013-12-31")
'albukamal.control...2013-12-31'
>>> period_key("albukamal", "status", None)
'albukamal.status.open'
>>> parse_period_key("albukamal.control.2014-06-01..2014-07-31")
('albukamal', 'control', (datetime.date(2014, 6, 1), datetime.date(2014, 7, 31)))
>>> parse_period_key("albukamal.control.2014-06-17")
('albukamal', 'control', (datetime.date(2014, 6, 17), datetime.date(2014, 6, 17)))
>>> parse_period_key("albukamal.status.open")
('albukamal', 'status', None)
>>> parse_period_key("17") is None
True
"""

from __future__ import annotations

import datetime as dt
import functools

from app.core import bounds

__all__ = ["PERIOD_KINDS", "period_key", "parse_period_key"]

#: The two kinds of period, as they appear in keys, collections and exports.
PERIOD_KINDS = ("control", "status")
_OPEN = "open"
_TO = ".."

Days = tuple[dt.date | None, dt.date | None]


def period_key(site_slug: str, kind: str, start: bounds.Bound | dt.date | str | None) -> str:
    """The key of a `kind` period of a site that starts at `start` (EDTF text, bound or day)."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"kind must be one of {PERIOD_KINDS}, not {kind!r}")
    if isinstance(start, str):
        return f"{site_slug}.{kind}.{_text_days(start)}"
    if isinstance(start, dt.date):
        start = bounds.exact(start)
    return f"{site_slug}.{kind}.{_days_text(start)}"


@functools.lru_cache(maxsize=4096)
def _text_days(start: str) -> str:
    # A feature collection names thousands of periods, most starting on a day another
    # period of the collection starts on.
    return _days_text(bounds.parse(start))


def _days_text(start: bounds.Bound | None) -> str:
    if start is None:
        return _OPEN
    first, last = start.earliest, start.latest
    if first is not None and first == last:
        return first.isoformat()
    return f"{first.isoformat() if first else ''}{_TO}{last.isoformat() if last else ''}"


def parse_period_key(key: str) -> tuple[str, str, Days | None] | None:
    """(site slug, kind, (first, last) day of the start, or None for an open start) from a
    period key; None if it is not one."""
    site, _, rest = key.partition(".")
    kind, _, days = rest.partition(".")
    if not site or kind not in PERIOD_KINDS or not days:
        return None
    if days == _OPEN:
        return site, kind, None
    first, to, last = days.partition(_TO)
    try:
        lo = dt.date.fromisoformat(first) if first else None
        hi = dt.date.fromisoformat(last) if last else None
    except ValueError:
        return None
    if not to:
        return site, kind, (lo, lo)
    if (lo is None and hi is None) or (lo is not None and hi is not None and hi <= lo):
        return None
    return site, kind, (lo, hi)
