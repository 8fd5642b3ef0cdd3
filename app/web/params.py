"""Query-string parsing shared by the blueprints: clear 400s naming the parameter.

The messages are for people (error pages and JSON descriptions alike), so they follow the
interface language; parameter names and values stay as they were sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import overload

from flask import Flask, abort, request
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from app.core import timeline
from app.core.clock import today
from app.core.text_rules import N_, is_slug
from app.core.vocabulary import FIRST_DAY, STATE_PARAMS
from app.db import queries
from app.db.models import Site
from app.extensions import db
from app.web import i18n
from app.web.i18n import gettext as _

#: The largest row id in a URL: bigger numbers name no row (and overflow SQLite).
MAX_ID = 2**31 - 1


def whole_number(raw: str) -> int | None:
    """`raw` as a whole number of at most ten ASCII digits, else None ("²" is a digit to
    str.isdigit but not to int(), and a 5,000-digit number is no row)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else None


def init_app(app: Flask) -> None:
    """Bound <int:…> URL parts and refuse NUL characters; call before adding routes."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul)


class IdConverter(IntegerConverter):
    """``<int:…>`` up to MAX_ID, so a huge number is a 404 like any unknown id."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def refuse_nul() -> None:
    """400 for a NUL character in a path part, parameter or form field (no database
    stores it, and it is never typed)."""
    sources = [(N_("path part"), (request.view_args or {}).items())]
    query = request.query_string
    if b"%00" in query or b"\x00" in query:
        sources.append((N_("parameter"), request.args.items(multi=True)))
    # Only a request with a body has fields; most are GETs without one.
    if request.content_length or request.headers.get("Transfer-Encoding"):
        files = ((name, f.filename or "") for name, f in request.files.items(multi=True))
        sources += [(N_("field"), request.form.items(multi=True)), (N_("file name"), files)]
    for what, pairs in sources:
        for name, value in pairs:
            if "\x00" in name or "\x00" in str(value):
                abort(
                    400,
                    description=_(
                        "%(what)s %(name)s: must not contain NUL characters",
                        what=_(what),
                        name=repr(name),
                    ),
                )


#: Blueprints of pages whose HTML forms submit an empty input as `name=` (the map's date).
FORM_PAGES = frozenset({"main", "cite", "history"})


@overload
def given(name: str) -> str | None: ...
@overload
def given(name: str, default: str) -> str: ...
def given(name: str, default: str | None = None) -> str | None:
    """?name= as sent, `default` when absent; on a page an empty value counts as absent."""
    raw = request.args.get(name)
    # A page must not refuse its own form with a cleared input. The API and the downloads
    # are asked by programs and links: there `date=` names no date, and each parameter's
    # rule refuses it (400) rather than answering with the default (today's state).
    if raw is None or (raw == "" and request.blueprint in FORM_PAGES):
        return default
    return raw


def date_arg(name: str = "date", default: dt.date | None = None) -> dt.date | None:
    """Read a YYYY-MM-DD parameter or abort with 400 naming it and the rule."""
    raw = given(name)
    return default if raw is None else day_arg(name, raw)


def day_arg(name: str, raw: str) -> dt.date:
    """`raw` (a parameter or a part of the path) as a YYYY-MM-DD day, or 400 naming it."""
    try:
        return timeline.parse_date(raw)
    except ValueError as exc:
        abort(
            400,
            description=_("parameter '%(name)s': %(problem)s", name=name, problem=i18n.said(exc)),
        )


def within_record(name: str, day: dt.date) -> dt.date:
    """`day` if the record covers it (FIRST_DAY … today), else 400 naming the parameter: a
    state before 2011 or after today would stretch the first or last period, not a fact."""
    now = today()
    if not FIRST_DAY <= day <= now:
        abort(
            400,
            description=_(
                "parameter '%(name)s': must be between %(first)s and %(last)s",
                name=name,
                first=FIRST_DAY.isoformat(),
                last=now.isoformat(),
            ),
        )
    return day


