"""The pages link the minified copies of their own scripts and style sheets."""

import os
import re
from pathlib import Path

import pytest

from app.web import assets

STATIC = Path(__file__).resolve().parents[2] / "static"
OWN = re.compile(r'(?:src|href)="/static/((?:js|css)/[^"?]+)"')


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.mark.parametrize(
    ("copy_age", "linked"),
    [(None, "js/map.js"), (0, "js/map.min.js"), (1, "js/map.min.js"), (-1, "js/map.js")],
    ids=["no copy", "same time", "newer copy", "source edited since"],
)
def test_a_copy_is_linked_while_it_is_at_least_as_new_as_its_source(tmp_path, copy_age, linked):
    _write(tmp_path / "js/map.js", "let a = 1;", 10**18)
    if copy_age is not None:
        _write(tmp_path / "js/map.min.js", "let a=1;", 10**18 + copy_age * 10**9)
    assert assets.chosen(tmp_path, "js/map.js") == linked


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?lang=ar",
        "/embed",
        "/sites/al-tanf",
        "/sites/al-tanf/cite",
        "/ogc/collections?f=html",
        "/ogc/api?f=html",
    ],
)
def test_pages_link_minified_copies_that_are_served(seeded_client, path):
    page = seeded_client.get(path).get_data(as_text=True)
    linked = OWN.findall(page)
    assert linked, "the page links none of its own scripts or style sheets"
    for name in linked:
        assert ".min." in name, f"{name}: no minified copy (make setup writes them)"
        source = STATIC / name.replace(".min.", ".")
        resp = seeded_client.get(f"/static/{name}")
        assert resp.status_code == 200, name
        body = resp.get_data()
        resp.close()
        assert 0 < len(body) < source.stat().st_size, name


def test_each_copy_maps_back_to_its_source():
    copies = sorted(STATIC.glob("js/*.min.js"))
    assert copies, "no minified scripts (make setup writes them)"
    for copy in copies:
        assert copy.read_text().rstrip().endswith(f"//# sourceMappingURL={copy.name}.map")
        assert (
            f'"sources": ["{copy.name.replace(".min.", ".")}"]'
            in (STATIC / "js" / f"{copy.name}.map").read_text()
        )


# The vendored style sheets a map links, and where npm ships them (scripts/vendor_assets.py).
SHIPPED = {
    "vendor/leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "vendor/markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
}


@pytest.mark.parametrize("path", ["/", "/embed"])
def test_maps_link_only_the_vendored_style_sheets_checked_below(seeded_client, path):
    page = seeded_client.get(path).get_data(as_text=True)
    sheets = re.findall(r'href="/static/(vendor/[^"]+\.css)"', page)
    assert sheets and set(sheets) <= set(SHIPPED), sheets


def test_vendored_style_sheets_are_minified_and_their_images_served(seeded_client):
    # MarkerCluster.css is linked by the script once the sites cluster.
    for name, source in SHIPPED.items():
        shipped = STATIC.parent / "node_modules" / source
        text = (STATIC / name).read_text()
        assert "\n" not in text.strip() and len(text) < shipped.stat().st_size, name
        for url in re.findall(r"url\(([^)#]+)\)", text):
            image = seeded_client.get(f"/static/{Path(name).parent / url}")
            assert image.status_code == 200, (name, url)
            image.close()
