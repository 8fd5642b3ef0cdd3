"""Sign-in throttling: failed attempts counted per username and per client address.

Failures live in the database (not in process memory) so that every worker process
of a multi-process server sees the same counts.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, select

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
    now = now or clock.now()
    since = now - dt.timedelta(seconds=window)
    oldest = []
    for column, value in (
        (LoginFailure.username, key(username)),
        (LoginFailure.address, address[:45]),
    ):
        recent = (
            select(LoginFailure.at)
            .where(column == value, LoginFailure.at > since)
            .order_by(LoginFailure.at.desc())
            .limit(max_failures)
        )
        times = list(db.session.scalars(recent))
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
