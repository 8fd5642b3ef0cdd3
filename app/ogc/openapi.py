"""The OpenAPI 3.0 description of the OGC API – Features service."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["document"]

_REF = "#/components/parameters/"


def document(base: str, collections: Sequence[tuple[str, str]], limits) -> dict:
    """OpenAPI 3.0 for the landing page, conformance, collections, items and features."""
    paths = {
        "/": _get("Landing page", "landing", "application/json"),
        "/conformance": _get("Conformance classes", "conformance", "application/json"),
        "/api": _get(
            "This API definition", "api", "application/vnd.oai.openapi+json;version=3.0", params=[]
        ),
        "/collections": _get("Feature collections", "collections", "application/json"),
    }
    for cid, title in collections:
        paths[f"/collections/{cid}"] = _get(
            f"{title}: description", f"{cid}-collection", "application/json"
        )
        paths[f"/collections/{cid}/items"] = _get(
            f"{title}: features",
            f"{cid}-items",
            "application/geo+json",
            params=["f", "limit", "offset", "bbox", "datetime"],
        )
        paths[f"/collections/{cid}/items/{{featureId}}"] = _get(
            f"{title}: one feature",
            f"{cid}-item",
            "application/geo+json",
            params=["f", "featureId"],
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
    summary: str, op_id: str, media: str, params: Sequence[str] = ("f",), not_found: bool = False
) -> dict:
    responses = {
        "200": {
            "description": summary,
            "content": {
                media: {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        "400": _error("Invalid or unknown query parameter"),
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
        "limit": _query(
            "limit",
            "Features per page.",
            {"type": "integer", "minimum": 1, "maximum": limits.maximum, "default": limits.default},
        ),
        "offset": _query(
            "offset", "Features to skip (paging).", {"type": "integer", "minimum": 0, "default": 0}
        ),
        "bbox": {
            **_query(
                "bbox",
                "minx,miny,maxx,maxy in CRS84 degrees.",
                {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
            ),
            "style": "form",
            "explode": False,
        },
        "datetime": _query(
            "datetime",
            "RFC 3339 instant (2014-06-01 or "
            "2014-06-01T00:00:00Z) or interval (a/b, ../b, a/..). Periods "
            "whose [start, end) meets it; sites: the state at an instant.",
            {"type": "string"},
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
