"""GeoJSON API: the state at a date, RFC 7946, and clear 400s for bad parameters."""

import io
import re

import pandas as pd
import pyogrio
import pytest
from shapely.geometry import shape

from app.core.clock import today
from tests.conftest import ROOT
from tests.web.headers import vary_names


@pytest.fixture
def seeded_client(read_only_seeded):
    """Every test here only reads, so the seed is loaded once for the module."""
    return read_only_seeded.test_client()


def _features(client, query=""):
    resp = client.get(f"/api/sites.geojson{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/geo+json"
    return resp.get_json()


def _by_slug(body):
    return {f["properties"]["slug"]: f["properties"] for f in body["features"]}


@pytest.mark.parametrize(
    ("day", "names", "window"),
    [
        ("2024-12-08", "SDF → unknown", "between 7 and 31 December 2024"),
        ("2024-12-10", "SDF → Syria\n  (transitional)", "between 9 and 31 December 2024"),
    ],
)
def test_the_readmes_albukamal_example_is_what_the_api_answers(seeded_client, day, names, window):
    """The README's worked example of a handover, checked against the answer it describes."""
    readme = (ROOT / "README.md").read_text()
    example = readme.split("**An example a reader can check.**")[1].split("\n- ")[0]
    assert f"*changing hands — {names}, {window}*" in example or f"*{names}, {window}*" in example
    albukamal = _by_slug(_features(seeded_client, f"?date={day}"))["albukamal"]
    assert albukamal["controller"] is None
    assert albukamal["transition"]["reading"] == f"sometime {window}"
    assert len(albukamal["transition"]["names"]) == 2


def test_a_status_known_to_the_month_says_so(seeded_client, seed_data):
    """al-Tanf open since "2017-03": the first day it may be, with its precision and EDTF,
    as control's `since` has them (a bare 2017-03-01 read as a known day)."""
    (start,) = [p["start"] for p in seed_data["status"] if p["site"] == "al-tanf"]
    for query in ("?date=2020-01-01", "?date=2020-01-01&download=1"):
        tanf = _by_slug(_features(seeded_client, query))["al-tanf"]
        assert (tanf["status"], tanf["status_since_edtf"]) == ("open", start) == ("open", "2017-03")
        assert (tanf["status_since"], tanf["status_since_precision"]) == ("2017-03-01", "month")
    csv = seeded_client.get("/api/sites.csv?date=2020-01-01").get_data(as_text=True)
    assert "status_since_precision" in csv.splitlines()[0] and ",month,2017-03" in csv


def test_a_status_changing_in_a_window_says_from_what_to_what(seeded_client, seed_data):
    """al-Waleed closed, then open from sometime between 17 Feb and 20 Apr 2026: inside
    that window its status is unknown, with the change the record knows beside it."""
    (window,) = [
        p["start"] for p in seed_data["status"] if p["site"] == "al-waleed" and not p["end"]
    ]
    assert window == "2026-02-17/2026-04-20"
    for query in ("?date=2026-03-01", "?date=2026-03-01&download=1"):
        waleed = _by_slug(_features(seeded_client, query))["al-waleed"]
        assert waleed["status"] == "unknown" and waleed["status_since"] is None
        change = waleed["status_transition"]
        assert (change["from"], change["to"], change["candidates"]) == (
            "closed",
            "open",
            ["closed", "open"],
        )
        assert (change["window"], change["earliest"], change["latest"]) == (
            window,
            "2026-02-17",
            "2026-04-20",
        )
    for day, status in (("2026-02-16", "closed"), ("2026-04-20", "open")):
        waleed = _by_slug(_features(seeded_client, f"?date={day}"))["al-waleed"]
        assert (waleed["status"], waleed["status_transition"]) == (status, None)
    csv = seeded_client.get("/api/sites.csv?date=2026-03-01").get_data(as_text=True)
    header = csv.splitlines()[0].split(",")
    assert {"status_transition_from", "status_transition_to"} <= set(header)
    assert ",closed,open," in csv


def test_a_status_the_same_on_both_sides_of_its_window_is_that_status(seeded_client):
    """Semalka open from Oct 2014 to "2016-06", then open from "2016-06": open either way
    in June 2016, since the first period's start (not "changing (open → open)")."""
    semalka = _by_slug(_features(seeded_client, "?date=2016-06-15"))["semalka"]
    assert (semalka["status"], semalka["status_transition"]) == ("open", None)
    assert (semalka["status_since_edtf"], semalka["status_since_precision"]) == ("2014-10", "month")


def test_sites_geojson_is_rfc7946(seeded_client):
    body = _features(seeded_client, "?date=2015-08-01")
    assert body["type"] == "FeatureCollection" and "crs" not in body
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"
        assert 35 < lon < 45 and 32 < lat < 38  # lon/lat order, within the region
        for key in (
            "slug",
            "name",
            "name_ar",
            "country",
            "crossing",
            "controller",
            "controller_name",
            "since",
            "until",
            "uncertain",
            "contested",
            "status",
            "sources",
        ):
            assert key in f["properties"]


@pytest.mark.parametrize(
    "date, slug, actor",
    [
        ("2015-08-01", "al-tanf", "isis"),
        ("2016-03-05", "al-tanf", "new-syrian-army"),
        ("2016-03-03", "al-tanf", "isis"),
        ("2014-06-10", "al-qaim", "iraqi-government"),
        ("2014-07-01", "al-qaim", "isis"),
        ("2017-11-20", "albukamal", "syrian-government"),
    ],
)
def test_controller_at_date(seeded_client, date, slug, actor):
    assert _by_slug(_features(seeded_client, f"?date={date}"))[slug]["controller"] == actor


def test_state_carries_sources_and_precision(seeded_client):
    tanf = _by_slug(_features(seeded_client, "?date=2015-08-01"))["al-tanf"]
    assert tanf["since"] == "2015-05-21" and tanf["since_precision"] == "day"
    assert tanf["sources"] and all(s["title"] for s in tanf["sources"])


def test_since_and_until_are_the_holders_hold_not_the_records_split(seeded_client):
    # Who held al-Qa'im on 1 June 2015, since when? ISIS, since it took it on 20 or 21
    # June 2014: the record splits that hold at 1 Sep 2014, where the contest ended.
    state = _by_slug(_features(seeded_client, "?date=2015-06-01"))
    qaim, albukamal = state["al-qaim"], state["albukamal"]
    assert (qaim["controller"], qaim["since_edtf"], qaim["until_edtf"]) == (
        "isis",
        "2014-06-20/2014-06-21",
        "2017-11-03",
    )
    assert qaim["contested"] is False and qaim["since_precision"] == "window"
    assert albukamal["since_edtf"] != "2014-09-01"
    # In the contested summer itself, the same hold runs on to 2017.
    assert _by_slug(_features(seeded_client, "?date=2014-07-15"))["al-qaim"]["until_edtf"] == (
        "2017-11-03"
    )
    # Semalka is open since the Duhok agreement, not since the record's split in June 2016.
    semalka = _by_slug(_features(seeded_client, "?date=2020-01-01"))["semalka"]
    assert semalka["status"] == "open" and not semalka["status_since_edtf"].startswith("2016-06")


def test_month_precision_answers_are_uncertain(seeded_client):
    rabia = _by_slug(_features(seeded_client, "?date=2014-06-15"))["rabia"]
    assert rabia["uncertain"] is True


def test_without_date_answers_for_today(seeded_client):
    body = _features(seeded_client)
    assert body["date"] == today().isoformat()


def test_download_has_a_dated_filename(seeded_client):
    resp = seeded_client.get("/api/sites.geojson?date=2015-08-01")
    assert "border-control-sites-2015-08-01.geojson" in resp.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "bad",
    [
        "2015-13-45",
        "yesterday",
        "2015-02-30",
        "15-01-01",
        "2015-01-01'; DROP TABLE site; --",
        "<script>",
        "%00",
        "2015-01-01T00:00:00",
        " 2015-01-01",
    ],
)
def test_bad_dates_get_400_naming_the_parameter(seeded_client, bad):
    resp = seeded_client.get("/api/sites.geojson", query_string={"date": bad})
    assert resp.status_code == 400
    body = resp.get_json()
    assert "parameter 'date'" in body["description"]


