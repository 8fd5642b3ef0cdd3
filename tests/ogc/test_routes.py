"""The OGC API over HTTP on the seed data: same answers as the map, paging, filters."""

import datetime as dt
import html
import re
from urllib.parse import urlsplit

import pytest

from app.core import bounds, timeline


@pytest.fixture
def seeded_client(read_only_seeded):
    """Every test here only reads, so the seed is loaded once for the module."""
    return read_only_seeded.test_client()


def _get(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


def _walk(client, url):
    """Every feature, following next links."""
    seen = []
    while url:
        doc = _get(client, url)
        seen += doc["features"]
        nxt = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        url = None
        if nxt:
            parts = urlsplit(nxt[0])
            url = f"{parts.path}?{parts.query}"
    return seen


def _period(props):
    def bound(text):
        return bounds.parse(text) if text else None

    return timeline.Period(bound(props["start_edtf"]), bound(props["end_edtf"]))


def test_landing_without_trailing_slash_is_served(seeded_client):
    resp = seeded_client.get("/ogc")
    assert resp.status_code == 200 and resp.mimetype == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/conformance/",
        "/ogc/collections/",
        "/ogc/collections/sites/",
        "/ogc/collections/sites/items/",
        "/ogc/collections/sites/items/al-tanf/",
    ],
)
def test_a_trailing_slash_redirects_to_the_address_without_it(seeded_client, path):
    """A client that adds a slash (other OGC servers accept it) is sent on, query kept."""
    resp = seeded_client.get(f"{path}?f=json&lang=en")
    assert resp.status_code == 308
    assert resp.headers["Location"] == f"{path.rstrip('/')}?f=json&lang=en"
    assert seeded_client.get(resp.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "path", ["/ogc/nothing/", "/ogc/collections/sites/nothing/", "/ogc/api/x/"]
)
def test_a_trailing_slash_on_no_address_is_404(seeded_client, path):
    assert seeded_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/sites/items?datetime=",
        "/ogc/collections/periods/items?datetime=",
        "/ogc/collections/sites/items/al-qaim?datetime=",
        "/ogc/collections?datetime=",
    ],
)
def test_an_empty_datetime_is_400_naming_it(seeded_client, url):
    body = _get(seeded_client, url, 400)
    assert body["code"] == "InvalidParameterValue"
    assert body["description"].startswith("parameter 'datetime': ")


def test_collections_list_the_four(seeded_client):
    doc = _get(seeded_client, "/ogc/collections")
    assert [c["id"] for c in doc["collections"]] == ["sites", "periods", "events", "boundaries"]


def test_paging_walks_every_period_once(seeded_client, seed_data):
    feats = _walk(seeded_client, "/ogc/collections/periods/items?limit=7")
    ids = [f["id"] for f in feats]
    assert len(ids) == len(set(ids)) == len(seed_data["periods"])


def test_sites_at_an_instant_match_the_map_api(seeded_client):
    ogc = _get(seeded_client, "/ogc/collections/sites/items?datetime=2015-08-01")
    api = _get(seeded_client, "/api/sites.geojson?date=2015-08-01")
    assert [f["properties"] for f in ogc["features"]] == [f["properties"] for f in api["features"]]
    assert all("last_verified" in f["properties"] for f in ogc["features"])
    schema = _get(seeded_client, "/ogc/collections/sites/schema")
    assert schema["properties"]["last_verified"]["format"] == "date"


def test_periods_at_an_instant_are_those_the_map_shows(seeded_client):
    ogc = _get(seeded_client, "/ogc/collections/periods/items?datetime=2015-08-01")
    api = _get(seeded_client, "/api/sites.geojson?date=2015-08-01")
    shown = {f["properties"]["period_id"] for f in api["features"]} - {None}
    assert {f["id"] for f in ogc["features"]} == shown


@pytest.mark.parametrize(
    "interval, lo, hi",
    [
        ("2014-06-01/2014-06-30", dt.date(2014, 6, 1), dt.date(2014, 7, 1)),
        ("../2012-12-31", None, dt.date(2013, 1, 1)),
        ("2024-12-08/..", dt.date(2024, 12, 8), None),
    ],
)
def test_periods_in_an_interval_are_exactly_those_meeting_it(seeded_client, interval, lo, hi):
    everything = _get(seeded_client, "/ogc/collections/periods/items?limit=1000")
    window = timeline.Period(lo, hi)
    expected = {
        f["id"]
        for f in everything["features"]
        if timeline.overlaps(_period(f["properties"]), window)
    }
    got = _get(seeded_client, f"/ogc/collections/periods/items?datetime={interval}")
    assert {f["id"] for f in got["features"]} == expected
    assert got["numberMatched"] == len(expected) > 0


