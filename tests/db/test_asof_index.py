"""The as-of index: same rows as the SQL, one per data version, updated after a write
through any worker (the change log: sites reloaded, added or dropped, actors and sources
patched), rebuilt in full when a write may change any site or the log has a gap, compact."""

import copy
import datetime as dt

import pytest
from sqlalchemy import delete, event, select, update

from app.core.bounds import parse
from app.db import asof_index, queries, session_events
from app.db.models import (
    Actor,
    ControlPeriod,
    Crossing,
    DataChange,
    DataVersion,
    Event,
    Site,
    Source,
    Verification,
)
from app.db.session_events import data_version
from app.extensions import db

D = dt.date
DAYS = [D(1990, 1, 1), D(2014, 6, 1), D(2015, 5, 21), D(2015, 8, 1), D(2017, 11, 3), D(2030, 1, 1)]


@pytest.fixture
def ctx(app, contract_client):
    """An app context on the contract data set, with no index kept from another test."""
    with app.app_context():
        asof_index.forget()
        yield app


def _index() -> asof_index.AsOfIndex:
    index = asof_index.index_for(data_version(db.session))
    assert index is not None  # ASOF_INDEX is "inline" in tests
    return index


def _tanf_period() -> ControlPeriod:
    tanf = db.session.scalars(db.select(Site).where(Site.slug == "al-tanf")).one()
    return tanf.control_periods[0]


def _answers_agree() -> None:
    for day in DAYS:
        assert queries.state_at(day) == queries.compute_state_at(day)


def _new_site(slug: str, **fields) -> Site:
    kind = db.session.scalars(db.select(Site.kind)).first()
    return Site(slug=slug, name=slug.title(), country="SY", kind=kind, lon=38.0, lat=34.0, **fields)


def test_index_rows_equal_the_sql_rows(ctx):
    index = _index()
    for day in DAYS:
        assert index.rows(day) == queries.compute_state_at(day)
        assert list(index.rows(day)[0]) == list(queries.compute_state_at(day)[0])  # key order


def test_the_day_asked_last_is_answered_with_its_own_rows(ctx):
    index = _index()
    first = index.rows(D(2015, 8, 1))
    assert index.rows(D(2015, 8, 1)) is first  # nothing recomputed for another reader
    other = index.rows(D(2014, 6, 1))
    assert other is not first and other == queries.compute_state_at(D(2014, 6, 1))
    again = index.rows(D(2015, 8, 1))
    assert again is not first and again == first == queries.compute_state_at(D(2015, 8, 1))


def test_rows_no_reader_holds_are_set_again_for_the_next_day(ctx):
    index = _index()
    index.rows(D(2014, 6, 1))
    before = {id(row) for row in index._previous[4]}  # ids only: holding rows would share them
    after = index.rows(D(2017, 11, 3))
    assert after == queries.compute_state_at(D(2017, 11, 3))
    # Rows held by the day before's rows only are set again, not copied: the old rows
    # are alive until the new ones are built, so an equal id is the same row.
    assert sum(id(row) in before for row in after) >= len(after) // 2


def test_rows_a_reader_still_holds_are_never_changed(ctx):
    index = _index()
    index.rows(D(2014, 6, 1))
    by_slug = {row["slug"]: row for row in index.rows(D(2015, 8, 1))}  # the list is gone
    kept = copy.deepcopy(by_slug)
    answer = index.rows(D(1990, 1, 1))
    for day in (D(2030, 1, 1), D(2015, 5, 21)):
        index.rows(day)
    assert by_slug == kept == {r["slug"]: r for r in queries.compute_state_at(D(2015, 8, 1))}
    assert answer == queries.compute_state_at(D(1990, 1, 1))


def test_rows_of_a_day_another_reader_took_are_never_changed(ctx):
    index = _index()
    index.rows(D(2015, 8, 1))
    taken = index._previous  # as another thread's rows() holds it before answering
    index.rows(D(1990, 1, 1))
    assert taken[6] == queries.compute_state_at(D(2015, 8, 1))


