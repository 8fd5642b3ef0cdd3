"""Tests for app.geo: hand-made squares for the rules, the committed layers once."""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, box, shape

from app.core import geo

REAL_GEODATA = Path(__file__).resolve().parents[2] / "geodata"

# Two squares meeting on the LAEA central meridian (40.5° E), near its centre.
SY = box(39.0, 33.5, 40.5, 35.5)
IQ = box(40.5, 33.5, 42.0, 35.5)
BORDER = LineString([(40.5, 35.5), (40.5, 33.5)])
ZONE = box(39.2, 33.7, 39.6, 34.1)
# Governorates splitting each square in two, north and south of 34.5° N.
ADMIN1 = {
    "Deir ez-Zor": box(39.0, 34.5, 40.5, 35.5),
    "Homs": box(39.0, 33.5, 40.5, 34.5),
    "Anbar": box(40.5, 33.5, 42.0, 35.5),
}


def _frame(columns: dict, geoms: list, crs: object = 4326) -> gpd.GeoDataFrame:
    """A GeoDataFrame from plain columns and shapely geometries."""
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write ``frame`` the way geodata/build.py does."""
    pyogrio.write_dataframe(frame, path, driver="GeoJSON", layer_options={"RFC7946": "YES"})
    return path


def _snapshot(directory: Path) -> dict[str, str | None]:
    """Every path below ``directory`` with a hash of its bytes (None for folders)."""
    return {
        str(p.relative_to(directory)): None
        if p.is_dir()
        else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test loads its own folders."""
    geo.clear_cache()
    yield
    geo.clear_cache()


@pytest.fixture
def geodata(tmp_path: Path) -> Path:
    """A geodata folder laid out like the real one, holding the two squares."""
    directory = tmp_path / "geodata"
    directory.mkdir()
    countries = _frame({"iso_a2": ["SY", "IQ"], "name": ["Syria", "Iraq"]}, [SY, IQ])
    _write_geojson(countries, directory / "countries.geojson")
    _write_geojson(countries, directory / "countries_display.geojson")
    _write_geojson(_frame({"name": ["border"]}, [BORDER]), directory / "border.geojson")
    _write_geojson(
        _frame({"name": ["zone"], "radius_km": [55], "approximate": [True]}, [ZONE]),
        directory / "tanf_zone.geojson",
    )
    return directory


@pytest.fixture
def incoming(tmp_path: Path) -> Path:
    """A folder for files offered to import_layer."""
    directory = tmp_path / "incoming"
    directory.mkdir()
    return directory


def _admin1_frame(column: str = "ADM1_EN", crs: object = 4326) -> gpd.GeoDataFrame:
    """The hand-made governorates with their names in ``column``."""
    frame = _frame({column: list(ADMIN1)}, list(ADMIN1.values()))
    return frame.to_crs(crs)


@pytest.mark.parametrize(
    ("lon", "lat", "country"),
    [
        (39.5, 34.5, "SY"),
        (41.5, 34.5, "IQ"),
        (40.4999, 35.0, "SY"),
        (40.5001, 35.0, "IQ"),
        (40.5, 35.0, "SY"),  # on the shared edge: the first matching row wins
        (38.5, 34.5, None),
        (40.0, 36.0, None),
    ],
)
def test_locate_finds_the_country(geodata, lon, lat, country):
    found = geo.locate([("p", lon, lat, None)], geo.load_boundaries(geodata))
    assert found["p"].country == country


@pytest.mark.parametrize(
    ("recorded", "mismatch"),
    [
        ("IQ", False),
        ("iq", False),
        ("SY", True),
        (None, False),
        ("", False),
    ],
)
def test_locate_reports_a_recorded_country_that_differs(geodata, recorded, mismatch):
    found = geo.locate([("p", 41.0, 34.5, recorded)], geo.load_boundaries(geodata))
    assert found["p"].mismatch is mismatch


def test_locate_flags_a_recorded_country_outside_every_layer(geodata):
    found = geo.locate([("sea", 38.0, 34.5, "SY")], geo.load_boundaries(geodata))
    assert found["sea"] == geo.Location(None, found["sea"].border_km, None, True)


