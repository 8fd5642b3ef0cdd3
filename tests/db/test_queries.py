"""Read queries: the state as of a date, map rows, sources and lookups on the contract data."""

import datetime as dt

import pytest

from app.db import queries
from app.db.models import Actor, ControlPeriod, Site, Source
from app.extensions import db
from app.io import seed

D = dt.date


@pytest.fixture
def ctx(app, contract_client):
    """An app context on the contract data set."""
    with app.app_context():
        yield app


def _state(day: dt.date) -> dict[str, dict]:
    return {r["slug"]: r for r in queries.state_at(day)}


def _ids(model, column="slug") -> dict[str, int]:
    """Row ids by slug (or ref): ids differ between databases."""
    return {
        key: id_ for id_, key in db.session.execute(db.select(model.id, getattr(model, column)))
    }


def test_state_has_one_row_per_site_ordered_by_slug(ctx):
    rows = queries.state_at(D(2015, 8, 1))
    assert [r["slug"] for r in rows] == ["al-qaim", "al-tanf", "al-waleed"]


@pytest.mark.parametrize(
    "day, slug, controller",
    [
        (D(2015, 5, 20), "al-tanf", "syrian-government"),
        (D(2015, 5, 21), "al-tanf", "isis"),  # the end day belongs to the next period
        (D(2016, 3, 3), "al-tanf", "isis"),
        (D(2016, 3, 4), "al-tanf", None),  # after the last period: unknown
        (D(2011, 12, 31), "al-tanf", None),  # before the first period: unknown
        (D(1990, 1, 1), "al-waleed", "iraqi-government"),  # open start: held since before
        (D(2014, 5, 31), "al-waleed", "iraqi-government"),
        (D(2014, 6, 1), "al-waleed", None),
        (D(2017, 11, 2), "al-qaim", "isis"),
        (D(2017, 11, 3), "al-qaim", "iraqi-government"),
        (D(2030, 1, 1), "al-qaim", "iraqi-government"),  # open end: ongoing
    ],
)
def test_controller_on_a_day_is_the_covering_half_open_period(ctx, day, slug, controller):
    assert _state(day)[slug]["controller"] == controller


def test_a_known_answer_carries_the_period_and_its_sources(ctx):
    tanf = _state(D(2015, 8, 1))["al-tanf"]
    assert tanf["controller_name"] == "Islamic State"
    assert tanf["controller_colour"] == "#000000"
    assert (tanf["since"], tanf["until"]) == ("2015-05-21", "2016-03-04")
    assert (tanf["since_precision"], tanf["until_precision"]) == ("day", "day")
    assert tanf["confidence"] == "medium" and tanf["contested"] is False
    assert tanf["crossing"] == "tanf-waleed" and tanf["location_precision"] == "approximate"
    assert (tanf["lon"], tanf["lat"]) == (38.6557, 33.5004)
    period = db.session.get(ControlPeriod, tanf["period_id"])
    assert (period.site.slug, period.actor.slug) == ("al-tanf", "isis")
    # Oldest publication first: C1 (Jun 2014) before C2 (4 Mar 2016).
    assert [s["ref"] for s in tanf["sources"]] == ["C1", "C2"]
    c1 = tanf["sources"][0]
    assert c1["published"] == "2014-06-01" and c1["published_precision"] == "month"
    assert c1["published_label"] == "Jun 2014" and c1["url"] == "https://example.org/one"


def _period_id(slug: str, actor: str) -> int:
    """The id of the one contract period of `actor` at `slug` (ids differ by database)."""
    return db.session.scalar(
        db.select(ControlPeriod.id)
        .join(Site)
        .join(Actor, Actor.id == ControlPeriod.actor_id)
        .where(Site.slug == slug, Actor.slug == actor)
    )


def test_a_gap_is_unknown_never_the_last_actor(ctx):
    waleed = _state(D(2015, 8, 1))["al-waleed"]
    assert waleed["controller"] is None and waleed["controller_name"] is None
    assert waleed["period_id"] is None and waleed["sources"] == ()
    assert waleed["since"] is None and waleed["since_precision"] is None
    assert waleed["until"] is None and waleed["until_precision"] is None
    assert waleed["uncertain"] is False and waleed["contested"] is False
    assert waleed["status"] == "unknown" and waleed["status_since"] is None
    assert waleed["note"] == ""


