"""Sessions and accounts: server-side sign-in sessions (so they can be ended) and
usernames unique regardless of case.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _refuse_case_duplicates() -> None:
    """Stop with the names to fix rather than fail on the unique index with a bare error."""
    rows = op.get_bind().execute(
        sa.text('SELECT lower(username) FROM "user" GROUP BY lower(username) HAVING count(*) > 1')
    )
    clashes = sorted(row[0] for row in rows)
    if clashes:
        raise RuntimeError(
            "usernames must now be unique regardless of case; rename one account of each "
            "(flask --app app users rename OLD NEW), then upgrade again: " + ", ".join(clashes)
        )


def upgrade():
    # First, before any change: SQLite's DDL is not transactional.
    _refuse_case_duplicates()
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_session_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)

    # An expression index: plain CREATE INDEX on both databases, no table rebuild needed.
    op.create_index("uq_user_username_lower", "user", [sa.text("lower(username)")], unique=True)


def downgrade():
    op.drop_index("uq_user_username_lower", table_name="user")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))

    op.drop_table("user_session")
