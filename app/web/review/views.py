"""Blueprint "review": the queue of contributors' proposals, one proposal with its diff and
preview, the decisions on it, the author's own list, and a feed for reviewers."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from app.core import atom, clock
from app.db import freshness
from app.db.models import Proposal, Site, User
from app.extensions import db
from app.web import errors, i18n
from app.web.auth import editor_required
from app.web.editor.entities import KINDS
from app.web.httpcache import public_url
from app.web.i18n import gettext as _
from app.web.review import apply, proposals

bp = Blueprint("review", __name__, url_prefix="/review")
#: The reviewers' feed is negotiated as the public feeds are (406, Vary: Accept).
errors.negotiated(bp, {".atom": atom.FEED_TYPES})

REASON_MAX = 2000
FEED_SALT = "review-feed"


@bp.get("")
@editor_required
def index():
    """Pending proposals, newest first, and the stalest sites."""
    pending = db.session.scalars(
        select(Proposal).where(Proposal.state == "pending").order_by(Proposal.id.desc())
    )
    return render_template(
        "review/index.html",
        proposals=list(pending),
        stale_sites=freshness.stalest_sites(),
        now=clock.now(),
        feed_url=public_url(url_for(".feed", token=feed_token(current_user.id))),
    )


@bp.get("/mine")
@login_required
def mine():
    """The signed-in user's proposals, with what the reviewers decided."""
    found = db.session.scalars(
        select(Proposal).where(Proposal.user_id == current_user.id).order_by(Proposal.id.desc())
    )
    return render_template("review/mine.html", proposals=list(found), now=clock.now())


@bp.get("/<int:proposal_id>")
@login_required
def show(proposal_id: int):
    """One proposal: its diff against the record, the timeline before and after, the
    decision so far and, for reviewers, the buttons."""
    return _page(_visible(proposal_id))


@bp.post("/<int:proposal_id>/approve")
@editor_required
def approve(proposal_id: int):
    """Apply the proposal for its author, re-checked against the record as it stands."""
    proposal = _decidable(proposal_id)
    refusal = apply.approve(proposal, current_user)
    if refusal:
        return _page(db.session.get(Proposal, proposal_id), refusal), refusal.status
    flash(_("Approved and published proposal #%(id)s.", id=proposal_id), "info")
    return redirect(url_for(".index"))


@bp.post("/<int:proposal_id>/reject")
@editor_required
def reject(proposal_id: int):
    """Refuse the proposal, with a reason its author sees."""
    return _decide(proposal_id, "rejected", _("Rejected proposal #%(id)s.", id=proposal_id))


@bp.post("/<int:proposal_id>/ask-changes")
@editor_required
def ask_changes(proposal_id: int):
    """Send the proposal back to its author, with what to change."""
    return _decide(
        proposal_id,
        "changes_requested",
        _("Sent proposal #%(id)s back for changes.", id=proposal_id),
    )


