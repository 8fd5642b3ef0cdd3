"""The record as known on a past revision equals the record as it stood right after that
revision: Hypothesis replays random sequences of edits (renames, new, ended and deleted
periods, sources cited, confirmations, a new site) through the models and revisions, takes
the readers' answers after each one, then asks every past revision again, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core import bounds
from app.db import features, known, queries, records, revisions
from app.db.models import Actor, ControlPeriod, Revision, Site, Source, Verification
from app.extensions import db
from app.io import seed
from tests.conftest import CONTRACT_DATA, _empty

DAYS = [dt.date(2013, 6, 1), dt.date(2015, 6, 1), dt.date(2019, 1, 1), dt.date(2024, 6, 1)]

_day = st.dates(dt.date(2012, 1, 1), dt.date(2025, 12, 31))
_pick = st.integers(0, 50)
EDITS = st.one_of(
    st.tuples(st.just("rename"), _pick, st.text("abcdefghij -", min_size=1, max_size=12)),
    st.tuples(st.just("end"), _pick, _day),
    st.tuples(st.just("start"), _pick, _day),
    st.tuples(st.just("delete"), _pick),
    st.tuples(st.just("add"), _pick, _pick, _day),
    st.tuples(st.just("cite"), _pick, st.text("klmnop", min_size=1, max_size=8)),
    st.tuples(st.just("verify"), _pick, _day),
    st.tuples(st.just("site"), st.text("qrstuv", min_size=1, max_size=8)),
    st.tuples(st.just("actor"), _pick, st.text("wxyz", min_size=1, max_size=8)),
)


def _nth(model, i: int):
    rows = db.session.scalars(select(model).order_by(model.id)).all()
    return rows[i % len(rows)] if rows else None


def _edit(edit) -> None:
    """Apply one edit as the editor's save paths do: the row, then its revision."""
    kind, *args = edit
    if kind == "rename":
        site = _nth(Site, args[0])
        before = revisions.snapshot(site)
        site.name = args[1].strip() or "x"
        revisions.record(site, "update", before)
    elif kind in ("end", "start"):
        period = _nth(ControlPeriod, args[0])
        if period is None:
            return
        before = revisions.snapshot(period)
        setattr(period, kind, bounds.exact(args[1]))
        _no_overlap(period)
        revisions.record(period, "update", before)
    elif kind == "delete":
        period = _nth(ControlPeriod, args[0])
        if period is None:
            return
        before = revisions.snapshot(period)
        db.session.delete(period)
        revisions.record(period, "delete", before)
    elif kind == "add":
        site, actor = _nth(Site, args[0]), _nth(Actor, args[1])
        period = ControlPeriod(site=site, actor=actor, start=args[2], end=None)
        db.session.add(period)
        _no_overlap(period)
        revisions.record(period, "create", None)
    elif kind == "cite":
        period = _nth(ControlPeriod, args[0])
        if period is None:
            return
        title = f"Report {args[1]}"
        source = Source(
            ref=records.free_source_ref(title), title=title, url=f"https://example.org/{args[1]}"
        )
        db.session.add(source)
        revisions.record(source, "create", None)
        before = revisions.snapshot(period)
        period.sources = [*period.sources, source]
        revisions.record(period, "update", before)
    elif kind == "verify":
        check = Verification(site=_nth(Site, args[0]), day=args[1], source=_nth(Source, 0))
        db.session.add(check)
        revisions.record(check, "create", None)
    elif kind == "site":
        slug = f"new-{args[0]}"
        if db.session.scalar(select(Site.id).where(Site.slug == slug)):
            return
        site = Site(slug=slug, name=args[0], country="SY", kind="town", lon=40.5, lat=34.5)
        db.session.add(site)
        revisions.record(site, "create", None)
    elif kind == "actor":
        actor = _nth(Actor, args[0])
        before = revisions.snapshot(actor)
        actor.name = args[1]
        revisions.record(actor, "update", before)


def _no_overlap(period) -> None:
    """The editor's rule: a period may not overlap another of its site."""
    db.session.flush()
    if records.overlap_message(period):
        raise ValueError("overlap")


def _answers() -> bytes:
    """What readers are told: the state on several days, every period, site and actor."""
    f = features.Filters()
    return orjson.dumps(
        {
            "sites": [features.sites_at(d) for d in DAYS],
            "state": [queries.state_at(d) for d in DAYS],
            "periods": features.periods(f),
            "records": features.site_records(),
            "actors": features.actors(),
            "sources": features.sources(),
        },
        default=str,
        option=orjson.OPT_SORT_KEYS,
    )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(EDITS, min_size=1, max_size=6))
def test_every_past_revision_reads_as_the_record_stood(app, edits):
    with app.app_context():
        _empty()
        known.forget()
        seed.load(CONTRACT_DATA)
        taken = []  # (revision, its time, the answers right after it)
        for edit in edits:
            try:
                _edit(edit)
                db.session.commit()
            except (IntegrityError, ValueError):
                db.session.rollback()  # a rule refused it: nothing changed
                continue
            last = db.session.scalar(select(func.max(Revision.id)))
            at = db.session.scalar(select(Revision.at).where(Revision.id == last))
            taken.append((last, at, _answers()))
        latest = db.session.scalar(select(func.max(Revision.id)))
        for revision, at, expected in taken:
            db.session.remove()
            known.pin(known.Pin(revision, at) if revision < latest else None)
            try:
                got = _answers()
                if got != expected:
                    got, want = orjson.loads(got), orjson.loads(expected)
                    wrong = [k for k in want if got[k] != want[k]]
                    raise AssertionError(f"revision {revision} after {edits}: {wrong} differ")
            finally:
                known.pin(None)
                db.session.remove()


def test_rows_without_history_are_in_every_past_state(app):
    """Rows loaded without revisions (demo data) count as always there."""
    with app.app_context():
        known.forget()
        seed.load(CONTRACT_DATA)
        first = db.session.scalar(select(func.max(Revision.id)))
        db.session.add(Site(slug="quiet", name="Quiet", country="IQ", kind="town", lon=41, lat=34))
        db.session.commit()
        _edit(("rename", 0, "Renamed"))
        db.session.commit()
        at = db.session.scalar(select(Revision.at).where(Revision.id == first))
        known.pin(known.Pin(first, at))
        try:
            names = {s["properties"]["slug"]: s for s in features.site_records()}
            assert "quiet" in names
            assert db.session.scalar(select(func.count()).select_from(Site)) == len(names)
            assert "Renamed" not in orjson.dumps(features.site_records()).decode()
        finally:
            known.pin(None)
