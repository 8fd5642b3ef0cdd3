"""The pure OGC API core, called directly with plain values (pygeoapi style)."""

import dataclasses
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from app.ogc import core as ogc

BASE = "http://example.test/ogc"
D = dt.date


def _points(n):
    return [
        {
            "type": "Feature",
            "id": i,
            "properties": {"n": i, "name": f"<p{i}>"},
            "geometry": {"type": "Point", "coordinates": [40 + i / 10, 34]},
        }
        for i in range(n)
    ]


def _collection(cid="things", n=25, instant_only=False, seen=None):
    feats = _points(n)

    def query(q):
        if seen is not None:
            seen.append(q)
        keep = [
            f
            for f in feats
            if q.bbox is None or q.bbox[0] <= f["geometry"]["coordinates"][0] <= q.bbox[2]
        ]
        return len(keep), keep[q.offset : q.offset + q.limit]

    return ogc.Collection(
        cid,
        "Things",
        "Test things",
        query,
        lambda fid, _day=None: next((f for f in feats if str(f["id"]) == fid), None),
        lambda: ([40, 34, 43, 34], ["2011-01-01", None]),
        instant_only,
    )


def _catalog(**kw):
    c = _collection(**kw)
    return {c.id: c}


def _req(**params):
    return ogc.OGCRequest(BASE, {k: [v] for k, v in params.items()})


def _json(response, status=200):
    code, headers, body = response
    assert code == status, body
    return headers, orjson.loads(body)


def test_landing_links_the_api_conformance_and_collections():
    _, doc = _json(ogc.landing(_req()))
    rels = {link["rel"]: link for link in doc["links"]}
    assert rels["service-desc"]["href"] == BASE + "/api"
    assert rels["service-desc"]["type"] == ogc.OPENAPI
    assert rels["conformance"]["href"] == BASE + "/conformance"
    assert rels["data"]["href"] == BASE + "/collections"
    assert rels["self"]["type"] == "application/json"


def test_conformance_declares_part_1_part_3_and_basic_cql2():
    _, doc = _json(ogc.conformance(_req()))
    assert {c.rsplit("/", 1)[1] for c in doc["conformsTo"]} == {
        "core",
        "geojson",
        "html",
        "oas30",
        "queryables",
        "filter",
        "features-filter",
        "cql2-text",
        "cql2-json",
        "basic-cql2",
    }


def test_collections_describe_extent_crs_and_links():
    _, doc = _json(ogc.collections(_req(), _catalog()))
    (c,) = doc["collections"]
    assert c["itemType"] == "feature" and c["crs"] == [ogc.CRS84]
    assert c["extent"]["spatial"]["bbox"] == [[40, 34, 43, 34]]
    assert c["extent"]["temporal"]["interval"] == [["2011-01-01T00:00:00Z", None]]
    assert any(
        link["rel"] == "items" and link["href"] == BASE + "/collections/things/items"
        for link in c["links"]
    )


def test_items_page_counts_and_links():
    headers, doc = _json(
        ogc.items(_req(limit="10", offset="10"), _catalog(), "things", ogc.Limits())
    )
    assert headers["Content-Type"] == "application/geo+json"
    assert doc["numberMatched"] == 25 and doc["numberReturned"] == 10
    assert [f["id"] for f in doc["features"]] == list(range(10, 20))
    links = {link["rel"]: link["href"] for link in doc["links"]}
    assert "offset=20" in links["next"] and "offset=0" in links["prev"]
    assert "f=html" in links["alternate"]
    assert doc["timeStamp"].endswith("Z")


def test_last_page_has_no_next_and_first_no_prev():
    _, last = _json(ogc.items(_req(limit="10", offset="20"), _catalog(), "things", ogc.Limits()))
    _, first = _json(ogc.items(_req(limit="10"), _catalog(), "things", ogc.Limits()))
    assert "next" not in {link["rel"] for link in last["links"]}
    assert "prev" not in {link["rel"] for link in first["links"]}


def test_default_limit_comes_from_the_limits():
    seen = []
    catalog = {"things": _collection(seen=seen)}
    ogc.items(_req(), catalog, "things", ogc.Limits(default=7, maximum=9))
    assert seen[0].limit == 7


