"""Boundary layers: load them, join sites to areas, measure distance to the border."""

from __future__ import annotations

import functools
import math
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from app.core.text_rules import N_, Refusal

# GeoPandas, pandas and pyogrio (GDAL) cost a worker about 90 MB and are needed only to
# measure points against the boundaries or to read and write layer files, never to serve
# the map or the API from the display files, so they are imported where they are used.
if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "FAR_FROM_BORDER_KM",
    "RADIUS_KM_MAX",
    "ADMIN1_NAME_COLUMNS",
    "COUNTRY_NAMES",
    "LAEA",
    "Boundaries",
    "GeoDataError",
    "ImportResult",
    "Location",
    "border_length_km",
    "clear_cache",
    "display_layers",
    "distance_to_border_km",
    "import_layer",
    "load_boundaries",
    "locate",
    "radius_problem",
]

#: Lambert azimuthal equal-area centred on the border; distances here are in metres.
#: A site farther than this from the Syria–Iraq border is probably a typing error: the
#: site form needs its confirmation box, an import its allow-far option.
FAR_FROM_BORDER_KM = 50
#: Largest radius a site (a zone drawn as a circle) may have: the whole Syria–Iraq region
#: fits in it, and a larger one is a typing error. The site form and imports read it.
RADIUS_KM_MAX = 1000
LAEA = "+proj=laea +lat_0=34.5 +lon_0=40.5 +datum=WGS84 +units=m +no_defs"
LAYER_FILES = {
    "countries": "countries.geojson",
    "border": "border.geojson",
    "zone": "tanf_zone.geojson",
}
DISPLAY_FILES = {
    "countries": "countries_display.geojson",
    "border": "border.geojson",
    "zone": "tanf_zone.geojson",
}
#: The countries of the base layers by ISO code: (English, Arabic) names, as the maps
#: print them.
COUNTRY_NAMES = {
    "AM": ("Armenia", "أرمينيا"),
    "AZ": ("Azerbaijan", "أذربيجان"),
    "EG": ("Egypt", "مصر"),
    "IL": ("Israel", "إسرائيل"),
    "IQ": ("Iraq", "العراق"),
    "IR": ("Iran", "إيران"),
    "JO": ("Jordan", "الأردن"),
    "LB": ("Lebanon", "لبنان"),
    "PS": ("Palestine", "فلسطين"),
    "SA": ("Saudi Arabia", "السعودية"),
    "SY": ("Syria", "سوريا"),
    "TR": ("Turkey", "تركيا"),
}
#: Name columns an admin-1 layer may carry, in order of preference (case-sensitive).
ADMIN1_NAME_COLUMNS = (
    "ADM1_EN",
    "ADM1_NAME",
    "adm1_name",
    "shapeName",
    "NAME_1",
    "name_en",
    "name",
    "NAME",
)
LAYER_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
REBUILD = "run `flask geodata build`"


class GeoDataError(ValueError):
    """Unreadable or unsuitable boundary file; message names file, layer and rule."""


@dataclass(frozen=True)
class Location:
    """Where one point falls: country, distance to the border, governorate."""

    country: str | None
    border_km: float
    admin1: str | None
    mismatch: bool


@dataclass(frozen=True, eq=False)
class Boundaries:
    """The loaded layers of one geodata folder, all in EPSG:4326."""

    countries: gpd.GeoDataFrame
    border: gpd.GeoDataFrame
    zone: gpd.GeoDataFrame
    admin1: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class ImportResult:
    """Summary of a layer written by :func:`import_layer`."""

    name: str
    features: int
    geometry_types: tuple[str, ...]
    bounds: tuple[float, float, float, float]
    path: Path


def radius_problem(km: float) -> Refusal | None:
    """Why a site's radius_km is refused, or None: more than 0, at most RADIUS_KM_MAX.

    >>> radius_problem(55), str(radius_problem(1e308))
    (None, 'must be more than 0 and at most 1000 km')
    """
    if not (math.isfinite(km) and 0 < km <= RADIUS_KM_MAX):
        return Refusal(N_("must be more than 0 and at most %(max)s km"), max=RADIUS_KM_MAX)
    return None


def load_boundaries(geodata_dir: str | Path) -> Boundaries:
    """Load the boundary layers of ``geodata_dir``, once per process per folder."""
    return _load(Path(geodata_dir).resolve())


def clear_cache() -> None:
    """Forget every loaded folder, e.g. after a build or an import."""
    _load.cache_clear()
    _display_bytes.cache_clear()


