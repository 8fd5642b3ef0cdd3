"""Editor routes: lists, create/edit/delete of every kind, and "log a change" per site."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.core import bounds, clock, geo
from app.db import queries, records
from app.db.models import Revision
from app.extensions import db
from app.web.editor import bp, saving
from app.web.editor.current import currently, day_of
from app.web.editor.entities import KIND_RULE, KINDS, describe
from app.web.editor.forms import EditForm, LogControlForm, LogStatusForm
from app.web.i18n import gettext as _
from app.web.i18n import said
from app.web.js_strings import bound_reading
from app.web.params import date_arg, site_arg, site_or_404
from app.web.review import proposals

# 422: the input was understood but breaks a rule; 409: the row changed meanwhile.
INVALID, CONFLICT = 422, 409
#: The editor kind of each log-a-change form.
KIND_OF = {"control": "control-periods", "status": "status-periods"}


@bp.get("/")
def index():
    """Start page: log a change at a site, or open a list."""
    recent = db.session.scalars(select(Revision).order_by(Revision.id.desc()).limit(10))
    return render_template(
        "editor/index.html",
        sites=queries.all_sites(),
        kinds=KINDS,
        recent=list(recent),
        describe=describe,
    )


@bp.get(f"/<{KIND_RULE}>/")
def list_rows(kind: str):
    """Every row of one kind; periods can be narrowed with ?site=<slug>."""
    k = KINDS[kind]
    site = site_arg()
    return render_template("editor/list.html", k=k, rows=k.rows(site), site=site, describe=describe)


@bp.route(f"/<{KIND_RULE}>/new", methods=["GET", "POST"])
def create(kind: str):
    """Form for a new row; POST saves it and goes back to the list."""
    k = KINDS[kind]
    again = proposals.resubmitting(kind, "create", None)
    form = k.form(**proposals.prefill(again))
    if request.method == "GET":
        _prefill_site(form)
        return _render_form(k, form, None)
    if not form.validate():
        return _render_form(k, form, None), INVALID
    if not current_user.publishes:
        return proposals.propose(again, kind, "create", form, site_id=_site_id_of(form))
    obj = k.model()
    try:
        saving.create(obj, form)
    except saving.Refused as exc:  # a row saved meanwhile collides (same slug, overlap)
        saving.recheck(form, str(exc))
        return _render_form(k, form, None), CONFLICT
    flash(_("Created %(kind)s “%(what)s”.", kind=k.singular, what=describe(obj)), "info")
    return redirect(url_for(".list_rows", kind=kind))


@bp.route(f"/<{KIND_RULE}>/<int:row_id>/edit", methods=["GET", "POST"])
def edit(kind: str, row_id: int):
    """Form for an existing row; refuses with 409 when it changed since it was opened."""
    k = KINDS[kind]
    obj = _get(k, row_id)
    again = proposals.resubmitting(kind, "update", obj.id)
    if request.method == "GET":
        form = k.form(record_id=obj.id, **proposals.prefill(again)) if again else filled(k, obj)
        return _render_form(k, form, obj)
    form = k.form(record_id=obj.id)
    if not form.validate():
        return _render_form(k, form, obj), INVALID
    if not current_user.publishes:
        if form.version.data != str(obj.version):
            clash = saving.conflict(form, obj, lambda row: filled(k, row))
            return _render_form(k, form, obj, conflict=clash), CONFLICT
        return proposals.propose(
            again, kind, "update", form, target=obj, site_id=proposals.site_of(obj)
        )
    try:
        clash = saving.update(obj, form, lambda row: filled(k, row))
    except saving.Refused as exc:
        saving.recheck(form, str(exc))
        return _render_form(k, form, db.session.get(k.model, row_id)), CONFLICT
    if clash:
        return _render_form(k, form, obj, conflict=clash), CONFLICT
    flash(_("Saved %(kind)s “%(what)s”.", kind=k.singular, what=describe(obj)), "info")
    return redirect(url_for(".list_rows", kind=kind))


@bp.route(f"/<{KIND_RULE}>/<int:row_id>/delete", methods=["GET", "POST"])
def delete(kind: str, row_id: int):
    """Confirm, then delete a row (admins; a contributor proposes it for an admin's
    review); refused while other rows use it."""
    if current_user.publishes and not current_user.is_admin:
        abort(403, description=_("This needs the admin role (deleting and reverting)."))
    k = KINDS[kind]
    obj = _get(k, row_id)
    form = EditForm(obj=obj)
    blockers = records.delete_blockers(obj)
    if request.method == "GET" or blockers or not form.validate():
        status = 200 if request.method == "GET" else CONFLICT if blockers else INVALID
        return render_template(
            "editor/delete.html", k=k, obj=obj, form=form, blockers=blockers, describe=describe
        ), status
    if form.version.data != str(obj.version):
        why = _("someone changed it since you opened this page. Check it and delete again.")
        return _delete_refused(k, obj, form, why)
    if not current_user.publishes:
        return proposals.propose(
            None, kind, "delete", form, target=obj, site_id=proposals.site_of(obj)
        )
    return _delete(k, obj, form)


def _delete(k, obj, form):
    """Delete with a revision; a concurrent change makes it a refusal."""
    label, row_id = describe(obj), obj.id
    try:
        saving.delete(obj, saving.by_form(form))
    except (StaleDataError, saving.Refused):
        db.session.rollback()
        current = db.session.get(k.model, row_id)
        if current is None:
            flash(_("Already deleted: %(kind)s “%(what)s”.", kind=k.singular, what=label), "info")
            return redirect(url_for(".list_rows", kind=k.slug))
        return _delete_refused(
            k, current, form, _("someone changed it meanwhile. Check it and delete again.")
        )
    flash(
        _(
            "Deleted %(kind)s “%(what)s”. An admin can undo this from the history.",
            kind=k.singular,
            what=label,
        ),
        "info",
    )
    return redirect(url_for(".list_rows", kind=k.slug))


def _delete_refused(k, obj, form, why: str):
    """The delete page again with the comment kept, re-armed with the current version."""
    form.version.data = str(obj.version)
    flash(_("Not deleted: %(why)s", why=why), "error")
    return render_template(
        "editor/delete.html",
        k=k,
        obj=obj,
        form=form,
        blockers=records.delete_blockers(obj),
        describe=describe,
    ), CONFLICT


@bp.route("/sites/<slug>/log-control", methods=["GET", "POST"])
def log_control(slug: str):
    """Log a control change: the open period ends on Date, the new controller starts."""
    return _log_change(slug, LogControlForm, "control")


@bp.route("/sites/<slug>/log-status", methods=["GET", "POST"])
def log_status(slug: str):
    """Log a status change (open, closed, restricted, unknown) from Date."""
    return _log_change(slug, LogStatusForm, "status")


@bp.get("/log-change")
def log_change_for():
    """?site=<slug>&date=YYYY-MM-DD (from the map or a site page): the site's
    log-a-control-change form with Date filled in; without a site, the editor's list of
    sites to log a change at."""
    site = site_arg()
    day = date_arg("date")
    if site is None:
        return redirect(url_for(".index"))
    return redirect(url_for(".log_control", slug=site.slug, date=day and day.isoformat()))


@bp.get("/sites/<slug>/current")
def current(slug: str):
    """What the record says about the site on ?date= (EDTF; today without one), for the
    "Currently: …" line beside Date; ?what=status for the status form."""
    site = _site(slug)
    what = "status" if request.args.get("what") == "status" else "control"
    day = day_of(request.args.get("date"))
    return jsonify(date=day.isoformat(), text=currently(site.slug, day, what))


@bp.get("/layers.json")
def layers():
    """Border and country outlines for the point picker (no tiles needed)."""
    return jsonify(geo.display_layers(current_app.config["GEODATA_DIR"]))


@bp.get("/date-reading")
def date_reading():
    """An EDTF date in plain words, for the reading beside the date fields as one types."""
    text = request.args.get("text", "")
    try:
        bound = bounds.parse(text)
    except bounds.BoundError as exc:
        # A 200: the question was answered (a refusal is the answer, shown beside the field).
        return jsonify(text=text, error=said(exc))
    return jsonify(
        text=bound.text,
        reading=bound_reading(bound),
        earliest=clock.iso_day(bound.earliest),
        latest=clock.iso_day(bound.latest),
    )


def _log_change(slug: str, form_cls, what: str):
    """GET and POST of the log-a-change forms."""
    site = _site(slug)
    again = proposals.resubmitting(KIND_OF[what], f"log-{what}", None, site.id)
    form = form_cls(site=site, **proposals.prefill(again))
    # Held for the whole request, so the UPDATE checks the version the token shows.
    current = open_row(form)
    token = log_token(current)
    if request.method == "GET":
        form.version.data = token
        day = date_arg("date")
        if day is not None and again is None:
            form.date.data = bounds.exact(min(day, clock.today()))
        return _render_log(form, what)
    if not form.validate():
        return _render_log(form, what), INVALID
    if form.version.data != token:
        form.version.data = token
        flash(
            _(
                "Not saved: the current period of this site changed since you opened "
                "the form. Check the record below, then Save again."
            ),
            "error",
        )
        return _render_log(form, what), CONFLICT
    if not current_user.publishes:
        return proposals.propose(
            again, KIND_OF[what], f"log-{what}", form, site_id=site.id, base_version=token
        )
    try:
        new = saving.log_change(form, current)
    except StaleDataError:
        db.session.rollback()
        flash(
            _(
                "Not saved: someone changed this site's periods meanwhile. Check the "
                "record below, then Save again."
            ),
            "error",
        )
        return _render_log(form, what), CONFLICT
    except saving.Refused as exc:
        saving.recheck(form, str(exc))
        return _render_log(form, what), CONFLICT
    flash(_("Logged: %(what)s.", what=describe(new)), "info")
    # Back on the day of the change, so the site page shows what the editor was working on.
    day = day_of(form.date.data.text)
    return redirect(url_for("main.site", slug=site.slug, date=day.isoformat()))


def open_row(form):
    """The site's open period (end = None) of the form's kind, or None."""
    model = form.model
    return db.session.scalar(
        select(model).where(model.site_id == form.site.id, model.end_edtf.is_(None))
    )


def log_token(row) -> str:
    """The log-a-change forms' version token: the open period and its version, or "none"."""
    return f"{row.id}:{row.version}" if row else "none"


