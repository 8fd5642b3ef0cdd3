"""Download and OGC features: filters, paging, GeoJSON shapes and extents on the contract data."""

import datetime as dt

import pytest
from shapely.geometry import box, shape

from app.core.record_keys import period_key
from app.db import features
from app.db.features import Filters
from app.db.models import ControlPeriod, Source
from app.extensions import db
from app.io import seed

D = dt.date
TANF = (38.6557, 33.5004)
QAIM = (40.9770, 34.3975)


@pytest.fixture
def ctx(app, contract_client):
    """An app context on the contract data set."""
    with app.app_context():
        yield app


def _spans(feats) -> list[tuple[str, str, str]]:
    return sorted(
        (f["properties"]["site"], f["properties"]["start"] or "", f["properties"]["end"] or "")
        for f in feats
    )


# sites_at -----------------------------------------------------------------------------
def test_sites_at_are_point_features_keyed_by_slug(ctx):
    feats = features.sites_at(D(2015, 8, 1))
    assert [f["id"] for f in feats] == ["al-qaim", "al-tanf", "al-waleed"]
    tanf = feats[1]
    assert tanf["type"] == "Feature"
    assert tanf["geometry"] == {"type": "Point", "coordinates": list(TANF)}
    props = tanf["properties"]
    assert "lon" not in props and "lat" not in props
    assert props["controller"] == "isis" and props["slug"] == "al-tanf"
    # Sources as features carry them: the date cut to its precision.
    assert [(s["ref"], s["published"]) for s in props["sources"]] == [
        ("C1", "2014-06"),
        ("C2", "2016-03-04"),
    ]
    assert feats[2]["properties"]["controller"] is None  # al-Waleed: a gap


def test_sites_at_keep_only_points_in_the_box(ctx):
    feats = features.sites_at(D(2015, 8, 1), bbox=(40.5, 34.0, 41.5, 35.0))
    assert [f["id"] for f in feats] == ["al-qaim"]
    assert features.sites_at(D(2015, 8, 1), bbox=(0, 0, 1, 1)) == []


# periods ------------------------------------------------------------------------------
def test_periods_are_points_at_their_site_with_bounds_and_sources(ctx):
    feats = features.periods(Filters())
    assert len(feats) == 5
    # Ids are record keys (site, kind, start days), not row ids: another database agrees.
    assert [f["id"] for f in feats] == [
        period_key(f["properties"]["site"], "control", f["properties"]["start_edtf"]) for f in feats
    ]
    qaim = next(f for f in feats if f["properties"]["contested"])
    assert qaim["geometry"] == {"type": "Point", "coordinates": list(QAIM)}
    assert qaim["properties"] == {
        "site": "al-qaim",
        "site_name": "al-Qa'im",
        "country": "IQ",
        "actor": "isis",
        "actor_name": "Islamic State",
        "start": "2014-06-21",
        "start_precision": "day",
        "end": "2017-11-03",
        "end_precision": "day",
        "start_edtf": "2014-06-21",
        "start_earliest": "2014-06-21",
        "start_latest": "2014-06-21",
        "end_edtf": "2017-11-03",
        "end_earliest": "2017-11-03",
        "end_latest": "2017-11-03",
        "certain_start": "2014-06-21",
        "certain_end": "2017-11-03",
        "contested": True,
        "challenger": "iraqi-government",
        "confidence": "high",
        "note": "",
        "sources": [
            {
                "ref": "C1",
                "title": "Contract source one",
                "publisher": "Test wire",
                "url": "https://example.org/one",
                "published": "2014-06",
            }
        ],
    }
    waleed = next(f for f in feats if f["properties"]["site"] == "al-waleed")
    assert waleed["properties"]["start"] is None
    assert waleed["properties"]["end"] == "2014-06-01"
    assert waleed["properties"]["end_precision"] == "month"
    assert (waleed["properties"]["end_edtf"], waleed["properties"]["end_latest"]) == (
        "2014-06",
        "2014-06-30",
    )
    # Sure until the month begins; from then on it may have ended on any day of June.
    assert waleed["properties"]["certain_end"] == "2014-06-01"


