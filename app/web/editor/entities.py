"""What the editor can edit: for each kind of row, its model, form, labels and list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from app.db.models import Actor, ControlPeriod, Event, Site, Source, StatusPeriod
from app.extensions import db
from app.web.editor import forms


@dataclass(frozen=True)
class Kind:
    """One editable kind of row."""

    slug: str
    model: type
    form: type
    singular: str
    plural: str
    order: tuple
    columns: tuple[tuple[str, Callable], ...]

    def rows(self, site: Site | None = None) -> list:
        """Every row of this kind (of one site, for periods), in list order."""
        stmt = select(self.model).order_by(*self.order)
        if site is not None and hasattr(self.model, "site_id"):
            stmt = stmt.where(self.model.site_id == site.id)
        return list(db.session.scalars(stmt))


def _span(p) -> str:
    """ "21 Jun 2014 – 3 Nov 2017" for a stored period."""
    return p.as_period().describe()


def describe(row) -> str:
    """A one-line human label for any editable row."""
    if isinstance(row, ControlPeriod):
        return f"{row.site.name}: {row.actor.name}, {_span(row)}"
    if isinstance(row, StatusPeriod):
        return f"{row.site.name}: {row.status}, {_span(row)}"
    if isinstance(row, Source):
        return forms.source_label(row)
    if isinstance(row, Event):
        return f"{row.when.short()} {row.title}"
    if isinstance(row, Site):
        return f"{row.name} ({row.country})"
    return row.name


_PERIOD_COLUMNS = (
    ("Site", lambda p: p.site.name),
    ("From", lambda p: p.start.short() if p.start else "before records"),
    ("Until", lambda p: p.end.short() if p.end else "ongoing"),
    ("Confidence", lambda p: p.confidence),
)

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "control-periods",
            ControlPeriod,
            forms.ControlPeriodForm,
            "control period",
            "Control periods",
            (ControlPeriod.site_id, ControlPeriod.start_earliest.asc().nulls_first()),
            (_PERIOD_COLUMNS[0], ("Controller", lambda p: p.actor.name), *_PERIOD_COLUMNS[1:]),
        ),
        Kind(
            "status-periods",
            StatusPeriod,
            forms.StatusPeriodForm,
            "status period",
            "Status periods",
            (StatusPeriod.site_id, StatusPeriod.start_earliest.asc().nulls_first()),
            (_PERIOD_COLUMNS[0], ("Status", lambda p: p.status), *_PERIOD_COLUMNS[1:]),
        ),
        Kind(
            "sites",
            Site,
            forms.SiteForm,
            "site",
            "Sites",
            (Site.name,),
            (
                ("Name", lambda s: s.name),
                ("Arabic", lambda s: s.name_ar),
                ("Country", lambda s: s.country),
                ("Kind", lambda s: s.kind.replace("_", " ")),
            ),
        ),
        Kind(
            "actors",
            Actor,
            forms.ActorForm,
            "actor",
            "Actors",
            (Actor.name,),
            (
                ("Name", lambda a: a.name),
                ("Arabic", lambda a: a.name_ar),
                ("Short", lambda a: a.short),
                ("Colour", lambda a: a.colour),
            ),
        ),
        Kind(
            "sources",
            Source,
            forms.SourceForm,
            "source",
            "Sources",
            (Source.ref, Source.id),
            (
                ("Code", lambda s: s.ref or ""),
                ("Title", lambda s: s.title),
                ("Publisher", lambda s: s.publisher),
                ("Published", lambda s: s.published_label),
            ),
        ),
        Kind(
            "events",
            Event,
            forms.EventForm,
            "event",
            "Events",
            (Event.date,),
            (
                ("Date", lambda e: e.when.short()),
                ("Title", lambda e: e.title),
                ("Confidence", lambda e: e.confidence),
            ),
        ),
    )
}

#: URL converter listing the kinds, e.g. /editor/<any(sites, actors, ...):kind>/.
KIND_RULE = "any(" + ", ".join(f"'{k}'" for k in KINDS) + "):kind"
