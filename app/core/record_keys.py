"""Record keys: the ids that outlive a database (feature ids, feed ids, export ids).

A site, actor, source or event is known by its slug or ref. A period has no name of its own,
but no two periods of one site and kind can start on the same earliest day (they would
overlap), and only one can have an open start, so site, kind and earliest start name it.
Row ids change when a record is exported and imported elsewhere; these keys do not.

>>> period_key("albukamal", "control", "2014-06/2014-07")
'albukamal.control.2014-06-01'
>>> period_key("albukamal", "status", None)
'albukamal.status.open'
>>> parse_period_key("albukamal.control.2014-06-01")
('albukamal', 'control', datetime.date(2014, 6, 1))
>>> parse_period_key("albukamal.status.open")
('albukamal', 'status', None)
>>> parse_period_key("17") is None
True
"""

from __future__ import annotations

import datetime as dt

from app.core import bounds

__all__ = ["PERIOD_KINDS", "period_key", "parse_period_key"]

#: The two kinds of period, as they appear in keys, collections and exports.
PERIOD_KINDS = ("control", "status")
_OPEN = "open"


def period_key(site_slug: str, kind: str, start: bounds.Bound | dt.date | str | None) -> str:
    """The key of a `kind` period of a site that starts at `start` (EDTF text, bound or day)."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"kind must be one of {PERIOD_KINDS}, not {kind!r}")
    if isinstance(start, str):
        start = bounds.parse(start)
    if isinstance(start, bounds.Bound):
        start = start.earliest
    return f"{site_slug}.{kind}.{start.isoformat() if start else _OPEN}"


def parse_period_key(key: str) -> tuple[str, str, dt.date | None] | None:
    """(site slug, kind, earliest start or None) from a period key; None if it is not one."""
    site, _, rest = key.partition(".")
    kind, _, day = rest.partition(".")
    if not site or kind not in PERIOD_KINDS or not day:
        return None
    if day == _OPEN:
        return site, kind, None
    try:
        return site, kind, dt.date.fromisoformat(day)
    except ValueError:
        return None
