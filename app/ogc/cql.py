"""Reading a CQL2 filter (OGC API – Features Part 3) with pygeofilter's parsers."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from lark.exceptions import LarkError
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

__all__ = ["TEXT", "JSON", "LANGUAGES", "CRS84", "ParameterError", "parse"]

TEXT, JSON = "cql2-text", "cql2-json"
LANGUAGES = (TEXT, JSON)
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_CRS84_ALIASES = (
    CRS84,
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "http://www.opengis.net/def/crs/OGC/0/CRS84h",
)


class ParameterError(ValueError):
    """A filter parameter refused; `parameter` names it."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def parse(text: str, lang: str = TEXT, crs: str | None = None) -> Any:
    """The pygeofilter syntax tree of a cql2-text or cql2-json filter."""
    if lang not in LANGUAGES:
        raise ParameterError("filter-lang", f"must be cql2-text or cql2-json, not {lang!r}")
    if crs is not None and crs not in _CRS84_ALIASES:
        raise ParameterError("filter-crs", f"only {CRS84} is supported, not {crs!r}")
    if not text.strip():
        raise ParameterError("filter", "is empty")
    if lang == JSON:
        return _json(text)
    protected, literals = _protect(text)
    try:
        return _restore(parse_text(protected), literals)
    except LarkError as exc:
        where = getattr(exc, "column", None)
        at = f" at character {where}" if isinstance(where, int) and where > 0 else ""
        raise ParameterError("filter", f"is not valid cql2-text{at}: {text!r}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ParameterError("filter", f"is not valid cql2-text: {exc}") from None


#: CQL2-text escapes (/req/cql2-text/escaping); pygeofilter 0.4 reads none of them.
_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}


def _protect(text: str) -> tuple[str, dict[str, str]]:
    """Character literals with escapes ('' or a backslash) swapped for plain placeholders,
    and the decoded values they stand for; literals without escapes stay as they are."""
    out: list[str] = []
    found: dict[str, str] = {}
    i = 0
    while i < len(text):
        if text[i] != "'":
            out.append(text[i])
            i += 1
            continue
        j, value = i + 1, []
        while True:
            if j >= len(text):
                raise ParameterError("filter", "has a character literal without its closing '")
            c = text[j]
            if c == "\\" and j + 1 < len(text):
                value.append(_ESCAPES.get(text[j + 1], text[j + 1]))
                j += 2
            elif c == "'" and text[j + 1 : j + 2] == "'":
                value.append("'")
                j += 2
            elif c == "'":
                break
            else:
                value.append(c)
                j += 1
        raw = text[i : j + 1]
        if "\\" in raw or "''" in raw[1:-1]:
            key = f"__cql2_literal_{len(found)}__"
            found[key] = "".join(value)
            raw = f"'{key}'"
        out.append(raw)
        i = j + 1
    return "".join(out), found


def _restore(node: Any, found: dict[str, str]) -> Any:
    """Put the decoded literals back into pygeofilter's syntax tree."""
    if not found:
        return node
    if isinstance(node, str):
        return found.get(node, node)
    if isinstance(node, list):
        return [_restore(n, found) for n in node]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            setattr(node, f.name, _restore(getattr(node, f.name), found))
    return node


def _json(text: str) -> Any:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ParameterError("filter", "is not JSON (filter-lang is cql2-json)") from None
    if not isinstance(doc, dict):
        raise ParameterError("filter", 'must be a cql2-json object such as {"op": ...}')
    try:
        return parse_json(doc)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise ParameterError("filter", f"is not valid cql2-json: {exc!r}") from None
