"""Applying imports: all or nothing, revisions for every row, idempotent re-imports."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db.models import ControlPeriod, Revision, Site, Source, User
from app.db.session_events import data_version
from app.extensions import db
from app.io import import_formats, importer

BAD_PERIODS = [
    {"actor": "isis", "start": "1950-02-30", "sources": ["IMP-1"]},  # bad date
    {"actor": "isis", "start": "1900-06-01", "end": "1901-06-01", "sources": ["IMP-1"]},  # overlap
    {"actor": "nobody", "start": "1990-01-01", "sources": ["IMP-1"]},  # unknown actor
    {"actor": "isis", "start": "1991-01-01", "sources": []},  # no sources
    {"actor": "isis", "start": "1992-01-01", "sources": ["NOPE"]},  # unknown source
    {"actor": "isis", "start": "1993", "end": "1993", "sources": ["IMP-1"]},  # end = start
]


def _file(n_periods: int, bad: dict | None = None, position: int = 0) -> bytes:
    """A new site with `n_periods` yearly periods from 1900, one source, maybe a bad row."""
    periods = [
        {
            "actor": "isis" if i % 2 else "iraqi-government",
            "start": f"{1900 + i}",
            "end": f"{1901 + i}",
            "sources": ["IMP-1"],
        }
        for i in range(n_periods)
    ]
    if bad is not None:
        periods.insert(min(position, len(periods)), bad)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [40.9, 34.4]},
        "properties": {
            "slug": "imported-post",
            "name": "Imported post",
            "country": "SY",
            "kind": "crossing_side",
            "periods": periods,
        },
    }
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [feature],
            "sources": [{"ref": "IMP-1", "title": "An imported source"}],
        }
    ).encode()


def _state():
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
    )
    return counts, data_version(db.session)


def _import(data: bytes, user=None):
    plan = importer.check(import_formats.read(data, "f.geojson"))
    if plan.ok:
        importer.apply(plan.changes, user=user, comment="test import")
    return plan


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(1, 12), position=st.integers(0, 12), bad=st.sampled_from(BAD_PERIODS))
def test_one_bad_row_anywhere_changes_nothing(seeded, n, position, bad):
    with seeded.app_context():
        before = _state()
        plan = _import(_file(n, bad, position))
        assert not plan.ok and plan.errors
        assert _state() == before


def test_a_good_file_imports_everything_with_revisions(seeded):
    with seeded.app_context():
        user = User(username="ed", role="editor", password_hash="x")
        db.session.add(user)
        db.session.commit()
        plan = _import(_file(5), user)
        assert plan.ok
        site = db.session.scalar(select(Site).where(Site.slug == "imported-post"))
        assert len(site.control_periods) == 5 and site.search_text
        assert site.control_periods[0].sources[0].ref == "IMP-1"
        revs = db.session.scalars(select(Revision).where(Revision.comment == "test import")).all()
        assert len(revs) == 7 and {r.user_id for r in revs} == {user.id}


def test_importing_the_same_file_again_changes_nothing(seeded):
    with seeded.app_context():
        _import(_file(3))
        before = _state()
        plan = _import(_file(3))
        assert {c.action for c in plan.changes} == {"unchanged"}
        assert _state() == before


def test_an_update_keeps_the_earlier_values_in_its_revision(seeded):
    with seeded.app_context():
        _import(_file(2))
        data = json.loads(_file(2))
        data["features"][0]["properties"]["periods"][1]["end"] = "1905"
        plan = _import(json.dumps(data).encode())
        assert [c.action for c in plan.changes if c.kind == "periods"] == ["unchanged", "update"]
        rev = db.session.scalars(
            select(Revision).where(Revision.entity == "control_period", Revision.action == "update")
        ).one()
        assert rev.before["end"] == "1902-01-01" and rev.after["end"] == "1905-01-01"
        period = db.session.get(ControlPeriod, rev.entity_id)
        assert period.end_precision == "year"


def test_sources_update_by_ref(seeded):
    with seeded.app_context():
        csv = b"ref,title,publisher\nS1,New title,New publisher\n"
        plan = importer.check(import_formats.read(csv, "s.csv"))
        importer.apply(plan.changes, comment="fix")
        source = db.session.scalar(select(Source).where(Source.ref == "S1"))
        assert (source.title, source.publisher) == ("New title", "New publisher")
