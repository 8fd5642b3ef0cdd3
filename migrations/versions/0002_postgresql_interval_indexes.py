"""PostgreSQL only: GiST date-range indexes for the as-of query, and exclusion
constraints so that no two periods of one site can overlap, even under concurrent
writes. SQLite keeps the B-tree (site_id, start_date) index and app-level checks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:10:00

"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("control_period", "status_period")
# Must match app.queries.covering() exactly, or the planner cannot use the index.
SPAN = "daterange(coalesce(start_date, '-infinity'::date), end_date)"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table in TABLES:
        op.execute(f"CREATE INDEX pgx_{table}_span ON {table} USING gist ({SPAN})")
        # Deferred: one transaction may close a period and open the next in any order.
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT pgx_{table}_no_overlap "
            f"EXCLUDE USING gist (site_id WITH =, {SPAN} WITH &&) "
            "DEFERRABLE INITIALLY DEFERRED"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pgx_{table}_no_overlap")
        op.execute(f"DROP INDEX pgx_{table}_span")
