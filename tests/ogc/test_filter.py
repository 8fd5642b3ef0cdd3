"""CQL2 filters (Part 3) over HTTP on the seed data, checked against the rule written out in
Python on every feature: a comparison with a date window holds when some day of it does."""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest

D = dt.date.fromisoformat


def _get(client, path, status=200, **params):
    resp = client.get(f"{path}?{urlencode(params)}")
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


def _items(client, cid, **params):
    return _get(client, f"/ogc/collections/{cid}/items", limit=10000, **params)["features"]


def _ids(feats):
    return {f["id"] for f in feats}


def _day(props, name):
    return props[name] and D(props[name])


def _may(lo, hi, op, day):
    """Some day of [lo, hi] satisfies `op day`; None (absent bound) is unknown -> False."""
    if lo is None:
        return False
    return {
        "<": lo < day,
        "<=": lo <= day,
        ">": hi > day,
        ">=": hi >= day,
        "=": lo <= day <= hi,
        "<>": not (lo == hi == day),
    }[op]


@pytest.fixture
def seeded_client(read_only_seeded):
    """Every test here only reads, so the seed is loaded once for the module."""
    return read_only_seeded.test_client()


@pytest.fixture
def periods(seeded_client):
    return _items(seeded_client, "periods")


@pytest.mark.parametrize("side", ["start", "end"])
@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "=", "<>"])
@pytest.mark.parametrize("day", ["2014-06-01", "2015-05-21", "2017-01-15"])
def test_date_comparisons_keep_every_period_whose_window_may_match(
    seeded_client, periods, side, op, day
):
    expected = {
        f["id"]
        for f in periods
        if _may(
            _day(f["properties"], f"{side}_earliest"),
            _day(f["properties"], f"{side}_latest"),
            op,
            D(day),
        )
    }
    for literal in (f"DATE('{day}')", f"'{day}'", f"'{day}T'", f"TIMESTAMP('{day}T12:00:00Z')"):
        got = _items(seeded_client, "periods", filter=f"{side} {op} {literal}")
        assert _ids(got) == expected, literal


def test_a_window_matches_on_both_sides_of_a_day_inside_it(seeded_client, periods):
    """`start >= D` and `start <= D` both keep a start window that contains D."""
    windowed = [
        f
        for f in periods
        if f["properties"]["start_earliest"] != f["properties"]["start_latest"]
        and f["properties"]["start_earliest"]
    ]
    assert windowed, "the seed has start windows"
    p = windowed[0]["properties"]
    inside = p["start_earliest"]
    after = _ids(_items(seeded_client, "periods", filter=f"start >= DATE('{inside}')"))
    before = _ids(_items(seeded_client, "periods", filter=f"start <= DATE('{inside}')"))
    assert windowed[0]["id"] in after & before


def test_plain_properties_and_logic(seeded_client, periods):
    got = _items(
        seeded_client,
        "periods",
        filter="actor = 'isis' AND (country = 'SY' OR contested = true) AND NOT confidence = 'low'",
    )
    expected = {
        f["id"]
        for f in periods
        if f["properties"]["actor"] == "isis"
        and (f["properties"]["country"] == "SY" or f["properties"]["contested"])
        and f["properties"]["confidence"] != "low"
    }
    assert _ids(got) == expected and expected


@pytest.mark.parametrize("cid", ["periods", "events"])
def test_enumerated_values_compare_as_text_on_every_database(seeded_client, cid):
    every = _items(seeded_client, cid)
    assert _items(seeded_client, cid, filter="confidence = 'certain'") == []
    above = _items(seeded_client, cid, filter="confidence > 'low'")
    assert {f["id"] for f in above} == {
        f["id"] for f in every if f["properties"]["confidence"] > "low"
    }


