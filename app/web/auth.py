"""Sign-in and sign-out, the session's user, and the role checks on writes.

A signed-in cookie names a server-side session record (app.db.user_sessions) besides the
user: without a live record the cookie signs no one in, so ending the record on the server
signs that browser out however old or copied its cookie is.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.core import passwords
from app.db import login_throttle, user_sessions
from app.db.models import User
from app.extensions import db, login_manager
from app.web.i18n import gettext as _
from app.web.i18n import ngettext

bp = Blueprint("auth", __name__)

# The same wording whether the username exists or not.
BAD_CREDENTIALS = _l("Unknown username or wrong password.")
#: Where the session cookie keeps the token of its server-side session record.
SESSION_TOKEN = "_session_token"


def init_app(app: Flask) -> None:
    """Sign-in for this app: where to send anonymous editors, and who a session is."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to edit the record.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # the lazy message in the reader's language
    login_manager.user_loader(load_user)
    user_sessions.init_app()
    hours = app.config["SESSION_MAX_HOURS"]
    # The signed cookie itself stops being accepted after the absolute lifetime, and a
    # form's CSRF token lives as long as the session it belongs to.
    app.permanent_session_lifetime = dt.timedelta(hours=hours)
    app.config["WTF_CSRF_TIME_LIMIT"] = hours * 3600
    # Flask-Login's remember-me cookie is never set (login_user without remember); should
    # one be sent anyway it only names a user, which load_user refuses without a live
    # session record.
    hooks = app.after_request_funcs.setdefault(None, [])
    hooks[hooks.index(login_manager._update_remember_cookie)] = _remember_cookie


def _remember_cookie(response):
    """Flask-Login's remember-cookie hook, skipped when the session is empty: it has
    nothing to do then, and reading the session would add ``Vary: Cookie`` to every
    answer (API and map data too), splitting shared caches by cookie for no reason."""
    if not request_ctx._session and not current_app.config.get(
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST"
    ):
        return response
    return login_manager._update_remember_cookie(response)


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(
        _l("Username"),
        validators=[InputRequired(), Length(max=80)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=passwords.MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


def load_user(user_id: str) -> User | None:
    """The active user of this request's live session record, or None (signed out)."""
    token = session.get(SESSION_TOKEN)
    if not user_id.isdigit() or not isinstance(token, str):
        return None
    record = user_sessions.find(token, user_sessions.Lifetimes.from_config(current_app.config))
    if record is None or record.user_id != int(user_id):
        return None
    user = db.session.get(User, record.user_id)
    return user if user and user.active else None


def admin_required(view):
    """View decorator: signed in with the admin role, else 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, description=_("This needs the admin role (deleting and reverting)."))
        return view(*args, **kwargs)

    return wrapped


def editor_required(view):
    """View decorator: signed in as an editor or admin (one who publishes), else 403;
    contributors propose changes but never publish, import, revert or approve."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.publishes:
            abort(403, description=_("This needs the editor role; contributors propose changes."))
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects): a relative
    path starting with one "/", without backslashes, control characters or a host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if target.startswith("/login"):
        return None  # back to the sign-in form would be a loop
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in form; throttled after repeated failures per username and address."""
    form = LoginForm()
    if request.method == "GET":
        back = safe_next(request.args.get("next"))
        if current_user.is_authenticated:
            return redirect(back or url_for("editor.index"))
        form.next.data = back or ""
        return render_template("login.html", form=form)
    if not form.validate():
        return render_template("login.html", form=form), 400
    return _attempt(form)


def _attempt(form: LoginForm):
    """Reserve a place under the throttle, then check the password; sign in or re-render
    with the reason."""
    cfg, address = current_app.config, request.remote_addr or "unknown"
    username = form.username.data
    # The attempt counts as a failure until the password proves right (atomic, so a burst
    # of simultaneous guesses cannot all slip under the limit).
    wait = login_throttle.reserve(
        username, address, cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_WINDOW_SECONDS"]
    )
    if wait:
        flash(
            ngettext(
                "Too many failed sign-ins for this username or from this address. "
                "Try again in %(num)s minute.",
                "Too many failed sign-ins for this username or from this address. "
                "Try again in %(num)s minutes.",
                wait,
            ),
            "error",
        )
        return render_template("login.html", form=form), 429
    user = find_user(username)
    if not _password_ok(user, form.password.data):
        flash(str(BAD_CREDENTIALS), "error")
        return render_template("login.html", form=form), 401
    login_throttle.clear(username, address)
    replaced = session.get(SESSION_TOKEN)
    session.clear()  # a fresh session on sign-in (no fixation)
    if isinstance(replaced, str):
        # No browser holds the session this one leaves: a copy of its cookie must not.
        user_sessions.end(replaced)
    token = user_sessions.start(user.id, user_sessions.Lifetimes.from_config(cfg))
    login_user(user)
    session[SESSION_TOKEN] = token
    flash(_("Signed in as %(name)s.", name=user.username), "info")
    return redirect(safe_next(form.next.data) or url_for("editor.index"))


def find_user(username: str) -> User | None:
    """The account of a typed username, whatever its case."""
    return db.session.scalar(
        select(User).where(func.lower(User.username) == passwords.username_key(username))
    )


def expired_login_form():
    """The sign-in form again, username kept, after its CSRF token went stale."""
    form = LoginForm(formdata=None)
    form.username.data = request.form.get("username", "")[:80]
    form.next.data = safe_next(request.form.get("next")) or ""
    flash(_("The sign-in form had been open too long. Enter your password again."), "info")
    return render_template("login.html", form=form), 400


def _password_ok(user: User | None, password: str) -> bool:
    """Check the password; unknown or inactive users take as long as known ones."""
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when there is no such user (same cost)."""
    return generate_password_hash("not a real password")


@bp.post("/logout")
@login_required
def logout():
    """Sign out (POST with a CSRF token, so no other site can sign you out); the session
    record ends too, so a copy of the cookie signs no one in."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        user_sessions.end(token)
    logout_user()
    session.clear()
    flash(_("Signed out."), "info")
    return redirect(url_for("main.index"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """End every session of this account, on every browser and device."""
    lifetimes = user_sessions.Lifetimes.from_config(current_app.config)
    ended = user_sessions.end_user(current_user.id, lifetimes)
    logout_user()
    session.clear()
    flash(
        ngettext(
            "Signed out everywhere (%(num)s session ended).",
            "Signed out everywhere (%(num)s sessions ended).",
            ended,
        ),
        "info",
    )
    return redirect(url_for("main.index"))
