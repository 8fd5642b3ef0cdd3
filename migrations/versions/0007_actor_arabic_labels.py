"""Actors' Arabic short label (`short_ar`) and whether their Arabic name is a
transliteration (`name_ar_transliterated`: no source gives one in Arabic). Existing
actors start with an empty label and an attested name; downgrade drops both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite adds and (since 3.35) drops these columns in place: copying the actor table
    # would break the foreign keys of the periods that point at it.
    with op.batch_alter_table("actor", recreate="never") as batch:
        batch.add_column(
            sa.Column(
                "name_ar_transliterated", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("short_ar", sa.String(40), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("actor", recreate="never") as batch:
        batch.drop_column("short_ar")
        batch.drop_column("name_ar_transliterated")
