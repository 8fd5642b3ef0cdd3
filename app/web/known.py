"""`known=`: every read answers from the record as it stood on a past day or revision.

``?known=YYYY-MM-DD`` is the record at the end of that day (UTC), ``?known=N`` or
``?rev=N`` the record right after revision N (``rev`` wins: a permalink carries both, the
day for people and the revision for exactness). Links on a pinned page keep the pin, so a
reader can walk the past record as they walk the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, abort, g, request

from app.core import clock, timeline
from app.core.vocabulary import STATE_PARAMS
from app.db import known as known_db
from app.extensions import db
from app.web import i18n
from app.web.i18n import gettext as _
from app.web.params import given, whole_number

#: Blueprints whose answers come from the record (editor pages always act on today's).
READERS = frozenset({"main", "api", "ogc", "feeds", "pictures", "cite"})


@dataclass(frozen=True)
class View:
    """The state of the record a request reads."""

    revision: int
    latest: int
    at: dt.datetime | None
    asked: dt.date | None  # the day given as `known`, if one was

    @property
    def pinned(self) -> bool:
        """True when this is an older state than the current record."""
        return self.revision < self.latest

    @property
    def day(self) -> dt.date | None:
        """The day this state is "as known on": the day asked, else the revision's day."""
        return self.asked or (self.at.date() if self.at else None)


def init_app(app: Flask) -> None:
    """Read `known`/`rev` before each reader's request; keep them in the links it makes."""
    app.before_request(_read)
    app.url_defaults(_keep)
    app.context_processor(lambda: {"known_view": view(), "current_record_url": current_record_url})


def view() -> View | None:
    """The record state this request asked for (None: no `known` or `rev`)."""
    return g.get("known_view")


def revision() -> int | None:
    """The past revision this request is pinned to, or None for the current record."""
    found = view()
    return found.revision if found and found.pinned else None


def day() -> dt.date | None:
    """The "as known on" day of a pinned request, else None."""
    found = view()
    return found.day if found and found.pinned else None


def latest_revision() -> int:
    """The newest revision: the data version a citation of the current record names."""
    return known_db.latest_revision(db.session)


def link_args() -> dict[str, str]:
    """Query arguments that keep a pinned request's state in a link ({} when current)."""
    found = view()
    if found is None or not found.pinned:
        return {}
    return {"known": (found.day or clock.today()).isoformat(), "rev": str(found.revision)}


def current_record_url() -> str:
    """This page without `known` and `rev`: the same question asked of today's record."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in STATE_PARAMS]
    return request.path + (f"?{urlencode(kept)}" if kept else "")


def _read() -> None:
    """Resolve `known`/`rev` and pin the request when they name an older state."""
    if request.blueprint not in READERS:
        return
    raw_rev, raw_known = given("rev"), given("known")
    if raw_rev is None and raw_known is None:
        return
    latest = known_db.latest_revision(db.session)
    asked, number = None, None
    if raw_rev is not None:
        number = _revision_number("rev", raw_rev, latest)
    if raw_known is not None and whole_number(raw_known) is not None:
        number = number if number is not None else _revision_number("known", raw_known, latest)
    elif raw_known is not None:
        asked = _day("known", raw_known)
        if number is None:
            number = known_db.revision_on(db.session, asked)
    if number is None:
        return
    at = known_db.revision_time(db.session, number) if number else None
    g.known_view = View(revision=number, latest=latest, at=at, asked=asked)
    if number < latest:
        known_db.pin(known_db.Pin(number, at))


def _revision_number(name: str, raw: str, latest: int) -> int:
    """A revision number that exists (1 … the newest), or 400 naming the parameter."""
    number = whole_number(raw)
    if number is None or not 1 <= number <= max(latest, 1):
        abort(
            400,
            description=_(
                "parameter '%(name)s': must be a revision number from 1 to %(latest)s, "
                "or a day YYYY-MM-DD",
                name=name,
                latest=latest,
            ),
        )
    return number


def _day(name: str, raw: str) -> dt.date:
    """A day that has passed or is today, or 400 naming the parameter."""
    try:
        found = timeline.parse_date(raw)
    except ValueError as exc:
        abort(
            400,
            description=_("parameter '%(name)s': %(problem)s", name=name, problem=i18n.said(exc)),
        )
    if found > clock.today():
        abort(
            400,
            description=_(
                "parameter '%(name)s': %(day)s is in the future; the record can only be "
                "shown as it stood on a day that has passed",
                name=name,
                day=found.isoformat(),
            ),
        )
    return found


def _keep(endpoint: str | None, values: dict) -> None:
    """Links from a pinned page to other readers stay pinned, unless they say otherwise."""
    found = view()
    if found is None or not found.pinned or endpoint is None:
        return
    if endpoint.split(".", 1)[0] in READERS and not any(p in values for p in STATE_PARAMS):
        values.update(link_args())
