"""Live apps for the browser tests: a seeded app on a SQLite file of its own, served on
127.0.0.1 in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.db.models import User
from app.extensions import db
from app.io import seed

# The admin account the shared live app gets (conftest.admin_account).
BROWSER_ADMIN = ("browser-admin", "browser tests password")


def seeded_app(folder: Path, account: tuple[str, str, str] | None = None, **config) -> Flask:
    """An app on a SQLite file of its own in `folder`, seeded, with an account (username,
    password, role) when one is given. A module whose tests change the data uses one of
    its own, so the change reaches no other module's pages."""
    db_file = folder / "atlas.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "SECRET_KEY": f"browser-tests-{folder.name}",
            "TESTING": False,
            **config,
        }
    )
    with app.app_context():
        upgrade()
        seed.load(app.config["SEED_FILE"])
        if account:
            user = User(username=account[0], role=account[2])
            user.set_password(account[1])
            db.session.add(user)
            db.session.commit()
    return app


def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 in a background thread; yields its base URL (a fixture's
    body: `yield from serving(app)`)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def own_live_app(folder: str) -> tuple:
    """The fixtures `live_app`, `live_server` and `admin_account` of an app of the module's
    own, seeded, with the admin account, for a module whose tests change the data (so
    the change reaches no other module's pages):

        live_app, live_server, admin_account = own_live_app("editor")
    """

    @pytest.fixture(scope="module", name="live_app")
    def app_(tmp_path_factory):
        return seeded_app(tmp_path_factory.mktemp(folder), (*BROWSER_ADMIN, "admin"))

    @pytest.fixture(scope="module", name="live_server")
    def server_(live_app):
        yield from serving(live_app)

    @pytest.fixture(scope="module", name="admin_account")
    def account_(live_app):
        return BROWSER_ADMIN

    return app_, server_, account_
