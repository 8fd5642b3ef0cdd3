"""Time of day in one convention: every stored moment is UTC, every date an ISO day.

SQLite hands back naive datetimes and PostgreSQL aware ones; both mean UTC here.

>>> import datetime as dt
>>> stamp(dt.datetime(2026, 11, 21, 10, 55, 3))
'2026-11-21T10:55:03Z'
>>> label(dt.datetime(2026, 11, 21, 10, 55, tzinfo=dt.UTC))
'2026-11-21 10:55 UTC'
>>> iso_day(None), iso_day(dt.date(2015, 5, 21))
(None, '2015-05-21')
"""

from __future__ import annotations

import datetime as dt

__all__ = ["now", "today", "aware", "stamp", "label", "iso_day"]


def now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The current calendar date in UTC."""
    return now().date()


def aware(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC, aware (naive moments are taken as UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC to the second: "2026-11-21T10:55:03Z"."""
    return aware(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def label(moment: dt.datetime) -> str:
    """A moment for people: "2026-11-21 10:55 UTC"."""
    return aware(moment).strftime("%Y-%m-%d %H:%M UTC")


def iso_day(day: dt.date | None) -> str | None:
    """The ISO date, or None for an open bound."""
    return day.isoformat() if day else None
