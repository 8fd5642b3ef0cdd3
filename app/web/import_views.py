"""Blueprint "data_import": the editor's upload page — check a file, then confirm the import.

A checked file waits on the server's disk as ``<user id>-<token>.upload`` (a JSON line of
its name and options, then the file). Confirming claims it by renaming it to ``.claimed``
— one atomic step, so of any number of clicks, tabs or workers exactly one imports it —
and a ``.done`` note replaces it afterwards, so a later click is told it was imported.
Refused files are never kept; waiting ones expire, and each user may keep only a few.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired

from app.core import clock, private_files
from app.db import revisions, write_lock
from app.extensions import db
from app.io import import_formats, importer
from app.web.auth import editor_required
from app.web.i18n import gettext, said

bp = Blueprint("data_import", __name__, url_prefix="/editor")

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_STATES = ("upload", "claimed", "done", "tmp")
ALLOW_FAR_LABEL = _l("Sites far from the border are intended")
#: Each kind of row a file holds (import_formats.KINDS): one such row, and the heading of
#: their counts in the report. A state file (sites.csv) imports sites.
KIND_NAMES = {
    "sources": (_l("source"), _l("Sources")),
    "state": (_l("site"), _l("Sites (state on a date)")),
    "sites": (_l("site"), _l("Sites")),
    "periods": (_l("control period"), _l("Control periods")),
    "status": (_l("status period"), _l("Status periods")),
    "actors": (_l("actor"), _l("Actors")),
    "events": (_l("event"), _l("Events")),
    "crossings": (_l("crossing"), _l("Crossings")),
}


class UploadForm(FlaskForm):
    """Choose a file to check: CSV, GeoJSON, GeoPackage or a ZIP of them (any download)."""

    file = FileField(
        _l("CSV or GeoJSON file (UTF-8), GeoPackage, or a ZIP of them"),
        validators=[FileRequired()],
    )
    allow_far = BooleanField(
        ALLOW_FAR_LABEL,
        description=_l(
            "Without it a site more than %(km)s km from the Syria–Iraq border is "
            "refused, as the site form refuses it without its confirmation.",
            km=importer.FAR_KM,
        ),
    )
    submit = SubmitField(_l("Check file"))


class ConfirmForm(FlaskForm):
    """Import the file that was just checked."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import"))