def test_bbox_keeps_only_periods_at_sites_inside(seeded_client):
    doc = _get(seeded_client, "/ogc/collections/periods/items?bbox=40.5,34,41.5,35")
    assert doc["features"]
    for f in doc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 40.5 <= lon <= 41.5 and 34 <= lat <= 35


@pytest.mark.parametrize("collection", ["periods", "sites", "events", "boundaries"])
def test_a_bbox_across_the_antimeridian_is_the_two_boxes_either_side(seeded_client, collection):
    """OGC API – Features: a bbox whose minx is east of its maxx crosses the antimeridian.
    From 41°E eastwards round the world to 40.9°E: everything but a strip at 40.9–41°E."""
    url = f"/ogc/collections/{collection}/items?limit=1000"
    every = _get(seeded_client, url)["features"]
    across = _get(seeded_client, url + "&bbox=41,-90,40.9,90")["features"]
    strip = _get(seeded_client, url + "&bbox=40.9001,-90,40.9999,90")["features"]
    placed = {f["id"] for f in every if f["geometry"] is not None}
    assert {f["id"] for f in across} | {f["id"] for f in strip} >= placed
    assert {f["id"] for f in across} < {f["id"] for f in every} or collection == "boundaries"
    assert _get(seeded_client, url + "&bbox=170,30,-170,40")["numberReturned"] == len(
        [f for f in every if f["geometry"] is None]
    )


def test_events_filter_by_datetime(seeded_client):
    doc = _get(seeded_client, "/ogc/collections/events/items?datetime=2014-06-01/2014-06-30")
    assert doc["features"]
    for f in doc["features"]:
        p = f["properties"]
        # The event's days: its date window, to its end date when it has one.
        last = max(p["date_latest"], p["end"] or p["date_latest"])
        assert p["date"] <= "2014-06-30" and last >= "2014-06-01"
    every = _get(seeded_client, "/ogc/collections/events/items?limit=1000")["features"]
    expected = {
        f["id"]
        for f in every
        if f["properties"]["date"] <= "2014-06-30"
        and max(f["properties"]["date_latest"], f["properties"]["end"] or "") >= "2014-06-01"
    }
    assert {f["id"] for f in doc["features"]} == expected


def test_bbox_keeps_events_without_a_place(seeded_client):
    """/req/core/fc-bbox-response C: features without a geometry match any bbox."""
    every = _get(seeded_client, "/ogc/collections/events/items?limit=1000")["features"]
    boxed = _get(seeded_client, "/ogc/collections/events/items?limit=1000&bbox=0,0,1,1")
    assert {f["id"] for f in boxed["features"]} == {f["id"] for f in every if f["geometry"] is None}


def test_a_page_past_the_end_links_back_to_the_last_page_with_features(seeded_client):
    matched = _get(seeded_client, "/ogc/collections/periods/items?limit=1")["numberMatched"]
    past = _get(seeded_client, "/ogc/collections/periods/items?limit=10&offset=1000")
    assert past["features"] == [] and "next" not in {link["rel"] for link in past["links"]}
    (prev,) = [link["href"] for link in past["links"] if link["rel"] == "prev"]
    assert f"offset={matched - 10}" in prev
    where = urlsplit(prev)
    last = _get(seeded_client, f"{where.path}?{where.query}")
    assert last["numberReturned"] == 10


def test_one_site_is_refused_an_interval_as_its_collection_is(seeded_client):
    """A site is the state at an instant: an interval is a 400, not today's state."""
    for interval in ("2015-01-01/2016-01-01", "../2016-01-01", "2015-06-01/2015-06-01"):
        one = seeded_client.get(f"/ogc/collections/sites/items/al-tanf?datetime={interval}")
        every = seeded_client.get(f"/ogc/collections/sites/items?datetime={interval}")
        assert one.status_code == every.status_code == 400, interval
        assert "one instant" in one.get_json()["description"]
    held = _get(seeded_client, "/ogc/collections/sites/items/al-tanf?datetime=2015-06-01")
    assert held["properties"]["controller"] == "isis"