def test_contested_periods_name_the_challenger(ctx):
    qaim = _state(D(2015, 8, 1))["al-qaim"]
    assert qaim["contested"] is True and qaim["challenger"] == "iraqi-government"
    assert [s["ref"] for s in qaim["sources"]] == ["C1"]
    later = _state(D(2018, 1, 1))["al-qaim"]
    assert later["contested"] is False and later["challenger"] is None


@pytest.mark.parametrize(
    "day, status, since",
    [
        (D(2014, 6, 20), "unknown", None),
        (D(2014, 6, 21), "closed", "2014-06-21"),
        (D(2019, 9, 30), "open", "2019-09-30"),
    ],
)
def test_status_is_its_own_covering_period(ctx, day, status, since):
    qaim = _state(day)["al-qaim"]
    assert (qaim["status"], qaim["status_since"]) == (status, since)


def test_open_start_and_month_precision_bounds_are_reported(ctx):
    waleed = _state(D(2014, 5, 15))["al-waleed"]
    assert waleed["since"] is None and waleed["since_precision"] is None
    assert waleed["until"] == "2014-06-01" and waleed["until_precision"] == "month"
    assert waleed["until_edtf"] == "2014-06" and waleed["transition"] is None


def test_a_day_inside_an_imprecise_start_is_uncertain(ctx, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "periods:\n  - {site: al-waleed, actor: isis, start: '2014-09', "
        "end: null, confidence: low, sources: [C2]}\n",
        encoding="utf-8",
    )
    seed.load(extra)
    inside = _state(D(2014, 9, 29))["al-waleed"]  # the start window: nobody is named
    assert inside["controller"] is None and inside["uncertain"] is True
    assert inside["transition"]["to"] == "isis" and inside["transition"]["window"] == "2014-09"
    last = _state(D(2014, 9, 30))["al-waleed"]  # whatever day it began, ISIS holds now
    assert last["controller"] == "isis" and last["since_edtf"] == "2014-09"
    assert last["since"] == "2014-09-01" and last["since_precision"] == "month"
    outside = _state(D(2014, 10, 1))["al-waleed"]
    assert outside["controller"] == "isis" and outside["uncertain"] is False
    assert _state(D(2014, 8, 31))["al-waleed"]["controller"] is None


def test_a_handover_window_keeps_its_candidates_contested_mark_and_least_confidence(ctx, tmp_path):
    """Inside a window the row is contested when a candidate is, as sure as the least sure
    candidate, with no challenger (the candidates are in `transition`) and no note (each
    is its own period's words): the marks stay visible, never a silent choice (§2)."""
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "periods:\n  - {site: al-waleed, actor: isis, start: '2014-06', end: null, "
        "confidence: low, contested: true, challenger: iraqi-government, "
        "note: 'Disputed.', sources: [C2]}\n",
        encoding="utf-8",
    )
    seed.load(extra)
    day = D(2014, 6, 15)
    for rows in (queries.state_at(day), queries.compute_state_at(day)):
        inside = {r["slug"]: r for r in rows}["al-waleed"]
        assert inside["transition"]["candidates"] == ["iraqi-government", "isis"]
        marks = {k: inside[k] for k in ("contested", "challenger", "confidence", "note")}
        assert marks == {"contested": True, "challenger": None, "confidence": "low", "note": ""}
    before = _state(D(2014, 5, 31))["al-waleed"]  # the outgoing period's own marks
    assert (before["contested"], before["confidence"]) == (False, "high")
    after = _state(D(2014, 7, 1))["al-waleed"]
    assert (after["contested"], after["challenger"], after["note"]) == (
        True,
        "iraqi-government",
        "Disputed.",
    )


def test_cached_state_equals_the_direct_query_and_follows_writes(ctx):
    day = D(2015, 8, 1)
    assert queries.state_at(day) == queries.compute_state_at(day)
    period = db.session.get(ControlPeriod, _period_id("al-tanf", "isis"))
    period.note = "retaken"
    db.session.commit()
    assert _state(day)["al-tanf"]["note"] == "retaken"
    assert queries.state_at(day) == queries.compute_state_at(day)


