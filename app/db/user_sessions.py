"""Server-side sign-in sessions: the cookie carries a random token, the database its hash.

Deleting a row ends that session at once, on every worker process. Rows are deleted on
sign-out, by "sign out everywhere", by `flask users end-sessions` (one account or all), when
they pass their idle or absolute lifetime, and whenever an account's password, role or
active flag changes through an ORM session (the command line, a form, a script that loads
the User and commits: a before_flush hook), so an old cookie never outlives the account
state it was made for. Raw SQL and bulk update() statements bypass the hook;
`users end-sessions NAME` ends the sessions after them.

Rows are only ever inserted by `start` with a new token: a request's touch is an UPDATE of
an existing row, so a session ended while a request is using it stays ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, event, func, inspect, or_, select, true, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.core import clock
from app.db.models import User, UserSession
from app.extensions import db

log = logging.getLogger(__name__)

#: last_seen_at is rewritten at most this often, so reading pages is not a write each time
#: (less often still for short idle lifetimes: see `Lifetimes.touch`).
TOUCH_EVERY = dt.timedelta(minutes=1)
#: Changing any of these ends every session of the account.
_ACCOUNT_STATE = ("password_hash", "role", "active")


@dataclass(frozen=True)
class Lifetimes:
    """How long a session may stay unused (idle) and live at all (absolute)."""

    idle: dt.timedelta
    absolute: dt.timedelta

    @property
    def touch(self) -> dt.timedelta:
        """How stale last_seen_at may get: a request this soon after it is not written.
        A minute at most, and a sixtieth of the idle lifetime (one second for one minute)."""
        return min(TOUCH_EVERY, self.idle / 60)

    @property
    def idle_after_seen(self) -> dt.timedelta:
        """Unused this long after last_seen_at, a session is idle. The last request may have
        come up to `touch` later than last_seen_at says, so it ends no sooner than `idle`
        after the last request (and at most `touch` later)."""
        return self.idle + self.touch

    def idle_end(self, last_seen: dt.datetime) -> dt.datetime:
        """The moment a session last seen at `last_seen` ends unless used again."""
        return clock.aware(last_seen) + self.idle_after_seen

    def absolute_end(self, created: dt.datetime) -> dt.datetime:
        """The moment a session created at `created` ends however active."""
        return clock.aware(created) + self.absolute

    def over(self, created: dt.datetime, last_seen: dt.datetime, now: dt.datetime) -> bool:
        """Tell whether a session has passed its idle or absolute lifetime at `now`."""
        return now > self.idle_end(last_seen) or now > self.absolute_end(created)

    @classmethod
    def from_config(cls, config) -> Lifetimes:
        """The lifetimes set by SESSION_IDLE_MINUTES and SESSION_MAX_HOURS."""
        return cls(
            dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            dt.timedelta(hours=config["SESSION_MAX_HOURS"]),
        )


def init_app() -> None:
    """End an account's sessions in the same transaction that changes its state."""
    # Listening twice with the same function is a no-op, so repeated apps are safe.
    event.listen(db.session, "before_flush", _end_on_account_change)


def token_hash(token: str) -> str:
    """What the database keeps of a token (a stolen table gives no usable cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(user_id: int, lifetimes: Lifetimes) -> str:
    """Record a new session for `user_id` and return its token for the cookie."""
    now = clock.now()
    db.session.execute(delete(UserSession).where(_expired(lifetimes, now)))
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(token_hash=token_hash(token), user_id=user_id, created_at=now, last_seen_at=now)
    )
    db.session.commit()
    return token


def find(token: str, lifetimes: Lifetimes, now: dt.datetime | None = None) -> UserSession | None:
    """The live session with this token, its last use noted; None if ended or expired."""
    now = now or clock.now()
    record = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == token_hash(token))
    )
    if record is None:
        return None
    if lifetimes.over(record.created_at, record.last_seen_at, now):
        _bookkeeping(delete(UserSession).where(UserSession.id == record.id))
        return None
    if now - clock.aware(record.last_seen_at) > lifetimes.touch:
        _bookkeeping(
            update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now)
        )
    return record


def end(token: str) -> None:
    """End the session with this token (sign-out)."""
    db.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
    db.session.commit()


@dataclass(frozen=True)
class LiveSession:
    """A live session as an administrator sees it: whose, and when (never its token)."""

    username: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    idle_end: dt.datetime
    absolute_end: dt.datetime


def live(lifetimes: Lifetimes, user_id: int | None = None) -> list[LiveSession]:
    """The live sessions of one account, or of all, by username and age."""
    now = clock.now()
    query = (
        select(User.username, UserSession.created_at, UserSession.last_seen_at)
        .join(User, User.id == UserSession.user_id)
        .order_by(func.lower(User.username), UserSession.created_at, UserSession.id)
    )
    if user_id is not None:
        query = query.where(UserSession.user_id == user_id)
    return [
        LiveSession(
            name,
            clock.aware(created),
            clock.aware(seen),
            lifetimes.idle_end(seen),
            lifetimes.absolute_end(created),
        )
        for name, created, seen in db.session.execute(query)
        # Rows past their lifetime that no request has met yet: `find` refuses them.
        if not lifetimes.over(created, seen, now)
    ]


def end_user(user_id: int, lifetimes: Lifetimes) -> int:
    """End every session of one account now; return how many of them were live."""
    return _end(UserSession.user_id == user_id, lifetimes)


def end_everyone(lifetimes: Lifetimes) -> int:
    """End every session of every account now; return how many of them were live."""
    return _end(true(), lifetimes)


def _end(which, lifetimes: Lifetimes) -> int:
    """Delete the matching rows and commit; return how many of them were live."""
    now = clock.now()
    # Counted from the rows the delete itself returns, not a count before it: a session
    # started or ended meanwhile is counted exactly when this statement removed it.
    ended = db.session.execute(
        delete(UserSession).where(which).returning(UserSession.created_at, UserSession.last_seen_at)
    ).all()
    db.session.commit()
    return sum(not lifetimes.over(created, seen, now) for created, seen in ended)


def count(user_id: int, lifetimes: Lifetimes) -> int:
    """How many live sessions an account has (rows past their lifetime are not sessions)."""
    query = (
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user_id, ~_expired(lifetimes, clock.now()))
    )
    return db.session.scalar(query) or 0


def _expired(lifetimes: Lifetimes, now: dt.datetime):
    """`Lifetimes.over` as an SQL condition, to delete expired rows in bulk."""
    return or_(
        UserSession.last_seen_at < now - lifetimes.idle_after_seen,
        UserSession.created_at < now - lifetimes.absolute,
    )


def _bookkeeping(statement) -> None:
    """Run and commit a bookkeeping write at once (the user is looked up before a request
    does its own work, so nothing else is pending). A read-only database must not stop
    anyone reading, so a refused write is only logged."""
    try:
        db.session.execute(statement)
        db.session.commit()
    except DBAPIError as exc:
        db.session.rollback()
        log.warning("session bookkeeping not saved: %s", str(exc.orig).splitlines()[0])


def _end_on_account_change(session: Session, _context, _instances) -> None:
    changed = {
        obj.id
        for obj in session.dirty
        if isinstance(obj, User)
        and obj.id is not None
        and any(inspect(obj).attrs[name].history.has_changes() for name in _ACCOUNT_STATE)
    }
    if changed:
        session.execute(delete(UserSession).where(UserSession.user_id.in_(changed)))
