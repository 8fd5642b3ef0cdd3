"""Blueprint "api": GeoJSON of the state at a date."""

from __future__ import annotations

from flask import Blueprint, Response

from . import geojson, queries
from .cache import responses
from .dbevents import data_version
from .extensions import db
from .params import date_arg, today

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/sites.geojson")
def sites_geojson():
    """One Point feature per site with its controller on ?date= (default today)."""
    day = date_arg("date") or today()
    body = responses.get(data_version(db.session), ("sites.geojson", day),
                         lambda: _sites_body(day))
    resp = Response(body, mimetype=geojson.MEDIA_TYPE)
    resp.headers["Content-Disposition"] = (
        f'inline; filename="border-control-sites-{day.isoformat()}.geojson"')
    return resp


def _sites_body(day) -> bytes:
    """Serialised FeatureCollection of the state on `day`."""
    rows = queries.state_at(day)
    return geojson.dumps(geojson.feature_collection(
        (geojson.point_feature(r, r["slug"]) for r in rows), date=day.isoformat()))