def test_an_answer_far_over_the_rows_cache_share_is_refused_on_one_row(ctx, monkeypatch):
    """One row shows it: sampling more of it only to refuse it is waste."""
    day = D(2015, 8, 1)
    rows = queries.compute_state_at(day)
    row = 1_000 * len(rows[0])  # each row sized at 1,000 bytes a field

    def size(value):
        sized.append(type(value))
        return row if isinstance(value, dict) else row * len(value)

    sized: list[type] = []
    queries._STATE_CACHE.clear()
    monkeypatch.setattr(queries, "approx_size", size)
    monkeypatch.setattr(queries._STATE_CACHE, "share", 0)  # also when shares are set again
    monkeypatch.setattr(queries._STATE_CACHE, "max_bytes", row)
    assert queries.state_at(day) == rows
    assert sized == [dict] and len(queries._STATE_CACHE) == 0
    # Three rows against two: not far over, so sampled, and refused all the same.
    monkeypatch.setattr(queries._STATE_CACHE, "max_bytes", 2 * row)
    other = D(2016, 6, 1)  # the same answer again is known refused (cache.py, _too_big)
    assert queries.state_at(other) == queries.compute_state_at(other)
    assert sized == [dict, dict, list] and len(queries._STATE_CACHE) == 0
    monkeypatch.setattr(queries._STATE_CACHE, "max_bytes", 10**9)
    monkeypatch.setattr(queries._STATE_CACHE, "share", 1)
    third = D(2017, 6, 1)
    assert queries.state_at(third) == queries.compute_state_at(third)
    assert len(queries._STATE_CACHE) == 1


def test_site_by_slug_and_all_sites(ctx):
    site = queries.site_by_slug("al-qaim")
    assert site is not None and site.name == "al-Qa'im" and site.country == "IQ"
    assert queries.site_by_slug("nowhere") is None
    assert [s.slug for s in queries.all_sites()] == ["al-qaim", "al-tanf", "al-waleed"]


def test_periods_by_site_gives_timeline_periods_valued_by_actor_id(ctx):
    sites, actors = _ids(Site), _ids(Actor)
    got = queries.periods_by_site()
    assert set(got) == set(sites.values())
    tanf = got[sites["al-tanf"]]
    assert [(p.start.text, p.end.text, p.value) for p in tanf] == [
        ("2012-01-01", "2015-05-21", actors["syrian-government"]),
        ("2015-05-21", "2016-03-04", actors["isis"]),
    ]
    (waleed,) = got[sites["al-waleed"]]
    assert waleed.start is None and waleed.end_precision == "month"
    assert waleed.key == db.session.scalar(
        db.select(ControlPeriod.id).where(ControlPeriod.site_id == sites["al-waleed"])
    )


def test_sources_for_periods_by_period_id_oldest_first(ctx):
    tanf_isis = _period_id("al-tanf", "isis")
    qaim_gov = _period_id("al-qaim", "iraqi-government")
    got = queries.sources_for_periods([tanf_isis, qaim_gov])
    assert [s["ref"] for s in got[tanf_isis]] == ["C1", "C2"]
    assert [s["ref"] for s in got[qaim_gov]] == ["C2"]
    assert queries.sources_for_periods([]) == {}


def test_sources_of_few_and_many_periods_are_read_alike(ctx, monkeypatch):
    """A few periods' sources are read alone, many through the cache of every source:
    both give the same lists."""
    ids = [p for (p,) in db.session.execute(db.select(ControlPeriod.id))]
    few = queries.sources_for_periods(ids)
    monkeypatch.setattr(queries, "_FEW_PERIODS", 0)
    many = queries.sources_for_periods(ids)
    assert few == many and any(few.values())
    shared = [s for cited in few.values() for s in cited]
    # A source cited by two periods is one dict, so a handover's row lists it once.
    assert len({id(s) for s in shared}) == len({s["ref"] for s in shared}) < len(shared)


