"""Migrations: an empty database upgrades to head and matches the models exactly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.db.models import Actor, ControlPeriod, Site
from app.extensions import db, include_object


def test_models_and_migrations_do_not_drift(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            ),
            db.metadata,
        )
    assert diff == []


def test_upgrade_creates_every_table(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {
        "site",
        "actor",
        "control_period",
        "status_period",
        "source",
        "event",
        "user",
        "revision",
        "crossing",
        "alembic_version",
    } <= tables


def _site_and_actor():
    actor = Actor(slug="a", name="A", short="A", kind="state", colour="#112233")
    site = Site(slug="s", name="S", country="SY", kind="town", lon=40.0, lat=34.0)
    db.session.add_all([actor, site])
    db.session.commit()
    return site, actor


@pytest.mark.parametrize(
    "sql, rule",
    [
        ("UPDATE control_period SET end_date = start_date", "end_after_start"),
        ("UPDATE control_period SET start_precision = 'week'", "start_precision"),
        ("UPDATE control_period SET site_id = 9999", "fk"),
        ("UPDATE site SET lat = 95", "lat_range"),
        ("UPDATE actor SET colour = 'red'", "colour_hex"),
    ],
)
def test_database_enforces_its_own_rules(app, sql, rule):
    import datetime as dt

    with app.app_context():
        site, actor = _site_and_actor()
        db.session.add(
            ControlPeriod(
                site=site, actor=actor, start=dt.date(2014, 1, 1), end=dt.date(2015, 1, 1)
            )
        )
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text(sql))
            db.session.commit()
        db.session.rollback()


def test_postgresql_refuses_overlapping_periods_itself(app):
    import datetime as dt

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("exclusion constraints are PostgreSQL-only")
        site, actor = _site_and_actor()
        for start, end in ((dt.date(2014, 1, 1), dt.date(2015, 1, 1)), (dt.date(2014, 6, 1), None)):
            db.session.add(ControlPeriod(site=site, actor=actor, start=start, end=end))
        with pytest.raises(IntegrityError, match="no_overlap"):
            db.session.commit()
        db.session.rollback()
