"""Private files and a read-only database: the SQLite file and the secret key are created
0600 (their folder 0700) whatever the umask, and a database that refuses writes still
serves every read page while writes get a clear 503 page."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from sqlalchemy import text, update

import app as factory
from app import create_app
from app.db.models import UserSession
from app.extensions import db


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # the usual default: files world-readable
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_and_its_folder_are_private(tmp_path, loose_umask):
    path = tmp_path / "new" / "atlas.sqlite"
    atlas = create_app({"SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{path}"})
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    with atlas.app_context():
        with db.engine.begin() as conn:  # WAL mode: the -wal file appears on the first write
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert _mode(f"{path}-wal") == 0o600
        db.engine.dispose()


def test_an_in_memory_database_leaves_no_file_behind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    create_app({"SECRET_KEY": "k", "DATABASE_URL": "sqlite:///:memory:"})
    assert list(tmp_path.iterdir()) == []


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    path = tmp_path / "old.sqlite"
    path.touch()
    path.chmod(0o644)
    create_app({"SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{path}"})
    assert _mode(path) == 0o600


def test_the_secret_key_file_is_created_private(tmp_path, loose_umask):
    key = factory._instance_secret(tmp_path)
    assert len(key) == 64 and _mode(tmp_path / "secret_key") == 0o600
    assert factory._instance_secret(tmp_path) == key  # made once, then kept


def test_an_existing_readable_secret_key_is_made_private(tmp_path):
    (tmp_path / "secret_key").write_text("old-key")
    (tmp_path / "secret_key").chmod(0o644)
    assert factory._instance_secret(tmp_path) == "old-key"
    assert _mode(tmp_path / "secret_key") == 0o600


def test_the_instance_folder_is_created_private(tmp_path, loose_umask):
    factory._private_dir(tmp_path / "instance")
    assert _mode(tmp_path / "instance") == 0o700


# The read-only database -------------------------------------------------------------------


@pytest.fixture
def read_only(app, database_url, app_variant):
    """Another app on the same database, opened read-only (SQLite mode=ro; PostgreSQL
    default_transaction_read_only, as on a standby)."""
    if database_url.startswith("sqlite:///"):
        return app_variant(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{database_url[10:]}?mode=ro&uri=true"
        )
    return app_variant(
        SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": "-c default_transaction_read_only=on"}
        }
    )


@pytest.fixture
def cookie(app, sign_in):
    """A signed-in editor's session cookie, due for its last-seen update (a write)."""
    client = sign_in(app, "ann")
    with app.app_context():
        old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        db.session.execute(update(UserSession).values(last_seen_at=old))
        db.session.commit()
    return client.get_cookie("session").value


READ_PAGES = [
    "/",
    "/search?q=qaim",
    "/api/sites.geojson",
    "/ogc/",
    "/ogc/conformance",
    "/editor/",
    "/history",
]


@pytest.mark.parametrize("path", READ_PAGES)
def test_a_read_only_database_serves_the_read_pages(read_only, cookie, path):
    client = read_only.test_client()
    client.set_cookie("session", cookie)
    resp = client.get(path)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]


def _assert_read_only_page(resp):
    assert resp.status_code == 503
    assert resp.headers["Retry-After"]
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "read-only" in resp.get_data(as_text=True)


def test_a_read_only_database_refuses_a_sign_in_with_a_503(read_only, make_user, app, password):
    make_user(app, "bob")
    resp = read_only.test_client().post("/login", data={"username": "bob", "password": password})
    _assert_read_only_page(resp)


def test_a_read_only_database_refuses_an_edit_with_a_503(read_only, cookie):
    client = read_only.test_client()
    client.set_cookie("session", cookie)
    form = {
        "slug": "ro-actor",
        "name": "Read-only actor",
        "short": "RO",
        "kind": "state",
        "colour": "#123456",
        "comment": "test",
    }
    _assert_read_only_page(client.post("/editor/actors/new", data=form))


def test_the_api_gets_the_503_as_json(read_only, app, make_user, password):
    make_user(app, "bob")
    resp = read_only.test_client().post(
        "/login",
        data={"username": "bob", "password": password},
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 503 and resp.get_json()["code"] == "ReadOnly"
