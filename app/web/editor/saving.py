"""Writing editor forms: revisions for every change, and optimistic-locking conflicts."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, SelectField, SelectMultipleField

from app.db import revisions
from app.db.models import Revision
from app.extensions import db
from app.web.i18n import gettext as _

# Form fields that are not compared when showing a conflict.
_NOT_COMPARED = {
    "comment",
    "version",
    "submit",
    "csrf_token",
    "confirm_location",
    "source_url",
    "source_title",
    "source_publisher",
    "source_date",
}


@dataclass(frozen=True)
class Conflict:
    """Someone saved the row after this form was opened: what differs, and who."""

    rows: list[tuple[str, str, str]]
    latest: Revision | None


class Refused(Exception):
    """The database refused the save: a row saved meanwhile collides (unique value, overlap)."""


@dataclass(frozen=True)
class Author:
    """Who a change is recorded for: the signed-in editor, or an approved proposal's author."""

    user: object
    comment: str
    proposal_id: int | None = None


def by_form(form) -> Author:
    """The signed-in user, with the form's comment."""
    return Author(current_user, form.comment.data or "")


def note(row, action: str, before, author: Author, flush: bool = True) -> Revision:
    """Record a revision of `row` for `author` (the caller commits)."""
    rev = revisions.record(row, action, before, author.user, author.comment, flush=flush)
    rev.proposal_id = author.proposal_id
    return rev


def finish(done: bool = True) -> None:
    """Commit, or (for a preview inside a savepoint) only flush."""
    if done:
        commit()
    else:
        db.session.flush()


def commit() -> None:
    """Commit; a constraint violation is rolled back and raised as Refused."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Refused(str(exc.orig).strip().splitlines()[0][:300]) from None


def recheck(form, reason: str) -> None:
    """After a refused save: run the form's rules again so that its errors name the row
    that now collides; if they all pass, put the database's reason on the form."""
    if form.validate():
        flash(
            _(
                "Not saved: the database refused it (%(reason)s). Check the record, then "
                "save again.",
                reason=reason,
            ),
            "error",
        )


def create(obj, form, author: Author | None = None, done: bool = True) -> None:
    """Insert a new row from a validated form, with its revision(s), in one commit."""
    author = author or by_form(form)
    created = form.populate(obj)
    try:
        db.session.add(obj)
        db.session.flush()
        for row in (*created, obj):
            note(row, "create", None, author, flush=False)
    except IntegrityError as exc:
        db.session.rollback()
        raise Refused(str(exc.orig).strip().splitlines()[0][:300]) from None
    finish(done)


def update(obj, form, blank, author: Author | None = None, done: bool = True) -> Conflict | None:
    """Save a validated form over `obj` unless it changed since the form was opened."""
    if form.version.data != str(obj.version):
        return conflict(form, obj, blank)
    author = author or by_form(form)
    before = revisions.snapshot(obj)
    created = form.populate(obj)
    try:
        for row in created:
            note(row, "create", None, author)
        note(obj, "update", before, author)
        finish(done)
    except StaleDataError:
        db.session.rollback()
        return conflict(form, db.session.get(type(obj), obj.id), blank)
    return None


def delete(obj, author: Author, done: bool = True) -> None:
    """Delete `obj` with its revision; StaleDataError or Refused when it changed meanwhile."""
    before = revisions.snapshot(obj)
    db.session.delete(obj)
    note(obj, "delete", before, author)
    finish(done)


def log_change(form, old, author: Author | None = None, done: bool = True):
    """Close the open period `old` and open the new one in one transaction, with revisions."""
    author = author or by_form(form)
    if old is not None:
        before = revisions.snapshot(old)
        old.end = form.date.data
        note(old, "update", before, author)
    new = form.model(
        site=form.site,
        start=form.date.data,
        end=None,
        confidence=form.confidence.data,
        note=form.note.data or "",
        **form.new_values(),
    )
    db.session.add(new)
    new.sources, created = form.chosen_sources()
    try:
        for row in (*created, new):
            note(row, "create", None, author)
    except IntegrityError as exc:  # the flush met a constraint (an overlap on PostgreSQL)
        db.session.rollback()
        raise Refused(str(exc.orig).strip().splitlines()[0][:300]) from None
    finish(done)
    return new


def conflict(form, current, blank) -> Conflict:
    """Compare the saved row with the user's input; re-arm the form for a second save.

    `blank` builds an empty form of the same class filled from a row.
    """
    rows = differences(form, blank(current))
    form.version.data = str(current.version)
    latest = db.session.scalar(
        select(Revision)
        .where(Revision.entity == type(current).__tablename__, Revision.entity_id == current.id)
        .order_by(Revision.id.desc())
        .limit(1)
    )
    return Conflict(rows, latest)


def differences(form, theirs) -> list[tuple[str, str, str]]:
    """(label, stored, typed) for every compared field where two forms of one kind differ."""
    return [
        (field.label.text, shown(theirs[name]), shown(field))
        for name, field in form._fields.items()
        if name not in _NOT_COMPARED and theirs[name].data != field.data
    ]


def shown(field) -> str:
    """A field's value as the page shows it (choice labels, not ids)."""
    if isinstance(field, SelectMultipleField):
        labels = {value: label for value, label, *_ in field.iter_choices()}
        return "; ".join(labels.get(v, str(v)) for v in field.data or []) or "—"
    if isinstance(field, SelectField):
        return next((label for _, label, selected, *_ in field.iter_choices() if selected), "—")
    if isinstance(field, BooleanField):
        return _("yes") if field.data else _("no")
    return field._value() or "—"
