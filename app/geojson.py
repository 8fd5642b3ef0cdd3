"""Build RFC 7946 GeoJSON from plain rows (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson

MEDIA_TYPE = "application/geo+json"

# Internal helper fields that are not part of the public feature properties.
_HIDDEN = {"lon", "lat"}


def point_feature(row: dict, fid=None) -> dict:
    """A Point feature at the row's lon/lat with every other field as a property."""
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
        "properties": {k: v for k, v in row.items() if k not in _HIDDEN},
    }
    if fid is not None:
        feature["id"] = fid
    return feature


def feature_collection(features: Iterable[dict], **members) -> dict:
    """A FeatureCollection, with optional foreign members (e.g. the date asked for)."""
    return {"type": "FeatureCollection", **members, "features": list(features)}


def dumps(obj) -> bytes:
    """Serialise with orjson (dates as ISO strings)."""
    return orjson.dumps(obj)
