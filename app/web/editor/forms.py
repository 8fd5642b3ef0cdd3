"""Editor forms: field rules here, rules that need the database in each form's check()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from app.core import geo, log_change, timeline, vocabulary
from app.core.text_rules import ALIASES_MAX, NOTE_MAX, Named, Word
from app.db import revisions
from app.db.models import (
    ACTOR_KINDS,
    CONFIDENCES,
    LOCATION_PRECISIONS,
    SITE_KINDS,
    STATUSES,
    Actor,
    ControlPeriod,
    Crossing,
    Event,
    Site,
    Source,
    StatusPeriod,
)
from app.db.records import free_source_ref, sibling_periods
from app.extensions import db
from app.web.editor.fields import (
    BoundField,
    ColourField,
    DayField,
    IdMultiSelectField,
    IdSelectField,
    LinesField,
    NumberField,
    PartialDateField,
    bounded,
    colour,
    http_url,
    not_future,
    plain_text,
    radius,
    slug_format,
    strip,
)
from app.web.i18n import WORDS, actor_label, language, said
from app.web.i18n import gettext as _
from app.web.js_strings import bound_short, day_label, span_text

#: A site farther than this from the Syria–Iraq border needs an explicit confirmation.
CONFIRM_KM = geo.FAR_FROM_BORDER_KM
#: The site form's choices: the countries of the vocabulary, the rule imports apply too.
COUNTRY_LABELS = {"SY": _l("Syria (SY)"), "IQ": _l("Iraq (IQ)")}
COUNTRIES = [SelectChoice(code, COUNTRY_LABELS.get(code, code)) for code in vocabulary.COUNTRIES]
SOURCE_FIELDS = ("source_ids", "source_url", "source_title", "source_publisher", "source_date")
REQUIRED = InputRequired(message=_l("is required"))


def _choices(values) -> list[SelectChoice]:
    """Select choices for plain values, labelled with spaces for underscores."""
    return [SelectChoice(v, WORDS.get(v) or v.replace("_", " ")) for v in values]


def _text(label: str, maximum: int, required: bool = False, extra=(), **kw) -> StringField:
    """A trimmed text field with a length limit (and optional extra rules)."""
    rules = [REQUIRED] if required else [Optional()]
    return StringField(label, [*rules, bounded(maximum), plain_text, *extra], filters=[strip], **kw)


def _url(label: str) -> StringField:
    """An optional web-address field."""
    return _text(label, 2000, extra=[http_url])


def _slug(maximum: int) -> StringField:
    """A required slug field."""
    return _text(
        _l("Slug"),
        maximum,
        required=True,
        extra=[slug_format],
        description=_l("Lower-case words joined by hyphens; used in addresses."),
    )


def _note(label=None, **kw) -> TextAreaField:
    """An optional long-text field."""
    return TextAreaField(
        label or _l("Note"), [Optional(), bounded(NOTE_MAX), plain_text], filters=[strip], **kw
    )


class EditForm(FlaskForm):
    """Base of every editor form: a comment for the history, the row version, Save."""

    comment = _text(
        _l("Comment for the history"),
        500,
        description=_l("Why you made this change; shown in the history."),
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    #: Fields that are not columns of the edited row.
    not_columns = frozenset({"comment", "version", "submit", "csrf_token", *SOURCE_FIELDS})
    #: (legend, field names) in the order the page shows them.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sources_required = False

    def __init__(self, *args, record_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record_id = record_id
        self.fill_choices()

    def fill_choices(self) -> None:
        """Fill select choices from the database; the sources this user cited most
        recently come first (and are marked for the picker)."""
        if "source_ids" in self._fields:
            recent = revisions.recent_source_ids(getattr(current_user, "id", None))
            self.source_ids.choices = source_choices(recent)
            self.source_ids.render_kw = {"data-recent": " ".join(map(str, recent))}

    def validate(self, extra_validators=None) -> bool:
        """Field rules first; the rules that compare fields or rows only when those pass."""
        return super().validate(extra_validators) and self.check()

    def check(self) -> bool:
        """Rules across fields and rows; add errors to fields and return False on failure."""
        return "source_ids" not in self._fields or self._check_sources()

    def load(self, obj) -> None:
        """Fill the fields that are not plain columns from `obj` (for GET)."""
        if "source_ids" in self._fields:
            self.source_ids.data = [s.id for s in obj.sources]

    def columns(self) -> dict:
        """Column values to write to the row."""
        return {name: f.data for name, f in self._fields.items() if name not in self.not_columns}

    def populate(self, obj) -> list:
        """Write the form to `obj`; return the new rows it had to create (sources)."""
        for name, value in self.columns().items():
            setattr(obj, name, value)
        if "source_ids" not in self._fields:
            return []
        obj.sources, created = self.chosen_sources()
        return created

    def chosen_sources(self) -> tuple[list[Source], list[Source]]:
        """The picked sources plus the one added inline, and the new ones alone."""
        picked = [db.session.get(Source, i) for i in self.source_ids.data or []]
        if not self.source_title.data:
            return picked, []
        day, precision = self.source_date.data or (None, "day")
        new = Source(
            ref=free_source_ref(self.source_title.data),
            title=self.source_title.data,
            url=self.source_url.data or "",
            publisher=self.source_publisher.data or "",
            published=day,
            published_precision=precision,
        )
        db.session.add(new)
        return [*picked, new], [new]

    def _check_sources(self) -> bool:
        """Inline source fields need a title; periods need at least one source."""
        inline = any(self[name].data for name in SOURCE_FIELDS[1:])
        if inline and not self.source_title.data:
            return fail(
                self.source_title,
                _("is required when adding a new source (or clear the other Source fields)"),
            )
        if self.sources_required and not (self.source_ids.data or inline):
            return fail(
                self.source_ids,
                _(
                    "every period needs at least one source: pick "
                    "an existing source or fill in Source title (and URL)"
                ),
            )
        return True


def fail(field, message: str) -> bool:
    """Add `message` to `field`'s errors; return False for chaining."""
    field.errors = [*field.errors, message]
    return False


