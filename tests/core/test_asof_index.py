"""The as-of Track finds, for every site at once, exactly the periods timeline's rules
say may apply on a day, and the certain holder when there is one and nothing else."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import asof_index, bounds, timeline
from app.core.asof_index import Track

_day = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2016, 12, 31))


@st.composite
def _bound(draw):
    """A day, a month, a year, a window, an open window or nothing (an open side)."""
    day = draw(_day)
    form = draw(st.sampled_from(("none", "day", "month", "year", "window", "open")))
    if form == "none":
        return None
    if form == "window":
        return bounds.parse(f"{day}/{day + dt.timedelta(days=draw(st.integers(1, 90)))}")
    if form == "open":
        return bounds.parse(draw(st.sampled_from((f"../{day}", f"{day}/.."))))
    return bounds.parse({"day": str(day), "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}[form])


@st.composite
def _period(draw):
    """Any period, overlapping others or not: the Track must not rely on the rule."""
    start, end = draw(_bound()), draw(_bound())
    try:
        return timeline.Period(start, end)
    except ValueError:
        return timeline.Period(start, None)


def _track(sites: list[list[timeline.Period]]) -> Track:
    flat = [(n, p) for n, periods in enumerate(sites) for p in periods]
    starts = [asof_index.start_days(p.start) for _, p in flat]
    ends = [asof_index.end_days(p.end) for _, p in flat]
    return Track.build(
        len(sites),
        [n for n, _ in flat],
        [s[0] for s in starts],
        [s[1] for s in starts],
        [e[0] for e in ends],
        [e[1] for e in ends],
    )


@settings(max_examples=300, deadline=None)
@given(
    sites=st.lists(st.lists(_period(), max_size=6), min_size=1, max_size=5),
    days=st.lists(_day, min_size=1, max_size=6),
)
def test_lookup_and_candidates_follow_timeline(sites, days):
    track = _track(sites)
    rows = [p for periods in sites for p in periods]  # the rows Track.row points at
    first = np.cumsum([0] + [len(p) for p in sites])
    for day in days:
        d = day.toordinal()
        held, slow = track.lookup(d)
        batch = track.candidates_of(range(len(sites)), d)
        for s, periods in enumerate(sites):
            possible = sorted(
                (first[s] + i for i, p in enumerate(periods) if timeline.holds_possibly(p, day)),
                key=lambda r: timeline._start_key(rows[r]),
            )
            assert track.candidates(s, d) == possible == batch[s]
            sure = len(possible) == 1 and timeline.holds_certainly(rows[possible[0]], day)
            # Held: the one period that may apply, certainly. Slow (left to the caller's
            # rule, as when periods tie on their start): some period may apply. Neither:
            # none may.
            if s in slow.tolist():
                assert held[s] == -1 and possible
            else:
                assert held[s] == (possible[0] if sure else -1)
                assert sure or not possible
            if held[s] >= 0:
                assert timeline.answer(periods, day).period is rows[possible[0]]


def test_open_sides_and_the_extreme_days():
    """Open bounds become NEG / POS; the first and last calendar days still answer."""
    assert asof_index.start_days(None) == (asof_index.NEG, asof_index.NEG)
    assert asof_index.end_days(None) == (asof_index.POS, asof_index.POS)
    assert asof_index.start_days(bounds.parse("2015/..")) == (
        dt.date(2015, 1, 1).toordinal(),
        asof_index.POS,
    )
    track = _track([[timeline.Period(None, None)], []])
    for day in (dt.date.min, dt.date.max):
        held, slow = track.lookup(day.toordinal())
        assert held.tolist() == [0, -1] and slow.tolist() == []


def test_an_empty_track_answers_nothing():
    held, slow = Track.build(3, [], [], [], [], []).lookup(dt.date(2015, 1, 1).toordinal())
    assert held.tolist() == [-1, -1, -1] and slow.tolist() == []
