"""Blueprint "history": who changed what and when, readable diffs, and revert (admins)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from app.db import queries, records, revisions
from app.db.models import Actor, Crossing, Revision, Site, Source
from app.db.revert import RevertRefused, revert
from app.extensions import db
from app.web.auth import admin_required
from app.web.editor.fields import plain_text, strip
from app.web.i18n import actor_label, number, said, word
from app.web.i18n import gettext as _
from app.web.params import number_arg, site_arg, site_or_404

bp = Blueprint("history", __name__)

#: Actions (one logged change, one import, one edit) per page, and the revisions of one
#: action shown in full inside it.
PAGE_SIZE = 25
SHOWN = 20
#: Revisions by one user with one comment written within this time form one action.
SAME_ACTION = dt.timedelta(seconds=2)
#: Where a table's rows are edited (None: not editable in the editor).
EDIT_KINDS = {
    "site": "sites",
    "actor": "actors",
    "source": "sources",
    "event": "events",
    "control_period": "control-periods",
    "status_period": "status-periods",
}
LABELS = {
    "start_edtf": _l("Start"),
    "end_edtf": _l("End"),
    "end": _l("End"),  # an event's last day
    "date_edtf": _l("Date"),
    "actor_id": _l("Controller"),
    "challenger_id": _l("Challenger"),
    "site_id": _l("Site"),
    "parent_id": _l("Parent"),
    "crossing_id": _l("Crossing"),
    "source_ids": _l("Sources"),
    "site_ids": _l("Sites"),
    "name_ar": _l("Arabic name"),
    "name_ar_transliterated": _l("Arabic name is a transliteration"),
    "short_ar": _l("Arabic short label"),
    "lon": _l("Longitude"),
    "lat": _l("Latitude"),
    "radius_km": _l("Radius (km)"),
    "url": _l("URL"),
    "archived_url": _l("Archived URL"),
    "ref": _l("Reference code"),
    "slug": _l("Slug"),
    "name": _l("Name"),
    "short": _l("Short label"),
    "kind": _l("Kind"),
    "colour": _l("Colour"),
    "note": _l("Note"),
    "title": _l("Title"),
    "description": _l("Description"),
    "confidence": _l("Confidence"),
    "status": _l("Status"),
    "contested": _l("Contested"),
    "country": _l("Country"),
    "aliases": _l("Other spellings"),
    "location_precision": _l("Location precision"),
    "precision": _l("Date precision"),
    "published_precision": _l("Publication date precision"),
    "location_note": _l("About the location"),
    "publisher": _l("Publisher"),
    "published": _l("Published"),
    "language": _l("Language"),
    "accessed": _l("Accessed"),
}
# Fields holding a vocabulary value ("high", "closed", "SY"), shown in the reader's words.
_VOCABULARY = {
    "confidence",
    "status",
    "kind",
    "country",
    "precision",
    "published_precision",
    "location_precision",
}
# Days derived from a bound's EDTF text: the text alone is shown.
_DERIVED = {"start_earliest", "start_latest", "end_earliest", "end_latest", "date", "date_latest"}
# Snapshot keys holding ids of other rows, and the table they point at.
_REFS = {
    "actor_id": Actor,
    "challenger_id": Actor,
    "parent_id": Actor,
    "site_id": Site,
    "site_ids": Site,
    "source_ids": Source,
    "crossing_id": Crossing,
}


class RevertForm(FlaskForm):
    """Revert button with an optional comment."""

    comment = StringField(
        _l("Comment for the history"), [Length(max=500), plain_text], filters=[strip]
    )
    submit = SubmitField(_l("Revert this change"))


@dataclass(frozen=True)
class Entry:
    """One revision as the history page shows it."""

    rev: Revision
    title: str  # what changed, in the reader's words: "control period #12"
    name: str  # which row, as written in the data: "al-Qa'im: ISIS"
    kind: str | None
    rows: list[tuple[str, str, str]]


@dataclass(frozen=True)
class Action:
    """The revisions one save wrote (a logged change closes a period and opens another,
    maybe adding a source): one entry of the history page."""

    entries: list[Entry]
    count: int
    ids: tuple[int, int]

    @property
    def lead(self) -> Entry:
        """The entry that names the action: its newest creation, else its newest entry."""
        return next((e for e in self.entries if e.rev.action == "create"), self.entries[0])

    @property
    def label(self) -> str:
        """ "change" for a save that wrote several rows, else the revision's action."""
        if self.count == 1:
            return self.entries[0].rev.action
        actions = {e.rev.action for e in self.entries}
        return actions.pop() if len(actions) == 1 else "change"


def group_actions(keys) -> list[list[int]]:
    """Revision ids (newest first) grouped per action: consecutive revisions of one user
    with one comment, written within SAME_ACTION of each other. `keys` are
    (id, user_id, comment, at) rows, newest first."""
    groups: list[list[int]] = []
    last = None
    for rev_id, user_id, comment, at in keys:
        if (
            last is not None
            and (user_id, comment) == last[:2]
            and at is not None
            and last[2] is not None
            and abs(last[2] - at) <= SAME_ACTION
        ):
            groups[-1].append(rev_id)
        else:
            groups.append([rev_id])
        last = (user_id, comment, at)
    return groups


@bp.get("/history")
@login_required
def index():
    """Every revision, newest first, optionally of one site (?site=<slug>)."""
    return _page(site_arg(), "history.html")


@bp.get("/sites/<slug>/history")
@login_required
def site_history(slug: str):
    """The history tab of one site."""
    site = site_or_404(slug)
    return _page(site, "site_history.html")