class DiscardForm(FlaskForm):
    """Delete a checked file that is waiting, without importing it."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Discard"))


@bp.before_request
def _read_first() -> None:
    """Run without the record's write lock until a confirm holds its claim.

    Checking a file only reads, so it must not hold every editor up; and the losers of a
    double click must be answered at once, not after waiting for the winner's import.
    """
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()  # nothing written yet: this only ends a read under the lock
    write_lock.release()


@bp.route("/import", methods=["GET", "POST"])
@editor_required
def upload():
    """Show the form; on upload, check the file and show the report (nothing changes)."""
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return _page(form=form, form_errors=form.file.errors), status
    data, name = form.file.data.read(), form.file.data.filename or "upload"
    allow_far = bool(form.allow_far.data)
    plan, problem = _check(data, name, allow_far)
    if plan is None or not plan.ok:
        # A refused file is never kept: the editor fixes it and uploads it again.
        return _page(plan=plan, problem=problem, name=name), 400
    token = _keep(data, name, allow_far)
    if token is None:
        limit = current_app.config["IMPORT_MAX_PENDING"]
        return _page(
            problem=gettext(
                "You have %(num)s checked files waiting to be imported, the most kept "
                "for one editor (IMPORT_MAX_PENDING); import or discard one of them first. "
                "%(name)s was not kept.",
                num=limit,
                name=name,
            ),
        ), 429
    return _page(plan=plan, name=name, confirm=ConfirmForm(token=token), allow_far=allow_far)


@bp.get("/import/<token>")
@editor_required
def review(token: str):
    """Check a waiting file again against the record as it is now, with its Import button."""
    meta, data = _read(_path(token, "upload")) if _TOKEN.fullmatch(token) else (None, b"")
    if meta is None:
        flash(gettext("That import is no longer waiting; upload the file again."), "error")
        return redirect(url_for(".upload"))
    plan, problem = _check(data, meta["name"], meta["allow_far"])
    confirm = ConfirmForm(token=token) if plan is not None and plan.ok else None
    return _page(
        plan=plan, problem=problem, name=meta["name"], confirm=confirm, allow_far=meta["allow_far"]
    ), 200 if confirm else 400


@bp.post("/import/confirm")
@editor_required
def confirm():
    """Claim the waiting file, check it again against the record as it is now, import it."""
    form = ConfirmForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not _TOKEN.fullmatch(token):
        flash(gettext("That import is no longer waiting; upload the file again."), "error")
        return redirect(url_for(".upload"))
    _expire()
    claimed = _path(token, "claimed")
    try:
        os.rename(_path(token, "upload"), claimed)
    except FileNotFoundError:
        return _not_waiting(token)
    os.utime(claimed)  # the claim's age counts from now, so expiry never takes it mid-import
    # The check and the import run under the write lock, on the record as it is now.
    db.session.commit()
    write_lock.claim()
    meta, data = _read(claimed)
    if meta is None:  # expired and swept between the rename and the read
        return _not_waiting(token)
    name = meta["name"]
    try:
        plan, problem = _check(data, name, meta["allow_far"])
        if plan is None or not plan.ok:
            claimed.unlink(missing_ok=True)
            return _page(plan=plan, problem=problem, name=name), 400
        comment = revisions.import_comment(name)
        done = importer.apply(plan.changes, user=current_user, comment=comment)
    except IntegrityError as exc:
        # A concurrent edit broke a rule of the database (e.g. an overlapping period):
        # the import rolled back whole; the file must be checked against the new record.
        db.session.rollback()
        claimed.unlink(missing_ok=True)
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        return _page(
            problem=gettext(
                "%(name)s: the record changed while it was being imported (%(reason)s); "
                "nothing was imported. Upload the file again to check it against the record "
                "as it is now.",
                name=name,
                reason=reason,
            )
        ), 409
    except Exception:
        os.rename(claimed, _path(token, "upload"))  # nothing was imported: let it be tried again
        raise
    _write(
        _path(token, "done"),
        {
            **meta,
            "imported": clock.now().isoformat(timespec="seconds"),
            "created": done["create"],
            "updated": done["update"],
        },
    )
    claimed.unlink(missing_ok=True)
    flash(
        gettext(
            "Imported %(name)s: %(created)s created, %(updated)s updated.",
            name=name,
            created=done["create"],
            updated=done["update"],
        )
    )
    return redirect(url_for(".upload"))


@bp.post("/import/discard")
@editor_required
def discard():
    """Delete one of the current editor's waiting files."""
    form = DiscardForm()
    token = form.token.data or ""
    if form.validate_on_submit() and _TOKEN.fullmatch(token):
        meta, _ = _read(_path(token, "upload"))
        _path(token, "upload").unlink(missing_ok=True)
        if meta is not None:
            flash(gettext("Discarded %(name)s; nothing was imported.", name=meta["name"]))
    return redirect(url_for(".upload"))


