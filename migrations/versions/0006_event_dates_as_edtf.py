"""Event dates as EDTF too: each date keeps its first day (`date`) and gains its
expression (`date_edtf`) and last day (`date_latest`); a month becomes the whole month, a
year the whole year, and `precision` may now also be "window". Downgrade keeps the first
day (a window that is not a whole month or year becomes its first day).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 17:45:00

"""

import calendar
import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD = ("day", "month", "year")
NEW = ("day", "month", "year", "window")


def _window(day, precision):
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=last)
    if precision == "year":
        return f"{day.year:04d}", dt.date(day.year, 12, 31)
    return day.isoformat(), day


def _precision(values):
    return sa.Enum(
        *values,
        name="precision",
        native_enum=False,
        create_constraint=True,
        length=max(map(len, values)),
    )


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("date_edtf", sa.String(40), nullable=True))
        batch.add_column(sa.Column("date_latest", sa.Date(), nullable=True))
    for row_id, day, precision in bind.execute(sa.text("SELECT id, date, precision FROM event")):
        text, latest = _window(day, precision)
        bind.execute(
            sa.text("UPDATE event SET date_edtf = :t, date_latest = :l WHERE id = :id"),
            {"t": text, "l": latest, "id": row_id},
        )
    with op.batch_alter_table("event") as batch:
        batch.alter_column("date_edtf", existing_type=sa.String(40), nullable=False)
        batch.alter_column("date_latest", existing_type=sa.Date(), nullable=False)
        batch.drop_constraint(op.f("ck_event_precision"), type_="check")
        batch.alter_column(
            "precision", existing_type=sa.String(5), type_=_precision(NEW), existing_nullable=False
        )
        batch.create_check_constraint("date_window", "date_latest >= date")
    _convert_revisions(_with_window)


def downgrade():
    bind = op.get_bind()
    _convert_revisions(_without_window)
    bind.execute(sa.text("UPDATE event SET precision = 'day' WHERE precision = 'window'"))
    with op.batch_alter_table("event") as batch:
        batch.drop_constraint(op.f("ck_event_date_window"), type_="check")
        batch.drop_constraint(op.f("ck_event_precision"), type_="check")
        batch.alter_column(
            "precision", existing_type=sa.String(6), type_=_precision(OLD), existing_nullable=False
        )
        batch.drop_column("date_latest")
        batch.drop_column("date_edtf")


def _with_window(snapshot):
    """A stored event snapshot with its EDTF text and last day, so it still reverts."""
    if "date" not in snapshot or "date_edtf" in snapshot:
        return snapshot
    text, latest = _window(snapshot["date"], snapshot.get("precision", "day"))
    return {**snapshot, "date_edtf": text, "date_latest": latest.isoformat()}


def _without_window(snapshot):
    out = {k: v for k, v in snapshot.items() if k not in ("date_edtf", "date_latest")}
    if out.get("precision") == "window":
        out["precision"] = "day"
    return out


def _convert_revisions(convert):
    """Rewrite the before/after snapshots of event revisions with `convert`."""
    bind = op.get_bind()
    revisions = sa.table(
        "revision",
        sa.column("id"),
        sa.column("entity"),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    rows = bind.execute(
        sa.select(revisions.c.id, revisions.c.before, revisions.c.after).where(
            revisions.c.entity == "event"
        )
    ).all()
    for row_id, before, after in rows:
        before, after = (json.loads(v) if isinstance(v, str) else v for v in (before, after))
        bind.execute(
            revisions.update()
            .where(revisions.c.id == row_id)
            .values(before=before and convert(before), after=after and convert(after))
        )
