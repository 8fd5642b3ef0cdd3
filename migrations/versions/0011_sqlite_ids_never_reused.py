"""SQLite: ids of deleted rows are never handed out again (AUTOINCREMENT).

SQLite gives a new row the largest id plus one, so after the newest period was deleted
the next period took its id, and the history joined the two: the deletion's revision
linked to the new row, and reverting the deletion was refused because of the new row's
creation. Each table whose rows revisions name is rebuilt with AUTOINCREMENT, and its
counter starts past every id a revision names. PostgreSQL's sequences never reuse an id:
nothing changes there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 00:00:00

"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: Tables whose rows a revision, a proposal or a link in the history names by id.
TABLES = (
    "actor",
    "crossing",
    "site",
    "source",
    "control_period",
    "status_period",
    "event",
    "verification",
    "proposal",
    "revision",
)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass
        op.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT "
            f"'{table}', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}')"
        )
        # Ids of rows deleted before this migration stay taken too.
        op.execute(
            f"UPDATE sqlite_sequence SET seq = max(seq, "
            f"coalesce((SELECT max(id) FROM {table}), 0), "
            f"coalesce((SELECT max(entity_id) FROM revision WHERE entity = '{table}'), 0)) "
            f"WHERE name = '{table}'"
        )


def downgrade():
    # AUTOINCREMENT stays: the code before 0011 works the same on it, and taking it away
    # would let a deleted row's id be handed out again.
    pass
