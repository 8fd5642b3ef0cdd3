"""RFC 7946 builders: features, points, cited sources, collections and serialisation."""

import datetime as dt
import json

import orjson
import pytest
from shapely.geometry import shape

from app.core import geojson


def _source(**extra) -> dict:
    return {
        "ref": "S1",
        "title": "Title",
        "publisher": "Wire",
        "url": "https://x.example",
        "published": "2013-03-04",
        "published_precision": "day",
        "archived_url": "",
        "language": "en",
        "published_label": "4 Mar 2013",
        **extra,
    }


def test_media_type_is_the_registered_one():
    assert geojson.MEDIA_TYPE == "application/geo+json"


def test_point_puts_longitude_first():
    assert geojson.point(40.977, 34.3975) == {"type": "Point", "coordinates": [40.977, 34.3975]}
    geom = shape(geojson.point(40.977, 34.3975))
    assert (geom.x, geom.y) == (40.977, 34.3975)


def test_feature_with_and_without_an_id():
    geom = geojson.point(1.0, 2.0)
    with_id = geojson.feature("al-tanf", geom, {"a": 1})
    assert with_id == {"type": "Feature", "geometry": geom, "properties": {"a": 1}, "id": "al-tanf"}
    assert "id" not in geojson.feature(None, geom, {})
    assert geojson.feature(0, geom, {})["id"] == 0  # a zero id is still an id


def test_feature_may_have_null_geometry():
    f = geojson.feature(3, None, {"title": "no place"})
    assert "geometry" in f and f["geometry"] is None  # RFC 7946 §3.2: member present, null


def test_point_feature_moves_lon_lat_into_the_geometry():
    row = {
        "slug": "al-qaim",
        "lon": 40.977,
        "lat": 34.3975,
        "controller": None,
        "sources": [_source(published="2014-06-01", published_precision="month")],
    }
    f = geojson.point_feature(row, "al-qaim")
    assert f["id"] == "al-qaim"
    assert f["geometry"] == {"type": "Point", "coordinates": [40.977, 34.3975]}
    assert set(f["properties"]) == {"slug", "controller", "sources"}
    assert f["properties"]["controller"] is None
    assert f["properties"]["sources"] == [
        {
            "ref": "S1",
            "title": "Title",
            "publisher": "Wire",
            "url": "https://x.example",
            "published": "2014-06",
        }
    ]
    assert row["sources"][0]["published"] == "2014-06-01"  # the row is left as it was
    assert "id" not in geojson.point_feature({"lon": 0, "lat": 0})


def test_point_features_sharing_a_source_list_share_its_form():
    shared, other = (_source(),), (_source(ref="S2"),)
    rows = [{"slug": s, "lon": 1, "lat": 2, "sources": src} for s, src in
            (("a", shared), ("b", other), ("c", shared))]  # fmt: skip
    shown: dict = {}
    feats = [geojson.point_feature(row, row["slug"], shown) for row in rows]
    assert [list(f["properties"]) for f in feats] == [["slug", "sources"]] * 3  # in order
    assert [f["properties"] for f in feats] == [
        geojson.point_feature(row)["properties"] for row in rows
    ]
    a, b, c = (f["properties"]["sources"] for f in feats)
    assert a is c and a is not b and len(shown) == 2


@pytest.mark.parametrize(
    "published, precision, shown",
    [
        ("2013-03-04", "day", "2013-03-04"),
        ("2013-03-01", "month", "2013-03"),
        ("2013-01-01", "year", "2013"),
        (None, "day", None),
    ],
)
def test_cited_shows_the_publication_date_at_its_precision(published, precision, shown):
    (out,) = geojson.cited([_source(published=published, published_precision=precision)])
    assert out["published"] == shown
    assert set(out) == {"ref", "title", "publisher", "url", "published"}


def test_cited_keeps_an_archive_link_only_when_there_is_one():
    (out,) = geojson.cited([_source(archived_url="https://web.archive.org/x")])
    assert out["archived_url"] == "https://web.archive.org/x"
    assert geojson.cited([]) == []


def test_feature_collection_with_foreign_members():
    feats = (geojson.feature(i, geojson.point(i, i), {}) for i in range(3))
    doc = geojson.feature_collection(feats, date="2015-08-01")
    assert doc["type"] == "FeatureCollection" and doc["date"] == "2015-08-01"
    assert [f["id"] for f in doc["features"]] == [0, 1, 2]  # a generator is consumed
    assert "crs" not in doc and "bbox" not in doc
    assert geojson.feature_collection([]) == {"type": "FeatureCollection", "features": []}


def test_dumps_is_compact_json_with_iso_dates_and_unescaped_arabic():
    doc = geojson.feature_collection(
        [geojson.feature(1, geojson.point(38.6557, 33.5004), {"name_ar": "التنف"})],
        date=dt.date(2015, 8, 1),
    )
    raw = geojson.dumps(doc)
    assert isinstance(raw, bytes)
    assert "التنف".encode() in raw and b'"date":"2015-08-01"' in raw
    assert json.loads(raw) == {**doc, "date": "2015-08-01"}
    assert orjson.loads(raw)["features"][0]["geometry"]["coordinates"] == [38.6557, 33.5004]
