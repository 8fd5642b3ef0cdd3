"""GeoJSON API: the state at a date, RFC 7946, and clear 400s for bad parameters."""

import pytest

from app.params import today


def _features(client, query=""):
    resp = client.get(f"/api/sites.geojson{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/geo+json"
    return resp.get_json()


def _by_slug(body):
    return {f["properties"]["slug"]: f["properties"] for f in body["features"]}


def test_sites_geojson_is_rfc7946(seeded_client):
    body = _features(seeded_client, "?date=2015-08-01")
    assert body["type"] == "FeatureCollection" and "crs" not in body
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"
        assert 35 < lon < 45 and 32 < lat < 38  # lon/lat order, within the region
        for key in ("slug", "name", "name_ar", "country", "crossing", "controller",
                    "controller_name", "since", "until", "uncertain", "contested",
                    "status", "sources"):
            assert key in f["properties"]


@pytest.mark.parametrize("date, slug, actor", [
    ("2015-08-01", "al-tanf", "isis"),
    ("2016-03-05", "al-tanf", "new-syrian-army"),
    ("2016-03-03", "al-tanf", "isis"),
    ("2014-06-10", "al-qaim", "iraqi-government"),
    ("2014-07-01", "al-qaim", "isis"),
    ("2017-11-20", "albukamal", "syrian-government"),
])
def test_controller_at_date(seeded_client, date, slug, actor):
    assert _by_slug(_features(seeded_client, f"?date={date}"))[slug]["controller"] == actor


def test_state_carries_sources_and_precision(seeded_client):
    tanf = _by_slug(_features(seeded_client, "?date=2015-08-01"))["al-tanf"]
    assert tanf["since"] == "2015-05-21" and tanf["since_precision"] == "day"
    assert tanf["sources"] and all(s["title"] for s in tanf["sources"])


def test_month_precision_answers_are_uncertain(seeded_client):
    rabia = _by_slug(_features(seeded_client, "?date=2014-06-15"))["rabia"]
    assert rabia["uncertain"] is True


def test_without_date_answers_for_today(seeded_client):
    body = _features(seeded_client)
    assert body["date"] == today().isoformat()


def test_download_has_a_dated_filename(seeded_client):
    resp = seeded_client.get("/api/sites.geojson?date=2015-08-01")
    assert "border-control-sites-2015-08-01.geojson" in resp.headers["Content-Disposition"]


@pytest.mark.parametrize("bad", ["2015-13-45", "yesterday", "2015-02-30", "15-01-01",
                                 "2015-01-01'; DROP TABLE site; --", "<script>", "%00",
                                 "2015-01-01T00:00:00", " 2015-01-01"])
def test_bad_dates_get_400_naming_the_parameter(seeded_client, bad):
    resp = seeded_client.get("/api/sites.geojson", query_string={"date": bad})
    assert resp.status_code == 400
    body = resp.get_json()
    assert "parameter 'date'" in body["description"]
