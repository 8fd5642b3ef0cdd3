"""Last verified: the latest confirmation or sourced period start of each site, one SQL
definition on SQLite and PostgreSQL, and the stalest tracked sites first."""

import datetime as dt

import pytest
from flask import render_template
from sqlalchemy import select

from app.core import bounds
from app.db import features, freshness, queries
from app.db.models import Actor, ControlPeriod, Site, Source, StatusPeriod, Verification
from app.extensions import db

D = dt.date


@pytest.fixture
def ctx(app, contract_client):
    """An app context on the contract data set (tests/data/contract.yaml)."""
    with app.app_context():
        yield app


def _site(slug: str) -> Site:
    return db.session.scalar(select(Site).where(Site.slug == slug))


def _source(ref: str = "C1") -> Source:
    return db.session.scalar(select(Source).where(Source.ref == ref))


def _by_slug() -> dict[str, dt.date | None]:
    days = freshness.last_verified_by_site()
    return {s.slug: days.get(s.id) for s in db.session.scalars(select(Site))}


def _verify(slug: str, day: dt.date, ref: str = "C1") -> None:
    db.session.add(Verification(site=_site(slug), day=day, source=_source(ref), note=""))
    db.session.commit()


def test_the_latest_sourced_period_start_counts_control_and_status_alike(ctx):
    # al-qaim: control from 2017-11-03, status "open" from 2019-09-30 (both sourced);
    # al-waleed's only period is open to before the records: no first day, never verified.
    assert _by_slug() == {
        "al-qaim": D(2019, 9, 30),
        "al-tanf": D(2015, 5, 21),
        "al-waleed": None,
    }


def test_a_later_verification_beats_an_older_sourced_start_and_an_earlier_one_does_not(ctx):
    _verify("al-tanf", D(2013, 1, 1))
    assert freshness.last_verified(_site("al-tanf").id) == D(2015, 5, 21)
    _verify("al-tanf", D(2024, 2, 29), "C2")
    _verify("al-waleed", D(2020, 1, 1))
    assert _by_slug() == {
        "al-qaim": D(2019, 9, 30),
        "al-tanf": D(2024, 2, 29),
        "al-waleed": D(2020, 1, 1),
    }
    evidence = freshness.evidence(_site("al-tanf").id)
    assert evidence["day"] == D(2024, 2, 29) and [s.ref for s in evidence["sources"]] == ["C2"]


def test_a_period_without_a_source_confirms_nothing(ctx):
    site, isis = _site("al-tanf"), db.session.scalar(select(Actor).where(Actor.slug == "isis"))
    db.session.add(ControlPeriod(site=site, actor=isis, start=bounds.parse("2020-01-01"), end=None))
    db.session.add(StatusPeriod(site=site, status="open", start=bounds.parse("2021-01-01")))
    db.session.commit()
    assert freshness.last_verified(site.id) == D(2015, 5, 21)
    # Cited, the later period moves the day.
    period = db.session.scalar(
        select(ControlPeriod).where(ControlPeriod.start_earliest == D(2020, 1, 1))
    )
    period.sources = [_source("C2")]
    db.session.commit()
    assert freshness.last_verified(site.id) == D(2020, 1, 1)
    evidence = freshness.evidence(site.id)
    assert [s.ref for s in evidence["sources"]] == ["C2"]


def test_stalest_sites_never_verified_first_then_oldest_and_untracked_left_out(ctx):
    assert [s["slug"] for s in freshness.stalest_sites()] == ["al-waleed", "al-tanf", "al-qaim"]
    assert freshness.stalest_sites()[0]["last_verified"] is None
    assert freshness.stalest_sites()[1]["last_verified"] == D(2015, 5, 21)
    assert [s["slug"] for s in freshness.stalest_sites(limit=1)] == ["al-waleed"]
    _verify("al-waleed", D(2025, 1, 1))
    assert [s["slug"] for s in freshness.stalest_sites()] == ["al-tanf", "al-qaim", "al-waleed"]
    _site("al-tanf").kind = "zone"  # drawn for context, not tracked
    db.session.commit()
    assert [s["slug"] for s in freshness.stalest_sites()] == ["al-qaim", "al-waleed"]


def test_state_rows_and_site_features_carry_last_verified_as_iso(ctx):
    rows = {r["slug"]: r for r in queries.state_at(D(2015, 8, 1))}
    assert rows["al-tanf"]["last_verified"] == "2015-05-21"
    assert rows["al-waleed"]["last_verified"] is None
    _verify("al-tanf", D(2025, 6, 1))
    # A write makes a new data version: the cached rows are not reused.
    props = {f["id"]: f["properties"] for f in features.sites_at(D(2015, 8, 1))}
    assert props["al-tanf"]["last_verified"] == "2025-06-01"


def test_the_stale_sites_partial_lists_them_with_a_link_to_confirm(ctx):
    with ctx.test_request_context("/"):
        html = render_template("_stale_sites.html", stale_sites=freshness.stalest_sites())
    assert "Stalest sites" in html
    rows = html.split("<tr>")[2:]
    assert ["al-waleed" in rows[0], "al-tanf" in rows[1], "al-qaim" in rows[2]] == [True] * 3
    assert "never" in rows[0] and "21 May 2015" in rows[1] and "years ago" in rows[1]
    assert 'href="/editor/sites/al-tanf/verify"' in rows[1]


def test_a_start_known_to_a_month_or_a_window_is_shown_as_that_not_as_its_first_day(ctx):
    """The last verified day is the first a sourced start allows (for the age and the
    order), but it reads as the record knows it: "Mar 2024", not "1 Mar 2024"."""
    site, isis = _site("al-tanf"), db.session.scalar(select(Actor).where(Actor.slug == "isis"))
    cited = _source("C2")
    db.session.add(ControlPeriod(site=site, actor=isis, start=bounds.parse("2024-03"), end=None))
    db.session.flush()
    month = db.session.scalar(
        select(ControlPeriod).where(ControlPeriod.start_earliest == D(2024, 3, 1))
    )
    month.sources = [cited]
    db.session.commit()
    assert freshness.last_verified(site.id) == D(2024, 3, 1)
    assert freshness.evidence(site.id)["known"].text == "2024-03"
    assert freshness.last_verified_bound(site.id).text == "2024-03"
    (row,) = [s for s in freshness.stalest_sites() if s["slug"] == "al-tanf"]
    assert row["known"].text == "2024-03"
    with ctx.test_request_context("/"):
        html = render_template("_stale_sites.html", stale_sites=freshness.stalest_sites())
    assert "Mar 2024" in html and "1 Mar 2024" not in html
    # A status period of a window starting the same first day, and then a confirmation.
    cited = _source("C1")
    window = StatusPeriod(site=site, status="open", start=bounds.parse("2024-03-01/2024-04-20"))
    db.session.add(window)
    window.sources = [cited]
    db.session.commit()
    assert freshness.as_known(site.id, D(2024, 3, 1)).text == "2024-03"  # the narrower
    _verify("al-tanf", D(2024, 3, 1))
    assert freshness.evidence(site.id)["known"].text == "2024-03-01"