class SourcesMixin:
    """Pick existing sources or add one inline."""

    source_ids = IdMultiSelectField(
        _l("Existing sources"),
        description=_l("Pick one or more (type to filter; recently cited sources come first)."),
    )
    source_url = _url(_l("Source URL"))
    source_title = _text(
        _l("Source title"), 500, description=_l("Required when adding a new source.")
    )
    source_publisher = _text(_l("Source publisher"), 200)
    source_date = PartialDateField(
        _l("Source date"), [Optional(), not_future], description=_l("YYYY-MM-DD, YYYY-MM or YYYY")
    )


SOURCE_GROUP = (_l("Sources"), SOURCE_FIELDS)


# --- periods ------------------------------------------------------------------------


class PeriodForm(SourcesMixin, EditForm):
    """Fields and rules shared by control and status periods."""

    site_id = IdSelectField(_l("Site"), [REQUIRED])
    start = BoundField(_l("Start"), [Optional(), not_future])
    end = BoundField(_l("End"), [Optional(), not_future])
    confidence = SelectField(_l("Confidence"), choices=_choices(CONFIDENCES))
    note = _note()

    model: type = ControlPeriod
    sources_required = True

    def fill_choices(self) -> None:
        super().fill_choices()
        self.site_id.choices = site_choices()

    def check(self) -> bool:
        return super().check() and self._check_bounds() and self._check_overlap()

    def _check_bounds(self) -> bool:
        """The end can come after the start: the period may hold on at least one day."""
        start, end = self.start.data, self.end.data
        if timeline.end_problem(start, end):
            return fail(
                self.end,
                _(
                    "must be after Start (%(start)s): a period covers [start, end), so "
                    "its latest end must come after its earliest start",
                    start=bound_short(start),
                ),
            )
        return True

    def _check_overlap(self) -> bool:
        """The period must not overlap another of the same site and kind."""
        candidate = timeline.Period(self.start.data, self.end.data, key=self.record_id)
        clash = timeline.find_overlaps(sibling_periods(self.model, self.site_id.data), candidate)
        if not clash:
            return True
        named = _(" and ").join(
            _(
                "the period %(span)s (%(value)s)",
                span=span_text(p.start, p.end),
                value=said(p.value),
            )
            for p in sorted(clash, key=_start)[:3]
        )
        # Beside the bound that causes it: End when the start is clear of every period it
        # meets (the end reaches into one, or past the whole of it), else Start.
        by_end = all(timeline.overlaps_by_its_end(candidate, p) for p in clash)
        return fail(
            self.end if by_end else self.start,
            _(
                "overlaps %(periods)s of this site; periods of one site may not overlap (they "
                "may share days only where one's end window is the next one's start window): "
                "change the dates or edit that period first",
                periods=named,
            ),
        )


