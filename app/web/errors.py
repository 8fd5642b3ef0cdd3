"""Error pages: JSON for the API, HTML for people; never a bare 500 page.

Every error answer, even for a request the router could not take (a Host header that is
not trusted or cannot be encoded), is a rendered page that passes through the after-request
hooks, so it carries the security headers. A read-only database answers writes with 503 and
keeps serving reads; a form whose CSRF token went stale comes back with its input kept.
The downloads and feeds answer 406 to an Accept header that allows none of their types.
"""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import PurePosixPath

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
)
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import MapAdapter

from app.extensions import db
from app.web.security import content_security_policy, security_headers

_JSON_PREFIXES = ("/api/", "/feeds/")
READ_ONLY = _l(
    "The database is read-only at the moment (maintenance, a full disk or a replica), so "
    "nothing can be saved; reading works as usual. Nothing was saved: try again later."
)
#: SQLSTATE of PostgreSQL's read_only_sql_transaction (a standby, or read-only mode).
_PG_READ_ONLY = "25006"
_BAD_HOST = (
    "This site does not answer to that host name (the request's Host header is not one of "
    "the site's TRUSTED_HOSTS, or is malformed)."
)
#: Stands in for a Host header that was refused (a reserved name: RFC 2606).
_NEUTRAL_HOST = "invalid.invalid"
#: The one CSRF failure an honest form never has: no token at all.
_CSRF_MISSING = "The CSRF token is missing."
# Fields never echoed back into a page, whatever the form.
_SECRET_FIELDS = ("password", "csrf_token")


def wants_json() -> bool:
    """Tell whether the client is a program (API path or JSON Accept header)."""
    if request.path == "/ogc" or request.path.startswith("/ogc/"):
        from app.ogc import routes  # the OGC API's own rule: ?f=, else the Accept header

        return not routes.html_asked()
    if request.path.startswith(_JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, message, code: str | None = None):
    """Render one error as JSON or HTML depending on the client; this never raises."""
    try:
        message = str(message)  # a lazy message in the request's language
        if wants_json():
            body = {"code": code or str(status), "description": message}
            return jsonify(body), status
        return render_template(
            "error.html",
            status=status,
            title=_TITLES.get(status, code or _l("Error")),
            message=message,
            suggestions=_suggestions(status),
            guess=_guess(status),
        ), status
    except Exception:  # the page itself failed (a broken template, no database): plain HTML
        current_app.logger.exception("error page failed")
        return _plain_page(status, message), status, {"Content-Type": "text/html; charset=utf-8"}


def refuses(offered: Sequence[str]) -> bool:
    """Tell whether the Accept header allows none of `offered` (no header, or */*, allows all)."""
    accept = request.accept_mimetypes
    return accept.provided and accept.best_match(offered) is None


def negotiated(bp: Blueprint, media: Mapping[str, tuple[str, ...]]) -> None:
    """406 for a file of `bp` (types by extension) Accept refuses; Vary: Accept on each answer."""

    def offered() -> tuple[str, ...]:
        return media.get(PurePosixPath(request.path).suffix, ())

    @bp.before_request
    def _acceptable():
        types = offered()
        if types and refuses(types):
            message = _l(
                "the Accept header allows none of the media types served here (%(types)s)",
                types=", ".join(types),
            )
            return error_response(406, message, "Not Acceptable")
        return None

    @bp.after_request
    def _vary(response: Response) -> Response:
        # Served or refused by the Accept header: a shared cache must not hand one client's
        # answer to another whose header differs.
        if offered():
            response.vary.add("Accept")
        return response


#: OGC API – Features exception codes (app.ogc.core uses the same).
_OGC_CODES = {400: "InvalidParameterValue", 404: "NotFound"}

_TITLES = {
    400: _l("Bad request"),
    401: _l("Sign in needed"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Cannot be saved"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Unavailable for a while"),
}


#: What an error without words of its own says (Werkzeug's defaults are English only).
_DESCRIPTIONS = {
    400: _l("This request could not be understood."),
    404: _l("Nothing is at this address. Check it, or start from the map or the search."),
    405: _l("This address does not accept this kind of request."),
    413: _l("The request is larger than this site accepts."),
    429: _l("Too many requests: wait a little and try again."),
}


def _suggestions(status: int) -> list[tuple[str, str]]:
    """(slug, name) of the sites closest to an unknown /sites/<slug>, best first."""
    if status != 404 or request.endpoint not in ("main.site", "history.site_history"):
        return []
    wanted = str((request.view_args or {}).get("slug", "")).lower()[:100]
    if not wanted:
        return []
    from app.db import queries  # only when needed: the error page must render without it

    sites = queries.search_candidates()
    by_key = {s["slug"]: s for s in sites} | {s["name"].lower(): s for s in sites}
    near = difflib.get_close_matches(wanted, list(by_key), n=6, cutoff=0.6)
    found = {by_key[k]["slug"]: by_key[k]["name"] for k in near}
    return list(found.items())[:3]


def _guess(status: int) -> str:
    """The words of an unknown site's slug, to start a search with."""
    if status != 404 or request.endpoint != "main.site":
        return ""
    return str((request.view_args or {}).get("slug", "")).replace("-", " ")[:100]


