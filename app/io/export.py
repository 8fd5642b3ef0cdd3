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
        elif isinstance(value, Mapping):  # a transition: one column per part
            out.update(flatten({f"{key}_{k}": v for k, v in value.items()}))
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
    """Plain rows as a typed table (nullable integers stay integers); every row's columns."""
    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["id"]
    return pd.DataFrame(rows, columns=columns).convert_dtypes()


def is_day_column(name: str) -> bool:
    """Columns that hold calendar days (a bound's earliest / latest, the certain span)."""
    return name.endswith(("_earliest", "_latest")) or name in ("certain_start", "certain_end")


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
    """A GeoPackage holding each frame as a layer (plain frames become attribute tables).

    Day columns (see :func:`is_day_column`) are written as GeoPackage DATE fields, so GIS
    clients read them as dates, not text.
    """
    with tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as tmp:
        path = Path(tmp) / "export.gpkg"
        for name, frame_ in layers.items():
            days = [c for c in frame_.columns if is_day_column(str(c))]
            if days:
                _write_with_dates(frame_, path, name, days)
            else:
                pyogrio.write_dataframe(frame_, path, layer=name, driver="GPKG")
        return path.read_bytes()


def _write_with_dates(frame_: pd.DataFrame, path: Path, layer: str, days: list[str]) -> None:
    """Write through pyogrio's raw writer: numpy datetime64[D] arrays become DATE fields
    (pandas has no day-only dtype, so write_dataframe would make them DATETIME)."""
    geo = isinstance(frame_, gpd.GeoDataFrame)
    fields = [c for c in frame_.columns if not (geo and c == frame_.geometry.name)]
    data, masks = [], []
    for name in fields:
        col = frame_[name]
        if name in days:
            values = pd.to_datetime(col, errors="coerce")
            data.append(values.to_numpy(dtype="datetime64[D]"))
            masks.append(values.isna().to_numpy())
        elif isinstance(col.dtype, pd.BooleanDtype | pd.Int64Dtype | pd.Float64Dtype):
            data.append(col.array._data)
            masks.append(col.array._mask)
        else:
            data.append(col.astype(object).where(col.notna(), None).to_numpy())
            masks.append(col.isna().to_numpy())
    kwargs = {}
    if geo:
        geometry = frame_.geometry
        types = set(geometry.dropna().geom_type) or {"Unknown"}
        kwargs = {
            "geometry": geometry.to_wkb().to_numpy(),
            "geometry_type": types.pop() if len(types) == 1 else "Unknown",
            "crs": geometry.crs.to_string() if geometry.crs else None,
        }
    pyogrio.raw.write(
        path,
        field_data=data,
        field_mask=masks,
        fields=fields,
        layer=layer,
        driver="GPKG",
        **({"geometry": None, "geometry_type": None} | kwargs),
    )
