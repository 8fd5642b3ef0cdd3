"""Revert: restores the "before" snapshot, recreates deleted rows with their links, and
refuses overlaps, later changes, missing references and taken slugs."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.core import bounds
from app.db import revisions
from app.db.models import Actor, ControlPeriod, Event, Revision, Site, Source, User
from app.db.revert import RevertRefused, revert
from app.extensions import db


@pytest.fixture
def admin(seeded):
    with seeded.app_context():
        user = User(username="root", role="admin")
        user.set_password("x" * 12)
        db.session.add(user)
        db.session.commit()
    return seeded


def _period(actor_slug, site_slug="al-qaim"):
    """The actor's latest period at the site."""
    return db.session.scalar(
        select(ControlPeriod)
        .where(ControlPeriod.site.has(slug=site_slug), ControlPeriod.actor.has(slug=actor_slug))
        .order_by(ControlPeriod.start_earliest.desc())
        .limit(1)
    )


def _user():
    return db.session.scalar(select(User).where(User.username == "root"))


def _change(row, action="update", **values):
    """Change a row the way the editor does: snapshot, assign, record, commit."""
    before = revisions.snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    rev = revisions.record(row, action, before, _user())
    db.session.commit()
    return rev


def _delete(row):
    before = revisions.snapshot(row)
    db.session.delete(row)
    rev = revisions.record(row, "delete", before, _user())
    db.session.commit()
    return rev


def test_revert_an_update_restores_the_before_snapshot(admin):
    with admin.app_context():
        isis = _period("isis")
        was = (isis.confidence, isis.note)
        assert was[0] != "low"
        rev = _change(isis, confidence="low", note="changed")
        new = revert(rev, _user())
        isis = db.session.get(ControlPeriod, isis.id)
        assert (isis.confidence, isis.note) == was
        assert (new.action, new.before["confidence"], new.after["confidence"]) == (
            "revert",
            "low",
            was[0],
        )


def test_revert_a_delete_recreates_the_row_with_its_sources(admin):
    with admin.app_context():
        isis = _period("isis")
        pid, sources, start = isis.id, sorted(s.id for s in isis.sources), isis.start
        rev = _delete(isis)
        revert(rev, _user())
        back = db.session.get(ControlPeriod, pid)
        assert back.actor.slug == "isis" and sorted(s.id for s in back.sources) == sources
        assert back.start == start


def test_revert_a_deleted_event_recreates_its_sites(admin):
    with admin.app_context():
        event = db.session.scalars(select(Event).where(Event.sites.any())).first()
        eid, sites = event.id, sorted(s.id for s in event.sites)
        revert(_delete(event), _user())
        assert sorted(s.id for s in db.session.get(Event, eid).sites) == sites


def test_revert_a_create_deletes_the_row_and_a_second_revert_restores_it(admin):
    with admin.app_context():
        source = Source(ref="NEW", title="New")
        db.session.add(source)
        rev = revisions.record(source, "create", None, _user())
        db.session.commit()
        sid = source.id
        undo = revert(rev, _user())
        assert db.session.get(Source, sid) is None
        revert(undo, _user())
        assert db.session.get(Source, sid).title == "New"


def test_a_source_recreated_from_a_snapshot_without_a_ref_gets_one(admin):
    """History written before every source had a ref must not bring a source back without
    one: the downloads cite sources by ref."""
    with admin.app_context():
        source = Source(ref="GONE", title="Crossing handed over")
        db.session.add(source)
        db.session.commit()
        rev = _delete(source)
        rev.before = {**rev.before, "ref": None}
        db.session.commit()
        revert(rev, _user())
        assert db.session.get(Source, rev.entity_id).ref == "crossing-handed-over"


def test_revert_refuses_when_the_row_changed_since(admin):
    with admin.app_context():
        isis = _period("isis")
        first = _change(isis, confidence="low")
        second = _change(isis, note="later")
        with pytest.raises(
            RevertRefused,
            match=rf"changed since revision #{first.id}: "
            rf"revision\(s\) #{second.id} \(update by root",
        ):
            revert(first, _user())
        assert _period("isis").note == "later"


def test_revert_refuses_an_overlap_and_names_the_period(admin):
    with admin.app_context():
        isis = _period("isis")
        rev = _delete(isis)
        gov = _period("iraqi-government")
        gov = db.session.scalars(
            select(ControlPeriod).where(
                ControlPeriod.site.has(slug="al-qaim"), ControlPeriod.end_edtf.is_(None)
            )
        ).one()
        _change(gov, start=bounds.exact(dt.date(2015, 1, 1)))
        count = db.session.scalar(select(db.func.count(Revision.id)))
        with pytest.raises(
            RevertRefused,
            match=r"overlap the period 1 Jan 2015 – ongoing "
            r"\(Iraqi federal government\)",
        ):
            revert(rev, _user())
        assert db.session.get(ControlPeriod, rev.entity_id) is None
        assert db.session.scalar(select(db.func.count(Revision.id))) == count


def test_revert_refuses_a_missing_source(admin):
    with admin.app_context():
        source = Source(ref="ONLY-HERE", title="Only here")
        isis = _period("isis")
        isis.sources = [source]
        db.session.commit()
        rev = _delete(isis)
        _delete(source)
        with pytest.raises(RevertRefused, match=rf"source #{source.id} no longer exists"):
            revert(rev, _user())


def test_revert_refuses_a_missing_site(admin):
    with admin.app_context():
        site = Site(slug="tmp", name="Tmp", country="SY", kind="town", lon=40.9, lat=34.4)
        actor = db.session.scalar(select(Actor).where(Actor.slug == "isis"))
        period = ControlPeriod(
            site=site, actor=actor, sources=[db.session.scalars(select(Source)).first()]
        )
        db.session.add(period)
        db.session.commit()
        rev = _delete(period)
        _delete(site)
        with pytest.raises(
            RevertRefused,
            match=r"site_id points at site #\d+, which no "
            "longer exists",
        ):
            revert(rev, _user())


def test_revert_refuses_a_slug_taken_meanwhile(admin):
    with admin.app_context():
        actor = Actor(slug="tmp-actor", name="Tmp", short="T", kind="state", colour="#000000")
        # A later row keeps SQLite from giving the deleted row's id to the new one.
        later = Actor(slug="later", name="Later", short="L", kind="state", colour="#000000")
        db.session.add_all([actor, later])
        db.session.commit()
        rev = _delete(actor)
        db.session.add(
            Actor(slug="tmp-actor", name="Other", short="O", kind="state", colour="#111111")
        )
        db.session.commit()
        with pytest.raises(RevertRefused, match="slug 'tmp-actor' is now used by actor #"):
            revert(rev, _user())


def test_undoing_a_site_creation_is_refused_while_it_has_periods(admin):
    with admin.app_context():
        rev = db.session.scalar(
            select(Revision).where(
                Revision.entity == "site",
                Revision.action == "create",
                Revision.entity_id
                == db.session.scalar(select(Site.id).where(Site.slug == "al-qaim")),
            )
        )
        with pytest.raises(RevertRefused, match=r"still used by \d+ control periods"):
            revert(rev, _user())
