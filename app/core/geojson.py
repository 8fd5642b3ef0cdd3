"""Build RFC 7946 GeoJSON from plain rows (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson

MEDIA_TYPE = "application/geo+json"

# Internal helper fields that are not part of the public feature properties.
_HIDDEN = {"lon", "lat"}


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


def point_feature(row: dict, fid=None) -> dict:
    """A Point feature at the row's lon/lat with every other field as a property."""
    props = {k: v for k, v in row.items() if k not in _HIDDEN}
    if "sources" in props:
        props["sources"] = cited(props["sources"])
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
