"""Data change log: the actors and sources each recent data version edited, so that
every app server's as-of index patches their labels in place instead of rebuilding when
they show at thousands of sites. Holds no part of the record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("data_change") as batch:
        batch.add_column(sa.Column("actors", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sources", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("data_change") as batch:
        batch.drop_column("sources")
        batch.drop_column("actors")