@bp.get("/history/<int:revision_id>")
@login_required
def show(revision_id: int):
    """One revision with its full diff and, for admins, the revert button."""
    rev = _revision(revision_id)
    return render_template("revision.html", entry=entries([rev])[0], form=RevertForm())


@bp.post("/history/<int:revision_id>/revert")
@admin_required
def revert_view(revision_id: int):
    """Undo one revision; the revert is itself a revision."""
    rev = _revision(revision_id)
    form = RevertForm()
    if not form.validate():
        return render_template("revision.html", entry=entries([rev])[0], form=form), 422
    try:
        new = revert(rev, current_user, form.comment.data or "")
    except RevertRefused as exc:
        flash(_("Not reverted: %(why)s", why=said(exc)), "error")
        return render_template("revision.html", entry=entries([rev])[0], form=form), 409
    flash(
        _("Reverted revision #%(old)s; the revert is revision #%(new)s.", old=rev.id, new=new.id),
        "info",
    )
    return redirect(url_for(".show", revision_id=new.id))


def _page(site: Site | None, template: str):
    """Render one page of actions (grouped revisions), of one site or of all."""
    page = _page_number()
    stmt = select(Revision.id, Revision.user_id, Revision.comment, Revision.at)
    if site is not None:
        stmt = stmt.where(Revision.site_id == site.id)
    groups = group_actions(
        db.session.execute(stmt.order_by(Revision.at.desc(), Revision.id.desc())).all()
    )
    shown = groups[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    wanted = [i for group in shown for i in group[:SHOWN]]
    revs = db.session.scalars(select(Revision).where(Revision.id.in_(wanted))).all()
    by_id = {e.rev.id: e for e in entries(list(revs))}
    actions = [
        Action([by_id[i] for i in group[:SHOWN]], len(group), (min(group), max(group)))
        for group in shown
    ]
    return render_template(
        template,
        actions=actions,
        site=site,
        page=page,
        pages=max(1, math.ceil(len(groups) / PAGE_SIZE)),
        total=len(groups),
        revisions=sum(map(len, groups)),
        sites=queries.all_sites(),
    )


def _page_number() -> int:
    """The ?page= number, or 400 naming the parameter and the rule."""
    return number_arg("page", 1, 999_999_999, 1)


def _revision(revision_id: int) -> Revision:
    """The revision with this id, or 404."""
    return db.session.get(Revision, revision_id) or abort(
        404, description=_("No revision #%(id)s.", id=revision_id)
    )


def entries(revs: list[Revision]) -> list[Entry]:
    """Readable entries for revisions: titles, and field-level diffs with names for ids."""
    names = _names(revs)
    return [
        Entry(
            rev,
            *_title(rev, names),
            EDIT_KINDS.get(rev.entity),
            [
                (label(key), shown(key, old, names), shown(key, new, names))
                for key, old, new in revisions.diff(rev.before, rev.after)
                if key != "id" and key not in _DERIVED
            ],
        )
        for rev in revs
    ]


def label(key: str) -> str:
    """Human name of a snapshot field."""
    return str(LABELS.get(key) or key.replace("_", " ").capitalize())


def shown(key: str, value, names: dict) -> str:
    """A snapshot value as text: names instead of ids, yes/no, dashes for empty."""
    if value is None or value == "" or value == []:
        return "—"
    if key in _REFS:
        ids = value if isinstance(value, list) else [value]
        return "; ".join(names.get((_REFS[key], i), f"#{i} (deleted)") for i in ids)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in _VOCABULARY:
        return word(str(value))
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _names(revs: list[Revision]) -> dict:
    """(model, id) -> name for every id the revisions mention."""
    wanted: dict[type, set[int]] = {}
    for rev in revs:
        for snap in (rev.before or {}, rev.after or {}):
            for key, model in _REFS.items():
                value = snap.get(key)
                ids = value if isinstance(value, list) else [value]
                wanted.setdefault(model, set()).update(i for i in ids if i is not None)
    out = {}
    for model, ids in wanted.items():
        for row in db.session.scalars(select(model).where(model.id.in_(ids))):
            out[(model, row.id)] = _name(row)
    return out


def _name(row) -> str:
    """How a referenced row is named in diffs."""
    if isinstance(row, Source):
        return f"[{row.ref}] {row.title}" if row.ref else row.title
    # Actors, sites and crossings: in the reader's language, as on the pages.
    return actor_label(row.name, row.name_ar) or row.name


@bp.app_template_filter("comment")
def comment(text: str) -> str:
    """A revision's comment: the app's own in the reader's language, an editor's as written."""
    return said(revisions.comment_phrase(text))


@bp.app_template_filter("entity_label")
def entity_label(entity: str) -> str:
    """A table's rows as the interface names them: "control period", "فترة سيطرة"."""
    return said(records.entity_name(entity))


def _title(rev: Revision, names: dict) -> tuple[str, str]:
    """("control period #12", "al-Qa'im: ISIS"): what the revision changed, and the name
    of the row (each in its own direction in the page)."""
    snap = rev.after or rev.before or {}
    what = entity_label(rev.entity)
    name = actor_label(snap.get("name"), snap.get("name_ar")) or snap.get("title") or ""
    if "site_id" in snap:
        holder = names.get((Actor, snap.get("actor_id"))) or word(snap.get("status") or "")
        name = f"{names.get((Site, snap['site_id']), '')}: {holder}"
    return f"{what} #{number(rev.entity_id)}", name