# Geodesic distances (pyproj.Geod, WGS84) from each point to the border segment.
@pytest.mark.parametrize(
    ("lon", "lat", "km"),
    [
        (40.6, 34.5, 9.18),  # 0.1° of longitude at 34.5° N: 0.1 × 111.32 km × cos 34.5°
        (40.4, 34.5, 9.18),
        (41.0, 34.5, 45.92),
        (39.0, 34.5, 137.75),
        (40.5, 36.0, 55.48),  # past the segment's end: distance to its north end
        (40.5, 34.0, 0.0),
    ],
)
def test_border_distance_is_measured_in_km(geodata, lon, lat, km):
    boundaries = geo.load_boundaries(geodata)
    located = geo.locate([("p", lon, lat, None)], boundaries)["p"].border_km
    assert located == pytest.approx(km, abs=0.1)
    assert geo.distance_to_border_km(lon, lat, boundaries) == located


def test_locate_handles_many_points_and_none(geodata):
    boundaries = geo.load_boundaries(geodata)
    points = [(f"p{i}", 39.05 + i * 0.1, 34.0, None) for i in range(29)]
    found = geo.locate(iter(points), boundaries)
    assert [found[f"p{i}"].country for i in (0, 14, 15, 28)] == ["SY", "SY", "IQ", "IQ"]
    assert geo.locate([], boundaries) == {}


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (200.0, 34.0, "lon 200.0"),
        (40.0, math.nan, "lat nan"),
        (40.0, -91.0, "lat -91.0"),
    ],
)
def test_locate_refuses_impossible_coordinates(geodata, lon, lat, message):
    with pytest.raises(ValueError, match=f"point 'bad': {message}"):
        geo.locate([("bad", lon, lat, None)], geo.load_boundaries(geodata))


def test_border_length_km(geodata):
    # Meridian arc from 33.5° to 35.5° N is 221.86 km on WGS84.
    length = geo.border_length_km(geo.load_boundaries(geodata))
    assert length == pytest.approx(221.9, abs=0.2)


def test_load_boundaries_is_cached_per_folder(geodata):
    first = geo.load_boundaries(geodata)
    assert geo.load_boundaries(str(geodata / ".." / geodata.name)) is first
    geo.clear_cache()
    assert geo.load_boundaries(geodata) is not first


def test_load_boundaries_names_a_missing_file(geodata):
    (geodata / "border.geojson").unlink()
    with pytest.raises(geo.GeoDataError, match="border.geojson"):
        geo.load_boundaries(geodata)


def test_load_boundaries_repairs_invalid_geometries(geodata):
    bowtie = shapely.Polygon([(39, 33.5), (40.5, 35.5), (40.5, 33.5), (39, 35.5)])
    countries = _frame({"iso_a2": ["SY", "IQ"]}, [bowtie, IQ])
    _write_geojson(countries, geodata / "countries.geojson")
    boundaries = geo.load_boundaries(geodata)
    assert boundaries.countries.is_valid.all()
    assert geo.locate([("p", 39.2, 34.5, None)], boundaries)["p"].country == "SY"


def test_display_layers_returns_fresh_feature_collections(geodata):
    layers = geo.display_layers(geodata)
    assert sorted(layers) == ["border", "countries", "zone"]
    assert all(layer["type"] == "FeatureCollection" for layer in layers.values())
    layers["countries"]["features"].clear()
    assert len(geo.display_layers(geodata)["countries"]["features"]) == 2


