"""A contributor's valid editor form, stored as a proposal instead of being saved."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.core import bounds, clock
from app.db.models import Actor, Proposal, Site
from app.extensions import db
from app.web import i18n
from app.web.editor.entities import KINDS, describe
from app.web.editor.saving import shown
from app.web.i18n import gettext as _
from app.web.js_strings import bound_short
from app.web.params import MAX_ID, whole_number

#: Fields that say nothing about the change itself.
_NOT_SHOWN = {"comment", "version", "submit", "csrf_token", "confirm_location"}


def pairs() -> list[list[str]]:
    """The submitted form as [field, value] pairs (multi-valued fields kept), no CSRF token."""
    return [
        [name, value]
        for name, values in request.form.lists()
        if name != "csrf_token"
        for value in values
    ]


def site_of(row) -> int | None:
    """The site a row belongs to (a site is its own), for the queue and the preview."""
    if type(row).__tablename__ == "site":
        return row.id
    return getattr(row, "site_id", None)


def resubmitting(kind: str, action: str, target_id, site_id=None) -> Proposal | None:
    """The signed-in user's proposal named by ?proposal=, sent back for changes and of
    this form; None without the parameter."""
    raw = request.args.get("proposal")
    if raw is None:
        return None
    number = whole_number(raw)
    if number is None or number > MAX_ID:
        abort(400, description=_("parameter 'proposal': a proposal number"))
    found = db.session.get(Proposal, number)
    same = found is not None and (found.kind, found.action, found.target_id) == (
        kind,
        action,
        target_id,
    )
    if not same or found.user_id != current_user.id:
        abort(404, description=_("No such proposal of yours for this form."))
    if site_id is not None and found.site_id != site_id:
        abort(404, description=_("No such proposal of yours for this form."))
    if found.state != "changes_requested":
        abort(409, description=_("Only a proposal sent back for changes can be edited."))
    return found


def prefill(proposal: Proposal | None) -> dict:
    """Form arguments that show a proposal's stored input (GET only)."""
    if proposal is None or request.method != "GET":
        return {}
    return {"formdata": MultiDict(proposal.form)}


def described(p: Proposal) -> str:
    """A proposal's one line in the reader's language: a logged change is worded again from
    its stored input (site, new holder or status, date in words), an edit or a deletion
    from the row it is about; others (and a row since deleted) as stored."""
    if p.action in ("update", "delete") and p.target_id is not None:
        target = db.session.get(KINDS[p.kind].model, p.target_id)
        return p.summary if target is None else describe(target)
    if not p.action.startswith("log-") or p.site_id is None:
        return p.summary
    site = db.session.get(Site, p.site_id)
    value, date = logged_change(p)
    if site is None or not value:
        return p.summary
    return _(
        "%(site)s: %(value)s from %(date)s",
        site=i18n.actor_label(site.name, site.name_ar),
        value=value,
        date=date,
    )


def logged_change(p: Proposal) -> tuple[str, str]:
    """A logged change's new holder or status ("" if gone) and its date, in the reader's
    language, from its stored input."""
    given = dict(p.form)
    if p.action == "log-control":
        actor = db.session.get(Actor, whole_number(given.get("actor_id", "")) or 0)
        value = i18n.actor_label(actor.name, actor.name_ar) or "" if actor else ""
    else:
        value = i18n.word(given.get("status", ""))
    try:
        date = bound_short(bounds.parse(given.get("date", "")))
    except bounds.BoundError:
        date = given.get("date", "")
    return value, date


def summary(action: str, form, target) -> str:
    """One line naming the change, for the queue."""
    if target is not None:
        return describe(target)
    if action.startswith("log-"):
        return _(
            "%(site)s: %(value)s from %(date)s",
            site=form.site.name,
            value=form.new_label(),
            date=form.date.data.text,
        )
    shown_fields = [
        f"{field.label.text}: {shown(field)}"
        for name, field in form._fields.items()
        if name not in _NOT_SHOWN and shown(field) not in ("—", _("no"))
    ]
    return "; ".join(shown_fields[:4])


def propose(again, kind: str, action: str, form, *, target=None, site_id=None, base_version=None):
    """Store the valid form as a pending proposal (or update the one sent back for
    changes) and show it; nothing in the record changes."""
    proposal = again or Proposal(
        user_id=current_user.id,
        kind=kind,
        action=action,
        target_id=getattr(target, "id", None),
    )
    proposal.site_id = site_id
    proposal.base_version = base_version if base_version is not None else form.version.data or ""
    proposal.form = pairs()
    proposal.summary = summary(action, form, target)[:300]
    proposal.comment = form.comment.data or ""
    proposal.state = "pending"
    proposal.created_at = clock.now()
    proposal.reviewer_id, proposal.reviewed_at, proposal.reason = None, None, ""
    db.session.add(proposal)
    db.session.commit()
    flash(
        _(
            "Proposed for review (#%(id)s): an editor checks it before it is published.",
            id=proposal.id,
        ),
        "info",
    )
    return redirect(url_for("review.show", proposal_id=proposal.id))


def pending_count() -> int:
    """How many proposals wait for a reviewer (one COUNT query, for the top bar)."""
    return db.session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.state == "pending")
    )
