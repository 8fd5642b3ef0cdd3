"""OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) and Part 3 (queryables,
CQL2 filters), with a JSON Schema per collection (Part 5 `describedby`), framework-free.

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
from typing import Any
from urllib.parse import urlencode

import orjson

from app.core import clock, timeline
from app.core.text_rules import N_, Phrase
from app.core.vocabulary import FIRST_DAY, STATE_PARAMS
from app.ogc import cql as ogc_cql
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
    "queryables",
    "schema",
    "geojson_schema",
    "parse_datetime",
    "media_types",
    "not_acceptable",
]

#: Claimed only where tests/ogc/test_conformance.py walks the requirements of the class.
CONFORMANCE = [
    *(
        f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}"
        for name in ("core", "geojson", "html", "oas30")
    ),
    *(
        f"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/{name}"
        for name in ("queryables", "filter", "features-filter")
    ),
    *(
        f"http://www.opengis.net/spec/cql2/1.0/conf/{name}"
        for name in ("cql2-text", "cql2-json", "basic-cql2")
    ),
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
REL_SCHEMA = "http://www.opengis.net/def/rel/ogc/1.0/schema"
FILTER_PARAMS = ("filter", "filter-lang", "filter-crs")
#: GDAL repeats the query of its connection string (`OAPIF:…/collections/periods?datetime=…`)
#: on every URL it reads; outside /items these are checked and then ignored. `properties`
#: (as in pygeoapi and the draft Part 6) keeps only the named properties of each feature.
IGNORED = ("datetime", "bbox", "properties", *FILTER_PARAMS)
ITEM_PARAMS = ("limit", "offset", *IGNORED)
#: Each endpoint's own JSON media types, besides the plain JSON (which each of them is) and
#: the HTML every endpoint also answers in; see media_types().
_OWN_TYPES = {
    # Asked for with or without the version parameter (a client's version must match).
    "api": (OPENAPI, "application/vnd.oai.openapi+json"),
    "queryables": (SCHEMA,),
    "schema": (SCHEMA,),
    "geojson-schema": (SCHEMA,),
    "items": (GEOJSON,),
    "item": (GEOJSON,),
}
_HTML_TYPE = "text/html; charset=utf-8"
_INTEGER = re.compile(r"\A[0-9]+\Z")
# RFC 3339 date-time; GDAL also sends hours or minutes alone ("2015-01-01T10Z").
_DATETIME = re.compile(
    r"\A\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})\Z", re.IGNORECASE
)

Response = tuple[int, dict[str, str], bytes]
Window = tuple[dt.date | None, dt.date | None]


class OGCError(Exception):
    """A refused request: HTTP status, exception code and a Phrase naming the rule."""

    def __init__(self, status: int, code: str, description: Phrase):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


@dataclass(frozen=True)
class OGCRequest:
    """What the core needs from an HTTP request."""

    base: str
    params: Mapping[str, Sequence[str]] = field(default_factory=dict)
    prefers_html: bool = False
    #: The URL of a file under static/ ("css/app.css"), for the HTML pages' style sheets
    #: and scripts (the web layer links minified copies where set-up made them).
    asset: Callable[[str], str] = ogc_html.static_url
    #: The HTML pages' language and their words in it (html.WORDS -> translation).
    lang: str = "en"
    words: Mapping[str, str] = field(default_factory=dict)
    #: The top bar's language switch: (code, the language's name in itself, this page's
    #: URL in it) for every other language.
    languages: Sequence[tuple[str, str, str]] = ()
    #: Parameters every link to this API carries: a past state of the record (known, rev).
    keep: Mapping[str, str] = field(default_factory=dict)
    #: A refusal's description (a Phrase) in the reader's language; str keeps its English.
    say: Callable[[str], str] = str


@dataclass(frozen=True)
class Limits:
    """Page sizes: used when `limit` is absent, and the largest accepted."""

    default: int = 100
    maximum: int = 10000


@dataclass(frozen=True)
class Query:
    """A validated items query; `window` is a half-open date range [lo, hi), `where` the
    compiled CQL2 filter (what the collection's `compile` made of it)."""

    limit: int
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    window: Window | None = None
    where: Any = None
    #: The properties each feature keeps, in the collection's order; None: all of them.
    properties: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Collection:
    """One feature collection and the functions that read it."""

    id: str
    title: str
    description: str
    items: Callable[[Query], tuple[int, list[dict]]]
    #: A feature by id; an instant_only collection's at the day given (None: today).
    item: Callable[[str, dt.date | None], dict | None]
    extent: Callable[[], tuple[list[float] | None, list[str | None] | None]]
    instant_only: bool = False
    #: Property name -> JSON Schema: what a filter may name, and every property served
    #: (the schema GDAL reads the column types from).
    queryables: Mapping[str, dict] = field(default_factory=dict)
    schema: Mapping[str, dict] = field(default_factory=dict)
    #: A parsed CQL2 filter (pygeofilter AST) -> what `items` runs; ValueError: refused.
    compile: Callable[[Any], Any] | None = None


def _guarded(endpoint: Callable[..., Response]) -> Callable[..., Response]:
    """Turn a refused request into its JSON exception response."""

    @functools.wraps(endpoint)
    def wrapper(req: OGCRequest, *args, **kwargs) -> Response:
        try:
            return endpoint(req, *args, **kwargs)
        except OGCError as exc:
            return _error(exc, req.say)

    return wrapper


@_guarded
def landing(req: OGCRequest) -> Response:
    """The landing page: links to the API description, conformance and collections."""
    fmt = _format(req, IGNORED)
    doc = {
        "title": "Border Control Atlas",
        "description": "Who controlled each Syria–Iraq border crossing, and when.",
        "links": [
            *_self_links(req.base + "/", fmt, JSON),
            _link(req.base + "/api", "service-desc", OPENAPI, "API definition"),
            _link(req.base + "/api?f=html", "service-doc", _HTML_TYPE, "API documentation"),
            _link(req.base + "/conformance", "conformance", JSON, "Conformance"),
            _link(req.base + "/collections", "data", JSON, "Collections"),
        ],
    }
    return _render(req, doc, fmt, JSON, "landing")


@_guarded
def conformance(req: OGCRequest) -> Response:
    """The conformance classes implemented."""
    fmt = _format(req, IGNORED)
    doc = {"conformsTo": CONFORMANCE, "links": _self_links(req.base + "/conformance", fmt, JSON)}
    return _render(req, doc, fmt, JSON, "conformance")


@_guarded
def collections(req: OGCRequest, catalog: Mapping[str, Collection]) -> Response:
    """Every collection with its extent and links."""
    fmt = _format(req, IGNORED)
    doc = {
        "collections": [_describe(req.base, c) for c in catalog.values()],
        "links": _self_links(req.base + "/collections", fmt, JSON),
    }
    return _render(req, doc, fmt, JSON, "collections")


@_guarded
def collection(req: OGCRequest, catalog: Mapping[str, Collection], cid: str) -> Response:
    """One collection's description."""
    fmt = _format(req, IGNORED)
    return _render(req, _describe(req.base, _find(catalog, cid)), fmt, JSON, "collection")


@_guarded
def items(req: OGCRequest, catalog: Mapping[str, Collection], cid: str, limits: Limits) -> Response:
    """A page of features, filtered by bbox, datetime and a CQL2 filter."""
    fmt = _format(req, ITEM_PARAMS)
    coll = _find(catalog, cid)
    query = _query(req, coll, limits)
    matched, feats = coll.items(query)
    if query.properties is not None:
        feats = [_selected(f, query.properties) for f in feats]
    url = f"{req.base}/collections/{cid}/items"
    doc = {
        "type": "FeatureCollection",
        "features": feats,
        "numberMatched": matched,
        "numberReturned": len(feats),
        "timeStamp": _now(),
        "links": _page_links(url, req, query, matched, len(feats), fmt),
    }
    return _render(req, doc, fmt, GEOJSON, "items")


@_guarded
def item(req: OGCRequest, catalog: Mapping[str, Collection], cid: str, fid: str) -> Response:
    """One feature by id, or 404."""
    fmt = _format(req, IGNORED)
    coll = _find(catalog, cid)
    day, url = None, f"{req.base}/collections/{cid}/items/{fid}"
    params = _single(req.params, IGNORED)
    names = None
    if "properties" in params:
        names = _properties(params["properties"], coll)
        url = ogc_html.with_query(url, {"properties": params["properties"]})
    raw = params.get("datetime")
    # A site is the state at an instant, refused for an interval as its /items are (the
    # same connection's datetime reaches both); other features have no state by date, and
    # GDAL repeats its connection's datetime here: checked, then ignored.
    if raw is not None:
        parsed = parse_datetime(raw)
        if coll.instant_only:
            day = _state_day(coll, parsed)
            url = ogc_html.with_query(url, {"datetime": raw})
    feature = coll.item(fid, day)
    if feature is None:
        raise OGCError(
            404,
            "NotFound",
            Phrase(
                N_("collection '%(collection)s' has no feature '%(feature)s'"),
                collection=cid,
                feature=fid,
            ),
        )
    if names is not None:
        feature = _selected(feature, names)
    doc = {
        **feature,
        "links": [
            *_self_links(url, fmt, GEOJSON),
            _link(f"{req.base}/collections/{cid}", "collection", JSON, "The collection"),
        ],
    }
    return _render(req, doc, fmt, GEOJSON, "item")


@_guarded
def api_document(req: OGCRequest, catalog: Mapping[str, Collection], limits: Limits) -> Response:
    """The OpenAPI 3.0 definition of this service, or (f=html) a Swagger UI page over it."""
    fmt = _format(req, IGNORED)
    if fmt == "html":
        page = ogc_html.api_page(
            req.base + "/api?f=json", req.asset, req.words, req.lang, req.languages
        )
        return 200, {"Content-Type": _HTML_TYPE}, page.encode()
    doc = ogc_openapi.document(req.base, [(c.id, c.title) for c in catalog.values()], limits)
    return 200, {"Content-Type": OPENAPI}, orjson.dumps(doc)


@_guarded
def queryables(req: OGCRequest, catalog: Mapping[str, Collection], cid: str) -> Response:
    """The properties a CQL2 filter may name, as a JSON Schema (Part 3)."""
    return _json_schema(req, catalog, cid, "queryables")


@_guarded
def schema(req: OGCRequest, catalog: Mapping[str, Collection], cid: str) -> Response:
    """The properties of the collection's features and their types (Part 5)."""
    return _json_schema(req, catalog, cid, "schema")


@_guarded
def geojson_schema(req: OGCRequest, catalog: Mapping[str, Collection], cid: str) -> Response:
    """The JSON Schema of the collection's GeoJSON features (`describedby`)."""
    return _json_schema(req, catalog, cid, "geojson-schema")


#: Each JSON Schema document: its path under the collection -> the end of its title.
_SCHEMA_DOCS = {
    "queryables": "queryables",
    "schema": "schema",
    "geojson-schema": "GeoJSON feature schema",
}


def _json_schema(
    req: OGCRequest, catalog: Mapping[str, Collection], cid: str, kind: str
) -> Response:
    fmt = _format(req, IGNORED)
    coll = _find(catalog, cid)
    url = f"{req.base}/collections/{cid}/{kind}"
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": f"{coll.title}: {_SCHEMA_DOCS[kind]}",
        "properties": dict(coll.queryables if kind == "queryables" else coll.schema),
        # Names outside the list are refused with 400, not read as null.
        "additionalProperties": False,
    }
    if fmt == "html":
        # The page words its title from the collection's and which list this is (the JSON's
        # title is English, its metadata); a feature's schema lists the same properties.
        page = {**doc, "links": _self_links(url, fmt, SCHEMA), "collection": coll.title}
        which = "queryables" if kind == "queryables" else "schema"
        return _render(req, {**page, "schema_of": which}, fmt, SCHEMA, "schema")
    if kind == "geojson-schema":
        doc = _feature_schema(doc)
    return 200, {"Content-Type": SCHEMA}, orjson.dumps(doc)


