"""How long ago a day was ("14 months ago"), pluralised in the reader's language."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import ngettext

from app.core import ages, clock


def ago(day: dt.date | None) -> str:
    """Jinja filter: "today", "3 days ago", "14 months ago", "4 years ago" ("" for None)."""
    if day is None:
        return ""
    count, unit = ages.age(day, clock.today())
    if unit == "day":
        if count == 0:
            return _("today")
        return ngettext("%(num)d day ago", "%(num)d days ago", count)
    if unit == "month":
        return ngettext("%(num)d month ago", "%(num)d months ago", count)
    return ngettext("%(num)d year ago", "%(num)d years ago", count)