def test_like_in_between_and_casei(seeded_client, periods):
    def kept(text):
        return _ids(_items(seeded_client, "periods", filter=text))

    assert kept("CASEI(actor) = CASEI('ISIS')") == kept("actor = 'isis'") != set()
    assert kept("actor IN ('isis', 'sdf')") == kept("actor = 'isis' OR actor = 'sdf'")
    assert kept("site LIKE 'al-%'") == {
        f["id"] for f in periods if f["properties"]["site"].startswith("al-")
    }
    assert kept("start BETWEEN DATE('2015-01-01') AND DATE('2015-12-31')") == kept(
        "start >= DATE('2015-01-01') AND start <= DATE('2015-12-31')"
    )


def test_is_null_finds_ongoing_and_open_periods(seeded_client, periods):
    ongoing = _items(seeded_client, "periods", filter="end IS NULL")
    assert _ids(ongoing) == {f["id"] for f in periods if f["properties"]["end_edtf"] is None}
    before = _items(seeded_client, "periods", filter="start IS NOT NULL")
    assert _ids(before) == {f["id"] for f in periods if f["properties"]["start_edtf"]}


def test_null_bounds_are_unknown_so_add_is_null_for_ongoing(seeded_client, periods):
    held = _ids(_items(seeded_client, "periods", filter="end > DATE('2024-01-01')"))
    with_ongoing = _ids(
        _items(seeded_client, "periods", filter="end > DATE('2024-01-01') OR end IS NULL")
    )
    ongoing = {f["id"] for f in periods if f["properties"]["end_edtf"] is None}
    assert not held & ongoing and with_ongoing == held | ongoing


def test_json_encoding_gives_the_same_answer_as_text(seeded_client):
    text = "actor = 'isis' AND start >= DATE('2015-01-01')"
    doc = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "actor"}, "isis"]},
            {"op": ">=", "args": [{"property": "start"}, {"date": "2015-01-01"}]},
        ],
    }
    a = _items(seeded_client, "periods", filter=text)
    b = _items(seeded_client, "periods", **{"filter": json.dumps(doc), "filter-lang": "cql2-json"})
    assert _ids(a) == _ids(b) and a


def _relation(lo, hi, a, b, rel):
    lo = lo or dt.date.min
    hi = hi or dt.date.max
    return {
        "t_intersects": lo <= b and hi >= a,
        "t_disjoint": not (lo <= b and hi >= a),
        "t_before": hi < a,
        "t_after": lo > b,
        "t_during": lo >= a and hi <= b,
    }[rel]


@pytest.mark.parametrize("rel", ["t_intersects", "t_before", "t_after", "t_during"])
@pytest.mark.parametrize("side", ["start", "end"])
def test_temporal_predicates_take_the_window_as_an_interval(seeded_client, periods, rel, side):
    a, b = D("2014-06-01"), D("2015-12-31")
    doc = {"op": rel, "args": [{"property": side}, {"interval": [str(a), str(b)]}]}
    got = _items(
        seeded_client, "periods", **{"filter": json.dumps(doc), "filter-lang": "cql2-json"}
    )
    # An absent start is before every day, an absent end after every day.
    none = dt.date.min if side == "start" else dt.date.max
    expected = {
        f["id"]
        for f in periods
        if _relation(
            _day(f["properties"], f"{side}_earliest") or none,
            _day(f["properties"], f"{side}_latest") or none,
            a,
            b,
            rel,
        )
    }
    assert _ids(got) == expected


def test_text_temporal_predicate_as_pygeofilter_reads_it(seeded_client, periods):
    got = _items(
        seeded_client,
        "periods",
        filter="start T_INTERSECTS INTERVAL('2015-01-01T00:00:00Z','2015-12-31T00:00:00Z')",
    )
    expected = _starts_meeting(periods, D("2015-01-01"), D("2015-12-31"))
    assert _ids(got) == expected and expected


def _starts_meeting(periods, a: dt.date, b: dt.date) -> set:
    """Periods whose start window meets the days [a, b] (an absent start is before all)."""
    return {
        f["id"]
        for f in periods
        if _relation(
            _day(f["properties"], "start_earliest") or dt.date.min,
            _day(f["properties"], "start_latest") or dt.date.min,
            a,
            b,
            "t_intersects",
        )
    }


