"""OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), framework-free.

Each endpoint takes plain values — an :class:`OGCRequest` (base URL, query parameters),
the collections and the limits — and returns ``(status, headers, body)`` like pygeoapi.
Unknown query parameters and invalid values of known ones are refused with ``400`` and
a JSON exception ``{"code": ..., "description": ...}``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import orjson

from app.core import clock, timeline
from app.ogc import html as ogc_html
from app.ogc import openapi as ogc_openapi

__all__ = [
    "CONFORMANCE",
    "CRS84",
    "Collection",
    "Limits",
    "OGCError",
    "OGCRequest",
    "Query",
    "landing",
    "conformance",
    "collections",
    "collection",
    "items",
    "item",
    "api_document",
    "parse_datetime",
]

CONFORMANCE = [
    f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}"
    for name in ("core", "geojson", "html", "oas30")
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
_HTML_TYPE = "text/html; charset=utf-8"
_INTEGER = re.compile(r"\A[0-9]{1,9}\Z")
_DATETIME = re.compile(
    r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z", re.IGNORECASE
)

Response = tuple[int, dict[str, str], bytes]
Window = tuple[dt.date | None, dt.date | None]


class OGCError(Exception):
    """A refused request: HTTP status, exception code and a description naming the rule."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


@dataclass(frozen=True)
class OGCRequest:
    """What the core needs from an HTTP request."""

    base: str
    params: Mapping[str, Sequence[str]] = field(default_factory=dict)
    prefers_html: bool = False


@dataclass(frozen=True)
class Limits:
    """Page sizes: used when `limit` is absent, and the largest accepted."""

    default: int = 100
    maximum: int = 10000


@dataclass(frozen=True)
class Query:
    """A validated items query; `window` is a half-open date range [lo, hi)."""

    limit: int
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    window: Window | None = None


@dataclass(frozen=True)
class Collection:
    """One feature collection and the functions that read it."""

    id: str
    title: str
    description: str
    items: Callable[[Query], tuple[int, list[dict]]]
    item: Callable[[str], dict | None]
    extent: Callable[[], tuple[list[float] | None, list[str | None] | None]]
    instant_only: bool = False


def _guarded(endpoint: Callable[..., Response]) -> Callable[..., Response]:
    """Turn a refused request into its JSON exception response."""

    @functools.wraps(endpoint)
    def wrapper(*args, **kwargs) -> Response:
        try:
            return endpoint(*args, **kwargs)
        except OGCError as exc:
            return _error(exc)

    return wrapper


@_guarded
def landing(req: OGCRequest) -> Response:
    """The landing page: links to the API description, conformance and collections."""
    fmt = _format(req, ())
    doc = {
        "title": "Border Control Atlas",
        "description": "Who controlled each Syria–Iraq border crossing, and when.",
        "links": [
            *_self_links(req.base + "/", fmt, JSON),
            _link(req.base + "/api", "service-desc", OPENAPI, "API definition"),
            _link(req.base + "/conformance", "conformance", JSON, "Conformance"),
            _link(req.base + "/collections", "data", JSON, "Collections"),
        ],
    }
    return _render(doc, fmt, JSON, "landing")


@_guarded
def conformance(req: OGCRequest) -> Response:
    """The conformance classes implemented."""
    fmt = _format(req, ())
    doc = {"conformsTo": CONFORMANCE, "links": _self_links(req.base + "/conformance", fmt, JSON)}
    return _render(doc, fmt, JSON, "conformance")


@_guarded
def collections(req: OGCRequest, catalog: Mapping[str, Collection]) -> Response:
    """Every collection with its extent and links."""
    fmt = _format(req, ())
    doc = {
        "collections": [_describe(req.base, c) for c in catalog.values()],
        "links": _self_links(req.base + "/collections", fmt, JSON),
    }
    return _render(doc, fmt, JSON, "collections")


@_guarded
def collection(req: OGCRequest, catalog: Mapping[str, Collection], cid: str) -> Response:
    """One collection's description."""
    fmt = _format(req, ())
    return _render(_describe(req.base, _find(catalog, cid)), fmt, JSON, "collection")


@_guarded
def items(req: OGCRequest, catalog: Mapping[str, Collection], cid: str, limits: Limits) -> Response:
    """A page of features, filtered by bbox and datetime."""
    fmt = _format(req, ("limit", "offset", "bbox", "datetime"))
    coll = _find(catalog, cid)
    query = _query(req, coll, limits)
    matched, feats = coll.items(query)
    url = f"{req.base}/collections/{cid}/items"
    doc = {
        "type": "FeatureCollection",
        "features": feats,
        "numberMatched": matched,
        "numberReturned": len(feats),
        "timeStamp": _now(),
        "links": _page_links(url, req, query, matched, len(feats), fmt),
    }
    return _render(doc, fmt, GEOJSON, "items")


