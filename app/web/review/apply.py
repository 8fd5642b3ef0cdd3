"""Approving a proposal: its form rebuilt from the stored input, checked against the record
as it stands now and applied through the editor's own saving code, in one transaction with
the proposal's new state; and the diff and preview of the review page."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from app.core import clock, map_encoding, svg_timeline
from app.db import records, revisions
from app.db.models import Proposal, Site, User
from app.extensions import db
from app.web import i18n, js_strings
from app.web.editor import saving
from app.web.editor.entities import KINDS, Kind, describe
from app.web.editor.forms import EditForm, LogControlForm, LogStatusForm
from app.web.editor.views import filled, log_token, open_row
from app.web.i18n import gettext as _
from app.web.review import proposals

LOG_FORMS = {"log-control": LogControlForm, "log-status": LogStatusForm}
#: Fields that say nothing about the change itself.
_NOT_SHOWN = {"comment", "version", "submit", "csrf_token", "confirm_location"}


@dataclass
class Refusal:
    """Why a proposal cannot be applied now: what differs, or the rules it breaks."""

    status: int
    message: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Rebuilt:
    """A proposal's form, filled from its stored input, and the rows it is about."""

    kind: Kind
    form: object | None
    target: object | None
    site: Site | None


def rebuild(p: Proposal) -> Rebuilt:
    """The editor form of the proposal, as submitted (no CSRF check: it was checked then)."""
    data, meta = MultiDict(p.form), {"csrf": False}
    k = KINDS[p.kind]
    site = db.session.get(Site, p.site_id) if p.site_id else None
    if p.action in LOG_FORMS:
        form = LOG_FORMS[p.action](formdata=data, site=site, meta=meta) if site else None
        return Rebuilt(k, form, None, site)
    target = db.session.get(k.model, p.target_id) if p.target_id else None
    if p.action == "delete":
        form = EditForm(formdata=data, meta=meta)
    elif p.action == "update":
        form = k.form(formdata=data, record_id=p.target_id, meta=meta)
    else:
        form = k.form(formdata=data, meta=meta)
    return Rebuilt(k, form, target, site)


def check(p: Proposal, r: Rebuilt) -> Refusal | None:
    """Why the proposal cannot be applied to the record as it stands now, or None."""
    gone = r.form is None or (p.action in ("update", "delete") and r.target is None)
    if gone:
        return Refusal(409, _("The record this proposal changes no longer exists."))
    if p.action == "update" and r.form.version.data != str(r.target.version):
        clash = saving.conflict(r.form, r.target, lambda row: filled(r.kind, row))
        return Refusal(
            409,
            _("The record changed since the proposal was made: compare, then ask for changes."),
            clash.rows,
        )
    if p.action == "delete" and p.base_version != str(r.target.version):
        return Refusal(409, _("The record changed since its deletion was proposed."))
    if p.action in LOG_FORMS and p.base_version != log_token(open_row(r.form)):
        return Refusal(409, _("The site's current period changed since the proposal was made."))
    if p.action == "delete":
        blockers = records.delete_blockers(r.target)
        if blockers:
            return Refusal(
                409,
                _("It cannot be deleted while it is used by %(rows)s.", rows=", ".join(blockers)),
            )
    if not r.form.validate():
        return Refusal(
            422,
            _("The proposal breaks a rule of the record as it stands now."),
            errors=[
                (f.label.text, "; ".join(map(str, f.errors)))
                for f in r.form._fields.values()
                if f.errors
            ],
        )
    return None


def approve(p: Proposal, reviewer: User) -> Refusal | None:
    """Apply the proposal for its author and mark it approved, in one transaction; a
    Refusal (nothing applied, still pending) when it cannot be applied now."""
    if p.state != "pending":
        return _already_decided(p)
    r = rebuild(p)
    refusal = check(p, r)
    if refusal:
        db.session.rollback()
        return refusal
    # Kept in English, as every comment the app writes: each reader sees it in their language.
    comment = revisions.approval_comment(p.id, reviewer.username, p.comment)
    author = saving.Author(p.user, comment, p.id)
    p.state, p.reviewer_id, p.reviewed_at = "approved", reviewer.id, clock.now()
    try:
        db.session.flush()  # the proposal's version: a second reviewer is stopped here
    except StaleDataError:
        db.session.rollback()
        return Refusal(409, _("Another reviewer decided this proposal meanwhile."))
    try:
        clash = stage(p, r, author, done=True)
    except saving.Refused as exc:
        return Refusal(409, _("The database refused it: %(reason)s", reason=str(exc)))
    except StaleDataError:
        db.session.rollback()
        return Refusal(409, _("The record changed meanwhile: nothing was applied."))
    if clash is not None:
        db.session.rollback()
        return Refusal(409, _("The record changed meanwhile: nothing was applied."), clash.rows)
    return None


