"""Blueprint "api": GeoJSON of the state at a date."""

from __future__ import annotations

from flask import Blueprint, Response

from . import geojson, queries
from .params import date_arg, today

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/sites.geojson")
def sites_geojson():
    """One Point feature per site with its controller on ?date= (default today)."""
    day = date_arg("date") or today()
    rows = queries.state_at(day)
    body = geojson.feature_collection(
        (geojson.point_feature(r, r["slug"]) for r in rows), date=day.isoformat())
    resp = Response(geojson.dumps(body), mimetype=geojson.MEDIA_TYPE)
    resp.headers["Content-Disposition"] = (
        f'inline; filename="border-control-sites-{day.isoformat()}.geojson"')
    return resp