def _start(period: timeline.Period):
    """Sort key: periods without a start come first."""
    return period.possible_start or dt.date.min


class ControlPeriodForm(PeriodForm):
    """A control period: who held a site during [start, end)."""

    actor_id = IdSelectField(_l("Controller"), [REQUIRED])
    contested = BooleanField(_l("Contested"))
    challenger_id = IdSelectField(
        _l("Challenger"), [Optional()], description=_l("Who contested it, if known.")
    )

    groups = (
        (
            _l("Period"),
            (
                "site_id",
                "actor_id",
                "start",
                "end",
                "contested",
                "challenger_id",
                "confidence",
                "note",
            ),
        ),
        SOURCE_GROUP,
        (_l("Save"), ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.actor_id.choices = actor_choices()
        self.challenger_id.choices = actor_choices(empty=_("— none —"))

    def check(self) -> bool:
        if self.challenger_id.data and self.challenger_id.data == self.actor_id.data:
            return fail(self.challenger_id, _("must differ from Controller"))
        return super().check()


class StatusPeriodForm(PeriodForm):
    """A status period: whether a site was open, closed or restricted."""

    status = SelectField(_l("Status"), choices=_choices(STATUSES))

    model = StatusPeriod
    groups = (
        (
            _l("Period"),
            (
                "site_id",
                "status",
                "start",
                "end",
                "confidence",
                "note",
            ),
        ),
        SOURCE_GROUP,
        (_l("Save"), ("comment",)),
    )


# --- log a change -------------------------------------------------------------------


class LogChangeForm(SourcesMixin, EditForm):
    """Close the site's open period on Date and open the next one."""

    date = BoundField(_l("Date"), [REQUIRED, not_future])
    confidence = SelectField(_l("Confidence"), choices=_choices(CONFIDENCES))
    note = _note()

    model: type = ControlPeriod
    value_field = "actor_id"
    sources_required = True

    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        super().__init__(*args, **kwargs)

    def check(self) -> bool:
        if not super().check():
            return False
        try:
            log_change.plan(
                sibling_periods(self.model, self.site.id), self.date.data, self.new_label()
            )
        except log_change.ChangeRefused as exc:
            return fail(self.date if exc.about_date else self[self.value_field], said(exc))
        return True


class LogControlForm(LogChangeForm):
    """Log a control change: the new controller from Date."""

    actor_id = IdSelectField(_l("New controller"), [REQUIRED])
    contested = BooleanField(_l("Contested"))

    groups = (
        (_l("Change"), ("actor_id", "date", "contested", "confidence", "note")),
        SOURCE_GROUP,
        (_l("Save"), ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.actor_id.choices = actor_choices(empty=_("— choose —"))

    def new_label(self) -> str:
        """The new controller's name, for messages (as sibling_periods labels them)."""
        actor = db.session.get(Actor, self.actor_id.data)
        return Named(actor.name, actor.name_ar)

    def new_values(self) -> dict:
        """Columns of the new period besides its dates, confidence and note."""
        return {"actor_id": self.actor_id.data, "contested": self.contested.data}


class LogStatusForm(LogChangeForm):
    """Log a status change: open, closed, restricted or unknown from Date."""

    status = SelectField(_l("New status"), choices=_choices(STATUSES))

    model = StatusPeriod
    value_field = "status"
    groups = (
        (_l("Change"), ("status", "date", "confidence", "note")),
        SOURCE_GROUP,
        (_l("Save"), ("comment",)),
    )

    def new_label(self) -> str:
        """The new status, for messages (as sibling_periods labels them)."""
        return Word(self.status.data)

    def new_values(self) -> dict:
        """Columns of the new period besides its dates, confidence and note."""
        return {"status": self.status.data}


# --- sites, actors, sources, events ---------------------------------------------------


class SlugMixin:
    """A unique slug for sites, actors and events."""

    def _check_slug(self) -> bool:
        """The slug is not used by another row of the same kind."""
        model = self.model
        other = db.session.scalar(select(model.id).where(model.slug == self.slug.data))
        if other is not None and other != self.record_id:
            return fail(
                self.slug,
                _(
                    "'%(slug)s' is already used by another %(kind)s; choose another",
                    slug=self.slug.data,
                    kind=model.__tablename__,
                ),
            )
        return True


class SiteForm(SlugMixin, EditForm):
    """A site: names, spellings, country, kind, point location."""

    slug = _slug(80)
    name = _text(_l("Name"), 200, required=True)
    name_ar = _text(_l("Arabic name"), 200)
    aliases = LinesField(
        _l("Other spellings"),
        [Optional(), plain_text],
        description=_l("One per line; search finds the site by each."),
    )
    country = SelectField(_l("Country"), choices=COUNTRIES)
    kind = SelectField(_l("Kind"), choices=_choices(SITE_KINDS))
    crossing_id = IdSelectField(_l("Crossing"), [Optional()])
    lon = NumberField(
        _l("Longitude"),
        [REQUIRED, NumberRange(-180, 180, message=_l("must be between -180 and 180 degrees"))],
    )
    lat = NumberField(
        _l("Latitude"),
        [REQUIRED, NumberRange(-90, 90, message=_l("must be between -90 and 90 degrees"))],
    )
    location_precision = SelectField(
        _l("Location precision"), choices=_choices(LOCATION_PRECISIONS)
    )
    location_note = _note(_l("About the location"))
    radius_km = NumberField(_l("Radius (km)"), [Optional(), radius])
    confirm_location = BooleanField(
        _l("I confirm this location"),
        description=_l(
            "Needed for a point more than %(km)s km from the Syria–Iraq border.", km=CONFIRM_KM
        ),
    )
    note = _note()

    model = Site
    not_columns = EditForm.not_columns | {"confirm_location"}
    groups = (
        (
            _l("Site"),
            ("slug", "name", "name_ar", "aliases", "country", "kind", "crossing_id", "note"),
        ),
        (
            _l("Location"),
            ("lon", "lat", "location_precision", "location_note", "radius_km", "confirm_location"),
        ),
        (_l("Save"), ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        crossings = db.session.scalars(select(Crossing).order_by(Crossing.name))
        self.crossing_id.choices = [
            SelectChoice("", _("— none —")),
            *(SelectChoice(c.id, c.name) for c in crossings),
        ]

    def check(self) -> bool:
        for alias in self.aliases.data:
            if len(alias) > 200:
                return fail(self.aliases, _("each spelling must be at most 200 characters"))
        if len(self.aliases.data) > ALIASES_MAX:
            return fail(self.aliases, _("at most %(num)s spellings", num=ALIASES_MAX))
        return super().check() and self._check_slug() and self._check_distance()

    def _check_distance(self) -> bool:
        """A point far from the border needs the confirmation box."""
        boundaries = geo.load_boundaries(current_app.config["GEODATA_DIR"])
        km = geo.distance_to_border_km(self.lon.data, self.lat.data, boundaries)
        if km > CONFIRM_KM and not self.confirm_location.data:
            return fail(
                self.confirm_location,
                _(
                    "the point is %(km)s km from the Syria–Iraq border (more than "
                    "%(limit)s km): check Longitude and Latitude, then tick this box to "
                    "save it anyway",
                    km=f"{km:.1f}",
                    limit=CONFIRM_KM,
                ),
            )
        return True


class ActorForm(SlugMixin, EditForm):
    """An actor: names, kind, map colour, parent organisation."""

    slug = _slug(80)
    name = _text(_l("Name"), 200, required=True)
    name_ar = _text(_l("Arabic name"), 200)
    name_ar_transliterated = BooleanField(
        _l("Arabic name is a transliteration"),
        description=_l("Tick when no source gives the name in Arabic."),
    )
    short = _text(_l("Short label"), 40, required=True)
    short_ar = _text(_l("Arabic short label"), 40)
    kind = SelectField(_l("Kind"), choices=_choices(ACTOR_KINDS))
    colour = ColourField(_l("Colour"), [REQUIRED, colour], filters=[strip], default="#1f5fa8")
    parent_id = IdSelectField(
        _l("Parent"), [Optional()], description=_l("e.g. al-Qaeda for the Nusra Front.")
    )
    note = _note()

    model = Actor
    groups = (
        (
            _l("Actor"),
            (
                "slug",
                "name",
                "name_ar",
                "name_ar_transliterated",
                "short",
                "short_ar",
                "kind",
                "colour",
                "parent_id",
                "note",
            ),
        ),
        (_l("Save"), ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.parent_id.choices = actor_choices(empty=_("— none —"))

    def check(self) -> bool:
        return super().check() and self._check_slug() and self._check_parent()

    def _check_parent(self) -> bool:
        """The parent chain must not loop back to this actor."""
        seen, parent_id = {self.record_id}, self.parent_id.data
        while parent_id is not None:
            if parent_id in seen:
                return fail(self.parent_id, _("would make the actor its own ancestor"))
            seen.add(parent_id)
            parent_id = db.session.get(Actor, parent_id).parent_id
        return True


class SourceForm(EditForm):
    """A source: what it is, who published it, where it is."""

    ref = _text(_l("Reference code"), 40, description=_l("Optional short code such as S28."))
    title = _text(_l("Title"), 500, required=True)
    publisher = _text(_l("Publisher"), 200)
    url = _url(_l("URL"))
    published = PartialDateField(
        _l("Published"), [Optional(), not_future], description=_l("YYYY-MM-DD, YYYY-MM or YYYY")
    )
    language = _text(_l("Language"), 10, description=_l("e.g. en, ar"))
    accessed = DayField(_l("Accessed"), [Optional(), not_future])
    archived_url = _url(_l("Archived URL"))
    note = _note()

    model = Source
    not_columns = EditForm.not_columns | {"published"}
    groups = (
        (
            _l("Source"),
            (
                "ref",
                "title",
                "publisher",
                "url",
                "published",
                "language",
                "accessed",
                "archived_url",
                "note",
            ),
        ),
        (_l("Save"), ("comment",)),
    )

    def check(self) -> bool:
        if not self.ref.data:
            return super().check()
        other = db.session.scalar(select(Source.id).where(Source.ref == self.ref.data))
        if other is not None and other != self.record_id:
            return fail(
                self.ref, _("'%(ref)s' is already used by another source", ref=self.ref.data)
            )
        return super().check()

    def load(self, obj) -> None:
        super().load(obj)
        self.published.data = (obj.published, obj.published_precision) if obj.published else None

    def populate(self, obj) -> list:
        created = super().populate(obj)
        # Every download cites sources by ref: a source without one could not be imported.
        obj.ref = obj.ref or free_source_ref(obj.title, obj.id)
        obj.language = obj.language or "en"
        obj.published, obj.published_precision = self.published.data or (None, "day")
        return created


class EventForm(SourcesMixin, SlugMixin, EditForm):
    """A dated incident, optionally at sites and a point, with sources."""

    slug = _slug(120)
    title = _text(_l("Title"), 300, required=True)
    date = BoundField(_l("Date"), [REQUIRED, not_future])
    end = DayField(
        _l("Last day"),
        [Optional(), not_future],
        description=_l("For incidents lasting several days."),
    )
    description = _note(_l("Description"))
    site_ids = IdMultiSelectField(_l("Sites"))
    lon = NumberField(
        _l("Longitude"),
        [Optional(), NumberRange(-180, 180, message=_l("must be between -180 and 180 degrees"))],
    )
    lat = NumberField(
        _l("Latitude"),
        [Optional(), NumberRange(-90, 90, message=_l("must be between -90 and 90 degrees"))],
    )
    confidence = SelectField(_l("Confidence"), choices=_choices(CONFIDENCES))

    model = Event
    not_columns = EditForm.not_columns | {"site_ids", "date"}
    groups = (
        (
            _l("Event"),
            (
                "slug",
                "title",
                "date",
                "end",
                "description",
                "site_ids",
                "lon",
                "lat",
                "confidence",
            ),
        ),
        SOURCE_GROUP,
        (_l("Save"), ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.site_ids.choices = site_choices()

    def check(self) -> bool:
        when = self.date.data
        if when.earliest is None or when.latest is None:
            return fail(self.date, _("give a first and a last possible day (not an open window)"))
        if timeline.ends_before(when, self.end.data):
            return fail(self.end, _("must not be before Date (%(date)s)", date=bound_short(when)))
        if (self.lon.data is None) != (self.lat.data is None):
            return fail(
                self.lat if self.lat.data is None else self.lon,
                _("give both Longitude and Latitude, or neither"),
            )
        return super().check() and self._check_slug()

    def load(self, obj) -> None:
        super().load(obj)
        self.site_ids.data = [s.id for s in obj.sites]
        self.date.data = obj.when

    def populate(self, obj) -> list:
        created = super().populate(obj)
        obj.when = self.date.data
        obj.sites = [db.session.get(Site, i) for i in self.site_ids.data or []]
        return created


# --- choices ------------------------------------------------------------------------


def actor_choices(empty: str | None = None) -> list[SelectChoice]:
    """Actors by their name in the interface's language, with an optional empty first
    choice."""
    actors = db.session.scalars(select(Actor).order_by(Actor.name))
    named = [(actor_label(a.name, a.name_ar) or a.name, a.id) for a in actors]
    if language() == "ar":
        named.sort(key=lambda choice: choice[0])
    first = [SelectChoice("", empty)] if empty else []
    return first + [SelectChoice(i, name) for name, i in named]


def site_choices() -> list[SelectChoice]:
    """Sites by name; in Arabic, by their Arabic name with the English one beside it."""
    arabic = language() == "ar"

    def label(s: Site) -> str:
        own = f"{s.name} ({s.country})"
        return f"{s.name_ar} — {own}" if arabic and s.name_ar else own

    named = [(label(s), s.id) for s in db.session.scalars(select(Site).order_by(Site.name))]
    if arabic:
        named.sort(key=lambda choice: choice[0])
    return [SelectChoice(i, name) for name, i in named]


def source_choices(first: Sequence[int] = ()) -> list[SelectChoice]:
    """Sources, those with ids in `first` first (in that order), then newest first,
    labelled with code, title, publisher and date."""
    sources = db.session.scalars(
        select(Source).order_by(Source.published.desc().nulls_last(), Source.title)
    ).all()
    rank = {source_id: n for n, source_id in enumerate(first)}
    ordered = sorted(sources, key=lambda s: rank.get(s.id, len(rank)))  # stable
    return [SelectChoice(s.id, source_label(s)) for s in ordered]


def source_label(s: Source) -> str:
    """ "[S28] Title — Publisher, Jun 2014" (the date in the interface's language)."""
    parts = [f"[{s.ref}] " if s.ref else "", s.title]
    if s.publisher:
        parts.append(f" — {s.publisher}")
    if s.published:
        parts.append(f", {day_label(s.published, s.published_precision)}")
    return "".join(parts)
