"""Synthetic demo data: plausible, deterministic, valid periods; the command guards real data."""

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

from app import demo, timeline
from app.extensions import db
from app.models import Actor, ControlPeriod, Site, StatusPeriod, control_period_source

BORDER = [(42.356, 37.110), (41.0, 34.4), (38.774, 33.372)]
TODAY = dt.date(2026, 1, 1)


def _make(n=60, k=6, seed=3):
    return demo.generate(n, k, seed=seed, actors=list(range(1, 16)),
                         sources=list(range(100, 120)), border=BORDER, today=TODAY)


def test_same_seed_same_data_other_seed_other_data():
    assert _make() == _make()
    assert _make().sites != _make(seed=4).sites


def test_sites_lie_near_the_border_on_the_right_side():
    made = _make(200)
    assert len({s.slug for s in made.sites}) == 200
    for s in made.sites:
        assert s.slug.startswith(demo.SLUG_PREFIX) and s.name and s.name_ar
        assert 38.0 < s.lon < 43.0 and 32.8 < s.lat < 37.7
        assert s.kind in ("crossing_side", "town", "garrison", "zone")
    # The border runs north-east to south-west: Iraq lies east of it.
    east = [s for s in made.sites if s.lon > 42.5]
    assert east and all(s.country == "IQ" for s in east if s.lat < 37.0)


def test_each_site_gets_k_non_overlapping_periods_by_different_actors():
    made = _make(100, 8)
    for site, group in itertools.groupby(made.control, key=lambda p: p.site):
        periods = list(group)
        assert len(periods) == 8
        spans = [timeline.Period(p.start, p.end, start_precision=p.start_precision,
                                 end_precision=p.end_precision) for p in periods]
        for a, b in itertools.combinations(spans, 2):
            assert not timeline.overlaps(a, b)
        for a, b in zip(periods, periods[1:], strict=False):
            assert a.end is not None and (a.end < b.start or a.value != b.value)


def test_mix_of_precisions_gaps_contests_confidence_and_open_bounds():
    made = _make(300)
    periods = made.control
    precisions = {p.start_precision for p in periods if p.start}
    assert precisions == {"day", "month", "year"}
    for p in periods:
        if p.start and p.start_precision != "day":
            assert p.start == timeline.floor_date(p.start, p.start_precision)
    assert any(a.end and b.start and a.end < b.start and a.site == b.site
               for a, b in zip(periods, periods[1:], strict=False))        # gaps
    assert any(p.contested and p.challenger not in (None, p.value) for p in periods)
    assert not any(p.challenger for p in periods if not p.contested)
    assert {p.confidence for p in periods} == {"high", "medium", "low"}
    assert any(p.start is None for p in periods) and any(p.end is None for p in periods)
    assert all(1 <= len(p.sources) <= 3 for p in periods)
    assert made.status and {p.value for p in made.status} <= {"open", "closed", "restricted"}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_sites": 0}, "at least 1"), ({"actors": [1]}, "two actors"), ({"sources": []}, "source")])
def test_bad_arguments_are_refused(kwargs, message):
    args = {"n_sites": 2, "n_periods": 2, "seed": 1, "actors": [1, 2], "sources": [1],
            "border": BORDER, "today": TODAY, **kwargs}
    with pytest.raises(ValueError, match=message):
        demo.generate(args.pop("n_sites"), args.pop("n_periods"), **args)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_command_fills_an_empty_database_with_seed_actors_and_sources(app, runner):
    result = runner.invoke(args=["demo-data", "--sites", "30", "--periods", "4"])
    assert result.exit_code == 0, result.output
    assert "added 30 sites, 120 control periods" in result.output
    with app.app_context():
        assert _count(Site) == 30 and _count(ControlPeriod) == 120
        assert _count(Actor) == 15 and _count(control_period_source) >= 120
        site = db.session.scalar(select(Site).limit(1))
        assert site.search_text and site.note.startswith("Synthetic demo site")


def test_command_replaces_earlier_demo_sites(app, runner):
    runner.invoke(args=["demo-data", "--sites", "20", "--periods", "3"])
    result = runner.invoke(args=["demo-data", "--sites", "10", "--periods", "2", "--seed", "9"])
    assert "Removed 20 earlier demo sites; added 10 sites" in result.output
    with app.app_context():
        assert _count(Site) == 10 and _count(ControlPeriod) == 20


def test_command_refuses_real_data_without_force(seeded, runner):
    result = runner.invoke(args=["demo-data", "--sites", "5"])
    assert result.exit_code == 1 and "holds 11 real sites" in result.output
    with seeded.app_context():
        assert _count(Site) == 11


def test_force_adds_demo_sites_next_to_real_data(seeded, runner):
    with seeded.app_context():
        real_periods = _count(ControlPeriod)
    result = runner.invoke(args=["demo-data", "--sites", "5", "--periods", "2", "--force"])
    assert result.exit_code == 0, result.output
    with seeded.app_context():
        assert _count(Site) == 16 and _count(ControlPeriod) == real_periods + 10
        assert _count(StatusPeriod) >= 29


def test_demo_data_shows_on_the_map_page(app, runner):
    runner.invoke(args=["demo-data", "--sites", "12", "--periods", "3"])
    html = app.test_client().get("/?date=2016-01-01").get_data(as_text=True)
    assert html.count('<tr id="row-demo-') == 12


@pytest.mark.parametrize("args", [["--sites", "0"], ["--periods", "x"], ["--sites", "-3"]])
def test_bad_options_are_refused(runner, args):
    result = runner.invoke(args=["demo-data", *args])
    assert result.exit_code == 2 and "Invalid value" in result.output
