"""Ending sessions from the database layer: one account's or everyone's, counted by the same
liveness rule `find` applies, and safe against a request using the session meanwhile."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select, update

from app.core import clock
from app.db import user_sessions
from app.db.models import UserSession
from app.extensions import db

LIFETIMES = user_sessions.Lifetimes(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))


def _start(app, user_id: int) -> str:
    with app.app_context():
        return user_sessions.start(user_id, LIFETIMES)


def _age(app, token: str, created=dt.timedelta(0), last_seen=dt.timedelta(0)) -> None:
    now = clock.now()
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == user_sessions.token_hash(token))
            .values(created_at=now - created, last_seen_at=now - last_seen)
        )
        db.session.commit()


def _live(app, token: str) -> bool:
    with app.app_context():
        return user_sessions.find(token, LIFETIMES) is not None


def _rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession))


def test_end_user_ends_that_account_only_and_counts_its_live_sessions(app, make_user):
    ann, bob = make_user(app, "ann"), make_user(app, "bob")
    ann_tokens = [_start(app, ann) for _ in range(3)]
    bob_token = _start(app, bob)
    _age(app, ann_tokens[0], last_seen=dt.timedelta(hours=1))  # expired, not yet deleted
    with app.app_context():
        assert user_sessions.end_user(ann, LIFETIMES) == 2
    with app.app_context():  # committed: another connection sees it
        assert db.session.scalars(select(UserSession.user_id)).all() == [bob]
    assert not any(_live(app, token) for token in ann_tokens)
    assert _live(app, bob_token)


def test_end_everyone_ends_every_account(app, make_user):
    tokens = [_start(app, make_user(app, name)) for name in ("ann", "bob", "cy")]
    _age(app, tokens[2], created=dt.timedelta(hours=13))  # past the absolute lifetime
    with app.app_context():
        assert user_sessions.end_everyone(LIFETIMES) == 2
    assert _rows(app) == 0 and not any(_live(app, token) for token in tokens)
    with app.app_context():
        assert user_sessions.end_everyone(LIFETIMES) == 0


@pytest.mark.parametrize(
    "created, last_seen",
    [
        (dt.timedelta(hours=12) - dt.timedelta(seconds=1), dt.timedelta(0)),
        (dt.timedelta(hours=12) + dt.timedelta(seconds=1), dt.timedelta(0)),
        (dt.timedelta(hours=1), LIFETIMES.idle_after_seen - dt.timedelta(seconds=1)),
        (dt.timedelta(hours=1), LIFETIMES.idle_after_seen + dt.timedelta(seconds=1)),
    ],
)
def test_the_listing_and_find_agree_on_which_sessions_are_live(
    app, make_user, monkeypatch, created, last_seen
):
    token = _start(app, make_user(app, "ann"))
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    _age(app, token, created=created, last_seen=last_seen)
    with app.app_context():
        listed = user_sessions.live(LIFETIMES)
    assert bool(listed) == _live(app, token)
    if listed:
        (row,) = listed
        assert row.username == "ann"
        assert row.idle_end == now - last_seen + LIFETIMES.idle_after_seen
        assert row.absolute_end == now - created + LIFETIMES.absolute
        assert not hasattr(row, "token_hash")


def test_the_listing_is_of_one_account_when_asked(app, make_user):
    ann, bob = make_user(app, "ann"), make_user(app, "bob")
    for user_id in (bob, ann, ann):
        _start(app, user_id)
    with app.app_context():
        assert [row.username for row in user_sessions.live(LIFETIMES)] == ["ann", "ann", "bob"]
        assert [row.username for row in user_sessions.live(LIFETIMES, bob)] == ["bob"]


def test_a_session_ended_while_a_request_notes_its_use_stays_ended(app, make_user, monkeypatch):
    """The request read the row, the administrator ends it, then the request writes its
    last use: that write must not bring the row back."""
    ann = make_user(app, "ann")
    token = _start(app, ann)
    _age(app, token, last_seen=dt.timedelta(minutes=5))  # due a touch
    note_use = user_sessions._bookkeeping
    ended = []

    def end_first(statement):
        with app.app_context():  # another connection, as another process would be
            ended.append(user_sessions.end_user(ann, LIFETIMES))
        note_use(statement)

    monkeypatch.setattr(user_sessions, "_bookkeeping", end_first)
    with app.app_context():
        user_sessions.find(token, LIFETIMES)  # the request in flight still gets its answer
    monkeypatch.undo()
    assert ended == [1]
    assert _rows(app) == 0 and not _live(app, token)


def test_ending_waits_for_a_use_being_noted_and_still_ends_the_session(app, make_user):
    """A request's uncommitted touch holds the row: the end waits for it, then deletes."""
    ann = make_user(app, "ann")
    token = _start(app, ann)
    result: list[int] = []
    end_user = user_sessions.end_user  # looked up here, so a failure fails this test

    def end():
        with app.app_context():
            result.append(end_user(ann, LIFETIMES))

    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=clock.now()))
        ender = threading.Thread(target=end)
        ender.start()
        time.sleep(0.5)
        assert ender.is_alive()  # waiting for the touch's transaction
        db.session.commit()
    ender.join(10)
    assert result == [1]
    assert _rows(app) == 0 and not _live(app, token)