@pytest.mark.parametrize("raw", ["10", "11", "010", "99999999999", "9" * 5000])
def test_limit_above_the_maximum_is_capped_not_refused(raw):
    """/req/core/fc-limit-response-1: the server uses the maximum instead of failing."""
    seen = []
    catalog = {"things": _collection(seen=seen)}
    _, doc = _json(ogc.items(_req(limit=raw), catalog, "things", ogc.Limits(maximum=10)))
    assert seen[0].limit == 10 and doc["numberReturned"] == 10
    nxt = next(link["href"] for link in doc["links"] if link["rel"] == "next")
    query = parse_qs(urlsplit(nxt).query)
    assert (query["limit"], query["offset"]) == (["10"], ["10"])


def test_bbox_and_datetime_reach_the_query():
    seen = []
    catalog = {"things": _collection(seen=seen)}
    _json(
        ogc.items(
            _req(bbox="40,33,40.5,35", datetime="2014-06-01/2014-06-30"),
            catalog,
            "things",
            ogc.Limits(),
        )
    )
    assert seen[0].bbox == (40, 33, 40.5, 35)
    assert seen[0].window == (D(2014, 6, 1), D(2014, 7, 1))


@pytest.mark.parametrize(
    "text, window, instant",
    [
        ("2014-06-01", (D(2014, 6, 1), D(2014, 6, 2)), True),
        ("2014-06-01T00:00:00Z", (D(2014, 6, 1), D(2014, 6, 2)), True),
        ("2014-06-01T01:00:00+03:00", (D(2014, 5, 31), D(2014, 6, 1)), True),
        ("2014-06-01/2014-06-03", (D(2014, 6, 1), D(2014, 6, 4)), False),
        ("../2014-06-03", (None, D(2014, 6, 4)), False),
        ("2014-06-01/..", (D(2014, 6, 1), None), False),
        ("/2014-06-03", (None, D(2014, 6, 4)), False),
        ("9999-12-31", (D(9999, 12, 31), None), True),
        ("2014-06-01T", (D(2014, 6, 1), D(2014, 6, 2)), True),
        ("2014-06-01t00:00:00z", (D(2014, 6, 1), D(2014, 6, 2)), True),
        ("2014-06-01T23Z", (D(2014, 6, 1), D(2014, 6, 2)), True),
        ("2014-06-01T23:30-01:00", (D(2014, 6, 2), D(2014, 6, 3)), True),
        ("2014-06-01T00:00:00.123456+00:00", (D(2014, 6, 1), D(2014, 6, 2)), True),
        ("2015-01-01T/2016-01-01T", (D(2015, 1, 1), D(2016, 1, 2)), False),
        ("2015-01-01T00:00:00Z/..", (D(2015, 1, 1), None), False),
        ("../2016-01-01T", (None, D(2016, 1, 2)), False),
        ("2015-01-01/", (D(2015, 1, 1), None), False),
        ("/", (None, None), False),
        ("../..", (None, None), False),
    ],
)
def test_datetime_instants_and_intervals(text, window, instant):
    assert ogc.parse_datetime(text) == (window, instant)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"offset": "1000000000"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1e3"},
        {"offset": "-5"},
        {"offset": "x"},
        {"bbox": "1,2,3"},
        {"bbox": "1,2,3,4,5"},
        {"bbox": "1,2,3,4,5,6,7"},
        {"bbox": "0,0,5,1,1,4"},
        {"bbox": "-181,0,1,1"},  # "3,0,1,1" crosses the antimeridian: valid
        {"bbox": "0,3,1,1"},
        {"bbox": "a,b,c,d"},
        {"bbox": "0,0,nan,1"},
        {"bbox": "0,0,200,1"},
        {"bbox": ""},
        {"datetime": "2014-13-01"},
        {"datetime": "yesterday"},
        {"datetime": "2014-06-01T00:00"},
        {"datetime": "2014-06-01T00:00:00"},
        {"datetime": "2014-06-01TZ"},
        {"datetime": "2014-06-01/2014-06-02/"},
        {"filter": "actor ="},
        {"filter-lang": "cql2-text"},
        {"filter-lang": "ecql", "filter": "x = 1"},
        {"filter-crs": "EPSG:3857", "filter": "x = 1"},
        {"datetime": "2014-06-02/2014-06-01"},
        {"datetime": "a/b/c"},
        {"datetime": "2014-06-31T00:00:00Z"},
        {"datetime": "9999-12-31T23:00:00-12:00"},
        {"datetime": "0001-01-01T01:00:00+14:00/.."},
        {"f": "xml"},
        {"sortby": "name"},
        {"crs": ogc.CRS84},
    ],
)
def test_invalid_or_unknown_parameters_are_400_with_a_json_exception(params):
    status, headers, body = ogc.items(_req(**params), _catalog(), "things", ogc.Limits())
    doc = orjson.loads(body)
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert doc["code"] == "InvalidParameterValue"
    assert f"'{next(iter(params))}'" in doc["description"]