def test_one_index_per_version_shared_by_every_caller(ctx):
    assert _index() is _index()
    queries.state_at(D(2015, 8, 1))
    assert _index() is asof_index.index_for(data_version(db.session))


def test_an_edit_here_updates_only_that_site(ctx):
    before = _index()
    period = _tanf_period()
    period.note = "checked again"
    db.session.commit()
    after = _index()
    assert after is not before and after.c is before.c  # the arrays are shared
    assert set(after.overlay) == {period.site_id}
    _answers_agree()
    tanf = {r["slug"]: r for r in queries.state_at(D(2015, 8, 1))}["al-tanf"]
    assert tanf["note"] == "checked again" or tanf["period_id"] != period.id


def test_a_deleted_period_is_gone_on_the_next_request(ctx):
    _index()
    period = _tanf_period()
    day = period.start.earliest if period.start else D(1990, 1, 1)
    assert {r["slug"]: r for r in queries.state_at(day)}["al-tanf"]["period_id"] == period.id
    db.session.delete(period)
    db.session.commit()
    assert set(_index().overlay) == {period.site_id}
    assert {r["slug"]: r for r in queries.state_at(day)}["al-tanf"]["period_id"] != period.id
    assert queries.state_at(day) == queries.compute_state_at(day)


def test_a_period_moved_to_another_site_reloads_both(ctx):
    other = _new_site("zz-no-periods")  # no period to overlap (PostgreSQL refuses that)
    db.session.add(other)
    db.session.commit()
    before = _index()
    period = _tanf_period()
    old_site = period.site_id
    period.site_id = other.id  # as the period form's Site field sets it
    db.session.commit()
    assert _logged_sites() == {old_site, other.id}
    after = _index()
    assert after.c is before.c and set(after.overlay) == {old_site, other.id}
    _answers_agree()


def test_a_move_whose_old_site_was_never_read_rebuilds_in_full(ctx):
    _index()
    period = _tanf_period()
    other = _new_site("zz-no-periods")
    db.session.add(other)
    db.session.flush()
    db.session.expire(period, ["site_id"])  # the old value is not known when it is set
    period.site_id = other.id
    db.session.commit()
    assert _logged_sites() is None
    _answers_agree()


def test_a_verification_updates_last_verified(ctx):
    _index()
    site = db.session.scalars(db.select(Site).where(Site.slug == "al-qaim")).one()
    source = _tanf_period().sources[0] if _tanf_period().sources else None
    if source is None:
        pytest.skip("the contract data cites no source for al-Tanf")
    db.session.add(Verification(site_id=site.id, day=D(2030, 1, 2), source_id=source.id))
    db.session.commit()
    assert set(_index().overlay) == {site.id}
    row = {r["slug"]: r for r in queries.state_at(D(2015, 8, 1))}["al-qaim"]
    assert row["last_verified"] == "2030-01-02"
    assert queries.state_at(D(2015, 8, 1)) == queries.compute_state_at(D(2015, 8, 1))


def test_an_edited_site_reloads_its_own_fields(ctx):
    before = _index()
    site = db.session.scalars(db.select(Site).where(Site.slug == "al-qaim")).one()
    site.name, site.lon = "Al-Qaim (Husaybah)", site.lon + 0.01
    db.session.commit()
    assert db.session.get(DataChange, data_version(db.session)[0]).sites == str(site.id)
    after = _index()
    assert after.c is before.c and set(after.overlay) == {site.id}
    _answers_agree()
    row = {r["slug"]: r for r in queries.state_at(D(2015, 8, 1))}["al-qaim"]
    assert (row["name"], row["lon"]) == ("Al-Qaim (Husaybah)", site.lon)


