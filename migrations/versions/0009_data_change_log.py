"""Data change log: which sites each recent data version changed, written in the same
transaction as the version, so that every app server's as-of index reloads only those
sites after a write made through any of them. Holds no part of the record.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_change",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sites", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_data_change")),
    )


def downgrade():
    op.drop_table("data_change")
