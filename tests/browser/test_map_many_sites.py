"""Issue 14, point 5: a thousand sites (clusters that still show their holders, the filter)."""

import threading

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from tests.browser.axe import assert_no_axe_violations
from tests.browser.mapview import VIEWPORTS, open_map

SITES = 1000


@pytest.fixture(scope="module")
def many_sites_server(tmp_path_factory):
    """A live app with 1,000 demo sites (flask demo-data) on its own SQLite file."""
    db_file = tmp_path_factory.mktemp("many") / "atlas.sqlite"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "many", "TESTING": False}
    )
    with app.app_context():
        upgrade()
    args = ["demo-data", "--sites", str(SITES), "--periods", "6", "--seed", "1"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _open(page, base, viewport, path="/?date=2015-08-01"):
    open_map(page, base, path, viewport=viewport)
    expect(page.locator(".atlas-cluster").first).to_be_visible()


def _wait_for_every_marker(page):
    """The cluster group is filled in turns after the first clusters show (under load, the
    turns take seconds): wait until it holds every marker."""
    page.wait_for_function(
        "() => { const e = AtlasMap.instance; return e.clusters &&"
        " e.clusters.getLayers().length === e.markers.filter(Boolean).length; }",
        timeout=30_000,
    )


@VIEWPORTS
def test_clusters_show_their_holders_and_follow_the_date(page, guard, many_sites_server, viewport):
    _open(page, many_sites_server, viewport)
    pies = page.locator(".atlas-cluster .cluster-pie")
    assert pies.count() >= 3
    first = pies.first
    background = first.evaluate("(el) => el.style.background")
    assert "conic-gradient" in background
    title = first.get_attribute("title")
    total = int(title.split(" sites:")[0])
    shares = title.split(": ", 1)[1].split(", ")
    assert sum(int(s.rsplit(" ", 1)[1]) for s in shares) == total
    assert first.get_attribute("aria-label") == title
    # Every site is in a cluster or drawn on its own (once the turns have filled them).
    _wait_for_every_marker(page)
    counted = page.evaluate(
        """() => { const a = AtlasMap.instance; let n = 0;
        a.clusters._featureGroup.eachLayer((l) => {
            n += l.getChildCount ? l.getChildCount() : 1; });
        return n; }"""
    )
    assert counted == SITES
    # A jump of years repaints the pies.
    before = [p.get_attribute("title") for p in pies.all()]
    page.locator("#date").fill("2022-01-01")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#day-label")).to_have_text("1 January 2022")
    page.wait_for_function(
        "(before) => { const now = [...document.querySelectorAll("
        "'.atlas-cluster .cluster-pie')].map((p) => p.getAttribute('title'));"
        " return JSON.stringify(now) !== JSON.stringify(before); }",
        arg=before,
    )
    # Zoomed in, clusters open into single markers with labels.
    page.evaluate(
        """() => { const a = AtlasMap.instance;
        a.map.setView(a.markers[0].getLatLng(), 12, {animate: false}); }"""
    )
    page.wait_for_function("() => AtlasMap.instance.markers[0]._map != null")
    expect(page.locator(".atlas-label:not([hidden])").first).to_be_visible()
    guard.assert_clean()


def test_a_row_opens_its_site_out_of_a_cluster(page, guard, many_sites_server):
    _open(page, many_sites_server, {"width": 1440, "height": 900})
    _wait_for_every_marker(page)
    name = page.evaluate("AtlasMap.instance.data.sites[500][1]")
    page.get_by_label("Find", exact=True).fill(name)
    row = page.locator("#state-table tbody tr:not(.group-row):visible").first
    expect(row).to_contain_text(name)  # the filter has run: this is the site's row
    row.locator("td").first.click()
    # Zooming into the cluster animates first; two test processes share the CPU.
    expect(page.locator(".leaflet-popup-content")).to_contain_text(name, timeout=15_000)
    guard.assert_clean()


def test_a_filtered_table_takes_the_room_of_its_rows(page, guard, many_sites_server):
    """At once: out of view, a table's body kept the room of the rows it showed before the
    filter, and the rows shown below it moved as it came near and shrank."""
    _open(page, many_sites_server, {"width": 1440, "height": 900})
    _wait_for_every_marker(page)
    name = page.evaluate("AtlasMap.instance.data.sites[500][1]")
    page.get_by_label("Find", exact=True).fill(name)
    row = page.locator("#state-table tbody tr:not(.group-row):visible").first
    expect(row).to_contain_text(name)
    sizes = page.evaluate(
        """() => { const t = document.getElementById("state-table");
        const shown = [...t.tBodies].flatMap((b) => [...b.rows]).filter((r) => !r.hidden);
        return [t.tBodies.length, shown.length, t.getBoundingClientRect().height]; }"""
    )
    bodies, shown, height = sizes
    assert bodies >= 40 and 1 <= shown <= 12, sizes
    assert height <= (shown + 2) * 100, sizes  # a row is about 70 px here, a heading 32
    # Cleared, every row is back.
    page.get_by_label("Find", exact=True).fill("")
    expect(page.locator("#filter-count")).to_contain_text("1000 of 1000 sites")
    bodies = page.locator("#state-table tbody")
    assert bodies.evaluate_all("(bs) => bs.every((b) => !b.hidden)")
    guard.assert_clean()


def test_a_row_opens_a_site_the_clusters_have_not_taken_yet(page, guard, many_sites_server):
    _open(page, many_sites_server, {"width": 1440, "height": 900})
    _wait_for_every_marker(page)
    # As in the first seconds of a slow load: the site's marker is not in the group yet.
    name = page.evaluate(
        """() => { const e = AtlasMap.instance, m = e.markers[500];
        e.clusters.removeLayer(m); return m._map ? null : e.data.sites[500][1]; }"""
    )
    assert name
    page.get_by_label("Find", exact=True).fill(name)
    row = page.locator("#state-table tbody tr:not(.group-row):visible").first
    expect(row).to_contain_text(name)
    row.locator("td").first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(name, timeout=15_000)
    assert page.evaluate("AtlasMap.instance.clusters.hasLayer(AtlasMap.instance.markers[500])")
    guard.assert_clean()


def test_the_phone_page_stays_inside_the_screen(page, guard, many_sites_server):
    _open(page, many_sites_server, {"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    guard.assert_clean()


@VIEWPORTS
def test_a_thousand_sites_have_no_axe_violations(page, guard, many_sites_server, viewport):
    _open(page, many_sites_server, viewport)
    assert_no_axe_violations(page, "map with 1,000 sites and clusters")
    guard.assert_clean()