def stage(p: Proposal, r: Rebuilt, author: saving.Author, done: bool):
    """Apply the proposal through the editor's saving code (commit when `done`, else only
    flush, for a preview); a Conflict when the row changed."""
    if p.action == "create":
        saving.create(r.kind.model(), r.form, author, done)
    elif p.action == "update":
        return saving.update(r.target, r.form, lambda row: filled(r.kind, row), author, done)
    elif p.action == "delete":
        saving.delete(r.target, author, done)
    else:
        saving.log_change(r.form, open_row(r.form), author, done)
    return None


def decide(p: Proposal, reviewer: User, state: str, reason: str) -> Refusal | None:
    """Reject or send back a pending proposal with a reason."""
    if p.state != "pending":
        return _already_decided(p)
    p.state, p.reviewer_id, p.reviewed_at, p.reason = state, reviewer.id, clock.now(), reason
    return _commit_decision()


def withdraw(p: Proposal) -> Refusal | None:
    """The author takes back a proposal nobody has approved or refused."""
    if p.state not in ("pending", "changes_requested"):
        return _already_decided(p)
    # Dated like a decision: the moment it left the queue dates the reviewers' feed.
    p.state, p.reviewed_at = "withdrawn", clock.now()
    return _commit_decision()


def _commit_decision() -> Refusal | None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return Refusal(409, _("Another reviewer decided this proposal meanwhile."))
    return None


def changes(p: Proposal, r: Rebuilt) -> tuple[list[tuple[str, str, str]], str]:
    """(label, current, proposed) rows of the proposal against the record, or a sentence
    for a log-a-change."""
    if r.form is None:
        return [], ""
    if p.action in LOG_FORMS:
        return [], _logged(p, r)
    if p.action == "create":
        return [
            (f.label.text, "—", saving.shown(f))
            for name, f in r.form._fields.items()
            if name not in _NOT_SHOWN and saving.shown(f) != "—"
        ], ""
    if r.target is None:
        return [], ""
    current = filled(r.kind, r.target)
    if p.action == "delete":
        return [
            (f.label.text, saving.shown(f), "—")
            for name, f in current._fields.items()
            if name not in _NOT_SHOWN and saving.shown(f) != "—"
        ], ""
    return saving.differences(r.form, current), ""


def _logged(p: Proposal, r: Rebuilt) -> str:
    """ "Period X ends on D; new controller Y from D", in the reader's language."""
    value, when = proposals.logged_change(p)
    value, when = value or "?", when or "?"  # an actor deleted since: the form's check says
    old = open_row(r.form)
    if old is None:
        return _("New: %(value)s from %(date)s.", value=value, date=when)
    return _(
        "Period “%(period)s” ends on %(date)s; new: %(value)s from %(date)s.",
        period=describe(old),
        date=when,
        value=value,
    )


def chart(site: Site) -> Markup:
    """The site page's control and status timeline of `site` as the session sees it."""
    labels = js_strings.chart_labels()
    tracks = svg_timeline.site_tracks(
        site, map_encoding.safe_colour, labels, arabic=i18n.language() == "ar"
    )
    svg = svg_timeline.render(
        tracks,
        clock.today(),
        title=_("Control and status of %(name)s", name=site.name),
        labels=labels,
        words=js_strings.date_words(),
    )
    return Markup(svg)


def preview(p: Proposal) -> tuple[Markup | None, Markup | None]:
    """The site's timeline now, and as it would be with the proposal applied (applied in
    a savepoint, drawn, rolled back); None where there is nothing to draw."""
    site = db.session.get(Site, p.site_id) if p.site_id else None
    if site is None:
        return None, None
    before = chart(site)
    r = rebuild(p)
    if check(p, r) is not None:
        db.session.rollback()
        return before, None
    after = None
    nested = db.session.begin_nested()
    try:
        stage(p, r, saving.Author(None, "", p.id), done=False)
        db.session.expire_all()
        changed = db.session.get(Site, p.site_id)
        after = chart(changed) if changed is not None else None
    except (IntegrityError, StaleDataError, saving.Refused):
        after = None
    finally:
        if nested.is_active:
            nested.rollback()
        db.session.rollback()
        db.session.info.pop("data_changed", None)
    return before, after


def _already_decided(p: Proposal) -> Refusal:
    """The refusal of a decision on a proposal someone has decided already."""
    message = _("This proposal was already decided: %(state)s.", state=i18n.word(p.state))
    return Refusal(409, message)
