"""Revision snapshots and field-level diffs."""

import pytest
from sqlalchemy import inspect, select, text

from app.core import clock
from app.db import revisions
from app.db.models import RECORD_MODELS, ControlPeriod, Event, Proposal, Revision, StatusPeriod
from app.extensions import db


def test_diff_lists_changed_fields_in_order():
    before = {"name": "A", "note": "", "lon": 1.0, "source_ids": [1]}
    after = {"name": "B", "note": None, "lon": 1.0, "source_ids": [1, 2]}
    assert revisions.diff(before, after) == [("name", "A", "B"), ("source_ids", [1], [1, 2])]


def test_diff_of_a_creation_shows_the_filled_fields():
    assert revisions.diff(None, {"name": "A", "note": "", "aliases": []}) == [("name", None, "A")]


def test_diff_of_a_deletion_shows_what_was_there():
    assert revisions.diff({"title": "T"}, None) == [("title", "T", None)]


def test_event_snapshots_carry_their_sites_and_sources(seeded):
    with seeded.app_context():
        event = db.session.scalars(select(Event).where(Event.sites.any())).first()
        snap = revisions.snapshot(event)
        assert snap["site_ids"] == sorted(s.id for s in event.sites)
        assert snap["source_ids"] == sorted(s.id for s in event.sources)
        assert "version" not in snap and snap["date"] == event.date.isoformat()


def test_a_deletion_records_no_after(seeded):
    with seeded.app_context():
        event = db.session.scalars(select(Event)).first()
        before = revisions.snapshot(event)
        db.session.delete(event)
        rev = revisions.record(event, "delete", before)
        assert rev.after is None and rev.before == before
        db.session.rollback()


def test_clock_label_reads_naive_and_aware_times_as_utc():
    import datetime as dt

    naive = dt.datetime(2026, 1, 2, 3, 4)
    aware = dt.datetime(2026, 1, 2, 6, 4, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert clock.label(naive) == clock.label(aware) == "2026-01-02 03:04 UTC"


def test_a_deleted_rows_id_is_never_handed_out_again(seeded):
    """On SQLite the newest row's id came back after its deletion, and the history joined
    the two rows under it (migration 0011: AUTOINCREMENT). Both databases."""
    with seeded.app_context():
        for model in (ControlPeriod, StatusPeriod, Event):
            newest = db.session.scalars(select(model).order_by(model.id.desc())).first()
            taken, copy = newest.id, _copy(newest)
            db.session.delete(newest)
            db.session.commit()
            db.session.add(copy)
            db.session.commit()
            assert copy.id > taken, model.__tablename__


def test_every_table_the_history_names_counts_ids_on(seeded):
    """Each table whose rows revisions or proposals name keeps its counter on SQLite."""
    with seeded.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL's sequences never hand out an id twice")
        tables = {m.__tablename__ for m in (*RECORD_MODELS.values(), Proposal, Revision)}
        sql = dict(db.session.execute(text("SELECT name, sql FROM sqlite_master")).all())
        assert all("AUTOINCREMENT" in sql[t] for t in tables), tables


def _copy(row):
    """A new row with `row`'s column values but its id."""
    mapper = inspect(type(row))
    values = {a.key: getattr(row, a.key) for a in mapper.column_attrs if a.key != "id"}
    return type(row)(**values)
