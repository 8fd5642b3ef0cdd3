"""Download tables: GeoJSON features to CSV and GeoPackage (pyogrio), and the
ZIP bundles of every kind. What is written here reads back through the importer as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from app.db import queries
from app.io.import_formats import own_point

# GeoPandas, pandas and pyogrio (GDAL) are imported where a table or GeoPackage is built:
# loaded by every worker at start they cost ~90 MB that most requests never use.
if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "CSV_TYPE",
    "GPKG_TYPE",
    "ZIP_TYPE",
    "flatten",
    "frame",
    "inert",
    "rows_csv",
    "rows_geojson",
    "table",
    "to_csv",
    "to_gpkg",
    "to_zip",
]

CSV_TYPE = "text/csv; charset=utf-8"
GPKG_TYPE = "application/geopackage+sqlite3"
ZIP_TYPE = "application/zip"
# First characters that make a spreadsheet cell a formula (OWASP CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
#: GeoPackage 1.3: GDAL before 3.7 warns that a 1.4 file "may only be partially supported",
#: and the layers here need nothing 1.4 added.
GPKG_OPTIONS = {"VERSION": "1.3"}
# GDAL reads the GeoPackage's change time from a process-wide setting.
_GPKG_LOCK = threading.Lock()


#: A state row's changes in a window: one column per part, on every row and every date,
#: empty outside a window (a download's columns do not depend on its date).
_NESTED = {
    "transition": queries.TRANSITION_PARTS,
    "status_transition": queries.STATUS_TRANSITION_PARTS,
}


def flatten(props: Mapping) -> dict:
    """One table row: source lists become `source_refs`/`source_urls`, lists are joined,
    a transition's parts are columns of their own.

    >>> flatten({"sites": ["a", "b"], "sources": [{"ref": "S1", "url": "https://x"}]})
    {'sites': 'a; b', 'source_refs': 'S1', 'source_urls': 'https://x'}
    >>> list(flatten({"status_transition": None}))[:3]
    ['status_transition_from', 'status_transition_to', 'status_transition_candidates']
    """
    out = {}
    for key, value in props.items():
        if key == "sources":
            out["source_refs"] = "; ".join(s["ref"] or "" for s in value)
            out["source_urls"] = "; ".join(s["url"] for s in value if s["url"])
        elif isinstance(value, list):
            out[key] = "; ".join(map(str, value))
        elif key in _NESTED:
            parts = value or {}
            out.update(flatten({f"{key}_{k}": parts.get(k) for k in _NESTED[key]}))
        else:
            out[key] = value
    return out


def frame(features: Iterable[dict]) -> gpd.GeoDataFrame:
    """Features as a GeoDataFrame in EPSG:4326 with an `id` column first."""
    import geopandas as gpd
    from shapely.geometry import shape

    features = list(features)
    rows = [{"id": f.get("id"), **flatten(f["properties"])} for f in features]
    geoms = [shape(f["geometry"]) if f["geometry"] else None for f in features]
    return gpd.GeoDataFrame(table(rows), geometry=geoms, crs=4326)


def table(rows: list[dict]) -> pd.DataFrame:
    """Plain rows as a typed table (nullable integers stay integers); every row's columns."""
    import pandas as pd

    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["id"]
    typed = pd.DataFrame(rows, columns=columns).convert_dtypes()
    # A column empty on every row (a date with no site in a window) is text, not whatever
    # GDAL would guess from no value.
    empty = [c for c in typed.columns if typed[c].dtype == object and typed[c].isna().all()]
    return typed.astype(dict.fromkeys(empty, "string"))


#: Columns of whole days besides a bound's earliest / latest: the certain span, and a
#: state's first days (as before EDTF) and last verification.
_DAYS = ("certain_start", "certain_end", "since", "until", "status_since", "last_verified")


def is_day_column(name: str) -> bool:
    """Columns that hold calendar days (a bound's earliest / latest, the certain span, a
    state's since / until / status since, the last verification)."""
    return name.endswith(("_earliest", "_latest")) or name in _DAYS


