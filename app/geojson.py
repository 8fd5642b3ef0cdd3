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
    return feature(fid, point(row["lon"], row["lat"]), props)


def feature_collection(features: Iterable[dict], **members) -> dict:
    """A FeatureCollection, with optional foreign members (e.g. the date asked for)."""
    return {"type": "FeatureCollection", **members, "features": list(features)}


def dumps(obj) -> bytes:
    """Serialise with orjson (dates as ISO strings)."""
    return orjson.dumps(obj)
