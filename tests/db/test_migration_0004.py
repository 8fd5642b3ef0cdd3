"""Migration 0004 (sessions, usernames unique in any case) upgrades and downgrades on a
database of its own, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db


def _users(*names: str) -> None:
    for name in names:
        db.session.execute(
            text(
                'INSERT INTO "user" (username, password_hash, role, active, created_at) '
                "VALUES (:n, 'x', 'editor', true, CURRENT_TIMESTAMP)"
            ),
            {"n": name},
        )
    db.session.commit()


def test_0004_up_and_down(blank_app):
    with blank_app.app_context():
        upgrade(revision="0003")
        _users("Admin1")
        upgrade(revision="0004")
        tables = inspect(db.engine).get_table_names()
        assert "user_session" in tables
        with pytest.raises(IntegrityError):
            _users("admin1")
        db.session.rollback()

        downgrade(revision="0003")
        assert "user_session" not in inspect(db.engine).get_table_names()
        _users("admin1")  # the case rule went with the index

        db.session.execute(text("DELETE FROM \"user\" WHERE username = 'admin1'"))
        db.session.commit()
        upgrade(revision="0004")
        assert "user_session" in inspect(db.engine).get_table_names()


def test_0004_names_usernames_that_clash_in_case(blank_app, capfd):
    with blank_app.app_context():
        upgrade(revision="0003")
        _users("Admin1", "admin1", "ann")
        with pytest.raises(SystemExit):  # Flask-Migrate logs the message and exits
            upgrade(revision="0004")
        err = capfd.readouterr().err
        assert "unique regardless of case" in err and "admin1" in err
        assert "user_session" not in inspect(db.engine).get_table_names()
        # After a rename the upgrade goes through.
        db.session.execute(
            text("UPDATE \"user\" SET username = 'admin2' WHERE username = 'admin1'")
        )
        db.session.commit()
        upgrade(revision="0004")
