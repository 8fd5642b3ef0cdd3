"""Security headers on every response; the CSP allows only this host and nonce'd code."""

import re

from app.security import content_security_policy


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
