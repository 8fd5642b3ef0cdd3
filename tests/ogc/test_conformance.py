"""The requirements of every conformance class /ogc/conformance claims, one test each.

OGC API – Features Part 1 1.0 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 3 1.0 (Queryables,
Filter, Features Filter) and CQL2 1.0 (CQL2 Text, CQL2 JSON, Basic CQL2). Test names carry
the requirement's path (/req/core/fc-op -> test_req_core_fc_op). Requirements that only
apply to features a server does not offer (HTTPS, access control, other CRSs, functions)
are tested as "not offered" where that can be seen.
"""

import datetime as dt
import json
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from openapi_spec_validator import validate

from app.core import clock
from app.ogc import core as ogc

P1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
P3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
CLAIMED = {
    P1 + "core",
    P1 + "geojson",
    P1 + "html",
    P1 + "oas30",
    P3 + "queryables",
    P3 + "filter",
    P3 + "features-filter",
    CQL2 + "cql2-text",
    CQL2 + "cql2-json",
    CQL2 + "basic-cql2",
}
COLLECTIONS = ("sites", "periods", "events", "boundaries")


def _get(client, url, status=200, accept=None, **params):
    query = f"?{urlencode(params)}" if params else ""
    headers = {"Accept": accept} if accept else {}
    resp = client.get(url + query, headers=headers)
    assert resp.status_code == status, (url, params, resp.get_data(as_text=True)[:300])
    return resp


def _doc(client, url, **params):
    return _get(client, url, **params).get_json()


def _path(href):
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _rels(doc):
    return {link["rel"] for link in doc["links"]}


def _items(client, cid, **params):
    return _doc(client, f"/ogc/collections/{cid}/items", limit=10000, **params)["features"]


@pytest.fixture
def c(read_only_seeded):
    return read_only_seeded.test_client()


def test_conformance_claims_exactly_the_classes_walked_here(c):
    assert set(_doc(c, "/ogc/conformance")["conformsTo"]) == CLAIMED == set(ogc.CONFORMANCE)


