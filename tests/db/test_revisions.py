"""Revision snapshots and field-level diffs."""

from sqlalchemy import select

from app.core import clock
from app.db import revisions
from app.db.models import Event
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
