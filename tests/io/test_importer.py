"""Applying imports: all or nothing, revisions for every row, idempotent re-imports,
and the site form's rule for points far from the border."""

import datetime as dt
import json

import pytest
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.core import clock
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
    {"actor": "isis", "start": "1994", "end": "1993", "sources": ["IMP-1"]},  # end before start
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


def _check(data: bytes, name: str = "f.geojson", allow_far: bool = False):
    return importer.check(
        import_formats.read(data, name),
        geodata_dir=current_app.config["GEODATA_DIR"],
        allow_far=allow_far,
    )


def _import(data: bytes, user=None):
    plan = _check(data)
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
        assert rev.before["end_edtf"] == "1902" and rev.after["end_edtf"] == "1905"
        assert rev.after["end_earliest"] == "1905-01-01" and rev.after["end_latest"] == "1905-12-31"
        period = db.session.get(ControlPeriod, rev.entity_id)
        assert period.end_precision == "year"


def test_sources_update_by_ref(seeded):
    with seeded.app_context():
        csv = b"ref,title,publisher\nS1,New title,New publisher\n"
        plan = _check(csv, "s.csv")
        importer.apply(plan.changes, comment="fix")
        source = db.session.scalar(select(Source).where(Source.ref == "S1"))
        assert (source.title, source.publisher) == ("New title", "New publisher")


FAR_SITES = (
    "slug,name,country,kind,lon,lat\n"
    "near-post,Near post,SY,town,40.9,34.4\n"
    "far-post,Far post,SY,town,36.3,33.5\n"  # Damascus, about 250 km from the border
)


def test_sites_far_from_the_border_need_allow_far(seeded):
    with seeded.app_context():
        before = _state()
        plan = _check(FAR_SITES.encode(), "sites.csv")
        assert len(plan.errors) == 1
        error = plan.errors[0]
        assert error.startswith("line 3 (sites): fields 'lon', 'lat': the point is ")
        assert "km from the Syria–Iraq border (more than 50 km)" in error
        assert "--allow-far" in error
        assert _state() == before
        plan = _check(FAR_SITES.encode(), "sites.csv", allow_far=True)
        assert plan.ok and [c.action for c in plan.changes] == ["create", "create"]


def test_a_far_site_already_recorded_and_unchanged_is_not_refused(seeded):
    with seeded.app_context():
        plan = _check(FAR_SITES.encode(), "sites.csv", allow_far=True)
        importer.apply(plan.changes, comment="far on purpose")
        assert _check(FAR_SITES.encode(), "sites.csv").ok  # nothing would change
        moved = FAR_SITES.replace("Far post", "Far post, renamed")
        assert "line 3 (sites)" in _check(moved.encode(), "sites.csv").errors[0]


def test_far_site_errors_keep_file_order_among_other_errors(seeded):
    text = FAR_SITES + "bad-post,Bad,SY,nowhere,40.9,34.4\n"
    with seeded.app_context():
        errors = _check(text.encode(), "sites.csv").errors
    assert [e.split(" (")[0] for e in errors] == ["line 3", "line 4"]


@pytest.mark.parametrize("allow_far", [False, True])
def test_a_site_near_the_border_needs_no_confirmation(seeded, allow_far):
    with seeded.app_context():
        assert _check(_file(1), allow_far=allow_far).ok


def _legacy_csv(start: str, precision: str) -> bytes:
    """A periods file as written before EDTF: a first day and its precision column."""
    return (
        "site,actor,start,start_precision,end,end_precision,sources\r\n"
        f"imported-post,isis,{start},{precision},,,IMP-1\r\n"
    ).encode()


@pytest.mark.parametrize(
    "data, name, message",
    [
        (_file(1).replace(b'"SY"', b'"FR"'), "f.geojson", "field 'country': 'FR' is not one of SY"),
        (
            _file(1, {"actor": "isis", "start": "2026-12-04", "sources": ["IMP-1"]}, 1),
            "f.geojson",
            "field 'start': must not be in the future (today is 2026-12-03)",
        ),
        (
            _file(1, {"actor": "isis", "start": "1994", "end": "1993", "sources": ["IMP-1"]}, 1),
            "f.geojson",
            "field 'end': end 1993 must be after start 1994",
        ),
    ],
)
def test_the_editor_forms_rules_hold_for_an_import(seeded, monkeypatch, data, name, message):
    """The country, not-in-the-future and end-after-start rules of the forms, end to end."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC))
    with seeded.app_context():
        before = _state()
        plan = _import(data)
        assert not plan.ok and any(message in e for e in plan.errors), plan.errors
        assert _state() == before


def test_an_older_file_whose_day_its_precision_would_drop_is_refused(seeded):
    with seeded.app_context():
        _import(_file(0))
        before = _state()
        plan = _check(_legacy_csv("2014-06-15", "month"), "periods.csv")
        assert plan.errors == [
            "line 2 (periods): field 'start': '2014-06-15' with precision month would be "
            "stored as 2014-06 and lose its day: give 2014-06-01 for the whole month, "
            "or precision day"
        ]
        assert _state() == before
        plan = _check(_legacy_csv("2014-06-01", "month"), "periods.csv")
        assert plan.ok, plan.errors
        importer.apply(plan.changes, comment="test import")
        site = db.session.scalar(select(Site).where(Site.slug == "imported-post"))
        assert site.control_periods[0].start.text == "2014-06"
