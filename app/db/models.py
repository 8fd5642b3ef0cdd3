"""Database models: crossings, sites, actors, control and status periods, sources, events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
)
from sqlalchemy.orm import Mapped, composite, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import bounds, clock, search, timeline
from app.core.bounds import Bound
from app.core.vocabulary import (
    ACTOR_KINDS,
    BOUND_PRECISIONS,
    CONFIDENCES,
    LOCATION_PRECISIONS,
    PRECISIONS,
    PROPOSAL_ACTIONS,
    PROPOSAL_STATES,
    REVISION_ACTIONS,
    ROLES,
    SITE_KINDS,
    STATUSES,
)
from app.extensions import db


def _enum(values: tuple[str, ...], name: str) -> Enum:
    """A portable enum: VARCHAR plus a CHECK constraint on every database."""
    return Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=max(map(len, values))
    )


def _link(name: str, left: str) -> Table:
    """Many-to-many table between `left` and source."""
    return Table(
        name,
        db.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}.id", ondelete="CASCADE"), primary_key=True),
        Column("source_id", ForeignKey("source.id", ondelete="RESTRICT"), primary_key=True),
    )


control_period_source = _link("control_period_source", "control_period")
status_period_source = _link("status_period_source", "status_period")
event_source = _link("event_source", "event")
event_site = Table(
    "event_site",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
)


class Crossing(db.Model):
    """A border crossing as a whole, made of one site per side."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    sites: Mapped[list[Site]] = relationship(
        back_populates="crossing", order_by="Site.country.desc()"
    )


