"""Fixtures of the database layer's tests: a database of a test's own, for migrations."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def blank_app(request, tmp_path):
    """An app on a new, empty database (not the shared test database)."""
    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path / 'm.sqlite'}", None
    else:
        base = os.environ["TEST_DATABASE_URL"]
        name = f"atlas_mig_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        url = base.rsplit("/", 1)[0] + "/" + name

        def cleanup():
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "TRUSTED_HOSTS": None}
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if cleanup:
        cleanup()
