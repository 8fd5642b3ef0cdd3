"""Download tables: CSV columns and formula-safe cells, GeoPackage layers, dated names."""

import io
import sqlite3

import pandas as pd
import pyogrio
import pytest

from app.core import geojson
from app.core.clock import today
from app.io import export


def _feature(fid, lon=38.6557, lat=33.5004, **props):
    return geojson.feature(fid, geojson.point(lon, lat), props)


def _read(csv: bytes, **kw) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(csv), keep_default_na=False, **kw)


# flatten, table, inert -----------------------------------------------------------------
def test_flatten_turns_sources_into_refs_and_urls_and_joins_lists():
    row = export.flatten(
        {
            "slug": "al-tanf",
            "sites": ["a", "b"],
            "count": 3,
            "none": None,
            "sources": [
                {"ref": "C1", "url": "https://example.org/one"},
                {"ref": None, "url": ""},
                {"ref": "C2", "url": "https://example.org/two"},
            ],
        }
    )
    assert row == {
        "slug": "al-tanf",
        "sites": "a; b",
        "count": 3,
        "none": None,
        "source_refs": "C1; ; C2",
        "source_urls": "https://example.org/one; https://example.org/two",
    }
    assert "sources" not in row
    assert export.flatten({"sources": []}) == {"source_refs": "", "source_urls": ""}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("al-Tanf", "al-Tanf"),
        ("", ""),
        (" =x", " =x"),
        ("a=b", "a=b"),
        (-3.5, -3.5),
        (7, 7),
        (None, None),
        (True, True),
    ],
)
def test_inert_quotes_only_text_a_spreadsheet_would_run(value, expected):
    assert export.inert(value) == expected


def test_table_keeps_integer_columns_integer_despite_gaps():
    frame = export.table(
        [{"id": 1, "period_id": 5, "lon": 1.5}, {"id": 2, "period_id": None, "lon": 2.5}]
    )
    assert list(frame.columns) == ["id", "period_id", "lon"]
    assert str(frame["period_id"].dtype) == "Int64" and frame["lon"].dtype.kind == "f"
    assert frame["period_id"].isna().tolist() == [False, True]


def test_table_of_no_rows_still_has_an_id_column():
    frame = export.table([])
    assert list(frame.columns) == ["id"] and len(frame) == 0


# CSV ----------------------------------------------------------------------------------
def test_csv_has_id_first_then_properties_then_lon_lat():
    feats = [
        _feature(
            1,
            slug="al-tanf",
            controller="isis",
            period_id=4,
            sources=[{"ref": "C1", "url": "https://example.org/one"}],
        ),
        _feature(2, 40.977, 34.3975, slug="al-qaim", controller=None, period_id=None, sources=[]),
    ]
    raw = export.to_csv(feats)
    # The byte-order mark lets Excel read Arabic text as UTF-8.
    assert raw.startswith(
        b"\xef\xbb\xbfid,slug,controller,period_id,source_refs,source_urls,lon,lat\r\n"
    )
    frame = _read(raw, dtype=str)
    assert frame.to_dict("records") == [
        {
            "id": "1",
            "slug": "al-tanf",
            "controller": "isis",
            "period_id": "4",
            "source_refs": "C1",
            "source_urls": "https://example.org/one",
            "lon": "38.6557",
            "lat": "33.5004",
        },
        {
            "id": "2",
            "slug": "al-qaim",
            "controller": "",
            "period_id": "",
            "source_refs": "",
            "source_urls": "",
            "lon": "40.977",
            "lat": "34.3975",
        },
    ]


def test_csv_is_utf8_with_crlf_rows():
    raw = export.to_csv([_feature("al-tanf", name_ar="التنف", note="line one\nline two")])
    assert "التنف".encode() in raw
    assert raw.count(b"\r\n") == 2  # header and one row; the newline in a cell is quoted
    assert _read(raw)["note"].tolist() == ["line one\nline two"]