def locate(
    points: Iterable[tuple[str, float, float, str | None]], boundaries: Boundaries
) -> dict[str, Location]:
    """Find country, governorate and km to the border of ``(key, lon, lat, recorded)``.

    ``recorded`` is the country the site is filed under; a point on the line between
    two areas takes the first matching row of the layer.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, box
    >>> squares = [box(39, 34, 40.5, 35), box(40.5, 34, 42, 35)]
    >>> line = LineString([(40.5, 34), (40.5, 35)])
    >>> b = Boundaries(
    ...     countries=gpd.GeoDataFrame({"iso_a2": ["SY", "IQ"]}, geometry=squares,
    ...                                crs=4326),
    ...     border=gpd.GeoDataFrame(geometry=[line], crs=4326),
    ...     zone=gpd.GeoDataFrame(geometry=[box(39, 34, 39.5, 34.5)], crs=4326))
    >>> locate([("post", 40.6, 34.5, "SY")], b)["post"]
    Location(country='IQ', border_km=9.2, admin1=None, mismatch=True)
    """
    rows = list(points)
    frame = _points_frame(rows)
    countries = _join(frame, boundaries.countries, "iso_a2")
    admin1 = (
        _join(frame, boundaries.admin1, "admin1")
        if boundaries.admin1 is not None
        else [None] * len(frame)
    )
    km = _border_km(frame.geometry, boundaries)
    return {
        key: Location(country, distance, area, _mismatch(recorded, country))
        for (key, _, _, recorded), country, area, distance in zip(
            rows, countries, admin1, km, strict=True
        )
    }


def border_length_km(boundaries: Boundaries) -> float:
    """Length of the Syria–Iraq border line in km (LAEA), to one decimal."""
    return round(float(boundaries.border.to_crs(LAEA).length.sum()) / 1000, 1)


def distance_to_border_km(lon: float, lat: float, boundaries: Boundaries) -> float:
    """Distance from one lon/lat point to the Syria–Iraq border in km, one decimal."""
    import geopandas as gpd
    from shapely.geometry import Point

    _check_point("point", lon, lat)
    return _border_km(gpd.GeoSeries([Point(lon, lat)], crs=4326), boundaries)[0]


def display_layers(geodata_dir: str | Path) -> dict[str, dict]:
    """Return the simplified countries, the border and the zone as GeoJSON dicts."""
    directory = Path(geodata_dir).resolve()
    return {
        name: orjson.loads(_display_bytes(directory / filename))
        for name, filename in DISPLAY_FILES.items()
    }


def import_layer(
    path: str | Path, name: str, geodata_dir: str | Path, layer: str | None = None
) -> ImportResult:
    """Validate any OGR-readable file and store it as ``imported/<name>.gpkg``.

    Nothing is written unless every check passes, and the stored file is replaced
    in one step, so a refused file leaves the folder as it was.
    """
    path, geodata_dir = Path(path), Path(geodata_dir)
    _check_layer_name(name)
    if not geodata_dir.is_dir():
        raise GeoDataError(f"{geodata_dir}: geodata folder does not exist")
    frame = _read_source(path, layer)
    where = path.name + (f", layer {layer!r}" if layer else "")
    frame = _check_frame(frame, where, name)
    target = geodata_dir / "imported" / f"{name}.gpkg"
    _write_atomic(frame, target, name)
    return ImportResult(
        name, len(frame), tuple(sorted(set(frame.geom_type))), _box(frame.total_bounds), target
    )


@functools.lru_cache(maxsize=8)
def _load(directory: Path) -> Boundaries:
    """Read and validate the layers of one resolved folder."""
    layers = {key: _read_layer(directory / file) for key, file in LAYER_FILES.items()}
    if "iso_a2" not in layers["countries"].columns:
        raise GeoDataError(f"{directory / LAYER_FILES['countries']}: no iso_a2 column")
    admin1_path = directory / "imported" / "admin1.gpkg"
    admin1 = _read_admin1(admin1_path) if admin1_path.exists() else None
    return Boundaries(admin1=admin1, **layers)


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    """Read one boundary file into EPSG:4326 with valid geometries."""
    if not path.exists():
        raise GeoDataError(f"{path}: boundary file is missing; {REBUILD}")
    frame = _read_source(path, None)
    if frame.crs is None:
        raise GeoDataError(f"{path}: no coordinate reference system")
    return _make_valid(frame.to_crs(4326))


def _read_admin1(path: Path) -> gpd.GeoDataFrame:
    """Read the imported admin-1 layer with its name column called ``admin1``."""
    frame = _read_layer(path)
    column = _name_column(frame, ("admin1", *ADMIN1_NAME_COLUMNS), path.name)
    return frame.rename(columns={column: "admin1"})[["admin1", "geometry"]]