@pytest.mark.parametrize(
    "params, cid, message",
    [
        ({"limit": "abc"}, "things", "must be an integer of at least %(lo)s, not %(value)s"),
        ({"bbox": "1,2"}, "things", "must be four numbers minx,miny,maxx,maxy or six "),
        ({"datetime": "someday"}, "things", "%(text)s is not a date in the form YYYY-MM-DD"),
        ({"filter": "x ="}, "things", "is not valid cql2-text at character %(at)s: %(value)s"),
        ({}, "nope", "no collection '%(collection)s' (collections: %(collections)s)"),
    ],
)
def test_a_refusal_is_a_catalogue_message_the_request_says(params, cid, message):
    """The description is built from catalogue messages, worded by the request's `say` (the
    web layer's i18n.said); without one it is the English."""

    def say(phrase):
        problem = phrase.values.get("problem", phrase)
        return getattr(problem, "message", "")

    req = ogc.OGCRequest(BASE, {k: [v] for k, v in params.items()}, say=say)
    _status, _, body = ogc.items(req, _catalog(), cid, ogc.Limits())
    assert orjson.loads(body)["description"].startswith(message)
    english = orjson.loads(ogc.items(_req(**params), _catalog(), cid, ogc.Limits())[2])
    assert "%(" not in english["description"]


def test_repeated_parameter_is_400():
    req = ogc.OGCRequest(BASE, {"limit": ["1", "2"]})
    assert ogc.items(req, _catalog(), "things", ogc.Limits())[0] == 400


def test_instant_only_collection_refuses_intervals():
    status, _, body = ogc.items(
        _req(datetime="2014-01-01/.."), _catalog(instant_only=True), "things", ogc.Limits()
    )
    assert status == 400 and b"instant" in body


def test_unknown_collection_and_feature_are_404():
    assert _json(ogc.items(_req(), _catalog(), "nope", ogc.Limits()), 404)[1]["code"] == "NotFound"
    assert _json(ogc.item(_req(), _catalog(), "things", "999"), 404)[1]["code"] == "NotFound"
    assert _json(ogc.collection(_req(), _catalog(), "nope"), 404)[1]["code"] == "NotFound"


def test_single_item_has_links():
    _, doc = _json(ogc.item(_req(), _catalog(), "things", "3"))
    assert doc["id"] == 3 and doc["type"] == "Feature"
    assert {link["rel"] for link in doc["links"]} >= {"self", "alternate", "collection"}


@pytest.mark.parametrize(
    "call",
    [
        lambda r: ogc.landing(r),
        lambda r: ogc.collections(r, _catalog()),
        lambda r: ogc.items(r, _catalog(), "things", ogc.Limits()),
        lambda r: ogc.item(r, _catalog(), "things", "1"),
    ],
)
def test_html_output_is_escaped(call):
    status, headers, body = call(_req(f="html"))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<p1>" not in body


def test_html_when_the_client_prefers_it():
    req = ogc.OGCRequest(BASE, {}, prefers_html=True)
    assert ogc.landing(req)[1]["Content-Type"].startswith("text/html")


