"""Blueprint "main": the map page and the site pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from . import geo, queries, timeline
from .params import date_arg, today

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The state of every site on ?date= (default today)."""
    day = date_arg("date") or today()
    return render_template("index.html", day=day, rows=queries.state_at(day))


@bp.get("/sites/<slug>")
def site(slug: str):
    """Names, location, boundary join, control and status timelines of one site."""
    site = queries.site_by_slug(slug) or abort(404, description=f"No site called '{slug}'.")
    location = _locate(site)
    sources = queries.sources_for_periods(p.id for p in site.control_periods)
    return render_template("site.html", site=site, location=location, sources=sources,
                           fmt=timeline.format_bound)


def _locate(site) -> geo.Location | None:
    """Country, governorate and km to the border from the boundary layers."""
    boundaries = geo.load_boundaries(current_app.config["GEODATA_DIR"])
    return geo.locate([(site.slug, site.lon, site.lat, site.country)], boundaries)[site.slug]