def _make_valid(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Repair invalid geometries in place of their originals."""
    invalid = ~frame.is_valid & frame.geometry.notna()
    if invalid.any():
        frame = frame.copy()
        frame.loc[invalid, "geometry"] = frame.geometry[invalid].make_valid()
    return frame


@functools.lru_cache(maxsize=16)
def _display_bytes(path: Path) -> bytes:
    """Read a display file once; callers parse their own copy."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise GeoDataError(f"{path}: display layer is missing; {REBUILD}") from None


def _points_frame(rows: list[tuple[str, float, float, str | None]]) -> gpd.GeoDataFrame:
    """Turn ``(key, lon, lat, recorded)`` rows into a point frame, checking ranges."""
    import geopandas as gpd
    from shapely.geometry import Point

    for key, lon, lat, _ in rows:
        _check_point(f"point {key!r}", lon, lat)
    points = [Point(lon, lat) for _, lon, lat, _ in rows]
    return gpd.GeoDataFrame(geometry=points, crs=4326)


def _check_point(label: str, lon: float, lat: float) -> None:
    """Refuse coordinates that are not finite lon/lat in range."""
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise ValueError(f"{label}: lon {lon!r} is not within [-180, 180]")
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ValueError(f"{label}: lat {lat!r} is not within [-90, 90]")


def _join(frame: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, column: str) -> list:
    """Return ``column`` of the first ``layer`` row each point intersects, else None."""
    import geopandas as gpd
    import pandas as pd

    if frame.empty:
        return []
    joined = gpd.sjoin(frame, layer[[column, "geometry"]], how="left", predicate="intersects")
    joined = joined.sort_values("index_right", kind="stable")
    first = joined[~joined.index.duplicated()].sort_index()
    return [None if pd.isna(value) else value for value in first[column]]


def _border_km(points: gpd.GeoSeries, boundaries: Boundaries) -> list[float]:
    """Distance in km from each point to the border, measured in metres in LAEA."""
    if points.empty:
        return []
    line = boundaries.border.to_crs(LAEA).union_all()
    return [round(m / 1000, 1) for m in points.to_crs(LAEA).distance(line)]


def _mismatch(recorded: str | None, found: str | None) -> bool:
    """True when a recorded country is given and differs from the found one."""
    return recorded is not None and recorded != "" and recorded.upper() != found


def _box(bounds) -> tuple[float, float, float, float]:
    """A frame's total bounds as four plain rounded floats."""
    west, south, east, north = (round(float(v), 6) for v in bounds)
    return west, south, east, north


def _check_layer_name(name: str) -> None:
    """Refuse layer names that are unsafe as file names."""
    if not isinstance(name, str) or not LAYER_NAME.fullmatch(name):
        raise GeoDataError(
            f"layer name {name!r} must match ^[a-z][a-z0-9_]{{0,39}}$ "
            "(lower-case letter, then up to 39 lower-case letters, digits or _)"
        )


def _read_source(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Read ``layer`` (or the only layer) of ``path`` through OGR."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    if not path.is_file():
        raise GeoDataError(f"{path}: no such file")
    try:
        available = [str(n) for n, _ in pyogrio.list_layers(path)]
        if layer is None and len(available) > 1:
            raise GeoDataError(
                f"{path.name}: has {len(available)} layers ({', '.join(available)}); choose one"
            )
        if layer is not None and layer not in available:
            raise GeoDataError(f"{path.name}: no layer {layer!r}; it has {', '.join(available)}")
        return pyogrio.read_dataframe(path, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        reason = str(exc).split(";")[0]  # GDAL appends a generic driver-prefix hint
        raise GeoDataError(f"{path.name}: not a readable geodata file ({reason})") from None


def _check_frame(frame: pd.DataFrame, where: str, name: str) -> gpd.GeoDataFrame:
    """Apply the import rules to a freshly read frame; return it in EPSG:4326."""
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame):
        raise GeoDataError(f"{where}: has no geometry column")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise GeoDataError(f"{where}: has no features with geometry")
    if frame.crs is None:
        raise GeoDataError(
            f"{where}: has no coordinate reference system (e.g. a "
            "Shapefile without .prj); add one and import again"
        )
    if name == "admin1":
        frame = _check_admin1(frame, where)
    return _make_valid(frame.to_crs(4326))


def _check_admin1(frame: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    """Require polygons and a governorate name column, stored as ``admin1``."""
    other = sorted(set(frame.geom_type) - POLYGONAL)
    if other:
        raise GeoDataError(
            f"{where}: layer admin1 needs Polygon or MultiPolygon "
            f"geometries, found {', '.join(other)}"
        )
    column = _name_column(frame, ADMIN1_NAME_COLUMNS, where)
    frame = frame.drop(columns="admin1", errors="ignore")
    return frame.rename(columns={column: "admin1"})


def _name_column(frame: gpd.GeoDataFrame, candidates: tuple[str, ...], where: str) -> str:
    """Return the first of ``candidates`` present in ``frame``."""
    for column in candidates:
        if column in frame.columns:
            return column
    raise GeoDataError(f"{where}: no admin-1 name column; looked for {', '.join(candidates)}")


def _write_atomic(frame: gpd.GeoDataFrame, target: Path, name: str) -> None:
    """Write ``frame`` to a temporary GeoPackage beside ``target``, then swap it in."""
    import pyogrio

    created = not target.parent.exists()
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_name(f".{name}.{uuid.uuid4().hex}.tmp.gpkg")
    try:
        pyogrio.write_dataframe(frame, tmp, driver="GPKG", layer=name)
        os.replace(tmp, target)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        if created and not any(target.parent.iterdir()):
            target.parent.rmdir()
        raise GeoDataError(f"{target.name}: could not be written ({exc})") from exc