@pytest.mark.parametrize("lo, hi", [(None, "2014-06-30"), ("2015-05-21", None), (None, None)])
def test_open_interval_ends_in_json_and_text(seeded_client, periods, lo, hi):
    """ ".." is an open end (CQL2), in JSON and in text, with dates as well as timestamps."""
    ends = [lo or "..", hi or ".."]
    doc = {"op": "t_intersects", "args": [{"property": "start"}, {"interval": ends}]}
    json_ids = _ids(
        _items(seeded_client, "periods", **{"filter": json.dumps(doc), "filter-lang": "cql2-json"})
    )
    text = f"T_INTERSECTS(start, INTERVAL('{ends[0]}', '{ends[1]}'))"
    infix = f"start T_INTERSECTS INTERVAL('{ends[0]}','{ends[1]}')"
    expected = _starts_meeting(periods, D(lo) if lo else dt.date.min, D(hi) if hi else dt.date.max)
    assert json_ids == expected and expected
    assert _ids(_items(seeded_client, "periods", filter=text)) == expected
    assert _ids(_items(seeded_client, "periods", filter=infix)) == expected


def test_cql2_forms_pygeofilter_reads_otherwise(seeded_client):
    """T_ predicates as functions, BETWEEN's three args in JSON, events by several sites."""

    def kept(cid, text, lang="cql2-text"):
        return _ids(_items(seeded_client, cid, **{"filter": text, "filter-lang": lang}))

    before_2015 = kept("periods", "end T_BEFORE DATE('2015-01-01')")
    assert kept("periods", "T_BEFORE(end, DATE('2015-01-01'))") == before_2015 != set()
    assert kept("periods", "end T_BEFORE (DATE('2015-01-01'))") == before_2015
    isis = kept("periods", "actor = 'isis'")
    assert kept("periods", "actor = 'isis' AND T_BEFORE(end, DATE('2015-01-01'))") == (
        isis & before_2015
    )
    between = {
        "op": "between",
        "args": [{"property": "start"}, {"date": "2015-01-01"}, {"date": "2015-12-31"}],
    }
    assert kept("periods", json.dumps(between), "cql2-json") == kept(
        "periods", "start BETWEEN DATE('2015-01-01') AND DATE('2015-12-31')"
    )
    linked_to_al = kept("events", "site LIKE 'al-%'")
    assert (
        linked_to_al
        == {
            f["id"]
            for f in _items(seeded_client, "events")
            if any(s.startswith("al-") for s in f["properties"]["sites"])
        }
        != set()
    )
    assert (
        kept("events", "site NOT LIKE 'al-%'")
        == _ids(_items(seeded_client, "events")) - linked_to_al
    )
    either = kept("events", "site IN ('al-qaim', 'albukamal')")
    assert either == kept("events", "site = 'al-qaim' OR site = 'albukamal'") != set()
    every = _ids(_items(seeded_client, "events"))
    unlinked = kept("events", "site IS NULL")
    assert unlinked == every - kept("events", "site IS NOT NULL") and unlinked != every


