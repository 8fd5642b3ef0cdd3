"""Border Control Atlas: who controlled each Syria–Iraq border crossing, and when."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import cli, config
from app.core import cache, private_files
from app.core.private_files import private_dir as _private_dir
from app.core.private_files import tighten as _owner_only
from app.db import session_events
from app.extensions import csrf, db, include_object, migrate
from app.ogc import routes as ogc_routes
from app.web import (
    api,
    auth,
    cite,
    compress,
    editor,
    errors,
    feeds,
    history,
    i18n,
    import_views,
    known,
    memory,
    params,
    pictures,
    replay,
    security,
    site_files,
    templating,
    views,
    write_requests,
)
from app.web.review import views as review_views
from app.web.sessions import LazyCookieSessionInterface


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure an instance of the application."""
    app = Flask(
        __name__, instance_relative_config=True, static_folder=str(config.PROJECT_ROOT / "static")
    )
    configure(app, test_config)
    init_extensions(app)
    register_blueprints(app)
    wrap(app)
    return app


def wrap(app: Flask) -> None:
    """WSGI middleware around Flask: the replay of cached answers, then ProxyFix outside it
    (so the replay keys on the host and scheme the client asked for)."""
    replay.init_app(app)
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def configure(app: Flask, test_config: dict | None = None) -> None:
    """Settings from the environment (and the tests), the secret key and the database URL."""
    _private_dir(Path(app.instance_path))
    _owner_only(Path(app.instance_path))  # it holds the secret key and the database
    settings = config.from_environ()
    if test_config:
        settings.update(test_config)
    app.config.update(settings)
    app.config.setdefault("SECRET_KEY", None)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            app.config["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'atlas.sqlite'}"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"],
        JSON_SORT_KEYS=False,
    )


def init_extensions(app: Flask) -> None:
    """Database, migrations, sign-in, CSRF, sessions, request hooks and templates."""
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(config.PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    app.session_interface = LazyCookieSessionInterface()
    session_events.init_app(app)
    auth.init_app(app)
    params.init_app(app)
    known.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    compress.init_app(app)
    templating.init_app(app)
    i18n.init_app(app)
    write_requests.init_app(app)
    memory.init_app(app)
    cache.set_budget(int(app.config["RESPONSE_CACHE_MB"] * 2**20))


def register_blueprints(app: Flask) -> None:
    """Pages, API, OGC API, feeds, sign-in, editor, history, import; then the CLI."""
    for blueprint in (
        views.bp,
        api.bp,
        ogc_routes.bp,
        feeds.bp,
        auth.bp,
        editor.bp,
        history.bp,
        import_views.bp,
        pictures.bp,
        review_views.bp,
        cite.bp,
        site_files.bp,
    ):
        app.register_blueprint(blueprint)
    cli.init_app(app)


def _instance_secret(instance: Path) -> str:
    """Read (or create once) a random secret key kept outside the repository."""
    path = instance / "secret_key"
    if not path.exists():
        # Created 0600 in one step: no moment when another user could read the key.
        with contextlib.suppress(FileExistsError):
            private_files.write_new(path, secrets.token_hex(32).encode())
    _owner_only(path)
    return path.read_text().strip()


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite database file 0600 before SQLite does, which would use the umask
    (usually world-readable); its -wal and -shm files copy the file's permissions."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "mode=memory" in url or url == prefix:
        return
    name = url[len(prefix) :].split("?", 1)[0]
    # URI filenames (?uri=true) are opened as given; ":memory:" is no file at all.
    if name.startswith("file:") or name == ":memory:":
        return
    path = Path(name)
    if not path.exists():
        _private_dir(path.parent)
        with contextlib.suppress(FileExistsError):
            private_files.write_new(path, b"")
    _owner_only(path)


def _normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
