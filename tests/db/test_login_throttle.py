"""Throttling counts failures per username and per address, inside a time window."""

import datetime as dt

from sqlalchemy import func, select

from app.db import login_throttle
from app.db.models import LoginFailure
from app.extensions import db


def _count():
    return db.session.scalar(select(func.count()).select_from(LoginFailure))


def test_blocks_after_max_failures_then_lets_go_after_the_window(app):
    with app.app_context():
        for _ in range(3):
            assert login_throttle.wait_minutes("ann", "1.2.3.4", 3, 600) == 0
            login_throttle.record_failure("ann", "1.2.3.4", 600)
        assert login_throttle.wait_minutes("ann", "1.2.3.4", 3, 600) == 10
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=601)
        assert login_throttle.wait_minutes("ann", "1.2.3.4", 3, 600, now=later) == 0


def test_username_key_ignores_case_and_spaces(app):
    with app.app_context():
        for name in ("Ann", " ann", "ANN"):
            login_throttle.record_failure(name, "1.1.1.1", 600)
        assert login_throttle.wait_minutes("ann", "9.9.9.9", 3, 600) > 0


def test_clear_forgets_that_username_from_that_address(app):
    with app.app_context():
        login_throttle.record_failure("ann", "1.1.1.1", 600)
        login_throttle.record_failure("ann", "2.2.2.2", 600)
        login_throttle.clear("ann", "1.1.1.1")
        assert _count() == 1


def test_old_failures_are_pruned(app):
    with app.app_context():
        old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        db.session.add(LoginFailure(username="x", address="1.1.1.1", at=old))
        db.session.commit()
        login_throttle.record_failure("ann", "1.1.1.1", 600)
        assert _count() == 1


def test_failures_do_not_change_the_data_version(app):
    from app.db.session_events import data_version

    with app.app_context():
        before = data_version(db.session)
        login_throttle.record_failure("ann", "1.1.1.1", 600)
        assert data_version(db.session) == before


def test_zero_turns_the_limit_off(app):
    with app.app_context():
        login_throttle.record_failure("ann", "1.1.1.1", 600)
        assert login_throttle.wait_minutes("ann", "1.1.1.1", 0, 600) == 0


def test_reserve_counts_the_attempt_before_the_password_is_checked(app):
    with app.app_context():
        for _ in range(3):
            assert login_throttle.reserve("ann", "1.1.1.1", 3, 600) == 0
        assert _count() == 3
        assert login_throttle.reserve("ANN", "2.2.2.2", 3, 600) == 10  # refused: not recorded
        assert _count() == 3


def test_a_good_password_takes_its_reservation_back(app):
    with app.app_context():
        assert login_throttle.reserve("ann", "1.1.1.1", 3, 600) == 0
        login_throttle.clear("ann", "1.1.1.1")
        assert _count() == 0


def test_reserve_with_zero_records_nothing(app):
    with app.app_context():
        assert login_throttle.reserve("ann", "1.1.1.1", 0, 600) == 0
        assert _count() == 0
