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
        ("UPDATE control_period SET end_latest = start_earliest", "possible_span"),
        ("UPDATE control_period SET start_latest = '2013-12-31'", "bounds"),
        ("UPDATE control_period SET end_edtf = NULL", "bounds"),
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


def test_0005_turns_days_and_precisions_into_windows_and_back(app):
    """Old rows keep exactly what they said: a day, the whole month, the whole year."""
    from flask_migrate import downgrade, upgrade

    rows = "SELECT id, start_edtf, start_earliest, start_latest, end_edtf, end_earliest, end_latest"
    with app.app_context():
        db.session.remove()
        downgrade(revision="0004")
        try:
            s = db.session
            s.execute(
                text(
                    "INSERT INTO site (id, slug, name, name_ar, aliases, country, kind, lon, lat,"
                    " location_precision, location_note, note, search_text, version) VALUES"
                    " (901, 'm', 'M', '', '[]', 'SY', 'town', 40, 34, 'exact', '', '', '', 1)"
                )
            )
            s.execute(
                text(
                    "INSERT INTO actor (id, slug, name, name_ar, short, kind, colour, note,"
                    " version) VALUES (901, 'a', 'A', '', 'A', 'state', '#000000', '', 1)"
                )
            )
            s.execute(
                text(
                    "INSERT INTO control_period (id, site_id, actor_id, start_date,"
                    " start_precision, end_date, end_precision, contested, confidence, note,"
                    " version) VALUES"
                    " (901, 901, 901, NULL, 'day', '2014-06-01', 'month', false, 'high', '', 1),"
                    " (902, 901, 901, '2014-06-01', 'month', '2015-01-01', 'year', false,"
                    " 'high', '', 1),"
                    " (903, 901, 901, '2016-03-04', 'day', NULL, 'day', false, 'high', '', 1)"
                )
            )
            s.execute(
                text(
                    "INSERT INTO revision (id, entity, entity_id, action, at, before, after,"
                    " comment) VALUES (901, 'control_period', 902, 'create', '2026-01-01', NULL,"
                    ' \'{"start": "2014-06-01", "start_precision": "month", "end": "2015-01-01",'
                    ' "end_precision": "year", "note": ""}\', \'\')'
                )
            )
            s.commit()
            upgrade()
            got = s.execute(text(f"{rows} FROM control_period WHERE id > 900 ORDER BY id")).all()
            assert [tuple(str(v) if v is not None else None for v in r) for r in got] == [
                ("901", None, None, None, "2014-06", "2014-06-01", "2014-06-30"),
                ("902", "2014-06", "2014-06-01", "2014-06-30", "2015", "2015-01-01", "2015-12-31"),
                ("903", "2016-03-04", "2016-03-04", "2016-03-04", None, None, None),
            ]
            after = s.execute(text("SELECT after FROM revision WHERE id = 901")).scalar()
            after = after if isinstance(after, dict) else __import__("json").loads(after)
            assert after["start_edtf"] == "2014-06" and after["end_latest"] == "2015-12-31"
            s.commit()
            downgrade(revision="0004")
            old = s.execute(
                text(
                    "SELECT id, start_date, start_precision, end_date, end_precision"
                    " FROM control_period WHERE id > 900 ORDER BY id"
                )
            ).all()
            assert [tuple(str(v) if v is not None else None for v in r) for r in old] == [
                ("901", None, "day", "2014-06-01", "month"),
                ("902", "2014-06-01", "month", "2015-01-01", "year"),
                ("903", "2016-03-04", "day", None, "day"),
            ]
            s.commit()
        finally:
            db.session.rollback()
            upgrade()


def test_0006_gives_event_dates_their_window_and_back(app):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        db.session.remove()
        downgrade(revision="0005")
        try:
            s = db.session
            s.execute(
                text(
                    "INSERT INTO event (id, slug, date, precision, title, description,"
                    " confidence, version) VALUES"
                    " (901, 'e1', '2011-03-01', 'month', 'Uprising', '', 'high', 1),"
                    " (902, 'e2', '2014-06-10', 'day', 'Mosul', '', 'high', 1),"
                    " (903, 'e3', '2014-01-01', 'year', 'Year', '', 'high', 1)"
                )
            )
            s.execute(
                text(
                    "INSERT INTO revision (id, entity, entity_id, action, at, before, after,"
                    " comment) VALUES (902, 'event', 901, 'create', '2026-01-01', NULL,"
                    ' \'{"date": "2011-03-01", "precision": "month", "title": "Uprising"}\','
                    " '')"
                )
            )
            s.commit()
            upgrade()
            after = s.execute(text("SELECT after FROM revision WHERE id = 902")).scalar()
            after = after if isinstance(after, dict) else __import__("json").loads(after)
            assert (after["date_edtf"], after["date_latest"]) == ("2011-03", "2011-03-31")
            got = s.execute(
                text(
                    "SELECT id, date_edtf, date, date_latest, precision FROM event"
                    " WHERE id > 900 ORDER BY id"
                )
            ).all()
            assert [tuple(str(v) for v in r) for r in got] == [
                ("901", "2011-03", "2011-03-01", "2011-03-31", "month"),
                ("902", "2014-06-10", "2014-06-10", "2014-06-10", "day"),
                ("903", "2014", "2014-01-01", "2014-12-31", "year"),
            ]
            s.commit()
            downgrade(revision="0005")
            old = s.execute(
                text("SELECT id, date, precision FROM event WHERE id > 900 ORDER BY id")
            ).all()
            assert [tuple(str(v) for v in r) for r in old] == [
                ("901", "2011-03-01", "month"),
                ("902", "2014-06-10", "day"),
                ("903", "2014-01-01", "year"),
            ]
            s.commit()
        finally:
            db.session.rollback()
            upgrade()


def test_0007_gives_existing_actors_empty_arabic_labels_and_back(app):
    """Actors already held as controllers gain the columns in place (no table copy)."""
    import datetime as dt

    from flask_migrate import downgrade, upgrade

    with app.app_context():
        site, actor = _site_and_actor()
        db.session.add(ControlPeriod(site=site, actor=actor, start=dt.date(2014, 1, 1)))
        db.session.commit()
        db.session.remove()
        downgrade(revision="0006")
        try:
            columns = {c["name"] for c in inspect(db.engine).get_columns("actor")}
            assert not {"short_ar", "name_ar_transliterated"} & columns
            upgrade()
            got = db.session.execute(
                text("SELECT short_ar, name_ar_transliterated FROM actor WHERE slug = 'a'")
            ).one()
            assert (got[0], bool(got[1])) == ("", False)
            db.session.commit()
        finally:
            db.session.rollback()
            upgrade()
