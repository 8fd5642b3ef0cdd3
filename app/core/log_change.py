"""Pure rules for logging a change: which open period closes, and when a change is refused.

A logged change at bound B (a day, or a window such as "2024-12") closes the site's
open period (end = None) at B and opens a new one from B: the same window on both sides,
so the days inside it answer "changing hands". It may only move the record forward: B
must leave the open period at least one possible day, and must not fall inside, or
before, any closed period.

>>> import datetime as dt
>>> from app.core import bounds
>>> from app.core.timeline import Period
>>> gov = Period(dt.date(2017, 11, 3), None, "Iraqi government", key=4)
>>> plan([gov], bounds.parse("2024-12"), "PMF").key
4
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.core import bounds, timeline
from app.core.bounds import Bound
from app.core.text_rules import N_, Phrase, Refusal

__all__ = ["ChangeRefused", "plan"]

EDIT_HINT = N_(
    "To correct past records, edit the periods themselves (Editor → periods of this site)."
)


class ChangeRefused(Refusal):
    """The change does not fit the record; the message says why and what to do (its
    values: the date, the periods and their labels, for the web layer to say)."""

    def __init__(self, message: str, about_date: bool = True, **values: object):
        super().__init__(message, **values)
        self.about_date = about_date


def plan(
    periods: Sequence[timeline.Period], when: Bound | dt.date, value
) -> timeline.Period | None:
    """The open period that closes at `when` (None if there is none), or ChangeRefused.

    Periods carry their label (actor name or status) as ``value``.

    >>> isis = timeline.Period(dt.date(2014, 6, 21), dt.date(2017, 11, 3), "ISIS")
    >>> plan([isis], bounds.exact(dt.date(2015, 1, 1)), "PMF")
    Traceback (most recent call last):
    ...
    app.core.log_change.ChangeRefused: 1 Jan 2015 falls inside the period 21 Jun 2014 – ...
    """
    if isinstance(when, dt.date):
        when = bounds.exact(when)
    current = next((p for p in periods if p.end is None), None)
    others = [p for p in periods if p is not current]
    label, hint = bounds.Short(when), Phrase(EDIT_HINT)
    incoming = timeline.Period(when, None, value)
    clashes = timeline.find_overlaps(others, incoming)
    inside = [p for p in clashes if not _after(p, when)]
    if inside:
        raise ChangeRefused(
            N_("%(date)s falls inside the period %(span)s (%(value)s). %(hint)s"),
            date=label,
            span=inside[0].describe(),
            value=inside[0].value,
            hint=hint,
        )
    if current is not None:
        try:
            timeline.Period(current.start, when)
        except ValueError:
            raise ChangeRefused(
                N_(
                    "%(date)s is not after the start of the current period %(span)s "
                    "(%(value)s). %(hint)s"
                ),
                date=label,
                span=current.describe(),
                value=current.value,
                hint=hint,
            ) from None
    if current is not None and current.value == value:
        start = current.start
        since = Phrase(N_("before records")) if start is None else bounds.Short(start)
        raise ChangeRefused(
            N_("the current period is already %(value)s (since %(since)s); nothing to change"),
            about_date=False,
            value=value,
            since=since,
        )
    if clashes:
        first = min(clashes, key=lambda p: p.possible_start or dt.date.min)
        raise ChangeRefused(
            N_(
                "%(date)s comes before the period %(span)s (%(value)s), so the new period "
                "could not stay open. %(hint)s"
            ),
            date=label,
            span=first.describe(),
            value=first.value,
            hint=hint,
        )
    return current


def _after(period: timeline.Period, when: Bound) -> bool:
    """Tell whether `period` begins after the change's earliest day."""
    return (
        period.possible_start is not None
        and when.earliest is not None
        and period.possible_start > when.earliest
    )