@bp.post("/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int):
    """The author takes back their proposal."""
    proposal = _visible(proposal_id)
    if proposal.user_id != current_user.id:
        abort(403, description=_("Only its author can withdraw a proposal."))
    refusal = apply.withdraw(proposal)
    if refusal:
        return _page(proposal, refusal), refusal.status
    flash(_("Withdrew proposal #%(id)s.", id=proposal_id), "info")
    return redirect(url_for(".mine"))


@bp.get("/feed.atom")
def feed():
    """Pending proposals as Atom, for a reviewer's feed reader (?token= from /review)."""
    user = _feed_user(request.args.get("token", ""))
    if user is None:
        abort(403, description=_("This feed needs the link shown to reviewers on /review."))
    pending = list(
        db.session.scalars(
            select(Proposal).where(Proposal.state == "pending").order_by(Proposal.id.desc())
        )
    )
    entries = [
        atom.Entry(
            id=atom.tag_uri(current_app.config["FEED_TAG_AUTHORITY"], 2026, f"proposal-{p.id}"),
            title=_("Proposal #%(id)s: %(what)s", id=p.id, what=proposals.described(p)),
            updated=p.created_at,
            published=p.created_at,
            link=public_url(url_for(".show", proposal_id=p.id)),
            content=_(
                "%(kind)s, %(action)s, by %(name)s: %(comment)s",
                kind=kind_name(p.kind),
                action=i18n.word(p.action),
                name=p.user.username if p.user else "?",
                comment=p.comment,
            ),
        )
        for p in pending
    ]
    body = atom.feed(
        id=atom.tag_uri(current_app.config["FEED_TAG_AUTHORITY"], 2026, "proposals"),
        title=_("Border Control Atlas: proposals waiting for review"),
        self_url=public_url(request.full_path),
        alternate=public_url(url_for(".index")),
        author="Border Control Atlas",
        updated=_queue_changed(pending),
        entries=entries,
    )
    return body, 200, {"Content-Type": atom.MEDIA_TYPE, "Cache-Control": "private, no-store"}


def _queue_changed(pending: list[Proposal]) -> dt.datetime:
    """When the queue last changed: a proposal came in, or one left it (decided or
    withdrawn). Now only when no proposal was ever made."""
    left = db.session.scalar(select(func.max(Proposal.reviewed_at)))
    moments = [p.created_at for p in pending] + ([left] if left else [])
    return max(map(clock.aware, moments), default=clock.now())


def feed_token(user_id: int) -> str:
    """The signed id in a reviewer's feed link."""
    return _serializer().dumps(user_id)


def _feed_user(token: str) -> User | None:
    """The active editor or admin a feed token names, or None."""
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active and user.publishes else None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


def _decide(proposal_id: int, state: str, done: str):
    """Reject or ask for changes: a reason is required."""
    proposal = _decidable(proposal_id)
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > REASON_MAX:
        message = _("Give a reason (at most %(max)s characters).", max=REASON_MAX)
        return _page(proposal, apply.Refusal(422, message), reason=reason), 422
    refusal = apply.decide(proposal, current_user, state, reason)
    if refusal:
        return _page(db.session.get(Proposal, proposal_id), refusal, reason=reason), refusal.status
    flash(done, "info")
    return redirect(url_for(".index"))


def _decidable(proposal_id: int) -> Proposal:
    """The proposal, if the signed-in reviewer may decide it (not their own; a delete
    needs an admin)."""
    proposal = _visible(proposal_id)
    if proposal.user_id == current_user.id:
        abort(403, description=_("You cannot review your own proposal: another editor must."))
    if proposal.action == "delete" and not current_user.is_admin:
        abort(403, description=_("A proposed deletion needs an admin to decide it."))
    return proposal


def _visible(proposal_id: int) -> Proposal:
    """The proposal, to its author and to reviewers; 404 for anyone else."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not (current_user.publishes or proposal.user_id == current_user.id):
        abort(404, description=_("No proposal #%(id)s.", id=proposal_id))
    return proposal


def _page(proposal: Proposal, refusal: apply.Refusal | None = None, reason: str = ""):
    """The page of one proposal."""
    rebuilt = apply.rebuild(proposal)
    # Once applied, the record holds the change: the history shows it, not a diff.
    applied = proposal.state == "approved"
    rows, logged = ([], "") if applied else apply.changes(proposal, rebuilt)
    before, after = apply.preview(proposal) if proposal.state == "pending" else (None, None)
    return render_template(
        "review/show.html",
        p=proposal,
        k=rebuilt.kind,
        rows=rows,
        logged=logged,
        before=before,
        after=after,
        refusal=refusal,
        reason=reason,
        now=clock.now(),
        resubmit=_resubmit_url(proposal),
    )


def _resubmit_url(p: Proposal) -> str | None:
    """The editor form prefilled from a proposal sent back for changes."""
    if p.state != "changes_requested":
        return None
    if p.action in ("log-control", "log-status"):
        site = db.session.get(Site, p.site_id)
        endpoint = "editor.log_control" if p.action == "log-control" else "editor.log_status"
        return url_for(endpoint, slug=site.slug, proposal=p.id) if site else None
    if p.action == "create":
        return url_for("editor.create", kind=p.kind, proposal=p.id)
    if p.action == "update":
        return url_for("editor.edit", kind=p.kind, row_id=p.target_id, proposal=p.id)
    return None


@bp.app_template_global("pending_proposals")
def pending_proposals() -> int:
    """How many proposals wait for review, for the top bar of editors and admins."""
    return proposals.pending_count()


@bp.app_template_filter("kind_name")
def kind_name(slug: str) -> str:
    """Template filter: a proposal's kind of row in the reader's language ("control period")."""
    kind = KINDS.get(slug)
    return str(kind.singular) if kind else slug


@bp.app_template_filter("described")
def described(p: Proposal) -> str:
    """Template filter: a proposal's one line in the reader's language."""
    return proposals.described(p)
