"""Blueprint "api": GeoJSON, CSV and GeoPackage downloads of the record."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app

from app.core import geojson
from app.core.clock import today
from app.db import features
from app.db.features import Filters
from app.db.models import Actor, Site
from app.io import export
from app.web.httpcache import ok, respond
from app.web.params import date_arg, flag_arg, only_args, slug_arg, window_args

bp = Blueprint("api", __name__, url_prefix="/api")

_FILTERS = ("site", "actor", "from", "to")


@bp.get("/sites.geojson")
def sites_geojson():
    """One Point feature per site with its controller on ?date= (default today)."""
    only_args("date", "download")
    day, download = date_arg("date") or today(), flag_arg("download")
    return respond(
        ("sites.geojson", day, download),
        lambda: ok(
            _collection(features.sites_at(day), date=day.isoformat()),
            geojson.MEDIA_TYPE,
            f"border-control-sites-{day}.geojson",
            download,
        ),
    )


@bp.get("/periods.geojson")
def periods_geojson():
    """Every control period matching ?site=&actor=&from=&to= as a Point feature."""
    only_args(*_FILTERS, "download")
    f, download, stamp = _filters(), flag_arg("download"), today()
    return respond(
        ("periods.geojson", f, download, stamp),
        lambda: ok(
            _collection(features.periods(f)),
            geojson.MEDIA_TYPE,
            f"border-control-periods-{stamp}.geojson",
            download,
        ),
    )


@bp.get("/sites.csv")
def sites_csv():
    """The state of every site on ?date= as CSV with lon/lat columns."""
    only_args("date")
    day = date_arg("date") or today()
    return respond(
        ("sites.csv", day),
        lambda: ok(
            export.to_csv(features.sites_at(day)),
            export.CSV_TYPE,
            f"border-control-sites-{day}.csv",
            attachment=True,
        ),
    )


@bp.get("/periods.csv")
def periods_csv():
    """Control periods matching ?site=&actor=&from=&to= as CSV."""
    only_args(*_FILTERS)
    f, stamp = _filters(), today()
    return respond(
        ("periods.csv", f, stamp),
        lambda: ok(
            export.to_csv(features.periods(f)),
            export.CSV_TYPE,
            f"border-control-periods-{stamp}.csv",
            attachment=True,
        ),
    )


@bp.get("/export.gpkg")
def export_gpkg():
    """A GeoPackage: sites on ?date=, and periods, status, events, sources, boundaries."""
    only_args("date", *_FILTERS)
    day, f = date_arg("date") or today(), _filters()
    return respond(
        ("export.gpkg", day, f),
        lambda: ok(
            _gpkg(day, f), export.GPKG_TYPE, f"border-control-atlas-{day}.gpkg", attachment=True
        ),
    )


def _filters() -> Filters:
    """The shared ?site=&actor=&from=&to= filters (from/to: periods meeting [from, to))."""
    lo, hi = window_args()
    return Filters(site=slug_arg("site", Site), actor=slug_arg("actor", Actor), lo=lo, hi=hi)


def _collection(feats: list[dict], **members) -> bytes:
    return geojson.dumps(geojson.feature_collection(feats, **members))


def _gpkg(day: dt.date, f: Filters) -> bytes:
    """Every layer of the GeoPackage download, filtered alike."""
    periods, status, events = features.periods(f), features.status(f), features.events(f)
    filtered = f != Filters()
    cited = periods + status + events if filtered else None
    return export.to_gpkg(
        {
            "sites": export.frame(features.sites_at(day)),
            "periods": export.frame(periods),
            "status": export.frame(status),
            "events": export.frame(events),
            "sources": export.table(features.sources(cited)),
            "boundaries": export.frame(features.boundaries(current_app.config["GEODATA_DIR"])),
        }
    )