@pytest.mark.parametrize(
    "f, expected",
    [
        (
            Filters(site="al-tanf"),
            [("al-tanf", "2012-01-01", "2015-05-21"), ("al-tanf", "2015-05-21", "2016-03-04")],
        ),
        (
            Filters(actor="isis"),
            [("al-qaim", "2014-06-21", "2017-11-03"), ("al-tanf", "2015-05-21", "2016-03-04")],
        ),
        (Filters(site="al-qaim", actor="isis"), [("al-qaim", "2014-06-21", "2017-11-03")]),
        # Half-open window [lo, hi): a period ending on lo, or starting on hi, is left out.
        (
            Filters(site="al-tanf", lo=D(2015, 5, 21), hi=D(2016, 3, 4)),
            [("al-tanf", "2015-05-21", "2016-03-04")],
        ),
        (
            Filters(lo=D(2016, 3, 4)),
            [("al-qaim", "2014-06-21", "2017-11-03"), ("al-qaim", "2017-11-03", "")],
        ),
        # Open bounds reach any window: al-Waleed's open start, al-Qa'im's open end.
        (Filters(hi=D(2000, 1, 1)), [("al-waleed", "", "2014-06-01")]),
        (Filters(lo=D(2030, 1, 1)), [("al-qaim", "2017-11-03", "")]),
        (
            Filters(bbox=(38.0, 33.0, 39.0, 34.0)),
            [
                ("al-tanf", "2012-01-01", "2015-05-21"),
                ("al-tanf", "2015-05-21", "2016-03-04"),
                ("al-waleed", "", "2014-06-01"),
            ],
        ),
        (Filters(site="nowhere"), []),
        (Filters(actor="nobody"), []),
    ],
)
def test_period_filters(ctx, f, expected):
    assert _spans(features.periods(f)) == expected
    assert features.count("periods", f) == len(expected)


def test_period_by_record_key(ctx):
    qaim = next(f for f in features.periods(Filters()) if f["properties"]["contested"])
    assert qaim["id"] == "al-qaim.control.2014-06-21"
    assert features.find("periods", qaim["id"]) == qaim
    assert features.find("status", qaim["id"]) is None  # a control key is no status key
    for missing in ("al-qaim.control.2014-06-22", "nowhere.control.open", "17", ""):
        assert features.find("periods", missing) is None


def test_every_kind_is_found_by_its_key(ctx):
    for kind, fetch in (
        ("periods", lambda: features.periods(Filters())),
        ("status", lambda: features.status(Filters())),
        ("events", lambda: features.events(Filters())),
        ("sources", features.sources),
        ("actors", features.actors),
        ("crossings", features.crossings),
        ("site_records", features.site_records),
    ):
        every = fetch()
        assert every and len({f["id"] for f in every}) == len(every), kind
        assert all(features.find(kind, f["id"]) == f for f in every), kind
    tanf = features.find("sites", "al-tanf", D(2015, 8, 1))
    assert tanf is not None and tanf["properties"]["controller"] == "isis"
    assert tanf["properties"]["period_id"] == "al-tanf.control.2015-05-21"
    assert features.find("nothing", "al-tanf") is None


def test_a_window_start_has_its_own_key(ctx):
    """A period starting on a day and the next, whose start window begins that day, differ."""
    from app.core import bounds
    from app.db.models import Actor, Site

    site = db.session.scalar(db.select(Site).where(Site.slug == "al-waleed"))
    isis = db.session.scalar(db.select(Actor).where(Actor.slug == "isis"))
    cited = db.session.scalar(db.select(Source).where(Source.ref == "C1"))
    for start, end in (("2019-03-01", "2019-03-01/2019-03-02"), ("2019-03-01/2019-03-02", None)):
        db.session.add(
            ControlPeriod(
                site=site,
                actor=isis,
                start=bounds.parse(start),
                end=end and bounds.parse(end),
                sources=[cited],
            )
        )
    db.session.commit()
    keys = [f["id"] for f in features.periods(Filters(site="al-waleed", lo=D(2019, 1, 1)))]
    assert keys == ["al-waleed.control.2019-03-01", "al-waleed.control.2019-03-01..2019-03-02"]
    assert [features.find("periods", k)["id"] for k in keys] == keys


