"""Folium: the map page's Leaflet map — boundary layers, legend and the time plugin.

Only Folium and plain data here (no Flask). The markers, the slider and the popups are
drawn in the browser by ``static/js/atlas-map.js`` from the time data block (see
:mod:`app.mapdata`); this module wires that plugin to the map.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from jinja2 import Environment
from shapely import clip_by_rect
from shapely.geometry import mapping, shape

from app.core import geojson
from app.core.map_encoding import actor_code, safe_colour

__all__ = ["STATUS_LABELS", "MapParts", "LegendActor", "build_map", "render_parts", "safe_colour"]

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
_BOUNDARY_STYLE = {
    "countries": lambda f: {
        "color": "#8d96a3",
        "weight": 1,
        "fillOpacity": 1,
        "fillColor": "#fbf7ee" if f["properties"].get("iso_a2") in ("SY", "IQ") else "#eceef1",
    },
    "border": lambda f: {"color": "#4a3b5c", "weight": 2.5},
    "zone": lambda f: {
        "color": "#4f5b66",
        "weight": 1.5,
        "dashArray": "6 5",
        "fillColor": "#4f5b66",
        "fillOpacity": 0.06,
    },
}
_LEGEND_STATUSES = (
    ("open", "Open"),
    ("closed", "Closed"),
    ("restricted", "Restricted"),
    ("unknown", "Status unknown"),
)
_LAYER_NAMES = {
    "countries": "Countries",
    "border": "Syria–Iraq border",
    "zone": "al-Tanf 55 km zone (approximate)",
}
_ZONE_TIP = (
    "al-Tanf deconfliction zone — approximate: a 55 km circle around the "
    "garrison; no official boundary has been published"
)
_env = Environment(autoescape=True)
# Folium's own macros return plain strings; they must not be escaped a second time.
_folium_env = Environment()


@dataclass(frozen=True)
class LegendActor:
    """One legend entry: an actor that appears in the record."""

    slug: str
    name: str
    colour: str
    short: str = ""

    @property
    def code(self) -> str:
        """The letter code drawn in the actor's markers."""
        return actor_code(self.slug, self.short)

    @property
    def ink(self) -> str:
        """The class for black or white code letters, whichever reads better on the colour."""
        return "mk-ink-dark" if _luminance(self.colour) > 0.179 else "mk-ink-light"


@dataclass(frozen=True)
class MapParts:
    """The rendered map, ready for the page's <head>, <body> and a nonce'd <script>."""

    header: str
    html: str
    script: str


def build_map(
    layers: dict[str, dict],
    actors: Sequence[LegendActor],
    *,
    static_url: str = "/static",
    tiles_url: str = "",
    tiles_attribution: str = "",
    data_id: str = "atlas-data",
) -> folium.Map:
    """The Leaflet map: boundaries as the base, a layer control, legend and time plugin."""
    west, south, east, north = LIMITS
    m = AtlasMap(
        static_url,
        location=[35.2, 40.5],
        zoom_start=7,
        min_zoom=6,
        max_zoom=13,
        tiles=None,
        control_scale=True,
        max_bounds=True,
        min_lon=west,
        min_lat=south,
        max_lon=east,
        max_lat=north,
    )
    if tiles_url:
        folium.TileLayer(
            tiles=tiles_url, attr=tiles_attribution or _host(tiles_url), name="Tiles", overlay=False
        ).add_to(m)
    for name in ("countries", "border", "zone"):
        _boundary(name, layers[name]).add_to(m)
    _country_labels(_compact(layers["countries"])).add_to(m)
    control = folium.LayerControl(collapsed=True, position="topright")
    control.add_to(m)
    m.fit_bounds([list(REGION[0]), list(REGION[1])])
    Legend(actors).add_to(m)
    # Last, so that a ?site= focus in the plugin comes after the initial view.
    TimePlugin(static_url, control, data_id).add_to(m)
    return m


def render_parts(m: folium.Map) -> MapParts:
    """Render the figure once and split it into header, body HTML and script."""
    figure: Any = m.get_root()  # a branca Figure: header, html and script are its parts
    figure.render()
    return MapParts(figure.header.render(), figure.html.render(), figure.script.render())


class AtlasMap(folium.Map):
    """folium.Map with our vendored Leaflet and no page-level styles of its own.

    Folium's header styles the whole document (html, body at 100 %); the page's
    stylesheet sizes the map instead, so only the body and script macros are kept.
    """

    _template = _folium_env.from_string(
        "{% macro html(this, kwargs) %}{{ base.html(this, kwargs) }}{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ base.script(this, kwargs) }}{% endmacro %}",
        globals={"base": folium.Map._template.module},
    )

    def __init__(self, static_url: str, **kwargs):
        super().__init__(**kwargs)
        vendor = f"{static_url}/vendor/leaflet"
        self.default_js = [("leaflet", f"{vendor}/leaflet.js")]
        self.default_css = [("leaflet_css", f"{vendor}/leaflet.css")]


