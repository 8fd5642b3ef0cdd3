"""Cached public answers replayed before Flask dispatches the request.

A cached answer (:func:`app.web.httpcache.respond`) still paid for Flask's routing, its
request hooks, language choice and response headers on every request: about half a
millisecond, more than sending a megabyte of cached body takes. The first time Flask
serves such an answer in full, this middleware keeps what went out on the wire (status,
every header, the body) under the request's wire key; the same request at the same data
version is then answered with those bytes straight away.

The wire key holds everything an answer may depend on: path and query, scheme, the host
(after ProxyFix; left out once PUBLIC_URL is set, and never replayed to a host outside
TRUSTED_HOSTS), and the Accept, Accept-Language and Accept-Encoding headers.
Only anonymous requests are replayed (no Cookie, no Authorization): a session may be
refreshed or a language cookie read, and those stay Flask's. Requests with validators or
a Range go through Flask too, which answers them from the same cache. An answer is kept
only when it set no cookie. The data version is read on every replay, so a write through
any server is seen on the next request, as before.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_host

from app.core import clock
from app.core.cache import responses
from app.db.session_events import committed_version
from app.extensions import db

#: Set by httpcache.respond on the environ of an answer that may be replayed: the data
#: version it was answered at (never for a past revision, which is not the current one).
MARK = "atlas.replayable"
#: Headers that make a request conditional or partial: Flask answers those itself.
_CONDITIONAL = (
    "HTTP_RANGE",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_RANGE",
    "HTTP_IF_UNMODIFIED_SINCE",
)
_PRIVATE = ("HTTP_COOKIE", "HTTP_AUTHORIZATION")
_WIRE = (
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "wsgi.url_scheme",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
)
_instances = itertools.count()
#: Wire keys remembered per app; past this many the set starts again.
_MAX_KEYS = 4096

StartResponse = Callable[..., Any]


class Replay:
    """WSGI middleware: serve a kept answer when the request and the data version match."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]):
        """Wrap `wsgi_app` (Flask's own) for `app`, whose engine gives the data version."""
        self.app, self.wsgi_app = app, wsgi_app
        # Tests run many apps in one process over one shared cache: keys never mix.
        self.token = next(_instances)
        self._engine = None
        # Wire keys that had an answer kept (the version is read only for those).
        self._kept: set[tuple] = set()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        """Replay a kept answer, or let Flask answer and keep it when it may be replayed."""
        host = self._host(environ) if _eligible(environ) else False
        if host is False:
            return self.wsgi_app(environ, start_response)
        key = ("replay", self.token, host, tuple(environ.get(name) for name in _WIRE))
        if key not in self._kept:
            # Pages, static files and first requests: no version read of our own.
            return self._capture(environ, start_response, key)
        try:
            version = answer_version(committed_version(self.engine()))
        except Exception:  # noqa: BLE001 - a database error is Flask's to report
            return self.wsgi_app(environ, start_response)
        kept = responses.peek(version, key)
        if kept is not None:
            status, headers, body = kept
            start_response(status, list(headers))
            return [body]
        return self._capture(environ, start_response, key)

    def _host(self, environ: dict) -> str | None | bool:
        """The host part of the key: None once PUBLIC_URL makes answers the same on every
        host (made-up Host headers must not multiply entries), the host otherwise; False
        for a host outside TRUSTED_HOSTS, which Flask refuses with its own answer."""
        config = self.app.config
        port = str(environ.get("SERVER_PORT", ""))
        server = (environ.get("SERVER_NAME", ""), int(port) if port.isdigit() else None)
        try:
            host = get_host(
                environ["wsgi.url_scheme"],
                environ.get("HTTP_HOST"),
                server,
                config.get("TRUSTED_HOSTS"),
            )
        except SecurityError:
            return False
        if not host:  # malformed: Flask says so
            return False
        return None if config.get("PUBLIC_URL") else host

    def engine(self):
        """The app's engine (read once, inside an app context)."""
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def _capture(self, environ: dict, start_response: StartResponse, key: tuple):
        """Let Flask answer; keep the answer when respond() marked it and it set no cookie."""
        seen: list = []

        def catch(status: str, headers: list, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, catch)
        # respond() marks only a 200 sent whole, as one cached bytes object, with the data
        # version it read before making or finding the body: if a write landed since, the
        # next request reads a newer version and this copy is never served.
        version = environ.get(MARK)
        if version is not None and seen and isinstance(body, list) and len(body) == 1:
            status, headers = seen
            if not any(name.lower() == "set-cookie" for name, _ in headers):
                if len(self._kept) >= _MAX_KEYS:
                    self._kept.clear()  # the cache forgets entries too: start afresh
                self._kept.add(key)
                responses.put(version, key, (status, tuple(headers), body[0]))
        return body


def answer_version(version: tuple) -> tuple:
    """The version a cached answer is kept and validated under: the data version, its time
    no earlier than the start of today (UTC). An answer asked without a date is today's,
    and it changes at midnight with no write: so do its cache entry, ETag and
    Last-Modified."""
    counter, changed = version
    midnight = dt.datetime.combine(clock.today(), dt.time(), dt.UTC)
    return counter, midnight if changed is None else max(clock.aware(changed), midnight)


def _eligible(environ: dict) -> bool:
    """A plain anonymous GET: the only kind of request a kept answer may serve."""
    if environ.get("REQUEST_METHOD") != "GET":
        return False
    return not any(name in environ for name in _CONDITIONAL + _PRIVATE)


def init_app(app: Flask) -> None:
    """Put the replay in front of Flask's dispatch (inside ProxyFix, which wraps later)."""
    if app.config.get("REPLAY_CACHED_ANSWERS", True):
        app.wsgi_app = Replay(app, app.wsgi_app)  # type: ignore[method-assign]
