"""Blueprint "data_import": the editor's upload page — check a file, then confirm the import."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired

from app.io import import_formats, importer

bp = Blueprint("data_import", __name__, url_prefix="/editor")

_SESSION_KEY = "import_upload"
_STALE_SECONDS = 24 * 3600


class UploadForm(FlaskForm):
    """Choose a CSV or GeoJSON file to check."""

    file = FileField("CSV or GeoJSON file (UTF-8)", validators=[FileRequired()])
    submit = SubmitField("Check file")


class ConfirmForm(FlaskForm):
    """Import the file that was just checked."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Import")


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Show the form; on upload, check the file and show the report (nothing changes)."""
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return _page(form=form, form_errors=form.file.errors), status
    data, name = form.file.data.read(), form.file.data.filename or "upload"
    token = _keep(data, name)
    plan, problem = _check(data, name)
    confirm = ConfirmForm(token=token) if plan is not None and plan.ok else None
    return _page(
        form=UploadForm(formdata=None), plan=plan, problem=problem, name=name, confirm=confirm
    ), 200 if confirm else 400


@bp.post("/import/confirm")
@login_required
def confirm():
    """Check the kept file again against the record as it is now, then import it."""
    form, kept = ConfirmForm(), session.get(_SESSION_KEY)
    if not form.validate_on_submit() or not kept or kept["token"] != form.token.data:
        flash("That import is no longer waiting; upload the file again.", "error")
        return redirect(url_for(".upload"))
    path = _folder() / f"{kept['token']}.upload"
    data = path.read_bytes() if path.exists() else b""
    plan, problem = _check(data, kept["name"])
    if plan is None or not plan.ok:
        return _page(
            form=UploadForm(formdata=None), plan=plan, problem=problem, name=kept["name"]
        ), 400
    done = importer.apply(plan.changes, user=current_user, comment=f"Imported from {kept['name']}")
    path.unlink(missing_ok=True)
    session.pop(_SESSION_KEY, None)
    flash(f"Imported {kept['name']}: {done['create']} created, {done['update']} updated.")
    return redirect(url_for(".upload"))


@bp.errorhandler(413)
def too_large(_exc):
    """A friendly refusal for files over MAX_CONTENT_LENGTH."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
    return _page(
        form=UploadForm(formdata=None),
        problem=f"The file is larger than the {limit:g} MB limit; nothing was "
        "imported. Split it into smaller files.",
    ), 413


def _check(data: bytes, name: str):
    """(plan, None) for a readable file, (None, message) for an unreadable one."""
    try:
        return importer.check(import_formats.read(data, name)), None
    except import_formats.ImportFileError as exc:
        return None, f"{name}: {exc}; nothing was imported."


def _keep(data: bytes, name: str) -> str:
    """Store the upload until it is confirmed; one waiting file per session."""
    folder = _folder()
    now = time.time()
    for old in folder.glob("*.upload"):
        if now - old.stat().st_mtime > _STALE_SECONDS:
            old.unlink(missing_ok=True)
    if session.get(_SESSION_KEY):
        (folder / f"{session[_SESSION_KEY]['token']}.upload").unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.upload").write_bytes(data)
    session[_SESSION_KEY] = {"token": token, "name": name}
    return token


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(**context) -> str:
    return render_template("editor/import.html", columns=import_formats.COLUMNS, **context)
