"""Every source has a ref. Sources typed into the log-change, status and source forms were
saved without one, and the atlas's own downloads, which cite sources by ref, could not be
imported again. Each source without a ref gets one from its title, by the rule the forms
now follow (app.core.text_rules.source_refs, frozen here): the title as a slug, ASCII, at
most 40 characters, -2, -3 … when taken, source-1, source-2 … for a title with no Latin
letter. The source's revisions get the same ref wherever they had none, so the history
reads as if it always had it: reverting its creation or an edit still works, and the
record as it stood (known=) cites it by the same ref. The data version moves on, so
cached downloads are made again. Then the column is NOT NULL.

Downgrade makes the column nullable again and keeps the refs (they cannot be told apart
from typed ones, and the code before 0012 reads them as typed ones).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:00:00

"""

import datetime as dt
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

REF_MAX = 40
LATIN_EXTRA = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
APOSTROPHES = re.compile(r"['’‘ʼʻʾʿ`´]")

revision_table = sa.table(
    "revision",
    sa.column("id", sa.Integer),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)
data_version = sa.table(
    "data_version",
    sa.column("id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("changed_at", sa.DateTime(timezone=True)),
)
data_change = sa.table(
    "data_change",
    sa.column("version", sa.Integer),
    sa.column("changed_at", sa.DateTime(timezone=True)),
    sa.column("sites", sa.Text),
    sa.column("actors", sa.Text),
    sa.column("sources", sa.Text),
)


def source_refs(title):
    """The refs a source titled `title` may take, best first (as of 0012)."""
    plain = unicodedata.normalize("NFKD", (title or "").lower().translate(LATIN_EXTRA))
    plain = APOSTROPHES.sub("", plain).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if not re.search(r"[a-z]", base):
        base = ""
    n = 1
    while True:
        if not base:
            yield f"source-{n}"
        elif n == 1:
            yield cut(base, REF_MAX)
        else:
            yield f"{cut(base, REF_MAX - len(str(n)) - 1)}-{n}"
        n += 1


def cut(slug, limit):
    """`slug` in at most `limit` characters, cut after a whole word unless that loses half."""
    if len(slug) <= limit:
        return slug
    short = slug[:limit]
    if slug[limit] != "-" and short.rfind("-") > limit // 2:
        short = short[: short.rfind("-")]
    return short.strip("-")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # No source saved by a running server between the fill and NOT NULL (reads go on).
        op.execute("LOCK TABLE source IN EXCLUSIVE MODE")
    taken = set(bind.execute(sa.text("SELECT ref FROM source WHERE ref IS NOT NULL")).scalars())
    given = {}
    for source_id, title in bind.execute(
        sa.text("SELECT id, title FROM source WHERE ref IS NULL ORDER BY id")
    ).all():
        ref = next(r for r in source_refs(title) if r not in taken)
        taken.add(ref)
        given[source_id] = ref
        bind.execute(
            sa.text("UPDATE source SET ref = :ref WHERE id = :id"), {"ref": ref, "id": source_id}
        )
    if given:
        _fill_revisions(bind, given)
        _bump_data_version(bind, sorted(given))
    with op.batch_alter_table(
        "source",
        table_kwargs={"sqlite_autoincrement": True},  # as 0011 left it
    ) as batch:
        batch.alter_column("ref", existing_type=sa.String(40), nullable=False)


def _fill_revisions(bind, given):
    """Each snapshot of a filled source that has no ref gets the one it was given."""
    rows = bind.execute(
        sa.select(
            revision_table.c.id,
            revision_table.c.entity_id,
            revision_table.c.before,
            revision_table.c.after,
        ).where(revision_table.c.entity == "source", revision_table.c.entity_id.in_(list(given)))
    ).all()
    for rev_id, source_id, *snapshots in rows:
        for column, snapshot in zip(("before", "after"), snapshots, strict=True):
            # Only snapshots that are objects: a missing one stays as it is stored.
            if isinstance(snapshot, dict) and "ref" in snapshot and not snapshot["ref"]:
                bind.execute(
                    revision_table.update()
                    .where(revision_table.c.id == rev_id)
                    .values({column: {**snapshot, "ref": given[source_id]}})
                )


def _bump_data_version(bind, source_ids):
    """A new data version (as app.db.session_events makes one), logged as possibly
    changing any site, so every server's caches and as-of index are made again."""
    now = dt.datetime.now(dt.UTC)
    bind.execute(
        data_version.update()
        .where(data_version.c.id == 1)
        .values(version=data_version.c.version + 1, changed_at=now)
    )
    version = bind.execute(
        sa.select(data_version.c.version).where(data_version.c.id == 1)
    ).scalar_one_or_none()
    if version is None:
        return
    bind.execute(data_change.delete().where(data_change.c.version >= version))
    bind.execute(
        data_change.insert().values(
            version=version,
            changed_at=now,
            sites=None,
            actors="",
            sources=",".join(map(str, source_ids)),
        )
    )


def downgrade():
    with op.batch_alter_table("source", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("ref", existing_type=sa.String(40), nullable=True)
