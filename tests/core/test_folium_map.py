"""The Folium map: our plugin and vendored Leaflet only, boundary layers, legend, tiles."""

import re

import pytest

from app.core import folium_map

SQUARE = {"type": "Polygon", "coordinates": [[[38, 33], [39, 33], [39, 34], [38, 33]]]}
LAYERS = {
    "countries": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": SQUARE,
                "properties": {"iso_a2": "SY", "iso_n3": "760", "name": "Syria"},
            }
        ],
    },
    "border": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "border"},
                "geometry": {"type": "LineString", "coordinates": [[39.1234567, 33], [39, 34]]},
            }
        ],
    },
    "zone": {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": SQUARE, "properties": {"name": "zone"}}],
    },
}
ACTORS = [
    folium_map.LegendActor("isis", "Islamic State <script>", "#000000", "ISIS"),
    folium_map.LegendActor("odd", "Odd", "url(x)", ""),
]


@pytest.fixture
def parts():
    return folium_map.render_parts(folium_map.build_map(LAYERS, ACTORS, static_url="/static"))


def test_only_vendored_leaflet_and_our_plugin_are_loaded(parts):
    sources = re.findall(r'(?:src|href)="([^"]+)"', parts.header)
    assert sources == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/js/atlas-core.js",
        "/static/js/atlas-map.js",
        "/static/css/map.css",
    ]


def test_nothing_points_at_another_host(parts):
    everything = parts.header + parts.html + parts.script
    assert not re.search(r"https?://", everything)
    assert "cdn" not in everything.lower()


def test_no_page_level_styles_or_unnonced_code_in_the_header(parts):
    assert "<style" not in parts.header
    assert not re.search(r"<script(?![^>]*\bsrc=)", parts.header)


def test_plugin_is_attached_to_the_map_and_layer_control(parts):
    call = re.search(r"AtlasMap\.attach\((map_\w+), (layer_control_\w+), (\{.*\})\);", parts.script)
    assert call and f'id="{call.group(1)}"' in parts.html
    assert '"data": "atlas-data"' in call.group(3)


def test_boundary_layers_are_named_in_the_layer_control(parts):
    for name in ("Countries", "Syria\\u2013Iraq border", "al-Tanf 55 km zone (approximate)"):
        assert f'"{name}"' in parts.script


def test_zone_is_dashed_and_called_approximate(parts):
    assert '"dashArray": "6 5"' in parts.script
    assert "approximate" in parts.script


def test_boundary_coordinates_are_rounded(parts):
    assert "39.1234567" not in parts.script and "39.123" in parts.script


def test_legend_lists_actors_escaped_and_the_encodings(parts):
    legend = parts.html
    assert 'data-actor="isis"' in legend and "ISIS" in legend
    assert 'title="Islamic State &lt;script&gt;"' in legend
    assert "--c: #8a8f98" in legend  # an unsafe colour is replaced
    for label in (
        "Unknown (no record)",
        "Contested",
        "Date uncertain",
        "Open",
        "Closed",
        "Restricted",
        "Status unknown",
        "Changing hands (date window)",
        "Not tracked for control",
    ):
        assert label in legend


def test_legend_counts_handovers_and_untracked_sites_like_actors(parts):
    """atlas-map.js counts li[data-state] entries and hides them while none is shown."""
    legend = parts.html
    transition = re.search(r'<li data-state="transition"[^>]*>(.*?)</li>', legend, re.S)
    untracked = re.search(r'<li data-state="untracked"[^>]*>(.*?)</li>', legend, re.S)
    assert transition and 'class="mk mk-transition' in transition.group(1)
    assert untracked and 'class="mk mk-untracked' in untracked.group(1)
    for entry in (transition, untracked):
        assert '<span class="legend-count"></span>' in entry.group(1)


def test_no_tiles_unless_configured(parts):
    assert "tileLayer" not in parts.script


def test_configured_tiles_are_added_with_attribution():
    m = folium_map.build_map(LAYERS, [], tiles_url="https://tiles.example.org/{z}/{x}/{y}.png")
    script = folium_map.render_parts(m).script
    assert "L.tileLayer" in script and "https://tiles.example.org/{z}/{x}/{y}.png" in script
    assert '"attribution": "tiles.example.org"' in script
