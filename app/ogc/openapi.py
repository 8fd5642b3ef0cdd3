"""The OpenAPI 3.0 description of the OGC API – Features service."""

from __future__ import annotations

from collections.abc import Sequence

from app.ogc import cql as ogc_cql

__all__ = ["document"]

_REF = "#/components/parameters/"
#: Accepted on every path: the format, the HTML pages' language, the record as it stood;
#: and (checked) GDAL's connection string's query, which it repeats on all: they filter
#: only on /items.
_EVERYWHERE = ("f", "lang", "known", "rev")
_META = (*_EVERYWHERE, "datetime", "bbox", "properties", "filter", "filter-lang", "filter-crs")
_SCHEMA = "application/schema+json"


def document(base: str, collections: Sequence[tuple[str, str]], limits) -> dict:
    """OpenAPI 3.0 for the landing page, conformance, collections, items and features."""
    paths = {
        "/": _get("Landing page", "landing", "application/json"),
        "/conformance": _get("Conformance classes", "conformance", "application/json"),
        "/api": _get(
            "This API definition (f=html: Swagger UI)",
            "api",
            "application/vnd.oai.openapi+json;version=3.0",
        ),
        "/collections": _get("Feature collections", "collections", "application/json"),
    }
    for cid, title in collections:
        url = f"/collections/{cid}"
        paths[url] = _get(
            f"{title}: description", f"{cid}-collection", "application/json", not_found=True
        )
        paths[url + "/queryables"] = _get(
            f"{title}: queryables (JSON Schema)", f"{cid}-queryables", _SCHEMA, not_found=True
        )
        paths[url + "/schema"] = _get(
            f"{title}: schema of the features", f"{cid}-schema", _SCHEMA, not_found=True
        )
        paths[url + "/geojson-schema"] = _get(
            f"{title}: schema of the GeoJSON features (describedby)",
            f"{cid}-geojson-schema",
            _SCHEMA,
            not_found=True,
        )
        paths[url + "/items"] = _get(
            f"{title}: features",
            f"{cid}-items",
            "application/geo+json",
            params=[
                *_EVERYWHERE,
                "limit",
                "offset",
                "bbox",
                "datetime",
                "properties",
                "filter",
                "filter-lang",
                "filter-crs",
            ],
            not_found=True,
        )
        paths[url + "/items/{featureId}"] = _get(
            f"{title}: one feature",
            f"{cid}-item",
            "application/geo+json",
            params=[*_META, "featureId"],
            not_found=True,
        )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Border Control Atlas – OGC API Features",
            "version": "1.0",
            "description": "Control of Syria–Iraq border crossings over time.",
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {"parameters": _parameters(limits), "schemas": {"exception": _EXCEPTION}},
    }


def _get(
    summary: str, op_id: str, media: str, params: Sequence[str] = _META, not_found: bool = False
) -> dict:
    responses = {
        "200": {
            "description": summary,
            "content": {
                media: {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        "304": {"description": "Not modified (If-None-Match / If-Modified-Since)"},
        "400": _error("Invalid or unknown query parameter"),
        "406": _error("The Accept header allows none of the media types served (see f)"),
    }
    if not_found:
        responses["404"] = _error("No such feature or collection")
    return {
        "get": {
            "summary": summary,
            "operationId": op_id,
            "parameters": [{"$ref": _REF + p} for p in params],
            "responses": responses,
        }
    }


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}},
    }


def _parameters(limits) -> dict:
    return {
        "f": _query("f", "Output format.", {"type": "string", "enum": ["json", "html"]}),
        "lang": _query(
            "lang",
            "Language of the HTML pages' words (remembered for the site); the data is the "
            "same in any language.",
            {"type": "string", "enum": ["en", "ar"]},
        ),
        "known": _query(
            "known",
            "The record as it stood: at the end of this day (YYYY-MM-DD, UTC), or right "
            "after revision N (a number). Answers are what they were then.",
            {"type": "string"},
        ),
        "rev": _query(
            "rev",
            "The record as it stood just after this revision (its number in the history).",
            {"type": "integer", "minimum": 1},
        ),
        "limit": _query(
            "limit",
            "Features per page; a larger value is capped at the maximum.",
            {"type": "integer", "minimum": 1, "maximum": limits.maximum, "default": limits.default},
        ),
        "offset": _query(
            "offset", "Features to skip (paging).", {"type": "integer", "minimum": 0, "default": 0}
        ),
        "bbox": {
            **_query(
                "bbox",
                "minx,miny,maxx,maxy in CRS84 degrees, or six numbers with heights "
                "(minx,miny,minz,maxx,maxy,maxz; heights are ignored). Features without a "
                "geometry match too. Accepted and ignored outside /items.",
                {
                    "type": "array",
                    "minItems": 4,
                    "maxItems": 6,
                    "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                    "items": {"type": "number"},
                },
            ),
            "style": "form",
            "explode": False,
        },
        "datetime": _query(
            "datetime",
            "RFC 3339 instant (2014-06-01, 2014-06-01T, 2014-06-01T00:00:00Z, "
            "2014-06-01T03:00+03:00: its UTC day) or interval (a/b, ../b, a/.., /b, a/). "
            "Periods whose possible span [earliest start, latest end) meets it; events whose "
            "days meet it; sites: the state at an instant. Accepted and ignored outside /items.",
            {"type": "string"},
        ),
        "properties": {
            **_query(
                "properties",
                "Comma-separated names of the properties each feature keeps (the others are "
                "left out; id and geometry stay), from the collection's schema "
                "(/collections/{id}/schema), e.g. site,actor,start,end. Accepted and ignored "
                "outside /items.",
                {"type": "array", "minItems": 1, "items": {"type": "string"}},
            ),
            "style": "form",
            "explode": False,
        },
        "filter": _query(
            "filter",
            "CQL2 filter on the queryables (/collections/{id}/queryables), e.g. "
            "actor = 'isis' AND start >= DATE('2015-01-01'). Dates of periods are windows: "
            "a comparison holds when some day of the window satisfies it.",
            {"type": "string"},
        ),
        "filter-lang": _query(
            "filter-lang",
            "Encoding of `filter`; `cql-text`, the draft name of cql2-text, is read as cql2-text.",
            {"type": "string", "enum": list(ogc_cql.LANGUAGES), "default": ogc_cql.TEXT},
        ),
        "filter-crs": _query(
            "filter-crs",
            "CRS of geometries in `filter`: only CRS84 (spatial predicates are refused).",
            {
                "type": "string",
                "format": "uri-reference",
                "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
                "default": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            },
        ),
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "Feature id.",
            "schema": {"type": "string"},
        },
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


_EXCEPTION = {
    "type": "object",
    "required": ["code"],
    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
}
