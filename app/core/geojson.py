"""Build RFC 7946 GeoJSON from plain rows (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson

MEDIA_TYPE = "application/geo+json"


def feature(fid, geometry: dict | None, properties: dict) -> dict:
    """A Feature; `fid` None leaves out the optional id member.

    >>> feature(7, point(40.9, 34.4), {"name": "al-Qa'im"})["geometry"]
    {'type': 'Point', 'coordinates': [40.9, 34.4]}
    """
    out = {"type": "Feature", "geometry": geometry, "properties": properties}
    if fid is not None:
        out["id"] = fid
    return out


def point(lon: float, lat: float) -> dict:
    """A Point geometry (RFC 7946: longitude first)."""
    return {"type": "Point", "coordinates": [lon, lat]}


def point_feature(row: dict, fid=None, shown: dict[int, list[dict]] | None = None) -> dict:
    """A Point feature at the row's lon/lat with every other field as a property.

    `shown` maps the id of a row's list of sources to its :func:`cited` form: rows that
    share a list (as-of rows share their periods' sets) share that form too. The caller
    keeps it no longer than those rows, whose lists the ids name.

    >>> f = point_feature({"slug": "x", "lon": 40.9, "lat": 34.4, "sources": []}, "x")
    >>> f["properties"], f["geometry"]["coordinates"]
    ({'slug': 'x', 'sources': []}, [40.9, 34.4])
    """
    # A copy less the coordinates (which the geometry holds): several times faster than
    # picking 30 fields one by one, in the same order.
    props = row.copy()
    del props["lon"], props["lat"]
    if "sources" in props:
        sources = props["sources"]
        if shown is None:
            props["sources"] = cited(sources)
        else:
            form = shown.get(id(sources))
            if form is None:
                form = shown[id(sources)] = cited(sources)
            props["sources"] = form
    return feature(fid, point(row["lon"], row["lat"]), props)


def cited(sources: list[dict]) -> list[dict]:
    """Sources as features carry them: ref, title, publisher, url, and the publication
    date at its precision ("2013-03" when only the month is known).

    >>> cited([{"ref": "S1", "title": "T", "publisher": "P", "url": "https://x",
    ...         "published": "2013-03-01", "published_precision": "month",
    ...         "archived_url": ""}])
    [{'ref': 'S1', 'title': 'T', 'publisher': 'P', 'url': 'https://x', 'published': '2013-03'}]
    """
    return [_cited(s) for s in sources]


def _cited(s: dict) -> dict:
    published = s["published"]
    if published:
        published = published[: _PRECISION_CHARS[s["published_precision"]]]
    out = {
        "ref": s["ref"],
        "title": s["title"],
        "publisher": s["publisher"],
        "url": s["url"],
        "published": published,
    }
    if s.get("archived_url"):
        out["archived_url"] = s["archived_url"]
    return out


_PRECISION_CHARS = {"day": 10, "month": 7, "year": 4}


def feature_collection(features: Iterable[dict], **members) -> dict:
    """A FeatureCollection, with optional foreign members (e.g. the date asked for)."""
    return {"type": "FeatureCollection", **members, "features": list(features)}


def dumps(obj) -> bytes:
    """Serialise with orjson (dates as ISO strings)."""
    return orjson.dumps(obj)