def test_like_is_case_sensitive_and_casei_is_not_on_every_collection(seeded_client):
    """CQL2 LIKE matches case (SQLite's LIKE does not: there it is GLOB); CASEI ignores it,
    on the SQL collections and on sites (filtered in Python) alike."""

    def kept(cid, text):
        return _ids(_items(seeded_client, cid, datetime="2015-08-01", filter=text))

    for cid, prop in (("periods", "site_name"), ("sites", "name")):
        assert kept(cid, f"{prop} LIKE 'al-%'") != set()
        assert kept(cid, f"{prop} LIKE 'AL-%'") == set()
        assert kept(cid, f"CASEI({prop}) = CASEI('AL-TANF')") == kept(cid, f"{prop} = 'al-Tanf'")
        lowered = kept(cid, f"CASEI({prop}) LIKE 'al-%'")
        assert kept(cid, f"CASEI({prop}) LIKE CASEI('AL-%')") == lowered != set()
        two = kept(cid, f"{prop} = 'al-Tanf' OR {prop} = 'Rabia'")
        assert kept(cid, f"CASEI({prop}) IN (CASEI('AL-TANF'), CASEI('rabia'))") == two != set()
        rest = kept(cid, f"CASEI({prop}) NOT IN (CASEI('AL-TANF'), 'rabia')")
        assert rest == kept(cid, f"{prop} IS NOT NULL") - two
        assert kept(cid, f"{prop} LIKE 'al-Tan_'") == kept(cid, f"{prop} = 'al-Tanf'") != set()
    assert kept("periods", "site_name LIKE 'al\\-%'") == kept("periods", "site_name LIKE 'al-%'")
    # A backslash before a wildcard makes it literal, in text as in JSON: no name has "al_".
    for pattern in ("al\\_%", "al\\%"):
        assert kept("periods", f"site_name LIKE '{pattern}'") == set()
        as_json = {"op": "like", "args": [{"property": "site_name"}, pattern]}
        json_kept = _items(
            seeded_client,
            "periods",
            datetime="2015-08-01",
            filter=json.dumps(as_json),
            **{"filter-lang": "cql2-json"},
        )
        assert _ids(json_kept) == set()
    assert kept("periods", "site_name LIKE 'al\\_Tanf'") == set()
    assert kept("periods", "site_name LIKE 'al\\\\_%'") == set()
    every = _items(seeded_client, "periods", datetime="2015-08-01")
    bracketed = {f["id"] for f in every if "[" in f["properties"]["note"]}
    assert kept("periods", "note LIKE '%[%'") == bracketed != set()


def test_filter_datetime_and_bbox_are_anded(seeded_client):
    both = _items(
        seeded_client,
        "periods",
        filter="actor = 'isis'",
        datetime="2015-08-01",
        bbox="38,33,39,34",
    )
    alone = _ids(_items(seeded_client, "periods", filter="actor = 'isis'"))
    at = _ids(_items(seeded_client, "periods", datetime="2015-08-01"))
    box = _ids(_items(seeded_client, "periods", bbox="38,33,39,34"))
    assert _ids(both) == alone & at & box


def test_events_by_date_window_and_site(seeded_client):
    events = _items(seeded_client, "events")
    got = _items(seeded_client, "events", filter="date >= DATE('2014-06-10') AND site = 'al-qaim'")
    expected = {
        f["id"]
        for f in events
        if D(f["properties"]["date_latest"]) >= D("2014-06-10")
        and "al-qaim" in f["properties"]["sites"]
    }
    assert _ids(got) == expected and expected


def test_sites_are_filtered_in_python_with_the_same_rules(seeded_client):
    every = _items(seeded_client, "sites", datetime="2015-08-01")
    got = _items(
        seeded_client,
        "sites",
        datetime="2015-08-01",
        filter="controller = 'isis' AND since < DATE('2015-06-01')",
    )
    expected = {
        f["id"]
        for f in every
        if f["properties"]["controller"] == "isis"
        and f["properties"]["since"]
        and D(f["properties"]["since"]) < D("2015-06-01")
    }
    assert _ids(got) == expected and expected
    unknown = _items(seeded_client, "sites", datetime="2015-08-01", filter="controller IS NULL")
    assert _ids(unknown) == {f["id"] for f in every if f["properties"]["controller"] is None}


def test_boundaries_filter_by_layer(seeded_client):
    got = _items(seeded_client, "boundaries", filter="layer = 'countries' AND iso_a2 = 'IQ'")
    assert _ids(got) == {"countries-iq"}


