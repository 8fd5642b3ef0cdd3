"""Blueprint "pictures": static maps, the timeline of every crossing and animations.

The drawing is in app.core (static_map, timeline_chart, animation); this module gathers
the rows, checks the parameters and serves the bytes through the versioned response
cache. The gathering functions need only an app context, so ``flask render`` uses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core import animation, bounds, geo, static_map, svg_timeline, timeline_chart
from app.core.clock import today
from app.core.map_encoding import change_points, safe_colour
from app.core.text_rules import N_
from app.core.vocabulary import FIRST_DAY
from app.db import known as known_db
from app.db import queries
from app.db.models import Actor, ControlPeriod, Site
from app.extensions import db
from app.web import i18n, known
from app.web.httpcache import host_key, ok, public_url, respond
from app.web.i18n import gettext as _
from app.web.params import (
    date_arg,
    day_arg,
    given,
    number_arg,
    one_of,
    only_args,
    ordered,
    within_record,
)

bp = Blueprint("pictures", __name__)

LANGS = ("en", "ar")
#: Animation frames are drawn smaller than single maps: many of them make one file.
ANIMATION_WIDTH = (400, 1600, 800)
OTHER_SITES = _l("Other sites")


@bp.get("/maps/<day>.<any(svg, png, pdf):fmt>")
def static_map_image(day: str, fmt: str):
    """The map of one date: ?lang=en|ar; PNG also ?w= (pixels) and ?scale=1|2."""
    only_args("lang", *(("w", "scale") if fmt == "png" else ()))
    date, lang = _path_date(day), _lang()
    width, scale = _int_arg("w", static_map.MIN_WIDTH, static_map.MAX_WIDTH), _scale()
    link = permalink(date)
    return respond(
        ("map", date, fmt, width, scale, lang, host_key()),
        lambda: ok(
            map_bytes(date, fmt, width, scale, lang, link),
            static_map.FORMATS[fmt],
            f"border-control-map-{date}{'-ar' if lang == 'ar' else ''}.{fmt}",
        ),
    )


@bp.get("/maps/at.<any(svg, png, pdf):fmt>")
def static_map_at(fmt: str):
    """The map of ?date= (default today) by redirect to its dated address, so links that
    the map page keeps in step with its slider (data-date-link) can name it."""
    only_args("date", "lang", *(("w", "scale") if fmt == "png" else ()))
    day = date_arg("date") or today()
    within_record("date", day)
    _lang()  # refused here, not after the redirect
    if fmt == "png":
        _int_arg("w", static_map.MIN_WIDTH, static_map.MAX_WIDTH)
        _scale()
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "date"}
    return redirect(url_for(".static_map_image", day=day.isoformat(), fmt=fmt, **kept))


@bp.get("/timeline.<any(svg, png, pdf):fmt>")
def timeline_image(fmt: str):
    """Every site's control and status over ?from=&to= (default: the whole record);
    ?lang=en|ar."""
    only_args("from", "to", "lang", *(("w",) if fmt == "png" else ()))
    lo, hi = _range()
    width, lang = _int_arg("w", 400, 4000, default=1600), _lang()
    link = public_url(request.full_path.rstrip("?")) if request.args else public_url(request.path)
    key = ("timeline", fmt, lo, hi, width, lang, today(), host_key())

    _check_lanes(fmt)
    return respond(
        key,
        lambda: ok(
            timeline_bytes(fmt, lo, hi, width, link, lang=lang),
            timeline_chart.FORMATS[fmt],
            f"border-control-timeline{'-ar' if lang == 'ar' else ''}.{fmt}",
        ),
    )


def _check_lanes(fmt: str) -> None:
    """400 before any drawing when the record has more sites than one picture holds."""
    sites = site_count()
    limit = timeline_chart.MAX_PDF_LANES if fmt == "pdf" else timeline_chart.MAX_LANES
    if sites > limit:
        if fmt == "pdf":
            rule = N_(
                "format '%(format)s': the record has %(sites)s sites, at most %(limit)s fit "
                "one PDF here; use `flask render timeline`"
            )
        else:
            rule = N_(
                "format '%(format)s': the record has %(sites)s sites, at most %(limit)s fit "
                "one picture; use the PDF, which is paged"
            )
        abort(400, description=_(rule, format=fmt, sites=sites, limit=limit))


@bp.get("/maps/animation.<any(gif, webp, mp4):fmt>")
def animation_image(fmt: str):
    """The map at each change date (or ?step=month) between ?from= and ?to=."""
    only_args("from", "to", "step", "w", "lang")
    lo, hi = _range()
    step = one_of("step", given("step", "change"), animation.STEPS)
    low, high, default = ANIMATION_WIDTH
    width, lang = _int_arg("w", low, high, default), _lang()
    days = animation_days(lo, hi, step)
    if len(days) > animation.MAX_FRAMES:
        abort(
            400,
            description=_(
                "parameter 'to': %(frames)s frames from %(from)s to %(to)s with step=%(step)s; "
                "at most %(most)s (narrow from/to, or step=month)",
                frames=len(days),
                to=hi,
                step=step,
                most=animation.MAX_FRAMES,
                **{"from": lo},
            ),
        )
    return respond(
        ("animation", fmt, tuple(days), width, lang, host_key()),
        lambda: ok(
            animation_bytes(days, fmt, width, lang),
            animation.FORMATS[fmt],
            f"border-control-{days[0]}-{days[-1]}.{fmt}",
        ),
    )


# ---- the rows behind the pictures (app context only; the CLI uses these too) ----


def actors() -> list[dict]:
    """Every actor as a plain dict: slug, names, short label, colour."""
    stmt = select(Actor.slug, Actor.name, Actor.name_ar, Actor.short, Actor.colour)
    return [dict(r) for r in db.session.execute(stmt.order_by(Actor.id)).mappings()]


def version_label() -> str:
    """The revision of the record a picture shows, the `rev` a citation of it names (the
    pinned one for a past state), and the day it was made."""
    number = known.revision()
    if number is None:
        number = known.latest_revision()
    made = known_db.revision_time(db.session, number) if number else None
    # The day isolated (LRI…PDI): after Arabic words its digits would otherwise be laid out
    # right to left, "01-12-2026".
    return f"{number}" + (f" (\u2066{made:%Y-%m-%d}\u2069)" if made else "")


def permalink(day: dt.date) -> str:
    """The map page at `day`: absolute (PUBLIC_URL, else the request's host) when known."""
    if has_request_context():
        return public_url(url_for("main.index", date=day.isoformat()))
    base = current_app.config.get("PUBLIC_URL") or ""
    return f"{base.rstrip('/')}/?date={day.isoformat()}"


def map_input(day: dt.date, lang: str = "en", link: str = "") -> static_map.MapInput:
    """Everything the static map of `day` shows, its words in `lang` from the catalogue."""
    with force_locale(lang):
        words = i18n.translated(static_map.WORDS)
    return static_map.MapInput(
        day=day,
        rows=_rows(day),
        actors=actors(),
        layers=geo.display_layers(current_app.config["GEODATA_DIR"]),
        version=version_label(),
        permalink=link,
        lang=lang,
        words=words,
    )


def _rows(day: dt.date) -> list[dict]:
    """The state of `day`, each row with its status's sources: a picture counts the sources
    of what it draws (control and status), as "Cite this view" lists them."""
    status = queries.status_sources_at(day)
    return [{**r, "status_sources": status.get(r["slug"], [])} for r in queries.state_at(day)]


def map_bytes(
    day: dt.date,
    fmt: str,
    width: int = static_map.DEFAULT_WIDTH,
    scale: int = 1,
    lang: str = "en",
    link: str = "",
) -> bytes:
    """The static map of `day` as SVG, PNG or PDF."""
    return static_map.render(map_input(day, lang, link), fmt, width, scale)


def site_count() -> int:
    """How many sites the record holds (one timeline lane each)."""
    return db.session.scalar(select(func.count(Site.id))) or 0


def lanes(arabic: bool = False) -> list[timeline_chart.Lane]:
    """One lane per site with the site page's tracks, grouped by crossing (others last), in
    the same order in either language; with `arabic`, names and labels in Arabic where the
    record has them (call it under the picture's locale: "Other sites" is translated)."""
    stmt = select(Site).options(
        selectinload(Site.crossing),
        selectinload(Site.control_periods).selectinload(ControlPeriod.actor),
        selectinload(Site.control_periods).selectinload(ControlPeriod.challenger),
        selectinload(Site.status_periods),
        selectinload(Site.events),
    )
    sites = sorted(
        db.session.scalars(stmt),
        key=lambda s: (
            s.crossing is None,
            s.crossing.name if s.crossing else "",
            s.country != "SY",
            s.name,
        ),
    )
    others = str(OTHER_SITES)

    def name(item) -> str:
        return (item.name_ar or item.name) if arabic else item.name

    return [
        timeline_chart.Lane(
            name(s.crossing) if s.crossing else others,
            name(s),
            svg_timeline.site_tracks(s, safe_colour, arabic=arabic),
        )
        for s in sites
    ]


def timeline_bytes(
    fmt: str,
    lo: dt.date = FIRST_DAY,
    hi: dt.date | None = None,
    width: int = 1600,
    link: str = "",
    progress: Callable[[int], None] = lambda n: None,
    lang: str = "en",
) -> bytes:
    """The timeline of every crossing over [lo, hi] in `lang`; ValueError when too tall for
    one image."""
    with force_locale(lang):
        made = (gettext("Border Control Atlas"), gettext("Revision {v}"))
        drawn = lanes(arabic=lang == "ar")
        words = i18n.translated(timeline_chart.WORDS)
    footer = " · ".join(p for p in (made[0], made[1].format(v=version_label()), link) if p)
    return timeline_chart.render(
        drawn,
        fmt,
        lo,
        hi or today(),
        footer=footer,
        width=width,
        progress=progress,
        words=words,
        date_words=bounds.date_words(lang),  # Latin digits: a picture is the same for all
        rtl=lang == "ar",
    )


def animation_days(lo: dt.date, hi: dt.date, step: str) -> list[dt.date]:
    """The frames' dates over [lo, hi]: each change of any site, or each month."""
    changes = change_points(queries.map_rows()) if step == "change" else []
    return animation.frame_days(lo, hi, step, changes)


def animation_bytes(
    days: list[dt.date],
    fmt: str,
    width: int = 800,
    lang: str = "en",
    progress: Callable[[int], None] = lambda n: None,
) -> bytes:
    """An animation with one map per date (the date large on each frame)."""
    spec = map_input(days[0], lang)
    frames = [static_map.Frame(d, _rows(d)) for d in days]
    images = static_map.render_frames(spec, frames, width - width % 8, progress)
    return animation.encode(images, fmt)


# ---- parameters ----


def _path_date(text: str) -> dt.date:
    """The date in the path, within the record (2011-01-01 … today), else 400."""
    return within_record("date", day_arg("date", text))


def _range() -> tuple[dt.date, dt.date]:
    """?from=&to= inside the record; `to` after `from`."""
    lo, hi = date_arg("from") or FIRST_DAY, date_arg("to") or today()
    within_record("from", lo)
    within_record("to", hi)
    ordered(lo, hi)
    return lo, hi


def _lang() -> str:
    return one_of("lang", given("lang", "en"), LANGS)


def _scale() -> int:
    raw = given("scale", "1")
    return int(one_of("scale", raw, ("1", "2")))


def _int_arg(name: str, low: int, high: int, default: int = static_map.DEFAULT_WIDTH) -> int:
    """A whole number of pixels within [low, high], else 400 naming the parameter."""
    return number_arg(name, low, high, default)
