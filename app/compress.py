"""gzip for large HTML responses (the map page carries its time data inline)."""

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
    return any(value.lower() == "gzip" and quality > 0
               for value, quality in parse_accept_header(accept_encoding))


def gzipped(html: str, accept_encoding: str) -> Response:
    """An HTML response, gzip-compressed when the client accepts it and it is large."""
    body = html.encode()
    resp = Response(body, mimetype="text/html")
    resp.vary.add("Accept-Encoding")
    if len(body) >= MIN_SIZE and accepts_gzip(accept_encoding):
        resp.set_data(gzip.compress(body, compresslevel=6))
        resp.headers["Content-Encoding"] = "gzip"
    return resp