def _feature_schema(properties: dict) -> dict:
    """A properties schema as the schema of the GeoJSON Feature that holds them."""
    # GDAL's OAPIF driver types its columns from `properties.properties` of the
    # `describedby` schema; without one it guesses from the first page, where a date
    # that is null on every feature (a site's `since` in 2011) becomes text.
    head = {k: properties[k] for k in ("$schema", "$id", "title")}
    inner = {k: properties[k] for k in ("properties", "additionalProperties")}
    return {
        **head,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": ["string", "integer"]},
            "geometry": {"type": ["object", "null"], "description": "GeoJSON, lon/lat (CRS84)"},
            "properties": {"type": "object", **inner},
            "links": {"type": "array", "items": {"type": "object"}},
        },
    }


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
        raise _invalid("datetime", Phrase(N_("%(value)s has more than one '/'"), value=repr(text)))
    left, right = (None if part in ("", "..") else _instant(part) for part in text.split("/"))
    if left is not None and right is not None and right < left:
        raise _invalid(
            "datetime", Phrase(N_("interval %(value)s ends before it starts"), value=repr(text))
        )
    return (left, None if right is None else _next_day(right)), False


# parameters -----------------------------------------------------------------------
def _single(params: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> dict[str, str]:
    """One value per parameter; unknown or repeated parameters are refused."""
    # `lang` chooses the HTML pages' language, as on every page of the site (the web
    # layer reads it); the data is the same in any language.
    known = ("f", "lang", *allowed, *STATE_PARAMS)
    out = {}
    for name, values in params.items():
        if name not in known:
            raise OGCError(
                400,
                "InvalidParameterValue",
                Phrase(
                    N_("unknown parameter '%(name)s' (known: %(known)s)"),
                    name=name,
                    known=", ".join(known),
                ),
            )
        # GDAL appends its connection string's query to `next` links that already carry it.
        if len(set(values)) != 1:
            raise _invalid(name, Phrase(N_("must be given once (or repeated with the same value)")))
        out[name] = values[0]
    return out


def media_types(endpoint: str) -> tuple[str, ...]:
    """The media types an endpoint ("landing", "items", …) answers in, its own first.

    >>> media_types("items")
    ('application/geo+json', 'application/json', 'text/html')
    """
    return (*_OWN_TYPES.get(endpoint, ()), JSON, HTML)


def not_acceptable(endpoint: str, say: Callable[[str], str] = str) -> Response:
    """406: the request's Accept header allows none of the endpoint's media types."""
    # Part 1 permits 406 here; JSON regardless would hand a client what it said it cannot read.
    offered = ", ".join(dict.fromkeys(media_types(endpoint)))
    return _error(
        OGCError(
            406,
            "NotAcceptable",
            Phrase(
                N_(
                    "the Accept header allows none of the media types served here (%(types)s): "
                    "accept one of them, or name the format with f=json or f=html"
                ),
                types=offered,
            ),
        ),
        say,
    )


def named_format(params: Mapping[str, Sequence[str]]) -> str:
    """The format ?f= names, or "" when it names none (absent or empty: Accept decides)."""
    given = params.get("f")
    return given[0] if given else ""


def asked_format(params: Mapping[str, Sequence[str]], prefers_html: bool) -> str:
    """The output format asked for: ?f= as given, else html or json as the client prefers."""
    return named_format(params) or ("html" if prefers_html else "json")


def _format(req: OGCRequest, allowed: Sequence[str]) -> str:
    """The output format: ?f=json|html, else what the client prefers."""
    params = _single(req.params, allowed)
    fmt = asked_format(req.params, req.prefers_html)
    if fmt not in ("json", "html"):
        raise _invalid("f", Phrase(N_("must be json or html, not %(value)s"), value=repr(fmt)))
    # Accepted everywhere (clients repeat them), so checked everywhere, used on items only.
    if "datetime" in params:
        parse_datetime(params["datetime"])
    if "bbox" in params:
        _bbox(params["bbox"])
    if "filter" in params:
        _parse_filter(params)
    if "properties" in params:
        _property_list(params["properties"])
    return fmt


def _query(req: OGCRequest, coll: Collection, limits: Limits) -> Query:
    """Validate limit, offset, bbox, datetime and the CQL2 filter."""
    params = _single(req.params, ITEM_PARAMS)
    # /req/core/fc-limit-response-1: a limit above the maximum is not an error, it is capped.
    limit = min(_integer(params, "limit", limits.default, 1, None), limits.maximum)
    offset = _integer(params, "offset", 0, 0, 10**9 - 1)
    bbox = _bbox(params["bbox"]) if "bbox" in params else None
    window = None
    if "datetime" in params:
        window, instant = parse_datetime(params["datetime"])
        if coll.instant_only:
            _state_day(coll, (window, instant))
    names = _properties(params["properties"], coll) if "properties" in params else None
    return Query(limit, offset, bbox, window, _where(params, coll), names)


def _property_list(raw: str) -> list[str]:
    """The comma-separated names of `properties`; refused when it names none."""
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if not names:
        raise _invalid("properties", Phrase(N_("name one or more properties, separated by commas")))
    return names


def _properties(raw: str, coll: Collection) -> tuple[str, ...]:
    """The properties `properties` keeps, in the collection's order; every name must be one
    of the collection's (its schema)."""
    names = set(_property_list(raw))
    unknown = sorted(names - set(coll.schema))
    if unknown:
        raise _invalid(
            "properties",
            Phrase(
                N_("no property %(names)s in '%(collection)s' (properties: %(known)s)"),
                names=", ".join(map(repr, unknown)),
                collection=coll.id,
                known=", ".join(coll.schema),
            ),
        )
    return tuple(name for name in coll.schema if name in names)


def _selected(feature: dict, names: tuple[str, ...]) -> dict:
    """A copy of `feature` whose properties are only `names` (those it has)."""
    props = feature["properties"]
    return {**feature, "properties": {name: props[name] for name in names if name in props}}


def _state_day(coll: Collection, parsed: tuple[Window, bool]) -> dt.date:
    """The day of an instant_only collection's `datetime`: one instant within the record."""
    (day, _next), instant = parsed
    if not instant or day is None:
        raise _invalid(
            "datetime",
            Phrase(
                N_(
                    "collection '%(collection)s' gives the state at one instant "
                    "(e.g. 2015-08-01), not an interval"
                ),
                collection=coll.id,
            ),
        )
    if not FIRST_DAY <= day <= clock.today():
        raise _invalid(
            "datetime",
            Phrase(
                N_(
                    "collection '%(collection)s': must be between %(first)s and %(last)s "
                    "(the record's span)"
                ),
                collection=coll.id,
                first=FIRST_DAY.isoformat(),
                last=clock.today().isoformat(),
            ),
        )
    return day


def _where(params: dict[str, str], coll: Collection) -> Any:
    """The CQL2 filter parsed by pygeofilter and compiled by the collection, or None."""
    for name in ("filter-lang", "filter-crs"):
        if name in params and "filter" not in params:
            raise _invalid(name, Phrase(N_("needs a 'filter'")))
    if "filter" not in params:
        return None
    node = _parse_filter(params)
    if coll.compile is None:
        raise _invalid(
            "filter",
            Phrase(N_("collection '%(collection)s' cannot be filtered"), collection=coll.id),
        )
    try:
        return coll.compile(node)
    except ValueError as exc:
        raise _invalid("filter", exc) from None


def _parse_filter(params: dict[str, str]) -> Any:
    try:
        return ogc_cql.parse(
            params["filter"], params.get("filter-lang", ogc_cql.TEXT), params.get("filter-crs")
        )
    except ogc_cql.ParameterError as exc:
        raise _invalid(exc.parameter, exc.rule) from None


def _integer(params: dict, name: str, default: int, lo: int, hi: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    # Past 18 digits a number is simply huge (capped or refused); this spares int() its
    # 4300-digit limit.
    digits = raw.lstrip("0") or "0"
    value = (int(digits) if len(digits) <= 18 else 10**18) if _INTEGER.match(raw) else None
    if value is None or value < lo or (hi is not None and value > hi):
        if hi is None:
            rule = N_("must be an integer of at least %(lo)s, not %(value)s")
        else:
            rule = N_("must be an integer from %(lo)s to %(hi)s, not %(value)s")
        raise _invalid(name, Phrase(rule, lo=lo, hi=hi, value=repr(raw)))
    return value


def _bbox(raw: str) -> tuple[float, float, float, float]:
    """minx,miny,maxx,maxy in CRS84 degrees (minx > maxx: across the antimeridian), or six
    numbers with heights (dropped: the features have none)."""
    parts = raw.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) not in (4, 6) or not all(map(math.isfinite, values)):
        raise _invalid(
            "bbox",
            Phrase(
                N_(
                    "must be four numbers minx,miny,maxx,maxy or six "
                    "minx,miny,minz,maxx,maxy,maxz, not %(value)s"
                ),
                value=repr(raw),
            ),
        )
    if len(values) == 6:
        if values[2] > values[5]:
            raise _invalid("bbox", Phrase(N_("needs minz <= maxz")))
        values = (values[0], values[1], values[3], values[4])
    minx, miny, maxx, maxy = values
    # minx > maxx is a box across the antimeridian, as the standard has it.
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise _invalid(
            "bbox",
            Phrase(N_("needs longitudes from -180 to 180 and -90 <= miny <= maxy <= 90")),
        )
    return minx, miny, maxx, maxy


def _instant(text: str) -> dt.date:
    """The UTC calendar date of an RFC 3339 date or date-time; a date with a bare "T"
    (what GDAL sends for a day) is the date."""
    if text[-1:] in ("T", "t") and len(text) == 11:
        text = text[:-1]
    if "T" not in text.upper():
        try:
            return timeline.parse_date(text)
        except ValueError as exc:
            raise _invalid("datetime", exc) from None
    if not _DATETIME.match(text):
        raise _invalid(
            "datetime",
            Phrase(
                N_(
                    "%(value)s is not an RFC 3339 date or date-time with a zone "
                    "(e.g. 2014-06-01, 2014-06-01T00:00:00Z or 2014-06-01T03:00:00+03:00)"
                ),
                value=repr(text),
            ),
        )
    try:
        moment = dt.datetime.fromisoformat(_full_time(text.upper().replace("Z", "+00:00")))
        return moment.astimezone(dt.UTC).date()
    except ValueError:
        raise _invalid(
            "datetime", Phrase(N_("%(value)s is not a real date and time"), value=repr(text))
        ) from None
    except OverflowError:
        raise _invalid(
            "datetime",
            Phrase(N_("%(value)s is outside years 1 to 9999 in UTC"), value=repr(text)),
        ) from None


def _full_time(text: str) -> str:
    """hh or hh:mm padded to hh:mm:ss, so that fromisoformat reads it on every Python."""
    date, time = text.split("T")
    clock_, sign, zone = re.split(r"([+-])", time, maxsplit=1)
    clock_ += ":00" * (2 - clock_.count(":")) if "." not in clock_ else ""
    return f"{date}T{clock_}{sign}{zone}"


def _next_day(day: dt.date) -> dt.date | None:
    return None if day == dt.date.max else day + dt.timedelta(days=1)


def _invalid(name: str, rule: str | ValueError) -> OGCError:
    """400 naming the parameter and the rule: a Phrase or a Refusal (app.db.cql's
    FilterError, a date's) is said in the reader's language, other text as it is."""
    # The msgid the site's own refusals use (app.web.params), so both read alike.
    return OGCError(
        400,
        "InvalidParameterValue",
        Phrase(N_("parameter '%(name)s': %(problem)s"), name=name, problem=rule),
    )


def _find(catalog: Mapping[str, Collection], cid: str) -> Collection:
    if cid not in catalog:
        raise OGCError(
            404,
            "NotFound",
            Phrase(
                N_("no collection '%(collection)s' (collections: %(collections)s)"),
                collection=cid,
                collections=", ".join(catalog),
            ),
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
            _link(url + "/queryables", REL_QUERYABLES, SCHEMA, "Queryables"),
            _link(url + "/geojson-schema", "describedby", SCHEMA, "Schema of the GeoJSON features"),
            _link(url + "/schema", REL_SCHEMA, SCHEMA, "Schema of the features"),
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
                # From past the end, the previous page is the last one that has features.
                href(f=fmt, offset=max(0, min(q.offset, matched) - q.limit), limit=q.limit),
                "prev",
                own,
                "Previous page",
            )
        )
    return links


