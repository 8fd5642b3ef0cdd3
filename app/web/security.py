"""Security headers, including a nonce-based Content Security Policy, and the
template filter that keeps stored addresses from becoming unsafe links."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request

from app.config import frame_ancestors

#: The view attribute that lets a page be shown in another site's <iframe> (see framable).
_FRAMABLE = "allow_framing"


def csp_nonce() -> str:
    """The per-request nonce that every inline <script> and <style> must carry."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def framable(view):
    """Mark a view whose pages other sites may frame (EMBED_FRAME_ANCESTORS decides which)."""
    setattr(view, _FRAMABLE, True)
    return view


def content_security_policy(nonce: str, tiles_url: str = "", ancestors: str = "'none'") -> str:
    """The CSP: this host, nonce'd inline code, a tile host for images, who may frame it."""
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
        "frame-ancestors": [ancestors],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def _origin(url_template: str) -> str:
    """scheme://host of a tile URL template such as https://{s}.tile.example/{z}/{x}/{y}.png."""
    if not url_template:
        return ""
    parts = urlsplit(url_template.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def security_headers(csp: str | None = None, framed: bool = False) -> list[tuple[str, str]]:
    """The headers every response carries (the CSP only on HTML)."""
    headers = [("X-Content-Type-Options", "nosniff")]
    # X-Frame-Options knows no list of sites: a framable page leaves it to the CSP.
    if not framed:
        headers.append(("X-Frame-Options", "DENY"))
    headers.append(("Referrer-Policy", "strict-origin-when-cross-origin"))
    return headers + ([("Content-Security-Policy", csp)] if csp else [])


#: Blueprints whose answers are public data that a page on any other site may read with
#: fetch() (the API, OGC API, feeds and pictures; no cookies are sent or honoured).
OPEN_DATA = frozenset({"api", "ogc", "feeds", "pictures"})
_CORS = (
    ("Access-Control-Allow-Origin", "*"),
    (
        "Access-Control-Expose-Headers",
        "ETag, Last-Modified, Content-Disposition, Content-Range, Accept-Ranges",
    ),
)
#: A preflight's answer: conditional and partial reads (If-None-Match, Range) need one.
_PREFLIGHT = (
    ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
    (
        "Access-Control-Allow-Headers",
        "Accept, Accept-Language, If-None-Match, If-Modified-Since, Range",
    ),
    ("Access-Control-Max-Age", "86400"),
)


def init_app(app: Flask) -> None:
    """Check EMBED_FRAME_ANCESTORS, then add the security headers to every response (and
    CORS to the public data's)."""
    # A bad value stops the app here, not on the first /embed request.
    app.config["EMBED_FRAME_ANCESTORS"] = frame_ancestors(
        str(app.config.get("EMBED_FRAME_ANCESTORS", "*"))
    )

    plain = security_headers()  # what a non-HTML answer gets: the same every time

    @app.after_request
    def _headers(resp):
        headers = resp.headers
        if request.blueprint in OPEN_DATA:
            for name, value in _CORS + (_PREFLIGHT if request.method == "OPTIONS" else ()):
                headers.setdefault(name, value)
        if not headers.get("Content-Type", "").startswith("text/html"):
            # Data answers (most requests): three fixed headers, no CSP, never framed; one
            # pass over the headers instead of a case-insensitive search for each.
            have = {name.lower() for name in headers.keys()}
            for name, value in plain:
                if name.lower() not in have:
                    headers.add(name, value)
            return resp
        view = current_app.view_functions.get(request.endpoint or "")
        # Only HTML carries the CSP that names the framing sites; anything else stays DENY.
        framed = getattr(view, _FRAMABLE, False)
        ancestors = current_app.config["EMBED_FRAME_ANCESTORS"] if framed else "'none'"
        tiles = current_app.config.get("TILES_URL", "")
        csp = content_security_policy(csp_nonce(), tiles, ancestors)
        for name, value in security_headers(csp, framed):
            headers.setdefault(name, value)
        return resp
