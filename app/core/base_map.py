"""The map page's base map — view, boundary layers, country names — as one JSON block.

Pure (no Flask). ``static/js/atlas-base.js`` builds the Leaflet map from :func:`config`
and hands it to ``atlas-map.js``, which draws the sites, the legend counts and the slider
from the time data block (:mod:`app.core.map_encoding`). Nothing here depends on the date
or the record, so the block is made once per language and settings.

>>> [layer["name"] for layer in config(SAMPLE)["layers"]]
['Countries', 'Syria–Iraq border', 'al-Tanf 55 km zone (approximate)']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from shapely import clip_by_rect
from shapely.geometry import mapping, shape

from app.core import geojson
from app.core.geo import COUNTRY_NAMES
from app.core.map_encoding import actor_code, safe_colour
from app.core.text_rules import N_, worded

__all__ = [
    "LIMITS",
    "REGION",
    "STATUS_LABELS",
    "WORDS",
    "LegendActor",
    "config",
    "safe_colour",
]

#: Where the map opens: the border region, south-west to north-east (lat, lon).
REGION = ((32.9, 37.9), (37.5, 43.0))
#: How far the map can be panned (lon/lat box); boundaries are clipped to it.
LIMITS = (34.0, 30.0, 47.0, 39.5)
STATUS_LABELS = {
    "open": "open",
    "closed": "closed",
    "restricted": "restricted",
    "unknown": "unknown",
}
_HOME = {"SY", "IQ"}
_STYLES = {
    "countries": {"color": "#8d96a3", "weight": 1, "fillOpacity": 1, "fillColor": "#eceef1"},
    "border": {"color": "#4a3b5c", "weight": 2.5},
    "zone": {
        "color": "#4f5b66",
        "weight": 1.5,
        "dashArray": "6 5",
        "fillColor": "#4f5b66",
        "fillOpacity": 0.06,
    },
}
# Syria and Iraq on a warm fill, their neighbours grey: the two countries of the record.
_HOME_FILL = "#fbf7ee"


_LAYER_NAMES = {
    "countries": N_("Countries"),
    "border": N_("Syria–Iraq border"),
    "zone": N_("al-Tanf 55 km zone (approximate)"),
}
_ZONE_TIP = N_(
    "al-Tanf deconfliction zone — approximate: a 55 km circle around the "
    "garrison; no official boundary has been published"
)
#: Every word of the base map: `config(words=...)` maps each to the reader's language.
WORDS = (*_LAYER_NAMES.values(), _ZONE_TIP, N_("Tiles"))

#: A small set of layers for the doctests.
SAMPLE = {
    name: geojson.feature_collection(
        [
            geojson.feature(
                None,
                {"type": "Polygon", "coordinates": [[[38, 33], [39, 33], [39, 34], [38, 33]]]},
                {"name": name, "iso_a2": "SY"},
            )
        ]
    )
    for name in _LAYER_NAMES
}


@dataclass(frozen=True)
class LegendActor:
    """One legend entry: an actor that appears in the record."""

    slug: str
    name: str
    colour: str
    short: str = ""
    name_ar: str = ""
    short_ar: str = ""

    def label(self, language: str) -> tuple[str, str]:
        """(full name, shown label) in `language`: Arabic where recorded, else English.

        >>> LegendActor("isis", "Islamic State", "#000000", "ISIS", "داعش").label("ar")
        ('داعش', 'داعش')
        """
        if language == "ar" and self.name_ar:
            return self.name_ar, self.short_ar or self.name_ar
        return self.name, self.short or self.name

    @property
    def code(self) -> str:
        """The letter code drawn in the actor's markers."""
        return actor_code(self.slug, self.short)

    @property
    def ink(self) -> str:
        """The class for black or white code letters, whichever reads better on the colour."""
        return "mk-ink-dark" if _luminance(safe_colour(self.colour)) > 0.179 else "mk-ink-light"


def config(
    layers: Mapping[str, dict],
    *,
    tiles_url: str = "",
    tiles_attribution: str = "",
    words: Mapping[str, str] | None = None,
    data_id: str = "atlas-data",
    language: str = "en",
) -> dict:
    """The base map as JSON-ready data: the view, optional tiles, the boundary layers
    (clipped, rounded, each feature with its style), the country names in `language` and
    the options of the time plugin; `words` translates WORDS (English where it has no
    entry)."""
    table = words or {}

    def t(message: str) -> str:
        return worded(table, message)

    west, south, east, north = LIMITS
    countries = _compact(layers["countries"])
    return {
        "view": {
            "center": [35.2, 40.5],
            "zoom": 7,
            "maxBounds": [[south, west], [north, east]],
            "fit": [list(REGION[0]), list(REGION[1])],
        },
        "tiles": (
            {
                "name": t(N_("Tiles")),
                "url": tiles_url,
                "attribution": tiles_attribution or _host(tiles_url),
            }
            if tiles_url
            else None
        ),
        "layers": [
            {
                "name": t(_LAYER_NAMES[name]),
                "data": _styled(name, countries if name == "countries" else _compact(layers[name])),
                "interactive": name == "zone",
                "tooltip": t(_ZONE_TIP) if name == "zone" else None,
            }
            for name in ("countries", "border", "zone")
        ],
        "labels": _country_labels(countries, language),
        "plugin": {"data": data_id, "legend": "atlas-legend", "siteUrl": "/sites/"},
    }


def _styled(name: str, data: dict) -> dict:
    """The layer with each feature's Leaflet path style in its `style` property."""
    for feature in data["features"]:
        style = dict(_STYLES[name])
        if name == "countries" and feature["properties"].get("iso_a2") in _HOME:
            style["fillColor"] = _HOME_FILL
        feature["properties"]["style"] = style
    return data


def _country_labels(countries: dict, language: str = "en") -> list[list]:
    """[name, lat, lon] of a point inside each country (the base map has no tiles), named
    in `language` (geo.COUNTRY_NAMES; a country it does not list keeps the layer's name).

    >>> _country_labels(SAMPLE["countries"], "ar")[0][0]
    'سوريا'
    """
    out = []
    for feature in countries["features"]:
        point = shape(feature["geometry"]).representative_point()
        props = feature["properties"]
        names = COUNTRY_NAMES.get(props.get("iso_a2", ""))
        name = names[language == "ar"] if names else props.get("name", "")
        out.append([name, round(point.y, 3), round(point.x, 3)])
    return out


def _compact(data: dict) -> dict:
    """Names, and shapes clipped to the pannable box with coordinates to about 100 m."""
    keep = ("name", "iso_a2")
    features = []
    for f in data["features"]:
        geometry = clip_by_rect(shape(f["geometry"]), *LIMITS)
        if geometry.is_empty:
            continue
        geometry = mapping(geometry)
        features.append(
            geojson.feature(
                None,
                {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])},
                {k: f["properties"][k] for k in keep if k in f["properties"]},
            )
        )
    return geojson.feature_collection(features)


def _rounded(coords):
    """Coordinates (nested lists or tuples of any depth) rounded to 3 decimals."""
    if coords and isinstance(coords[0], int | float):
        return [round(c, 3) for c in coords]
    return [_rounded(c) for c in coords]


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _host(url: str) -> str:
    """The host part of a tile URL template, as a minimal attribution."""
    return re.sub(r"^[a-z]+://([^/]+).*$", r"\1", url)