@pytest.mark.parametrize(
    "cid, params, rule",
    [
        ("periods", {"filter": "nope = 1"}, "unknown property 'nope'"),
        ("periods", {"filter": "start >= 'soon'"}, "'start' is a date"),
        ("periods", {"filter": "contested = 'yes'"}, "'contested' is true or false"),
        ("periods", {"filter": "actor = 3"}, "'actor' is text"),
        ("periods", {"filter": "S_INTERSECTS(geometry, BBOX(40,30,42,35))"}, "bbox parameter"),
        ("periods", {"filter": "start T_MEETS DATE('2015-01-01')"}, "T_MEETS is not supported"),
        ("periods", {"filter": "T_EQUALS(start, DATE('2015-01-01'))"}, "T_EQUALS is not supp"),
        ("periods", {"filter": "start > TIMESTAMP('2015-01-01T10:00:00')"}, "needs Z or an"),
        ("sites", {"filter": "since > TIMESTAMP('2015-01-01T10:00:00')"}, "needs Z or an"),
        ("events", {"filter": "CASEI(site) = 'x'"}, "'site' takes =, <>, LIKE, IN or IS NULL"),
        ("periods", {"filter": "start = end"}, "literal"),
        ("periods", {"filter": "actor = "}, "not valid cql2-text"),
        ("periods", {"filter": "{", "filter-lang": "cql2-json"}, "not JSON"),
        ("periods", {"filter": "actor = 'x'", "filter-lang": "ecql"}, "cql2-text or cql2-json"),
        ("periods", {"filter": "actor = 'x'", "filter-crs": "EPSG:4326"}, "CRS84"),
        ("sites", {"filter": "nope = 1"}, "unknown property 'nope'"),
        ("sites", {"filter": "since >= 'soon'"}, "'since' is a date"),
        ("events", {"filter": "site > 'a'"}, "'site' takes = or <>"),
        ("periods", {"filter": "start IN (DATE('2015-01-01'))"}, "T_ predicate"),
        ("periods", {"filter": "T_DURING(start)"}, "T_DURING takes two arguments"),
        ("periods", {"filter": '{"op": "=", "args": []}', "filter-lang": "cql2-json"}, "args"),
        (
            "periods",
            {
                "filter": '{"op": "in", "args": [{"property": "actor"}, "isis"]}',
                "filter-lang": "cql2-json",
            },
            "IN takes a list",
        ),
        (
            "periods",
            {"filter": '{"op": "casei", "args": ["x"]}', "filter-lang": "cql2-json"},
            "must be a condition",
        ),
    ],
)
def test_bad_filters_are_400_naming_the_parameter_and_the_rule(seeded_client, cid, params, rule):
    doc = _get(seeded_client, f"/ogc/collections/{cid}/items", 400, **params)
    assert doc["code"] == "InvalidParameterValue"
    assert "parameter 'filter" in doc["description"] and rule in doc["description"]


def test_queryables_are_a_json_schema(seeded_client):
    resp = seeded_client.get("/ogc/collections/periods/queryables")
    assert resp.mimetype == "application/schema+json"
    doc = resp.get_json()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == "http://localhost/ogc/collections/periods/queryables"
    assert doc["type"] == "object" and doc["additionalProperties"] is False
    start = doc["properties"]["start"]
    assert (start["title"], start["type"], start["format"]) == ("Start (window)", "string", "date")
    assert "some day of the window" in start["description"]
    assert "description" not in doc["properties"]["site"]
    assert doc["properties"]["contested"]["type"] == "boolean"


@pytest.mark.parametrize("cid", ["sites", "periods", "events", "boundaries"])
def test_the_schema_lists_every_property_served_with_its_type(seeded_client, cid):
    schema = _get(seeded_client, f"/ogc/collections/{cid}/schema")["properties"]
    params = {"datetime": "2015-08-01"} if cid == "sites" else {}
    for feature in _items(seeded_client, cid, **params):
        assert set(feature["properties"]) <= set(schema), cid
    dates = {k for k, v in schema.items() if v.get("format") == "date"}
    assert bool(dates) == (cid != "boundaries")


SY = {"op": "=", "args": [{"property": "country"}, "SY"]}


