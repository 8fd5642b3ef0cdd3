"""Server-side sign-in sessions: the cookie carries a random token, the database its hash.

Deleting a row ends that session at once, on every worker process. Rows are deleted on
sign-out, by "sign out everywhere", when they pass their idle or absolute lifetime, and
whenever an account's password, role or active flag changes through an ORM session (the
command line, a form, a script that loads the User and commits: a before_flush hook), so an
old cookie never outlives the account state it was made for. Raw SQL and bulk update()
statements bypass the hook; `users deactivate` then `activate` ends the sessions after them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, event, func, inspect, or_, select, update
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
    created, seen = clock.aware(record.created_at), clock.aware(record.last_seen_at)
    if now - seen > lifetimes.idle_after_seen or now - created > lifetimes.absolute:
        _bookkeeping(delete(UserSession).where(UserSession.id == record.id))
        return None
    if now - seen > lifetimes.touch:
        _bookkeeping(
            update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now)
        )
    return record


def end(token: str) -> None:
    """End the session with this token (sign-out)."""
    db.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
    db.session.commit()


def end_all(user_id: int) -> int:
    """End every session of one account; return how many there were (not committed)."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return result.rowcount or 0


def count(user_id: int) -> int:
    """How many sessions an account has open."""
    query = select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
    return db.session.scalar(query) or 0


def _expired(lifetimes: Lifetimes, now: dt.datetime):
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
