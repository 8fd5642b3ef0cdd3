"""Sign-in and sign-out, the session's user, and the role checks on writes."""

from __future__ import annotations

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
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.db import login_throttle
from app.db.models import User
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)

# The same wording whether the username exists or not.
BAD_CREDENTIALS = "Unknown username or wrong password."


def init_app(app: Flask) -> None:
    """Sign-in for this app: where to send anonymous editors, and who a session is."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to edit the record."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(
        "Username",
        validators=[InputRequired(), Length(max=80)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField("Sign in")


def load_user(user_id: str) -> User | None:
    """The active user with this id, or None (signs out deactivated users)."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None


def admin_required(view):
    """View decorator: signed in with the admin role, else 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, description="This needs the admin role (deleting and reverting).")
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in form; throttled after repeated failures per username and address."""
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("editor.index"))
        form.next.data = safe_next(request.args.get("next")) or ""
        return render_template("login.html", form=form)
    if not form.validate():
        return render_template("login.html", form=form), 400
    return _attempt(form)


def _attempt(form: LoginForm):
    """Check the throttle, then the password; sign in or re-render with the reason."""
    cfg, address = current_app.config, request.remote_addr or "unknown"
    username = form.username.data
    wait = login_throttle.wait_minutes(
        username, address, cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_WINDOW_SECONDS"]
    )
    if wait:
        flash(
            f"Too many failed sign-ins for this username or from this address. "
            f"Try again in {wait} minute{'s' if wait != 1 else ''}.",
            "error",
        )
        return render_template("login.html", form=form), 429
    user = db.session.scalar(select(User).where(User.username == username))
    if not _password_ok(user, form.password.data):
        login_throttle.record_failure(username, address, cfg["LOGIN_WINDOW_SECONDS"])
        flash(BAD_CREDENTIALS, "error")
        return render_template("login.html", form=form), 401
    login_throttle.clear(username, address)
    session.clear()  # a fresh session on sign-in (no fixation)
    login_user(user)
    flash(f"Signed in as {user.username}.", "info")
    return redirect(safe_next(form.next.data) or url_for("editor.index"))


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
    """Sign out (POST with a CSRF token, so no other site can sign you out)."""
    logout_user()
    session.clear()
    flash("Signed out.", "info")
    return redirect(url_for("main.index"))
