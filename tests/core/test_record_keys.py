"""Record keys of periods: unique per start window, readable back, safe in a URL path."""

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import bounds
from app.core.record_keys import parse_period_key, period_key

DAYS = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))


def _starts():
    """EDTF starts of every kind: a day, a month, a year, a window, open on either side."""
    day = DAYS.map(lambda d: d.isoformat())
    month = DAYS.map(lambda d: d.isoformat()[:7])
    year = DAYS.map(lambda d: d.isoformat()[:4])
    window = st.tuples(DAYS, st.integers(1, 400)).map(
        lambda t: f"{t[0]}/{t[0] + dt.timedelta(days=t[1])}"
    )
    before = DAYS.map(lambda d: f"../{d}")
    after = DAYS.map(lambda d: f"{d}/..")
    return st.one_of(day, month, year, window, before, after)


@settings(max_examples=80, deadline=None)
@given(_starts(), st.sampled_from(["control", "status"]))
def test_a_key_reads_back_as_the_days_its_start_allows(text, kind):
    start = bounds.parse(text)
    key = period_key("al-qaim", kind, start)
    assert re.fullmatch(r"[a-z0-9.-]+", key)  # no escaping in a URL path
    assert parse_period_key(key) == ("al-qaim", kind, (start.earliest, start.latest))
    assert period_key("al-qaim", kind, text) == key


@settings(max_examples=80, deadline=None)
@given(_starts(), _starts())
def test_starts_with_different_windows_have_different_keys(a, b):
    first, second = bounds.parse(a), bounds.parse(b)
    same = (first.earliest, first.latest) == (second.earliest, second.latest)
    assert (period_key("x", "control", first) == period_key("x", "control", second)) == same


def test_a_day_and_a_window_from_that_day_differ():
    assert period_key("x", "control", "2013-03-01") == "x.control.2013-03-01"
    assert period_key("x", "control", "2013-03-01/2013-03-02") == "x.control.2013-03-01..2013-03-02"
    assert period_key("x", "control", "2013-03-01?") == "x.control.2013-03-01"  # a qualifier
    assert period_key("x", "status", dt.date(2013, 3, 1)) == "x.status.2013-03-01"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "x",
        "x.control",
        "x.owner.2014-01-01",
        "x.control.2014-13-01",
        "x.control...",
        "x.control.2014-02-01..2014-01-01",
        "x.control.2014-01-01..2014-01-01",
        "17",
    ],
)
def test_anything_else_is_no_key(key):
    assert parse_period_key(key) is None


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        period_key("x", "owner", None)