@pytest.mark.parametrize(
    "doc, keeps",
    [
        ({"op": "not", "args": [True]}, "none"),
        ({"op": "not", "args": [False]}, "all"),
        ({"op": "and", "args": [True, SY]}, "SY"),
        ({"op": "and", "args": [SY, False]}, "none"),
        ({"op": "or", "args": [False, False]}, "none"),
        ({"op": "or", "args": [SY, True]}, "all"),
        ({"op": "or", "args": [False, SY]}, "SY"),
        ({"op": "not", "args": [{"op": "and", "args": [True, SY]}]}, "IQ"),
    ],
)
@pytest.mark.parametrize("cid", ["sites", "periods"])
def test_boolean_literals_are_boolean_expressions_in_every_collection(
    seeded_client, cid, doc, keeps
):
    """A literal true/false is a CQL2 boolean expression: the sites collection (filtered in
    Python) answers it as the periods collection (filtered in SQL) does, never a 500."""
    every = _items(seeded_client, cid)
    countries = {f["id"]: f["properties"]["country" if cid == "sites" else "site"] for f in every}
    if cid == "periods":  # a period's country is its site's
        sites = {
            f["properties"]["slug"]: f["properties"]["country"]
            for f in _items(seeded_client, "sites")
        }
        countries = {fid: sites[slug] for fid, slug in countries.items()}
    expected = {
        "none": set(),
        "all": set(countries),
        "SY": {fid for fid, c in countries.items() if c == "SY"},
        "IQ": {fid for fid, c in countries.items() if c != "SY"},
    }[keeps]
    got = _items(seeded_client, cid, **{"filter-lang": "cql2-json", "filter": json.dumps(doc)})
    assert _ids(got) == expected
    assert keeps in ("none", "all") or expected and expected != set(countries)


@pytest.mark.parametrize(
    "doc",
    [
        {"op": "not", "args": ["x"]},
        {"op": "and", "args": [1, SY]},
        {"op": "or", "args": [SY, {"property": "country"}]},
    ],
)
@pytest.mark.parametrize("cid", ["sites", "periods"])
def test_a_literal_other_than_true_or_false_as_a_condition_is_400(seeded_client, cid, doc):
    got = _get(
        seeded_client,
        f"/ogc/collections/{cid}/items",
        400,
        **{"filter-lang": "cql2-json", "filter": json.dumps(doc)},
    )
    assert "parameter 'filter'" in got["description"] and "true or false" in got["description"]


CONTESTED = {"op": "=", "args": [{"property": "contested"}, True]}
#: CQL2 text and the CQL2 JSON it means: a boolean literal is a condition in either.
TEXT_AND_JSON = [
    ("NOT TRUE", {"op": "not", "args": [True]}),
    ("NOT FALSE", {"op": "not", "args": [False]}),
    ("not true", {"op": "not", "args": [True]}),
    ("NOT (TRUE)", {"op": "not", "args": [True]}),
    ("TRUE", True),
    ("(FALSE)", False),
    ("TRUE AND country = 'SY'", {"op": "and", "args": [True, SY]}),
    ("country = 'SY' AND FALSE", {"op": "and", "args": [SY, False]}),
    ("FALSE OR FALSE", {"op": "or", "args": [False, False]}),
    ("country = 'SY' OR TRUE", {"op": "or", "args": [SY, True]}),
    (
        "FALSE OR NOT FALSE AND country = 'SY'",
        {"op": "or", "args": [False, {"op": "and", "args": [{"op": "not", "args": [False]}, SY]}]},
    ),
    ("NOT (contested = TRUE)", {"op": "not", "args": [CONTESTED]}),
    ("NOT contested = TRUE", {"op": "not", "args": [CONTESTED]}),
    (
        "NOT (contested = FALSE) OR FALSE",
        {
            "op": "or",
            "args": [
                {"op": "not", "args": [{"op": "=", "args": [{"property": "contested"}, False]}]},
                False,
            ],
        },
    ),
]


@pytest.mark.parametrize("text, doc", TEXT_AND_JSON)
@pytest.mark.parametrize("cid", ["sites", "periods"])
def test_text_boolean_literals_are_conditions_as_in_json(seeded_client, cid, text, doc):
    """CQL2 text allows TRUE and FALSE wherever a condition goes, as CQL2 JSON does:
    `NOT TRUE` keeps nothing, `NOT FALSE` everything, on the collection filtered in Python
    (sites) and in SQL (periods) alike."""
    every = _ids(_items(seeded_client, cid))
    got = _ids(_items(seeded_client, cid, filter=text))
    expected = _ids(
        _items(seeded_client, cid, **{"filter-lang": "cql2-json", "filter": json.dumps(doc)})
    )
    assert got == expected
    if text.upper().replace("(", "").replace(")", "") in ("NOT TRUE", "FALSE"):
        assert got == set()
    if text.upper() in ("NOT FALSE", "TRUE"):
        assert got == every