def test_csv_cells_cannot_start_a_spreadsheet_formula():
    feats = [
        _feature(
            1,
            name='=HYPERLINK("http://evil")',
            note="@SUM(1)",
            sites=["-x", "y"],
            lon_text="+1",
            sources=[{"ref": "=C1", "url": "https://example.org"}],
        )
    ]
    frame = _read(export.to_csv(feats), dtype=str)
    row = frame.iloc[0]
    assert row["name"] == '\'=HYPERLINK("http://evil")'
    assert row["note"] == "'@SUM(1)" and row["lon_text"] == "'+1"
    assert row["sites"] == "'-x; y"  # lists are joined, then made inert
    assert row["source_refs"] == "'=C1"
    assert not [c for c in frame.to_numpy().ravel() if c[:1] in ("=", "+", "-", "@")]


def test_csv_leaves_negative_numbers_as_numbers():
    frame = _read(export.to_csv([_feature(1, -73.5, -40.25, delta=-2)]))
    assert frame.loc[0, "lon"] == -73.5 and frame.loc[0, "lat"] == -40.25
    assert frame.loc[0, "delta"] == -2


# GeoDataFrame and GeoPackage ----------------------------------------------------------
def test_frame_is_wgs84_with_id_first_and_null_geometries_kept():
    feats = [
        _feature(1, slug="a", sites=["x", "y"]),
        geojson.feature(2, None, {"slug": "b", "sites": []}),
        geojson.feature(
            3,
            {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]},
            {"slug": "c", "sites": ["z"]},
        ),
    ]
    frame = export.frame(feats)
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns) == ["id", "slug", "sites", "geometry"]
    assert frame["sites"].tolist() == ["x; y", "", "z"]
    assert frame.geometry.iloc[0].coords[0] == (38.6557, 33.5004)
    assert frame.geometry.iloc[1] is None
    assert frame.geometry.iloc[2].geom_type == "MultiPoint"


def test_geopackage_holds_each_layer(tmp_path):
    sites = export.frame(
        [
            _feature("al-tanf", slug="al-tanf", controller="isis"),
            _feature("al-qaim", 40.977, 34.3975, slug="al-qaim", controller=None),
        ]
    )
    sources = export.table(
        [{"id": 1, "ref": "C1", "title": "One"}, {"id": 2, "ref": "C2", "title": "Two"}]
    )
    raw = export.to_gpkg({"sites": sites, "sources": sources})
    assert raw.startswith(b"SQLite format 3\x00")
    path = tmp_path / "x.gpkg"
    path.write_bytes(raw)
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"sites", "sources"}
    assert layers["sources"] is None  # a plain frame becomes an attribute table
    back = pyogrio.read_dataframe(path, layer="sites").set_index("id")
    assert back.crs.to_epsg() == 4326
    assert back.loc["al-tanf", "controller"] == "isis"
    assert (back.loc["al-qaim"].geometry.x, back.loc["al-qaim"].geometry.y) == (40.977, 34.3975)
    refs = pyogrio.read_dataframe(path, layer="sources", read_geometry=False)["ref"]
    assert refs.tolist() == ["C1", "C2"]
    with sqlite3.connect(path) as conn:  # the file declares itself a GeoPackage
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47


def test_media_types():
    assert export.CSV_TYPE == "text/csv; charset=utf-8"
    assert export.GPKG_TYPE == "application/geopackage+sqlite3"


# through the download routes (contract data) ------------------------------------------
@pytest.mark.parametrize(
    "url, name",
    [
        ("/api/sites.csv?date=2015-08-01", "border-control-sites-2015-08-01.csv"),
        ("/api/periods.csv", "border-control-periods-{today}.csv"),
        ("/api/export.gpkg?date=2015-08-01", "border-control-atlas-2015-08-01.gpkg"),
    ],
)
def test_downloads_are_named_for_their_date(contract_client, url, name):
    resp = contract_client.get(url)
    assert resp.status_code == 200
    # Today as the request saw it: a run may cross midnight after collecting this test.
    name = name.format(today=today())
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{name}"'


