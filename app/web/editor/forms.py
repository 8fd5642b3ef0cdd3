"""Editor forms: field rules here, rules that need the database in each form's check()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask import current_app
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

from app.core import geo, log_change, timeline
from app.core.text_rules import ALIASES_MAX, NOTE_MAX
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
from app.db.records import sibling_periods
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
    slug_format,
    strip,
)

#: A site farther than this from the Syria–Iraq border needs an explicit confirmation.
CONFIRM_KM = geo.FAR_FROM_BORDER_KM
COUNTRIES = [
    SelectChoice("SY", "Syria (SY)"),
    SelectChoice("IQ", "Iraq (IQ)"),
    SelectChoice("JO", "Jordan (JO)"),
    SelectChoice("TR", "Turkey (TR)"),
]
SOURCE_FIELDS = ("source_ids", "source_url", "source_title", "source_publisher", "source_date")
REQUIRED = InputRequired(message="is required")


def _choices(values) -> list[SelectChoice]:
    """Select choices for plain values, labelled with spaces for underscores."""
    return [SelectChoice(v, v.replace("_", " ")) for v in values]


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
        "Slug",
        maximum,
        required=True,
        extra=[slug_format],
        description="Lower-case words joined by hyphens; used in addresses.",
    )


def _note(label: str = "Note", **kw) -> TextAreaField:
    """An optional long-text field."""
    return TextAreaField(label, [Optional(), bounded(NOTE_MAX), plain_text], filters=[strip], **kw)


class EditForm(FlaskForm):
    """Base of every editor form: a comment for the history, the row version, Save."""

    comment = _text(
        "Comment for the history",
        500,
        description="Why you made this change; shown in the history.",
    )
    version = HiddenField()
    submit = SubmitField("Save")

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
                "is required when adding a new source (or clear the other Source fields)",
            )
        if self.sources_required and not (self.source_ids.data or inline):
            return fail(
                self.source_ids,
                "every period needs at least one source: pick "
                "an existing source or fill in Source title (and URL)",
            )
        return True


def fail(field, message: str) -> bool:
    """Add `message` to `field`'s errors; return False for chaining."""
    field.errors = [*field.errors, message]
    return False


class SourcesMixin:
    """Pick existing sources or add one inline."""

    source_ids = IdMultiSelectField(
        "Existing sources",
        description="Pick one or more (type to filter; recently cited sources come first).",
    )
    source_url = _url("Source URL")
    source_title = _text("Source title", 500, description="Required when adding a new source.")
    source_publisher = _text("Source publisher", 200)
    source_date = PartialDateField(
        "Source date", [Optional(), not_future], description="YYYY-MM-DD, YYYY-MM or YYYY"
    )


SOURCE_GROUP = ("Sources", SOURCE_FIELDS)


# --- periods ------------------------------------------------------------------------


class PeriodForm(SourcesMixin, EditForm):
    """Fields and rules shared by control and status periods."""

    site_id = IdSelectField("Site", [REQUIRED])
    start = BoundField("Start", [Optional(), not_future])
    end = BoundField("End", [Optional(), not_future])
    confidence = SelectField("Confidence", choices=_choices(CONFIDENCES))
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
        try:
            timeline.Period(start, end)
        except ValueError:
            return fail(
                self.end,
                f"must be after Start ({start.short()}): a period covers [start, end), so "  # type: ignore[union-attr]
                "its latest end must come after its earliest start",
            )
        return True

    def _check_overlap(self) -> bool:
        """The period must not overlap another of the same site and kind."""
        candidate = timeline.Period(self.start.data, self.end.data, key=self.record_id)
        clash = timeline.find_overlaps(sibling_periods(self.model, self.site_id.data), candidate)
        if not clash:
            return True
        named = " and ".join(
            f"the period {p.describe()} ({p.value})" for p in sorted(clash, key=_start)[:3]
        )
        return fail(
            self.start,
            f"overlaps {named} of this site; periods of one site may not overlap (they may "
            "share days only where one's end window is the next one's start window): "
            "change the dates or edit that period first",
        )


def _start(period: timeline.Period):
    """Sort key: periods without a start come first."""
    return period.possible_start or dt.date.min


