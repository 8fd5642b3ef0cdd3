"""Download tables: GeoJSON features to CSV (pandas) and GeoPackage (pyogrio)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import shape

__all__ = ["CSV_TYPE", "GPKG_TYPE", "flatten", "frame", "inert", "table", "to_csv", "to_gpkg"]

CSV_TYPE = "text/csv; charset=utf-8"
GPKG_TYPE = "application/geopackage+sqlite3"
# First characters that make a spreadsheet cell a formula (OWASP CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def flatten(props: Mapping) -> dict:
    """One table row: source lists become `source_refs`/`source_urls`, lists are joined.

    >>> flatten({"sites": ["a", "b"], "sources": [{"ref": "S1", "url": "https://x"}]})
    {'sites': 'a; b', 'source_refs': 'S1', 'source_urls': 'https://x'}
    """
    out = {}
    for key, value in props.items():
        if key == "sources":
            out["source_refs"] = "; ".join(s["ref"] or "" for s in value)
            out["source_urls"] = "; ".join(s["url"] for s in value if s["url"])
        elif isinstance(value, list):
            out[key] = "; ".join(map(str, value))
        else:
            out[key] = value
    return out


def frame(features: Iterable[dict]) -> gpd.GeoDataFrame:
    """Features as a GeoDataFrame in EPSG:4326 with an `id` column first."""
    features = list(features)
    rows = [{"id": f.get("id"), **flatten(f["properties"])} for f in features]
    geoms = [shape(f["geometry"]) if f["geometry"] else None for f in features]
    return gpd.GeoDataFrame(table(rows), geometry=geoms, crs=4326)


def table(rows: list[dict]) -> pd.DataFrame:
    """Plain rows as a typed table (nullable integers stay integers)."""
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["id"])
    return frame.convert_dtypes()


def to_csv(features: Iterable[dict]) -> bytes:
    """CSV (UTF-8, no BOM) of point features, with `lon` and `lat` columns."""
    rows = []
    for f in features:
        lon, lat = f["geometry"]["coordinates"]
        row = {"id": f.get("id"), **flatten(f["properties"]), "lon": lon, "lat": lat}
        rows.append({k: inert(v) for k, v in row.items()})
    return table(rows).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def inert(value):
    """Text a spreadsheet would run as a formula (= + - @ first) gets a leading quote.

    >>> inert("=HYPERLINK(1)"), inert("-x"), inert("al-Tanf"), inert(-3.5)
    ("'=HYPERLINK(1)", "'-x", 'al-Tanf', -3.5)
    """
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA) else value


def to_gpkg(layers: Mapping[str, pd.DataFrame]) -> bytes:
    """A GeoPackage holding each frame as a layer (plain frames become attribute tables)."""
    with tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as tmp:
        path = Path(tmp) / "export.gpkg"
        for name, table in layers.items():
            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG")
        return path.read_bytes()
