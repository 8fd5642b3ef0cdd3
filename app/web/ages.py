"""How long ago a day was ("14 months ago"), pluralised in the reader's language."""

from __future__ import annotations

import datetime as dt

from app.core import ages, clock
from app.web.i18n import gettext as _
from app.web.i18n import ngettext


def ago(day: dt.date | None) -> str:
    """Jinja filter: "today", "3 days ago", "14 months ago", "4 years ago" ("" for None)."""
    if day is None:
        return ""
    count, unit = ages.age(day, clock.today())
    if unit == "day":
        if count == 0:
            return _("today")
        return ngettext("%(num)s day ago", "%(num)s days ago", count)
    if unit == "month":
        return ngettext("%(num)s month ago", "%(num)s months ago", count)
    return ngettext("%(num)s year ago", "%(num)s years ago", count)
