"""Revision records: a JSON snapshot of a row before and after each change."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, DateTime, inspect, select

from app.core.text_rules import N_, Phrase
from app.db.models import Revision
from app.extensions import db

# Bookkeeping columns that would make every diff noisy.
_SKIP = {"version", "updated_at", "search_text"}

# The comments the app writes itself (stored in English, as every comment is): a reader
# sees them in their language (comment_phrase), an editor's own comment as written.
SEED_COMMENT = N_("Loaded from the seed file")
_REVERT = N_("Revert of revision #%(id)s")
_REVERT_SAYING = N_("Revert of revision #%(id)s: %(comment)s")
_IMPORT = N_("Imported from %(name)s")
_APPROVED = N_("(proposal #%(id)s, approved by %(name)s)")
_APPROVED_SAYING = N_("%(comment)s (proposal #%(id)s, approved by %(name)s)")
_WRITTEN = (
    (re.compile(r"Revert of revision #(?P<id>\d+)\Z"), _REVERT),
    (re.compile(r"Revert of revision #(?P<id>\d+): (?P<comment>.*)\Z", re.S), _REVERT_SAYING),
    (re.compile(r"Imported from (?P<name>.+)\Z", re.S), _IMPORT),
    (re.compile(r"\(proposal #(?P<id>\d+), approved by (?P<name>.+)\)\Z", re.S), _APPROVED),
    (
        re.compile(r"(?P<comment>.*) \(proposal #(?P<id>\d+), approved by (?P<name>.+)\)\Z", re.S),
        _APPROVED_SAYING,
    ),
)


def revert_comment(revision_id: int, comment: str = "") -> str:
    """The comment of a revert: the revision it undoes, and why if the admin said."""
    if comment:
        return _REVERT_SAYING % {"id": revision_id, "comment": comment}
    return _REVERT % {"id": revision_id}


def import_comment(name: str) -> str:
    """The comment of each row an import writes."""
    return _IMPORT % {"name": name}


def approval_comment(proposal_id: int, reviewer: str, comment: str = "") -> str:
    """The comment of each row an approved proposal writes: its author's, and who approved it.

    >>> comment_phrase(approval_comment(7, "ana", "typo")).values
    {'comment': 'typo', 'id': 7, 'name': 'ana'}
    """
    if comment:
        return _APPROVED_SAYING % {"comment": comment, "id": proposal_id, "name": reviewer}
    return _APPROVED % {"id": proposal_id, "name": reviewer}


def comment_phrase(comment: str) -> str:
    """A stored comment as a Phrase when the app wrote it, else as written.

    >>> comment_phrase("Revert of revision #12: typo").values
    {'id': 12, 'comment': 'typo'}
    >>> type(comment_phrase("Fixed the date")).__name__
    'str'
    """
    if comment == SEED_COMMENT:
        return Phrase(SEED_COMMENT)
    for pattern, message in _WRITTEN:
        found = pattern.match(comment)
        if found:  # a revision's number as a number: the reader's digits write it
            values = found.groupdict()
            return Phrase(message, **{k: int(v) if k == "id" else v for k, v in values.items()})
    return comment


def snapshot(obj) -> dict:
    """Column values of `obj` as JSON-ready data, plus its source refs/ids."""
    out = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in _SKIP:
            continue
        value = getattr(obj, attr.key)
        out[attr.key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    if hasattr(obj, "sources"):
        out["source_ids"] = sorted(s.id for s in obj.sources)
    if type(obj).__tablename__ == "event":
        out["site_ids"] = sorted(s.id for s in obj.sites)
    return out


def diff(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """(field, old, new) for every field that differs; empty values count as equal."""
    before, after = before or {}, after or {}
    rows = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old != new and not (_empty(old) and _empty(new)):
            rows.append((key, old, new))
    return rows


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def record(
    obj, action: str, before: dict | None, user=None, comment: str = "", flush: bool = True
) -> Revision:
    """Add a Revision for `obj` to the session (the caller commits)."""
    if flush:
        db.session.flush()
    rev = Revision(
        entity=type(obj).__tablename__,
        entity_id=obj.id,
        action=action,
        user_id=getattr(user, "id", None),
        site_id=_site_id(obj),
        before=before,
        after=None if action == "delete" or inspect(obj).deleted else snapshot(obj),
        comment=comment,
    )
    db.session.add(rev)
    return rev


def _site_id(obj) -> int | None:
    if type(obj).__tablename__ == "site":
        return obj.id
    return getattr(obj, "site_id", None)


def recent_source_ids(user_id: int | None, limit: int = 8, scan: int = 200) -> list[int]:
    """The sources `user_id` cited (or created) most recently, newest first."""
    if user_id is None:
        return []
    revs = db.session.scalars(
        select(Revision)
        .where(Revision.user_id == user_id, Revision.after.is_not(None))
        .order_by(Revision.id.desc())
        .limit(scan)
    )
    out: dict[int, None] = {}
    for rev in revs:
        after = rev.after or {}
        ids = [rev.entity_id] if rev.entity == "source" else after.get("source_ids") or []
        if rev.entity == "verification":  # a confirmation cites one source
            ids = [after.get("source_id")]
        out.update((i, None) for i in ids if isinstance(i, int))
        if len(out) >= limit:
            break
    return list(out)[:limit]


def from_json(column_type, value):
    """Turn a snapshot value back into what the column holds."""
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(value)
    return value