def test_metadata_urls_accept_and_check_what_gdal_repeats(seeded_client):
    period = _get(seeded_client, "/ogc/collections/periods/items?limit=1")["features"][0]["id"]
    urls = [
        "/ogc/",
        "/ogc/api",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/periods",
        "/ogc/collections/periods/queryables",
        "/ogc/collections/periods/schema",
        "/ogc/collections/periods/geojson-schema",
        f"/ogc/collections/periods/items/{period}",
    ]
    for url in urls:
        ok = seeded_client.get(url + "?datetime=2015-01-01T/2016-01-01T&bbox=40,30,42,35")
        assert ok.status_code == 200, url
        assert seeded_client.get(url + "?datetime=soon").status_code == 400, url
    same_twice = "/ogc/collections/periods/items?datetime=2015-06-01&datetime=2015-06-01"
    assert seeded_client.get(same_twice).status_code == 200
    differing = "/ogc/collections/periods/items?datetime=2015-06-01&datetime=2015-06-02"
    assert seeded_client.get(differing).status_code == 400


def test_html_pages_have_a_viewport_the_site_styles_and_no_inline_script(seeded_client):
    for url in ("/ogc/?f=html", "/ogc/collections/periods/items?f=html", "/ogc/api?f=html"):
        resp = seeded_client.get(url)
        html = resp.get_data(as_text=True)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert re.search(r"/static/css/app(\.min)?\.css", html)
        assert re.search(r"/static/css/ogc(\.min)?\.css", html)
        assert "<script>" not in html and "style=" not in html
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]


def test_boundaries_hold_countries_border_and_zone(seeded_client):
    doc = _get(seeded_client, "/ogc/collections/boundaries/items")
    layers = {f["properties"]["layer"] for f in doc["features"]}
    assert layers == {"countries", "border", "zone"}
    iraq = _get(seeded_client, "/ogc/collections/boundaries/items/countries-iq")
    assert iraq["properties"]["name"] == "Iraq"


def test_single_items_by_id(seeded_client):
    period = _get(seeded_client, "/ogc/collections/periods/items?limit=1")["features"][0]
    again = _get(seeded_client, f"/ogc/collections/periods/items/{period['id']}")
    assert again["properties"] == period["properties"]
    assert _get(seeded_client, "/ogc/collections/sites/items/al-tanf")["id"] == "al-tanf"


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/nope",
        "/ogc/collections/nope/items",
        "/ogc/collections/periods/items/abc",
        "/ogc/collections/periods/items/99999999999",
        "/ogc/collections/sites/items/nowhere",
        "/ogc/collections/events/items/0",
    ],
)
def test_missing_things_are_404_json(seeded_client, url):
    assert _get(seeded_client, url, 404)["code"] in ("NotFound", "Not Found")


def test_openapi_is_served_with_its_media_type(seeded_client):
    resp = seeded_client.get("/ogc/api")
    assert resp.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert resp.get_json()["servers"] == [{"url": "http://localhost/ogc"}]


def test_browsers_get_html(seeded_client):
    resp = seeded_client.get("/ogc/collections", headers={"Accept": "text/html"})
    assert resp.mimetype == "text/html" and b"Control periods" in resp.data


@pytest.mark.parametrize(
    "url, status, words",
    [
        ("/ogc/collections/sites/items?f=html&datetime=someday", 400, "datetime"),
        ("/ogc/collections/nope/items?f=html", 404, "nope"),
        ("/ogc/collections/periods/items?f=html&rev=x", 400, "rev"),  # refused before the API
        ("/ogc/nowhere?f=html", 404, "Page not found"),
    ],
)
def test_a_refusal_asked_as_html_is_a_page_naming_the_rule(seeded_client, url, status, words):
    """A reader browsing the HTML pages gets the site's error page, not a JSON document;
    a program gets the JSON exception, the same status either way."""
    page = seeded_client.get(url)
    assert (page.status_code, page.mimetype) == (status, "text/html")
    assert words in page.get_data(as_text=True) and "<title>" in page.get_data(as_text=True)
    browser = seeded_client.get(url.replace("f=html", "lang=en"), headers={"Accept": "text/html"})
    assert (browser.status_code, browser.mimetype) == (status, "text/html")
    program = seeded_client.get(url.replace("f=html", "f=json"), headers={"Accept": "text/html"})
    assert (program.status_code, program.mimetype) == (status, "application/json")
    assert program.get_json()["code"] in ("InvalidParameterValue", "NotFound")


