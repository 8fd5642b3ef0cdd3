"""The record's vocabulary: every enumeration and the first day of the record, in one place.

Models (and through them the migrations' CHECK constraints), forms, import rules, demo
data, the map encoding, the SVG timelines and the map page's JavaScript all read these
tuples. Their order matters where it is an index: the map's data block sends positions.

>>> FIRST_DAY.isoformat(), PRECISIONS.index("month")
('2011-01-01', 1)
>>> sorted(as_dict())[:3]
['actor_kinds', 'confidences', 'countries']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

__all__ = [
    "FIRST_DAY",
    "PRECISIONS",
    "BOUND_PRECISIONS",
    "CONFIDENCES",
    "least_confident",
    "STATUSES",
    "SITE_KINDS",
    "SITE_KIND_LABELS",
    "UNTRACKED_KINDS",
    "LOCATION_PRECISIONS",
    "ACTOR_KINDS",
    "ROLES",
    "REVISION_ACTIONS",
    "PROPOSAL_ACTIONS",
    "PROPOSAL_STATES",
    "STATE_PARAMS",
    "COUNTRIES",
    "as_dict",
]

#: The first day the record covers: the slider's start, day offset 0 of the map data.
FIRST_DAY = dt.date(2011, 1, 1)
#: How exactly a date is known (a source's publication date).
PRECISIONS = ("day", "month", "year")
#: How exactly a period's bound is known: an EDTF day, month, year, or any other window.
BOUND_PRECISIONS = ("day", "month", "year", "window")
#: How sure the record is of a period, surest first (the map's data block sends positions).
CONFIDENCES = ("high", "medium", "low")
#: Open/closed status of a site, kept apart from who controls it.
STATUSES = ("open", "closed", "restricted", "unknown")
SITE_KINDS = ("crossing_side", "town", "garrison", "zone")
SITE_KIND_LABELS = {
    "crossing_side": "side of a crossing",
    "town": "town",
    "garrison": "garrison",
    "zone": "zone",
}
#: Kinds of site whose control is not tracked (an area drawn for context, not a post):
#: they are shown as "not tracked for control", never as "unknown" on every date.
UNTRACKED_KINDS = ("zone",)
LOCATION_PRECISIONS = ("exact", "town", "approximate")
ACTOR_KINDS = ("state", "non_state", "coalition")
#: Account roles, weakest first: a contributor proposes, an editor publishes and reviews,
#: an admin also deletes, reverts and imports.
ROLES = ("contributor", "editor", "admin")
REVISION_ACTIONS = ("create", "update", "delete", "revert")
#: What a contributor's proposal asks for: a form of the editor, as it was submitted.
PROPOSAL_ACTIONS = ("create", "update", "delete", "log-control", "log-status")
#: Where a proposal stands: waiting, or what a reviewer (or its author) decided.
PROPOSAL_STATES = ("pending", "approved", "rejected", "changes_requested", "withdrawn")
#: Query parameters every read accepts: the record as it stood on a day (`known`) or at a
#: revision (`rev`); see app/web/known.py.
STATE_PARAMS = ("known", "rev")
#: Countries a site can lie in: code -> (name, adjective).
COUNTRIES = {"SY": ("Syria", "Syrian"), "IQ": ("Iraq", "Iraqi")}


def least_confident(levels: Iterable[str]) -> str | None:
    """The least sure of `levels` in the order of CONFIDENCES (None when there is none).

    >>> least_confident(["high", "low", "medium"]), least_confident([])
    ('low', None)
    """
    return max(levels, key=CONFIDENCES.index, default=None)


def as_dict() -> dict[str, object]:
    """The vocabulary as plain JSON-ready values, for the map page's data block."""
    return {
        "first_day": FIRST_DAY.isoformat(),
        "precisions": list(BOUND_PRECISIONS),
        "confidences": list(CONFIDENCES),
        "statuses": list(STATUSES),
        "kinds": list(SITE_KINDS),
        "kind_labels": [SITE_KIND_LABELS[k] for k in SITE_KINDS],
        "untracked_kinds": list(UNTRACKED_KINDS),
        "location_precisions": list(LOCATION_PRECISIONS),
        "actor_kinds": list(ACTOR_KINDS),
        "countries": {code: list(names) for code, names in COUNTRIES.items()},
    }
