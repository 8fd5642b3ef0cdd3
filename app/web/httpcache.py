"""Cached, conditional responses: ETag and Last-Modified come from the data version.

Every read endpoint of the API, the OGC API and the feeds answers through
:func:`respond`: the body is computed once per (data version, normalised query), the
validators are derived from the same pair, so a client holding the current copy gets
``304 Not Modified`` without the body being built at all.

Byte ranges (``Range``, ``If-Range``) are served from the uncompressed body, so GDAL's
``/vsicurl/`` and resumed downloads read the same bytes a plain download gets; a request
with a Range is never gzip-compressed (a range of a gzip stream is useless to a reader).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable

from flask import Response, current_app, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import (
    http_date,
    is_resource_modified,
    parse_if_range_header,
    parse_range_header,
)

from app.core.cache import responses
from app.db.session_events import data_version
from app.extensions import db
from app.web import compress, replay

Produced = tuple[int, dict[str, str], bytes]
_VALIDATORS = frozenset({"ETag", "Vary", "Cache-Control", "Last-Modified"})


def etag(version: tuple, key: Hashable) -> str:
    """Opaque validator for one query at one data version."""
    counter, changed_at = version
    raw = repr((counter, changed_at.isoformat() if changed_at else None, key))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def respond(key: Hashable, produce: Callable[[], Produced], vary: tuple[str, ...] = ()) -> Response:
    """Serve ``produce() -> (status, headers, body)`` cached; 304 when the copy is current.

    `vary` names the request headers the answer depends on besides Accept-Encoding (the
    OGC API's format chosen by Accept), so that a shared cache keeps one copy for each.

    Large bodies go gzip-compressed to clients that accept it; the compressed copy is
    cached beside the plain one, so each is made once per data version. A Range request
    gets 206 with the bytes asked for (416 when none of them exist).
    """
    version = replay.answer_version(data_version(db.session))
    environ = request.environ
    # A request without validators is always answered in full: skip the comparison.
    # If-Match and If-Range are left to make_conditional below, after the body exists.
    if (
        "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    ) and "HTTP_IF_MATCH" not in environ:
        tag = etag(version, key)
        if not is_resource_modified(environ, etag=f'W/"{tag}"', last_modified=version[1]):
            return Response(status=304, headers=_validators(tag, version, vary))
    # Only 200s are kept: refusals are cheap to redo, and a client must not be able to fill
    # the cache with error answers to made-up queries. The validators are kept with the
    # body, so a cached answer hashes and formats nothing.
    status, headers, body, fixed = responses.get(
        version, key, lambda: _prepared(version, key, produce(), vary), keep=_is_ok
    )
    if status != 200:
        # A refusal follows the same request headers as the answer (an HTML or a JSON
        # error by Accept, worded by language): a shared cache must key on them too.
        refused = Response(body, status, headers)
        for name in vary:
            refused.vary.add(name)
        return refused
    out = [*fixed, ("Cache-Control", _cache_control())]
    ranged = "HTTP_RANGE" in environ
    if not ranged and compress.worth_gzip(body, environ.get("HTTP_ACCEPT_ENCODING", "")):
        body = responses.get(version, ("gzip", key), lambda: compress.gzip_bytes(body))
        out.append(("Content-Encoding", "gzip"))
    if ranged or "HTTP_IF_MATCH" in environ or "HTTP_IF_RANGE" in environ:
        return _conditional(Response(body, status, out), len(body))
    # The common case: the cached bytes go out as they are (no copy, no re-encoding), and
    # the same request may be answered with them before Flask next time (app.web.replay).
    out.append(("Accept-Ranges", "bytes"))
    if isinstance(version[0], int):  # the current record, not a pinned past revision
        environ[replay.MARK] = version
    return Response(body, status, out, direct_passthrough=True)


def _prepared(version: tuple, key: Hashable, produced: Produced, vary: tuple[str, ...]) -> tuple:
    """`produced` and, for a 200, its headers with the validators, made once per version."""
    status, headers, body = produced
    if status != 200:
        return status, headers, body, ()
    tag = etag(version, key)
    # The validators replace any of the same name the producer set (as before).
    own = [(k, v) for k, v in headers.items() if k not in _VALIDATORS]
    fixed = [*own, ("ETag", f'W/"{tag}"'), ("Vary", _vary(vary))]
    if version[1] is not None:
        fixed.append(("Last-Modified", http_date(version[1])))
    return status, headers, body, tuple(fixed)


def _conditional(resp: Response, length: int) -> Response:
    """Apply Range, If-Range and If-Match with Werkzeug's own rules.

    Werkzeug answers a request for several ranges with 416; the standard lets a server
    send the whole body instead, which every client can use, so that is what happens.
    """
    asked = parse_range_header(request.headers.get("Range"))
    # A Range that cannot be read, is not in bytes or asks for several parts is ignored:
    # the whole body goes out, as the standard allows.
    single = asked is not None and asked.units == "bytes" and len(asked.ranges) == 1
    # If-Range compares entity tags strongly (RFC 9110 13.1.5) and ours are weak (the plain
    # and the gzip body share one), so an If-Range tag never matches: the whole body goes
    # out. Werkzeug drops the W/ and would match; a Last-Modified date still resumes.
    if parse_if_range_header(request.headers.get("If-Range")).etag is not None:
        single = False
    try:
        return resp.make_conditional(
            request.environ, accept_ranges=True, complete_length=length if single else None
        )
    except RequestedRangeNotSatisfiable:
        headers = {k: v for k, v in resp.headers.items() if k != "Content-Length"}
        headers["Content-Range"] = f"bytes */{length}"
        headers["Content-Type"] = "text/plain; charset=utf-8"
        headers.pop("Content-Disposition", None)
        return Response(
            f"Range {request.headers.get('Range', '')!r} is not within the {length} bytes "
            "of this download.\n",
            416,
            headers,
        )


def public_url(path: str) -> str:
    """Absolute address of `path` (from url_for) for links inside cached bodies.

    From PUBLIC_URL when set, so the Host header a client sends never reaches a cached
    body or its key; else from the request's own host.
    """
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def host_key() -> str | None:
    """The part of a cache key that depends on the host: nothing once PUBLIC_URL is set."""
    return None if current_app.config.get("PUBLIC_URL") else request.host_url


def _is_ok(produced: Produced) -> bool:
    return produced[0] == 200


def ok(
    body: bytes, mimetype: str, filename: str | None = None, attachment: bool = False
) -> Produced:
    """A 200 triple, with a Content-Disposition when a filename is given."""
    headers = {"Content-Type": mimetype}
    if filename:
        kind = "attachment" if attachment else "inline"
        headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
    return 200, headers, body


def _cache_control() -> str:
    """The Cache-Control of every cached answer (read per request: tests change the age)."""
    return f"public, max-age={current_app.config['DOWNLOAD_MAX_AGE']}, must-revalidate"


def _vary(vary: tuple[str, ...]) -> str:
    return ", ".join(("Accept-Encoding", *vary))


def _validators(tag: str, version: tuple, vary: tuple[str, ...] = ()) -> dict[str, str]:
    """ETag, Last-Modified and the Cache-Control policy of a 304, as plain headers."""
    out = {"ETag": f'W/"{tag}"', "Vary": _vary(vary), "Cache-Control": _cache_control()}
    if version[1] is not None:
        out["Last-Modified"] = http_date(version[1])
    return out
