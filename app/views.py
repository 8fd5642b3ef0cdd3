"""Blueprint "main": the map page, site pages and search."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup

from . import compress, geo, mapdata, maps, queries, search, svgtimeline, timeline
from .cache import VersionedCache
from .dbevents import data_version
from .extensions import db
from .params import date_arg, today
from .usertext import is_slug

bp = Blueprint("main", __name__)

#: Rows the map page renders on the server; the script builds the others, and
#: ?rows=all renders every row (for readers without JavaScript).
TABLE_ROWS = 100
# Each entry holds a whole map with its data block (megabytes for thousands of sites),
# so only the last few are kept; an edit makes a new data version and a new entry.
_map_pages = VersionedCache(maxsize=4)


@bp.get("/")
def index():
    """The map, the time slider and the state of every site on ?date= (default today)."""
    now = today()
    day = _map_date(now)
    focus = _site_arg()
    parts, data = _cached_map(now)
    rows = queries.state_at(day)
    shown = rows if _all_rows() else rows[:TABLE_ROWS]
    html = render_template(
        "index.html", day=day, rows=shown, hidden_rows=len(rows) - len(shown), focus=focus,
        parts=parts, data=Markup(data), offset=mapdata.offset(day),
        max_offset=mapdata.offset(now), max_date=now.isoformat(),
        years=mapdata.year_marks(now), statuses=maps.STATUS_LABELS,
        when=mapdata.when_label, shorts=queries.actor_short_names())
    return compress.gzipped(html, request.headers.get("Accept-Encoding", ""))


@bp.get("/sites/<slug>")
def site(slug: str):
    """Names, location, boundary join, control and status timelines of one site."""
    site = queries.site_by_slug(slug) or abort(404, description=f"No site called '{slug}'.")
    location = _locate(site)
    sources = queries.sources_for_periods(p.id for p in site.control_periods)
    chart = svgtimeline.render(svgtimeline.site_tracks(site, maps.safe_colour), today(),
                               title=f"Control and status of {site.name}")
    return render_template("site.html", site=site, location=location, sources=sources,
                           fmt=timeline.format_bound, chart=Markup(chart))


@bp.get("/search")
def search_page():
    """Sites whose names match ?q= in any spelling; JSON with ?f=json or Accept."""
    as_json = _search_format()
    q = request.args.get("q", "").strip()
    if len(q) > search.MAX_QUERY:
        return _search_error(as_json, f"parameter 'q': at most {search.MAX_QUERY} "
                                      f"characters, got {len(q)}")
    if not q and as_json:
        return _search_error(as_json, "parameter 'q' is required: a site name in any "
                                      "spelling, English or Arabic")
    found = search.find(q, queries.search_candidates()) if q else []
    if as_json:
        return jsonify(query=q, results=[_search_result(s) for s in found])
    return render_template("search.html", q=q, results=found)


@bp.app_template_filter("colour")
def _colour_filter(value: str | None) -> str:
    """An actor colour that is safe inside a style attribute."""
    return maps.safe_colour(value)


def _map_date(now) -> dt.date:
    """?date= within the slider's range, 2011-01-01 … today."""
    day = date_arg("date") or now
    if not mapdata.ORIGIN <= day <= now:
        abort(400, description=f"parameter 'date': must be between "
                               f"{mapdata.ORIGIN.isoformat()} and {now.isoformat()}")
    return day


def _cached_map(now) -> tuple[maps.MapParts, str]:
    """The map and its data block, rebuilt only when the data or the settings change."""
    config = current_app.config
    key = ("map-page", now, _static(), config["GEODATA_DIR"], config.get("TILES_URL"),
           config.get("TILES_ATTRIBUTION"))
    return _map_pages.get(data_version(db.session), key, lambda: _map_page(now))


def _map_page(day) -> tuple[maps.MapParts, str]:
    """The rendered Folium map and the time data block, computed once per data version."""
    rows = queries.map_rows()
    used = {p["actor_id"] for p in rows.control} | {
        p["challenger_id"] for p in rows.control if p["challenger_id"]}
    legend = [maps.LegendActor(a["slug"], a["name"], a["colour"], a["short"])
              for a in rows.actors if a["id"] in used]
    config = current_app.config
    m = maps.build_map(geo.display_layers(config["GEODATA_DIR"]), legend,
                       static_url=_static(), tiles_url=config.get("TILES_URL", ""),
                       tiles_attribution=config.get("TILES_ATTRIBUTION", ""))
    return maps.render_parts(m), mapdata.script_json(mapdata.encode(rows, day))


def _all_rows() -> bool:
    """?rows=all asks for every row of the state table; nothing else is accepted."""
    value = request.args.get("rows")
    if value not in (None, "", "all"):
        abort(400, description="parameter 'rows': the only value is 'all'")
    return value == "all"


def _site_arg() -> str | None:
    """?site=<slug>: a site to focus; 400 when malformed, 404 when unknown."""
    slug = request.args.get("site")
    if not slug:
        return None
    if len(slug) > 80 or not is_slug(slug):
        abort(400, description="parameter 'site': must be a site slug (lower-case "
                               "letters, digits and hyphens)")
    if queries.site_by_slug(slug) is None:
        abort(404, description=f"parameter 'site': no site called '{slug}'")
    return slug


def _static() -> str:
    """URL prefix of the static folder, without the trailing slash."""
    return url_for("static", filename="").rstrip("/")


def _search_format() -> bool:
    """True for JSON: ?f=json, or an Accept header that prefers it to HTML."""
    f = request.args.get("f")
    if f not in (None, "", "json", "html"):
        abort(400, description="parameter 'f': must be json or html")
    if f:
        return f == "json"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _search_error(as_json: bool, message: str):
    if as_json:
        return jsonify(code="Bad Request", description=message), 400
    return render_template("search.html", q="", results=[], error=message), 400


def _search_result(site: dict) -> dict:
    return {**{k: site[k] for k in ("slug", "name", "name_ar", "country", "kind")},
            "url": url_for("main.site", slug=site["slug"]),
            "map_url": url_for("main.index", site=site["slug"])}


def _locate(site) -> geo.Location | None:
    """Country, governorate and km to the border from the boundary layers."""
    boundaries = geo.load_boundaries(current_app.config["GEODATA_DIR"])
    return geo.locate([(site.slug, site.lon, site.lat, site.country)], boundaries)[site.slug]
