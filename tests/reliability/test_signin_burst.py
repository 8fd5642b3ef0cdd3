"""A burst of simultaneous wrong guesses against a live threaded server lets at most
LOGIN_MAX_FAILURES password checks through; the rest are refused with 429."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.db.models import LoginFailure
from app.extensions import db

BURST = 50


def _burst(url: str, username: str, count: int = BURST) -> Counter:
    body = urllib.parse.urlencode({"username": username, "password": "wrong guess"}).encode()
    start = threading.Barrier(count)

    def attempt(_):
        start.wait()  # every request leaves at the same moment
        try:
            with urllib.request.urlopen(f"{url}/login", data=body, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(count) as pool:
        return Counter(pool.map(attempt, range(count)))


def test_burst_of_50_wrong_guesses_lets_at_most_the_limit_through(app, make_user, live_url):
    app.config.update(LOGIN_MAX_FAILURES=5)
    make_user(app, "ann")
    statuses = _burst(live_url, "ann")
    print(f"burst of {BURST}: {dict(statuses)}")
    assert statuses[401] <= 5, statuses
    assert statuses[401] + statuses[429] == BURST, statuses
    with app.app_context():
        recorded = db.session.scalar(select(func.count()).select_from(LoginFailure))
    assert recorded == statuses[401]


def test_a_burst_under_other_spellings_of_the_name_shares_the_limit(app, make_user, live_url):
    app.config.update(LOGIN_MAX_FAILURES=3)
    make_user(app, "ann")
    statuses = _burst(live_url, "ANN", 10) + _burst(live_url, " ann ", 10)
    assert statuses[401] <= 3, statuses


def test_the_right_password_still_works_after_a_burst_once_the_window_passed(
    app, make_user, live_url, password
):
    app.config.update(LOGIN_MAX_FAILURES=5)
    make_user(app, "ann")
    _burst(live_url, "ann", 20)
    with app.app_context():
        db.session.execute(LoginFailure.__table__.delete())
        db.session.commit()
    body = urllib.parse.urlencode({"username": "ann", "password": password}).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{live_url}/login", data=body, timeout=30)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
    else:
        raise AssertionError("expected a redirect after signing in")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
