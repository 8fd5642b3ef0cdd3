"""Synthetic demo data: plausible, deterministic, valid periods."""

import datetime as dt
import itertools

import pytest

from app.core import demo_data, timeline

BORDER = [(42.356, 37.110), (41.0, 34.4), (38.774, 33.372)]
TODAY = dt.date(2026, 1, 1)


def _make(n=60, k=6, seed=3):
    return demo_data.generate(
        n,
        k,
        seed=seed,
        actors=list(range(1, 16)),
        sources=list(range(100, 120)),
        border=BORDER,
        today=TODAY,
    )


def test_same_seed_same_data_other_seed_other_data():
    assert _make() == _make()
    assert _make().sites != _make(seed=4).sites


def test_sites_lie_near_the_border_on_the_right_side():
    made = _make(200)
    assert len({s.slug for s in made.sites}) == 200
    for s in made.sites:
        assert s.slug.startswith(demo_data.SLUG_PREFIX) and s.name and s.name_ar
        assert 38.0 < s.lon < 43.0 and 32.8 < s.lat < 37.7
        assert s.kind in ("crossing_side", "town", "garrison", "zone")
    # The border runs north-east to south-west: Iraq lies east of it.
    east = [s for s in made.sites if s.lon > 42.5]
    assert east and all(s.country == "IQ" for s in east if s.lat < 37.0)


def test_each_site_gets_k_non_overlapping_periods_by_different_actors():
    made = _make(100, 8)
    for _site, group in itertools.groupby(made.control, key=lambda p: p.site):
        periods = list(group)
        assert len(periods) == 8
        spans = [timeline.Period(p.start, p.end) for p in periods]
        for a, b in itertools.combinations(spans, 2):
            assert not timeline.overlaps(a, b)
        for a, b in zip(periods, periods[1:], strict=False):
            assert a.end is not None and (a.end.earliest < b.start.earliest or a.value != b.value)


def test_mix_of_precisions_gaps_contests_confidence_and_open_bounds():
    made = _make(300)
    periods = made.control
    precisions = {p.start.precision for p in periods if p.start}
    assert precisions == {"day", "month", "year"}
    for p in periods:  # a month or a year is the whole month or year, never a chosen day
        if p.start and p.start.precision != "day":
            assert p.start.earliest == timeline.floor_date(p.start.latest, p.start.precision)
    assert any(
        a.end and b.start and a.end.latest < b.start.earliest and a.site == b.site
        for a, b in zip(periods, periods[1:], strict=False)
    )  # gaps
    assert any(p.contested and p.challenger not in (None, p.value) for p in periods)
    assert not any(p.challenger for p in periods if not p.contested)
    assert {p.confidence for p in periods} == {"high", "medium", "low"}
    assert any(p.start is None for p in periods) and any(p.end is None for p in periods)
    assert all(1 <= len(p.sources) <= 3 for p in periods)
    assert made.status and {p.value for p in made.status} <= {"open", "closed", "restricted"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_sites": 0}, "at least 1"), ({"actors": [1]}, "two actors"), ({"sources": []}, "source")],
)
def test_bad_arguments_are_refused(kwargs, message):
    args = {
        "n_sites": 2,
        "n_periods": 2,
        "seed": 1,
        "actors": [1, 2],
        "sources": [1],
        "border": BORDER,
        "today": TODAY,
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        demo_data.generate(args.pop("n_sites"), args.pop("n_periods"), **args)