def record_day(name: str = "date") -> dt.date:
    """The ?name= day within the record; today when absent."""
    return within_record(name, date_arg(name) or today())


def only_args(*allowed: str) -> None:
    """Abort with 400 for a parameter the endpoint does not know or one given twice
    (every read also knows the record-state parameters, `known` and `rev`)."""
    allowed = (*allowed, *STATE_PARAMS)
    for name in request.args:
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            abort(
                400,
                description=_(
                    "unknown parameter '%(name)s' (known: %(known)s)", name=name, known=known
                ),
            )
        if len(request.args.getlist(name)) > 1:
            abort(400, description=_("parameter '%(name)s' is given more than once", name=name))


def slug_arg(name: str, model) -> str | None:
    """Read a slug parameter naming an existing row of `model`, or abort with 400."""
    raw = given(name)
    if raw is None:
        return None
    if db.session.scalar(select(model.id).where(model.slug == raw)) is None:
        abort(
            400,
            description=_(
                "parameter '%(name)s': no %(kind)s called %(value)s",
                name=name,
                kind=model.__tablename__,
                value=repr(raw),
            ),
        )
    return raw


def site_arg(name: str = "site") -> Site | None:
    """The Site named by ?site=, None without it; 400 for a malformed or unknown slug.

    The one rule for slugs: an unknown slug in a query parameter is a bad request (400),
    an unknown slug in the path names a page that does not exist (404, site_or_404).
    """
    slug = given(name)
    if slug is None:
        return None
    if len(slug) > 80 or not is_slug(slug):
        abort(
            400,
            description=_(
                "parameter '%(name)s': must be a site slug (lower-case letters, digits and "
                "hyphens)",
                name=name,
            ),
        )
    return queries.site_by_slug(slug) or abort(
        400, description=_("parameter '%(name)s': no site called '%(slug)s'", name=name, slug=slug)
    )


def site_or_404(slug: str) -> Site:
    """The site named in the URL's path, or 404."""
    return queries.site_by_slug(slug) or abort(
        404, description=_("No site called '%(slug)s'.", slug=slug)
    )


def window_args() -> tuple[dt.date | None, dt.date | None]:
    """Read ?from=&to= as a half-open window [from, to); `to` must be after `from`."""
    lo, hi = date_arg("from"), date_arg("to")
    if lo is not None and hi is not None:
        ordered(lo, hi)
    return lo, hi


def ordered(lo: dt.date, hi: dt.date) -> None:
    """400 unless `to` comes after `from`."""
    if hi <= lo:
        abort(
            400,
            description=_(
                "parameter 'to': %(to)s must be after 'from' (%(from)s)", to=hi, **{"from": lo}
            ),
        )


def number_arg(name: str, low: int, high: int, default: int) -> int:
    """?name= as a whole number within [low, high] (`default` when absent), else 400 naming it."""
    raw = given(name)
    if raw is None:
        return default
    # The length check keeps a thousand-digit value from being turned into an int at all;
    # "07" is refused as the number is written one way in links and caches.
    plain = raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))
    if not plain or str(int(raw)) != raw or not low <= int(raw) <= high:
        abort(
            400,
            description=_(
                "parameter '%(name)s': must be a whole number from %(low)s to %(high)s",
                name=name,
                low=low,
                high=high,
            ),
        )
    return int(raw)


def one_of(name: str, value: str, allowed: Sequence[str]) -> str:
    """`value` if it is one of `allowed`, else 400 naming the parameter and the choices."""
    if value not in allowed:
        abort(
            400,
            description=_(
                "parameter '%(name)s': must be one of %(allowed)s, not %(value)s",
                name=name,
                allowed=", ".join(allowed),
                value=repr(value),
            ),
        )
    return value


def flag_arg(name: str) -> bool:
    """Read a 0/1 switch, or abort with 400."""
    raw = given(name, "0")
    if raw not in ("0", "1"):
        abort(
            400,
            description=_(
                "parameter '%(name)s': must be 0 or 1, not %(value)s", name=name, value=repr(raw)
            ),
        )
    return raw == "1"