@pytest.mark.parametrize("cid, at", [("sites", {"datetime": "2014-07-01"}), ("periods", {})])
def test_not_contested_keeps_the_uncontested(seeded_client, cid, at):
    every = _items(seeded_client, cid, **at)
    got = _ids(_items(seeded_client, cid, filter="NOT (contested = TRUE)", **at))
    assert got == {f["id"] for f in every if f["properties"]["contested"] is False}
    assert got and got != _ids(every)


LOW = {"op": "=", "args": [{"property": "confidence"}, "low"]}
#: NOT of a parenthesised AND or OR, NOT inside NOT, and AND binding tighter than OR (CQL2's
#: booleanExpression), as CQL2 text and as the CQL2 JSON it means.
GROUPS = [
    (
        "NOT (contested = true AND confidence = 'low')",
        {"op": "not", "args": [{"op": "and", "args": [CONTESTED, LOW]}]},
    ),
    (
        "NOT (contested = true OR confidence = 'low')",
        {"op": "not", "args": [{"op": "or", "args": [CONTESTED, LOW]}]},
    ),
    ("NOT (NOT (contested = true))", {"op": "not", "args": [{"op": "not", "args": [CONTESTED]}]}),
    (
        "NOT (NOT contested = true AND NOT (confidence = 'low'))",
        {
            "op": "not",
            "args": [
                {
                    "op": "and",
                    "args": [{"op": "not", "args": [CONTESTED]}, {"op": "not", "args": [LOW]}],
                }
            ],
        },
    ),
    (
        "confidence = 'low' OR contested = true AND confidence <> 'low'",
        {
            "op": "or",
            "args": [LOW, {"op": "and", "args": [CONTESTED, {"op": "not", "args": [LOW]}]}],
        },
    ),
]


def _contested_low(props) -> tuple[bool | None, bool | None]:
    """`contested = true` and `confidence = 'low'` of one feature (None: unknown)."""
    contested, confidence = props["contested"], props["confidence"]
    return (
        None if contested is None else contested is True,
        None if confidence is None else confidence == "low",
    )


#: Which features each of GROUPS keeps, written out in Python (None: unknown, dropped).
GROUP_RULES = [
    lambda c, low: c is False or low is False,
    lambda c, low: c is False and low is False,
    lambda c, low: c is True,
    lambda c, low: c is True or low is True,
    lambda c, low: low is True or (c is True and low is False),
]


@pytest.mark.parametrize("case", range(len(GROUPS)))
@pytest.mark.parametrize("cid, at", [("sites", {"datetime": "2014-07-01"}), ("periods", {})])
def test_not_negates_a_group_and_and_binds_tighter_than_or(seeded_client, cid, at, case):
    """`NOT (a AND b)`, `NOT (a OR b)` and `NOT (NOT a)` are CQL2 text: answered as their
    CQL2 JSON is and as the rule says, on the collection filtered in Python and in SQL."""
    text, doc = GROUPS[case]
    every = _items(seeded_client, cid, **at)
    got = _ids(_items(seeded_client, cid, filter=text, **at))
    as_json = {"filter-lang": "cql2-json", "filter": json.dumps(doc)}
    assert got == _ids(_items(seeded_client, cid, **as_json, **at))
    rule = GROUP_RULES[case]
    assert got == {f["id"] for f in every if rule(*_contested_low(f["properties"]))}
    assert got and got != _ids(every)


@pytest.mark.parametrize(
    "operand", ["(TRUE) = contested", "((TRUE)) = contested", "contested = (TRUE)"]
)
@pytest.mark.parametrize("cid, at", [("sites", {"datetime": "2014-07-01"}), ("periods", {})])
def test_a_parenthesised_boolean_operand_is_still_a_value(seeded_client, cid, at, operand):
    """TRUE in parentheses beside `=` is the value compared, as without them."""
    got = _ids(_items(seeded_client, cid, filter=operand, **at))
    assert got == _ids(_items(seeded_client, cid, filter="contested = TRUE", **at))
    assert got == {
        f["id"] for f in _items(seeded_client, cid, **at) if f["properties"]["contested"]
    }
    assert got
    flipped = operand.replace("TRUE", "FALSE").replace("=", "<>")
    assert _ids(_items(seeded_client, cid, filter=flipped, **at)) == got