def test_a_new_slug_takes_its_place_in_the_order(ctx):
    before = _index()
    site = db.session.scalars(db.select(Site).where(Site.slug == "al-qaim")).one()
    site.slug = "zz-al-qaim"  # every answer is sorted by slug: its place changes
    db.session.commit()
    assert _logged_sites() == {site.id}
    after = _index()
    assert after.c is before.c and set(after.overlay) == {site.id}
    assert after.order is not None and before.order is None
    _answers_agree()
    assert queries.state_at(D(2015, 8, 1))[-1]["slug"] == "zz-al-qaim"


def test_a_new_site_with_its_periods_is_added_by_site(ctx):
    before = _index()
    actor = _tanf_period().actor
    site = _new_site("aa-new-crossing")  # first in the order
    site.control_periods.append(
        ControlPeriod(actor=actor, start=parse("2014-06"), end=parse("2016"))
    )
    db.session.add(site)
    db.session.commit()
    assert _logged_sites() == {site.id}
    after = _index()
    assert after.c is before.c and set(after.overlay) == {site.id}
    _answers_agree()
    first = queries.state_at(D(2015, 8, 1))[0]
    assert (first["slug"], first["controller"]) == ("aa-new-crossing", actor.slug)
    # A period added later to the new site, then another new site: still by site.
    site.control_periods.append(ControlPeriod(actor=actor, start=parse("2016"), end=parse("2017")))
    db.session.add(_new_site("mm-another"))
    db.session.commit()
    assert _index().c is before.c
    _answers_agree()


def _reads_of_the_whole_order(statements: list[str]) -> list[str]:
    return [
        s for s in statements if "ORDER BY site.slug" in s and "WHERE" not in s.split("FROM")[-1]
    ]