class Legend(folium.MacroElement):
    """The key to the markers: actors in the record, unknown, changing hands, not tracked,
    contested, status, events. Entries with a count are hidden while nothing on the map
    shows them (atlas-map.js counts them on every date)."""

    _template = _env.from_string("""
{% macro html(this, kwargs) %}
<details class="atlas-legend" id="atlas-legend" open>
  <summary>Legend</summary>
  <ul class="legend-actors">
  {% for a in this.actors %}
    <li data-actor="{{ a.slug }}" title="{{ a.name }}"><span class="mk mk-status-unknown {{ a.ink }}" style="--c: {{ a.colour }}">{{ a.code }}</span>{{ a.short or a.name }} <span class="legend-count"></span></li>
  {% endfor %}
    <li data-actor=""><span class="mk mk-gap mk-status-unknown">?</span>Unknown (no record) <span class="legend-count"></span></li>
    <li data-state="transition" title="The record knows only a window of days in which control passed: left half the outgoing holder's colour, right half the incoming one's (white where that side is unknown)"><span class="mk mk-transition mk-hatched mk-status-unknown"></span>Changing hands (date window) <span class="legend-count"></span></li>
    <li data-state="untracked" title="Areas drawn for context; who controls them is not recorded"><span class="mk mk-untracked mk-status-unknown"></span>Not tracked for control <span class="legend-count"></span></li>
  </ul>
  <ul class="legend-marks">
    <li title="The outer ring has the challenger's colour"><span class="mk mk-status-unknown mk-contested"></span>Contested</li>
    <li title="Hatched: the sources mark a date of the period uncertain (?) or approximate (~), or control changed hands within a window of days"><span class="mk mk-status-unknown mk-hatched"></span>Date uncertain</li>
    <li title="Two sides of one crossing, drawn as one symbol until zoomed in: Syrian side left, Iraqi side right"><span class="mk mk-split"></span>Crossing (SY | IQ)</li>
    <li title="The site whose popup is open"><span class="mk mk-selected"></span>Selected</li>
    {% for key, label in this.statuses %}<li><span class="badge badge-{{ key }}"></span>{{ label }}</li>
    {% endfor %}
    <li><span class="ev-mark"></span>Event (±30 days)</li>
    <li title="A 55 km circle around the garrison; no official boundary was published"><span class="zone-mark"></span>al-Tanf zone (approx.)</li>
  </ul>
</details>
{% endmacro %}""")

    def __init__(self, actors: Iterable[LegendActor]):
        super().__init__()
        self._name = "Legend"
        self.actors = [LegendActor(a.slug, a.name, safe_colour(a.colour), a.short) for a in actors]
        self.statuses = _LEGEND_STATUSES


class TimePlugin(folium.elements.JSCSSMixin):
    """Attaches atlas-map.js (with atlas-core.js) to the map; it reads the data block."""

    _template = _env.from_string("""
{% macro script(this, kwargs) %}
AtlasMap.attach({{ this._parent.get_name() }}, {{ this.control.get_name() }}, {{ this.options | tojson }});
{% endmacro %}""")

    def __init__(self, static_url: str, control: folium.LayerControl, data_id: str):
        super().__init__()
        self._name = "AtlasTime"
        self.control = control
        self.options = {"data": data_id, "legend": "atlas-legend", "siteUrl": "/sites/"}
        self.default_js = [
            ("atlas_core", f"{static_url}/js/atlas-core.js"),
            ("atlas_map", f"{static_url}/js/atlas-map.js"),
        ]
        self.default_css = [("atlas_map_css", f"{static_url}/css/map.css")]


def _boundary(name: str, data: dict) -> folium.GeoJson:
    """One boundary layer, drawn under the markers and never focusable."""
    return folium.GeoJson(
        _compact(data),
        name=_LAYER_NAMES[name],
        style_function=_BOUNDARY_STYLE[name],
        tooltip=_ZONE_TIP if name == "zone" else None,
        interactive=name == "zone",
        control=True,
        overlay=True,
        show=True,
        zoom_on_click=False,
    )


def _country_labels(countries: dict) -> folium.FeatureGroup:
    """Country names at a point inside each country (the base map has no tiles)."""
    group = folium.FeatureGroup(name="Country names", control=False)
    for feature in countries["features"]:
        point = shape(feature["geometry"]).representative_point()
        icon = folium.DivIcon(
            html=_env.from_string("{{ n }}").render(n=feature["properties"].get("name", "")),
            class_name="country-label",
            icon_size=(120, 16),
            icon_anchor=(60, 8),
        )
        folium.Marker([point.y, point.x], icon=icon, interactive=False, keyboard=False).add_to(
            group
        )
    return group


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
