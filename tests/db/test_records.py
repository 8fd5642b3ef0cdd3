"""Write rules shared by the editor and revert."""

import pytest
from sqlalchemy import select

from app.db import records
from app.db.models import Actor, ControlPeriod, Site, Source
from app.extensions import db


@pytest.fixture
def ctx(seeded):
    with seeded.app_context():
        yield


def _one(model, **by):
    return db.session.scalar(select(model).filter_by(**by))


def test_delete_blockers_name_what_uses_a_row(ctx):
    site = _one(Site, slug="al-qaim")
    blockers = records.delete_blockers(site)
    assert blockers[0].endswith("control periods") and blockers[1].endswith("status periods")
    assert any("control periods" in b for b in records.delete_blockers(_one(Actor, slug="isis")))
    assert records.delete_blockers(_one(Source, ref="S28"))
    assert records.delete_blockers(Source(id=10**6, title="unused")) == []


def test_periods_never_block_their_own_deletion(ctx):
    assert records.delete_blockers(db.session.scalars(select(ControlPeriod)).first()) == []


def test_taken_unique_and_missing_reference(ctx):
    copy = Actor(id=10**6, slug="isis", name="x", short="x", kind="state", colour="#000000")
    assert records.taken_unique(copy).startswith("slug 'isis' is now used by actor #")
    orphan = ControlPeriod(id=10**6, site_id=10**6, actor_id=_one(Actor, slug="isis").id)
    assert records.missing_reference(orphan) == (
        f"its site_id points at site #{10**6}, which no longer exists"
    )


def test_overlap_message_names_the_other_period(ctx):
    isis = db.session.scalar(
        select(ControlPeriod).where(
            ControlPeriod.actor.has(slug="isis"), ControlPeriod.site.has(slug="al-qaim")
        )
    )
    assert records.overlap_message(isis) is None
    copy = ControlPeriod(
        site_id=isis.site_id,
        actor_id=isis.actor_id,
        start=isis.start,
        end=None,
    )
    with db.session.no_autoflush:
        message = records.overlap_message(copy)
    assert f"would overlap the period {isis.as_period().describe()}" in message


def test_a_free_source_ref_skips_refs_saved_or_waiting_to_be(ctx):
    db.session.add(Source(ref="crossing-handed-over", title="Crossing handed over"))
    db.session.commit()
    assert records.free_source_ref("Crossing handed over") == "crossing-handed-over-2"
    db.session.add(Source(ref="crossing-handed-over-2", title="Crossing handed over"))
    assert records.free_source_ref("Crossing handed over!") == "crossing-handed-over-3"
    db.session.rollback()
    own = _one(Source, ref="crossing-handed-over")
    assert records.free_source_ref(own.title, own.id) == "crossing-handed-over"
    assert records.free_source_ref("معبر") == "source-1"


def test_actor_names_by_slug_leave_out_none_and_unknown_slugs(ctx):
    isis = _one(Actor, slug="isis")
    assert records.actor_names(["isis", None, "no-such-actor", "isis"]) == {
        "isis": (isis.name, isis.name_ar)
    }
    assert records.actor_names([None]) == {}
