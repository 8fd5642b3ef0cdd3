"""Security headers, including a nonce-based Content Security Policy, and the
template filter that keeps stored addresses from becoming unsafe links."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g


def csp_nonce() -> str:
    """The per-request nonce that every inline <script> and <style> must carry."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str, tiles_url: str = "") -> str:
    """The CSP: only this host, nonce'd inline code, optional tile host for images."""
    img = ["'self'", "data:", "blob:"]
    tile_host = _origin(tiles_url)
    if tile_host:
        img.append(tile_host)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        # Leaflet positions map panes with inline style attributes.
        "style-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": img,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def _origin(url_template: str) -> str:
    """scheme://host of a tile URL template such as https://{s}.tile.example/{z}/{x}/{y}.png."""
    if not url_template:
        return ""
    parts = urlsplit(url_template.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def security_headers(csp: str | None = None) -> list[tuple[str, str]]:
    """The headers every response carries (the CSP only on HTML)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]
    return headers + ([("Content-Security-Policy", csp)] if csp else [])


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def _headers(resp):
        csp = None
        if resp.mimetype == "text/html":
            csp = content_security_policy(csp_nonce(), current_app.config.get("TILES_URL", ""))
        for name, value in security_headers(csp):
            resp.headers.setdefault(name, value)
        return resp
