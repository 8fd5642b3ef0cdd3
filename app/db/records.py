"""Write rules shared by the editor and by revert: period overlaps, what blocks a delete,
unique values, and rows that a row refers to (an answer's challengers, by name)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from sqlalchemy import func, inspect, or_, select

from app.core import timeline
from app.core.text_rules import N_, Counted, Named, Phrase, Word, source_refs
from app.db import queries
from app.db.models import (
    RECORD_MODELS,
    Actor,
    ControlPeriod,
    Site,
    Source,
    StatusPeriod,
    Verification,
    control_period_source,
    event_site,
    event_source,
    status_period_source,
)
from app.extensions import db

#: Every table the history can show and revert, by table name.
MODELS = RECORD_MODELS
PERIODS = (ControlPeriod, StatusPeriod)
#: A row of each table as messages name it.
ROW_NAMES = {
    "site": N_("site"),
    "actor": N_("actor"),
    "source": N_("source"),
    "event": N_("event"),
    "control_period": N_("control period"),
    "status_period": N_("status period"),
    "crossing": N_("crossing"),
    "verification": N_("verification"),
}


def entity_name(table: str) -> Phrase:
    """ "control period": a row of `table`, as messages and the history name it."""
    return Phrase(ROW_NAMES.get(table, table.replace("_", " ")))


def row_name(table: str, row_id: object) -> Phrase:
    """ "control period #12": one row, as messages name it."""
    return Phrase(N_("%(entity)s #%(id)s"), entity=entity_name(table), id=row_id)


def sibling_periods(model, site_id: int | None) -> list[timeline.Period]:
    """The site's periods of one kind as timeline periods labelled for messages."""
    # In time order, so a message names the earliest period a change collides with.
    rows = db.session.scalars(
        select(model)
        .where(model.site_id == site_id)
        .order_by(model.start_earliest.asc().nulls_first(), model.id)
    )
    return [queries.to_period(p, period_label(p)) for p in rows]


def period_label(period) -> str:
    """The actor's name or the status, for messages."""
    if isinstance(period, ControlPeriod):
        return Named(period.actor.name, period.actor.name_ar)
    return Word(period.status)


def overlap_message(period) -> Phrase | None:
    """Why a stored or pending period collides with another of its site, or None."""
    candidate = queries.to_period(period)
    clash = timeline.find_overlaps(sibling_periods(type(period), period.site_id), candidate)
    if not clash:
        return None
    return Phrase(
        N_("it would overlap the period %(span)s (%(value)s) of the same site"),
        span=clash[0].describe(),
        value=clash[0].value,
    )


# What may refer to a row, counted (as each language counts: pybabel -k Counted:1,2).
def _periods(n: int) -> Counted:
    return Counted("%(num)s control period", "%(num)s control periods", n)


def _status(n: int) -> Counted:
    return Counted("%(num)s status period", "%(num)s status periods", n)


def _events(n: int) -> Counted:
    return Counted("%(num)s event", "%(num)s events", n)


def _checks(n: int) -> Counted:
    return Counted("%(num)s verification", "%(num)s verifications", n)


def _children(n: int) -> Counted:
    return Counted("%(num)s actor (as its parent)", "%(num)s actors (as their parent)", n)


def delete_blockers(row) -> list[Counted]:
    """What still refers to `row` and would be lost or broken if it were deleted."""
    checks = {
        Site: [
            (ControlPeriod, ControlPeriod.site_id == row.id, _periods),
            (StatusPeriod, StatusPeriod.site_id == row.id, _status),
            (event_site, event_site.c.site_id == row.id, _events),
            (Verification, Verification.site_id == row.id, _checks),
        ],
        Actor: [
            (
                ControlPeriod,
                or_(ControlPeriod.actor_id == row.id, ControlPeriod.challenger_id == row.id),
                _periods,
            ),
            (Actor, Actor.parent_id == row.id, _children),
        ],
        Source: [
            (control_period_source, control_period_source.c.source_id == row.id, _periods),
            (status_period_source, status_period_source.c.source_id == row.id, _status),
            (event_source, event_source.c.source_id == row.id, _events),
            (Verification, Verification.source_id == row.id, _checks),
        ],
    }.get(type(row), [])
    out = []
    for table, condition, counted in checks:
        n = db.session.scalar(select(func.count()).select_from(table).where(condition))
        if n:
            out.append(counted(n))
    return out


def taken_unique(row) -> Phrase | None:
    """A unique value of `row` (slug, ref) that another row already uses, or None."""
    model = type(row)
    for column in model.__table__.columns:
        value = getattr(row, _attr(model, column.name))
        if not column.unique or value is None:
            continue
        other = db.session.scalar(select(model.id).where(column == value, model.id != row.id))
        if other is not None:
            return Phrase(
                N_("%(column)s '%(value)s' is now used by %(row)s"),
                column=column.name,
                value=value,
                row=row_name(model.__tablename__, other),
            )
    return None


def free_source_ref(title: str, own_id: int | None = None) -> str:
    """The first ref text_rules.source_refs gives `title` that no other source holds,
    saved or waiting in this session (`own_id`: the source being given it)."""
    pending = {s.ref for s in (*db.session.new, *db.session.dirty) if isinstance(s, Source)}
    candidates = source_refs(title)
    while True:
        batch = list(islice(candidates, 50))
        stmt = select(Source.ref).where(Source.ref.in_(batch))
        if own_id is not None:
            stmt = stmt.where(Source.id != own_id)
        with db.session.no_autoflush:  # the row being saved may not be complete yet
            taken = pending | set(db.session.scalars(stmt))
        free = [ref for ref in batch if ref not in taken]
        if free:
            return free[0]


def missing_reference(row) -> Phrase | None:
    """A foreign key of `row` that points at a row that no longer exists, or None."""
    model = type(row)
    for column in model.__table__.columns:
        value = getattr(row, _attr(model, column.name))
        for fk in column.foreign_keys:
            target = MODELS.get(fk.column.table.name)
            if value is not None and target and db.session.get(target, value) is None:
                return Phrase(
                    N_("its %(column)s points at %(row)s, which no longer exists"),
                    column=column.name,
                    row=row_name(target.__tablename__, value),
                )
    return None


def actor_names(slugs: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    """(name, Arabic name) of each actor named by slug; None and unknown slugs left out."""
    wanted = {s for s in slugs if s}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Actor.slug, Actor.name, Actor.name_ar).where(Actor.slug.in_(wanted))
    )
    return {slug: (name, name_ar) for slug, name, name_ar in rows}


def _attr(model, column_name: str) -> str:
    """The mapped attribute name of a column (start_date is mapped as start)."""
    for attr in inspect(model).column_attrs:
        if attr.columns[0].name == column_name:
            return attr.key
    raise KeyError(column_name)