def test_source_dict_and_sources_by_id(ctx):
    c2 = db.session.scalar(db.select(Source).where(Source.ref == "C2"))
    assert queries.source_dict(c2) == {
        "ref": "C2",
        "title": "Contract source two",
        "publisher": "Test wire",
        "url": "",
        "published": "2016-03-04",
        "published_precision": "day",
        "published_label": "4 Mar 2016",
        "language": "en",
        "archived_url": "",
    }
    by_id = queries.sources_by_id()
    assert by_id[c2.id]["ref"] == "C2" and len(by_id) == 2


def test_map_rows_hold_every_table_as_plain_rows(ctx):
    rows = queries.map_rows()
    sites, actors, sources = _ids(Site), _ids(Actor), _ids(Source, "ref")
    assert [a["slug"] for a in rows.actors] == sorted(actors, key=actors.get)  # by id
    assert [s["slug"] for s in rows.sites] == ["al-qaim", "al-tanf", "al-waleed"]
    control, status = list(rows.control), list(rows.status)  # streamed: read once
    assert len(control) == 5 and len(status) == 2
    # Grouped by site, as map_encoding.encode needs them.
    assert [r["site_id"] for r in control] == sorted(r["site_id"] for r in control)
    tanf_isis = next(r for r in control if r["id"] == _period_id("al-tanf", "isis"))
    assert tanf_isis["site_id"] == sites["al-tanf"] and tanf_isis["actor_id"] == actors["isis"]
    assert tanf_isis["source_ids"] == (sources["C1"], sources["C2"])
    qaim = next(r for r in control if r["contested"])
    assert qaim["challenger_id"] == actors["iraqi-government"]
    assert {r["status"] for r in status} == {"open", "closed"}
    # A status period's sources too: the map popup lists those of the status shown.
    assert {r["status"]: r["source_ids"] for r in status} == {
        "closed": (sources["C1"],),
        "open": (sources["C2"],),
    }
    assert set(rows.sources) == {sources["C1"], sources["C2"]}
    assert rows.sources[sources["C1"]] == {
        "title": "Contract source one",
        "publisher": "Test wire",
        "url": "https://example.org/one",
        "published": "2014-06",
        "language": "en",
    }


def test_map_rows_place_an_event_without_a_point_at_its_first_site(ctx):
    (event,) = queries.map_rows().events
    assert event["title"] == "A dated event" and event["precision"] == "month"
    assert event["date"] == D(2015, 5, 1)
    assert (event["lon"], event["lat"]) == (38.6557, 33.5004)  # al-Tanf
    assert event["source_ids"] == (_ids(Source, "ref")["C2"],)


def test_map_rows_list_only_cited_sources(ctx):
    db.session.add(Source(ref="C9", title="Never cited"))
    db.session.commit()
    labels = queries.map_rows().sources
    assert _ids(Source, "ref")["C9"] not in labels and len(labels) == 2


def test_search_candidates_carry_the_stored_names(ctx):
    rows = queries.search_candidates()
    assert [r["name"] for r in rows] == ["al-Qa'im", "al-Tanf", "al-Waleed"]
    qaim = rows[0]
    assert qaim["slug"] == "al-qaim" and qaim["country"] == "IQ"
    assert set(qaim) == {
        "slug",
        "name",
        "name_ar",
        "country",
        "kind",
        "search_text",
        "crossing_text",
    }
    assert "husaybah" in qaim["search_text"].splitlines()
    # The names of its crossing, one per side, so "Bukamal" finds this side too.
    assert {"albukamal", "alqaim"} <= set(qaim["crossing_text"].splitlines())


def test_actor_short_names_by_slug(ctx):
    assert queries.actor_short_names() == {
        "syrian-government": "Syrian gov.",
        "iraqi-government": "Iraqi gov.",
        "isis": "ISIS",
    }


def test_empty_database_gives_empty_answers(app):
    with app.app_context():
        assert queries.state_at(D(2015, 8, 1)) == []
        assert queries.all_sites() == [] and queries.search_candidates() == []
        rows = queries.map_rows()
        assert rows.sites == [] and list(rows.control) == [] and rows.sources == {}
