"""Migration 0012 (every source has a ref) on a database holding sources typed into forms
before it: each gets a ref from its title, its history says the same, and the column
refuses NULL from then on; on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import db

source = sa.table(
    "source",
    *(sa.column(c) for c in ("ref", "title", "publisher", "url", "published_precision")),
    *(sa.column(c) for c in ("language", "archived_url", "note", "version")),
)
revision = sa.table(
    "revision",
    sa.column("id", sa.Integer),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("comment", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)


def _source(ref: str | None, title: str) -> int:
    db.session.execute(
        source.insert().values(
            ref=ref,
            title=title,
            publisher="",
            url="",
            published_precision="day",
            language="en",
            archived_url="",
            note="",
            version=1,
        )
    )
    return db.session.execute(text("SELECT max(id) FROM source")).scalar_one()


def _refs() -> dict[str, str]:
    return dict(db.session.execute(text("SELECT title, ref FROM source")).all())


def _version() -> int:
    return db.session.execute(text("SELECT version FROM data_version")).scalar_one()


def test_0012_gives_every_source_a_ref_from_its_title(blank_app):
    with blank_app.app_context():
        upgrade(revision="0011")
        _source("S28", "Seeded")
        _source("crossing-handed-over", "Typed with a ref")
        typed = _source(None, "Crossing handed over")
        _source(None, "Crossing handed over!")
        _source(None, "تقرير عن المعبر")
        _source(None, "Iraqi forces retake al-Qa'im from ISIS — Reuters, 3 November 2017")
        created = {"ref": None, "title": "Crossing handed over"}
        db.session.execute(
            revision.insert().values(
                entity="source",
                entity_id=typed,
                action="create",
                at=sa.func.now(),
                comment="",
                before=None,
                after=created,
            )
        )
        db.session.commit()
        version = _version()
        db.session.rollback()  # no read snapshot held across the migration

        upgrade(revision="0012")
        assert _refs() == {
            "Seeded": "S28",
            "Typed with a ref": "crossing-handed-over",
            "Crossing handed over": "crossing-handed-over-2",
            "Crossing handed over!": "crossing-handed-over-3",
            "تقرير عن المعبر": "source-1",
            "Iraqi forces retake al-Qa'im from ISIS — Reuters, 3 November 2017": (
                "iraqi-forces-retake-al-qaim-from-isis"
            ),
        }
        before, after = db.session.execute(sa.select(revision.c.before, revision.c.after)).one()
        assert before is None and after == {**created, "ref": "crossing-handed-over-2"}
        assert _version() == version + 1  # cached downloads with no refs are made again
        db.session.rollback()
        with pytest.raises(IntegrityError):
            _source(None, "No ref")
        db.session.rollback()
        if db.engine.dialect.name == "sqlite":  # 0011's AUTOINCREMENT survives the rebuild
            sql = db.session.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'source'")
            ).scalar_one()
            assert "AUTOINCREMENT" in sql
        db.session.rollback()

        downgrade(revision="0011")
        assert _refs()["Crossing handed over"] == "crossing-handed-over-2"  # refs stay
        _source(None, "No ref")
        db.session.commit()
        upgrade(revision="0012")
        assert _refs()["No ref"] == "no-ref"
        db.session.rollback()