@pytest.mark.parametrize("path", ["/api/sites.geojson", "/api/sites.csv", "/api/export.gpkg"])
@pytest.mark.parametrize("day", ["1900-01-01", "2010-12-31", "2099-01-01"])
def test_a_state_outside_the_record_is_refused_as_on_the_map(seeded_client, path, day):
    """Before 2011 or after today the answer would only stretch a period: not a fact."""
    resp = seeded_client.get(path, query_string={"date": day})
    assert resp.status_code == 400
    assert "parameter 'date': must be between 2011-01-01 and" in resp.get_json()["description"]
    assert seeded_client.get(f"/?date={day}").status_code == 400
    assert seeded_client.get(path, query_string={"date": "2011-01-01"}).status_code == 200


# --- downloads: periods, CSV, GeoPackage, conditional GETs, bad parameters ------------

GEOJSON_URLS = [
    "/api/sites.geojson?date=2015-08-01",
    "/api/periods.geojson",
    "/api/periods.geojson?site=al-tanf&from=2015-01-01&to=2017-01-01",
]
ENDPOINTS = [
    "/api/sites.geojson",
    "/api/periods.geojson",
    "/api/sites.csv",
    "/api/periods.csv",
    "/api/export.gpkg",
]


@pytest.mark.parametrize("url", GEOJSON_URLS)
def test_geojson_downloads_follow_rfc7946(seeded_client, url):
    body = _json(seeded_client, url)
    assert body["type"] == "FeatureCollection" and "crs" not in body
    assert body["features"]
    for f in body["features"]:
        assert "crs" not in f and f["type"] == "Feature"
        geom = shape(f["geometry"])
        assert geom.is_valid and not geom.has_z
        lon, lat = f["geometry"]["coordinates"]
        assert 35 < lon < 45 and 32 < lat < 38  # lon first: the region is east of 35°E