def test_openapi_document_describes_paths_and_limits():
    status, headers, body = ogc.api_document(_req(), _catalog(), ogc.Limits(5, 50))
    doc = orjson.loads(body)
    assert status == 200 and headers["Content-Type"] == ogc.OPENAPI
    assert doc["openapi"].startswith("3.0")
    assert "/collections/things/items" in doc["paths"]
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (5, 50)
    for path in doc["paths"].values():
        for ref in path["get"]["parameters"]:
            assert ref["$ref"].split("/")[-1] in doc["components"]["parameters"]


def _filtered(seen):
    """A collection whose compile step records the syntax tree and refuses 'bad'."""

    def compile_(node):
        if "bad" in repr(node):
            raise ValueError("'bad' is not a queryable")
        seen.append(node)
        return ("compiled", node)

    c = _collection()
    return {
        c.id: ogc.Collection(
            c.id,
            c.title,
            c.description,
            c.items,
            c.item,
            c.extent,
            queryables={"num": {"type": "integer"}},
            schema={"num": {"type": "integer"}, "name": {"type": "string"}},
            compile=compile_,
        )
    }


def test_filter_is_parsed_by_pygeofilter_and_compiled_by_the_collection():
    seen, queries = [], []
    catalog = _filtered(seen)
    inner = catalog["things"].items
    catalog["things"] = ogc.Collection(
        **{**catalog["things"].__dict__, "items": lambda q: queries.append(q) or inner(q)}
    )
    _json(ogc.items(_req(filter="num > 3 AND name = 'it''s'"), catalog, "things", ogc.Limits()))
    assert "it's" in repr(seen[0])  # the '' escape, decoded
    assert queries[0].where == ("compiled", seen[0])
    text = orjson.dumps({"op": ">", "args": [{"property": "num"}, 3]}).decode()
    _json(
        ogc.items(
            _req(filter=text, **{"filter-lang": "cql2-json"}), catalog, "things", ogc.Limits()
        )
    )
    assert repr(seen[1]) == repr(seen[0].lhs)


def test_a_filter_the_collection_refuses_is_400_naming_filter():
    status, _, body = ogc.items(_req(filter="bad = 1"), _filtered([]), "things", ogc.Limits())
    assert status == 400
    assert orjson.loads(body)["description"] == "parameter 'filter': 'bad' is not a queryable"


def test_queryables_and_schema_are_json_schemas():
    for endpoint, props in ((ogc.queryables, {"num"}), (ogc.schema, {"num", "name"})):
        headers, doc = _json(endpoint(_req(), _filtered([]), "things"))
        assert headers["Content-Type"] == "application/schema+json"
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert doc["$id"].startswith(BASE + "/collections/things/")
        assert set(doc["properties"]) == props
    html = ogc.schema(_req(f="html"), _filtered([]), "things")
    assert html[1]["Content-Type"].startswith("text/html") and b"integer" in html[2]


def test_collections_link_queryables_and_schema():
    _, doc = _json(ogc.collection(_req(), _catalog(), "things"))
    rels = {link["rel"]: link["href"] for link in doc["links"]}
    assert rels[ogc.REL_QUERYABLES] == BASE + "/collections/things/queryables"
    assert rels[ogc.REL_SCHEMA] == BASE + "/collections/things/schema"
    assert rels["describedby"] == BASE + "/collections/things/geojson-schema"


def test_the_described_by_schema_is_of_a_geojson_feature_holding_the_properties():
    """GDAL types its columns from `properties.properties` of the `describedby` schema."""
    catalog = _filtered([])
    headers, doc = _json(ogc.geojson_schema(_req(), catalog, "things"))
    _, flat = _json(ogc.schema(_req(), catalog, "things"))
    assert headers["Content-Type"] == "application/schema+json"
    assert doc["$schema"] == flat["$schema"] and doc["$id"].endswith("/things/geojson-schema")
    assert doc["type"] == "object" and set(doc["required"]) == {"type", "geometry", "properties"}
    assert doc["properties"]["type"] == {"type": "string", "enum": ["Feature"]}
    held = doc["properties"]["properties"]
    assert held["properties"] == flat["properties"] and held["additionalProperties"] is False
    page = ogc.geojson_schema(_req(f="html"), catalog, "things")
    assert page[1]["Content-Type"].startswith("text/html") and b"integer" in page[2]


