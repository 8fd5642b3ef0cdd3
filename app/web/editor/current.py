"""What the record says about a site on a day: "Currently: ISIS since 21 May 2015"."""

from __future__ import annotations

import datetime as dt

from app.core import bounds, clock
from app.db import queries
from app.web import i18n, js_strings
from app.web.i18n import gettext as _


def currently(slug: str, day: dt.date, what: str) -> str:
    """The site's controller (what="control") or status on `day`, in one line, in the
    reader's language."""
    row = next((r for r in queries.state_at(day) if r["slug"] == slug), None)
    if row is None:
        return ""
    if what == "status":
        change = row["status_transition"]
        if change:
            when = js_strings.bound_reading(change["window"])
            return _(
                "Currently: %(status)s, %(when)s", status=js_strings.status_text(row), when=when
            )
        if row["status"] == "unknown":
            return _("Currently: status unknown (nothing recorded)")
        status, since = i18n.word(row["status"]), js_strings.bound_short(row["status_since_edtf"])
        if since:
            return _("Currently: %(status)s since %(date)s", status=status, date=since)
        return _("Currently: %(status)s", status=status)
    name = i18n.actor_label(row["controller_name"], row.get("controller_name_ar"))
    if name:
        since = js_strings.bound_short(row["since_edtf"])
        if since:
            return _("Currently: %(name)s since %(date)s", name=name, date=since)
        return _("Currently: %(name)s since before the records begin", name=name)
    if row["transition"]:
        return _("Currently: changing hands (%(when)s)", when=js_strings.when_text(row))
    return _("Currently: unknown (no control recorded)")


def day_of(text: str | None) -> dt.date:
    """The first day an EDTF date allows (today for none or a bad one, capped at today)."""
    today = clock.today()
    try:
        bound = bounds.parse(text or "")
    except bounds.BoundError:
        return today
    day = bound.earliest or bound.latest or today
    return min(day, today)
