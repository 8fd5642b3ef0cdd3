"""A copied session cookie stops working the moment its session is ended on the server:
sign-out, sign out everywhere, a new password, deactivation, a role change, expiry, and a
restore. Flask-Login's remember cookie cannot bring a session back."""

from __future__ import annotations

import datetime as dt

from flask_login.utils import encode_cookie
from sqlalchemy import func, select, update

from app.db.models import User, UserSession
from app.extensions import db

SIGNED_IN, SIGNED_OUT = 200, 302  # /editor/ answers 302 to /login when signed out


def _signed_in(app, sign_in, name="ann", role="editor"):
    client = sign_in(app, name, role)
    cookie = client.get_cookie("session").value
    return client, cookie


def _sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession))


def test_the_cookie_only_names_a_server_side_session(app, sign_in, replay):
    _, cookie = _signed_in(app, sign_in)
    assert replay(cookie) == SIGNED_IN
    with app.app_context():
        record = db.session.scalars(select(UserSession)).one()
        assert len(record.token_hash) == 64  # a hash: the token itself is not stored


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app, sign_in, replay):
    client, cookie = _signed_in(app, sign_in)
    assert client.post("/logout").status_code == 302
    assert replay(cookie) == SIGNED_OUT
    assert _sessions(app) == 0


def test_sign_out_everywhere_ends_the_other_browsers_too(app, sign_in, password, replay):
    laptop, laptop_cookie = _signed_in(app, sign_in)
    phone = app.test_client()
    assert phone.post("/login", data={"username": "ann", "password": password}).status_code == 302
    page = phone.get("/").get_data(as_text=True)
    assert ">Sign out everywhere</button>" in page and 'action="/logout/everywhere"' in page
    resp = phone.post("/logout/everywhere", follow_redirects=True)
    assert "Signed out everywhere (2 sessions ended)" in resp.get_data(as_text=True)
    assert laptop.get("/editor/").status_code == SIGNED_OUT
    assert replay(laptop_cookie) == SIGNED_OUT
    assert phone.get("/editor/").status_code == SIGNED_OUT


def _leave_unused(app, session_id=None):
    """Age one session row (or all) past its lifetime; the row stays until met or swept."""
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    aged = update(UserSession).values(created_at=old, last_seen_at=old)
    if session_id is not None:
        aged = aged.where(UserSession.id == session_id)
    with app.app_context():
        db.session.execute(aged)
        db.session.commit()