@_guarded
def item(req: OGCRequest, catalog: Mapping[str, Collection], cid: str, fid: str) -> Response:
    """One feature by id, or 404."""
    fmt = _format(req, ())
    feature = _find(catalog, cid).item(fid)
    if feature is None:
        raise OGCError(404, "NotFound", f"collection '{cid}' has no feature '{fid}'")
    url = f"{req.base}/collections/{cid}/items/{fid}"
    doc = {
        **feature,
        "links": [
            *_self_links(url, fmt, GEOJSON),
            _link(f"{req.base}/collections/{cid}", "collection", JSON, "The collection"),
        ],
    }
    return _render(doc, fmt, GEOJSON, "item")


@_guarded
def api_document(req: OGCRequest, catalog: Mapping[str, Collection], limits: Limits) -> Response:
    """The OpenAPI 3.0 definition of this service."""
    _single(req.params, ())
    doc = ogc_openapi.document(req.base, [(c.id, c.title) for c in catalog.values()], limits)
    return 200, {"Content-Type": OPENAPI}, orjson.dumps(doc)


def parse_datetime(text: str) -> tuple[Window, bool]:
    """An RFC 3339 instant or interval as a half-open date window, and whether instant.

    >>> parse_datetime("2014-06-01")
    ((datetime.date(2014, 6, 1), datetime.date(2014, 6, 2)), True)
    >>> parse_datetime("../2014-06-01T00:00:00Z")
    ((None, datetime.date(2014, 6, 2)), False)
    """
    if "/" not in text:
        day = _instant(text)
        return (day, _next_day(day)), True
    if text.count("/") > 1:
        raise _invalid("datetime", f"{text!r} has more than one '/'")
    left, right = (None if part in ("", "..") else _instant(part) for part in text.split("/"))
    if left is not None and right is not None and right < left:
        raise _invalid("datetime", f"interval {text!r} ends before it starts")
    return (left, None if right is None else _next_day(right)), False


