"""Blueprint "ogc": OGC API – Features routes, thin adapters over the pure core (ogc.py)."""

from __future__ import annotations

import datetime as dt

import orjson
from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from app.core.clock import today
from app.core.text_rules import N_
from app.core.vocabulary import STATE_PARAMS
from app.db import cql, features
from app.db.features import Filters
from app.ogc import core as ogc
from app.ogc import html as ogc_html
from app.web import errors, i18n, known
from app.web.assets import asset_url
from app.web.httpcache import host_key, public_url, respond

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


@bp.get("/", strict_slashes=False)
def landing():
    """Landing page."""
    return _serve("landing", ogc.landing)


@bp.get("/conformance")
def conformance():
    """Conformance classes."""
    return _serve("conformance", ogc.conformance)


@bp.get("/api")
def api():
    """OpenAPI 3.0 definition."""
    return _serve("api", lambda req: ogc.api_document(req, _catalog(), _limits()))


@bp.get("/collections")
def collections():
    """Every collection."""
    return _serve("collections", lambda req: ogc.collections(req, _catalog()))


@bp.get("/collections/<cid>")
def collection(cid: str):
    """One collection."""
    return _serve(("collection", cid), lambda req: ogc.collection(req, _catalog(), cid))


@bp.get("/collections/<cid>/queryables")
def queryables(cid: str):
    """The properties a CQL2 filter may use."""
    return _serve(("queryables", cid), lambda req: ogc.queryables(req, _catalog(), cid))


@bp.get("/collections/<cid>/schema")
def schema(cid: str):
    """The properties of the features and their types."""
    return _serve(("schema", cid), lambda req: ogc.schema(req, _catalog(), cid))


@bp.get("/collections/<cid>/geojson-schema")
def geojson_schema(cid: str):
    """The JSON Schema of the collection's GeoJSON features, which GDAL types columns from."""
    return _serve(("geojson-schema", cid), lambda req: ogc.geojson_schema(req, _catalog(), cid))


@bp.get("/collections/<cid>/items")
def items(cid: str):
    """A page of features."""
    return _serve(("items", cid, _limits()), lambda req: ogc.items(req, _catalog(), cid, _limits()))


@bp.get("/collections/<cid>/items/<fid>")
def item(cid: str, fid: str):
    """One feature."""
    return _serve(("item", cid, fid), lambda req: ogc.item(req, _catalog(), cid, fid))


# Not strict: Werkzeug would otherwise send every unknown address to itself with a slash.
@bp.get("/<path:path>/", strict_slashes=False)
def trailing_slash(path: str):
    """308 to the address without its trailing slash (other OGC servers take it), else 404."""
    target = f"{bp.url_prefix}/{path}"
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _args = adapter.match(target, method=request.method)
    except HTTPException:  # no such address (or one that redirects itself)
        endpoint = None
    # Without its slash an unknown address comes here too, and matches only this rule.
    if endpoint in (None, request.endpoint):
        abort(404)
    # The query as sent (bytes the client percent-encoded), so nothing is re-encoded.
    query = request.query_string.decode("latin-1")
    return redirect(request.script_root + target + (f"?{query}" if query else ""), 308)


def _serve(name, endpoint):
    """Answer from the versioned cache, keyed by the endpoint and the whole query."""
    params = request.args.to_dict(flat=False)
    kind = name if isinstance(name, str) else name[0]
    # `f=` names the format whatever Accept says; without it, an Accept that allows none
    # of the endpoint's types is refused before the cache, whose key holds no Accept.
    named = ogc.named_format(params)
    if not named and errors.refuses(ogc.media_types(kind)):
        status, headers, body = ogc.not_acceptable(kind, i18n.said)
        refused = Response(body, status, headers)
        refused.vary.add("Accept")  # and the language, as every refusal (i18n._vary)
        return refused
    prefers_html = _prefers_html()
    lang = i18n.language()
    key_params = tuple(sorted((k, tuple(v)) for k, v in params.items()))

    def produce():
        # Built only on a miss: the page's words and links cost more than a cached answer.
        req = ogc.OGCRequest(
            # The base without a past state's parameters: links add them to their query.
            base=public_url(url_for("ogc.landing", **dict.fromkeys(STATE_PARAMS))).rstrip("/"),
            keep=known.link_args(),
            params=params,
            prefers_html=prefers_html,
            asset=asset_url,
            lang=lang,
            # The collections' titles and descriptions are English metadata in JSON; the
            # HTML pages show them in the reader's language.
            words=i18n.translated(_WORDS),
            languages=i18n.other_languages(),
            # A refusal says why in the reader's language, in JSON as on the error page.
            say=i18n.said,
        )
        answer = endpoint(req)
        if answer[0] >= 400 and ogc.asked_format(params, prefers_html) == "html":
            return _error_page(answer)
        return answer

    # Only validated answers are kept (respond() drops 400s), and the host is left out
    # once PUBLIC_URL is set, so made-up parameters or Host headers cannot fill the cache.
    # Unless `f=` names it, the format follows the Accept header (as does a refusal above):
    # shared caches must key on it. A page is worded in the reader's language; data is not.
    vary = () if named else ("Accept",)
    if ogc.asked_format(params, prefers_html) == "html":
        vary += i18n.VARY
    return respond(("ogc", name, host_key(), prefers_html, lang, key_params), produce, vary)