def test_periods_page_with_limit_and_offset(ctx):
    every = [f["id"] for f in features.periods(Filters())]
    pages = [features.periods(Filters(), limit=2, offset=n) for n in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [f["id"] for p in pages for f in p] == every


# status -------------------------------------------------------------------------------
def test_status_periods_as_features(ctx):
    feats = features.status(Filters())
    assert [(f["properties"]["status"], f["properties"]["start"]) for f in feats] == [
        ("closed", "2014-06-21"),
        ("open", "2019-09-30"),
    ]
    closed = feats[0]
    assert closed["geometry"]["coordinates"] == list(QAIM)
    assert closed["properties"]["end"] == "2019-09-30"
    assert [s["ref"] for s in closed["properties"]["sources"]] == ["C1"]
    assert [s["ref"] for s in feats[1]["properties"]["sources"]] == ["C2"]


@pytest.mark.parametrize(
    "f, statuses",
    [
        (Filters(site="al-tanf"), []),
        (Filters(site="al-qaim", lo=D(2019, 9, 30)), ["open"]),
        (Filters(hi=D(2019, 9, 30)), ["closed"]),
        (Filters(bbox=(38.0, 33.0, 39.0, 34.0)), []),
    ],
)
def test_status_filters(ctx, f, statuses):
    assert [x["properties"]["status"] for x in features.status(f)] == statuses
    assert features.count("status", f) == len(statuses)


# events -------------------------------------------------------------------------------
def test_events_are_multipoints_at_their_sites(ctx):
    (event,) = features.events(Filters())
    assert event["geometry"] == {"type": "MultiPoint", "coordinates": [list(TANF)]}
    props = event["properties"]
    assert props["slug"] == "contract-event" and props["sites"] == ["al-tanf"]
    assert (props["date"], props["precision"], props["end"]) == ("2015-05-01", "month", None)
    assert [s["ref"] for s in props["sources"]] == ["C2"]


def _load(tmp_path, text: str) -> None:
    """Add rows to the contract data through the seed format."""
    extra = tmp_path / "extra.yaml"
    extra.write_text(text, encoding="utf-8")
    seed.load(extra)


def test_an_event_point_of_its_own_comes_first_and_a_placeless_event_has_null_geometry(
    ctx, tmp_path
):
    _load(
        tmp_path,
        """events:
  - {slug: own-point, date: "2016-01-01", title: Own point, lon: 41.5, lat: 34.5,
     sites: [al-qaim]}
  - {slug: nowhere, date: "2016-02-01", title: No place}
""",
    )
    by_slug = {f["properties"]["slug"]: f for f in features.events(Filters())}
    assert by_slug["own-point"]["geometry"]["coordinates"] == [[41.5, 34.5], list(QAIM)]
    assert by_slug["nowhere"]["geometry"] is None
    assert by_slug["nowhere"]["properties"]["sites"] == []


def test_event_filters_treat_events_as_closed_intervals(ctx, tmp_path):
    _load(
        tmp_path,
        """events:
  - {slug: span, date: "2016-01-01", end: "2016-01-31", title: Span, lon: 44.0, lat: 36.0}
""",
    )

    def slugs(f):
        assert features.count("events", f) == len(features.events(f))
        return sorted(e["properties"]["slug"] for e in features.events(f))

    assert slugs(Filters(lo=D(2016, 1, 31))) == ["span"]  # the last day counts
    assert slugs(Filters(lo=D(2016, 2, 1))) == []
    assert slugs(Filters(hi=D(2016, 1, 1))) == ["contract-event"]  # hi stays exclusive
    assert slugs(Filters(site="al-tanf")) == ["contract-event"]
    # A box holds an event by its own point or by one of its sites.
    assert slugs(Filters(bbox=(43.5, 35.5, 44.5, 36.5))) == ["span"]
    assert slugs(Filters(bbox=(38.0, 33.0, 39.0, 34.0))) == ["contract-event"]


# sources, extents, boundaries ---------------------------------------------------------
def test_sources_all_or_only_those_cited(ctx):
    db.session.add(Source(ref="C9", title="Never cited", accessed=D(2024, 1, 2)))
    db.session.commit()
    rows = features.sources()
    assert [r["ref"] for r in rows] == ["C1", "C2", "C9"]
    assert rows[2]["accessed"] == "2024-01-02" and rows[0]["published"] == "2014-06"
    assert [r["id"] for r in rows] == ["C1", "C2", "C9"]  # keyed by ref, as imports match
    cited = features.periods(Filters(site="al-qaim", lo=D(2018, 1, 1)))
    assert [r["ref"] for r in features.sources(cited)] == ["C2"]
    assert features.sources([]) == []


def test_extent_of_sites_and_times(ctx):
    spatial, temporal = features.extent("periods")
    assert spatial == [38.6557, 33.3928, 40.977, 34.3975]
    assert temporal == [None, None]  # an open start and an ongoing period
    assert features.extent("status")[1] == ["2014-06-21", None]
    assert features.extent("events")[1] == ["2015-05-01", "2015-05-01"]


def test_extent_closes_when_every_period_is_bounded(ctx):
    open_ended = db.select(ControlPeriod).where(
        db.or_(ControlPeriod.start_edtf.is_(None), ControlPeriod.end_edtf.is_(None))
    )
    for period in db.session.scalars(open_ended):
        db.session.delete(period)
    db.session.commit()
    assert features.extent("periods")[1] == ["2012-01-01", "2017-11-03"]


def test_extent_of_an_empty_database_is_open(app):
    with app.app_context():
        assert features.extent("periods") == (None, [None, None])
        assert features.extent("events") == (None, [None, None])


def test_boundaries_are_features_of_three_layers(app):
    feats = features.boundaries(app.config["GEODATA_DIR"])
    layers = {f["properties"]["layer"] for f in feats}
    assert layers == {"countries", "border", "zone"}
    ids = [f["id"] for f in feats]
    assert len(ids) == len(set(ids)) and "countries-iq" in ids and "countries-sy" in ids
    iraq = next(f for f in feats if f["id"] == "countries-iq")
    assert iraq["properties"]["iso_a2"] == "IQ" and iraq["properties"]["name"] == "Iraq"
    assert all(shape(f["geometry"]).is_valid for f in feats)


def test_boundaries_in_a_box_are_those_meeting_it(app):
    bbox = (43.0, 33.0, 44.0, 34.0)  # central Iraq, off the border
    feats = features.boundaries(app.config["GEODATA_DIR"], bbox)
    every = features.boundaries(app.config["GEODATA_DIR"])
    assert {f["id"] for f in feats} == {
        f["id"] for f in every if shape(f["geometry"]).intersects(box(*bbox))
    }
    assert "countries-iq" in {f["id"] for f in feats}
    assert "countries-eg" not in {f["id"] for f in feats}


def test_boundaries_extent_covers_every_feature(app):
    spatial, temporal = features.boundaries_extent(app.config["GEODATA_DIR"])
    assert temporal is None
    for f in features.boundaries(app.config["GEODATA_DIR"]):
        minx, miny, maxx, maxy = shape(f["geometry"]).bounds
        assert spatial[0] <= minx + 1e-6 and spatial[1] <= miny + 1e-6
        assert maxx - 1e-6 <= spatial[2] and maxy - 1e-6 <= spatial[3]