def test_landing_links_the_readable_api_definition():
    _, doc = _json(ogc.landing(_req()))
    doc_link = next(link for link in doc["links"] if link["rel"] == "service-doc")
    assert doc_link["href"] == BASE + "/api?f=html" and doc_link["type"].startswith("text/html")
    status, headers, body = ogc.api_document(_req(f="html"), _catalog(), ogc.Limits())
    assert status == 200 and b'data-spec="http://example.test/ogc/api?f=json"' in body


@pytest.mark.parametrize(
    "call",
    [
        lambda r: ogc.landing(r),
        lambda r: ogc.conformance(r),
        lambda r: ogc.collections(r, _catalog()),
        lambda r: ogc.collection(r, _catalog(), "things"),
        lambda r: ogc.item(r, _catalog(), "things", "1"),
        lambda r: ogc.api_document(r, _catalog(), ogc.Limits()),
    ],
)
def test_metadata_endpoints_check_and_ignore_datetime_bbox_and_filter(call):
    ok = _req(datetime="2015-01-01T/2016-01-01T", bbox="1,2,3,4", filter="num = 1")
    assert call(ok)[0] == 200
    assert call(_req(datetime="soon"))[0] == 400
    assert call(_req(filter="num ="))[0] == 400
    assert call(_req(properties=" , "))[0] == 400


def test_six_number_bbox_drops_the_heights():
    seen = []
    catalog = {"things": _collection(seen=seen)}
    _json(ogc.items(_req(bbox="40,33,-10,40.5,35,10"), catalog, "things", ogc.Limits()))
    assert seen[0].bbox == (40, 33, 40.5, 35)


def _described(**kw):
    """A catalogue whose collection has a schema (the properties `properties` may name)."""
    coll = dataclasses.replace(
        _collection(**kw), schema={"n": {"type": "integer"}, "name": {"type": "string"}}
    )
    return {coll.id: coll}


def test_properties_keeps_only_the_named_ones_in_the_collections_order():
    catalog = _described()
    _, doc = _json(
        ogc.items(_req(properties="name, n,name", limit="2"), catalog, "things", ogc.Limits())
    )
    assert [list(f["properties"]) for f in doc["features"]] == [["n", "name"]] * 2
    _, doc = _json(ogc.items(_req(properties="name", limit="2"), catalog, "things", ogc.Limits()))
    feature = doc["features"][1]
    assert feature == {**_points(2)[1], "properties": {"name": "<p1>"}}
    nxt = next(link["href"] for link in doc["links"] if link["rel"] == "next")
    assert parse_qs(urlsplit(nxt).query)["properties"] == ["name"]
    # The collection's own features are left whole for the next request.
    _, whole = _json(ogc.items(_req(limit="2"), catalog, "things", ogc.Limits()))
    assert list(whole["features"][1]["properties"]) == ["n", "name"]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("name,colour,age", "no property 'age', 'colour' in 'things' (properties: n, name)"),
        ("", "name one or more properties"),
        (" , ", "name one or more properties"),
    ],
)
def test_properties_naming_none_or_an_unknown_one_is_400(raw, said):
    for answer in (
        ogc.items(_req(properties=raw), _described(), "things", ogc.Limits()),
        ogc.item(_req(properties=raw), _described(), "things", "1"),
    ):
        _, doc = _json(answer, 400)
        assert doc["description"].startswith("parameter 'properties': " + said)


def test_one_feature_keeps_the_named_properties_and_its_links_say_so():
    _, doc = _json(ogc.item(_req(properties="n"), _described(), "things", "3"))
    assert doc["properties"] == {"n": 3} and doc["id"] == 3
    self_link = next(link["href"] for link in doc["links"] if link["rel"] == "self")
    assert parse_qs(urlsplit(self_link).query)["properties"] == ["n"]


def test_the_api_definition_offers_properties_on_items():
    _, doc = _json(ogc.api_document(_req(), _catalog(), ogc.Limits()))
    items = doc["paths"]["/collections/things/items"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/properties"} in items
    param = doc["components"]["parameters"]["properties"]
    assert param["explode"] is False and param["schema"]["items"] == {"type": "string"}