class ControlPeriodForm(PeriodForm):
    """A control period: who held a site during [start, end)."""

    actor_id = IdSelectField("Controller", [REQUIRED])
    contested = BooleanField("Contested")
    challenger_id = IdSelectField(
        "Challenger", [Optional()], description="Who contested it, if known."
    )

    groups = (
        (
            "Period",
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
        ("Save", ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.actor_id.choices = actor_choices()
        self.challenger_id.choices = actor_choices(empty="— none —")

    def check(self) -> bool:
        if self.challenger_id.data and self.challenger_id.data == self.actor_id.data:
            return fail(self.challenger_id, "must differ from Controller")
        return super().check()


class StatusPeriodForm(PeriodForm):
    """A status period: whether a site was open, closed or restricted."""

    status = SelectField("Status", choices=_choices(STATUSES))

    model = StatusPeriod
    groups = (
        (
            "Period",
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
        ("Save", ("comment",)),
    )


# --- log a change -------------------------------------------------------------------


class LogChangeForm(SourcesMixin, EditForm):
    """Close the site's open period on Date and open the next one."""

    date = BoundField("Date", [REQUIRED, not_future])
    confidence = SelectField("Confidence", choices=_choices(CONFIDENCES))
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
            return fail(self.date if exc.about_date else self[self.value_field], str(exc))
        return True


class LogControlForm(LogChangeForm):
    """Log a control change: the new controller from Date."""

    actor_id = IdSelectField("New controller", [REQUIRED])
    contested = BooleanField("Contested")

    groups = (
        ("Change", ("actor_id", "date", "contested", "confidence", "note")),
        SOURCE_GROUP,
        ("Save", ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.actor_id.choices = actor_choices(empty="— choose —")

    def new_label(self) -> str:
        """The new controller's name, for messages."""
        return db.session.get(Actor, self.actor_id.data).name

    def new_values(self) -> dict:
        """Columns of the new period besides its dates, confidence and note."""
        return {"actor_id": self.actor_id.data, "contested": self.contested.data}


class LogStatusForm(LogChangeForm):
    """Log a status change: open, closed, restricted or unknown from Date."""

    status = SelectField("New status", choices=_choices(STATUSES))

    model = StatusPeriod
    value_field = "status"
    groups = (
        ("Change", ("status", "date", "confidence", "note")),
        SOURCE_GROUP,
        ("Save", ("comment",)),
    )

    def new_label(self) -> str:
        """The new status, for messages."""
        return self.status.data

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
                f"'{self.slug.data}' is already used by another "
                f"{model.__tablename__}; choose another",
            )
        return True


class SiteForm(SlugMixin, EditForm):
    """A site: names, spellings, country, kind, point location."""

    slug = _slug(80)
    name = _text("Name", 200, required=True)
    name_ar = _text("Arabic name", 200)
    aliases = LinesField(
        "Other spellings",
        [Optional(), plain_text],
        description="One per line; search finds the site by each.",
    )
    country = SelectField("Country", choices=COUNTRIES)
    kind = SelectField("Kind", choices=_choices(SITE_KINDS))
    crossing_id = IdSelectField("Crossing", [Optional()])
    lon = NumberField(
        "Longitude",
        [REQUIRED, NumberRange(-180, 180, message="must be between -180 and 180 degrees")],
    )
    lat = NumberField(
        "Latitude", [REQUIRED, NumberRange(-90, 90, message="must be between -90 and 90 degrees")]
    )
    location_precision = SelectField("Location precision", choices=_choices(LOCATION_PRECISIONS))
    location_note = _note("About the location")
    radius_km = NumberField(
        "Radius (km)", [Optional(), NumberRange(min=0.001, message="must be more than 0")]
    )
    confirm_location = BooleanField(
        "I confirm this location",
        description=(f"Needed for a point more than {CONFIRM_KM} km from the Syria–Iraq border."),
    )
    note = _note()

    model = Site
    not_columns = EditForm.not_columns | {"confirm_location"}
    groups = (
        ("Site", ("slug", "name", "name_ar", "aliases", "country", "kind", "crossing_id", "note")),
        (
            "Location",
            ("lon", "lat", "location_precision", "location_note", "radius_km", "confirm_location"),
        ),
        ("Save", ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        crossings = db.session.scalars(select(Crossing).order_by(Crossing.name))
        self.crossing_id.choices = [
            SelectChoice("", "— none —"),
            *(SelectChoice(c.id, c.name) for c in crossings),
        ]

    def check(self) -> bool:
        for alias in self.aliases.data:
            if len(alias) > 200:
                return fail(self.aliases, "each spelling must be at most 200 characters")
        if len(self.aliases.data) > ALIASES_MAX:
            return fail(self.aliases, f"at most {ALIASES_MAX} spellings")
        return super().check() and self._check_slug() and self._check_distance()

    def _check_distance(self) -> bool:
        """A point far from the border needs the confirmation box."""
        boundaries = geo.load_boundaries(current_app.config["GEODATA_DIR"])
        km = geo.distance_to_border_km(self.lon.data, self.lat.data, boundaries)
        if km > CONFIRM_KM and not self.confirm_location.data:
            return fail(
                self.confirm_location,
                f"the point is {km:.1f} km from the "
                f"Syria–Iraq border (more than {CONFIRM_KM} km): check Longitude "
                "and Latitude, then tick this box to save it anyway",
            )
        return True


class ActorForm(SlugMixin, EditForm):
    """An actor: names, kind, map colour, parent organisation."""

    slug = _slug(80)
    name = _text("Name", 200, required=True)
    name_ar = _text("Arabic name", 200)
    short = _text("Short label", 40, required=True)
    kind = SelectField("Kind", choices=_choices(ACTOR_KINDS))
    colour = ColourField("Colour", [REQUIRED, colour], filters=[strip], default="#1f5fa8")
    parent_id = IdSelectField(
        "Parent", [Optional()], description="e.g. al-Qaeda for the Nusra Front."
    )
    note = _note()

    model = Actor
    groups = (
        ("Actor", ("slug", "name", "name_ar", "short", "kind", "colour", "parent_id", "note")),
        ("Save", ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.parent_id.choices = actor_choices(empty="— none —")

    def check(self) -> bool:
        return super().check() and self._check_slug() and self._check_parent()

    def _check_parent(self) -> bool:
        """The parent chain must not loop back to this actor."""
        seen, parent_id = {self.record_id}, self.parent_id.data
        while parent_id is not None:
            if parent_id in seen:
                return fail(self.parent_id, "would make the actor its own ancestor")
            seen.add(parent_id)
            parent_id = db.session.get(Actor, parent_id).parent_id
        return True


class SourceForm(EditForm):
    """A source: what it is, who published it, where it is."""

    ref = _text("Reference code", 40, description="Optional short code such as S28.")
    title = _text("Title", 500, required=True)
    publisher = _text("Publisher", 200)
    url = _url("URL")
    published = PartialDateField(
        "Published", [Optional(), not_future], description="YYYY-MM-DD, YYYY-MM or YYYY"
    )
    language = _text("Language", 10, description="e.g. en, ar")
    accessed = DayField("Accessed", [Optional(), not_future])
    archived_url = _url("Archived URL")
    note = _note()

    model = Source
    not_columns = EditForm.not_columns | {"published"}
    groups = (
        (
            "Source",
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
        ("Save", ("comment",)),
    )

    def check(self) -> bool:
        if not self.ref.data:
            return super().check()
        other = db.session.scalar(select(Source.id).where(Source.ref == self.ref.data))
        if other is not None and other != self.record_id:
            return fail(self.ref, f"'{self.ref.data}' is already used by another source")
        return super().check()

    def load(self, obj) -> None:
        super().load(obj)
        self.published.data = (obj.published, obj.published_precision) if obj.published else None

    def populate(self, obj) -> list:
        created = super().populate(obj)
        obj.ref = obj.ref or None
        obj.language = obj.language or "en"
        obj.published, obj.published_precision = self.published.data or (None, "day")
        return created


class EventForm(SourcesMixin, SlugMixin, EditForm):
    """A dated incident, optionally at sites and a point, with sources."""

    slug = _slug(120)
    title = _text("Title", 300, required=True)
    date = BoundField("Date", [REQUIRED, not_future])
    end = DayField(
        "Last day", [Optional(), not_future], description="For incidents lasting several days."
    )
    description = _note("Description")
    site_ids = IdMultiSelectField("Sites")
    lon = NumberField(
        "Longitude",
        [Optional(), NumberRange(-180, 180, message="must be between -180 and 180 degrees")],
    )
    lat = NumberField(
        "Latitude", [Optional(), NumberRange(-90, 90, message="must be between -90 and 90 degrees")]
    )
    confidence = SelectField("Confidence", choices=_choices(CONFIDENCES))

    model = Event
    not_columns = EditForm.not_columns | {"site_ids", "date"}
    groups = (
        (
            "Event",
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
        ("Save", ("comment",)),
    )

    def fill_choices(self) -> None:
        super().fill_choices()
        self.site_ids.choices = site_choices()

    def check(self) -> bool:
        when = self.date.data
        if when.earliest is None or when.latest is None:
            return fail(self.date, "give a first and a last possible day (not an open window)")
        if self.end.data and self.end.data < when.earliest:
            return fail(self.end, f"must not be before Date ({when.short()})")
        if (self.lon.data is None) != (self.lat.data is None):
            return fail(
                self.lat if self.lat.data is None else self.lon,
                "give both Longitude and Latitude, or neither",
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
    """Actors by name, with an optional empty first choice."""
    actors = db.session.scalars(select(Actor).order_by(Actor.name))
    first = [SelectChoice("", empty)] if empty else []
    return first + [SelectChoice(a.id, a.name) for a in actors]


def site_choices() -> list[SelectChoice]:
    """Sites by name."""
    sites = db.session.scalars(select(Site).order_by(Site.name))
    return [SelectChoice(s.id, f"{s.name} ({s.country})") for s in sites]


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
    """ "[S28] Title — Publisher, Jun 2014"."""
    parts = [f"[{s.ref}] " if s.ref else "", s.title]
    if s.publisher:
        parts.append(f" — {s.publisher}")
    if s.published:
        parts.append(f", {s.published_label}")
    return "".join(parts)
