"""The base map block: boundary layers styled and rounded, country names, tiles, no host."""

import json
import re

import pytest

from app.core import base_map

SQUARE = {"type": "Polygon", "coordinates": [[[38, 33], [39, 33], [39, 34], [38, 33]]]}
LAYERS = {
    "countries": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": SQUARE,
                "properties": {"iso_a2": "SY", "iso_n3": "760", "name": "Syria"},
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[36, 31], [37, 31], [37, 32], [36, 31]]],
                },
                "properties": {"iso_a2": "XJ", "name": "Jordan <b>"},
            },
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


@pytest.fixture
def block():
    return base_map.config(LAYERS)


def test_nothing_points_at_another_host(block):
    text = json.dumps(block)
    assert not re.search(r"https?://", text) and "cdn" not in text.lower()


def test_boundary_layers_are_named_for_the_layer_control(block):
    assert [layer["name"] for layer in block["layers"]] == [
        "Countries",
        "Syria–Iraq border",
        "al-Tanf 55 km zone (approximate)",
    ]


def test_only_the_zone_is_interactive_with_its_approximate_tooltip(block):
    interactive = [layer for layer in block["layers"] if layer["interactive"]]
    assert len(interactive) == 1 and "approximate" in interactive[0]["tooltip"]


def test_each_feature_carries_its_style(block):
    countries, _, zone = (layer["data"]["features"] for layer in block["layers"])
    fills = {f["properties"]["name"]: f["properties"]["style"]["fillColor"] for f in countries}
    assert fills["Syria"] != fills["Jordan <b>"]  # the record's countries stand out
    assert zone[0]["properties"]["style"]["dashArray"] == "6 5"


def test_boundary_coordinates_are_rounded(block):
    text = json.dumps(block)
    assert "39.1234567" not in text and "39.123" in text


def test_country_names_sit_inside_their_country(block):
    labels = {name: (lat, lon) for name, lat, lon in block["labels"]}
    assert set(labels) == {"Syria", "Jordan <b>"}
    lat, lon = labels["Syria"]
    assert 33 <= lat <= 34 and 38 <= lon <= 39


def test_country_names_speak_the_maps_language():
    """The countries the atlas knows are named in Arabic on the Arabic map; a country it
    does not know keeps the layer's own name."""
    labels = [name for name, _, _ in base_map.config(LAYERS, language="ar")["labels"]]
    assert labels == ["سوريا", "Jordan <b>"]


def test_no_tiles_unless_configured(block):
    assert block["tiles"] is None


def test_configured_tiles_are_added_with_attribution():
    tiles = base_map.config(LAYERS, tiles_url="https://tiles.example.org/{z}/{x}/{y}.png")["tiles"]
    assert tiles["url"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert tiles["attribution"] == "tiles.example.org"


def test_words_translate_the_layer_names():
    block = base_map.config(LAYERS, words={"Countries": "البلدان"})
    assert block["layers"][0]["name"] == "البلدان"


def test_legend_actor_ink_reads_on_its_colour():
    assert base_map.LegendActor("a", "A", "#000000").ink == "mk-ink-light"
    assert base_map.LegendActor("b", "B", "#ffffff").ink == "mk-ink-dark"
    assert base_map.LegendActor("c", "C", "url(x)").ink in ("mk-ink-light", "mk-ink-dark")
