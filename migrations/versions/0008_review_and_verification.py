"""Review and freshness: the contributor role, contributors' proposals waiting for review,
editors' "still holds on" confirmations of a site (verification), and the proposal a
revision applied. Existing accounts keep their role.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_OLD_ROLES = "role IN ('editor', 'admin')"
_NEW_ROLES = "role IN ('contributor', 'editor', 'admin')"


def _sqlite_roles(old: str, new: str, old_type: str, new_type: str) -> None:
    """Rewrite the role CHECK of SQLite's user table in place.

    Copying the table, as batch mode would, drops the old one; with foreign keys on, that
    deletes every session and unlinks every revision's author. SQLite documents this
    in-place edit for loosening a CHECK constraint (https://sqlite.org/lang_altertable.html,
    "other kinds of table schema changes"); the downgrade tightens it only after checking
    that no row breaks the old rule.
    """
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'user'"
    ).scalar_one()
    if sql.count(old) != 1:
        raise RuntimeError(f"unexpected schema of table user: {sql}")
    sql = sql.replace(old, new).replace(f"role {old_type}", f"role {new_type}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'user'", (sql,)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _roles(old: str, new: str, old_type: str, new_type: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_roles(old, new, old_type, new_type)
        return
    op.drop_constraint(op.f("ck_user_role"), "user", type_="check")
    op.alter_column("user", "role", type_=sa.String(int(new_type[8:-1])))
    op.create_check_constraint(op.f("ck_user_role"), "user", new)


def upgrade():
    _roles(_OLD_ROLES, _NEW_ROLES, "VARCHAR(6)", "VARCHAR(11)")

    with op.batch_alter_table("revision", recreate="never") as batch:
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_revision_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_verification_site_id_site"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_verification_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification")),
    )
    op.create_index(op.f("ix_verification_site_id"), "verification", ["site_id"], unique=False)

    actions = ("create", "update", "delete", "log-control", "log-status")
    states = ("pending", "approved", "rejected", "changes_requested", "withdrawn")
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                *actions,
                name="proposal_action",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("base_version", sa.String(length=40), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                *states,
                name="proposal_state",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_proposal_user_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user.id"],
            name=op.f("fk_proposal_reviewer_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    op.create_index(op.f("ix_proposal_user_id"), "proposal", ["user_id"], unique=False)
    op.create_index(op.f("ix_proposal_site_id"), "proposal", ["site_id"], unique=False)
    op.create_index(op.f("ix_proposal_state"), "proposal", ["state"], unique=False)


def downgrade():
    contributors = op.get_bind().execute(
        sa.text("SELECT count(*) FROM \"user\" WHERE role = 'contributor'")
    )
    if contributors.scalar_one():
        raise RuntimeError(
            "contributor accounts exist; give each another role "
            "(flask --app app users set-role NAME editor) or deactivate it, then downgrade"
        )
    op.drop_table("proposal")
    op.drop_table("verification")
    with op.batch_alter_table("revision", recreate="never") as batch:
        batch.drop_index(batch.f("ix_revision_proposal_id"))
        batch.drop_column("proposal_id")
    _roles(_NEW_ROLES, _OLD_ROLES, "VARCHAR(11)", "VARCHAR(6)")
