"""Read import files (CSV or GeoJSON, UTF-8) into rows; no database, no validation of values.

A CSV holds one kind of row, recognised by its header: ``sources``, ``sites``,
``periods`` (control) or ``status``. A GeoJSON FeatureCollection holds sites as Point
features, each with optional ``periods`` and ``status`` lists in its properties, and an
optional top-level ``sources`` list.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["COLUMNS", "ImportFileError", "Row", "read"]

#: kind -> (required columns, optional columns)
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sources": (
        ("ref", "title"),
        ("publisher", "url", "published", "language", "accessed", "archived_url", "note"),
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
        ("start", "end", "confidence", "contested", "challenger", "note"),
    ),
    "status": (("site", "status", "sources"), ("start", "end", "confidence", "note")),
}
_NESTED = ("periods", "status")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass(frozen=True)
class Row:
    """One record of the file: its kind, where it is, its raw values and format problems."""

    kind: str
    where: str
    values: Mapping[str, object]
    problems: tuple[str, ...] = ()


def read(data: bytes, filename: str) -> list[Row]:
    """Decode and parse `data`; GeoJSON by extension (.geojson, .json) or a leading '{'."""
    text = _decode(data)
    if filename.lower().endswith((".geojson", ".json")) or text.lstrip().startswith("{"):
        rows = _geojson(text)
    else:
        rows = _csv(text)
    if not rows:
        raise ImportFileError("the file holds no rows to import")
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
            f"line {line}, column {column}: byte 0x{data[exc.start]:02x} is not UTF-8; "
            "save the file as UTF-8 and try again"
        ) from None


# CSV -------------------------------------------------------------------------------
def _csv(text: str) -> list[Row]:
    # strict: a quote left open or text after a closing quote is an error, not a field
    # that silently swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError("the file is empty") from None
    except csv.Error as exc:
        raise ImportFileError(_csv_problem(exc, 1, reader.line_num)) from None
    kind = _kind(header)
    rows, line = [], 2
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(_csv_row(kind, header, record, line))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(_csv_problem(exc, line, reader.line_num)) from None
    return rows


def _csv_problem(exc: csv.Error, line: int, last: int) -> str:
    """Name the line where the broken record starts, and say what is wrong."""
    if "unexpected end of data" in str(exc):
        return (
            f"line {line}: a quoted field opened on this line is never closed (it runs "
            f"to the end of the file, line {last}); not valid CSV"
        )
    return f"line {line}: not valid CSV ({exc}); check the quotes on this line"


def _kind(header: list[str]) -> str:
    """The kind whose required columns the header has; unknown columns are refused."""
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ImportFileError(f"line 1: column {duplicated[0]!r} appears twice")
    for kind, (required, optional) in COLUMNS.items():
        if set(required) <= set(header):
            unknown = [h for h in header if h not in (*required, *optional)]
            if unknown:
                raise ImportFileError(
                    f"line 1: unknown column {unknown[0]!r} for {kind}; allowed: "
                    f"{', '.join((*required, *optional))}"
                )
            return kind
    expected = "; ".join(f"{k}: {', '.join(req)}" for k, (req, _) in COLUMNS.items())
    raise ImportFileError(
        f"line 1: the columns match no kind of import; the header "
        f"needs the required columns of one kind ({expected})"
    )


def _csv_row(kind: str, header: list[str], record: list[str], line: int) -> Row:
    problems = ()
    if len(record) != len(header):
        problems = (f"has {len(record)} fields, the header has {len(header)}",)
    values = {h: v.strip() for h, v in zip(header, record, strict=False)}
    return Row(kind, f"line {line}", values, problems)


# GeoJSON ---------------------------------------------------------------------------
def _geojson(text: str) -> list[Row]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg})"
        ) from None
    except (RecursionError, ValueError) as exc:
        raise ImportFileError(
            f"unreadable JSON: nested too deeply or a number too long ({str(exc)[:80]})"
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise ImportFileError("GeoJSON must be a FeatureCollection with a 'features' list")
    sources = doc.get("sources") or []
    if not isinstance(sources, list):
        raise ImportFileError("'sources' must be a list of source objects")
    rows = [_object_row("sources", f"sources[{i}]", s) for i, s in enumerate(sources)]
    for i, feature in enumerate(doc["features"]):
        rows += _feature_rows(f"features[{i}]", feature)
    return rows


def _feature_rows(where: str, feature) -> list[Row]:
    """The site of one feature, then its periods and status periods."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        return [Row("sites", where, {}, ("must be a Feature with a 'properties' object",))]
    props = dict(feature["properties"])
    nested = {k: props.pop(k, None) or [] for k in _NESTED}
    lon, lat, problem = _point(feature.get("geometry"))
    site = _object_row("sites", where, {**props, "lon": lon, "lat": lat})
    rows = [Row(site.kind, where, site.values, site.problems + problem)]
    for kind, items in nested.items():
        if not isinstance(items, list):
            rows.append(Row(kind, f"{where}.properties.{kind}", {}, ("must be a list",)))
            continue
        rows += [
            _object_row(
                kind,
                f"{where}.properties.{kind}[{j}]",
                {**item, "site": props.get("slug")} if isinstance(item, dict) else item,
            )
            for j, item in enumerate(items)
        ]
    return rows


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
        return None, None, ("geometry must be a Point with [lon, lat] numbers",)
    return coords[0], coords[1], ()


def _object_row(kind: str, where: str, item) -> Row:
    if not isinstance(item, dict):
        return Row(kind, where, {}, ("must be an object",))
    required, optional = COLUMNS[kind]
    unknown = [k for k in item if k not in (*required, *optional)]
    problems = tuple(f"unknown property {k!r}" for k in unknown)
    return Row(kind, where, {k: v for k, v in item.items() if k not in unknown}, problems)


def _finite(value) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False