def _json(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/geo+json"
    return resp.get_json()


@pytest.mark.parametrize(
    "query, check",
    [
        ("?site=al-tanf", lambda p: p["site"] == "al-tanf"),
        ("?actor=isis", lambda p: p["actor"] == "isis"),
        (
            "?from=2016-01-01&to=2016-02-01",
            lambda p: (p["start"] or "") < "2016-02-01" and (p["end"] or "9999") > "2016-01-01",
        ),
    ],
)
def test_periods_filters(seeded_client, query, check):
    feats = _json(seeded_client, f"/api/periods.geojson{query}")["features"]
    assert feats and all(check(f["properties"]) for f in feats)


def test_period_window_is_half_open(seeded_client):
    """A period ending on `from` is not included; one starting on `to` is not either."""
    ids = {
        f["properties"]["start"]
        for f in _json(
            seeded_client, "/api/periods.geojson?site=al-tanf&from=2015-05-21&to=2016-03-04"
        )["features"]
    }
    assert ids == {"2015-05-21"}


def test_download_switch_makes_an_attachment(seeded_client):
    resp = seeded_client.get("/api/periods.geojson?download=1")
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert f"border-control-periods-{today()}.geojson" in resp.headers["Content-Disposition"]
    assert (
        seeded_client.get("/api/periods.geojson")
        .headers["Content-Disposition"]
        .startswith("inline;")
    )


def test_sites_csv_reads_back_with_pandas(seeded_client, seed_data):
    resp = seeded_client.get("/api/sites.csv?date=2015-08-01")
    assert resp.mimetype == "text/csv"
    assert "border-control-sites-2015-08-01.csv" in resp.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(resp.data)).set_index("slug")
    assert len(frame) == 11 and frame.loc["al-tanf", "controller"] == "isis"
    assert frame.loc["al-tanf", "name_ar"] == "التنف"
    tanf = next(s for s in seed_data["sites"] if s["slug"] == "al-tanf")
    assert frame.loc["al-tanf", "lon"] == round(tanf["lon"], 4)
    ids = pd.read_csv(io.BytesIO(resp.data), dtype=str)["period_id"].dropna()
    assert ids.str.fullmatch(r"[a-z0-9-]+\.control\.(open|[0-9.-]+)").all()  # record keys


def test_periods_csv_honours_filters(seeded_client):
    resp = seeded_client.get("/api/periods.csv?actor=isis")
    frame = pd.read_csv(io.BytesIO(resp.data))
    assert set(frame["actor"]) == {"isis"} and len(frame) > 3
    assert frame["source_refs"].str.len().min() > 0


