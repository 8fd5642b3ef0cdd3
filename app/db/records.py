"""Write rules shared by the editor and by revert: period overlaps, what blocks a delete,
unique values, and rows that a row refers to."""

from __future__ import annotations

from sqlalchemy import func, inspect, or_, select

from app.core import timeline
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
    return period.actor.name if isinstance(period, ControlPeriod) else period.status


def overlap_message(period) -> str | None:
    """Why a stored or pending period collides with another of its site, or None."""
    candidate = queries.to_period(period)
    clash = timeline.find_overlaps(sibling_periods(type(period), period.site_id), candidate)
    if not clash:
        return None
    return f"it would overlap the period {clash[0].describe()} ({clash[0].value}) of the same site"


def delete_blockers(row) -> list[str]:
    """What still refers to `row` and would be lost or broken if it were deleted."""
    checks = {
        Site: [
            (ControlPeriod, ControlPeriod.site_id == row.id, "control periods"),
            (StatusPeriod, StatusPeriod.site_id == row.id, "status periods"),
            (event_site, event_site.c.site_id == row.id, "events"),
            (Verification, Verification.site_id == row.id, "verifications"),
        ],
        Actor: [
            (
                ControlPeriod,
                or_(ControlPeriod.actor_id == row.id, ControlPeriod.challenger_id == row.id),
                "control periods",
            ),
            (Actor, Actor.parent_id == row.id, "actors (as their parent)"),
        ],
        Source: [
            (control_period_source, control_period_source.c.source_id == row.id, "control periods"),
            (status_period_source, status_period_source.c.source_id == row.id, "status periods"),
            (event_source, event_source.c.source_id == row.id, "events"),
            (Verification, Verification.source_id == row.id, "verifications"),
        ],
    }.get(type(row), [])
    out = []
    for table, condition, label in checks:
        n = db.session.scalar(select(func.count()).select_from(table).where(condition))
        if n:
            out.append(f"{n} {label}")
    return out


def taken_unique(row) -> str | None:
    """A unique value of `row` (slug, ref) that another row already uses, or None."""
    model = type(row)
    for column in model.__table__.columns:
        value = getattr(row, _attr(model, column.name))
        if not column.unique or value is None:
            continue
        other = db.session.scalar(select(model.id).where(column == value, model.id != row.id))
        if other is not None:
            return f"{column.name} '{value}' is now used by {model.__tablename__} #{other}"
    return None


def missing_reference(row) -> str | None:
    """A foreign key of `row` that points at a row that no longer exists, or None."""
    model = type(row)
    for column in model.__table__.columns:
        value = getattr(row, _attr(model, column.name))
        for fk in column.foreign_keys:
            target = MODELS.get(fk.column.table.name)
            if value is not None and target and db.session.get(target, value) is None:
                return (
                    f"its {column.name} points at {target.__tablename__} #{value}, "
                    "which no longer exists"
                )
    return None


def _attr(model, column_name: str) -> str:
    """The mapped attribute name of a column (start_date is mapped as start)."""
    for attr in inspect(model).column_attrs:
        if attr.columns[0].name == column_name:
            return attr.key
    raise KeyError(column_name)
