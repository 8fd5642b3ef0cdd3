"""Security headers on every response; the CSP allows only this host and nonce'd code."""

import re

import pytest

from app.web.security import content_security_policy


def test_html_pages_carry_a_strict_csp(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"]


def test_every_inline_script_carries_the_nonce(client):
    resp = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", resp.headers["Content-Security-Policy"]).group(1)
    html = resp.get_data(as_text=True)
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        assert f'nonce="{nonce}"' in tag


def test_nonce_changes_per_request(client):
    first = client.get("/").headers["Content-Security-Policy"]
    assert first != client.get("/").headers["Content-Security-Policy"]


def test_tile_host_is_allowed_for_images_only():
    csp = content_security_policy("n", "https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://*.tiles.example.org" in csp
    assert "tiles.example.org" not in csp.split("img-src")[0]


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html)


def test_stored_javascript_and_data_links_never_become_hrefs(planted):
    """Rows that bypassed the forms (old data, a hand-made backup) still link safely."""
    client = planted.test_client()
    for url in ("/sites/al-qaim", "/?date=2020-01-01&site=al-qaim"):
        html = client.get(url).get_data(as_text=True)
        assert not [h for h in _hrefs(html) if h.lower().startswith(("javascript:", "data:"))]
        assert "javascript:alert(1)" not in html


def test_stored_markup_is_escaped_on_the_site_page(planted):
    html = planted.test_client().get("/sites/al-qaim").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "[US DoD report" not in html  # the planted title replaced it


def test_safe_url_filter_is_available_to_templates(app):
    with app.app_context():
        render = app.jinja_env.from_string("{{ a | safe_url }}|{{ b | safe_url }}").render
        assert render(a="https://example.org/", b="javascript:x") == "https://example.org/|"


def test_web_links_and_archived_copies_stay_links(seeded):
    from app.db.models import Source
    from app.extensions import db

    with seeded.app_context():
        source = db.session.scalar(db.select(Source).where(Source.ref == "S86"))
        source.archived_url = "https://web.archive.org/web/2017/x"
        db.session.commit()
    html = seeded.test_client().get("/sites/al-qaim").get_data(as_text=True)
    assert "https://web.archive.org/web/2017/x" in _hrefs(html)
    assert any(h.startswith("https://www.defense.gov/") for h in _hrefs(html))


OPEN = [
    "/api/sites.geojson?date=2015-08-01",
    "/ogc/collections/periods/items?limit=2",
    "/feeds/changes.atom",
    "/api/sites.geojson?date=1999-99-99",  # a refusal is readable too
]


@pytest.mark.parametrize("path", OPEN)
def test_public_data_is_readable_from_pages_on_other_sites(contract_client, path):
    """CORS on the API, OGC API and feeds (GDAL in a browser, a newsroom's own map); the
    replayed copy of a cached answer carries it as well."""
    for _ in range(2):
        resp = contract_client.get(path, headers={"Origin": "https://newsroom.example"})
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in resp.headers["Access-Control-Expose-Headers"]
        assert "Access-Control-Allow-Credentials" not in resp.headers


def test_a_preflight_allows_conditional_and_partial_reads(contract_client):
    resp = contract_client.options(
        "/ogc/collections/periods/items",
        headers={
            "Origin": "https://newsroom.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, range",
        },
    )
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in resp.headers["Access-Control-Allow-Methods"]
    allowed = resp.headers["Access-Control-Allow-Headers"]
    assert "If-None-Match" in allowed and "Range" in allowed


@pytest.mark.parametrize("path", ["/", "/sites/al-tanf", "/login"])
def test_pages_and_the_editor_are_not_shared_with_other_sites(contract_client, path):
    resp = contract_client.get(path, headers={"Origin": "https://newsroom.example"})
    assert resp.status_code == 200 and "Access-Control-Allow-Origin" not in resp.headers
