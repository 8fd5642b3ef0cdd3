"""Migration 0011 (SQLite: ids never handed out twice) on a database holding a deleted
row's revisions: the next row takes a new id, and the constraints stay."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db


@pytest.fixture
def blank_app(tmp_path):
    """An app on a new, empty SQLite database (PostgreSQL has nothing to migrate here)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
            "SECRET_KEY": "t",
            "TRUSTED_HOSTS": None,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _site(slug: str) -> int:
    db.session.execute(
        text(
            "INSERT INTO site (slug, name, name_ar, aliases, country, kind, lon, lat,"
            " location_precision, location_note, note, search_text, version)"
            " VALUES (:s, :s, '', '', 'SY', 'town', 40.0, 34.0, 'exact', '', '', :s, 1)"
        ),
        {"s": slug},
    )
    return db.session.execute(text("SELECT max(id) FROM site")).scalar_one()


def test_0011_keeps_ids_that_revisions_name(blank_app):
    with blank_app.app_context():
        upgrade(revision="0010")
        _site("kept")
        gone = _site("gone")
        db.session.execute(
            text(
                "INSERT INTO revision (entity, entity_id, action, at, comment) "
                "VALUES ('site', :i, 'delete', CURRENT_TIMESTAMP, '')"
            ),
            {"i": gone},
        )
        db.session.execute(text("DELETE FROM site WHERE id = :i"), {"i": gone})
        db.session.commit()

        upgrade(revision="0011")
        assert _site("new") > gone  # before 0011 it took `gone` again
        db.session.commit()
        with pytest.raises(Exception, match="lat_range"):
            db.session.execute(text("UPDATE site SET lat = 95"))
        db.session.rollback()
        names = [r[0] for r in db.session.execute(text("SELECT slug FROM site ORDER BY id"))]
        assert names == ["kept", "new"]
        db.session.rollback()  # no read snapshot held across the migrations below

        # Down and up again: AUTOINCREMENT stays (taking it away would reuse ids again).
        downgrade(revision="0010")
        upgrade(revision="0011")
        assert _site("newer") > gone
        db.session.commit()
