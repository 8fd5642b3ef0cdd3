"""Error pages: JSON for the API, HTML for people; never a bare 500 page."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.extensions import db

_JSON_PREFIXES = ("/api/", "/ogc", "/feeds/")


def wants_json() -> bool:
    """Tell whether the client is a program (API path or JSON Accept header)."""
    if request.path.startswith(_JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, message: str, code: str | None = None):
    """Render one error as JSON or HTML depending on the client."""
    if wants_json():
        body = {"code": code or str(status), "description": message}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name, exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return error_response(
            500, "Something went wrong on our side; nothing was saved.", "ServerError"
        )
