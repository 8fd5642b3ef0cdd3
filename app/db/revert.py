"""Revert one revision: put the row back as it was before, as a new "revert" revision."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core import clock
from app.core.text_rules import N_, Phrase, Refusal, Word, listed
from app.db import records, revisions
from app.db.models import Revision, Site, Source
from app.extensions import db

__all__ = ["RevertRefused", "revert"]

# Snapshot keys that hold a relationship rather than a column.
_LINKS = {"source_ids": ("sources", Source), "site_ids": ("sites", Site)}


class RevertRefused(Refusal):
    """The revert would break a rule or lose a later change; the message says which."""


def revert(rev: Revision, user, comment: str = "") -> Revision:
    """Undo `rev` in one transaction; return the new revision or raise RevertRefused."""
    model = records.MODELS.get(rev.entity)
    if model is None:
        raise RevertRefused(
            N_("revision #%(id)s: %(entity)s rows cannot be reverted"), id=rev.id, entity=rev.entity
        )
    row = db.session.get(model, rev.entity_id)
    _check_unchanged(rev, row)
    before = revisions.snapshot(row) if row is not None else None
    try:
        row = _apply(model, row, rev.before)
        note = revisions.revert_comment(rev.id, comment)
        new = revisions.record(row, "revert", before, user, note)
        db.session.commit()
    except (RevertRefused, IntegrityError, StaleDataError) as exc:
        db.session.rollback()
        if isinstance(exc, StaleDataError):
            raise RevertRefused(
                N_(
                    "revision #%(id)s: %(row)s was changed by another save at the same moment; "
                    "look at its history and try again"
                ),
                id=rev.id,
                row=records.row_name(rev.entity, rev.entity_id),
            ) from None
        if isinstance(exc, IntegrityError):
            raise RevertRefused(
                N_("revision #%(id)s: the database refused the revert (%(error)s)"),
                id=rev.id,
                error=str(exc.orig),
            ) from None
        raise
    return new


def _apply(model, row, target: dict | None):
    """Delete, recreate or restore the row so that it matches `target`."""
    if target is None:
        blockers = records.delete_blockers(row)
        if blockers:
            raise RevertRefused(
                N_("undoing the creation would delete %(row)s, which is still used by %(users)s"),
                row=records.row_name(model.__tablename__, row.id),
                users=listed(blockers),
            )
        db.session.delete(row)
        return row
    if row is None:
        row = model()
        db.session.add(row)
    with db.session.no_autoflush:  # check references before the database sees the row
        _assign(row, target)
        if isinstance(row, Source) and not row.ref:  # a snapshot from before every source had one
            row.ref = records.free_source_ref(row.title, row.id)
        problem = records.missing_reference(row) or records.taken_unique(row)
    if problem is None and isinstance(row, records.PERIODS):
        db.session.flush()
        problem = records.overlap_message(row)
    if problem:
        raise RevertRefused(N_("cannot revert: %(problem)s"), problem=problem)
    return row


def _assign(row, data: dict) -> None:
    """Set columns and links of `row` from a JSON snapshot."""
    for attr in inspect(type(row)).column_attrs:
        if attr.key in data:
            setattr(row, attr.key, revisions.from_json(attr.columns[0].type, data[attr.key]))
    for key, (relation, target) in _LINKS.items():
        if key in data:
            setattr(row, relation, [_existing(target, i) for i in data[key]])


def _existing(model, row_id: int):
    """The row with this id, or a refusal naming the missing row."""
    found = db.session.get(model, row_id)
    if found is None:
        raise RevertRefused(
            N_("%(row)s no longer exists; revert its deletion first"),
            row=records.row_name(model.__tablename__, row_id),
        )
    return found


def _check_unchanged(rev: Revision, row) -> None:
    """Refuse when the row no longer looks as `rev` left it (a later change exists)."""
    current = revisions.snapshot(row) if row is not None else None
    if current == rev.after:
        return
    later = db.session.scalars(
        select(Revision)
        .where(
            Revision.entity == rev.entity, Revision.entity_id == rev.entity_id, Revision.id > rev.id
        )
        .order_by(Revision.id)
    ).all()
    what = records.row_name(rev.entity, rev.entity_id)
    if later:
        names = [
            Phrase(
                N_("#%(id)s (%(action)s by %(user)s, %(at)s)"),
                id=r.id,
                action=Word(r.action),
                user=r.user.username if r.user else Phrase(N_("the seed")),
                at=clock.label(r.at),
            )
            for r in later
        ]
        raise RevertRefused(
            N_(
                "%(row)s changed since revision #%(id)s: revision(s) %(later)s. Revert the "
                "later revisions first, newest first."
            ),
            row=what,
            id=rev.id,
            later=listed(names),
        )
    raise RevertRefused(
        N_("%(row)s no longer matches what revision #%(id)s left"), row=what, id=rev.id
    )
