"""Logging a change: which period closes, and which dates are refused and why."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import timeline
from app.core.log_change import ChangeRefused, plan

D = dt.date
GOV = timeline.Period(None, D(2014, 6, 21), "Gov", key=1)
ISIS = timeline.Period(D(2014, 6, 21), D(2017, 11, 3), "ISIS", key=2)
BACK = timeline.Period(D(2017, 11, 3), None, "Gov", key=3)


def test_closes_the_open_period():
    assert plan([GOV, ISIS, BACK], D(2024, 12, 8), "PMF") is BACK


def test_no_open_period_means_nothing_closes():
    assert plan([GOV, ISIS], D(2018, 1, 1), "PMF") is None
    assert plan([], D(2018, 1, 1), "PMF") is None


def test_date_inside_a_closed_period_names_it():
    with pytest.raises(
        ChangeRefused,
        match=r"falls inside the period 21 Jun 2014 – "
        r"3 Nov 2017 \(ISIS\)",
    ) as exc:
        plan([GOV, ISIS, BACK], D(2015, 1, 1), "PMF")
    assert exc.value.about_date and "edit the periods" in str(exc.value)


@pytest.mark.parametrize("day", [D(2017, 11, 3), D(2016, 1, 1)])
def test_date_not_after_the_open_period_start_is_refused(day):
    gap = [timeline.Period(None, D(2012, 1, 1), "Gov", key=1), BACK]
    with pytest.raises(
        ChangeRefused,
        match="not after the start of the current period "
        r"3 Nov 2017 – ongoing \(Gov\)",
    ):
        plan(gap, day, "PMF")


def test_same_value_as_the_open_period_is_refused_on_the_value():
    with pytest.raises(ChangeRefused, match="already Gov") as exc:
        plan([BACK], D(2020, 1, 1), "Gov")
    assert not exc.value.about_date


def test_date_before_a_later_closed_period_is_refused():
    with pytest.raises(ChangeRefused, match=r"comes before the period 21 Jun 2014"):
        plan([ISIS], D(2013, 1, 1), "PMF")


@given(st.dates(D(2010, 1, 1), D(2026, 1, 1)))
def test_an_accepted_change_never_creates_an_overlap(day):
    periods = [GOV, ISIS, BACK]
    try:
        closing = plan(periods, day, "PMF")
    except ChangeRefused:
        return
    kept = [p for p in periods if p is not closing]
    closed = timeline.Period(closing.start, day, closing.value)
    new = timeline.Period(day, None, "PMF")
    for p in (*kept, closed):
        assert not timeline.overlaps(p, new)
