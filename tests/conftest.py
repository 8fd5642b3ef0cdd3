"""Fixtures: an app per test on a migrated database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
# PostgreSQL runs only where a server is configured (.ci/run starts one).
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _config(url: str, **extra) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test", **extra}


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A database migrated to head once per session and backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'atlas.sqlite'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
    app = create_app(_config(url))
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url):
    """A fresh app on an emptied database."""
    app = create_app(_config(database_url))
    with app.app_context():
        _empty()
    yield app
    with app.app_context():
        db.session.remove()
        _empty()
        db.engine.dispose()


def _empty() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def seeded(app):
    """The app with the real seed file loaded."""
    from app import seed

    with app.app_context():
        seed.load(app.config["SEED_FILE"])
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded_client(seeded):
    return seeded.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