# Part 1 – Core ------------------------------------------------------------------------
def test_req_core_http(c):
    """/req/core/http: HTTP 1.1 answers, conditional GETs included."""
    first = _get(c, "/ogc/collections")
    again = c.get("/ogc/collections", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_req_core_root_op(c):
    """/req/core/root-op: GET on the landing page."""
    assert _get(c, "/ogc/").status_code == 200


def test_req_core_root_success(c):
    """/req/core/root-success: links to the API definition, /conformance and /collections."""
    doc = _doc(c, "/ogc/")
    rels = {link["rel"]: link["href"] for link in doc["links"]}
    assert {"service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["conformance"].endswith("/ogc/conformance")
    assert rels["data"].endswith("/ogc/collections")


def test_req_core_api_definition_op(c):
    """/req/core/api-definition-op: the URL of service-desc answers a GET."""
    href = next(link["href"] for link in _doc(c, "/ogc/")["links"] if link["rel"] == "service-desc")
    assert _get(c, _path(href)).status_code == 200


def test_req_core_api_definition_success(c):
    """/req/core/api-definition-success: 200 with the API definition."""
    resp = _get(c, "/ogc/api")
    assert resp.headers["Content-Type"] == ogc.OPENAPI and resp.get_json()["openapi"]


def test_req_core_conformance_op(c):
    """/req/core/conformance-op: GET /conformance."""
    assert _get(c, "/ogc/conformance").status_code == 200


def test_req_core_conformance_success(c):
    """/req/core/conformance-success: conformsTo lists the Core class URI."""
    assert P1 + "core" in _doc(c, "/ogc/conformance")["conformsTo"]


def test_req_core_fc_md_op(c):
    """/req/core/fc-md-op: GET /collections."""
    assert _get(c, "/ogc/collections").status_code == 200


def test_req_core_fc_md_success(c):
    """/req/core/fc-md-success: the collections document (links, collections with ids)."""
    doc = _doc(c, "/ogc/collections")
    assert isinstance(doc["links"], list)
    assert [col["id"] for col in doc["collections"]] == list(COLLECTIONS)


def test_req_core_fc_md_links(c):
    """/req/core/fc-md-links: self and alternate, each with rel and type."""
    doc = _doc(c, "/ogc/collections")
    assert {"self", "alternate"} <= _rels(doc)
    assert all(link.get("rel") and link.get("type") for link in doc["links"])


def test_req_core_fc_md_items(c):
    """/req/core/fc-md-items: one entry per collection, each with an id and links."""
    for col in _doc(c, "/ogc/collections")["collections"]:
        assert col["id"] and col["links"]


def test_req_core_fc_md_items_links(c):
    """/req/core/fc-md-items-links: an `items` link per encoding (GeoJSON and HTML)."""
    for col in _doc(c, "/ogc/collections")["collections"]:
        types = {link["type"] for link in col["links"] if link["rel"] == "items"}
        assert {"application/geo+json", "text/html; charset=utf-8"} <= types
        assert all(link.get("rel") and link.get("type") for link in col["links"])


def test_req_core_fc_md_extent(c):
    """/req/core/fc-md-extent: the extent holds every geometry and every period."""
    for col in _doc(c, "/ogc/collections")["collections"]:
        minx, miny, maxx, maxy = col["extent"]["spatial"]["bbox"][0]
        params = {"datetime": "2015-08-01"} if col["id"] == "sites" else {}
        for f in _items(c, col["id"], **params):
            for x, y in _points(f["geometry"]):
                assert minx <= x <= maxx and miny <= y <= maxy, col["id"]
    lo, hi = _doc(c, "/ogc/collections/periods")["extent"]["temporal"]["interval"][0]
    for f in _items(c, "periods"):
        p = f["properties"]
        assert lo is None or (p["start_earliest"] and p["start_earliest"] >= lo[:10])
        assert hi is None or (p["end_latest"] and p["end_latest"] <= hi[:10])
    # sites: the days a state is answered for, the ends included, no day beyond them.
    lo, hi = _doc(c, "/ogc/collections/sites")["extent"]["temporal"]["interval"][0]
    first, last = dt.date.fromisoformat(lo[:10]), dt.date.fromisoformat(hi[:10])
    for day, ok in ((first, True), (last, True), (first - dt.timedelta(days=1), False)):
        got = c.get(f"/ogc/collections/sites/items?datetime={day}&limit=1")
        assert (got.status_code == 200) == ok, day
    assert last == clock.today()


def _points(geometry):
    """Every position of a geometry (none for a null geometry)."""

    def walk(coords):
        if isinstance(coords[0], (int, float)):
            return [coords]
        return [p for part in coords for p in walk(part)]

    return [] if geometry is None else walk(geometry["coordinates"])


def test_req_core_sfc_md_op(c):
    """/req/core/sfc-md-op: GET /collections/{id} for every collection id."""
    for cid in COLLECTIONS:
        assert _get(c, f"/ogc/collections/{cid}").status_code == 200
    assert _get(c, "/ogc/collections/nope", 404).get_json()["code"] == "NotFound"


def test_req_core_sfc_md_success(c):
    """/req/core/sfc-md-success: the same id, title, description and extent as /collections."""
    listed = {col["id"]: col for col in _doc(c, "/ogc/collections")["collections"]}
    for cid in COLLECTIONS:
        one = _doc(c, f"/ogc/collections/{cid}")
        for key in ("id", "title", "description", "extent"):
            assert one[key] == listed[cid][key]


def test_req_core_fc_op(c):
    """/req/core/fc-op: GET /collections/{id}/items for every collection."""
    for cid in COLLECTIONS:
        assert _get(c, f"/ogc/collections/{cid}/items").status_code == 200


def test_req_core_fc_limit_definition(c):
    """/req/core/fc-limit-definition: `limit` is an integer with minimum, maximum, default."""
    limit = _doc(c, "/ogc/api")["components"]["parameters"]["limit"]
    assert limit["in"] == "query" and limit["schema"]["type"] == "integer"
    assert {"minimum", "maximum", "default"} <= set(limit["schema"])


def test_req_core_fc_limit_response_1(c, monkeypatch):
    """/req/core/fc-limit-response-1: never more features than `limit`, nor the maximum; a
    larger `limit` is no error, the maximum is used instead."""
    for n in (1, 3):
        assert len(_doc(c, "/ogc/collections/periods/items", limit=n)["features"]) == n
    maximum = _doc(c, "/ogc/api")["components"]["parameters"]["limit"]["schema"]["maximum"]
    doc = _doc(c, "/ogc/collections/periods/items", limit=maximum + 1)
    assert doc["numberReturned"] == len(doc["features"]) <= maximum
    # The seed is smaller than the maximum: lower it to see the capped page and its `next`.
    monkeypatch.setitem(c.application.config, "OGC_MAX_LIMIT", 3)
    doc = _doc(c, "/ogc/collections/periods/items", limit=4)
    assert doc["numberReturned"] == len(doc["features"]) == 3 < doc["numberMatched"]
    after = next(link["href"] for link in doc["links"] if link["rel"] == "next")
    again = _doc(c, _path(after))
    assert "limit=3" in after and again["numberReturned"] == 3
    assert not {f["id"] for f in again["features"]} & {f["id"] for f in doc["features"]}
    _get(c, "/ogc/collections/periods/items", 400, limit=0)
    _get(c, "/ogc/collections/periods/items", 400, limit="4.0")


def test_req_core_fc_bbox_definition(c):
    """/req/core/fc-bbox-definition: four or six numbers, CRS84, as the definition says."""
    bbox = _doc(c, "/ogc/api")["components"]["parameters"]["bbox"]
    assert (bbox["in"], bbox["style"], bbox["explode"], bbox["required"]) == (
        "query", "form", False, False
    )  # fmt: skip
    schema = bbox["schema"]
    assert (schema["type"], schema["minItems"], schema["maxItems"]) == ("array", 4, 6)
    assert schema["items"]["type"] == "number"
    four = _items(c, "periods", bbox="40.5,34,41.5,35")
    six = _items(c, "periods", bbox="40.5,34,-100,41.5,35,100")
    assert four == six and four
    _get(c, "/ogc/collections/periods/items", 400, bbox="40.5,34,41.5")


def test_req_core_fc_bbox_response(c):
    """/req/core/fc-bbox-response: only features inside, and (C) features without a geometry."""
    inside = _items(c, "events", bbox="40.5,34,41.5,35")
    nowhere = [f for f in _items(c, "events") if f["geometry"] is None]
    assert nowhere, "the seed has events without a place"
    assert {f["id"] for f in nowhere} <= {f["id"] for f in inside}
    for f in inside:
        if f["geometry"] is not None:
            assert any(40.5 <= x <= 41.5 and 34 <= y <= 35 for x, y in _points(f["geometry"]))


def test_req_core_fc_time_definition(c):
    """/req/core/fc-time-definition: instants and bounded / half-bounded intervals."""
    for value in ("2015-08-01", "2015-08-01T00:00:00Z", "2015-01-01/2015-12-31", "../2015-01-01",
                  "2015-01-01/..", "/2015-01-01", "2015-01-01/"):  # fmt: skip
        _get(c, "/ogc/collections/periods/items", datetime=value)


def test_req_core_fc_time_response(c):
    """/req/core/fc-time-response: only periods whose possible span meets the interval."""
    for f in _items(c, "periods", datetime="2015-01-01/2015-12-31"):
        p = f["properties"]
        assert p["start_earliest"] is None or p["start_earliest"] <= "2015-12-31"
        assert p["end_latest"] is None or p["end_latest"] > "2015-01-01"
    # C: features without a temporal geometry match (boundaries are timeless).
    assert len(_items(c, "boundaries", datetime="2015-01-01")) == len(_items(c, "boundaries"))


def test_req_core_fc_response(c):
    """/req/core/fc-response: 200 with the features selected, and only those."""
    feats = _items(c, "periods", filter="actor = 'isis'")
    assert feats and {f["properties"]["actor"] for f in feats} == {"isis"}


def test_req_core_fc_links(c):
    """/req/core/fc-links: self and alternate on every page."""
    doc = _doc(c, "/ogc/collections/periods/items", limit=5)
    assert {"self", "alternate", "next"} <= _rels(doc)


def test_req_core_fc_rel_type(c):
    """/req/core/fc-rel-type: every link has rel and type."""
    for url in ("/ogc/", "/ogc/collections/periods", "/ogc/collections/periods/items"):
        assert all(link.get("rel") and link.get("type") for link in _doc(c, url)["links"])


def test_req_core_fc_timestamp(c):
    """/req/core/fc-timeStamp: timeStamp is the time of the response (RFC 3339)."""
    assert _doc(c, "/ogc/collections/periods/items")["timeStamp"].endswith("Z")


def test_req_core_fc_numbermatched(c):
    """/req/core/fc-numberMatched: the number of features that match, over all pages."""
    doc = _doc(c, "/ogc/collections/periods/items", limit=5)
    assert doc["numberMatched"] == len(_items(c, "periods"))


def test_req_core_fc_numberreturned(c):
    """/req/core/fc-numberReturned: the number of features in this page."""
    doc = _doc(c, "/ogc/collections/periods/items", limit=5)
    assert doc["numberReturned"] == len(doc["features"]) == 5


def test_req_core_f_op(c):
    """/req/core/f-op: GET /collections/{id}/items/{featureId}."""
    for cid in COLLECTIONS:
        params = {"datetime": "2015-08-01"} if cid == "sites" else {}
        fid = _doc(c, f"/ogc/collections/{cid}/items", limit=1, **params)["features"][0]["id"]
        assert _get(c, f"/ogc/collections/{cid}/items/{fid}").status_code == 200


def test_req_core_f_success(c):
    """/req/core/f-success: 200 with the feature."""
    f = _items(c, "events")[0]
    assert _doc(c, f"/ogc/collections/events/items/{f['id']}")["properties"] == f["properties"]


def test_req_core_f_links(c):
    """/req/core/f-links: self, alternate and collection, with rel and type."""
    f = _items(c, "events")[0]
    doc = _doc(c, f"/ogc/collections/events/items/{f['id']}")
    assert {"self", "alternate", "collection"} <= _rels(doc)
    assert all(link.get("rel") and link.get("type") for link in doc["links"])


def test_req_core_crs84(c):
    """/req/core/crs84: geometries in CRS84 (lon/lat within range; the sites are in Syria and
    Iraq, so longitude is the larger number)."""
    for f in _items(c, "periods"):
        lon, lat = f["geometry"]["coordinates"]
        assert 35 < lon < 49 and 29 < lat < 38


def test_req_core_query_param_unknown(c):
    """/req/core/query-param-unknown: 400 for a parameter not in the API definition."""
    for url in ("/ogc/", "/ogc/collections", "/ogc/collections/periods/items"):
        assert _get(c, url, 400, sortby="x").get_json()["code"] == "InvalidParameterValue"


def test_req_core_query_param_invalid(c):
    """/req/core/query-param-invalid: 400 for an invalid value."""
    for params in ({"limit": "x"}, {"bbox": "1,2"}, {"datetime": "soon"}, {"filter": "a ="}):
        _get(c, "/ogc/collections/periods/items", 400, **params)


# Part 1 – GeoJSON ---------------------------------------------------------------------
def test_req_geojson_definition(c):
    """/req/geojson/definition: application/geo+json for features, application/json else."""
    assert _get(c, "/ogc/collections/periods/items").mimetype == "application/geo+json"
    fid = _items(c, "events")[0]["id"]
    assert _get(c, f"/ogc/collections/events/items/{fid}").mimetype == "application/geo+json"
    for url in ("/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/periods"):
        assert _get(c, url).mimetype == "application/json"


def test_req_geojson_content(c):
    """/req/geojson/content: a FeatureCollection / Feature with `links` as a foreign member."""
    doc = _doc(c, "/ogc/collections/periods/items", limit=2)
    assert doc["type"] == "FeatureCollection" and doc["links"]
    for f in doc["features"]:
        assert f["type"] == "Feature" and "properties" in f and "geometry" in f
    one = _doc(c, f"/ogc/collections/periods/items/{doc['features'][0]['id']}")
    assert one["type"] == "Feature" and one["links"]


# Part 1 – HTML ------------------------------------------------------------------------
class _Anchors(HTMLParser):
    """The page's doctype, its <a> hrefs and the files its <script> and <link> load."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.loads, self.doctype = [], [], None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs.get("href"))
        elif tag in ("script", "link") and (attrs.get("src") or attrs.get("href")):
            self.loads.append(attrs.get("src") or attrs.get("href"))


def _html_urls(c):
    fid = _items(c, "events")[0]["id"]
    return [
        "/ogc/",
        "/ogc/conformance",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/periods",
        "/ogc/collections/periods/items",
        f"/ogc/collections/events/items/{fid}",
        "/ogc/collections/periods/queryables",
        "/ogc/collections/periods/schema",
    ]


def test_req_html_definition(c):
    """/req/html/definition: every 200-response is also offered as text/html."""
    for url in _html_urls(c):
        assert _get(c, url, f="html").mimetype == "text/html"
        assert _get(c, url, accept="text/html").mimetype == "text/html"


def test_req_html_content(c):
    """/req/html/content: an HTML 5 document with every link of the JSON as an <a>."""
    for url in _html_urls(c):
        if url == "/ogc/api":
            continue  # Swagger UI renders the definition; tested in test_req_oas30_oas_definition_1
        parser = _Anchors()
        parser.feed(_get(c, url, f="html").get_data(as_text=True))
        assert parser.doctype.lower() == "doctype html"
        json_doc = _doc(c, url)
        for link in json_doc.get("links", []):
            assert link["href"] in parser.hrefs or link["rel"] == "self", (url, link)


# Part 1 – OpenAPI 3.0 -----------------------------------------------------------------
def test_req_oas30_oas_definition_1(c):
    """/req/oas30/oas-definition-1: JSON with the OpenAPI media type, and an HTML version."""
    assert _get(c, "/ogc/api").headers["Content-Type"] == ogc.OPENAPI
    page = _get(c, "/ogc/api", f="html")
    text = page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    assert "<script>" not in text  # the CSP forbids inline scripts: the start-up is a file
    parser = _Anchors()
    parser.feed(text)
    assets = [_path(url) for url in parser.loads if urlsplit(url).path.startswith("/static/")]
    # The app's own script may be its minified copy (app/web/assets.py).
    names = {a.rsplit("/", 1)[1].split("?")[0].replace(".min.", ".") for a in assets}
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-init.js"} <= names
    for asset in assets:  # vendored, served offline: every one must be there
        with c.get(asset) as resp:
            assert resp.status_code == 200 and resp.content_length != 0, asset


def test_req_oas30_oas_definition_2(c):
    """/req/oas30/oas-definition-2: the JSON is valid OpenAPI 3.0."""
    validate(_doc(c, "/ogc/api"))


def test_req_oas30_completeness(c):
    """/req/oas30/completeness: every status code the server uses is in the definition."""
    for path in _doc(c, "/ogc/api")["paths"].values():
        assert {"200", "304", "400"} <= set(path["get"]["responses"])
    paths = _doc(c, "/ogc/api")["paths"]
    assert "404" in paths["/collections/periods/items/{featureId}"]["get"]["responses"]


def test_req_oas30_exceptions_codes(c):
    """/req/oas30/exceptions-codes: errors are JSON exceptions with a code."""
    doc = _get(c, "/ogc/collections/nope/items", 404).get_json()
    assert doc["code"] and doc["description"]


def test_req_oas30_oas_impl(c):
    """/req/oas30/oas-impl: every path and parameter in the definition works."""
    doc = _doc(c, "/ogc/api")
    for path, item in doc["paths"].items():
        if "{featureId}" in path:
            continue  # test_req_core_f_op
        names = [p["$ref"].rsplit("/", 1)[1] for p in item["get"]["parameters"]]
        assert "f" in names
        _get(c, "/ogc" + path.rstrip("/") or "/ogc/", f="json")


def test_req_oas30_security(c):
    """/req/oas30/security: nothing is access-controlled, so no security scheme is needed."""
    assert "securitySchemes" not in _doc(c, "/ogc/api")["components"]
    assert _get(c, "/ogc/collections/periods/items").status_code == 200  # no credentials


# Part 3 – Queryables ------------------------------------------------------------------
def test_req_queryables_get_queryables_op(c):
    """/req/queryables/get-queryables-op: GET with application/schema+json."""
    for cid in COLLECTIONS:
        assert _get(c, f"/ogc/collections/{cid}/queryables").mimetype == "application/schema+json"


def test_req_queryables_get_queryables_response(c):
    """/req/queryables/get-queryables-response: $schema, $id, type object, typed properties,
    temporal ones as strings with format date, additionalProperties stated."""
    for cid in COLLECTIONS:
        doc = _doc(c, f"/ogc/collections/{cid}/queryables")
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert doc["$id"] == f"http://localhost/ogc/collections/{cid}/queryables"
        assert doc["type"] == "object" and doc["additionalProperties"] is False
        for prop in doc["properties"].values():
            assert prop["type"] in ("string", "boolean", "number", "integer")
    assert _doc(c, "/ogc/collections/periods/queryables")["properties"]["start"]["format"] == "date"


def test_req_queryables_queryables_link(c):
    """/req/queryables/queryables-link: each collection links its queryables."""
    for col in _doc(c, "/ogc/collections")["collections"]:
        href = next(link["href"] for link in col["links"] if link["rel"] == ogc.REL_QUERYABLES)
        assert _get(c, _path(href)).status_code == 200


def test_req_queryables_expression_construction(c):
    """/req/queryables/expression-construction: only queryables may be used (others: 400)."""
    doc = _get(c, "/ogc/collections/periods/items", 400, filter="sources = 'x'").get_json()
    assert "unknown property 'sources'" in doc["description"]


# Part 3 – Filter and Features Filter --------------------------------------------------
def _item_params(c, cid="periods"):
    doc = _doc(c, "/ogc/api")
    path = doc["paths"][f"/collections/{cid}/items"]["get"]["parameters"]
    names = [p["$ref"].rsplit("/", 1)[1] for p in path]
    return {n: doc["components"]["parameters"][n] for n in names}


def test_req_filter_filter_param(c):
    """/req/filter/filter-param: a string parameter `filter` on the items path."""
    assert _item_params(c)["filter"]["schema"]["type"] == "string"


def test_req_filter_filter_lang_param(c):
    """/req/filter/filter-lang-param: enum of the encodings, default cql2-text."""
    schema = _item_params(c)["filter-lang"]["schema"]
    assert schema["enum"][:2] == ["cql2-text", "cql2-json"] and schema["default"] == "cql2-text"
    plain = _items(c, "periods", filter="actor = 'isis'")
    text = _items(c, "periods", **{"filter": "actor = 'isis'", "filter-lang": "cql2-text"})
    draft = _items(c, "periods", **{"filter": "actor = 'isis'", "filter-lang": "cql-text"})
    assert plain == text == draft and schema["enum"][2:] == ["cql-text"]


def test_req_filter_filter_crs_wgs84(c):
    """/req/filter/filter-crs-wgs84: geometries in a filter are CRS84 (the only CRS), and
    filter-crs accepts CRS84 and refuses others."""
    crs = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    _get(c, "/ogc/collections/periods/items", filter="actor = 'isis'", **{"filter-crs": crs})
    _get(c, "/ogc/collections/periods/items", 400, filter="actor = 'isis'", **{"filter-crs": "x"})


def test_req_filter_mixing_expressions(c):
    """/req/filter/mixing-expressions: bbox, datetime and filter are joined with AND."""
    both = _items(c, "periods", filter="actor = 'isis'", datetime="2015-08-01")
    alone = {f["id"] for f in _items(c, "periods", filter="actor = 'isis'")}
    at = {f["id"] for f in _items(c, "periods", datetime="2015-08-01")}
    assert {f["id"] for f in both} == alone & at


def test_req_filter_response(c):
    """/req/filter/response: an item is in the result exactly when the filter is TRUE."""
    every = _items(c, "periods")
    kept = _items(c, "periods", filter="confidence = 'high'")
    assert {f["id"] for f in kept} == {
        f["id"] for f in every if f["properties"]["confidence"] == "high"
    }


def test_req_features_filter_filter_param(c):
    """/req/features-filter/filter-param: `filter` on /collections/{id}/items of every one."""
    for cid in COLLECTIONS:
        assert "filter" in _item_params(c, cid)


def test_req_features_filter_filter_lang_param(c):
    """/req/features-filter/filter-lang-param: `filter-lang` on every items path."""
    for cid in COLLECTIONS:
        assert "filter-lang" in _item_params(c, cid)


def test_req_features_filter_get_queryables_op(c):
    """/req/features-filter/get-queryables-op: /collections/{id}/queryables for every id."""
    for col in _doc(c, "/ogc/collections")["collections"]:
        assert _get(c, f"/ogc/collections/{col['id']}/queryables").status_code == 200


def test_req_features_filter_queryables_link(c):
    """/req/features-filter/queryables-link: the ogc-rel:queryables link on each collection."""
    for cid in COLLECTIONS:
        assert ogc.REL_QUERYABLES in _rels(_doc(c, f"/ogc/collections/{cid}"))


def test_req_features_filter_response(c):
    """/req/features-filter/response: filter AND bbox AND datetime; 400 for bad values."""
    both = _items(c, "events", filter="confidence = 'high'", bbox="40,33,42,35")
    high = {f["id"] for f in _items(c, "events", filter="confidence = 'high'")}
    box = {f["id"] for f in _items(c, "events", bbox="40,33,42,35")}
    assert {f["id"] for f in both} == high & box
    for params in ({"filter": "confidence ="}, {"filter": "x", "filter-lang": "cql"}):
        _get(c, "/ogc/collections/events/items", 400, **params)


# CQL2 ---------------------------------------------------------------------------------
def test_req_basic_cql2_cql2_filter(c):
    """/req/basic-cql2/cql2-filter: AND, OR, NOT and parentheses over comparisons."""
    every = _items(c, "periods")
    got = _items(c, "periods", filter="NOT (country = 'IQ') AND (actor = 'isis' OR actor = 'sdf')")
    assert {f["id"] for f in got} == {
        f["id"]
        for f in every
        if f["properties"]["country"] != "IQ" and f["properties"]["actor"] in ("isis", "sdf")
    }


@pytest.mark.parametrize("op", ["=", "<>", "<", "<=", ">", ">="])
def test_req_basic_cql2_binary_comparison_predicate(c, op):
    """/req/basic-cql2/binary-comparison-predicate: the six operators on text and dates."""
    import operator

    fn = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, "<=": operator.le,
          ">": operator.gt, ">=": operator.ge}[op]  # fmt: skip
    every = _items(c, "periods")
    got = _items(c, "periods", filter=f"site {op} 'al-tanf'")
    assert {f["id"] for f in got} == {
        f["id"] for f in every if fn(f["properties"]["site"], "al-tanf")
    }
    exact = _items(c, "periods", filter=f"start_earliest {op} DATE('2015-05-21')")
    assert {f["id"] for f in exact} == {
        f["id"]
        for f in every
        if f["properties"]["start_earliest"] is not None
        and fn(f["properties"]["start_earliest"], "2015-05-21")
    }


def test_req_basic_cql2_null_predicate(c):
    """/req/basic-cql2/null-predicate: IS NULL / IS NOT NULL, and NOT of NULL is NULL."""
    every = _items(c, "periods")
    assert {f["id"] for f in _items(c, "periods", filter="challenger IS NULL")} == {
        f["id"] for f in every if f["properties"]["challenger"] is None
    }
    # A comparison with a missing value is NULL, and so is its negation: neither keeps it.
    yes = {f["id"] for f in _items(c, "periods", filter="challenger = 'isis'")}
    no = {f["id"] for f in _items(c, "periods", filter="NOT (challenger = 'isis')")}
    nulls = {f["id"] for f in every if f["properties"]["challenger"] is None}
    assert not (yes | no) & nulls


def test_req_basic_cql2_property(c):
    """/req/basic-cql2/property: names are queryables; each evaluates to its value."""
    for name in _doc(c, "/ogc/collections/periods/queryables")["properties"]:
        _get(c, "/ogc/collections/periods/items", filter=f"{name} IS NULL")
    _get(c, "/ogc/collections/periods/items", 400, filter="nope IS NULL")


def test_req_cql2_text_basic_cql2(c):
    """/req/cql2-text/basic-cql2: text filters, booleans and dates and timestamps included."""
    for text in ("contested = TRUE", "contested = false", "start > DATE('2015-01-01')",
                 "end <= TIMESTAMP('2016-01-01T00:00:00Z')", "actor<>'isis'"):  # fmt: skip
        _get(c, "/ogc/collections/periods/items", filter=text)


def test_req_cql2_text_escaping(c):
    """/req/cql2-text/escaping: '' and backslash escapes in character literals."""
    every = _items(c, "periods")
    with_quote = next(f for f in every if "'" in f["properties"]["note"])
    note = with_quote["properties"]["note"]
    for literal in ("'" + note.replace("'", "''") + "'", "'" + note.replace("'", "\\'") + "'"):
        got = _items(c, "periods", filter=f"note = {literal}")
        assert with_quote["id"] in {f["id"] for f in got}


def test_req_cql2_json_basic_cql2(c):
    """/req/cql2-json/basic-cql2: the same filters as JSON give the same answers."""
    doc = {
        "op": "and",
        "args": [
            {"op": "not", "args": [{"op": "=", "args": [{"property": "country"}, "IQ"]}]},
            {"op": ">=", "args": [{"property": "start"}, {"date": "2015-01-01"}]},
            {"op": "isNull", "args": [{"property": "challenger"}]},
        ],
    }
    text = "NOT (country = 'IQ') AND start >= DATE('2015-01-01') AND challenger IS NULL"
    as_json = _items(c, "periods", **{"filter": json.dumps(doc), "filter-lang": "cql2-json"})
    assert as_json == _items(c, "periods", filter=text) and as_json
