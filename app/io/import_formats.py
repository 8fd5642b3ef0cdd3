"""Read import files into rows; no database, no validation of values.

Every download of the atlas reads back as it is. A CSV holds one kind of row, recognised
by its header; a GeoJSON FeatureCollection holds one kind of feature, recognised by its
properties (sites may also carry ``periods`` and ``status`` lists, and the collection a
top-level ``sources`` list); a GeoPackage holds one kind per layer; a ZIP holds any of
these. Columns a download derives from others (a bound's earliest day, an actor's name
beside its slug, a period's key) are kept as ``derived`` values, for the plan to check
that they agree, and the state of the sites on a date is read for the sites' own fields.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.core.text_rules import N_, Phrase, Refusal

__all__ = [
    "COLUMNS",
    "DERIVED",
    "KINDS",
    "ImportFileError",
    "Row",
    "read",
    "read_many",
    "own_point",
    "uninert",
]

#: kind -> (required columns, optional columns), in the order kinds are recognised.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sources": (
        ("ref", "title"),
        ("publisher", "url", "published", "language", "accessed", "archived_url", "note"),
    ),
    "state": (
        ("slug", "name", "country", "kind", "lon", "lat", "controller"),
        ("name_ar", "crossing", "location_precision"),
    ),
    "sites": (
        ("slug", "name", "country", "kind", "lon", "lat"),
        (
            "name_ar",
            "aliases",
            "crossing",
            "location_precision",
            "location_note",
            "radius_km",
            "note",
        ),
    ),
    "periods": (
        ("site", "actor", "sources"),
        ("start", "end", "confidence", "contested", "challenger", "note", "start_edtf", "end_edtf"),
    ),
    "status": (
        ("site", "status", "sources"),
        ("start", "end", "confidence", "note", "start_edtf", "end_edtf"),
    ),
    "actors": (
        ("slug", "name", "short", "kind", "colour"),
        ("name_ar", "name_ar_transliterated", "short_ar", "parent", "note"),
    ),
    "events": (
        ("slug", "title"),
        (
            "date",
            "date_edtf",
            "end",
            "description",
            "sites",
            "confidence",
            "sources",
            "lon",
            "lat",
        ),
    ),
    "crossings": (("slug", "name"), ("name_ar", "note")),
}
_BOUNDS = (
    "id",
    "start_precision",
    "end_precision",
    "start_earliest",
    "start_latest",
    "end_earliest",
    "end_latest",
    "certain_start",
    "certain_end",
    "site_name",
    "country",
    "source_urls",
    "lon",
    "lat",
)
#: kind -> columns computed from the others: read, then checked against them.
DERIVED: dict[str, tuple[str, ...]] = {
    "sources": ("id",),
    "state": ("id",),
    "sites": ("id",),
    "periods": (*_BOUNDS, "actor_name"),
    "status": _BOUNDS,
    "actors": ("id",),
    "events": ("id", "precision", "date_latest", "source_urls"),
    "crossings": ("id",),
}
#: The state of a site on a date: derived from the periods, so read and set aside.
STATE = (
    "tracked",
    "controller_name",
    "controller_name_ar",
    "controller_short_ar",
    "controller_colour",
    "since",
    "since_precision",
    "since_edtf",
    "until",
    "until_precision",
    "until_edtf",
    "uncertain",
    "transition",
    "contested",
    "challenger",
    "confidence",
    "note",
    "period_id",
    "status",
    "status_since",
    "status_since_precision",
    "status_since_edtf",
    "status_transition",
    # Derived from the verifications and sourced periods, which an import does not carry.
    "last_verified",
    "sources",
    "source_urls",
)
KINDS = tuple(COLUMNS)
_NESTED = ("periods", "status")
# Kinds whose features have a place of their own (or of their site) as a Point.
_POINTS = ("state", "sites", "periods", "status")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Layers of an exported GeoPackage that are not records of their own.
_SKIPPED_LAYERS = ("boundaries",)


class ImportFileError(Refusal):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass(frozen=True)
class Row:
    """One record of the file: its kind, where it is, its values and format problems.

    `derived` holds the columns computed from others, for the plan to check that they
    agree; the state columns of a site on a date are not kept at all.
    """

    kind: str
    where: str  # often a Phrase ("line 3"); a GeoJSON path stays as it is
    values: Mapping[str, object]
    problems: tuple[str, ...] = ()
    derived: Mapping[str, object] = field(default_factory=dict)


def read(data: bytes, filename: str) -> list[Row]:
    """Decode and parse one file: ZIP, GeoPackage, GeoJSON (.geojson, .json or a leading
    '{') or CSV."""
    lower = filename.lower()
    if lower.endswith(".zip") or data[:4] == b"PK\x03\x04":
        rows = _zip(data)
    elif lower.endswith(".gpkg") or data[:16] == b"SQLite format 3\x00":
        rows = _gpkg(data)
    else:
        text = _decode(data)
        rows = _geojson(text) if _is_json(lower, text) else _csv(text)
    if not rows:
        raise ImportFileError(N_("the file holds no rows to import"))
    return _without_state(rows)


def read_many(files: list[tuple[str, bytes]]) -> list[Row]:
    """Rows of several files read as one import; each place names its file."""
    if len(files) == 1:
        return read(files[0][1], files[0][0])
    rows = []
    for name, data in files:
        try:
            rows += _named(name, read(data, name))
        except ImportFileError as exc:
            raise _in_file(name, exc) from None
    return _without_state(rows)


def _is_json(lower: str, text: str) -> bool:
    return lower.endswith((".geojson", ".json")) or text.lstrip().startswith("{")


def _named(name: str, rows: list[Row]) -> list[Row]:
    return [
        replace(r, where=Phrase(N_("%(file)s %(place)s"), file=name, place=r.where)) for r in rows
    ]


def _in_file(name: str, exc: ImportFileError) -> ImportFileError:
    """The refusal of one of several files, naming it."""
    return ImportFileError(N_("%(file)s: %(reason)s"), file=name, reason=exc)


def _line(line: int, column: int | None = None) -> Phrase:
    """A place in a text file: "line 3", or "line 3, column 7"."""
    if column is None:
        return Phrase(N_("line %(line)s"), line=line)
    return Phrase(N_("line %(line)s, column %(column)s"), line=line, column=column)


def _without_state(rows: list[Row]) -> list[Row]:
    """The sites on a date add nothing where the sites' own records are imported too."""
    if any(r.kind == "sites" for r in rows):
        return [r for r in rows if r.kind != "state"]
    return rows