def test_the_sessions_ended_are_counted_among_the_live_ones_only(app, sign_in, password, runner):
    _signed_in(app, sign_in)
    phone = app.test_client()
    assert phone.post("/login", data={"username": "ann", "password": password}).status_code == 302
    with app.app_context():
        laptop = db.session.scalar(select(func.min(UserSession.id)))
    _leave_unused(app, laptop)  # long expired, still a row: a new sign-in would sweep it
    resp = phone.post("/logout/everywhere", follow_redirects=True)
    assert "Signed out everywhere (1 session ended)" in resp.get_data(as_text=True)
    assert _sessions(app) == 0
    assert phone.post("/login", data={"username": "ann", "password": password}).status_code == 302
    _leave_unused(app)
    result = runner.invoke(args=["users", "set-password", "ann"], input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "signed out of" not in result.output


def test_sign_out_everywhere_is_a_post_only_for_signed_in_users(app, client):
    assert client.get("/logout/everywhere").status_code == 405
    assert client.post("/logout/everywhere").headers["Location"].startswith("/login")


def test_cli_set_password_ends_the_sessions(app, sign_in, runner, replay):
    _, cookie = _signed_in(app, sign_in)
    result = runner.invoke(args=["users", "set-password", "ann"], input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "signed out of 1 session" in result.output
    assert replay(cookie) == SIGNED_OUT


def test_cli_deactivate_ends_the_sessions_and_activate_does_not_revive_them(
    app, sign_in, runner, replay
):
    _, cookie = _signed_in(app, sign_in)
    assert runner.invoke(args=["users", "deactivate", "ann"]).exit_code == 0
    assert replay(cookie) == SIGNED_OUT
    assert runner.invoke(args=["users", "activate", "ann"]).exit_code == 0
    assert replay(cookie) == SIGNED_OUT


def test_cli_role_change_ends_the_sessions(app, sign_in, runner, replay):
    _, cookie = _signed_in(app, sign_in, role="admin")
    result = runner.invoke(args=["users", "set-role", "ann", "editor"])
    assert result.exit_code == 0 and "signed out of 1 session" in result.output
    assert replay(cookie) == SIGNED_OUT


def test_same_role_again_keeps_the_sessions(app, sign_in, runner, replay):
    _, cookie = _signed_in(app, sign_in)
    assert runner.invoke(args=["users", "set-role", "ann", "editor"]).exit_code == 0
    assert replay(cookie) == SIGNED_IN


def test_any_change_of_account_state_ends_the_sessions_even_outside_the_cli(app, sign_in, replay):
    _, cookie = _signed_in(app, sign_in)
    with app.app_context():  # e.g. a restore or a script writing the row
        db.session.execute(select(User)).scalars().one().password_hash = "!restored"
        db.session.commit()
    assert replay(cookie) == SIGNED_OUT


def test_raw_sql_bypasses_the_hook_as_the_readme_says_and_its_remedy_works(
    app, sign_in, runner, replay
):
    """The hook sees ORM writes only: a password changed with raw SQL leaves the session
    open (the README says so), and `users deactivate` then `activate` ends it."""
    from sqlalchemy import text

    _, cookie = _signed_in(app, sign_in)
    with app.app_context():
        db.session.execute(text("UPDATE \"user\" SET password_hash = '!raw'"))
        db.session.commit()
    assert replay(cookie) == SIGNED_IN
    assert runner.invoke(args=["users", "deactivate", "ann"]).exit_code == 0
    assert runner.invoke(args=["users", "activate", "ann"]).exit_code == 0
    assert replay(cookie) == SIGNED_OUT


def test_idle_sessions_end(app, sign_in, replay):
    _, cookie = _signed_in(app, sign_in)
    app.config["SESSION_IDLE_MINUTES"] = 30
    _age(app, last_seen=dt.timedelta(minutes=29))
    assert replay(cookie) == SIGNED_IN  # and this use counts as activity
    with app.app_context():
        seen = db.session.scalars(select(UserSession.last_seen_at)).one()
    assert dt.datetime.now(dt.UTC) - seen.replace(tzinfo=dt.UTC) < dt.timedelta(minutes=1)
    _age(app, last_seen=dt.timedelta(minutes=31))
    assert replay(cookie) == SIGNED_OUT
    assert _sessions(app) == 0  # an expired record is removed when met


def test_sessions_end_after_the_absolute_lifetime_however_active(app, sign_in, replay):
    _, cookie = _signed_in(app, sign_in)
    app.config["SESSION_MAX_HOURS"] = 12
    _age(app, created=dt.timedelta(hours=11, minutes=59))
    assert replay(cookie) == SIGNED_IN
    _age(app, created=dt.timedelta(hours=12, minutes=1))
    assert replay(cookie) == SIGNED_OUT


def test_the_signed_cookie_itself_expires_with_the_absolute_lifetime(app):
    assert app.permanent_session_lifetime == dt.timedelta(hours=app.config["SESSION_MAX_HOURS"])


def test_a_remember_cookie_cannot_sign_anyone_in(app, make_user):
    user_id = make_user(app, "ann")
    with app.test_request_context():
        forged = encode_cookie(str(user_id))  # as Flask-Login itself would sign it
    client = app.test_client()
    client.set_cookie("remember_token", forged)
    assert client.get("/editor/").status_code == SIGNED_OUT


def test_a_cookie_of_another_users_session_is_refused(app, sign_in, make_user, replay):
    """The session record must belong to the user the cookie names."""
    _, cookie = _signed_in(app, sign_in)
    other = make_user(app, "bob")
    with app.app_context():
        db.session.execute(update(UserSession).values(user_id=other))
        db.session.commit()
    assert replay(cookie) == SIGNED_OUT


def test_a_restored_database_carries_no_sessions(app, sign_in, replay):
    """Backups leave sign-in sessions out, so a restore signs everyone out."""
    from app.io import backup

    _, cookie = _signed_in(app, sign_in)
    with app.app_context():
        assert "user_session" not in {t.name for t in backup._tables()}
        # What a restore leaves: the rows of every table but the sessions.
        db.session.execute(UserSession.__table__.delete())
        db.session.commit()
    assert replay(cookie) == SIGNED_OUT


def _age(app, last_seen=dt.timedelta(0), created=dt.timedelta(0)) -> None:
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        db.session.execute(
            update(UserSession).values(last_seen_at=now - last_seen, created_at=now - created)
        )
        db.session.commit()


def test_an_active_session_ends_only_after_the_idle_time_since_its_last_request(
    app, sign_in, replay, monkeypatch
):
    """last_seen_at is written rarely, yet a session ends only once SESSION_IDLE_MINUTES have
    passed since the last request, never while the user is active (a fake clock)."""
    from app.core import clock

    app.config["SESSION_IDLE_MINUTES"] = 1
    start = dt.datetime.now(dt.UTC)
    moment = [start]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    _, cookie = _signed_in(app, sign_in)
    for seconds in (25, 50, 75, 100, 125, 150):  # a request every 25 s: never 60 s idle
        moment[0] = start + dt.timedelta(seconds=seconds)
        assert replay(cookie) == SIGNED_IN, seconds
    # Idle since the last request: it ends within a sixtieth of the idle time (1 s) after.
    moment[0] = start + dt.timedelta(seconds=150 + 62)
    assert replay(cookie) == SIGNED_OUT


def test_at_the_default_idle_time_an_active_session_writes_at_most_once_a_minute(
    app, sign_in, replay, monkeypatch
):
    from app.core import clock

    app.config["SESSION_IDLE_MINUTES"] = 120
    start = dt.datetime.now(dt.UTC)
    moment = [start]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    _, cookie = _signed_in(app, sign_in)
    writes = 0
    for seconds in range(10, 600, 10):  # a request every 10 s for 10 minutes
        moment[0] = start + dt.timedelta(seconds=seconds)
        before = _last_seen(app)
        assert replay(cookie) == SIGNED_IN
        writes += _last_seen(app) != before
    assert writes <= 10
    last = start + dt.timedelta(seconds=590 + 59, minutes=119)  # 1 s short of idle
    moment[0] = last
    assert replay(cookie) == SIGNED_IN
    moment[0] = last + dt.timedelta(minutes=121, seconds=1)  # idle (and a minute's slack)
    assert replay(cookie) == SIGNED_OUT


def _last_seen(app) -> dt.datetime:
    with app.app_context():
        return db.session.scalars(select(UserSession.last_seen_at)).one()
