"""`flask users end-sessions` and `users sessions`: an administrator ends sign-ins without
changing the account, and sees which sessions are live first."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select, update

from app.db.models import Actor, User, UserSession
from app.extensions import db

SIGNED_IN, SIGNED_OUT = 200, 302  # /editor/ sends a signed-out browser to /login


def _editor(client) -> int:
    return client.get("/editor/").status_code


def _another_browser(app, name, password):
    client = app.test_client()
    resp = client.post("/login", data={"username": name, "password": password})
    assert resp.status_code == 302
    return client


def _rows(app, name=None) -> int:
    query = select(UserSession).join(User)
    if name:
        query = query.where(User.username == name)
    with app.app_context():
        return len(db.session.scalars(query).all())


def test_end_sessions_signs_one_account_out_of_every_browser(app, runner, sign_in, password):
    laptop = sign_in(app, "ann")
    phone = _another_browser(app, "ann", password)
    bob = sign_in(app, "bob")
    result = runner.invoke(args=["users", "end-sessions", "ann"])
    assert result.exit_code == 0, result.output
    assert result.output == "Ended 2 sessions of ann.\n"
    assert _editor(laptop) == _editor(phone) == SIGNED_OUT
    assert laptop.get("/editor/").headers["Location"].startswith("/login")
    assert _editor(bob) == SIGNED_IN  # another account's session survives
    assert _rows(app, "ann") == 0 and _rows(app, "bob") == 1
    # The account itself is untouched: the same password signs in again.
    with app.app_context():
        ann = db.session.scalar(select(User).where(User.username == "ann"))
        assert ann.active and ann.role == "editor" and ann.check_password(password)
    assert _editor(_another_browser(app, "ann", password)) == SIGNED_IN


def test_a_write_from_an_ended_session_is_refused(app, runner, sign_in):
    client = sign_in(app, "ann")
    assert runner.invoke(args=["users", "end-sessions", "ann"]).exit_code == 0
    form = {"slug": "late-actor", "name": "Late", "kind": "non_state", "colour": "#123abc"}
    resp = client.post("/editor/actors/new", data=form)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    with app.app_context():
        assert db.session.scalar(select(Actor).where(Actor.slug == "late-actor")) is None


def test_a_remember_cookie_does_not_bring_an_ended_session_back(app, runner, sign_in):
    client = sign_in(app, "ann")
    assert runner.invoke(args=["users", "end-sessions", "ann"]).exit_code == 0
    with app.app_context():
        ann_id = db.session.scalar(select(User.id).where(User.username == "ann"))
    with app.test_request_context():
        forged = encode_cookie(str(ann_id))  # as Flask-Login itself would sign it
    client.set_cookie("remember_token", forged)
    assert _editor(client) == SIGNED_OUT


def test_end_sessions_counts_one_and_none_in_words(app, runner, sign_in, make_user):
    sign_in(app, "ann")
    make_user(app, "cy")
    assert runner.invoke(args=["users", "end-sessions", "ANN"]).output == (
        "Ended 1 session of ann.\n"  # found in any case, named as it is spelt
    )
    assert runner.invoke(args=["users", "end-sessions", "cy"]).output == "Ended 0 sessions of cy.\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["users", "end-sessions", "nobody"], "no user called 'nobody'"),
        (["users", "end-sessions"], "name one account, or give --all"),
        (["users", "end-sessions", "ann", "--all"], "name one account, or give --all"),
        (["users", "sessions", "nobody"], "no user called 'nobody'"),
    ],
)
def test_unknown_names_and_missing_targets_are_refused(app, runner, sign_in, args, message):
    client = sign_in(app, "ann")
    result = runner.invoke(args=args, input="y\n")
    assert result.exit_code == 2 and message in result.output
    assert _editor(client) == SIGNED_IN


def test_end_all_asks_first_and_no_ends_nothing(app, runner, sign_in):
    ann, bob = sign_in(app, "ann"), sign_in(app, "bob")
    for answer in ("n\n", ""):  # a "no", and no answer at all (standard input closed)
        result = runner.invoke(args=["users", "end-sessions", "--all"], input=answer)
        assert result.exit_code == 1 and "Aborted" in result.output
        assert "End all sessions of every account (2 sessions live now)?" in result.output
        assert _editor(ann) == _editor(bob) == SIGNED_IN
    result = runner.invoke(args=["users", "end-sessions", "--all"], input="y\n")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Ended 2 sessions of all accounts.\n")
    assert _editor(ann) == _editor(bob) == SIGNED_OUT
    assert _rows(app) == 0


def test_end_all_with_yes_asks_nothing(app, runner, sign_in):
    ann, bob = sign_in(app, "ann"), sign_in(app, "bob")
    result = runner.invoke(args=["users", "end-sessions", "--all", "--yes"])
    assert result.exit_code == 0 and result.output == "Ended 2 sessions of all accounts.\n"
    assert _editor(ann) == _editor(bob) == SIGNED_OUT


def test_sessions_lists_live_sessions_but_never_their_tokens(app, runner, sign_in, password):
    ann = sign_in(app, "ann")
    _another_browser(app, "ann", password)
    sign_in(app, "bob")
    every = runner.invoke(args=["users", "sessions"])
    assert every.exit_code == 0, every.output
    lines = every.output.splitlines()
    assert lines[0].split() == "user signed in last seen idle ends ends by".split()
    assert [line.split()[0] for line in lines[1:]] == ["ann", "ann", "bob"]
    with app.app_context():
        hashes = db.session.scalars(select(UserSession.token_hash)).all()
    serializer = app.session_interface.get_signing_serializer(app)
    token = serializer.loads(ann.get_cookie("session").value)["_session_token"]
    for secret in [token, *hashes]:
        assert secret not in every.output
    one = runner.invoke(args=["users", "sessions", "Bob"])
    assert [line.split()[0] for line in one.output.splitlines()[1:]] == ["bob"]
    runner.invoke(args=["users", "end-sessions", "bob"])
    assert runner.invoke(args=["users", "sessions", "bob"]).output == "No live sessions of bob.\n"
    runner.invoke(args=["users", "end-sessions", "--all", "--yes"])
    assert runner.invoke(args=["users", "sessions"]).output == "No live sessions.\n"


def test_sessions_show_when_each_ends(app, runner, sign_in):
    sign_in(app, "ann")
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=12)
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    created, seen = now - dt.timedelta(hours=3), now - dt.timedelta(minutes=10)
    with app.app_context():
        db.session.execute(update(UserSession).values(created_at=created, last_seen_at=seen))
        db.session.commit()
    row = runner.invoke(args=["users", "sessions"]).output.splitlines()[1]
    # Idle: 30 minutes after the last use noted, plus the 30 s that use may be stale by.
    idle_end = seen + dt.timedelta(minutes=30, seconds=30)
    expected = [created, seen, idle_end, created + dt.timedelta(hours=12)]
    assert row.split() == ["ann"] + [
        part for t in expected for part in t.strftime("%Y-%m-%d %H:%M UTC").split()
    ]


def test_expired_rows_are_neither_listed_nor_counted_as_ended(app, runner, sign_in, password):
    old = sign_in(app, "ann")
    _another_browser(app, "ann", password)
    app.config["SESSION_IDLE_MINUTES"] = 30
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=45)
    serializer = app.session_interface.get_signing_serializer(app)
    token = serializer.loads(old.get_cookie("session").value)["_session_token"]
    from app.db.user_sessions import token_hash

    with app.app_context():  # past its idle time, but no request has met it yet
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token))
            .values(last_seen_at=long_ago)
        )
        db.session.commit()
    assert _rows(app, "ann") == 2
    listed = runner.invoke(args=["users", "sessions", "ann"]).output.splitlines()
    assert len(listed) == 2  # the heading and the one live session
    result = runner.invoke(args=["users", "end-sessions", "ann"])
    assert result.output == "Ended 1 session of ann.\n"
    assert _rows(app, "ann") == 0  # the expired row went too
