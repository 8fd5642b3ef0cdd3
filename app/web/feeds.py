"""Blueprint "feeds": Atom feeds of control and status changes, newest first."""

from __future__ import annotations

import datetime as dt
from html import escape

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import atom, clock
from app.core.record_keys import period_key
from app.core.text_rules import safe_url
from app.db import queries
from app.db.models import Actor, ControlPeriod, Site, StatusPeriod, status_period_source
from app.db.session_events import data_version
from app.extensions import db
from app.web import errors, i18n
from app.web.httpcache import host_key, ok, public_url, respond
from app.web.js_strings import bound_reading, bound_short, day_label, span_text
from app.web.params import only_args, site_or_404

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
#: A feed is served when the Accept header allows one of its types, else 406.
errors.negotiated(bp, {".atom": atom.FEED_TYPES})

# The year in every tag: URI; ids must never change, so this never changes either.
TAG_YEAR = 2026
_STATUS_WORDS = {
    "open": _l("%(site)s opened"),
    "closed": _l("%(site)s closed"),
    "restricted": _l("%(site)s restricted"),
    "unknown": _l("%(site)s status became unknown"),
}


@bp.get("/changes.atom")
def changes():
    """Every change of control or status at any site."""
    only_args("lang")
    return respond(
        ("changes.atom", host_key(), i18n.language()),
        lambda: ok(_feed(None), atom.MEDIA_TYPE),
        i18n.VARY,
    )


@bp.get("/sites/<slug>.atom")
def site(slug: str):
    """Changes of control or status at one site."""
    only_args("lang")
    found = site_or_404(slug)
    return respond(
        ("site.atom", slug, host_key(), i18n.language()),
        lambda: ok(_feed(found), atom.MEDIA_TYPE),
        i18n.VARY,
    )


def _self_url() -> str:
    """This feed's address, in its language and past state (a feed reader sends no cookie)."""
    return public_url(url_for(request.endpoint, **(request.view_args or {}), **_worded()))


def _worded() -> dict[str, str]:
    """`lang=` of a feed's links when it is not in English (the default)."""
    lang = i18n.language()
    return {} if lang == i18n.LANGUAGES[0] else {"lang": lang}


def _feed(site: Site | None) -> bytes:
    """The feed document for one site, or for all of them."""
    dated = sorted(
        _control_entries(site) + _status_entries(site),
        key=lambda pair: (pair[0], pair[1].id),
        reverse=True,
    )
    entries = [entry for _first, entry in dated]
    name = (
        gettext("changes at %(site)s", site=i18n.actor_label(site.name, site.name_ar))
        if site
        else gettext("changes at Syria–Iraq border crossings")
    )
    specific = f"sites/{site.slug}" if site else "changes"
    alternate = (
        public_url(url_for("main.site", slug=site.slug, **_worded()))
        if site
        else public_url(url_for("main.index", **_worded()))
    )
    return atom.feed(
        id=_tag(specific),
        title=gettext("Border Control Atlas: %(name)s", name=name),
        self_url=_self_url(),
        alternate=alternate,
        author=gettext("Border Control Atlas"),
        entries=entries,
        updated=max((e.updated for e in entries), default=None) or _last_change(),
        lang=i18n.language(),
    )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _last_change() -> dt.datetime:
    """When the record this feed shows last changed: an empty feed's `updated`."""
    # RFC 4287: the last significant change. A past state's is its revision's time, never
    # after the state it shows; and it follows from the state alone, as the cached body and
    # its ETag do (every day pinned to one revision shares them). A state before any
    # revision, or a record never written, has no change to date: the epoch, as a
    # GeoPackage's change time then.
    changed = data_version(db.session)[1]
    return clock.aware(changed) if changed is not None else _EPOCH


