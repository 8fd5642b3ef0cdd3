"""Fixtures: an app per test on a migrated database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy import text

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
# PostgreSQL runs only where a server is configured (.ci/run starts one).
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

# Timing is measured by bench/, never asserted by a test: on a machine busy with a second
# test process, a slow example is not a failure.
settings.register_profile("atlas", deadline=None)
settings.load_profile("atlas")

# No as-of index files in the repository's instance folder, from the apps made here or
# the servers tests start; the tests of the files give each its own folder.
os.environ["ASOF_INDEX_FILES"] = "off"


def pytest_configure(config) -> None:
    """Under `pytest -n`, give each worker its own PostgreSQL database (a copy of the
    configured one's extensions), so that two workers never empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = os.environ.get("TEST_DATABASE_URL")
    if not worker or not base:
        return
    root, name = base.rsplit("/", 1)
    mine = f"{name}_{worker}"
    engine = _autocommit(base)
    with engine.connect() as conn:
        extensions = conn.scalars(
            text("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
        ).all()
        conn.execute(text(f'DROP DATABASE IF EXISTS "{mine}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{mine}"'))
    engine.dispose()
    url = f"{root}/{mine}"
    engine = _autocommit(url)
    with engine.connect() as conn:
        for extension in extensions:
            conn.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{extension}"'))
    engine.dispose()
    # Everything that reads the variable later (fixtures, servers started as subprocesses)
    # then uses this worker's database.
    os.environ["TEST_DATABASE_URL"] = url


def _autocommit(url: str):
    from sqlalchemy import create_engine

    return create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


def _config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test",
        # Every answer from the as-of index, built while the request waits: the same
        # rows as the database's, which the as-of tests compare.
        "ASOF_INDEX": "inline",
        **extra,
    }


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
    from app.io import seed

    with app.app_context():
        seed.load(app.config["SEED_FILE"])
    return app


#: A small fixed data set: tests of the software's promises run on it, not on the real
#: record, so correcting a fact in data/seed.yaml never breaks them.
CONTRACT_DATA = ROOT / "tests" / "data" / "contract.yaml"


@pytest.fixture(scope="session")
def seed_data() -> dict:
    """data/seed.yaml as plain data: tests that load the real seed compare against it, so
    correcting a fact there does not break them."""
    import yaml

    return yaml.safe_load((ROOT / "data" / "seed.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def contract_client(app):
    """A client of the app with tests/data/contract.yaml loaded."""
    from app.io import seed

    with app.app_context():
        seed.load(CONTRACT_DATA)
    return app.test_client()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded_client(seeded):
    return seeded.test_client()


@pytest.fixture(scope="module")
def read_only_seeded(database_url):
    """The real seed, loaded once for a whole module whose tests only read: seeding for
    each of a hundred GET-only tests was most of their time. Such a module must not write,
    nor use `app` or `seeded` (they empty the database)."""
    from app.io import seed

    app = create_app(_config(database_url))
    with app.app_context():
        _empty()
        seed.load(app.config["SEED_FILE"])
    yield app
    with app.app_context():
        db.session.remove()
        _empty()
        db.engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "correct horse battery"


def _add_user(app, username: str, role: str = "editor", active: bool = True) -> int:
    from app.db.models import User

    with app.app_context():
        user = User(username=username, role=role, active=active)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user.id


def _signed_in(app, username: str, role: str = "editor"):
    _add_user(app, username, role)
    client = app.test_client()
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


@pytest.fixture
def password() -> str:
    """The password of accounts made by `make_user` and `sign_in`."""
    return PASSWORD


@pytest.fixture
def make_user():
    """make_user(app, username, role="editor", active=True) -> user id."""
    return _add_user


@pytest.fixture
def sign_in():
    """sign_in(app, username, role="editor") -> a test client signed in as a new account."""
    return _signed_in


@pytest.fixture
def editor_client(seeded):
    """Seeded app, signed in as an editor."""
    return _signed_in(seeded, "edna", "editor")


@pytest.fixture
def admin_client(seeded):
    """Seeded app, signed in as an admin."""
    return _signed_in(seeded, "ada", "admin")


@pytest.fixture
def fingerprint():
    """fingerprint(app) -> every row of every table (not sign-in failures), to prove
    that a refused request wrote nothing."""

    def take(app) -> dict:
        with app.app_context():
            return {
                table.name: sorted(map(repr, db.session.execute(table.select())))
                for table in db.metadata.sorted_tables
                if table.name != "login_failure"
            }

    return take


@pytest.fixture
def app_variant(app):
    """app_variant(**settings) -> another app on the same database with changed settings
    (e.g. CSRF on); its connections are closed at teardown."""
    made = []

    def make(**settings):
        variant = create_app({**app.config, **settings})
        made.append(variant)
        return variant

    yield make
    for variant in made:
        with variant.app_context():
            db.session.remove()
            db.engine.dispose()


#: Markup, quotes and an event handler: shown anywhere, it must stay text.
HOSTILE = "<script>window.__xss=1</script>\"'><img src=x onerror=alert(1)>"


@pytest.fixture
def planted(seeded):
    """The seed plus values no form or import accepts, written straight to the database
    (as an old row or a hand-made backup could hold them): on al-Qa'im's current
    period, source S86 links to javascript: and data: addresses, and texts carry
    markup, control characters and spreadsheet formulas."""
    from app.db.models import ControlPeriod, Site, Source

    with seeded.app_context():
        source = db.session.scalar(db.select(Source).where(Source.ref == "S86"))
        source.url, source.archived_url = "javascript:alert(1)", "data:text/html,<b>x</b>"
        source.title, source.publisher = f"{HOSTILE}\x0b", '=HYPERLINK("http://evil")'
        site = db.session.scalar(db.select(Site).where(Site.slug == "al-qaim"))
        site.name = "=cmd|' /C calc'!A0"
        period = db.session.scalar(
            db.select(ControlPeriod).where(
                ControlPeriod.site_id == site.id, ControlPeriod.end_edtf.is_(None)
            )
        )
        period.note = f"{HOSTILE}\x0c@SUM(1)"
        db.session.commit()
    return seeded


def _log_control(app, client, site: str, actor: str, date: str) -> None:
    """Log through the editor's form that `actor` (a slug) holds `site` from `date`."""
    import re

    from sqlalchemy import select

    from app.db.models import Actor

    url = f"/editor/sites/{site}/log-control"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    with app.app_context():
        actor_id = db.session.scalar(select(Actor.id).where(Actor.slug == actor))
    resp = client.post(
        url,
        data={
            "actor_id": actor_id,
            "date": date,
            "confidence": "medium",
            "source_title": "A later report",
            "source_url": "https://example.org/later",
            "version": token,
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)


@pytest.fixture
def log_control():
    """log_control(app, client, site, actor, date): a change logged through the form."""
    return _log_control
