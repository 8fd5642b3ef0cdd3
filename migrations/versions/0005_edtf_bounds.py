"""Period bounds as EDTF windows: each start and end becomes an expression with the first
and last day it allows. A day stays that day, a month becomes the whole month, a year the
whole year; no date is invented. Stored revisions are converted the same way, so old
history still shows and reverts. PostgreSQL's exclusion constraint now follows the
certain spans [latest start, earliest end), its as-of index the possible spans.

Downgrade keeps the earliest day of each bound with its precision (a window of days that
is not a whole month or year becomes its first day at day precision).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 16:30:00

"""

import calendar
import datetime as dt
import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("control_period", "status_period")
OLD_SPAN = "daterange(coalesce(start_date, '-infinity'::date), end_date)"
# Must match app.db.queries (the possible span holds every day a period may apply).
POSSIBLE_SPAN = "daterange(coalesce(start_earliest, '-infinity'::date), end_latest)"
# The certain span [latest start, earliest end); empty when the windows leave no sure day.
# A start open at its late side ("2015/..") or an end open at its early side ("../2013")
# leaves no certain day, like windows that do not leave one.
CERTAIN_SPAN = (
    "(CASE WHEN (start_edtf IS NOT NULL AND start_latest IS NULL)"
    " OR (end_edtf IS NOT NULL AND end_earliest IS NULL)"
    " OR (start_latest IS NOT NULL AND end_earliest IS NOT NULL"
    " AND end_earliest <= start_latest) THEN 'empty'::daterange"
    " ELSE daterange(start_latest, end_earliest) END)"
)
POSSIBLE_RULE = "start_earliest IS NULL OR end_latest IS NULL OR end_latest > start_earliest"
BOUND_RULE = (
    "(start_earliest IS NULL OR start_latest IS NULL OR start_latest >= start_earliest)"
    " AND (end_earliest IS NULL OR end_latest IS NULL OR end_latest >= end_earliest)"
    " AND ((start_edtf IS NULL) = (start_earliest IS NULL AND start_latest IS NULL))"
    " AND ((end_edtf IS NULL) = (end_earliest IS NULL AND end_latest IS NULL))"
)
OLD_RULE = "start_date IS NULL OR end_date IS NULL OR end_date > start_date"
PRECISIONS = ("day", "month", "year")


def window(day, precision):
    """(text, earliest, latest) for a day stored at a precision, as before this revision."""
    if day is None:
        return None, None, None
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=1), day.replace(day=last)
    if precision == "year":
        return f"{day.year:04d}", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return day.isoformat(), day, day


def first_day(text, earliest):
    """(day, precision) for the downgrade: the earliest day at the expression's precision."""
    if text is None:
        return None, "day"
    if isinstance(earliest, str):
        earliest = dt.date.fromisoformat(earliest)
    core = text.rstrip("?~%")
    if re.fullmatch(r"\d{4}-\d{2}", core):
        return earliest, "month"
    if re.fullmatch(r"\d{4}", core):
        return earliest, "year"
    return earliest, "day"


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pgx_{table}_no_overlap")
            op.execute(f"DROP INDEX pgx_{table}_span")
        with op.batch_alter_table(table) as batch:
            for side in ("start", "end"):
                batch.add_column(sa.Column(f"{side}_edtf", sa.String(40), nullable=True))
                batch.add_column(sa.Column(f"{side}_earliest", sa.Date(), nullable=True))
                batch.add_column(sa.Column(f"{side}_latest", sa.Date(), nullable=True))
        rows = bind.execute(
            sa.text(f"SELECT id, start_date, start_precision, end_date, end_precision FROM {table}")
        ).all()
        for row_id, start, start_p, end, end_p in rows:
            values = {"id": row_id}
            for side, (day, precision) in (("start", (start, start_p)), ("end", (end, end_p))):
                text, lo, hi = window(day, precision)
                values.update({f"{side}_edtf": text, f"{side}_earliest": lo, f"{side}_latest": hi})
            bind.execute(
                sa.text(
                    f"UPDATE {table} SET start_edtf = :start_edtf, start_earliest = "
                    ":start_earliest, start_latest = :start_latest, end_edtf = :end_edtf, "
                    "end_earliest = :end_earliest, end_latest = :end_latest WHERE id = :id"
                ),
                values,
            )
        with op.batch_alter_table(table) as batch:
            for rule in ("end_after_start", "start_precision", "end_precision"):
                batch.drop_constraint(op.f(f"ck_{table}_{rule}"), type_="check")
            batch.drop_index(f"ix_{table}_site_start")
            for column in ("start_date", "start_precision", "end_date", "end_precision"):
                batch.drop_column(column)
            batch.create_check_constraint("possible_span", POSSIBLE_RULE)
            batch.create_check_constraint("bounds", BOUND_RULE)
            batch.create_index(f"ix_{table}_site_start", ["site_id", "start_earliest"])
            batch.create_index(f"ix_{table}_site_end", ["site_id", "end_latest"])
        if postgres:
            op.execute(f"CREATE INDEX pgx_{table}_span ON {table} USING gist ({POSSIBLE_SPAN})")
            # Deferred: one transaction may close a period and open the next in any order.
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT pgx_{table}_no_overlap "
                f"EXCLUDE USING gist (site_id WITH =, {CERTAIN_SPAN} WITH &&) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
    _convert_revisions(_to_windows)


def downgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    _convert_revisions(_to_days)
    for table in TABLES:
        if postgres:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pgx_{table}_no_overlap")
            op.execute(f"DROP INDEX pgx_{table}_span")
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
            batch.add_column(_precision("start_precision"))
            batch.add_column(sa.Column("end_date", sa.Date(), nullable=True))
            batch.add_column(_precision("end_precision"))
        rows = bind.execute(
            sa.text(f"SELECT id, start_edtf, start_earliest, end_edtf, end_earliest FROM {table}")
        ).all()
        for row_id, start_text, start_lo, end_text, end_lo in rows:
            start, start_p = first_day(start_text, start_lo)
            end, end_p = first_day(end_text, end_lo)
            bind.execute(
                sa.text(
                    f"UPDATE {table} SET start_date = :s, start_precision = :sp, "
                    "end_date = :e, end_precision = :ep WHERE id = :id"
                ),
                {"s": start, "sp": start_p, "e": end, "ep": end_p, "id": row_id},
            )
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_possible_span"), type_="check")
            batch.drop_constraint(op.f(f"ck_{table}_bounds"), type_="check")
            batch.drop_index(f"ix_{table}_site_start")
            batch.drop_index(f"ix_{table}_site_end")
            for side in ("start", "end"):
                for suffix in ("edtf", "earliest", "latest"):
                    batch.drop_column(f"{side}_{suffix}")
            batch.create_check_constraint("end_after_start", OLD_RULE)
            batch.create_index(f"ix_{table}_site_start", ["site_id", "start_date"])
        if postgres:
            op.execute(f"CREATE INDEX pgx_{table}_span ON {table} USING gist ({OLD_SPAN})")
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT pgx_{table}_no_overlap "
                f"EXCLUDE USING gist (site_id WITH =, {OLD_SPAN} WITH &&) "
                "DEFERRABLE INITIALLY DEFERRED"
            )


def _precision(name):
    return sa.Column(
        name,
        sa.Enum(*PRECISIONS, name=name, native_enum=False, create_constraint=True, length=5),
        nullable=False,
        server_default="day",
    )


def _to_windows(snapshot):
    """A stored period snapshot with start/end days and precisions, as EDTF bounds."""
    if "start" not in snapshot and "end" not in snapshot:
        return snapshot
    out = {
        k: v
        for k, v in snapshot.items()
        if k not in ("start", "end", "start_precision", "end_precision")
    }
    for side in ("start", "end"):
        text, lo, hi = window(snapshot.get(side), snapshot.get(f"{side}_precision", "day"))
        out.update(
            {
                f"{side}_edtf": text,
                f"{side}_earliest": lo and lo.isoformat(),
                f"{side}_latest": hi and hi.isoformat(),
            }
        )
    return out


def _to_days(snapshot):
    """The reverse of _to_windows."""
    if "start_edtf" not in snapshot and "end_edtf" not in snapshot:
        return snapshot
    out = {k: v for k, v in snapshot.items() if not k.startswith(("start_", "end_"))}
    for side in ("start", "end"):
        day, precision = first_day(snapshot.get(f"{side}_edtf"), snapshot.get(f"{side}_earliest"))
        out.update({side: day and day.isoformat(), f"{side}_precision": precision})
    return out


def _convert_revisions(convert):
    """Rewrite the before/after snapshots of period revisions with `convert`."""
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
            revisions.c.entity.in_(TABLES)
        )
    ).all()
    for row_id, before, after in rows:
        before, after = (json.loads(v) if isinstance(v, str) else v for v in (before, after))
        bind.execute(
            revisions.update()
            .where(revisions.c.id == row_id)
            .values(before=before and convert(before), after=after and convert(after))
        )
