"""Fixtures for the command tests: another writer holding the record's write lock."""

from __future__ import annotations

import pytest

from app import create_app
from app.db import write_lock
from app.extensions import db
from tests.conftest import _config


@pytest.fixture
def lock_held(app):
    """A second connection holding the write lock, as an editor's save in progress does."""
    with app.app_context():
        conn = db.engine.connect()
    write_lock.claim()
    try:
        conn.begin()
        conn.exec_driver_sql("SELECT 1")
    finally:
        write_lock.release()
    yield conn
    conn.rollback()
    conn.close()


@pytest.fixture
def impatient(database_url):
    """The app with a half-second WRITE_LOCK_TIMEOUT, for commands that must give up."""
    app = create_app(_config(database_url, WRITE_LOCK_TIMEOUT=0.5))
    yield app
    with app.app_context():
        db.engine.dispose()