def _control_entries(site: Site | None) -> list[tuple[dt.date, atom.Entry]]:
    """One entry per control period with a known start that begins a hold: "X took control
    of Y" (a period going on with the same actor's hold is no change of hands)."""
    stmt = (
        select(ControlPeriod, Site, Actor)
        .join(Site, Site.id == ControlPeriod.site_id)
        .join(Actor, Actor.id == ControlPeriod.actor_id)
        .where(ControlPeriod.start_edtf.is_not(None))
        .where(~queries.goes_on_with_a_hold(ControlPeriod))
    )
    if site is not None:
        stmt = stmt.where(ControlPeriod.site_id == site.id)
    rows = db.session.execute(stmt).all()
    sources = queries.sources_for_periods(p.id for p, _, _ in rows)
    out = []
    for p, s, actor in rows:
        names = {
            "actor": i18n.actor_label(actor.name, actor.name_ar),
            "site": i18n.actor_label(s.name, s.name_ar),
        }
        title = (
            gettext("%(actor)s took control of %(site)s (contested)", **names)
            if p.contested
            else gettext("%(actor)s took control of %(site)s", **names)
        )
        out.append(_entry(period_key(s.slug, "control", p.start), title, p, s, sources[p.id]))
    return out


def _status_entries(site: Site | None) -> list[tuple[dt.date, atom.Entry]]:
    """One entry per status period with a known start that begins a hold: "Y closed"."""
    stmt = (
        select(StatusPeriod, Site)
        .join(Site, Site.id == StatusPeriod.site_id)
        .where(StatusPeriod.start_edtf.is_not(None))
        .where(~queries.goes_on_with_a_hold(StatusPeriod))
    )
    if site is not None:
        stmt = stmt.where(StatusPeriod.site_id == site.id)
    rows = db.session.execute(stmt).all()
    sources = queries.sources_for_periods((p.id for p, _ in rows), status_period_source)
    return [
        _entry(
            period_key(s.slug, "status", p.start),
            str(_STATUS_WORDS[p.status]) % {"site": i18n.actor_label(s.name, s.name_ar)},
            p,
            s,
            sources[p.id],
        )
        for p, s in rows
    ]


def _entry(key: str, what: str, p, s: Site, sources: list[dict]) -> tuple[dt.date, atom.Entry]:
    """The day the change may first have happened (for the feed's order), and its entry,
    whose id is a tag: URI of the period's record key, which an export and import into
    another database keeps (a row id would not)."""
    first = p.start.earliest or p.start.latest  # "../2013-12-31" has no first day
    # `published` only for a change known to the day: "June 2014" is no 1 June.
    known = dt.datetime.combine(first, dt.time(), dt.UTC) if p.start.is_exact else None
    return first, atom.Entry(
        id=_tag(key),
        title=f"{bound_short(p.start)}: {what}",
        updated=clock.aware(p.updated_at),
        published=known,
        link=public_url(url_for("main.site", slug=s.slug, **_worded())),
        content=_content(p, sources),
        related=[(safe_url(src["url"]), src["title"]) for src in sources if safe_url(src["url"])],
    )


def _content(p, sources: list[dict]) -> str:
    """HTML summary: the period, its confidence, note and sources, in the feed's language
    (the note and the sources' titles as written)."""
    said = [
        span_text(p.start, p.end) + ".",
        gettext("Confidence: %(level)s.", level=i18n.word(p.confidence)),
    ]
    if p.start is not None and not p.start.is_exact:
        said.append(gettext("Began %(when)s.", when=bound_reading(p.start)))
    if p.end is not None and not p.end.is_exact:
        said.append(gettext("Ended %(when)s.", when=bound_reading(p.end)))
    cited = "".join(f"<li>{_source_html(src)}</li>" for src in sources)
    return f'<p>{escape(" ".join(said))}</p><p dir="auto">{escape(p.note)}</p><ul>{cited}</ul>'


def _source_html(src: dict) -> str:
    published = day_label(src["published"], src["published_precision"])
    label = escape(", ".join(x for x in (src["title"], src["publisher"], published) if x))
    href = safe_url(src["url"])
    return f'<a href="{escape(href)}">{label}</a>' if href else label


def _tag(specific: str) -> str:
    return atom.tag_uri(current_app.config["FEED_TAG_AUTHORITY"], TAG_YEAR, specific)
