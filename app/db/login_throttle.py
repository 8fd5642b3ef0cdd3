"""Sign-in throttling: failed attempts counted per username and per client address.

Failures live in the database (not in process memory) so that every worker process
of a multi-process server sees the same counts. Each attempt is counted as a failure
*before* its password is checked (`reserve`), with the count and the insert made under
one lock, so a burst of simultaneous guesses cannot all pass the check before any of
them is recorded; a good password then takes its reservation back (`clear`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session, scoped_session

from app.core import clock
from app.db.models import LoginFailure
from app.extensions import db


def key(username: str) -> str:
    """The throttling key of a typed username (case and spaces do not dodge the count)."""
    return username.strip().casefold()[:80]


def wait_minutes(
    username: str, address: str, max_failures: int, window: int, now: dt.datetime | None = None
) -> int:
    """Minutes until sign-in may be tried again, or 0 when it may be tried now."""
    if max_failures < 1:  # 0 turns throttling off
        return 0
    return _wait(db.session, key(username), address[:45], max_failures, window, now or clock.now())


def reserve(username: str, address: str, max_failures: int, window: int) -> int:
    """Count this attempt as a failure in advance, atomically with the check of the limit.

    Returns 0 when the attempt may go ahead (its failure is then already recorded), else
    the minutes to wait (nothing is recorded). Commits: runs in a transaction of its own.
    """
    if max_failures < 1:  # 0 turns throttling off: nothing to count
        return 0
    now = clock.now()
    name, address = key(username), address[:45]
    db.session.commit()  # a transaction of its own, begun below
    try:
        _lock(name, address)
        # On SQLite this write comes first on purpose: it takes the database's write lock
        # (waiting for it) before the count is read, so checks cannot interleave.
        db.session.execute(
            delete(LoginFailure).where(LoginFailure.at <= now - dt.timedelta(seconds=window))
        )
        wait = _wait(db.session, name, address, max_failures, window, now)
        if not wait:
            db.session.execute(insert(LoginFailure).values(username=name, address=address, at=now))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return wait


def _lock(name: str, address: str) -> None:
    """On PostgreSQL, serialise throttle checks that share a username or an address until
    the transaction ends (SQLite serialises every write anyway, see reserve)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Transaction-level advisory locks, taken in a fixed order so two attempts never
        # wait on each other crosswise.
        for lock in sorted({_lock_id("u:" + name), _lock_id("a:" + address)}):
            db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock})


def _lock_id(value: str) -> int:
    """A signed 64-bit advisory-lock id for a throttling key."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "big", signed=True)


def _wait(
    conn: Session | scoped_session,
    name: str,
    address: str,
    max_failures: int,
    window: int,
    now: dt.datetime,
) -> int:
    """Minutes until the username or the address has fewer than max_failures failures."""
    since = now - dt.timedelta(seconds=window)
    oldest = []
    for column, value in ((LoginFailure.username, name), (LoginFailure.address, address)):
        recent = (
            select(LoginFailure.at)
            .where(column == value, LoginFailure.at > since)
            .order_by(LoginFailure.at.desc())
            .limit(max_failures)
        )
        times = list(conn.scalars(recent))
        if len(times) >= max_failures:
            oldest.append(clock.aware(times[-1]))
    if not oldest:
        return 0
    seconds = (max(oldest) + dt.timedelta(seconds=window) - now).total_seconds()
    return max(1, math.ceil(seconds / 60))


def record_failure(username: str, address: str, window: int) -> None:
    """Count one failed sign-in and forget failures older than the window."""
    now = clock.now()
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(seconds=window))
    )
    db.session.add(LoginFailure(username=key(username), address=address[:45], at=now))
    db.session.commit()


def clear(username: str, address: str) -> None:
    """Forget the failures of this username from this address after a good sign-in."""
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == key(username), LoginFailure.address == address[:45]
        )
    )
    db.session.commit()
