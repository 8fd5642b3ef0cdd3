"""The demo-data command: fills benchmark databases and guards real data."""

import pytest
from sqlalchemy import func, select

from app.db.models import (
    Actor,
    ControlPeriod,
    Site,
    StatusPeriod,
    control_period_source,
)
from app.extensions import db


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
    assert result.exit_code == 2 and "holds 11 real sites" in result.output
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


def test_command_waits_for_the_write_lock_and_is_refused_after_the_timeout(
    app, impatient, lock_held
):
    """A bulk write takes the editor's write lock: held elsewhere, it waits, then refuses."""
    result = impatient.test_cli_runner().invoke(
        args=["demo-data", "--sites", "5", "--periods", "2"]
    )
    assert result.exit_code == 2, result.output
    assert "WRITE_LOCK_TIMEOUT" in result.output and "nothing was changed" in result.output
    lock_held.rollback()
    with app.app_context():
        assert _count(Site) == 0
