"""What the editor can edit: for each kind of row, its model, form, labels and list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db.models import Actor, ControlPeriod, Event, Site, Source, StatusPeriod
from app.extensions import db
from app.web.editor import forms
from app.web.i18n import actor_label, word
from app.web.i18n import gettext as _
from app.web.js_strings import bound_short, day_label, span_text


@dataclass(frozen=True)
class Kind:
    """One editable kind of row."""

    slug: str
    model: type
    form: type
    singular: str  # lazy: in the interface's language when shown
    plural: str
    order: tuple
    columns: tuple[tuple[str, Callable], ...]

    def rows(self, site: Site | None = None) -> list:
        """Every row of this kind (of one site, for periods), in list order."""
        stmt = select(self.model).order_by(*self.order)
        if site is not None and hasattr(self.model, "site_id"):
            stmt = stmt.where(self.model.site_id == site.id)
        return list(db.session.scalars(stmt))


def describe(row) -> str:
    """A one-line human label for any editable row, in the interface's language."""
    if isinstance(row, ControlPeriod | StatusPeriod):
        holder = (
            actor_label(row.actor.name, row.actor.name_ar)
            if isinstance(row, ControlPeriod)
            else word(row.status)
        )
        return _(
            "%(site)s: %(holder)s, %(span)s",
            site=actor_label(row.site.name, row.site.name_ar),
            holder=holder,
            span=span_text(row.start, row.end),
        )
    if isinstance(row, Source):
        return forms.source_label(row)
    if isinstance(row, Event):
        return f"{bound_short(row.when)} {row.title}"
    if isinstance(row, Site):
        return f"{actor_label(row.name, row.name_ar)} ({row.country})"
    return actor_label(row.name, getattr(row, "name_ar", "")) or row.name


_PERIOD_COLUMNS = (
    (_l("Site"), lambda p: p.site.name),
    (_l("From"), lambda p: bound_short(p.start) or _l("before records")),
    (_l("Until"), lambda p: bound_short(p.end) or _l("ongoing")),
    (_l("Confidence"), lambda p: word(p.confidence)),
)

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "control-periods",
            ControlPeriod,
            forms.ControlPeriodForm,
            _l("control period"),
            _l("Control periods"),
            (ControlPeriod.site_id, ControlPeriod.start_earliest.asc().nulls_first()),
            (
                _PERIOD_COLUMNS[0],
                (_l("Controller"), lambda p: actor_label(p.actor.name, p.actor.name_ar)),
                *_PERIOD_COLUMNS[1:],
            ),
        ),
        Kind(
            "status-periods",
            StatusPeriod,
            forms.StatusPeriodForm,
            _l("status period"),
            _l("Status periods"),
            (StatusPeriod.site_id, StatusPeriod.start_earliest.asc().nulls_first()),
            (_PERIOD_COLUMNS[0], (_l("Status"), lambda p: word(p.status)), *_PERIOD_COLUMNS[1:]),
        ),
        Kind(
            "sites",
            Site,
            forms.SiteForm,
            _l("site"),
            _l("Sites"),
            (Site.name,),
            (
                (_l("Name"), lambda s: s.name),
                (_l("Arabic"), lambda s: s.name_ar),
                (_l("Country"), lambda s: s.country),
                (_l("Kind"), lambda s: word(s.kind)),
            ),
        ),
        Kind(
            "actors",
            Actor,
            forms.ActorForm,
            _l("actor"),
            _l("Actors"),
            (Actor.name,),
            (
                (_l("Name"), lambda a: a.name),
                (_l("Arabic"), lambda a: a.name_ar),
                (_l("Short"), lambda a: a.short),
                (_l("Arabic short"), lambda a: a.short_ar),
                (_l("Colour"), lambda a: a.colour),
            ),
        ),
        Kind(
            "sources",
            Source,
            forms.SourceForm,
            _l("source"),
            _l("Sources"),
            (Source.ref, Source.id),
            (
                (_l("Code"), lambda s: s.ref or ""),
                (_l("Title"), lambda s: s.title),
                (_l("Publisher"), lambda s: s.publisher),
                (_l("Published"), lambda s: day_label(s.published, s.published_precision)),
            ),
        ),
        Kind(
            "events",
            Event,
            forms.EventForm,
            _l("event"),
            _l("Events"),
            (Event.date,),
            (
                (_l("Date"), lambda e: bound_short(e.when)),
                (_l("Title"), lambda e: e.title),
                (_l("Confidence"), lambda e: word(e.confidence)),
            ),
        ),
    )
}

#: URL converter listing the kinds, e.g. /editor/<any(sites, actors, ...):kind>/.
KIND_RULE = "any(" + ", ".join(f"'{k}'" for k in KINDS) + "):kind"