@pytest.fixture
def statements(ctx):
    """The SQL statements the database runs meanwhile."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_new_sites_and_slugs_are_placed_without_reading_every_site(ctx, statements):
    before = _index()
    qaim = db.session.scalars(db.select(Site).where(Site.slug == "al-qaim")).one()
    qaim.slug = "al-tanf-b"  # now just after al-tanf, before al-waleed
    for slug in ("al-tanf-a", "a-first", "zz-last", "al-waleed-2"):
        db.session.add(_new_site(slug))  # al-tanf-a: placed before the renamed one
    db.session.commit()
    statements.clear()
    after = _index()
    assert after.c is before.c and not _reads_of_the_whole_order(statements)
    _answers_agree()
    slugs = [r["slug"] for r in queries.state_at(D(2015, 8, 1))]
    assert slugs == sorted(slugs) and slugs[0] == "a-first" and slugs[-1] == "zz-last"


def test_many_new_sites_read_the_whole_order_once(ctx, statements, monkeypatch):
    monkeypatch.setattr(asof_index, "_FEW", 2)
    before = _index()
    for slug in ("al-tanf-a", "a-first", "zz-last"):
        db.session.add(_new_site(slug))
    db.session.commit()
    statements.clear()
    assert _index().c is before.c
    assert len(_reads_of_the_whole_order(statements)) == 1
    _answers_agree()


def test_a_site_placed_after_a_site_the_index_does_not_hold_reads_the_order(ctx, monkeypatch):
    _index()
    # As if the sites before the new one were all made by a newer version: none of them
    # is in the index being updated, so it cannot be placed after one of them. Only
    # al-qaim sorts before al-qaim-2: one row, as many as the query may return.
    monkeypatch.setattr(asof_index, "_NEAREST", 1)
    db.session.add(_new_site("al-qaim-2"))
    db.session.commit()
    real_place = asof_index.AsOfIndex._place

    def place(index, conn, pos, slug):
        hidden = index.position.pop(db.session.scalar(select(Site.id).filter_by(slug="al-qaim")))
        try:
            return real_place(index, conn, pos, slug)
        finally:
            index.position[db.session.scalar(select(Site.id).filter_by(slug="al-qaim"))] = hidden

    monkeypatch.setattr(asof_index.AsOfIndex, "_place", place)
    _answers_agree()


def test_a_deleted_site_leaves_every_answer(ctx):
    before = _index()
    site = db.session.scalars(db.select(Site).where(Site.slug == "al-qaim")).one()
    for verification in db.session.scalars(select(Verification).filter_by(site_id=site.id)):
        db.session.delete(verification)
    db.session.delete(site)
    db.session.commit()
    assert _logged_sites() == {site.id}
    after = _index()
    assert after.c is before.c and site.id not in after.overlay
    _answers_agree()
    assert "al-qaim" not in {r["slug"] for r in queries.state_at(D(2015, 8, 1))}
    db.session.add(_new_site("al-qaim"))  # the slug again, maybe the id again (SQLite)
    db.session.commit()
    _answers_agree()
    assert "al-qaim" in {r["slug"] for r in queries.state_at(D(2015, 8, 1))}


def test_an_event_changes_no_site(ctx):
    before = _index()
    db.session.add(Event(slug="talks", title="Talks", date=D(2015, 8, 3), precision="day"))
    db.session.commit()
    assert db.session.get(DataChange, data_version(db.session)[0]).sites == ""
    after = _index()
    assert after is not before and after.c is before.c and not after.overlay
    assert queries.state_at(D(2015, 8, 1)) == queries.compute_state_at(D(2015, 8, 1))


def _logged(column: str = "sites") -> set[int] | None:
    text = getattr(db.session.get(DataChange, data_version(db.session)[0]), column)
    return None if text is None else {int(s) for s in text.split(",") if s}


def _logged_sites() -> set[int] | None:
    return _logged("sites")


def _shown_sources() -> set[str]:
    return {s["title"] for day in DAYS for r in queries.state_at(day) for s in r["sources"]}


def test_a_source_edit_is_patched_where_it_is_cited(ctx):
    before = _index()
    source = _tanf_period().sources[0]
    title, source.title = source.title, "Retitled"
    db.session.commit()
    assert (_logged_sites(), _logged("sources"), _logged("actors")) == (set(), {source.id}, set())
    after = _index()
    assert after.c is before.c and not after.overlay  # no site reloaded, nothing rebuilt
    assert after.gather.sets is not before.gather.sets
    assert all(s["title"] != "Retitled" for cited in before.source_sets for s in cited)
    # The older version answers as it did: its arrays of labels are its own.
    shown = {s["title"] for day in DAYS for r in before.rows(day) for s in r["sources"]}
    assert title in shown and "Retitled" not in shown
    _answers_agree()
    assert "Retitled" in _shown_sources()
    db.session.add(Source(ref="S-new", title="Not cited yet", publisher="P", url="https://x.org"))
    db.session.commit()
    assert (_logged_sites(), _logged("sources")) == (set(), set())  # shown nowhere yet


def test_a_source_moved_in_time_is_sorted_again_in_every_set(ctx):
    _index()
    cited = max(db.session.scalars(select(ControlPeriod)), key=lambda p: len(p.sources)).sources
    if len(cited) < 2:
        pytest.skip("no period of the contract data cites two sources")
    cited[0].published, cited[0].published_precision = D(2099, 1, 1), "day"  # now the last
    cited[-1].published, cited[-1].published_precision = D(1900, 1, 1), "day"  # now the first
    db.session.commit()
    assert not _index().overlay
    _answers_agree()


def test_a_source_edited_then_deleted_before_the_next_request_leaves_every_set(ctx):
    source = Source(ref="S-gone", title="Soon gone", publisher="P", url="https://x.org")
    period = _tanf_period()
    period.sources.append(source)
    db.session.commit()
    asof_index.forget()
    before = _index()  # a full build that cites it
    source.title = "Retitled"  # one write: patched...
    db.session.commit()
    period.sources.remove(source)
    db.session.flush()
    db.session.delete(source)  # ...the next: gone, with its citation
    db.session.commit()
    after = _index()  # both writes at once
    assert after.c is before.c and source.id not in after.sources
    assert all(s["ref"] != "S-gone" for cited in after.source_sets for s in cited)
    _answers_agree()


def test_an_actor_edit_is_patched_where_it_holds_or_challenges(ctx):
    before = _index()
    actor = _tanf_period().actor
    name, (actor.name, actor.colour) = actor.name, ("Renamed actor", "#123456")
    db.session.commit()
    assert (_logged_sites(), _logged("actors"), _logged("sources")) == (set(), {actor.id}, set())
    after = _index()
    assert after.c is before.c and not after.overlay
    assert after.actors is not before.actors and "Renamed actor" not in str(before.actors)
    shown = {r["controller_name"] for day in DAYS for r in before.rows(day)}
    assert name in shown and "Renamed actor" not in shown
    _answers_agree()
    names = {r["controller_name"] for day in DAYS for r in queries.state_at(day)}
    assert "Renamed actor" in names


def test_reloaded_sites_show_a_patch_without_being_read_again(ctx, monkeypatch):
    _index()
    period = _tanf_period()
    period.note = "checked again"  # al-Tanf is now answered from its reloaded rows
    db.session.commit()
    assert set(_index().overlay) == {period.site_id}
    read = []
    real_reload = asof_index._reload
    monkeypatch.setattr(asof_index, "_reload", lambda ids: read.append(ids) or real_reload(ids))
    period.actor.name, period.actor.slug = "Renamed actor", "renamed-actor"
    for source in period.sources:
        source.title = "Retitled"
    period.sources[-1].published, period.sources[-1].published_precision = D(1900, 1, 1), "day"
    db.session.commit()
    assert set(_index().overlay) == {period.site_id} and read == [set()]
    _answers_agree()  # the reloaded rows show the new labels, sorted again
    row = {r["slug"]: r for r in queries.state_at(period.start.earliest)}["al-tanf"]
    assert (row["controller"], row["controller_name"]) == ("renamed-actor", "Renamed actor")


def test_a_challenger_renamed_is_patched_in_reloaded_rows(ctx):
    _index()
    period = db.session.scalars(
        select(ControlPeriod).where(ControlPeriod.challenger_id.is_not(None))
    ).first()
    if period is None:
        pytest.skip("no period of the contract data has a challenger")
    period.note = "checked again"
    db.session.commit()
    period.challenger.slug = "renamed-challenger"
    db.session.commit()
    assert set(_index().overlay) == {period.site_id}
    _answers_agree()


def test_an_actor_saved_unchanged_is_not_patched(ctx):
    _index()
    period = _tanf_period()
    period.actor.name = period.actor.name  # a form saved as it was: dirty, nothing changed
    period.note = "checked again"
    db.session.commit()
    assert (_logged_sites(), _logged("actors")) == ({period.site_id}, set())
    _answers_agree()


def test_an_edit_through_another_worker_is_patched_here(ctx, app_variant):
    before = _index()
    with app_variant().app_context():
        actor = _tanf_period().actor
        actor.name = "Renamed elsewhere"
        db.session.commit()
    db.session.rollback()  # a new request here: a transaction that sees that write
    after = _index()
    assert after.c is before.c and not after.overlay
    _answers_agree()
    names = {r["controller_name"] for day in DAYS for r in queries.state_at(day)}
    assert "Renamed elsewhere" in names


def test_a_crossing_edit_reloads_its_sites(ctx):
    crossing = db.session.scalars(select(Crossing).where(Crossing.sites.any())).first()
    if crossing is None:
        pytest.skip("no crossing in the contract data")
    _index()
    sites = {s.id for s in crossing.sites}
    crossing.slug = "renamed-crossing"
    db.session.commit()
    assert _logged_sites() == sites
    _answers_agree()
    assert "renamed-crossing" in {r["crossing"] for r in queries.state_at(D(2015, 8, 1))}


def test_a_crossing_edit_touching_too_many_sites_rebuilds_in_full(ctx, monkeypatch):
    crossing = db.session.scalars(select(Crossing).where(Crossing.sites.any())).first()
    if crossing is None:
        pytest.skip("no crossing in the contract data")
    monkeypatch.setattr(session_events, "MOST_SITES", 0)
    before = _index()
    crossing.slug = "renamed-crossing"
    db.session.commit()
    assert _logged_sites() is None
    after = _index()
    assert after.c is not before.c and not after.overlay
    _answers_agree()


def test_a_bulk_write_rebuilds_in_full(ctx):
    before = _index()
    db.session.execute(update(ControlPeriod).values(note="bulk"))  # Core: rows unknown
    db.session.commit()
    assert db.session.get(DataChange, data_version(db.session)[0]).sites is None
    after = _index()
    assert after.c is not before.c and not after.overlay
    assert all(r["note"] in ("bulk", "") for r in queries.state_at(D(2015, 8, 1)))


def test_a_write_through_another_worker_updates_by_site(ctx, app_variant):
    before = _index()
    other = app_variant()  # another worker (or server) on the same database
    with other.app_context():
        period = _tanf_period()
        period.note = "elsewhere"
        db.session.commit()
        site_id = period.site_id
    db.session.rollback()  # a new request here: a transaction that sees that write
    after = _index()
    assert after.c is before.c and set(after.overlay) == {site_id}
    assert queries.state_at(D(2015, 8, 1)) == queries.compute_state_at(D(2015, 8, 1))


def test_a_gap_in_the_change_log_rebuilds_in_full(ctx):
    before = _index()
    _tanf_period().note = "unlogged"
    db.session.commit()
    db.session.execute(delete(DataChange))  # e.g. more writes than the log keeps
    db.session.commit()
    after = _index()
    assert after.c is not before.c and not after.overlay
    assert queries.state_at(D(2015, 8, 1)) == queries.compute_state_at(D(2015, 8, 1))


def test_a_version_counted_again_is_not_taken_for_the_old_one(ctx):
    before = _index()
    # The version row emptied (a database wiped under a running server): versions are
    # counted again from 1, with other times.
    db.session.execute(delete(DataVersion))
    db.session.commit()
    for n in range(before.version[1] + 1):
        _tanf_period().note = f"again {n}"
        db.session.commit()
    assert data_version(db.session)[0] > before.version[1]
    after = _index()
    assert after.c is not before.c
    assert queries.state_at(D(2015, 8, 1)) == queries.compute_state_at(D(2015, 8, 1))


def test_a_rolled_back_edit_logs_nothing(ctx):
    _index()
    logged = db.session.scalars(select(DataChange.version)).all()
    _tanf_period().note = "never saved"
    db.session.flush()
    db.session.rollback()
    assert db.session.scalars(select(DataChange.version)).all() == logged
    assert all(r["note"] != "never saved" for r in queries.state_at(D(2015, 8, 1)))


def test_the_change_log_keeps_its_last_versions(ctx, monkeypatch):
    for n in range(5):
        _tanf_period().note = f"edit {n}"
        db.session.commit()
    version = data_version(db.session)[0]
    logged = db.session.scalars(select(DataChange.version).order_by(DataChange.version)).all()
    assert logged[-1] == version and logged == list(range(logged[0], version + 1))
    monkeypatch.setattr(session_events, "CHANGE_LOG_SIZE", 3)
    _tanf_period().note = "one more"
    db.session.commit()
    logged = db.session.scalars(select(DataChange.version).order_by(DataChange.version)).all()
    assert logged == [version - 1, version, version + 1]


def test_background_mode_answers_from_the_database_until_built(ctx):
    ctx.config["ASOF_INDEX"] = "background"
    version = data_version(db.session)
    first = asof_index.index_for(version)  # None, unless the thread was already done
    asof_index.wait()
    built = asof_index.index_for(version)
    assert built is not None and (first is None or first is built)
    assert queries.state_at(D(2015, 8, 1)) == queries.compute_state_at(D(2015, 8, 1))


def test_off_and_past_revisions_ask_the_database(ctx):
    ctx.config["ASOF_INDEX"] = "off"
    assert asof_index.index_for(data_version(db.session)) is None
    ctx.config["ASOF_INDEX"] = "inline"
    assert asof_index.index_for(("r3", None)) is None


def test_at_most_two_indexes_are_kept(ctx):
    for n in range(5):
        _tanf_period().note = f"edit {n}"
        db.session.commit()
        _index()
    assert len(asof_index._indexes) <= 2


def test_the_index_is_a_few_tens_of_bytes_per_period(ctx):
    index = _index()
    periods = len(index.control.row) + len(index.status.row)
    # 8 of the 88 bytes: each period's hold's first start and last end (bound indices).
    # Besides: which sets cite each source, 4 bytes a citation and 12 a cited source.
    citing = 4 * len(index.set_ids) + 12 * (len(index.cited_ids) + 1)
    assert periods and index.nbytes <= 88 * periods + 8 * 2 * (len(index.sites) + 1) + citing


def test_a_transaction_sees_its_own_unsaved_writes(ctx):
    _index()
    period = _tanf_period()
    period.note = "not yet saved"
    db.session.flush()
    rows = {r["slug"]: r for r in queries.state_at(D(2015, 8, 1))}
    assert rows == {r["slug"]: r for r in queries.compute_state_at(D(2015, 8, 1))}
    db.session.rollback()
    assert all(r["note"] != "not yet saved" for r in queries.state_at(D(2015, 8, 1)))


def test_too_many_reloaded_sites_rebuild_in_the_background(ctx, monkeypatch):
    before = _index()
    monkeypatch.setattr(asof_index, "_MAX_OVERLAY", 0)
    _tanf_period().note = "one too many"
    db.session.commit()
    updated = _index()  # answers at once, with the reloaded site
    assert updated.c is before.c and updated.overlay
    asof_index.wait()
    rebuilt = _index()
    assert rebuilt.version == updated.version and rebuilt.c is not before.c
    assert not rebuilt.overlay
    assert queries.state_at(D(2015, 8, 2)) == queries.compute_state_at(D(2015, 8, 2))
    # The next edit starts from the rebuilt index, not from the one with reloaded sites.
    monkeypatch.setattr(asof_index, "_MAX_OVERLAY", 256)
    _tanf_period().note = "after the rebuild"
    db.session.commit()
    assert _index().c is rebuilt.c and len(_index().overlay) == 1


def test_a_kept_index_is_set_aside_from_the_cache_budget(ctx):
    from app.core import cache

    asof_index.forget()
    free = sum(limit for *_, limit in cache.usage().values())
    index = _index()
    assert index.footprint > index.nbytes > 0
    left = sum(limit for *_, limit in cache.usage().values())
    assert left < free
    asof_index.forget()
    assert sum(limit for *_, limit in cache.usage().values()) == free


def test_a_renamed_actor_shows_in_transitions_asked_before(ctx):
    before = _index()
    day, row = next(
        (day, row) for day in DAYS for row in before.rows(day) if row["transition"] and
        row["transition"]["candidates"]
    )  # fmt: skip
    slug = row["transition"]["candidates"][0]
    actor = db.session.scalars(select(Actor).where(Actor.slug == slug)).one()
    old_name, actor.name = actor.name, "Renamed actor"
    db.session.commit()
    after = {r["slug"]: r for r in _index().rows(day)}[row["slug"]]["transition"]
    assert "Renamed actor" in after["names"] and old_name not in after["names"]
    assert old_name in row["transition"]["names"]  # the older index keeps its own
    assert {r["slug"]: r for r in before.rows(day)}[row["slug"]]["transition"] == row["transition"]
    _answers_agree()