def _render_log(form, what: str):
    """The log-a-change page with the site's recorded periods."""
    periods = form.site.control_periods if what == "control" else form.site.status_periods
    kind = "control-periods" if what == "control" else "status-periods"
    date = form.date.data if isinstance(form.date.data, bounds.Bound) else None
    return render_template(
        "editor/log_change.html",
        form=form,
        site=form.site,
        what=what,
        periods=periods,
        kind=kind,
        describe=describe,
        currently=currently(form.site.slug, day_of(date.text if date else None), what),
    )


def _render_form(k, form, obj, conflict=None):
    """The create/edit page of one kind."""
    return render_template(
        "editor/form.html", k=k, form=form, obj=obj, conflict=conflict, describe=describe
    )


def filled(k, obj):
    """A form of kind `k` showing the stored row (no request data)."""
    form = k.form(formdata=None, obj=obj, record_id=obj.id)
    form.load(obj)
    return form


def _site_id_of(form) -> int | None:
    """The site a new row belongs to (periods), for the review queue."""
    return form.site_id.data if "site_id" in form._fields else None


def _prefill_site(form) -> None:
    """Preselect ?site=<slug> on new period forms."""
    site = site_arg()
    if site is not None and "site_id" in form._fields:
        form.site_id.data = site.id


def _get(k, row_id: int):
    """The row of kind `k` with this id, or 404."""
    return db.session.get(k.model, row_id) or abort(
        404, description=_("No %(kind)s #%(id)s.", kind=k.singular, id=row_id)
    )


def _site(slug: str):
    """The site with this slug, or 404."""
    return site_or_404(slug)