def to_csv(features: Iterable[dict]) -> bytes:
    """CSV (see rows_csv) of features, with `lon` and `lat` columns: a Point's, or an
    event's own point (its sites' points are in the `sites` column, by slug)."""
    rows = []
    for f in features:
        lon, lat = _csv_point(f)
        row = {"id": f.get("id"), **flatten(f["properties"]), "lon": lon, "lat": lat}
        rows.append(row)
    return rows_csv(rows)


def rows_csv(rows: list[dict]) -> bytes:
    r"""CSV (UTF-8 with a byte-order mark, CRLF rows) of plain rows, formula-safe; every
    row's columns.

    The mark is what makes Excel read the file as UTF-8, so Arabic names and notes open
    legibly in a spreadsheet; LibreOffice, Google Sheets, pandas, GDAL and the importer
    all skip it. Written with the standard library, not pandas: a download must not load
    a 40 MB library into the worker that serves it.

    >>> rows_csv([{"id": 1, "lon": 38.5, "ok": True}, {"id": 2, "note": "a, b", "ok": None}])
    b'\xef\xbb\xbfid,lon,ok,note\r\n1,38.5,True,\r\n2,,,"a, b"\r\n'
    """
    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["id"]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def _cell(value) -> str:
    """One CSV cell: empty for missing, ISO days, formula-safe text."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(inert(value))


def rows_geojson(rows: list[dict]) -> dict:
    """Plain rows (sources, actors, crossings) as features without a place, by their id."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": None,
                "properties": {k: v for k, v in row.items() if k != "id"},
            }
            for row in rows
        ],
    }


def _csv_point(f: dict) -> tuple[float | None, float | None]:
    geometry = f["geometry"]
    if geometry is None:
        return None, None
    if geometry["type"] == "Point":
        return geometry["coordinates"][0], geometry["coordinates"][1]
    point, _ = own_point(geometry, len(f["properties"].get("sites") or []))
    return point if point else (None, None)


def inert(value):
    """Text a spreadsheet would run as a formula (= + - @ first) gets a leading quote, and
    so does text that would look quoted, so the importer can take every quote off again.

    >>> inert("=HYPERLINK(1)"), inert("-x"), inert("'=x"), inert("'x"), inert(-3.5)
    ("'=HYPERLINK(1)", "'-x", "''=x", "'x", -3.5)
    """
    return "'" + value if isinstance(value, str) and _needs_quote(value) else value


def _needs_quote(value: str) -> bool:
    return value.startswith(_FORMULA) or (value.startswith("'") and _needs_quote(value[1:]))


def to_zip(files: Mapping[str, bytes], when: dt.datetime | None = None) -> bytes:
    """A ZIP of named files; the same files at the same time make the same bytes."""
    stamp = (when or dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def to_gpkg(layers: Mapping[str, pd.DataFrame], changed: dt.datetime | None = None) -> bytes:
    """A GeoPackage holding each frame as a layer (plain frames become attribute tables).

    Day columns (see :func:`is_day_column`) are written as GeoPackage DATE fields, so GIS
    clients read them as dates, not text. Every layer's `last_change` is `changed` (the
    time the record last changed), so the same record always makes the same bytes and a
    resumed download joins up.
    """
    import pyogrio

    stamp = (changed or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).astimezone(dt.UTC)
    with _GPKG_LOCK, tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as tmp:
        pyogrio.set_gdal_config_options(
            {"OGR_CURRENT_DATE": stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
        )
        try:
            path = Path(tmp) / "export.gpkg"
            for name, frame_ in layers.items():
                days = [c for c in frame_.columns if is_day_column(str(c))]
                if days:
                    _write_with_dates(frame_, path, name, days)
                else:
                    pyogrio.write_dataframe(
                        frame_, path, layer=name, driver="GPKG", dataset_options=GPKG_OPTIONS
                    )
            return path.read_bytes()
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _write_with_dates(frame_: pd.DataFrame, path: Path, layer: str, days: list[str]) -> None:
    """Write through pyogrio's raw writer: numpy datetime64[D] arrays become DATE fields
    (pandas has no day-only dtype, so write_dataframe would make them DATETIME)."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio

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
        dataset_options=GPKG_OPTIONS,
        **({"geometry": None, "geometry_type": None} | kwargs),
    )
