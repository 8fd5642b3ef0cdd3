"""Time semantics: half-open periods, precision, as-of, overlaps, gaps, change points."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import timeline
from app.core.timeline import Period

BASE = dt.date(2014, 1, 1)
SPAN = 120  # a small window keeps brute-force checks exact


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


offsets = st.integers(min_value=0, max_value=SPAN)
days = offsets.map(day)
precisions = st.sampled_from(timeline.PRECISIONS)


@st.composite
def periods(draw, value=None):
    """Any valid period, possibly open at either end."""
    a = draw(st.one_of(st.none(), offsets))
    b = draw(st.one_of(st.none(), offsets))
    if a is not None and b is not None:
        a, b = min(a, b), max(a, b)
        if a == b:
            b += 1
    return Period(
        None if a is None else day(a),
        None if b is None else day(b),
        draw(st.integers(0, 3)) if value is None else value,
        draw(precisions),
        draw(precisions),
    )


@st.composite
def timelines(draw):
    """A non-overlapping, possibly gappy sequence of periods for one site."""
    cuts = sorted(set(draw(st.lists(offsets, min_size=0, max_size=8))))
    bounds = [None, *(day(c) for c in cuts), None]
    out = []
    for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if draw(st.booleans()):  # leave a gap here (unknown)
            continue
        out.append(Period(a, b, draw(st.integers(0, 3)), key=i))
    return out


def covering(ps, d):
    return [p for p in ps if timeline.contains(p, d)]


# --- properties ------------------------------------------------------------------


@given(timelines(), days)
def test_no_date_maps_to_two_periods(ps, d):
    assert len(covering(ps, d)) <= 1
    assert timeline.as_of(ps, d) == (covering(ps, d) or [None])[0]


@given(periods(), periods())
def test_overlap_is_symmetric_and_exact(a, b):
    assert timeline.overlaps(a, b) == timeline.overlaps(b, a)
    shared = any(
        timeline.contains(a, d) and timeline.contains(b, d) for d in map(day, range(-1, SPAN + 2))
    )
    assert timeline.overlaps(a, b) == shared


@given(timelines(), periods())
def test_find_overlaps_lists_exactly_the_colliding_periods(ps, candidate):
    found = timeline.find_overlaps(ps, candidate)
    assert found == [p for p in ps if timeline.overlaps(p, candidate)]


@given(st.dictionaries(st.sampled_from("abc"), timelines(), max_size=3))
def test_every_change_point_changes_some_answer(sites):
    for point in timeline.change_points(sites):
        before = point - dt.timedelta(days=1)
        assert any(_answer(ps, point) != _answer(ps, before) for ps in sites.values())


@given(st.dictionaries(st.sampled_from("abc"), timelines(), max_size=3), days)
def test_answers_only_change_on_change_points(sites, d):
    points = set(timeline.change_points(sites))
    before = d - dt.timedelta(days=1)
    if d not in points:
        assert all(_answer(ps, d) == _answer(ps, before) for ps in sites.values())


def _answer(ps, d):
    p = timeline.as_of(ps, d)
    return None if p is None else ("known", p.value)


@given(offsets, days)
def test_open_ended_periods(start, d):
    ongoing = Period(day(start), None)
    since_before = Period(None, day(start))
    assert timeline.contains(ongoing, d) == (d >= day(start))
    assert timeline.contains(since_before, d) == (d < day(start))
    assert timeline.contains(ongoing, d) != timeline.contains(since_before, d)


@given(periods(), days)
def test_day_precision_is_never_uncertain(p, d):
    exact = Period(p.start, p.end, p.value)
    assert not timeline.is_uncertain(exact, d)


@given(periods(), days)
def test_uncertain_only_inside_an_imprecise_bounds_month_or_year(p, d):
    inside = [
        b is not None
        and prec != "day"
        and timeline.floor_date(b, prec) <= d < _next(timeline.floor_date(b, prec), prec)
        for b, prec in ((p.start, p.start_precision), (p.end, p.end_precision))
    ]
    assert timeline.is_uncertain(p, d) == any(inside)


def _next(first: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return first.replace(year=first.year + 1)
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@given(timelines(), offsets, offsets)
def test_gaps_are_exactly_the_unknown_days(ps, a, b):
    lo, hi = day(min(a, b)), day(max(a, b))
    gap_days = {
        d
        for g in timeline.gaps(ps, lo, hi)
        for d in (g[0] + dt.timedelta(days=i) for i in range((g[1] - g[0]).days))
    }
    unknown = {
        d
        for d in (lo + dt.timedelta(days=i) for i in range((hi - lo).days))
        if timeline.as_of(ps, d) is None
    }
    assert gap_days == unknown


# --- examples --------------------------------------------------------------------


def test_end_day_belongs_to_the_next_period():
    isis = Period(dt.date(2015, 5, 21), dt.date(2016, 3, 4), "isis")
    nsa = Period(dt.date(2016, 3, 4), None, "nsa")
    assert timeline.as_of([isis, nsa], dt.date(2016, 3, 3)).value == "isis"
    assert timeline.as_of([isis, nsa], dt.date(2016, 3, 4)).value == "nsa"


def test_month_precision_flags_the_whole_month():
    pesh = Period(dt.date(2014, 6, 1), dt.date(2014, 8, 1), "pesh", "month", "month")
    assert timeline.answer([pesh], dt.date(2014, 6, 17)).uncertain
    assert not timeline.answer([pesh], dt.date(2014, 7, 17)).uncertain
    assert timeline.answer([pesh], dt.date(2014, 8, 1)).period is None


@pytest.mark.parametrize(
    "text",
    ["2015-13-45", "yesterday", "2015-02-30", "2015-1-1", "' OR 1=1 --", "", "２０１５-０１-０１"],
)
def test_parse_date_refuses(text):
    with pytest.raises(ValueError):
        timeline.parse_date(text)


def test_period_refuses_end_not_after_start():
    with pytest.raises(ValueError, match="must be after"):
        Period(dt.date(2014, 1, 2), dt.date(2014, 1, 2))


def test_describe_names_open_bounds():
    assert Period(None, dt.date(2013, 3, 2)).describe() == "before records – 2 Mar 2013"
