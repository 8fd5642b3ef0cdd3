"""What the record says about a site on a day: "Currently: ISIS since 21 May 2015"."""

from __future__ import annotations

import datetime as dt

from app.core import bounds, clock
from app.db import queries


def currently(slug: str, day: dt.date, what: str) -> str:
    """The site's controller (what="control") or status on `day`, in one line."""
    row = next((r for r in queries.state_at(day) if r["slug"] == slug), None)
    if row is None:
        return ""
    if what == "status":
        if row["status"] == "unknown":
            return "Currently: status unknown (nothing recorded)"
        since = _day(row["status_since"])
        return f"Currently: {row['status']}" + (f" since {since}" if since else "")
    if row["controller_name"]:
        since = bounds.parse(row["since_edtf"]).short() if row["since_edtf"] else ""
        return f"Currently: {row['controller_name']}" + (
            f" since {since}" if since else " since before the records begin"
        )
    if row["transition"]:
        t = row["transition"]
        return f"Currently: changing hands ({' → '.join(t['names'])}), {t['reading']}"
    return "Currently: unknown (no control recorded)"


def day_of(text: str | None) -> dt.date:
    """The first day an EDTF date allows (today for none or a bad one, capped at today)."""
    today = clock.today()
    try:
        bound = bounds.parse(text or "")
    except bounds.BoundError:
        return today
    day = bound.earliest or bound.latest or today
    return min(day, today)


def _day(iso: str | None) -> str:
    return bounds.exact(dt.date.fromisoformat(iso)).short() if iso else ""