def html_asked() -> bool:
    """Whether this request asks for the HTML pages (f=html, or a browser without f=)."""
    return ogc.asked_format(request.args.to_dict(flat=False), _prefers_html()) == "html"


def _prefers_html() -> bool:
    return request.accept_mimetypes.best_match([ogc.JSON, ogc.GEOJSON, ogc.HTML]) == ogc.HTML


def _error_page(answer: ogc.Response) -> ogc.Response:
    """A refusal asked for as a page: the site's error page naming the rule, same status."""
    status, _headers, body = answer
    refusal = orjson.loads(body)
    page, status = errors.error_response(status, refusal["description"], refusal["code"])
    return status, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def _limits() -> ogc.Limits:
    return ogc.Limits(current_app.config["OGC_DEFAULT_LIMIT"], current_app.config["OGC_MAX_LIMIT"])


#: Each collection's title and description (catalogue messages: English in the JSON,
#: the reader's language on the HTML pages).
_TEXTS = {
    "sites": (
        N_("Sites: state at a date"),
        N_(
            "Every crossing side, town, garrison and zone with its controller and status "
            "at `datetime` (one instant; default today)."
        ),
    ),
    "periods": (
        N_("Control periods"),
        N_(
            "Who held each site during [start, end), with sources and confidence. "
            "`datetime` keeps the periods that meet the instant or interval."
        ),
    ),
    "events": (N_("Events"), N_("Dated incidents at one or more sites, with sources.")),
    "boundaries": (
        N_("Boundaries"),
        N_(
            "Countries (Natural Earth 1:10m, simplified), the Syria–Iraq border line and "
            "the al-Tanf 55 km zone. Timeless: `datetime` matches every feature."
        ),
    ),
}
#: Every word the HTML pages show (a queryables or schema page: each property's title).
_WORDS = (
    *ogc_html.WORDS,
    *(text for texts in _TEXTS.values() for text in texts),
    *cql.titles(),
)


def _catalog() -> dict[str, ogc.Collection]:
    """The four collections and the queries behind them."""
    geodata = current_app.config["GEODATA_DIR"]
    return {
        "sites": ogc.Collection(
            "sites",
            *_TEXTS["sites"],
            _sites,
            _site,
            lambda: features.extent("sites"),
            instant_only=True,
            **_filtering("sites", python=True),
        ),
        "periods": ogc.Collection(
            "periods",
            *_TEXTS["periods"],
            _paged("periods", features.periods),
            _by_id(features.periods),
            lambda: features.extent("periods"),
            **_filtering("periods"),
        ),
        "events": ogc.Collection(
            "events",
            *_TEXTS["events"],
            _paged("events", features.events),
            _by_id(features.events),
            lambda: features.extent("events"),
            **_filtering("events"),
        ),
        "boundaries": ogc.Collection(
            "boundaries",
            *_TEXTS["boundaries"],
            lambda q: _page(_kept(features.boundaries(geodata, q.bbox), q), q),
            lambda fid, _day: _find(features.boundaries(geodata), fid),
            lambda: features.boundaries_extent(geodata),
            **_filtering("boundaries", python=True),
        ),
    }


def _filtering(kind: str, python: bool = False) -> dict:
    """The collection's queryables and how its CQL2 filters compile (app.db.cql)."""
    compile_ = (
        (lambda node: cql.to_python(kind, node))
        if python
        else (lambda node: cql.to_sql(kind, node))
    )
    return {"queryables": cql.queryables(kind), "schema": cql.schema(kind), "compile": compile_}


def _kept(feats: list[dict], q: ogc.Query) -> list[dict]:
    """The features a Python-compiled filter keeps."""
    return feats if q.where is None else [f for f in feats if q.where(f)]


def _sites(q: ogc.Query) -> tuple[int, list[dict]]:
    """The state at the instant asked for (default today), as the map shows it."""
    day = (q.window[0] if q.window else None) or today()
    return _page(_kept(features.sites_at(day, q.bbox), q), q)


def _site(fid: str, day: dt.date | None) -> dict | None:
    return features.find("sites", fid, day or today())


def _paged(kind: str, fetch):
    """Counted, SQL-paged items for a table-backed collection."""

    def run(q: ogc.Query) -> tuple[int, list[dict]]:
        lo, hi = q.window or (None, None)
        f = Filters(lo=lo, hi=hi, bbox=q.bbox, where=q.where)
        return features.count(kind, f), fetch(f, q.limit, q.offset)

    return run


def _by_id(fetch):
    """Look one feature up by its record key (`features.periods` -> kind "periods")."""

    def run(fid: str, _day: dt.date | None = None) -> dict | None:
        return features.find(fetch.__name__, fid)

    return run


def _page(feats: list[dict], q: ogc.Query) -> tuple[int, list[dict]]:
    return len(feats), feats[q.offset : q.offset + q.limit]


def _find(feats: list[dict], fid: str) -> dict | None:
    return next((f for f in feats if str(f["id"]) == fid), None)
