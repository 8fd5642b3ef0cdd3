"""gzip for large responses: the map page (its time data is inline), the API bodies, and
the scripts and style sheets under static/."""

from __future__ import annotations

import gzip
import threading

from flask import Flask, Response, request
from werkzeug.http import parse_accept_header

#: Smaller bodies are sent as they are: compressing them gains nothing.
MIN_SIZE = 2048


def accepts_gzip(accept_encoding: str) -> bool:
    """Tell whether an Accept-Encoding header allows gzip (and not with q=0).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("gzip;q=0"), accepts_gzip("")
    (True, False, False)
    """
    return any(
        value.lower() == "gzip" and quality > 0
        for value, quality in parse_accept_header(accept_encoding)
    )


def worth_gzip(body: bytes, accept_encoding: str) -> bool:
    """Whether to send `body` gzip-compressed: large enough, and the client accepts it."""
    return len(body) >= MIN_SIZE and accepts_gzip(accept_encoding)


def gzip_bytes(body: bytes, level: int = 6) -> bytes:
    """`body` compressed at gzip's default level (fast, and 5–10× smaller for JSON).

    The header's time is zero, so the same body always compresses to the same bytes.
    """
    return gzip.compress(body, compresslevel=level, mtime=0)


def gzipped(html: str, accept_encoding: str) -> Response:
    """An HTML response, gzip-compressed when the client accepts it and it is large."""
    body = html.encode()
    resp = Response(body, mimetype="text/html")
    resp.vary.add("Accept-Encoding")
    if worth_gzip(body, accept_encoding):
        resp.set_data(gzip_bytes(body))
        resp.headers["Content-Encoding"] = "gzip"
    return resp


# Static files that are text: images and fonts are compressed already.
_TEXT = frozenset({"text/javascript", "application/javascript", "text/css", "image/svg+xml"})
# By file name: the ETag Flask gave the file (its mtime and size) and its gzip bytes.
_static: dict[str, tuple[str, bytes]] = {}
_static_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Scripts and style sheets from static/ gzip-compressed for clients that accept it.

    The map's own scripts (minified), Leaflet and their styles are 302 KB as files and 94 KB
    compressed, on the phone connections many readers have; the example proxy in the
    README passes them on as the app sends them.
    """
    app.after_request(_static_gzip)


def _static_gzip(resp: Response) -> Response:
    """A static text file gzip-compressed when the client accepts it (not for a Range).

    Both forms carry the file's ETag as a weak one (RFC 9110: the same content, another
    coding), so revalidating either gets a 304.
    """
    if request.endpoint != "static" or resp.mimetype not in _TEXT:
        return resp
    if resp.status_code not in (200, 304):
        return resp
    resp.vary.add("Accept-Encoding")
    tag, _weak = resp.get_etag()
    if not tag:
        return resp
    resp.set_etag(tag, weak=True)
    if resp.status_code != 200 or "Range" in request.headers:
        return resp
    if (resp.content_length or 0) < MIN_SIZE or not accepts_gzip(
        request.headers.get("Accept-Encoding", "")
    ):
        return resp
    name = (request.view_args or {})["filename"]
    served = resp.response
    found = _static.get(name)
    if found is None or found[0] != tag:
        # The file send_file opened, compressed once per version of it: the smallest
        # gzip is worth the time.
        found = (tag, gzip_bytes(b"".join(served), level=9))
        with _static_lock:
            _static[name] = found
    if hasattr(served, "close"):
        served.close()
    resp.direct_passthrough = False
    resp.set_data(found[1])
    resp.headers["Content-Encoding"] = "gzip"
    return resp
