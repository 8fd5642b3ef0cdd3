"""Confirm that a site's record still holds on a day, with a source: its "last verified"."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.validators import ValidationError

from app.core import clock
from app.core.vocabulary import FIRST_DAY
from app.db import freshness, revisions
from app.db.models import Site, Verification
from app.extensions import db
from app.web.editor import bp, saving
from app.web.editor.current import currently
from app.web.editor.fields import DayField, not_future
from app.web.editor.forms import REQUIRED, SOURCE_GROUP, EditForm, SourcesMixin, _note, fail
from app.web.i18n import gettext as _
from app.web.params import date_arg, site_arg, site_or_404

# 422: the input was understood but breaks a rule.
INVALID = 422


def _not_before_record(_form, field) -> None:
    """Validator: no earlier than the record's first day."""
    if field.data and field.data < FIRST_DAY:
        raise ValidationError(
            _("must not be before the record begins (%(first)s)", first=FIRST_DAY.isoformat())
        )


class VerifyForm(SourcesMixin, EditForm):
    """The day the site's record was confirmed, the one source that confirms it, a note."""

    date = DayField(
        _l("Date"),
        [REQUIRED, not_future, _not_before_record],
        description=_l("The day the source shows the recorded state still holding (YYYY-MM-DD)."),
    )
    note = _note()
    groups = (
        (_l("Confirmation"), ("date", "note")),
        SOURCE_GROUP,
        (_l("Save"), ("comment",)),
    )

    def check(self) -> bool:
        if not super().check():
            return False
        inline = bool(self.source_title.data)
        count = len(self.source_ids.data or []) + int(inline)
        if count == 0:
            return fail(
                self.source_ids,
                _("pick the source that confirms it, or fill in Source title (and URL)"),
            )
        if count > 1:
            return fail(self.source_ids, _("pick one source (a confirmation cites exactly one)"))
        return True


@bp.route("/sites/<slug>/verify", methods=["GET", "POST"])
def verify(slug: str):
    """Confirm the site's recorded state still holds on Date (editors and admins)."""
    site = site_or_404(slug)
    if not current_user.publishes:
        abort(403, description=_("Confirming a site needs the editor role."))
    form = VerifyForm()
    if request.method == "GET":
        day = date_arg("date")
        form.date.data = min(day, clock.today()) if day else clock.today()
        return _render(form, site)
    if not form.validate():
        return _render(form, site), INVALID
    try:
        _save(site, form)
    except saving.Refused as exc:
        saving.recheck(form, str(exc))
        return _render(form, site), INVALID
    flash(
        _("Confirmed: %(name)s still holds on %(date)s.", name=site.name, date=form.date.data),
        "info",
    )
    # Back on the confirmed day, so the site page shows the state that was confirmed.
    return redirect(url_for("main.site", slug=site.slug, date=form.date.data.isoformat()))


@bp.get("/verify")
def verify_for():
    """?site=<slug>&date=YYYY-MM-DD (from the map's popup): that site's confirmation form
    with Date filled in; without a site, the editor's start page."""
    site = site_arg()
    day = date_arg("date")
    if site is None:
        return redirect(url_for(".index"))
    return redirect(url_for(".verify", slug=site.slug, date=day and day.isoformat()))


def _save(site: Site, form: VerifyForm) -> Verification:
    """The verification and any new source, with their revisions, in one commit."""
    comment = form.comment.data or ""
    sources, created = form.chosen_sources()
    row = Verification(site=site, day=form.date.data, source=sources[0], note=form.note.data or "")
    db.session.add(row)
    try:
        for obj in (*created, row):
            revisions.record(obj, "create", None, current_user, comment)
    except IntegrityError as exc:
        db.session.rollback()
        raise saving.Refused(str(exc.orig).strip().splitlines()[0][:300]) from None
    saving.commit()
    return row


def _render(form: VerifyForm, site: Site):
    """The confirmation page: what the record says on Date, and when it was last verified."""
    day = form.date.data if isinstance(form.date.data, dt.date) else clock.today()
    return render_template(
        "editor/verify.html",
        form=form,
        site=site,
        currently=currently(site.slug, min(day, clock.today()), "control"),
        status_line=currently(site.slug, min(day, clock.today()), "status"),
        last_verified=freshness.last_verified_bound(site.id),
    )