#: Each kind of refusal: its URL, status, exception code, and what the description quotes
#: as typed (the parameter or collection named, the reader's own value).
_REFUSALS = [
    ("/ogc/collections/periods/items?limit=abc", 400, "InvalidParameterValue", "'limit'", "'abc'"),
    (
        "/ogc/collections/periods/items?filter=foo%3D",
        400,
        "InvalidParameterValue",
        "'filter'",
        "foo=",
    ),
    (
        "/ogc/collections/periods/items?filter=nosuch%3D1",
        400,
        "InvalidParameterValue",
        "'filter'",
        "'nosuch'",
    ),
    ("/ogc/collections/nope", 404, "NotFound", "'nope'", "sites, periods"),
    (
        "/ogc/collections/periods/items?datetime=someday",
        400,
        "InvalidParameterValue",
        "'datetime'",
        "'someday'",
    ),
    (
        "/ogc/collections/periods/items?bbox=1,2,3",
        400,
        "InvalidParameterValue",
        "'bbox'",
        "'1,2,3'",
    ),
    (
        "/ogc/collections/periods/items?bbox=10,40,20,30",
        400,
        "InvalidParameterValue",
        "'bbox'",
        "90",
    ),
]
_ARABIC = re.compile("[\u0600-\u06ff]")


def _said(client, url: str, status: int, **headers) -> str:
    """The description of a refusal asked as a page: the text under the page's title."""
    resp = client.get(url, headers=headers)
    assert (resp.status_code, resp.mimetype) == (status, "text/html")
    found = re.search(r"</h1>\s*<p>(.*?)</p>", resp.get_data(as_text=True), re.S)
    assert found, resp.get_data(as_text=True)
    return html.unescape(found.group(1))


@pytest.mark.parametrize("url, status, code, name, typed", _REFUSALS)
def test_a_refusal_says_why_in_the_readers_language(seeded_client, url, status, code, name, typed):
    """Arabic readers get the rule in Arabic on the page and in the JSON exception, the
    parameter's name and their own value as typed; the exception code stays the OGC one."""
    fresh = seeded_client.application.test_client()  # no `lang` cookie
    join = "&" if "?" in url else "?"
    arabic = _said(fresh, f"{url}{join}f=html&lang=ar", status)
    assert _ARABIC.search(arabic) and name in arabic and typed in arabic, arabic
    doc = _get(fresh, f"{url}{join}f=json&lang=ar", status)
    assert doc == {"code": code, "description": arabic}
    picked = fresh.get(url, headers={"Accept-Language": "ar"})  # the language the site picks
    assert picked.status_code == status and picked.get_json()["description"] == arabic
    assert {"Accept-Language", "Cookie"} <= set(picked.vary)  # worded by them
    english = _get(fresh, url, status)
    assert english["code"] == code and not _ARABIC.search(english["description"])
    assert name in english["description"] and typed in english["description"]
    assert _said(fresh, f"{url}{join}f=html&lang=en", status) == english["description"]