def test_sites_csv_of_the_contract_data(contract_client):
    resp = contract_client.get("/api/sites.csv?date=2015-08-01")
    assert resp.headers["Content-Type"] == export.CSV_TYPE
    header = resp.data.split(b"\r\n", 1)[0].decode("utf-8-sig").split(",")
    assert header[:2] == ["id", "slug"] and header[-2:] == ["lon", "lat"]
    assert {"source_refs", "source_urls", "controller", "since", "until"} <= set(header)
    frame = _read(resp.data).set_index("slug")
    assert frame.loc["al-tanf", "controller"] == "isis"
    assert frame.loc["al-tanf", "source_refs"] == "C1; C2"
    assert frame.loc["al-tanf", "source_urls"] == "https://example.org/one"
    assert frame.loc["al-waleed", "controller"] == ""  # unknown: an empty cell
    # The held period by its record key, the id the periods download gives it.
    assert frame.loc["al-qaim", "period_id"] == "al-qaim.control.2014-06-21"
    # Last verified: the start of the latest sourced period (a status one at al-qaim).
    assert frame.loc["al-tanf", "last_verified"] == "2015-05-21"
    assert frame.loc["al-qaim", "last_verified"] == "2019-09-30"
    assert frame.loc["al-waleed", "last_verified"] == ""  # never: an empty cell


def test_periods_csv_of_the_contract_data(contract_client):
    frame = _read(contract_client.get("/api/periods.csv?actor=isis").data)
    assert sorted(frame["site"]) == ["al-qaim", "al-tanf"]
    assert set(frame["actor"]) == {"isis"}


def test_events_csv_gives_the_own_point_and_the_sites_by_slug():
    feats = [
        geojson.feature(
            "e1",
            {"type": "MultiPoint", "coordinates": [[1.5, 2.5], [38.6, 33.5]]},
            {"slug": "e1", "sites": ["al-tanf"]},
        ),
        geojson.feature(
            "e2",
            {"type": "MultiPoint", "coordinates": [[38.6, 33.5]]},
            {"slug": "e2", "sites": ["al-tanf"]},
        ),
        geojson.feature("e3", None, {"slug": "e3", "sites": []}),
    ]
    frame = _read(export.to_csv(feats), dtype=str)
    assert frame[["slug", "sites", "lon", "lat"]].to_dict("records") == [
        {"slug": "e1", "sites": "al-tanf", "lon": "1.5", "lat": "2.5"},
        {"slug": "e2", "sites": "al-tanf", "lon": "", "lat": ""},
        {"slug": "e3", "sites": "", "lon": "", "lat": ""},
    ]


def test_rows_without_a_place_as_geojson():
    doc = export.rows_geojson([{"id": "S1", "ref": "S1", "title": "One"}])
    assert doc == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "S1",
                "geometry": None,
                "properties": {"ref": "S1", "title": "One"},
            }
        ],
    }


def test_a_zip_of_the_same_files_is_the_same_bytes():
    files = {"a.csv": b"x,y\r\n1,2\r\n", "b.geojson": b"{}"}
    assert export.to_zip(files) == export.to_zip(dict(files))
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(export.to_zip(files)))
    assert archive.namelist() == ["a.csv", "b.geojson"] and archive.read("a.csv") == files["a.csv"]


def test_the_same_layers_make_the_same_geopackage():
    import datetime as dt

    layers = {"sources": export.table([{"id": "C1", "ref": "C1", "title": "One"}])}
    when = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    first = export.to_gpkg(layers, changed=when)
    assert export.to_gpkg(layers, changed=when) == first
    with sqlite3.connect(":memory:") as conn:
        conn.deserialize(first)
        (stamp,) = conn.execute("SELECT last_change FROM gpkg_contents").fetchone()
    assert stamp.startswith("2024-05-06T07:08:09")


def test_a_state_layers_dates_stay_dates_on_a_day_they_are_all_empty(contract_client, tmp_path):
    """A GIS user's column types must not depend on the date asked: on a day before any
    control period, `since` is empty on every row of the sites layer and is still a DATE
    field, as on a day it is filled (read back through GDAL)."""
    types, filled = {}, {}
    for day in ("2011-01-01", "2015-08-01"):
        path = tmp_path / f"{day}.gpkg"
        path.write_bytes(contract_client.get(f"/api/export.gpkg?date={day}").data)
        info = pyogrio.read_info(path, layer="sites")
        types[day] = dict(zip(info["fields"], map(str, info["dtypes"]), strict=True))
        filled[day] = pyogrio.read_dataframe(path, layer="sites")["since"].notna().any()
    assert filled == {"2011-01-01": False, "2015-08-01": True}
    assert types["2011-01-01"] == types["2015-08-01"]
    for name in ("since", "until", "status_since", "last_verified", "transition_earliest"):
        assert types["2011-01-01"][name] == "datetime64[D]", name
