"""Pages: the state table, site pages, 404s, and no 500 for odd input."""

import pytest


def test_index_lists_every_site_for_the_date(seeded_client):
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    assert "al-Tanf" in html and "ISIS" in html


def test_site_page_shows_names_location_periods_and_sources(seeded_client):
    resp = seeded_client.get("/sites/al-qaim")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "معبر القائم" in html            # Arabic name
    assert "km" in html and "IQ" in html    # boundary join
    assert "Nov 2017" in html or "3 Nov 2017" in html
    assert "Open or closed" in html and "Events" in html
    assert 'rel="noopener noreferrer"' in html  # source links


def test_site_page_reports_country_from_boundary_layers(seeded_client):
    html = seeded_client.get("/sites/albukamal").get_data(as_text=True)
    assert "Country (boundary layer)" in html


@pytest.mark.parametrize("path", ["/sites/nowhere", "/sites/%3Cscript%3E", "/nope"])
def test_unknown_paths_get_404_pages(seeded_client, path):
    resp = seeded_client.get(path)
    assert resp.status_code == 404
    assert "<script>" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("query", ["date=2015-13-45", "date=yesterday", "date=<b>x</b>",
                                   "date=" + "9" * 5000, "date=0000-01-01"])
def test_bad_dates_on_pages_are_400_not_500(seeded_client, query):
    resp = seeded_client.get(f"/?{query}")
    assert resp.status_code == 400
    assert "<b>x</b>" not in resp.get_data(as_text=True)


def test_index_links_the_downloads_for_its_date(seeded_client):
    html = seeded_client.get("/?date=2015-08-01").get_data(as_text=True)
    for href in ("/api/sites.geojson?date=2015-08-01&amp;download=1",
                 "/api/sites.csv?date=2015-08-01", "/api/export.gpkg?date=2015-08-01",
                 "/api/periods.csv", "/ogc/", "/feeds/changes.atom"):
        assert f'href="{href}"' in html