def test_items_are_conditional(seeded_client):
    first = seeded_client.get("/ogc/collections/periods/items?limit=5")
    again = seeded_client.get(
        "/ogc/collections/periods/items?limit=5", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(
    "query, vary",
    [
        ("", "Accept-Encoding, Accept"),  # the format follows the Accept header
        ("&f=", "Accept-Encoding, Accept"),  # so it does with an empty f=
        ("&f=json", "Accept-Encoding"),  # the query names it
    ],
)
def test_answers_whose_format_follows_accept_say_so_in_vary(seeded_client, query, vary):
    url = f"/ogc/collections/periods/items?limit=2{query}"
    first = seeded_client.get(url, headers={"Accept": "application/geo+json"})
    assert first.status_code == 200 and first.headers["Vary"] == vary
    again = seeded_client.get(
        url, headers={"Accept": "application/geo+json", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.headers["Vary"] == vary
    page = seeded_client.get(url, headers={"Accept": "text/html"})
    assert page.headers["Vary"].startswith(vary)
    assert (page.mimetype == "text/html") == (query != "&f=json")
    assert len(page.headers.getlist("Vary")) == 1


@pytest.mark.parametrize("accept", ["text/html", "application/geo+json"])
def test_a_refusal_whose_format_follows_accept_says_so_in_vary(seeded_client, accept):
    for url in ("/ogc/collections/periods/items?limit=zero", "/ogc/collections/nowhere/items"):
        resp = seeded_client.get(url, headers={"Accept": accept})
        assert resp.status_code in (400, 404)
        assert "Accept" in resp.headers["Vary"] and len(resp.headers.getlist("Vary")) == 1
    named = seeded_client.get("/ogc/collections/periods/items?limit=zero&f=json")
    # Not by Accept, but worded in the reader's language (by Accept-Language or the cookie).
    assert named.status_code == 400 and set(named.vary) == {"Accept-Language", "Cookie"}


@pytest.mark.parametrize(
    "url", ["/ogc/?f=html", "/ogc/collections/sites/items?f=html&limit=2", "/ogc/api?f=html"]
)
def test_html_pages_take_lang_and_switch_to_the_other_language(seeded_client, url):
    resp = seeded_client.get(url + "&lang=ar")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert "lang=ar" in resp.headers["Set-Cookie"]  # remembered, as on every page
    path, query = url.split("?")
    back = f'href="{path}?{query.replace("&", "&amp;")}&amp;lang=en" lang="en" hreflang="en">'
    assert back + "English</a>" in html
    english = seeded_client.get(url + "&lang=en").get_data(as_text=True)
    assert 'lang="ar" hreflang="ar">العربية</a>' in english


def test_lang_leaves_the_data_as_it_is(seeded_client):
    url = "/ogc/collections/periods/items?limit=3&f=json"
    arabic, english = _get(seeded_client, url + "&lang=ar"), _get(seeded_client, url)
    assert arabic["features"] == english["features"] and arabic["features"]


def test_every_path_of_the_api_definition_takes_lang_known_and_rev(seeded_client):
    doc = _get(seeded_client, "/ogc/api")
    for path, spec in doc["paths"].items():
        names = {p["$ref"].rsplit("/", 1)[1] for p in spec["get"]["parameters"]}
        assert {"f", "lang", "known", "rev"} <= names, path
    assert doc["components"]["parameters"]["lang"]["schema"]["enum"] == ["en", "ar"]


def test_english_metadata_and_data_keep_their_own_direction_in_arabic(seeded_client):
    collections = seeded_client.get("/ogc/collections?f=html&lang=ar").get_data(as_text=True)
    assert collections.count('<h2 dir="auto">') == collections.count("<section>") > 0
    assert collections.count('<p dir="auto">') == collections.count("<section>")
    items = seeded_client.get("/ogc/collections/sites/items?f=html&lang=ar").get_data(as_text=True)
    assert '<td dir="auto">معبر القائم الحدودي</td>' in items
    assert "True</td>" not in items and '<td dir="auto" class="key">true</td>' in items
    # Swagger UI's own controls are English: laid out left to right in any interface.
    api = seeded_client.get("/ogc/api?f=html&lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in api
    assert '<div id="swagger-ui" lang="en" dir="ltr"' in api


def test_html_pages_word_the_apis_own_metadata_in_the_readers_language(seeded_client):
    landing = seeded_client.get("/ogc/?f=html&lang=ar").get_data(as_text=True)
    assert "من سيطر على كل منفذ حدودي بين سوريا والعراق، ومتى." in landing
    assert ">توثيق الواجهة البرمجية</a>" in landing
    collections = seeded_client.get("/ogc/collections?f=html&lang=ar").get_data(as_text=True)
    assert ">المواقع: الحال في تاريخ</a>" in collections and ">الحدود</a>" in collections
    assert "Sites: state at a date" not in collections
    # The JSON documents stay as they are, in any language.
    doc = _get(seeded_client, "/ogc/collections?f=json&lang=ar")
    assert {c["title"] for c in doc["collections"]} >= {"Sites: state at a date", "Boundaries"}


def test_a_site_at_an_instant_is_the_state_of_that_day(seeded_client):
    """items/{id}?datetime=D: the feature as items?datetime=D has it, its links keep D."""
    items = _get(seeded_client, "/ogc/collections/sites/items?datetime=2015-08-01&limit=100")
    then = next(f for f in items["features"] if f["id"] == "al-tanf")
    one = _get(seeded_client, "/ogc/collections/sites/items/al-tanf?datetime=2015-08-01")
    assert one["properties"] == then["properties"] and one["properties"]["controller"] == "isis"
    assert all("datetime=2015-08-01" in li["href"] for li in one["links"] if li["rel"] == "self")
    now = _get(seeded_client, "/ogc/collections/sites/items/al-tanf")
    assert now["properties"]["controller"] != "isis"


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/sites/items?datetime=2099-01-01",
        "/ogc/collections/sites/items?datetime=1900-01-01",
        "/ogc/collections/sites/items/al-tanf?datetime=2099-01-01",
    ],
)
def test_a_state_outside_the_record_is_refused(seeded_client, url):
    doc = _get(seeded_client, url, 400)
    assert doc["code"] == "InvalidParameterValue" and "2011-01-01" in doc["description"]


def test_the_html_table_reads_as_the_json_and_links_each_feature(seeded_client):
    """A handover's parts by name (not a Python dict), sources as links to their pages,
    each id a link to the feature at the same instant."""
    url = "/ogc/collections/sites/items?f=html&datetime=2024-12-10&limit=100"
    page = seeded_client.get(url).get_data(as_text=True)
    data = _get(seeded_client, url.replace("f=html", "f=json"))
    moving = next(f for f in data["features"] if f["properties"]["transition"])
    assert "{&#x27;" not in page and "{'" not in page
    assert f"from: {moving['properties']['transition']['from']}" in page
    cited = {s["url"] for f in data["features"] for s in f["properties"]["sources"]}
    linked = set(re.findall(r'<a href="(https?://[^"]+)">', page))
    assert cited and {html.unescape(u) for u in linked} >= cited
    href = html.unescape(
        re.search(r'<td class="key"><a href="([^"]+/items/al-tanf[^"]*)">al-tanf</a>', page)[1]
    )
    assert "datetime=2024-12-10" in href and "f=html" in href
    one = seeded_client.get(href)
    assert one.status_code == 200 and one.mimetype == "text/html"


#: Every endpoint of the API, and the media type of its JSON.
ENDPOINTS = {
    "/ogc/": "application/json",
    "/ogc/conformance": "application/json",
    "/ogc/api": "application/vnd.oai.openapi+json;version=3.0",
    "/ogc/collections": "application/json",
    "/ogc/collections/periods": "application/json",
    "/ogc/collections/periods/queryables": "application/schema+json",
    "/ogc/collections/periods/schema": "application/schema+json",
    "/ogc/collections/periods/geojson-schema": "application/schema+json",
    "/ogc/collections/periods/items?limit=2": "application/geo+json",
    "/ogc/collections/sites/items/al-tanf": "application/geo+json",
}


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "accept", ["application/xml", "text/plain, application/xml;q=0.5", "text/html;q=0, */*;q=0"]
)
def test_an_accept_that_allows_nothing_served_is_406_naming_what_is(seeded_client, path, accept):
    """Part 1 permits 406: a client that can read none of the types gets none, told which
    there are; `f=` still names the format whatever Accept says."""
    resp = seeded_client.get(path, headers={"Accept": accept})
    assert (resp.status_code, resp.mimetype) == (406, "application/json")
    doc = resp.get_json()
    assert doc["code"] == "NotAcceptable"
    for media in (ENDPOINTS[path], "application/json", "text/html"):
        assert media in doc["description"], doc
    assert "f=json" in doc["description"]
    assert "Accept" in resp.headers["Vary"]
    sep = "&" if "?" in path else "?"
    for fmt, media in (("json", ENDPOINTS[path]), ("html", "text/html; charset=utf-8")):
        named = seeded_client.get(f"{path}{sep}f={fmt}", headers={"Accept": accept})
        assert (named.status_code, named.headers["Content-Type"]) == (200, media)


#: What GDAL's OAPIF driver sends for each document it reads (its source and its library's
#: strings); OWSLib goes through requests, which sends */*.
GDAL_ACCEPT = {
    "/ogc/": "application/json",
    "/ogc/api": "application/vnd.oai.openapi+json;version=3.0, "
    "application/openapi+json;version=3.0, application/json",
    "/ogc/collections": "application/json",
    "/ogc/collections/periods": "application/geo+json, application/json",
    "/ogc/collections/periods/queryables": "application/schema+json",
    "/ogc/collections/periods/schema": "application/schema+json",
    "/ogc/collections/periods/geojson-schema": "application/schema+json",
    "/ogc/collections/periods/items?limit=2": "application/geo+json, application/json",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("accept", [None, "", "*/*", "application/*", "application/json", BROWSER])
def test_an_accept_that_allows_something_served_is_answered(seeded_client, path, accept):
    resp = seeded_client.get(path, headers={} if accept is None else {"Accept": accept})
    html = accept == BROWSER
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == ("text/html; charset=utf-8" if html else ENDPOINTS[path])


@pytest.mark.parametrize("path", GDAL_ACCEPT)
def test_what_gdal_accepts_is_served(seeded_client, path):
    resp = seeded_client.get(path, headers={"Accept": GDAL_ACCEPT[path]})
    assert (resp.status_code, resp.headers["Content-Type"]) == (200, ENDPOINTS[path])


def test_the_openapi_definition_is_served_for_its_type_without_a_version(seeded_client):
    resp = seeded_client.get("/ogc/api", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert resp.status_code == 200
    later = seeded_client.get(
        "/ogc/api", headers={"Accept": "application/vnd.oai.openapi+json;version=3.1"}
    )
    assert later.status_code == 406  # 3.0 is all there is


@pytest.mark.parametrize("cid", ["sites", "periods", "events", "boundaries"])
def test_the_collection_describes_its_geojson_features_with_every_property(seeded_client, cid):
    """`describedby` is a GeoJSON Feature whose `properties` are the collection's schema,
    dates as dates: what GDAL types its columns from."""
    links = _get(seeded_client, f"/ogc/collections/{cid}")["links"]
    (described,) = [link for link in links if link["rel"] == "describedby"]
    assert described["type"] == "application/schema+json"
    doc = _get(seeded_client, urlsplit(described["href"]).path)
    flat = _get(seeded_client, f"/ogc/collections/{cid}/schema")
    assert doc["properties"]["properties"]["properties"] == flat["properties"]
    feature = _get(seeded_client, f"/ogc/collections/{cid}/items?limit=1")["features"][0]
    assert set(feature) <= set(doc["properties"])
    assert set(feature["properties"]) <= set(flat["properties"])


def test_the_arabic_api_definition_page_is_arabic_around_english_swagger_ui(seeded_client):
    """The page's own words follow the reader's language and direction; Swagger UI's and the
    definition's (English) are marked as English, left to right, inside it."""
    page = seeded_client.get("/ogc/api?f=html&lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    title = re.search(r"<title>(.*?)</title>", page)[1]
    headings = re.findall(r"<h([12])[^>]*>(.*?)</h\1>", page)
    assert [level for level, _ in headings] == ["1", "2"]
    for text in (title, *(words for _, words in headings)):
        assert re.search(r"[\u0600-\u06ff]", text) and not re.search(r"[a-z]{4}", text), text
    assert '<div id="swagger-ui" lang="en" dir="ltr"' in page
    english = seeded_client.get("/ogc/api?f=html&lang=en").get_data(as_text=True)
    assert "<h2>Requests and responses</h2>" in english


@pytest.mark.parametrize("collection", ["periods", "sites", "events", "boundaries"])
def test_properties_gives_the_same_features_with_only_those_properties(seeded_client, collection):
    schema = list(_get(seeded_client, f"/ogc/collections/{collection}/schema")["properties"])
    keep = [schema[-1], schema[0]]
    url = f"/ogc/collections/{collection}/items?limit=1000" + (
        "&datetime=2015-08-01" if collection == "sites" else ""
    )
    whole = _get(seeded_client, url)["features"]
    lean = _get(seeded_client, f"{url}&properties={','.join(keep)}")["features"]
    assert whole and [f["id"] for f in lean] == [f["id"] for f in whole]
    assert [f["geometry"] for f in lean] == [f["geometry"] for f in whole]
    assert [f["properties"] for f in lean] == [
        {name: f["properties"][name] for name in (schema[0], schema[-1])} for f in whole
    ]
    # The lean answer was kept in the cache apart from the whole one.
    assert _get(seeded_client, url)["features"] == whole


def test_periods_with_the_properties_pygeoapi_serves(seeded_client):
    doc = _get(seeded_client, "/ogc/collections/periods/items?properties=site,actor,start,end")
    assert doc["features"] and all(
        list(f["properties"]) == ["site", "actor", "start", "end"] for f in doc["features"]
    )
    refused = _get(seeded_client, "/ogc/collections/periods/items?properties=actor,who", 400)
    assert refused["description"].startswith("parameter 'properties': no property 'who'")