# parameters -----------------------------------------------------------------------
def _single(params: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> dict[str, str]:
    """One value per parameter; unknown or repeated parameters are refused."""
    known = ("f", *allowed)
    out = {}
    for name, values in params.items():
        if name not in known:
            raise OGCError(
                400,
                "InvalidParameterValue",
                f"unknown parameter '{name}' (known: {', '.join(known)})",
            )
        if len(values) != 1:
            raise _invalid(name, "must be given once")
        out[name] = values[0]
    return out


def _format(req: OGCRequest, allowed: Sequence[str]) -> str:
    """The output format: ?f=json|html, else what the client prefers."""
    params = _single(req.params, allowed)
    fmt = params.get("f") or ("html" if req.prefers_html else "json")
    if fmt not in ("json", "html"):
        raise _invalid("f", f"must be json or html, not {fmt!r}")
    return fmt


def _query(req: OGCRequest, coll: Collection, limits: Limits) -> Query:
    """Validate limit, offset, bbox and datetime."""
    params = _single(req.params, ("limit", "offset", "bbox", "datetime"))
    limit = _integer(params, "limit", limits.default, 1, limits.maximum)
    offset = _integer(params, "offset", 0, 0, 10**9 - 1)
    bbox = _bbox(params["bbox"]) if "bbox" in params else None
    window = None
    if "datetime" in params:
        window, instant = parse_datetime(params["datetime"])
        if coll.instant_only and not instant:
            raise _invalid(
                "datetime",
                f"collection '{coll.id}' gives the state at one "
                "instant (e.g. 2015-08-01), not an interval",
            )
    return Query(limit, offset, bbox, window)


def _integer(params: dict, name: str, default: int, lo: int, hi: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not _INTEGER.match(raw) or not lo <= int(raw) <= hi:
        raise _invalid(name, f"must be an integer from {lo} to {hi}, not {raw!r}")
    return int(raw)


def _bbox(raw: str) -> tuple[float, float, float, float]:
    """minx,miny,maxx,maxy in CRS84 degrees."""
    parts = raw.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(map(math.isfinite, values)):
        raise _invalid("bbox", f"must be four numbers minx,miny,maxx,maxy, not {raw!r}")
    minx, miny, maxx, maxy = values
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise _invalid("bbox", "needs -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90")
    return values


def _instant(text: str) -> dt.date:
    """The UTC calendar date of an RFC 3339 date or date-time."""
    if "T" not in text.upper():
        try:
            return timeline.parse_date(text)
        except ValueError as exc:
            raise _invalid("datetime", str(exc)) from None
    if not _DATETIME.match(text):
        raise _invalid(
            "datetime",
            f"{text!r} is not an RFC 3339 date or date-time "
            "(e.g. 2014-06-01 or 2014-06-01T00:00:00Z)",
        )
    try:
        moment = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        return moment.astimezone(dt.UTC).date()
    except ValueError:
        raise _invalid("datetime", f"{text!r} is not a real date and time") from None
    except OverflowError:
        raise _invalid("datetime", f"{text!r} is outside years 1 to 9999 in UTC") from None


def _next_day(day: dt.date) -> dt.date | None:
    return None if day == dt.date.max else day + dt.timedelta(days=1)


def _invalid(name: str, rule: str) -> OGCError:
    return OGCError(400, "InvalidParameterValue", f"parameter '{name}': {rule}")


def _find(catalog: Mapping[str, Collection], cid: str) -> Collection:
    if cid not in catalog:
        raise OGCError(
            404, "NotFound", f"no collection '{cid}' (collections: {', '.join(catalog)})"
        )
    return catalog[cid]


# documents ------------------------------------------------------------------------
def _describe(base: str, c: Collection) -> dict:
    """A collection's metadata: extent, CRS, item type and links."""
    url = f"{base}/collections/{c.id}"
    spatial, temporal = c.extent()
    extent = {}
    if spatial:
        extent["spatial"] = {"bbox": [spatial], "crs": CRS84}
    if temporal:
        extent["temporal"] = {"interval": [[_stamp(v) for v in temporal]], "trs": TRS}
    return {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent,
        "links": [
            _link(url, "self", JSON, c.title),
            _link(url + "?f=html", "alternate", _HTML_TYPE, c.title),
            _link(url + "/items", "items", GEOJSON, "Features"),
            _link(url + "/items?f=html", "items", _HTML_TYPE, "Features"),
        ],
    }


def _page_links(
    url: str, req: OGCRequest, q: Query, matched: int, returned: int, fmt: str
) -> list[dict]:
    """self, alternate, and next/prev pages keeping every other parameter."""
    params = {k: v[0] for k, v in req.params.items() if k != "f"}
    own = GEOJSON if fmt == "json" else _HTML_TYPE

    def href(**changes) -> str:
        merged = {**params, **{k: str(v) for k, v in changes.items()}}
        return f"{url}?{urlencode(merged)}" if merged else url

    links = [
        _link(href(f=fmt), "self", own, "This page"),
        _link(
            href(f="html" if fmt == "json" else "json"),
            "alternate",
            _HTML_TYPE if fmt == "json" else GEOJSON,
            "This page",
        ),
    ]
    if q.offset + returned < matched:
        links.append(
            _link(href(f=fmt, offset=q.offset + q.limit, limit=q.limit), "next", own, "Next page")
        )
    if q.offset > 0:
        links.append(
            _link(
                href(f=fmt, offset=max(0, q.offset - q.limit), limit=q.limit),
                "prev",
                own,
                "Previous page",
            )
        )
    return links


def _self_links(url: str, fmt: str, json_type: str) -> list[dict]:
    json_link, html_link = (
        _link(url + "?f=json", "", json_type, "JSON"),
        _link(url + "?f=html", "", _HTML_TYPE, "HTML"),
    )
    own, other = (json_link, html_link) if fmt == "json" else (html_link, json_link)
    return [{**own, "rel": "self"}, {**other, "rel": "alternate"}]


def _link(href: str, rel: str, media: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media, "title": title}


def _render(doc: dict, fmt: str, json_type: str, kind: str) -> Response:
    if fmt == "html":
        return 200, {"Content-Type": _HTML_TYPE}, ogc_html.page(kind, doc).encode()
    return 200, {"Content-Type": json_type}, orjson.dumps(doc)


def _error(exc: OGCError) -> Response:
    body = {"code": exc.code, "description": exc.description}
    return exc.status, {"Content-Type": JSON}, orjson.dumps(body)


def _stamp(day: str | None) -> str | None:
    return None if day is None else f"{day}T00:00:00Z"


def _now() -> str:
    return clock.stamp(clock.now())
