"""Blueprint "main": the map page, site pages and search."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from app.core import (
    base_map,
    bounds,
    geo,
    map_encoding,
    search,
    svg_timeline,
    timeline,
)
from app.core.cache import VersionedCache
from app.core.clock import today
from app.db import freshness, queries
from app.db.models import Crossing
from app.db.session_events import data_version
from app.extensions import db
from app.web import compress, i18n, js_strings, security, share
from app.web.httpcache import public_url
from app.web.i18n import gettext
from app.web.params import date_arg, one_of, site_arg, site_or_404, within_record

bp = Blueprint("main", __name__)

#: Rows the map page renders on the server; the script builds the others, and
#: ?rows=all renders every row (for readers without JavaScript).
TABLE_ROWS = 100
# Each entry holds a whole map with its data block (megabytes for thousands of sites),
# so only the last few are kept; an edit makes a new data version and a new entry.
_map_pages = VersionedCache("map pages", 0.15)


@bp.get("/")
def index():
    """The map, the time slider and the state of every site on ?date= (default today)."""
    now = today()
    day = _map_date(now)
    focus = _site_arg()
    all_rows = _all_rows()
    version = data_version(db.session)
    # Kept apart from the as-of rows: at 10,000 sites a date's rows outgrow their cache,
    # and the page needs only the first rows and the crossings.
    shown, hidden, crossings = _map_pages.get(
        version, ("map-table", day, all_rows), lambda: _table(day, all_rows)
    )
    signed_in = current_user.is_authenticated
    reading = js_strings.bound_reading(day)
    html = render_template(
        "index.html",
        rows=shown,
        hidden_rows=hidden,
        focus=focus,
        statuses=base_map.STATUS_LABELS,
        shorts=queries.actor_short_names(),
        crossings=Markup(crossings),
        log_change_url=url_for("editor.log_change_for") if signed_in else "",
        verify_url=url_for("editor.verify_for") if signed_in and current_user.publishes else "",
        embed_snippet=_embed_snippet(day),
        share=share.card(
            gettext("Who held each crossing on %(date)s", date=reading),
            gettext(
                "Which armed or state actor held each Syria–Iraq border crossing on %(date)s, "
                "whether it was open, and the sources that say so.",
                date=reading,
            ),
            day,
            "main.index",
            # The address as shared: an undated map stays today's map wherever it is opened.
            **{
                k: v for k, v in (("date", day.isoformat()), ("site", focus)) if request.args.get(k)
            },
        ),
        **_map_context(now, day, version),
    )
    return compress.gzipped(html, request.headers.get("Accept-Encoding", ""))


@bp.get("/embed")
@security.framable
def embed():
    """The map and its slider alone, for another site's <iframe>; ?date=, ?site= as on /."""
    now = today()
    day = _map_date(now)
    focus = _site_arg()
    html = render_template(
        "embed.html",
        open_url=url_for("main.index", date=day.isoformat(), site=focus),
        **_map_context(now, day, data_version(db.session)),
    )
    return compress.gzipped(html, request.headers.get("Accept-Encoding", ""))


@bp.get("/sites/<slug>")
def site(slug: str):
    """Names, location, boundary join, control and status timelines of one site; ?date=
    (from the map) is carried into its links back to the map and to the editor."""
    site = site_or_404(slug)
    day = date_arg("date")
    location = _locate(site)
    name = i18n.actor_label(site.name, site.name_ar) or site.name
    sources = queries.sources_for_periods(p.id for p in site.control_periods)
    labels = js_strings.chart_labels()
    chart = svg_timeline.render(
        svg_timeline.site_tracks(
            site, map_encoding.safe_colour, labels, arabic=i18n.language() == "ar"
        ),
        today(),
        title=gettext("Control and status of %(name)s", name=name),
        labels=labels,
        words=js_strings.date_words(),
    )
    return render_template(
        "site.html",
        site=site,
        location=location,
        sources=sources,
        fmt=timeline.format_bound,
        chart=Markup(chart),
        chart_at=svg_timeline.position(day or today(), today()),
        day=day,
        verified=freshness.evidence(site.id),
        share=share.card(
            name,
            gettext(
                "Who held %(name)s on the Syria–Iraq border and when, whether it was open, "
                "and the sources that say so.",
                name=name,
            ),
            day or today(),
            "main.site",
            slug=site.slug,
            **({"date": day.isoformat()} if day else {}),
        ),
    )


@bp.get("/search")
def search_page():
    """Sites whose names match ?q= in any spelling; JSON with ?f=json or Accept."""
    as_json = _search_format()
    q = request.args.get("q", "").strip()
    if len(q) > search.MAX_QUERY:
        return _search_error(
            as_json, f"parameter 'q': at most {search.MAX_QUERY} characters, got {len(q)}"
        )
    if not q and as_json:
        return _search_error(
            as_json, "parameter 'q' is required: a site name in any spelling, English or Arabic"
        )
    day = _map_date(today())  # the same range as the map's slider
    found = search.find(q, queries.search_candidates()) if q else []
    held = {r["slug"]: r for r in queries.state_at(day)} if found else {}
    if as_json:
        return jsonify(
            query=q,
            date=day.isoformat(),
            results=[
                _search_result(s, held, day if "date" in request.args else None) for s in found
            ],
        )
    return render_template(
        "search.html",
        q=q,
        results=found,
        held=held,
        day=day,
        dated="date" in request.args,
        short=_short_bound,
        max_date=today().isoformat(),
    )


def _map_date(now) -> dt.date:
    """?date= within the slider's range, 2011-01-01 … today."""
    return within_record("date", date_arg("date") or now)


