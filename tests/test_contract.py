"""The public contract of design.md §5: the routes, names and headers that other tools
and people rely on. A change that breaks one of these breaks someone's script.

They run on the small fixed data set in tests/data/contract.yaml."""

import re

import pytest

SITE_PROPERTIES = {
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
    "last_verified",
}
PERIOD_PROPERTIES = {"start", "end", "start_precision", "end_precision"}
OGC_PATHS = [
    "/ogc/",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/sites",
    "/ogc/collections/periods",
    "/ogc/collections/sites/items",
    "/ogc/collections/periods/items?bbox=38,32,43,38&datetime=2014-01-01/..&limit=5&offset=1",
    "/ogc/collections/sites/items/al-qaim",
    "/ogc/collections/periods/items/{period}",
]


def test_map_opens_at_date_and_focuses_a_site(contract_client):
    resp = contract_client.get("/?date=2015-08-01&site=al-tanf")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'id="date" name="date" value="2015-08-01"' in html
    assert '<tr id="row-al-tanf" class="focus">' in html


def test_site_page_by_slug(contract_client):
    html = contract_client.get("/sites/al-qaim").get_data(as_text=True)
    assert "al-Qa'im" in html.replace("&#39;", "'") and "<svg" in html
    assert contract_client.get("/sites/nowhere").status_code == 404


def test_state_at_a_date_is_geojson_with_the_named_properties(contract_client):
    resp = contract_client.get("/api/sites.geojson?date=2015-08-01")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    assert re.fullmatch(
        r'(inline|attachment); filename="[\w.-]+2015-08-01\.geojson"',
        resp.headers["Content-Disposition"],
    )
    doc = resp.get_json()
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    for feature in doc["features"]:
        assert feature["geometry"]["type"] == "Point"
        assert SITE_PROPERTIES <= set(feature["properties"])
        props = feature["properties"]
        assert props["controller"] is None or isinstance(props["controller"], str)
        assert isinstance(props["sources"], list)
    tanf = next(f for f in doc["features"] if f["properties"]["slug"] == "al-tanf")
    assert tanf["properties"]["controller"] == "isis"
    # The start of its latest sourced period (no confirmation recorded in the contract data).
    assert tanf["properties"]["last_verified"] == "2015-05-21"


def test_unknown_is_a_null_controller(contract_client):
    doc = contract_client.get("/api/sites.geojson?date=2011-01-01").get_json()
    assert any(f["properties"]["controller"] is None for f in doc["features"])


@pytest.mark.parametrize(
    "query", ["", "?site=al-qaim", "?actor=isis", "?from=2014-01-01&to=2015-01-01"]
)
def test_all_periods_with_filters(contract_client, query):
    resp = contract_client.get(f"/api/periods.geojson{query}")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    features = resp.get_json()["features"]
    assert features and all(PERIOD_PROPERTIES <= set(f["properties"]) for f in features)


@pytest.mark.parametrize("path", OGC_PATHS)
def test_ogc_api_paths(contract_client, path):
    # Period ids differ between databases (PostgreSQL sequences are not reset per test).
    first = contract_client.get("/ogc/collections/periods/items?limit=1").get_json()
    resp = contract_client.get(path.format(period=first["features"][0]["id"]))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json()


@pytest.mark.parametrize(
    "path, mimetype, name",
    [
        ("/api/sites.csv?date=2015-08-01", "text/csv", "2015-08-01.csv"),
        ("/api/periods.csv", "text/csv", ".csv"),
        ("/api/export.gpkg?date=2015-08-01", "application/geopackage+sqlite3", "2015-08-01.gpkg"),
        (
            "/api/sites.geojson?date=2015-08-01&download=1",
            "application/geo+json",
            "2015-08-01.geojson",
        ),
    ],
)
def test_downloads_are_attachments_with_a_dated_name(contract_client, path, mimetype, name):
    resp = contract_client.get(path)
    assert resp.mimetype == mimetype
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and name in disposition


def test_map_page_links_the_downloads_for_its_date(contract_client):
    html = contract_client.get("/?date=2015-08-01").get_data(as_text=True)
    for endpoint in ("sites.geojson", "sites.csv", "export.gpkg"):
        assert re.search(rf'href="/api/{re.escape(endpoint)}\?date=2015-08-01', html)


def test_sign_in_and_out(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Username" in page and "Password" in page and "Sign in" in page
    assert client.get("/logout").status_code == 405
    assert client.get("/editor/").status_code == 302


def test_cli_commands(app):
    commands = app.cli.list_commands(None)
    assert {"seed", "users", "import", "backup", "restore", "demo-data"} <= set(commands)
    users = app.cli.get_command(None, "users")
    create = users.get_command(None, "create")
    assert "role" in {p.name for p in create.params}


def test_db_upgrade_is_available(runner):
    result = runner.invoke(args=["db", "upgrade", "--help"])
    assert result.exit_code == 0 and "Upgrade to a later version" in result.output
