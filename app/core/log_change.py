"""Pure rules for logging a change: which open period closes, and when a change is refused.

A logged change on day D closes the site's open period (end = None) at D and opens a
new one from D. It may only move the record forward: D must be after the open
period's start and must not fall inside, or before, any closed period.

>>> import datetime as dt
>>> from app.core.timeline import Period
>>> gov = Period(dt.date(2017, 11, 3), None, "Iraqi government", key=4)
>>> plan([gov], dt.date(2024, 12, 8), "PMF").key
4
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.core import timeline

__all__ = ["ChangeRefused", "plan"]

EDIT_HINT = "To correct past records, edit the periods themselves (Editor → periods of this site)."


class ChangeRefused(ValueError):
    """The change does not fit the record; the message says why and what to do."""

    def __init__(self, message: str, about_date: bool = True):
        super().__init__(message)
        self.about_date = about_date


def plan(periods: Sequence[timeline.Period], day: dt.date, value) -> timeline.Period | None:
    """The open period that closes on `day` (None if there is none), or ChangeRefused.

    Periods carry their label (actor name or status) as ``value``.

    >>> isis = timeline.Period(dt.date(2014, 6, 21), dt.date(2017, 11, 3), "ISIS")
    >>> plan([isis], dt.date(2015, 1, 1), "PMF")
    Traceback (most recent call last):
    ...
    app.changes.ChangeRefused: 1 Jan 2015 falls inside the period 21 Jun 2014 – ...
    """
    current = next((p for p in periods if p.end is None), None)
    others = [p for p in periods if p is not current]
    label = timeline.format_bound(day)
    inside = [p for p in others if timeline.contains(p, day)]
    if inside:
        raise ChangeRefused(
            f"{label} falls inside the period {inside[0].describe()} "
            f"({inside[0].value}). {EDIT_HINT}"
        )
    if current is not None and current.start is not None and day <= current.start:
        raise ChangeRefused(
            f"{label} is not after the start of the current period "
            f"{current.describe()} ({current.value}). {EDIT_HINT}"
        )
    if current is not None and current.value == value:
        since = timeline.format_bound(current.start, current.start_precision, "before records")
        raise ChangeRefused(
            f"the current period is already {value} (since {since}); nothing to change",
            about_date=False,
        )
    later = timeline.find_overlaps(others, timeline.Period(day, None))
    if later:
        first = min(later, key=lambda p: p.start or dt.date.min)
        raise ChangeRefused(
            f"{label} comes before the period {first.describe()} "
            f"({first.value}), so the new period could not stay open. "
            f"{EDIT_HINT}"
        )
    return current