def _self_links(url: str, fmt: str, json_type: str) -> list[dict]:
    json_link, html_link = (
        _link(ogc_html.with_query(url, {"f": "json"}), "", json_type, "JSON"),
        _link(ogc_html.with_query(url, {"f": "html"}), "", _HTML_TYPE, "HTML"),
    )
    own, other = (json_link, html_link) if fmt == "json" else (html_link, json_link)
    return [{**own, "rel": "self"}, {**other, "rel": "alternate"}]


def _link(href: str, rel: str, media: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media, "title": title}


def _render(req: OGCRequest, doc: dict, fmt: str, json_type: str, kind: str) -> Response:
    if req.keep:
        doc = _kept(doc, req)
    if fmt == "html":
        page = ogc_html.page(kind, doc, req.asset, req.words, req.lang, req.languages, req.keep)
        return 200, {"Content-Type": _HTML_TYPE}, page.encode()
    return 200, {"Content-Type": json_type}, orjson.dumps(doc)


def _kept(node: Any, req: OGCRequest) -> Any:
    """`node` with every link into this API carrying `req.keep` (a past state's links lead
    to the same state)."""
    if isinstance(node, list):
        return [_kept(item, req) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _kept(value, req) for key, value in node.items()}
    href = out.get("href")
    if "rel" in out and isinstance(href, str) and href.startswith(req.base):
        out["href"] = ogc_html.with_query(href, req.keep)
    return out


def _error(exc: OGCError, say: Callable[[str], str] = str) -> Response:
    """The JSON exception: the OGC code as it is, the description as `say` words it."""
    body = {"code": exc.code, "description": say(exc.description)}
    return exc.status, {"Content-Type": JSON}, orjson.dumps(body)


def _stamp(day: str | None) -> str | None:
    return None if day is None else f"{day}T00:00:00Z"


def _now() -> str:
    return clock.stamp(clock.now())