def test_geopackage_has_every_layer(seeded_client, tmp_path, seed_data):
    resp = seeded_client.get("/api/export.gpkg?date=2015-08-01")
    assert resp.mimetype == "application/geopackage+sqlite3"
    path = tmp_path / "x.gpkg"
    path.write_bytes(resp.data)
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {
        "sites",
        "site_records",
        "periods",
        "status",
        "events",
        "sources",
        "actors",
        "crossings",
        "boundaries",
    }
    sites = pyogrio.read_dataframe(path, layer="sites").set_index("slug")
    assert sites.loc["al-tanf", "controller"] == "isis" and sites.crs.to_epsg() == 4326
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(sites.loc["al-tanf", "last_verified"])[:10])
    # GIS clients filter a state's days as dates, not text.
    info = pyogrio.read_info(path, layer="sites")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    for name in ("since", "until", "status_since", "last_verified"):
        assert types[name] == "datetime64[D]", (name, types[name])
    assert len(pyogrio.read_dataframe(path, layer="periods")) == len(seed_data["periods"])
    assert len(pyogrio.read_dataframe(path, layer="sources")) == len(seed_data["sources"])
    assert len(pyogrio.read_dataframe(path, layer="boundaries")) == 15


def test_a_date_in_arabic_indic_digits_asks_for_that_day(seeded_client):
    plain = seeded_client.get("/api/sites.geojson?date=2015-08-01").get_json()
    arabic = seeded_client.get("/api/sites.geojson?date=٢٠١٥-٠٨-٠١").get_json()
    assert arabic["features"] == plain["features"]


def test_a_state_download_has_the_same_columns_on_every_date(seeded_client, tmp_path):
    """Days with no site in a window, with a handover (Albukamal, Dec 2024) and with a
    status changing (al-Waleed, Mar 2026): one header, one set of typed layer fields, so
    daily downloads append to one another."""
    days = ("2015-08-01", "2024-12-10", "2026-03-01")
    headers, fields = set(), set()
    for day in days:
        csv = seeded_client.get(f"/api/sites.csv?date={day}").get_data(as_text=True)
        headers.add(csv.splitlines()[0])
        path = tmp_path / f"{day}.gpkg"
        path.write_bytes(seeded_client.get(f"/api/export.gpkg?date={day}").data)
        info = pyogrio.read_info(path, layer="sites")
        fields.add(tuple(zip(info["fields"], map(str, info["dtypes"]), strict=True)))
    assert len(headers) == len(fields) == 1
    (header,) = headers
    assert "transition_from" in header and "status_transition_reading" in header
    assert ",transition," not in header and not header.endswith(",status_transition")
    (typed,) = fields
    assert dict(typed)["transition_to"] == "object"  # text, not a guess from no value
    assert dict(typed)["status_transition_earliest"] == "datetime64[D]"


def test_geopackage_filters_apply_to_every_layer(seeded_client, tmp_path):
    path = tmp_path / "x.gpkg"
    path.write_bytes(seeded_client.get("/api/export.gpkg?site=al-tanf").data)
    periods = pyogrio.read_dataframe(path, layer="periods")
    status = pyogrio.read_dataframe(path, layer="status")
    sources = pyogrio.read_dataframe(path, layer="sources")
    assert set(periods["site"]) == {"al-tanf"} and set(status["site"]) <= {"al-tanf"}
    cited = {r for refs in periods["source_refs"] for r in refs.split("; ")}
    assert cited <= set(sources["ref"]) and len(sources) < 119


def test_large_bodies_are_gzipped_for_clients_that_accept_it(seeded_client):
    import gzip

    url = "/api/sites.geojson?date=2015-08-01"
    plain = seeded_client.get(url)
    packed = seeded_client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert (
        "Accept-Encoding" in plain.headers["Vary"]
        and packed.headers["Vary"] == plain.headers["Vary"]
    )
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 3
    assert packed.headers["ETag"] == plain.headers["ETag"]
    again = seeded_client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304 and "Accept-Encoding" in again.headers["Vary"]