class Site(db.Model):
    """A place whose control is tracked: one side of a crossing, a town, a base, a zone."""

    __table_args__ = (
        CheckConstraint("lon >= -180 AND lon <= 180", name="lon_range"),
        CheckConstraint("lat >= -90 AND lat <= 90", name="lat_range"),
        CheckConstraint("length(country) = 2", name="country_iso2"),
        CheckConstraint("radius_km IS NULL OR radius_km > 0", name="radius_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(_enum(SITE_KINDS, "site_kind"))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    location_precision: Mapped[str] = mapped_column(
        _enum(LOCATION_PRECISIONS, "location_precision"), default="exact"
    )
    location_note: Mapped[str] = mapped_column(Text, default="")
    radius_km: Mapped[float | None] = mapped_column(Float)
    crossing_id: Mapped[int | None] = mapped_column(
        ForeignKey("crossing.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    crossing: Mapped[Crossing | None] = relationship(back_populates="sites")
    control_periods: Mapped[list[ControlPeriod]] = relationship(
        back_populates="site",
        order_by="ControlPeriod.start_earliest.asc().nulls_first()",
        cascade="all, delete-orphan",
    )
    status_periods: Mapped[list[StatusPeriod]] = relationship(
        back_populates="site",
        order_by="StatusPeriod.start_earliest.asc().nulls_first()",
        cascade="all, delete-orphan",
    )
    events: Mapped[list[Event]] = relationship(
        secondary=event_site, back_populates="sites", order_by="Event.date"
    )

    __mapper_args__ = {"version_id_col": version}


@event.listens_for(Site, "before_insert")
@event.listens_for(Site, "before_update")
def _refresh_search_text(_mapper, _connection, site: Site) -> None:
    """Keep the stored search names in step with the names, whoever changes them."""
    site.search_text = search.search_text(site)


class Actor(db.Model):
    """An armed or state actor that can control a site."""

    __table_args__ = (CheckConstraint("colour LIKE '#______'", name="colour_hex"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    # True when no source gives an Arabic name and `name_ar` renders the sound of another.
    name_ar_transliterated: Mapped[bool] = mapped_column(default=False, server_default=false())
    short: Mapped[str] = mapped_column(String(40))
    short_ar: Mapped[str] = mapped_column(String(40), default="", server_default="")
    kind: Mapped[str] = mapped_column(_enum(ACTOR_KINDS, "actor_kind"))
    colour: Mapped[str] = mapped_column(String(7))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    parent: Mapped[Actor | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}


class Source(db.Model):
    """A citable document: article, statement, report or reference page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    published: Mapped[dt.date | None] = mapped_column(Date)
    published_precision: Mapped[str] = mapped_column(
        _enum(PRECISIONS, "source_precision"), default="day"
    )
    language: Mapped[str] = mapped_column(String(10), default="en")
    accessed: Mapped[dt.date | None] = mapped_column(Date)
    archived_url: Mapped[str] = mapped_column(String(2000), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def published_label(self) -> str:
        """Publication date at its precision ("Mar 2013")."""
        return timeline.format_bound(self.published, self.published_precision)


def _bound_columns(side: str):
    """A Bound stored as `side`_edtf (the expression), `side`_earliest and `side`_latest."""
    return composite(
        Bound,
        mapped_column(f"{side}_edtf", String(bounds.MAX_TEXT), nullable=True),
        mapped_column(f"{side}_earliest", Date, nullable=True),
        mapped_column(f"{side}_latest", Date, nullable=True),
        return_none_on=lambda *values: all(v is None for v in values),
    )


class _PeriodMixin:
    """Columns shared by control and status periods: a half-open [start, end) interval.

    Each bound is an EDTF expression with the first and last day it allows
    (:class:`app.core.bounds.Bound`); all three NULL: held since before the record begins
    (start) or still ongoing (end).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    confidence: Mapped[str] = mapped_column(_enum(CONFIDENCES, "confidence"), default="high")
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))

    @declared_attr
    def start(cls) -> Mapped[Bound | None]:
        return _bound_columns("start")

    @declared_attr
    def end(cls) -> Mapped[Bound | None]:
        return _bound_columns("end")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}

    def __init__(self, **kwargs: Any) -> None:
        # A plain date is the exact day (handy for code and tests that know the day).
        for side in ("start", "end"):
            if isinstance(kwargs.get(side), dt.date):
                kwargs[side] = bounds.exact(kwargs[side])
        super().__init__(**kwargs)

    @property
    def start_precision(self) -> str | None:
        """ "day", "month", "year" or "window"; None for an open start."""
        return self.as_period().start_precision

    @property
    def end_precision(self) -> str | None:
        return self.as_period().end_precision

    def as_period(self, value: Any = None) -> timeline.Period:
        """The pure period this row describes, carrying `value` and the row's id."""
        return timeline.Period(self.start, self.end, value, key=self.id)


#: The possible span must hold at least one day: latest end after earliest start.
POSSIBLE_SPAN_RULE = "start_earliest IS NULL OR end_latest IS NULL OR end_latest > start_earliest"
#: Each bound's window runs forwards, and its text and days are set together.
BOUND_RULE = (
    "(start_earliest IS NULL OR start_latest IS NULL OR start_latest >= start_earliest)"
    " AND (end_earliest IS NULL OR end_latest IS NULL OR end_latest >= end_earliest)"
    " AND ((start_edtf IS NULL) = (start_earliest IS NULL AND start_latest IS NULL))"
    " AND ((end_edtf IS NULL) = (end_earliest IS NULL AND end_latest IS NULL))"
)


def _interval_args(table: str) -> tuple:
    """Database-level rules every period table shares."""
    return (
        CheckConstraint(POSSIBLE_SPAN_RULE, name="possible_span"),
        CheckConstraint(BOUND_RULE, name="bounds"),
        Index(f"ix_{table}_site_start", "site_id", "start_earliest"),
        Index(f"ix_{table}_site_end", "site_id", "end_latest"),
    )


#: Sources of a period or event in publication order, the same on every database (undated
#: first, then by id within a day).
_BY_PUBLISHED = "[Source.published.asc().nulls_first(), Source.id]"


class ControlPeriod(_PeriodMixin, db.Model):
    """Which actor held a site during [start, end)."""

    __tablename__ = "control_period"
    __table_args__ = (
        *_interval_args("control_period"),
        CheckConstraint(
            "challenger_id IS NULL OR challenger_id <> actor_id", name="challenger_not_actor"
        ),
    )

    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="RESTRICT"), index=True)
    contested: Mapped[bool] = mapped_column(default=False)
    challenger_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id", ondelete="SET NULL"))

    site: Mapped[Site] = relationship(back_populates="control_periods")
    actor: Mapped[Actor] = relationship(foreign_keys=[actor_id])
    challenger: Mapped[Actor | None] = relationship(foreign_keys=[challenger_id])
    sources: Mapped[list[Source]] = relationship(
        secondary=control_period_source, order_by=_BY_PUBLISHED
    )


class StatusPeriod(_PeriodMixin, db.Model):
    """Whether a crossing side was open, closed or restricted during [start, end)."""

    __tablename__ = "status_period"
    __table_args__ = _interval_args("status_period")

    status: Mapped[str] = mapped_column(_enum(STATUSES, "status"))

    site: Mapped[Site] = relationship(back_populates="status_periods")
    sources: Mapped[list[Source]] = relationship(
        secondary=status_period_source, order_by=_BY_PUBLISHED
    )