def _table(day: dt.date, all_rows: bool) -> tuple[list[dict], int, str]:
    """The state table's server-rendered rows, how many the script adds, and the crossing
    of each site (JSON), so the page can show both sides of a crossing as one unit."""
    rows = queries.state_at(day)
    shown = rows if all_rows else rows[:TABLE_ROWS]
    named = {
        c.slug: (c.name, c.name_ar)
        for c in db.session.execute(select(Crossing.slug, Crossing.name, Crossing.name_ar))
    }
    used = {slug: n for n, slug in enumerate(sorted({r["crossing"] for r in rows} & set(named)))}
    crossings = {
        "crossings": [[slug, *named[slug]] for slug in used],
        "sites": {r["slug"]: used[r["crossing"]] for r in rows if r["crossing"] in used},
    }
    return shown, len(rows) - len(shown), map_encoding.script_json(crossings)


def _map_context(now: dt.date, day: dt.date, version) -> dict:
    """What the map page and the embed both render: the map, its data block and the slider."""
    base, data, legend = _cached_map(now, version)
    return {
        "day": day,
        "base": Markup(base),
        "data": Markup(data),
        "legend": legend,
        "offset": map_encoding.offset(day),
        "max_offset": map_encoding.offset(now),
        "max_date": now.isoformat(),
        "years": map_encoding.year_marks(now),
    }


def _embed_snippet(day: dt.date) -> str:
    """The <iframe> a page pastes to show the embed at `day` (atlas-map.js moves its date)."""
    # An Arabic page's snippet asks for the Arabic embed: the host page's readers send no
    # cookie of ours, and their browsers' languages may not be the page's.
    lang = "ar" if i18n.language() == "ar" else None
    src = public_url(url_for("main.embed", date=day.isoformat(), lang=lang))
    title = gettext("Border Control Atlas: who held each Syria–Iraq border crossing")
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="560" '
        'style="border: 0" loading="lazy"></iframe>'
    )


def _cached_map(now, version) -> tuple[str, str, list[base_map.LegendActor]]:
    """The base map (in this request's language), the time data block and the legend's
    actors of data `version`, rebuilt only when the data, the language or the settings
    change."""
    config = current_app.config
    tiles = (config.get("TILES_URL"), config.get("TILES_ATTRIBUTION"))
    base_key = ("map-base", i18n.language(), config["GEODATA_DIR"], tiles)
    # The base map does not depend on the record: one copy serves every data version (and
    # every past state read with ?known=).
    base = _map_pages.get(None, base_key, _map_base)
    data, legend = _map_pages.get(version, ("map-data", now), lambda: _map_data(now))
    return base, data, legend


def _map_base() -> str:
    """The base map's JSON block: view, boundary layers, country names, tiles if set."""
    config = current_app.config
    return map_encoding.script_json(
        base_map.config(
            geo.display_layers(config["GEODATA_DIR"]),
            tiles_url=config.get("TILES_URL", ""),
            tiles_attribution=config.get("TILES_ATTRIBUTION", ""),
            words=i18n.translated(base_map.WORDS),
            language=i18n.language(),
        )
    )


def _map_data(day) -> tuple[str, list[base_map.LegendActor]]:
    """The time data block and the actors it uses (for the legend), once per data version."""
    rows = queries.map_rows()
    rows.verified = freshness.last_verified_by_site()
    block = map_encoding.encode(rows, day, current_app.config["STALE_AFTER_DAYS"])
    used = map_encoding.actors_used(block)
    legend = [
        base_map.LegendActor(slug, name, colour, short, name_ar, short_ar)
        for i, (slug, name, colour, short, _, name_ar, short_ar) in enumerate(block["actors"])
        if i in used
    ]
    return map_encoding.script_json(map_encoding.packed(block)), legend


def _all_rows() -> bool:
    """?rows=all asks for every row of the state table; nothing else is accepted."""
    value = request.args.get("rows")
    return bool(value) and one_of("rows", value, ("all",)) == "all"


def _site_arg() -> str | None:
    """?site=<slug>: the site to focus, as its slug."""
    site = site_arg()
    return site.slug if site else None


def _search_format() -> bool:
    """True for JSON: ?f=json, or an Accept header that prefers it to HTML."""
    f = request.args.get("f")
    if f:
        return one_of("f", f, ("json", "html")) == "json"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _search_error(as_json: bool, message: str):
    if as_json:
        return jsonify(code="Bad Request", description=message), 400
    return render_template(
        "search.html", q="", results=[], held={}, day=today(), max_date=today(), error=message
    ), 400


def _short_bound(text: str) -> str:
    """ "21 May 2015", "Jun 2014": an EDTF bound, compactly."""
    return bounds.parse(text).short()


def _search_result(site: dict, held: dict, day: dt.date | None) -> dict:
    """One search hit as JSON; its links keep the date asked about, as the page's do."""
    row = held.get(site["slug"]) or {}
    date = day.isoformat() if day else None
    return {
        **{k: site[k] for k in ("slug", "name", "name_ar", "country", "kind")},
        "controller": row.get("controller"),
        "controller_name": row.get("controller_name"),
        # Found as the other side of a crossing the query names, not by its own names.
        "via_crossing": site.get("via_crossing", False),
        "url": url_for("main.site", slug=site["slug"], date=date),
        "map_url": url_for("main.index", date=date, site=site["slug"]),
    }


def _locate(site) -> geo.Location | None:
    """Country, governorate and km to the border from the boundary layers."""
    boundaries = geo.load_boundaries(current_app.config["GEODATA_DIR"])
    return geo.locate([(site.slug, site.lon, site.lat, site.country)], boundaries)[site.slug]
