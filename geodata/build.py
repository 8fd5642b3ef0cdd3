"""Build the regional boundary layers from Natural Earth 1:10m (npm world-atlas).

Run ``python geodata/build.py [--source FILE] [--out DIR]``; the output is the same
on every run from the same source.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import Point, box

__all__ = ["Built", "main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-10m.json"
DEFAULT_OUT = ROOT / "geodata"

REGION = box(33.0, 28.0, 50.0, 39.5)
#: ISO 3166-1 numeric → alpha-2: Syria, Iraq, their neighbours, and the countries
#: that would otherwise leave holes in the regional box (Sinai, the South Caucasus).
ISO_A2 = {
    "760": "SY",
    "368": "IQ",
    "792": "TR",
    "400": "JO",
    "422": "LB",
    "376": "IL",
    "275": "PS",
    "682": "SA",
    "364": "IR",
    "414": "KW",
    "818": "EG",
    "051": "AM",
    "031": "AZ",
}
LAEA = "+proj=laea +lat_0=34.5 +lon_0=40.5 +datum=WGS84 +units=m +no_defs"
DETAIL_GRID = 1e-6  # degrees; about 0.1 m, far below the source's ~300 m quantization
DISPLAY_TOLERANCE = 0.015  # degrees, coverage (Visvalingam–Whyatt) simplification
DISPLAY_GRID = 1e-4  # degrees; about 11 m
TANF = (38.61778, 33.50583)  # al-Tanf garrison, lon/lat
TANF_RADIUS_KM = 55
TANF_NOTE = (
    "No published polygon; a 55 km circle around the al-Tanf garrison "
    "approximates it (Crisis Group, CENTCOM)"
)


@dataclass(frozen=True)
class Built:
    """What one build wrote and the measured Syria–Iraq border length."""

    files: tuple[Path, ...]
    border_km: float


def main(source: str | Path = DEFAULT_SOURCE, out: str | Path = DEFAULT_OUT) -> Built:
    """Derive every boundary layer from ``source`` and write them to ``out``."""
    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    countries = _countries(source)
    border = _border(countries, _source_label(source))
    layers = {
        "countries.geojson": (countries, 6),
        "countries_display.geojson": (_display(countries), 4),
        "border.geojson": (border, 6),
        "tanf_zone.geojson": (_tanf_zone(), 6),
    }
    for filename, (frame, precision) in layers.items():
        _write(frame, out / filename, precision)
    return Built(tuple(out / f for f in layers), float(border["length_km"].iloc[0]))


def _countries(source: Path) -> gpd.GeoDataFrame:
    """Read the regional countries, made valid, clipped to the box, on a fine grid."""
    world = pyogrio.read_dataframe(source, layer="countries").set_crs(4326)
    picked = world[world["id"].isin(ISO_A2)].sort_values("id")
    # "structure" keeps areas only; the default also keeps collapsed slivers as lines.
    geoms = shapely.make_valid(picked.geometry.values, method="structure", keep_collapsed=False)
    geoms = [_polygonal(g) for g in shapely.intersection(geoms, REGION)]
    geoms = shapely.set_precision(np.asarray(geoms), DETAIL_GRID)
    _check_coverage(geoms, "countries")
    ids = picked["id"].to_numpy()
    frame = gpd.GeoDataFrame(
        {"iso_a2": [ISO_A2[i] for i in ids], "iso_n3": ids, "name": picked["name"].to_numpy()},
        geometry=geoms,
        crs=4326,
    )
    return frame.sort_values("iso_a2", ignore_index=True)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of ``geom`` (clipping leaves stray edges)."""
    parts = shapely.get_parts(shapely.get_parts(geom))  # flattens nested collections
    parts = [p for p in parts if isinstance(p, shapely.Polygon)]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _check_coverage(geoms: np.ndarray, what: str) -> None:
    """Fail unless ``geoms`` are valid and meet edge to edge without overlaps."""
    if not (shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms)):
        raise ValueError(f"{what}: polygons are invalid or overlap after processing")


def _display(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Simplify the countries for the web map, keeping shared edges shared."""
    geoms = shapely.coverage_simplify(countries.geometry.values, DISPLAY_TOLERANCE)
    geoms = shapely.set_precision(geoms, DISPLAY_GRID)
    _check_coverage(geoms, "countries_display")
    return countries.set_geometry(geoms)


def _border(countries: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """Return the Syria–Iraq border as one LineString running north to south."""
    by_iso = countries.set_index("iso_a2").geometry
    line = shapely.line_merge(by_iso["SY"].boundary.intersection(by_iso["IQ"].boundary))
    if not isinstance(line, shapely.LineString):
        raise ValueError(f"Syria–Iraq border: expected one LineString, got {line.geom_type}")
    if line.coords[0][1] < line.coords[-1][1]:
        line = line.reverse()
    frame = gpd.GeoDataFrame(
        {"name": ["Syria–Iraq border"], "source": [source]}, geometry=[line], crs=4326
    )
    frame.insert(1, "length_km", round(frame.to_crs(LAEA).length.iloc[0] / 1000, 1))
    return frame


def _tanf_zone() -> gpd.GeoDataFrame:
    """Return the al-Tanf zone: a geodesic 55 km circle around the garrison."""
    lon, lat = TANF
    local = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs"
    # Distances from the centre of an azimuthal equidistant projection are true.
    circle = Point(0, 0).buffer(TANF_RADIUS_KM * 1000, quad_segs=16)
    frame = gpd.GeoDataFrame(
        {
            "name": ["al-Tanf deconfliction zone"],
            "radius_km": [TANF_RADIUS_KM],
            "approximate": [True],
            "note": [TANF_NOTE],
        },
        geometry=[circle],
        crs=local,
    )
    return frame.to_crs(4326)


def _source_label(source: Path) -> str:
    """Name the source data and, when known, the world-atlas package version."""
    package = source.parent / "package.json"
    if not package.exists():
        return f"Natural Earth 1:10m ({source.name})"
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    return f"Natural Earth 1:10m v4.1 (npm world-atlas {version})"


def _write(frame: gpd.GeoDataFrame, path: Path, precision: int) -> None:
    """Write ``frame`` as RFC 7946 GeoJSON, replacing ``path`` only once complete."""
    tmp = path.with_name(f".{path.stem}.tmp.geojson")
    pyogrio.write_dataframe(
        frame,
        tmp,
        driver="GeoJSON",
        layer=path.stem,
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": precision},
    )
    os.replace(tmp, path)


def _cli() -> None:
    """Parse the command line, build, and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="world-atlas countries-10m.json (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for the built files (default: %(default)s)",
    )
    args = parser.parse_args()
    built = main(args.source, args.out)
    for path in built.files:
        print(f"wrote {path} ({path.stat().st_size / 1024:.1f} KB)")
    print(f"Syria–Iraq border: {built.border_km} km")


if __name__ == "__main__":
    _cli()