class Event(db.Model):
    """A dated incident shown on the time slider."""

    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= date", name="end_not_before_date"),
        CheckConstraint("date_latest >= date", name="date_window"),
        CheckConstraint("(lon IS NULL) = (lat IS NULL)", name="point_complete"),
        CheckConstraint(
            "lon IS NULL OR (lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90)",
            name="point_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    # The date as an EDTF expression (a day, month, year or window of days) with the first
    # (`date`) and last day it allows; `precision` says which kind it is.
    date_edtf: Mapped[str] = mapped_column(String(bounds.MAX_TEXT))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    date_latest: Mapped[dt.date] = mapped_column(Date)
    precision: Mapped[str] = mapped_column(_enum(BOUND_PRECISIONS, "precision"), default="day")
    end: Mapped[dt.date | None] = mapped_column("end_date", Date)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str] = mapped_column(_enum(CONFIDENCES, "confidence"), default="high")
    version: Mapped[int] = mapped_column(Integer, default=1)

    sites: Mapped[list[Site]] = relationship(secondary=event_site, back_populates="events")
    sources: Mapped[list[Source]] = relationship(secondary=event_source, order_by=_BY_PUBLISHED)

    __mapper_args__ = {"version_id_col": version}

    def __init__(self, **kwargs: Any) -> None:
        # A first day with its precision (day, month, year) stands for that whole window.
        when = kwargs.pop("when", None)
        if when is None and kwargs.get("date") is not None and "date_edtf" not in kwargs:
            when = bounds.at_precision(kwargs.pop("date"), kwargs.pop("precision", "day"))
        super().__init__(**kwargs)
        if when is not None:
            self.when = when

    @property
    def when(self) -> Bound:
        """The event's date as the sources know it."""
        return Bound(self.date_edtf, self.date, self.date_latest)

    @when.setter
    def when(self, bound: Bound) -> None:
        if bound.earliest is None or bound.latest is None:
            raise ValueError("an event's date needs a first and a last possible day")
        self.date_edtf, self.date, self.date_latest = bound.text, bound.earliest, bound.latest
        self.precision = bound.precision


class User(db.Model):
    """An editor or admin who signs in to change the record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(_enum(ROLES, "role"), default="editor")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password`, never the password itself."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can(self, role: str) -> bool:
        """Whether this account has `role` or a stronger one (contributor < editor < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def publishes(self) -> bool:
        """Editors and admins publish their changes; a contributor's wait for review."""
        return self.can("editor")

    def get_id(self) -> str:
        return str(self.id)


# Usernames are unique regardless of case: "Admin1" and "admin1" cannot both exist.
Index("uq_user_username_lower", func.lower(User.username), unique=True)


class UserSession(db.Model):
    """A signed-in browser session; the cookie holds a random token whose hash is kept here,
    so deleting the row ends the session on the server."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginFailure(db.Model):
    """A failed sign-in, kept for a while so guessing can be throttled."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class Revision(db.Model):
    """One create, update, delete or revert of a row, with before/after snapshots."""

    __table_args__ = (Index("ix_revision_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(_enum(REVISION_ACTIONS, "revision_action"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    site_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Set by the app to the microsecond on every database (SQLite's CURRENT_TIMESTAMP has
    # whole seconds): history orders by it, and "as known at" a revision keys on it.
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, server_default=func.now(), index=True
    )
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    # The contributor's proposal this change applied, when a reviewer approved one.
    proposal_id: Mapped[int | None] = mapped_column(Integer, index=True)

    user: Mapped[User | None] = relationship()


class Verification(db.Model):
    """An editor's confirmation, with a source, that a site's recorded state still held on
    a day: the site's "last verified"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="RESTRICT"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    site: Mapped[Site] = relationship()
    source: Mapped[Source] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Proposal(db.Model):
    """A contributor's create, change, delete or log-a-change, waiting for an editor.

    It keeps the submitted form as it was (`form`, a list of [field, value] pairs), so that
    approving it runs the editor's own validation against the record as it stands then.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(_enum(PROPOSAL_ACTIONS, "proposal_action"))
    target_id: Mapped[int | None] = mapped_column(Integer)
    site_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The row version (or log-a-change token) the contributor saw: a later change is a conflict.
    base_version: Mapped[str] = mapped_column(String(40), default="")
    form: Mapped[list] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(String(300), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(
        _enum(PROPOSAL_STATES, "proposal_state"), default="pending", index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    # Two reviewers deciding at once: the second save is refused, never applied twice.
    __mapper_args__ = {"version_id_col": version}


class DataVersion(db.Model):
    """A single row counting writes to the record; caches and ETags key on it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class DataChange(db.Model):
    """Which sites, actors and sources one recent data version changed, written with the
    version itself, so every worker's as-of index updates only those (app.db.asof_index)."""

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The version's DataVersion.changed_at: tells this version from an equal number
    # counted again after the table was emptied.
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Site ids joined by commas; NULL when the write may have changed any site.
    sites: Mapped[str | None] = mapped_column(Text)
    # Ids of the actors and of the sources whose own fields the write edited, joined by
    # commas: every index patches them in place wherever they show.
    actors: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[str | None] = mapped_column(Text)


#: The record's tables, by table name: what the history shows and reverts, and what a past
#: state is rebuilt from (app.db.known).
RECORD_MODELS: dict[str, type[db.Model]] = {
    m.__tablename__: m
    for m in (Site, Actor, Source, Event, ControlPeriod, StatusPeriod, Crossing, Verification)
}

# SQLite gives a new row the largest id plus one, so a deleted row's id came back and the
# history joined two rows under it. Rows that revisions and proposals name by id take
# AUTOINCREMENT there (migration 0011); PostgreSQL's sequences never reuse an id.
for _model in (*RECORD_MODELS.values(), Proposal, Revision):
    _model.__table__.dialect_options["sqlite"]["autoincrement"] = True


class SeedMark(db.Model):
    """Remembers which seed-file rows were loaded, so re-seeding never undoes an edit."""

    __table_args__ = (UniqueConstraint("kind", "key", name="kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300))