@bp.errorhandler(413)
def too_large(_exc):
    """A friendly refusal for files over MAX_CONTENT_LENGTH."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
    return _page(
        problem=gettext(
            "The file is larger than the %(limit)s MB limit; nothing was "
            "imported. Split it into smaller files.",
            limit=f"{limit:g}",
        ),
    ), 413


def _not_waiting(token: str):
    """The answer to a confirm that lost the claim: imported, importing, or gone."""
    meta, _ = _read(_path(token, "claimed"), head_only=True)
    if meta is not None:
        return _page(
            problem=gettext(
                "%(name)s is being imported by another request (a second click or "
                "another tab); this one changed nothing. Reload this page in a moment to "
                "see it.",
                name=meta["name"],
            ),
        ), 409
    meta, _ = _read(_path(token, "done"), head_only=True)
    if meta is not None:
        return _page(
            problem=gettext(
                "%(name)s was already imported at %(at)s (%(created)s created, "
                "%(updated)s updated); this click changed nothing.",
                name=meta["name"],
                at=meta["imported"],
                created=meta["created"],
                updated=meta["updated"],
            ),
        ), 409
    flash(gettext("That import is no longer waiting; upload the file again."), "error")
    return redirect(url_for(".upload"))


def _check(data: bytes, name: str, allow_far: bool):
    """(plan, None) for a readable file, (None, message) for an unreadable one."""
    try:
        rows = import_formats.read(data, name)
    except import_formats.ImportFileError as exc:
        return None, gettext(
            "%(name)s: %(reason)s; nothing was imported.", name=name, reason=said(exc)
        )
    return importer.check(
        rows, geodata_dir=current_app.config["GEODATA_DIR"], allow_far=allow_far
    ), None


def _keep(data: bytes, name: str, allow_far: bool) -> str | None:
    """Store a checked upload until it is confirmed; None when the editor's quota is full."""
    _expire()
    token = secrets.token_urlsafe(16)
    path = _path(token, "upload")
    _write(path, {"name": name, "allow_far": allow_far}, data)
    # Counted after writing, so two uploads at once cannot both slip under the limit.
    if len(_waiting()) > current_app.config["IMPORT_MAX_PENDING"]:
        path.unlink(missing_ok=True)
        return None
    return token


def _waiting() -> list[dict]:
    """The current editor's waiting files, oldest first: token, name, checked."""
    if not current_user.is_authenticated:  # e.g. the 413 page before sign-in
        return []
    out = []
    for path in _folder().glob(f"{current_user.id}-*.upload"):
        meta, _ = _read(path, head_only=True)
        if meta is not None:
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                continue
            token = path.stem.split("-", 1)[1]
            checked = dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="minutes")
            out.append({"token": token, "name": meta["name"], "checked": checked, "at": mtime})
    return sorted(out, key=lambda w: w["at"])


def _expire() -> None:
    """Delete waiting files, claims and done notes older than IMPORT_PENDING_HOURS."""
    limit = time.time() - current_app.config["IMPORT_PENDING_HOURS"] * 3600
    for state in _STATES:
        for path in _folder().glob(f"*.{state}"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                continue


def _path(token: str, state: str) -> Path:
    """Where one upload of the current editor is kept in `state`."""
    return _folder() / f"{current_user.id}-{token}.{state}"


def _write(path: Path, meta: dict, data: bytes = b"") -> None:
    """Write a JSON line and the data, whole or not at all."""
    part = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    # 0600 from the start: an upload may hold unpublished records.
    private_files.write_new(part, json.dumps(meta).encode() + b"\n" + data)
    os.replace(part, path)


def _read(path: Path, head_only: bool = False) -> tuple[dict | None, bytes]:
    """(meta, data) of a kept file, or (None, b"") when it is not there."""
    try:
        with path.open("rb") as f:
            head = f.readline()
            data = b"" if head_only else f.read()
        return json.loads(head), data
    except (FileNotFoundError, ValueError):
        return None, b""


def _folder() -> Path:
    folder = Path(current_app.config["IMPORT_DIR"] or Path(current_app.instance_path) / "imports")
    private_files.private_dir(folder)
    private_files.tighten(folder)  # one made before uploads were kept private
    return folder


def _page(**context) -> str:
    context.setdefault("form", UploadForm(formdata=None))
    return render_template(
        "editor/import.html",
        columns=import_formats.COLUMNS,
        kinds=KIND_NAMES,
        waiting=_waiting(),
        allow_far_label=ALLOW_FAR_LABEL,
        **context,
    )