def test_small_bodies_and_refusals_are_not_gzipped(seeded_client):
    small = seeded_client.get("/ogc/conformance?f=json", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and "Content-Encoding" not in small.headers
    bad = seeded_client.get("/api/sites.geojson?date=x", headers={"Accept-Encoding": "gzip"})
    assert bad.status_code == 400 and "Content-Encoding" not in bad.headers


BAD = [
    ("date", "2015-02-30"),
    ("date", "x"),
    ("site", "nowhere"),
    ("site", "<b>"),
    ("actor", "nobody"),
    ("from", "2015-1-1"),
    ("to", "soon"),
    ("download", "yes"),
    ("bogus", "1"),
    ("date", "9999-99-99"),
    ("from", "2015-01-01\x00"),
]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("name, value", BAD)
def test_bad_parameters_are_400_never_500(seeded_client, url, name, value):
    resp = seeded_client.get(url, query_string={name: value})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert f"'{name}'" in resp.get_json()["description"]


#: Every /api route with the parameters it reads (all of them also read `known` and `rev`).
API_PARAMS = [
    ("/api/sites.geojson", ("date", "download")),
    ("/api/sites.csv", ("date",)),
    ("/api/periods.geojson", ("site", "actor", "from", "to", "download")),
    ("/api/periods.csv", ("site", "actor", "from", "to")),
    ("/api/export.gpkg", ("date", "site", "actor", "from", "to")),
    ("/api/status.geojson", ("site", "from", "to", "download")),
    ("/api/status.csv", ("site", "from", "to")),
    ("/api/events.geojson", ("site", "from", "to", "download")),
    ("/api/events.csv", ("site", "from", "to")),
    ("/api/sources.geojson", ("download",)),
    ("/api/actors.csv", ()),
    ("/api/export-csv.zip", ()),
]


@pytest.mark.parametrize(
    "url, name", [(url, name) for url, names in API_PARAMS for name in (*names, "known", "rev")]
)
def test_an_empty_parameter_is_400_naming_it_not_the_default(seeded_client, url, name):
    """`?date=` names no date: refused by the parameter's rule, not read as today."""
    resp = seeded_client.get(f"{url}?{name}=")
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert f"parameter '{name}'" in resp.get_json()["description"]


@pytest.mark.parametrize(
    "url", ["/?date=", "/?date=&site=", "/embed?date=", "/search?q=qaim&date="]
)
def test_a_page_reads_an_empty_date_from_its_form_as_today(seeded_client, url):
    """The map's date form submits a cleared input as `date=`: a page shows today."""
    assert seeded_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/periods.geojson", "/api/periods.csv", "/api/export.gpkg"])
def test_from_after_to_is_400(seeded_client, url):
    resp = seeded_client.get(f"{url}?from=2016-01-01&to=2015-01-01")
    assert resp.status_code == 400 and "'to'" in resp.get_json()["description"]


def test_repeated_parameter_is_400(seeded_client):
    resp = seeded_client.get("/api/sites.geojson?date=2015-01-01&date=2016-01-01")
    assert resp.status_code == 400


# every kind, and the bundles -----------------------------------------------------------
@pytest.mark.parametrize(
    "url, mimetype, name",
    [
        ("/api/status.geojson?site=rabia", "application/geo+json", "border-control-status-"),
        ("/api/status.csv", "text/csv", "border-control-status-"),
        ("/api/events.geojson?from=2014-06-01&to=2014-07-01", "application/geo+json", "events-"),
        ("/api/events.csv", "text/csv", "border-control-events-"),
        ("/api/site-records.geojson", "application/geo+json", "border-control-site-records-"),
        ("/api/site-records.csv", "text/csv", "border-control-site-records-"),
        ("/api/sources.csv", "text/csv", "border-control-sources-"),
        ("/api/actors.geojson?download=1", "application/geo+json", "border-control-actors-"),
        ("/api/crossings.csv", "text/csv", "border-control-crossings-"),
        ("/api/export-csv.zip", "application/zip", "border-control-atlas-csv-"),
        ("/api/export-geojson.zip", "application/zip", "border-control-atlas-geojson-"),
    ],
)
def test_every_kind_has_a_download(seeded_client, url, mimetype, name):
    resp = seeded_client.get(url)
    assert resp.status_code == 200 and resp.mimetype == mimetype, resp.get_data(as_text=True)
    assert name in resp.headers["Content-Disposition"]
    assert resp.headers["Accept-Ranges"] == "bytes"


def test_site_records_carry_what_the_state_leaves_out(seeded_client, seed_data):
    feats = _json(seeded_client, "/api/site-records.geojson")["features"]
    assert [f["id"] for f in feats] == sorted(s["slug"] for s in seed_data["sites"])
    first = next(s for s in seed_data["sites"] if s["slug"] == feats[0]["id"])
    props = feats[0]["properties"]
    assert props["aliases"] == first["aliases"] and props["note"] == first["note"]
    assert props["location_note"] == first["location_note"]


def test_events_keep_their_edtf_date_and_own_point(seeded_client, seed_data):
    feats = _json(seeded_client, "/api/events.geojson")["features"]
    assert len(feats) == len(seed_data["events"])
    by_slug = {f["id"]: f for f in feats}
    monthly = next(e for e in seed_data["events"] if len(str(e["date"])) == 7)
    props = by_slug[monthly["slug"]]["properties"]
    assert props["date_edtf"] == monthly["date"] and props["precision"] == "month"
    frame = pd.read_csv(io.BytesIO(seeded_client.get("/api/events.csv").data)).set_index("slug")
    assert frame.loc[monthly["slug"], "date_edtf"] == monthly["date"]


def test_actors_and_crossings_without_a_place(seeded_client, seed_data):
    actors = _json(seeded_client, "/api/actors.geojson")["features"]
    assert {f["id"] for f in actors} == {a["slug"] for a in seed_data["actors"]}
    assert all(f["geometry"] is None for f in actors)
    nusra = next(f for f in actors if f["id"] == "jabhat-al-nusra")
    assert nusra["properties"]["parent"] == "al-qaeda"


def test_the_bundles_hold_one_file_per_kind(seeded_client):
    import zipfile

    for fmt in ("csv", "geojson"):
        data = seeded_client.get(f"/api/export-{fmt}.zip").data
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        kinds = [re.sub(r"^border-control-(.+)-\d{4}-\d{2}-\d{2}\..+$", r"\1", n) for n in names]
        assert kinds == [
            "crossings",
            "actors",
            "sources",
            "site-records",
            "periods",
            "status",
            "events",
        ]
        assert all(n.endswith(f".{fmt}") for n in names)


@pytest.mark.parametrize("url", ["/api/events.csv", "/api/status.geojson"])
def test_actor_is_no_filter_of_status_or_events(seeded_client, url):
    resp = seeded_client.get(url, query_string={"actor": "isis"})
    assert resp.status_code == 400 and "'actor'" in resp.get_json()["description"]


@pytest.mark.parametrize(
    "url, accept, media",
    [
        ("/api/sites.geojson", "application/xml", "application/geo+json"),
        ("/api/periods.geojson?download=1", "text/csv", "application/geo+json"),
        ("/api/sites.csv", "application/json", "text/csv"),
        ("/api/export.gpkg", "application/xml", "application/geopackage+sqlite3"),
        ("/api/export-csv.zip", "text/html;q=0.9, application/xml", "application/zip"),
    ],
)
def test_a_download_its_accept_header_refuses_is_406_naming_what_it_is(
    seeded_client, url, accept, media
):
    resp = seeded_client.get(url, headers={"Accept": accept})
    assert (resp.status_code, resp.mimetype) == (406, "application/json")
    assert media in resp.get_json()["description"]
    assert "Accept" in resp.headers["Vary"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/sites.geojson",
        "/api/periods.csv",
        "/api/actors.geojson",
        "/api/export.gpkg",
        "/api/export-csv.zip",
    ],
)
def test_a_download_says_its_answer_follows_the_accept_header(seeded_client, url):
    """Served or refused (406) by the Accept header: a shared cache must not hand one
    client's answer to another whose Accept differs."""
    first = seeded_client.get(url)
    assert first.status_code == 200 and vary_names(first) == {"Accept-Encoding", "Accept"}
    again = seeded_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and vary_names(again) == vary_names(first)
    part = seeded_client.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and vary_names(part) == vary_names(first)
    refused = seeded_client.get(url, headers={"Accept": "application/xml"})
    # Its description is worded in the reader's language, so it varies with that too.
    assert refused.status_code == 406
    assert vary_names(refused) == {"Accept", "Accept-Language", "Cookie"}


@pytest.mark.parametrize(
    "url, accept",
    [
        ("/api/sites.geojson", None),
        ("/api/sites.geojson", "application/json"),
        ("/api/sites.geojson", "application/geo+json"),
        ("/api/sites.csv", "text/csv"),
        ("/api/sites.csv", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("/api/export.gpkg", "*/*"),
        ("/api/export-geojson.zip", ""),
    ],
)
def test_a_download_an_accept_header_allows_is_served(seeded_client, url, accept):
    resp = seeded_client.get(url, headers={} if accept is None else {"Accept": accept})
    assert resp.status_code == 200
