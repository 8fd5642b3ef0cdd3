"""gzip for large responses: the map page (its time data is inline) and the API bodies."""

from __future__ import annotations

import gzip

from flask import Response
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


def gzip_bytes(body: bytes) -> bytes:
    """`body` compressed at gzip's default level (fast, and 5–10× smaller for JSON).

    The header's time is zero, so the same body always compresses to the same bytes.
    """
    return gzip.compress(body, compresslevel=6, mtime=0)


def gzipped(html: str, accept_encoding: str) -> Response:
    """An HTML response, gzip-compressed when the client accepts it and it is large."""
    body = html.encode()
    resp = Response(body, mimetype="text/html")
    resp.vary.add("Accept-Encoding")
    if worth_gzip(body, accept_encoding):
        resp.set_data(gzip_bytes(body))
        resp.headers["Content-Encoding"] = "gzip"
    return resp