def _decode(data: bytes) -> str:
    """Strict UTF-8 (a byte-order mark is allowed); the error names line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ImportFileError(
            N_("%(place)s: byte %(byte)s is not UTF-8; save the file as UTF-8 and try again"),
            place=_line(line, column),
            byte=f"0x{data[exc.start]:02x}",
        ) from None


def uninert(value: str) -> str:
    """Undo the quote a download puts before text a spreadsheet would run as a formula.

    >>> uninert("'=SUM(1)"), uninert("''=x"), uninert("'plain"), uninert("al-Tanf")
    ('=SUM(1)', "'=x", "'plain", 'al-Tanf')
    """
    return value[1:] if value.startswith("'") and _quoted(value[1:]) else value


def _quoted(value: str) -> bool:
    """Whether a download quotes `value` (a formula, or text that looks already quoted)."""
    return value.startswith(_FORMULA) or (value.startswith("'") and _quoted(value[1:]))


def _split(kind: str, values: dict) -> tuple[dict, dict]:
    """(record values, derived values) of one row; state columns are dropped."""
    derived_names = DERIVED.get(kind, ())
    own, derived = {}, {}
    for name, value in values.items():
        if name in derived_names:
            derived[name] = value
        elif kind == "state" and (name == "controller" or _is_state(name)):
            continue
        else:
            own[name] = value
    return own, derived


def _allowed(kind: str) -> tuple[str, ...]:
    required, optional = COLUMNS[kind]
    extra = ("source_refs",) if kind in ("periods", "status", "state", "events") else ()
    return (*required, *optional, *DERIVED.get(kind, ()), *extra)


def _is_allowed(kind: str, name: str) -> bool:
    if kind == "state" and _is_state(name):
        return True
    return name in _allowed(kind)


def _is_state(name: str) -> bool:
    """A column of the state at a date (a transition's parts flattened to columns too)."""
    return name in STATE or name.startswith(("transition_", "status_transition_"))


def _kind_of(names: list[str]) -> str | None:
    """The first kind whose required columns are all present (``source_refs`` counts as
    ``sources``)."""
    present = set(names) | ({"sources"} if "source_refs" in names else set())
    return next((k for k, (req, _) in COLUMNS.items() if set(req) <= present), None)


# CSV -------------------------------------------------------------------------------
def _csv(text: str) -> list[Row]:
    # strict: a quote left open or text after a closing quote is an error, not a field
    # that silently swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError(N_("the file is empty")) from None
    except csv.Error as exc:
        raise _csv_problem(exc, 1, reader.line_num) from None
    kind = _kind(header)
    rows, line = [], 2
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(_csv_row(kind, header, record, line))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _csv_problem(exc, line, reader.line_num) from None
    return rows


def _csv_problem(exc: csv.Error, line: int, last: int) -> ImportFileError:
    """Name the line where the broken record starts, and say what is wrong."""
    if "unexpected end of data" in str(exc):
        return ImportFileError(
            N_(
                "%(place)s: a quoted field opened on this line is never closed (it runs "
                "to the end of the file, line %(last)s); not valid CSV"
            ),
            place=_line(line),
            last=last,
        )
    return ImportFileError(
        N_("%(place)s: not valid CSV (%(error)s); check the quotes on this line"),
        place=_line(line),
        error=str(exc),
    )


def _kind(header: list[str]) -> str:
    """The kind whose required columns the header has; unknown columns are refused."""
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ImportFileError(
            N_("%(place)s: column %(column)r appears twice"), place=_line(1), column=duplicated[0]
        )
    if "sources" in header and "source_refs" in header:
        raise ImportFileError(
            N_("%(place)s: give either 'sources' or 'source_refs', not both"), place=_line(1)
        )
    kind = _kind_of(header)
    if kind is None:
        expected = "; ".join(f"{k}: {', '.join(req)}" for k, (req, _) in COLUMNS.items())
        raise ImportFileError(
            N_(
                "%(place)s: the columns match no kind of import; the header needs the "
                "required columns of one kind (%(expected)s)"
            ),
            place=_line(1),
            expected=expected,
        )
    unknown = [h for h in header if not _is_allowed(kind, h)]
    if unknown:
        required, optional = COLUMNS[kind]
        derived = DERIVED.get(kind, ())
        message = (
            N_(
                "%(place)s: unknown column %(column)r for %(kind)s; allowed: %(allowed)s "
                "(and the derived %(derived)s)"
            )
            if derived
            else N_(
                "%(place)s: unknown column %(column)r for %(kind)s; allowed: %(allowed)s "
                "(and no derived columns)"
            )
        )
        raise ImportFileError(
            message,
            place=_line(1),
            column=unknown[0],
            kind=kind,
            allowed=", ".join((*required, *optional)),
            derived=", ".join(derived),
        )
    return kind


def _csv_row(kind: str, header: list[str], record: list[str], line: int) -> Row:
    problems = ()
    if len(record) != len(header):
        problems = (
            Phrase(
                N_("has %(fields)s fields, the header has %(columns)s"),
                fields=len(record),
                columns=len(header),
            ),
        )
    values = {
        ("sources" if h == "source_refs" else h): uninert(v.strip())
        for h, v in zip(header, record, strict=False)
    }
    own, derived = _split(kind, values)
    return Row(kind, _line(line), own, problems, derived)


# GeoJSON ---------------------------------------------------------------------------
def _geojson(text: str) -> list[Row]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            N_("%(place)s: malformed JSON (%(error)s)"),
            place=_line(exc.lineno, exc.colno),
            error=exc.msg,
        ) from None
    except (RecursionError, ValueError) as exc:
        raise ImportFileError(
            N_("unreadable JSON: nested too deeply or a number too long (%(error)s)"),
            error=str(exc)[:80],
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise ImportFileError(N_("GeoJSON must be a FeatureCollection with a 'features' list"))
    sources = doc.get("sources") or []
    if not isinstance(sources, list):
        raise ImportFileError(N_("'sources' must be a list of source objects"))
    rows = [_object_row("sources", f"sources[{i}]", s) for i, s in enumerate(sources)]
    kind = _collection_kind(doc["features"])
    for i, feature in enumerate(doc["features"]):
        rows += _feature_rows(kind, f"features[{i}]", feature)
    return rows


def _collection_kind(features: list) -> str:
    """The kind of a collection's features, from the properties they have between them
    (a place counts as lon/lat); sites when nothing matches, so each problem is named."""
    names: dict[str, None] = {"lon": None, "lat": None}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            names.update(
                dict.fromkeys(
                    k for k, v in props.items() if not (k in _NESTED and isinstance(v, list))
                )
            )
    return _kind_of(list(names)) or "sites"


def _feature_rows(kind: str, where: str, feature) -> list[Row]:
    """The record of one feature; for a site, then its periods and status periods."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        return [Row(kind, where, {}, (Phrase(N_("must be a Feature with a 'properties' object")),))]
    props = dict(feature["properties"])
    nested = {k: props.pop(k, None) or [] for k in _NESTED} if kind == "sites" else {}
    # A period's own site is its `site`; a nested one takes the site it is listed under.
    if "id" in feature:
        props["id"] = feature["id"]
    geometry = feature.get("geometry")
    problem: tuple[str, ...] = ()
    if kind in ("state", "sites"):
        lon, lat, problem = _point(geometry)
        props.update(lon=lon, lat=lat)
    elif kind in _POINTS and geometry is not None:
        lon, lat, problem = _point(geometry)
        props.update(lon=lon, lat=lat)
    elif kind == "events":
        sites = props.get("sites")
        point, problem = own_point(geometry, len(sites) if isinstance(sites, list) else 0)
        props.update(lon=point[0] if point else None, lat=point[1] if point else None)
    elif geometry is not None:
        problem = (
            Phrase(N_("a %(kind)s feature has no place: its geometry must be null"), kind=kind),
        )
    row = _object_row(kind, where, props)
    rows = [Row(row.kind, where, row.values, row.problems + problem, row.derived)]
    for nested_kind, items in nested.items():
        if not isinstance(items, list):
            rows.append(
                Row(
                    nested_kind,
                    f"{where}.properties.{nested_kind}",
                    {},
                    (Phrase(N_("must be a list")),),
                )
            )
            continue
        rows += [
            _object_row(
                nested_kind,
                f"{where}.properties.{nested_kind}[{j}]",
                {**item, "site": props.get("slug")} if isinstance(item, dict) else item,
            )
            for j, item in enumerate(items)
        ]
    return rows


def own_point(geometry, n_sites: int) -> tuple[tuple[float, float] | None, tuple[str, ...]]:
    """An event's own point from its geometry: a MultiPoint lists the event's own point
    (when it has one) before one point per site, so it is there when there is one more
    point than sites."""
    if geometry is None:
        return None, ()
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        coords = [coords]
    elif not isinstance(geometry, dict) or geometry.get("type") != "MultiPoint":
        return None, (Phrase(N_("geometry must be a Point, a MultiPoint or null")),)
    if not isinstance(coords, list) or not all(
        isinstance(c, list) and len(c) == 2 and all(_finite(x) for x in c) for c in coords
    ):
        return None, (Phrase(N_("geometry must hold [lon, lat] numbers")),)
    if len(coords) not in (n_sites, n_sites + 1):
        return None, (
            Phrase(
                N_("geometry has %(points)s points for %(sites)s sites"),
                points=len(coords),
                sites=n_sites,
            ),
        )
    return ((coords[0][0], coords[0][1]) if len(coords) > n_sites else None), ()


def _point(geometry) -> tuple[object, object, tuple[str, ...]]:
    """lon, lat of a Point geometry, or a problem."""
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if (
        not isinstance(geometry, dict)
        or geometry.get("type") != "Point"
        or not isinstance(coords, list)
        or len(coords) != 2
        or not all(_finite(c) for c in coords)
    ):
        return None, None, (Phrase(N_("geometry must be a Point with [lon, lat] numbers")),)
    return coords[0], coords[1], ()


def _object_row(kind: str, where: str, item) -> Row:
    if not isinstance(item, dict):
        return Row(kind, where, {}, (Phrase(N_("must be an object")),))
    unknown = [k for k in item if not _is_allowed(kind, k)]
    problems = tuple(Phrase(N_("unknown property %(name)r"), name=k) for k in unknown)
    known = {k: v for k, v in item.items() if k not in unknown}
    if "source_refs" in known and "sources" not in known:
        known["sources"] = known.pop("source_refs")
    own, derived = _split(kind, known)
    return Row(kind, where, own, problems, derived)


def _finite(value) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


# ZIP and GeoPackage ----------------------------------------------------------------
_MAX_MEMBERS = 64
# Unpacked, a ZIP may hold at most this much: a small upload must not fill the memory.
_MAX_UNZIPPED = 512 * 2**20


def _zip(data: bytes) -> list[Row]:
    """Every CSV, GeoJSON and GeoPackage in a ZIP, each place named by its member."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(N_("not a readable ZIP file (%(error)s)"), error=str(exc)) from None
    if len(members) > _MAX_MEMBERS:
        raise ImportFileError(
            N_("the ZIP holds %(files)s files; at most %(most)s"),
            files=len(members),
            most=_MAX_MEMBERS,
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > _MAX_UNZIPPED:
        raise ImportFileError(
            N_("the ZIP unpacks to %(size)s bytes; at most %(most)s (split it)"),
            size=unpacked,
            most=_MAX_UNZIPPED,
        )
    files = []
    for m in members:
        if not m.filename.lower().endswith((".csv", ".geojson", ".json", ".gpkg")):
            continue
        try:
            files.append((m.filename, archive.read(m)))
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise ImportFileError(
                N_("%(file)s: cannot be unpacked (%(error)s)"), file=m.filename, error=str(exc)
            ) from None
    if not files:
        raise ImportFileError(N_("the ZIP holds no CSV, GeoJSON or GeoPackage file"))
    rows = []
    for name, member in files:
        try:
            rows += _named(name, read(member, name))
        except ImportFileError as exc:
            raise _in_file(name, exc) from None
    return rows


def _gpkg(data: bytes) -> list[Row]:
    """Every layer of a GeoPackage but the boundaries, one kind per layer."""
    import pyogrio  # GDAL is loaded only for a GeoPackage

    with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
        path = Path(tmp) / "import.gpkg"
        path.write_bytes(data)
        try:
            layers = [name for name, _ in pyogrio.list_layers(path)]
        except Exception as exc:  # GDAL's errors have no common base class
            raise ImportFileError(
                N_("not a readable GeoPackage (%(error)s)"), error=str(exc)
            ) from None
        rows = []
        for layer in layers:
            if layer in _SKIPPED_LAYERS:
                continue
            try:
                table = pyogrio.raw.read(path, layer=layer, datetime_as_string=True)
            except Exception as exc:
                raise ImportFileError(
                    N_("layer %(layer)r cannot be read (%(error)s)"), layer=layer, error=str(exc)
                ) from None
            rows += _layer_rows(layer, table)
    return rows


def _layer_rows(layer: str, table) -> list[Row]:
    """One row per feature of a layer read with pyogrio.raw.read."""
    from shapely import wkb  # GeoPackage only

    meta, _, geometries, columns = table
    names = list(meta["fields"])
    kind = _kind_of([*names, "lon", "lat"] if meta.get("geometry_type") else names)
    if kind is None:
        raise ImportFileError(
            N_("layer %(layer)r: its columns match no kind of import"), layer=layer
        )
    unknown = [n for n in names if not _is_allowed(kind, n)]
    if unknown:
        raise ImportFileError(
            N_("layer %(layer)r: unknown column %(column)r for %(kind)s"),
            layer=layer,
            column=unknown[0],
            kind=kind,
        )
    rows = []
    count = len(columns[0]) if len(columns) else len(geometries if geometries is not None else [])
    for i in range(count):
        values = {n: _cell(columns[j][i]) for j, n in enumerate(names)}
        if "source_refs" in values:
            values["sources"] = values.pop("source_refs")
        geometry = None
        if geometries is not None and geometries[i] is not None:
            geometry = json.loads(json.dumps(wkb.loads(bytes(geometries[i])).__geo_interface__))
        if kind in _POINTS and "lon" not in values:
            lon, lat, _ = _point(geometry)
            values.update(lon=lon, lat=lat)
        elif kind == "events":
            n_sites = len([s for s in str(values.get("sites") or "").split(";") if s.strip()])
            point, _ = own_point(geometry, n_sites)
            values.update(lon=point[0] if point else None, lat=point[1] if point else None)
        own, derived = _split(kind, values)
        where = Phrase(N_("layer %(layer)s feature %(feature)s"), layer=layer, feature=i + 1)
        rows.append(Row(kind, where, own, (), derived))
    return rows


def _cell(value):
    """A GeoPackage cell as the plan reads it: None for nulls, ISO text for dates."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
