"""Write requests run under the record's write lock; refusals the views did not catch become
409 or 503 pages that give the editor back what they typed.

Every POST, PUT, PATCH and DELETE claims the lock (app/db/write_lock.py) before it touches
the database, so the checks a form runs (no overlapping periods, unique slugs, the row
version) and the write that follows see the same record, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.db import write_lock
from app.extensions import db
from app.web import errors
from app.web.i18n import gettext

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Seconds a refused client is told to wait before trying again (Retry-After).
RETRY_AFTER = 5
# Never echoed back, even to their owner.
_SECRET_FIELDS = frozenset({"csrf_token", "password", "new_password", "confirm", "token"})


def init_app(app: Flask) -> None:
    """Claim the lock for write requests (before any other hook reads) and map refusals."""
    app.before_request_funcs.setdefault(None, []).insert(0, _claim_for_writes)
    app.teardown_request(_release)
    app.register_error_handler(OperationalError, _operational)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(StaleDataError, _stale)


def _claim_for_writes() -> None:
    if request.method not in WRITE_METHODS:
        return
    if db.session.registry.has() and db.session().in_transaction():
        # Something read before this hook (a session lookup): end that snapshot so the
        # request's checks start under the lock and see every earlier save.
        db.session.commit()
    write_lock.claim()


def _release(_exc: BaseException | None) -> None:
    write_lock.release()


def submitted_input() -> list[tuple[str, str]]:
    """What the client sent in the form, secrets left out, for a page that keeps it."""
    return [
        (name, value)
        for name, values in request.form.lists()
        if name not in _SECRET_FIELDS
        for value in values
    ]


def refusal(status: int, message: str, retry: bool = False):
    """A 409/503 page (or JSON) with the message and the client's own input."""
    db.session.rollback()
    write_lock.release()  # the page only reads: it must not wait for the lock again
    fields = submitted_input()
    headers = {"Retry-After": str(RETRY_AFTER)} if retry else {}
    if _wants_json():
        body = {"code": str(status), "description": message, "input": dict(fields)}
        return jsonify(body), status, headers
    page = render_template("write_refused.html", status=status, message=message, fields=fields)
    return page, status, headers


def _operational(exc: OperationalError):
    if write_lock.is_lock_timeout(exc):
        return refusal(
            503,
            gettext(
                "Not saved: another save or an import is still running. Nothing was changed; "
                "wait a few seconds and send it again (your input is below)."
            ),
            retry=True,
        )
    return errors.database_error(exc)  # read-only: 503; anything else: the 500 page


def _integrity(exc: IntegrityError):
    return refusal(
        409,
        gettext(
            "Not saved: the database refused it because it collides with a record saved "
            "meanwhile (%(reason)s). Nothing was changed; check the record and send "
            "it again (your input is below).",
            reason=_constraint(exc),
        ),
    )


def _stale(_exc: StaleDataError):
    return refusal(
        409,
        gettext(
            "Not saved: someone changed this record since you opened it. Nothing was changed; "
            "check the record and send it again (your input is below)."
        ),
    )


def _constraint(exc: IntegrityError) -> str:
    """The database's one-line reason, without the statement and parameters."""
    return str(exc.orig).strip().splitlines()[0][:300]


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > (request.accept_mimetypes["text/html"])
    )