def _as_gpkg(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    """GeoPackage."""
    frame.to_file(folder / "adm.gpkg", engine="pyogrio")
    return folder / "adm.gpkg"


def _as_geojson(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    """GeoJSON."""
    return _write_geojson(frame, folder / "adm.geojson")


def _as_fgb(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    """FlatGeobuf."""
    frame.to_file(folder / "adm.fgb", engine="pyogrio")
    return folder / "adm.fgb"


def _as_shp(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    """Shapefile next to its .dbf/.shx/.prj."""
    frame.to_file(folder / "adm.shp", engine="pyogrio")
    return folder / "adm.shp"


def _as_zip(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    """Zipped Shapefile, the way boundary portals hand them out."""
    _as_shp(frame, folder)
    with zipfile.ZipFile(folder / "adm.zip", "w") as archive:
        for part in folder.glob("adm.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    return folder / "adm.zip"


@pytest.mark.parametrize(
    ("writer", "column", "crs"),
    [
        (_as_gpkg, "ADM1_EN", 4326),
        (_as_geojson, "shapeName", 4326),
        (_as_fgb, "NAME_1", 3857),
        (_as_shp, "name", 32637),
        (_as_zip, "ADM1_NAME", 32637),
    ],
)
def test_import_admin1_joins_sites_to_governorates(geodata, incoming, writer, column, crs):
    path = writer(_admin1_frame(column, crs), incoming)
    result = geo.import_layer(path, "admin1", geodata)
    assert (result.name, result.features) == ("admin1", 3)
    assert result.geometry_types == ("Polygon",)
    assert result.bounds == pytest.approx((39.0, 33.5, 42.0, 35.5), abs=1e-6)
    assert result.path == geodata / "imported" / "admin1.gpkg"
    boundaries = geo.load_boundaries(geodata)
    found = geo.locate(
        [
            ("a", 39.5, 35.0, None),
            ("b", 39.5, 34.0, None),
            ("c", 41.0, 34.0, None),
            ("d", 38.0, 34.0, None),
        ],
        boundaries,
    )
    assert [found[k].admin1 for k in "abcd"] == ["Deir ez-Zor", "Homs", "Anbar", None]


def test_import_other_layers_take_any_geometry(geodata, incoming):
    m2 = LineString([(38.9, 33.4), (40.0, 33.9)])
    roads = _write_geojson(_frame({"ref": ["M2"]}, [m2]), incoming / "roads.geojson")
    result = geo.import_layer(roads, "roads", geodata)
    assert (result.features, result.geometry_types) == (1, ("LineString",))
    assert geo.load_boundaries(geodata).admin1 is None


def test_import_reads_the_chosen_layer_and_replaces_the_old_file(geodata, incoming):
    path = incoming / "many.gpkg"
    pyogrio.write_dataframe(_admin1_frame(), path, layer="adm1")
    pyogrio.write_dataframe(_frame({"x": [1]}, [Point(40, 34)]), path, layer="pts")
    geo.import_layer(path, "admin1", geodata, layer="adm1")
    one = _frame({"NAME": ["Everywhere"]}, [box(38, 33, 43, 36)])
    geo.import_layer(_write_geojson(one, incoming / "one.geojson"), "admin1", geodata)
    assert sorted(p.name for p in (geodata / "imported").iterdir()) == ["admin1.gpkg"]
    found = geo.locate([("p", 41.0, 34.0, None)], geo.load_boundaries(geodata))
    assert found["p"].admin1 == "Everywhere"


def _missing(folder: Path) -> Path:
    """A path with nothing behind it."""
    return folder / "nope.gpkg"


def _text(folder: Path) -> Path:
    """A plain text file."""
    (folder / "notes.txt").write_text("Not geodata, just words.\n", encoding="utf-8")
    return folder / "notes.txt"


def _table(folder: Path) -> Path:
    """A CSV table without geometry."""
    (folder / "table.csv").write_text("ADM1_EN,pop\nAnbar,1\n", encoding="utf-8")
    return folder / "table.csv"


def _empty(folder: Path) -> Path:
    """A GeoJSON FeatureCollection with no features."""
    empty = '{"type": "FeatureCollection", "features": []}'
    (folder / "empty.geojson").write_text(empty, encoding="utf-8")
    return folder / "empty.geojson"


def _no_crs(folder: Path) -> Path:
    """A Shapefile without its .prj."""
    with pytest.warns(UserWarning, match="crs"):
        _admin1_frame().set_crs(None, allow_override=True).to_file(
            folder / "nocrs.shp", engine="pyogrio"
        )
    return folder / "nocrs.shp"


def _points(folder: Path) -> Path:
    """Points offered as governorates."""
    return _write_geojson(
        _frame({"ADM1_EN": ["Anbar"]}, [Point(41, 34)]), folder / "points.geojson"
    )


def _unnamed(folder: Path) -> Path:
    """Governorates whose names sit in an unknown column."""
    return _write_geojson(_admin1_frame("label"), folder / "unnamed.geojson")


def _two_layers(folder: Path) -> Path:
    """A GeoPackage holding two layers."""
    pyogrio.write_dataframe(_admin1_frame(), folder / "two.gpkg", layer="adm1")
    pyogrio.write_dataframe(_admin1_frame(), folder / "two.gpkg", layer="adm2")
    return folder / "two.gpkg"


@pytest.mark.parametrize(
    ("make", "name", "layer", "message"),
    [
        (_missing, "admin1", None, "nope.gpkg: no such file"),
        (_text, "admin1", None, "notes.txt: not a readable geodata file"),
        (_table, "admin1", None, "table.csv: has no geometry column"),
        (_empty, "admin1", None, "empty.geojson: has no features"),
        (_no_crs, "admin1", None, "nocrs.shp: has no coordinate reference system"),
        (_points, "admin1", None, "needs Polygon or MultiPolygon geometries, found Point"),
        (_unnamed, "admin1", None, "no admin-1 name column; looked for ADM1_EN, ADM1_NAME"),
        (_two_layers, "admin1", None, r"two.gpkg: has 2 layers \(adm1, adm2\); choose one"),
        (_two_layers, "admin1", "adm3", "two.gpkg: no layer 'adm3'; it has adm1, adm2"),
        (_empty, "Admin-1", None, r"layer name 'Admin-1' must match"),
        (_empty, "a" * 41, None, "must match"),
    ],
)
@pytest.mark.parametrize("previous", [False, True], ids=["fresh", "after-import"])
def test_import_refuses_unsuitable_files_and_changes_nothing(
    geodata, incoming, make, name, layer, message, previous
):
    if previous:
        geo.import_layer(_as_gpkg(_admin1_frame(), incoming), "admin1", geodata)
    before = _snapshot(geodata)
    path = make(incoming)
    with pytest.raises(geo.GeoDataError, match=message):
        geo.import_layer(path, name, geodata, layer=layer)
    assert _snapshot(geodata) == before


def test_import_failing_mid_write_keeps_the_old_layer(geodata, incoming, monkeypatch):
    geo.import_layer(_as_gpkg(_admin1_frame(), incoming), "admin1", geodata)
    newer = _as_geojson(_admin1_frame(), incoming)
    before = _snapshot(geodata)

    def half_write(frame, path, **kwargs):
        Path(path).write_bytes(b"SQLite format 3\0 cut short")
        raise pyogrio.errors.DataSourceError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", half_write)
    with pytest.raises(geo.GeoDataError, match="admin1.gpkg: could not be written"):
        geo.import_layer(newer, "admin1", geodata)
    assert _snapshot(geodata) == before


def test_import_refuses_a_missing_geodata_folder(tmp_path, incoming):
    with pytest.raises(geo.GeoDataError, match="geodata folder does not exist"):
        geo.import_layer(_empty(incoming), "admin1", tmp_path / "nowhere")


def _features(filename: str) -> list[dict]:
    """Features of one committed layer, checking the RFC 7946 envelope on the way."""
    path = REAL_GEODATA / filename
    limit = 100_000 if "display" in filename else 1_000_000
    assert path.stat().st_size < limit, filename
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection", filename
    assert "crs" not in collection, filename
    for feature in collection["features"]:
        lon, lat = shapely.get_coordinates(shape(feature["geometry"])).T
        assert (abs(lon) <= 180).all() and (abs(lat) <= 90).all(), filename
    return collection["features"]


def test_committed_layers_meet_their_contract():
    for filename in ("countries.geojson", "countries_display.geojson"):
        syria = [f for f in _features(filename) if f["properties"]["iso_a2"] == "SY"]
        assert shape(syria[0]["geometry"]).within(box(35, 32, 43, 38)), filename
    (border,) = _features("border.geojson")
    assert border["geometry"]["type"] == "LineString"
    length = geo.border_length_km(geo.load_boundaries(REAL_GEODATA))
    assert length == pytest.approx(599, abs=3)
    assert border["properties"]["length_km"] == length
    (zone,) = _features("tanf_zone.geojson")
    assert zone["properties"]["approximate"] is True
    assert zone["properties"]["radius_km"] == 55
    lon, lat = shapely.get_coordinates(shape(zone["geometry"]).exterior)[:-1].T
    assert len(lon) >= 64
    garrison = np.full_like(lon, 38.61778), np.full_like(lat, 33.50583)
    _, _, metres = Geod(ellps="WGS84").inv(*garrison, lon, lat)
    assert metres == pytest.approx(np.full_like(lon, 55_000), abs=1)


# Distances measured against the committed border; Akashat's point is the nominal
# (arc-minute) ambush location, well inside Anbar.
@pytest.mark.parametrize(
    ("site", "lon", "lat", "country", "max_km"),
    [
        ("al-Yarubiyah", 42.066389, 36.811667, "SY", 1),
        ("Rabia", 42.0833, 36.80, "IQ", 3),
        ("Al-Qa'im", 40.9770, 34.3975, "IQ", 2),
        ("Albukamal", 40.9344, 34.4525, "SY", 7),
        ("al-Tanf garrison", 38.61778, 33.50583, "SY", 25),
        ("Akashat", 40.5833, 33.25, "IQ", 105),
    ],
)
def test_seed_sites_fall_in_their_countries(site, lon, lat, country, max_km):
    boundaries = geo.load_boundaries(REAL_GEODATA)
    found = geo.locate([(site, lon, lat, country)], boundaries)[site]
    assert (found.country, found.mismatch) == (country, False)
    assert 0 <= found.border_km < max_km