@pytest.mark.parametrize(
    "text",
    [
        "contested = TRUE",  # an operand stays an operand
        "contested IN (TRUE)",
        "contested <> FALSE",
    ],
)
def test_boolean_operands_are_still_values(seeded_client, text):
    got = _ids(_items(seeded_client, "periods", filter=text))
    contested = {f["id"] for f in _items(seeded_client, "periods") if f["properties"]["contested"]}
    assert got == contested != set()


def test_what_not_negates_is_read_as_the_same_filter_outside_it(seeded_client):
    """Inside NOT, a LIKE's `_` is still one character and a quote written '' is still a
    quote, on the collection filtered in Python and in SQL alike."""
    sites = _ids(_items(seeded_client, "sites"))
    assert _ids(_items(seeded_client, "sites", filter="NOT name LIKE 'al-_anf'")) == sites - {
        "al-tanf"
    }
    periods = _items(seeded_client, "periods")
    qaim = {f["id"] for f in periods if f["properties"]["site"] == "al-qaim"}
    assert qaim
    for cid, everything, gone in (("periods", _ids(periods), qaim), ("sites", sites, {"al-qaim"})):
        name = "site_name" if cid == "periods" else "name"
        got = _ids(_items(seeded_client, cid, filter=f"NOT {name} = 'al-Qa''im'"))
        assert got == everything - gone, cid


@pytest.mark.parametrize("text, keeps", [("INCLUDE", "all"), ("EXCLUDE", "none")])
@pytest.mark.parametrize("cid", ["sites", "periods"])
def test_ecql_include_and_exclude_are_true_and_false(seeded_client, cid, text, keeps):
    """pygeofilter reads ECQL's INCLUDE and EXCLUDE too: TRUE and FALSE, not a 500."""
    every = _ids(_items(seeded_client, cid))
    assert _ids(_items(seeded_client, cid, filter=text)) == (every if keeps == "all" else set())


def test_a_filter_nested_too_deeply_is_refused_with_a_400(seeded_client):
    """However deep a filter nests, the answer is a 400 naming `filter`, never a 500; up to
    the limit it is read and answered."""
    from app.ogc.cql import MAX_DEPTH

    def nots(depth):
        return "NOT (" * depth + "actor = 'isis'" + ")" * depth

    def nested_json(depth):
        node = {"op": "=", "args": [{"property": "actor"}, "isis"]}
        for _ in range(depth):
            node = {"op": "not", "args": [node]}
        return json.dumps(node)

    # The comparison and its property count two levels of their own.
    fits = MAX_DEPTH - 2
    even = fits - fits % 2  # an even number of NOTs keeps what the comparison keeps
    isis = _ids(_items(seeded_client, "periods", filter="actor = 'isis'"))
    assert isis and _ids(_items(seeded_client, "periods", filter=nots(even))) == isis
    json_lang = {"filter-lang": "cql2-json"}
    assert _ids(_items(seeded_client, "periods", filter=nested_json(even), **json_lang)) == isis
    chain = " OR ".join(["actor = 'isis'"] * (MAX_DEPTH - 2))
    assert _ids(_items(seeded_client, "periods", filter=chain)) == isis
    for cid in ("periods", "sites", "events"):
        for params in (
            {"filter": nots(fits + 1)},
            {"filter": nots(500)},
            {"filter": nested_json(fits + 1), **json_lang},
            {"filter": nested_json(250), **json_lang},
            {"filter": " OR ".join(["actor = 'isis'"] * 300)},
        ):
            body = _get(seeded_client, f"/ogc/collections/{cid}/items", status=400, **params)
            assert "filter" in body["description"] and "deep" in body["description"]