def _plain_page(status: int, message: str) -> str:
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{status} · Border Control Atlas</title>"
        f"<h1>{status}</h1><p>{escape(message)}</p><p><a href=/>Back to the map</a></p></html>"
    )


def is_read_only(exc: DBAPIError) -> bool:
    """Tell whether the database refused a write because it is read-only."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _PG_READ_ONLY:
        return True
    return "readonly database" in str(orig) or "read-only transaction" in str(orig)


def init_app(app: Flask) -> None:
    """Register the handlers, and make requests the router cannot take still routable."""
    app.create_url_adapter = _guarded(app)  # type: ignore[method-assign]
    app.wsgi_app = _LastResort(app, app.wsgi_app)  # type: ignore[method-assign]

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = exc.description
        if not message or message == type(exc).description:  # no words of our own
            message = _DESCRIPTIONS.get(status, message or exc.name)
        # The OGC API's own refusals name their exception as its clients expect; so do the
        # ones made before it is reached (known=, rev=, an unknown path).
        ogc = request.path == "/ogc" or request.path.startswith("/ogc/")
        code = _OGC_CODES.get(status, exc.name) if ogc else exc.name
        response = error_response(status, message, code)
        # What the exception says a client must know: a 405's Allow, a 416's Content-Range.
        kept = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return (*response, kept) if len(response) == 2 else response

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _stale_form(exc)

    app.register_error_handler(DBAPIError, database_error)
    app.register_error_handler(Exception, unexpected_error)


def database_error(exc: DBAPIError):
    """A database refusal: 503 with a clear page when the database is read-only."""
    db.session.rollback()
    if is_read_only(exc):
        current_app.logger.warning("write refused, database read-only: %s", request.path)
        body, status = error_response(503, READ_ONLY, "ReadOnly")[:2]
        return body, status, {"Retry-After": "300"}
    return unexpected_error(exc)


def unexpected_error(exc: Exception):
    """Anything unforeseen: logged, and a 500 page saying nothing was saved."""
    db.session.rollback()
    current_app.logger.exception("unhandled error")
    return error_response(
        500, _l("Something went wrong on our side; nothing was saved."), "ServerError"
    )


def _guarded(app: Flask):
    """Flask's create_url_adapter, except that a Host the router cannot use (not trusted,
    or not encodable) becomes a 400 for this request while a neutral adapter is still
    returned, so the error page can build its links. Links are relative, and the rejected
    host is replaced, so it appears nowhere in the answer."""
    create_url_adapter = app.create_url_adapter

    def create(req: Request | None) -> MapAdapter | None:
        if req is None:
            return create_url_adapter(req)
        try:
            return create_url_adapter(req)
        except (HTTPException, UnicodeError, ValueError) as exc:
            # A fixed message: werkzeug's would quote the host back.
            req.routing_exception = BadRequest(_BAD_HOST)
            if not isinstance(exc, HTTPException) or exc.code != 400:
                app.logger.info("bad Host header refused: %s", type(exc).__name__)
            req.host = _NEUTRAL_HOST  # later reads must not meet the bad host again
            # Matching "/" for GET always succeeds, so it cannot replace the 400 above;
            # the view is never called, the routing exception is raised first.
            return app.url_map.bind(
                _NEUTRAL_HOST,
                script_name=req.environ.get("SCRIPT_NAME") or None,
                url_scheme="https" if req.environ.get("wsgi.url_scheme") == "https" else "http",
                path_info="/",
            )

    return create


def _stale_form(exc: CSRFError):
    """A form sent with an expired or outdated token (left open too long, or signed out and
    in again meanwhile) comes back with its input and a fresh token instead of losing it.

    Only for a same-origin browser form: a request without a token, or from another site,
    gets the plain 400 (that is what CSRF protection is for).
    """
    description = exc.description or ""
    if description == _CSRF_MISSING or wants_json() or not _same_origin():
        return error_response(400, description, "CSRFError")
    if request.endpoint == "auth.login":
        from app.web import auth  # the sign-in page renders its own form

        return auth.expired_login_form()
    if request.files:
        message = _l(
            "The form had been open too long, so it was not sent. Files cannot be kept: "
            "open the page again and choose the file again."
        )
        return error_response(400, message, "CSRFError")
    fields = [
        (name, value)
        for name, values in request.form.lists()
        if not name.startswith(_SECRET_FIELDS)
        for value in values
    ]
    return render_template("resubmit.html", fields=fields, action=request.full_path), 400


def _same_origin() -> bool:
    """Tell whether the browser says the form came from one of this site's own pages."""
    own = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == own
    referrer = request.headers.get("Referer", "")
    return referrer == own or referrer.startswith(own + "/")


class _LastResort:
    """Outermost WSGI layer: should anything still escape Flask, answer with a plain 500
    page that carries the security headers, not the server's bare one."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        try:
            return self.wsgi_app(environ, start_response)
        except Exception:
            if self.app.testing:
                raise
            self.app.logger.exception("error outside Flask's handlers")
            body = _plain_page(500, "Something went wrong on our side; nothing was saved.")
            csp = content_security_policy(secrets.token_urlsafe(16))
            headers = [("Content-Type", "text/html; charset=utf-8"), *security_headers(csp)]
            start_response("500 INTERNAL SERVER ERROR", headers)
            return [body.encode()]
