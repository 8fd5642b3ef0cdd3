"""How long ago a site was last verified, and whether that is stale (pure). The map's
atlas-core.js (ageParts, isStale) follows the same two rules; tests/js holds its cases.

>>> age(dt.date(2025, 9, 3), dt.date(2026, 11, 30))
(15, 'month')
"""

from __future__ import annotations

import datetime as dt

#: Below this many days an age is told in days, below 24 months in months, else in years.
DAYS_UNTIL = 45
MONTHS_UNTIL = 24
_MONTH = 30.4375  # days in an average month (365.25 / 12)


def age(last: dt.date, today: dt.date) -> tuple[int, str]:
    """(count, unit) of the time from `last` to `today`, unit "day", "month" or "year".

    >>> age(dt.date(2026, 11, 30), dt.date(2026, 11, 30))
    (0, 'day')
    >>> age(dt.date(2022, 1, 1), dt.date(2026, 11, 30))
    (4, 'year')
    """
    days = max(0, (today - last).days)
    if days < DAYS_UNTIL:
        return days, "day"
    months = round(days / _MONTH)
    if months < MONTHS_UNTIL:
        return months, "month"
    return int(days // 365.25), "year"


def is_stale(last: dt.date | None, day: dt.date, today: dt.date, after: int) -> bool:
    """Whether a site last verified on `last` (None: never) reads as stale on the map at
    `day`: only for dates within `after` days of today, and when more than `after` days
    have passed since `last`.

    >>> is_stale(dt.date(2025, 1, 1), dt.date(2026, 11, 1), dt.date(2026, 11, 30), 180)
    True
    >>> is_stale(dt.date(2025, 1, 1), dt.date(2024, 11, 1), dt.date(2026, 11, 30), 180)
    False
    """
    if (today - day).days > after:
        return False
    return last is None or (today - last).days > after
