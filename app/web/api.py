"""Blueprint "api": GeoJSON, CSV and GeoPackage downloads of the record.

Every download reads back through the importer as it is. The per-kind files, the two ZIP
bundles (every kind as CSV, or as GeoJSON) and the GeoPackage each hold the whole record,
so export, import into an empty database and export again gives the same bytes (the
GeoPackage's change time aside). All answer Range and conditional requests (httpcache).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app

from app.core import geojson
from app.core.clock import today
from app.db import features
from app.db.features import Filters
from app.db.models import Actor, Site
from app.db.session_events import data_version
from app.extensions import db
from app.io import export
from app.web import errors
from app.web.httpcache import ok, respond
from app.web.params import flag_arg, only_args, record_day, slug_arg, window_args

bp = Blueprint("api", __name__, url_prefix="/api")

_FILTERS = ("site", "actor", "from", "to")
#: What each download is, by its extension (GeoJSON is JSON too): the media types an Accept
#: header must allow, else 406.
_MEDIA = {
    ".geojson": (geojson.MEDIA_TYPE, "application/json"),
    ".csv": ("text/csv",),
    ".gpkg": (export.GPKG_TYPE,),
    ".zip": (export.ZIP_TYPE,),
}
errors.negotiated(bp, _MEDIA)


@bp.get("/sites.geojson")
def sites_geojson():
    """One Point feature per site with its controller on ?date= (default today)."""
    only_args("date", "download")
    day, download = record_day(), flag_arg("download")
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
    day = record_day()
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
    day, f = record_day(), _filters()
    return respond(
        ("export.gpkg", day, f),
        lambda: ok(
            _gpkg(day, f), export.GPKG_TYPE, f"border-control-atlas-{day}.gpkg", attachment=True
        ),
    )


@bp.get("/status.geojson")
def status_geojson():
    """Every open/closed status period matching ?site=&from=&to= as a Point feature."""
    return _kind_geojson("status", features.status, ("site", "from", "to"))


@bp.get("/status.csv")
def status_csv():
    """Status periods matching ?site=&from=&to= as CSV."""
    return _kind_csv("status", features.status, ("site", "from", "to"))


@bp.get("/events.geojson")
def events_geojson():
    """Events matching ?site=&from=&to= as MultiPoint features (own point first)."""
    return _kind_geojson("events", features.events, ("site", "from", "to"))


@bp.get("/events.csv")
def events_csv():
    """Events matching ?site=&from=&to= as CSV (lon/lat: the event's own point)."""
    return _kind_csv("events", features.events, ("site", "from", "to"))


#: Downloads of whole tables, without filters: name -> (rows, is a table of features).
_TABLES = {
    "site-records": (features.site_records, True),
    "sources": (features.sources, False),
    "actors": (features.actors, False),
    "crossings": (features.crossings, False),
}


@bp.get("/<any('site-records', sources, actors, crossings):name>.geojson")
def table_geojson(name: str):
    """Every site record, source, actor or crossing (the last three without a place)."""
    only_args("download")
    download, stamp = flag_arg("download"), today()
    return respond(
        (f"{name}.geojson", download, stamp),
        lambda: ok(
            geojson.dumps(_table_collection(name)),
            geojson.MEDIA_TYPE,
            f"border-control-{name}-{stamp}.geojson",
            download,
        ),
    )


@bp.get("/<any('site-records', sources, actors, crossings):name>.csv")
def table_csv(name: str):
    """Every site record, source, actor or crossing as CSV."""
    only_args()
    stamp = today()
    return respond(
        (f"{name}.csv", stamp),
        lambda: ok(_table_csv(name), export.CSV_TYPE, f"border-control-{name}-{stamp}.csv", True),
    )


@bp.get("/export-<any(csv, geojson):fmt>.zip")
def export_zip(fmt: str):
    """The whole record as one ZIP: a file per kind, each importable, all at once too."""
    only_args()
    stamp = today()
    return respond(
        (f"export-{fmt}.zip", stamp),
        lambda: ok(
            export.to_zip(_bundle(fmt, stamp)),
            export.ZIP_TYPE,
            f"border-control-atlas-{fmt}-{stamp}.zip",
            attachment=True,
        ),
    )


def _kind_geojson(kind: str, fetch, allowed: tuple[str, ...]):
    only_args(*allowed, "download")
    f, download, stamp = _filters(), flag_arg("download"), today()
    return respond(
        (f"{kind}.geojson", f, download, stamp),
        lambda: ok(
            _collection(fetch(f)),
            geojson.MEDIA_TYPE,
            f"border-control-{kind}-{stamp}.geojson",
            download,
        ),
    )


def _kind_csv(kind: str, fetch, allowed: tuple[str, ...]):
    only_args(*allowed)
    f, stamp = _filters(), today()
    return respond(
        (f"{kind}.csv", f, stamp),
        lambda: ok(
            export.to_csv(fetch(f)),
            export.CSV_TYPE,
            f"border-control-{kind}-{stamp}.csv",
            attachment=True,
        ),
    )


def _table_collection(name: str) -> dict:
    rows, spatial = _TABLES[name]
    if spatial:
        return geojson.feature_collection(rows())
    return export.rows_geojson(rows())


def _table_csv(name: str) -> bytes:
    rows, spatial = _TABLES[name]
    return export.to_csv(rows()) if spatial else export.rows_csv(rows())


#: The files of a bundle, in the order an import needs them (each refers to earlier ones).
_BUNDLE = ("crossings", "actors", "sources", "site-records", "periods", "status", "events")


def _bundle(fmt: str, stamp: dt.date) -> dict[str, bytes]:
    """Every kind of the record as a file of format `fmt`."""
    fetch = {"periods": features.periods, "status": features.status, "events": features.events}
    out = {}
    for name in _BUNDLE:
        if name in fetch:
            feats = fetch[name](Filters())
            body = export.to_csv(feats) if fmt == "csv" else _collection(feats)
        else:
            body = _table_csv(name) if fmt == "csv" else geojson.dumps(_table_collection(name))
        out[f"border-control-{name}-{stamp}.{fmt}"] = body
    return out


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
            "site_records": export.frame(features.site_records()),
            "periods": export.frame(periods),
            "status": export.frame(status),
            "events": export.frame(events),
            "sources": export.table(features.sources(cited)),
            "actors": export.table(features.actors()),
            "crossings": export.table(features.crossings()),
            "boundaries": export.frame(features.boundaries(current_app.config["GEODATA_DIR"])),
        },
        changed=data_version(db.session)[1],
    )
