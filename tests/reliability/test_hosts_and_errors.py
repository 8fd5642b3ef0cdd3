"""Host headers and error pages: an untrusted or unusable Host gets a 400 that names no
host, and every error page (400, 404, 500, errors raised while routing) is a real page
with the security headers, never a bare 500."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder

from app import config
from app.web import errors

HTML_ROUTES = ["/", "/login", "/search?q=x", "/sites/al-qaim", "/editor/", "/history"]
LONG_HOST = "a" * 300  # a DNS label over 63 characters cannot be IDNA-encoded
BAD_HOSTS = ["evil.example", LONG_HOST, "x" * 64 + ".example", "bad host", "\xff"]


def _assert_secure_page(resp, status):
    assert resp.status_code == status
    assert resp.mimetype == "text/html"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("host", BAD_HOSTS, ids=["untrusted", "long", "label", "space", "byte"])
@pytest.mark.parametrize("path", HTML_ROUTES)
def test_bad_hosts_get_a_400_page_with_the_security_headers(app, host, path):
    app.testing = False  # as in production: nothing may escape as a bare 500
    resp = app.test_client().get(path, headers={"Host": host})
    _assert_secure_page(resp, 400)
    body = resp.get_data(as_text=True)
    assert "Error 400" in body and "<h1>" in body
    assert host not in body and "a" * 64 not in body


@pytest.mark.parametrize("path", ["/api/sites.geojson", "/ogc/", "/ogc/collections"])
def test_bad_hosts_get_a_json_400_on_the_api(app, path):
    resp = app.test_client().get(path, headers={"Host": LONG_HOST})
    assert resp.status_code == 400 and resp.is_json
    assert LONG_HOST not in resp.get_data(as_text=True)


def test_an_untrusted_host_is_never_reflected_into_ogc_links(app):
    resp = app.test_client().get("/ogc/", headers={"Host": "evil.example"})
    assert resp.status_code == 400 and "evil.example" not in resp.get_data(as_text=True)


def test_a_trusted_host_is_used_in_ogc_links(app_variant):
    atlas = app_variant(TRUSTED_HOSTS=("atlas.example",))
    resp = atlas.test_client().get("/ogc/?f=json", headers={"Host": "atlas.example"})
    assert resp.status_code == 200
    assert "http://atlas.example/ogc" in resp.get_data(as_text=True)
    assert atlas.test_client().get("/ogc/", headers={"Host": "localhost"}).status_code == 400


def test_a_leading_dot_trusts_subdomains(app_variant):
    atlas = app_variant(TRUSTED_HOSTS=(".atlas.example",))
    client = atlas.test_client()
    assert client.get("/login", headers={"Host": "www.atlas.example"}).status_code == 200
    assert client.get("/login", headers={"Host": "atlas.example:8080"}).status_code == 200
    assert client.get("/login", headers={"Host": "evilatlas.example"}).status_code == 400


def test_the_setting_reads_a_comma_separated_list_and_star_means_any():
    assert config.from_environ({"TRUSTED_HOSTS": "a.example, .b.example"})["TRUSTED_HOSTS"] == (
        "a.example",
        ".b.example",
    )
    assert config.from_environ({"TRUSTED_HOSTS": "*"})["TRUSTED_HOSTS"] is None
    assert config.from_environ({})["TRUSTED_HOSTS"] == ("localhost", "127.0.0.1")


def test_star_accepts_any_host_but_still_refuses_an_unusable_one(app_variant):
    anyhost = app_variant(TRUSTED_HOSTS=None)
    client = anyhost.test_client()
    assert client.get("/login", headers={"Host": "whatever.example"}).status_code == 200
    _assert_secure_page(client.get("/login", headers={"Host": LONG_HOST}), 400)


def test_404_and_405_pages_carry_the_headers(client):
    _assert_secure_page(client.get("/no/such/page"), 404)
    _assert_secure_page(client.get("/logout"), 405)


def test_an_unexpected_error_is_a_500_page_with_the_headers(app):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    resp = app.test_client().get("/_boom")
    _assert_secure_page(resp, 500)
    assert "nothing was saved" in resp.get_data(as_text=True)


def test_an_error_page_that_cannot_render_falls_back_to_plain_html(app, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(errors, "render_template", broken)
    resp = app.test_client().get("/no/such/page")
    _assert_secure_page(resp, 404)
    assert "<h1>404</h1>" in resp.get_data(as_text=True)


def test_the_last_resort_answers_with_the_headers_when_flask_itself_fails(app):
    app.testing = False

    def failing(environ, start_response):
        raise RuntimeError("outside Flask")

    last = errors._LastResort(app, failing)
    seen = {}

    def start_response(status, headers):
        seen.update(status=status, headers=dict(headers))

    env = EnvironBuilder(path="/").get_environ()
    body = b"".join(last(env, start_response)).decode()
    assert seen["status"].startswith("500")
    assert "default-src 'self'" in seen["headers"]["Content-Security-Policy"]
    assert "<h1>500</h1>" in body
