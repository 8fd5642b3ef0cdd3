"""/robots.txt keeps crawlers from what is costly, endless or private and lets them read
the pages; /favicon.ico and the icon every page links are served."""

from __future__ import annotations

import re
import runpy

import pytest
from PIL import Image

from app.web.site_files import PREVIEWERS, ROBOTS
from tests.conftest import ROOT
from tests.web.test_route_census import PRIVATE_PATHS, _url

# ROBOTS's rules and each as a pattern (RFC 9309: `*` matches any characters; a rule
# matches from the start of the path and query). There are no Allow lines.
PREVIEW_GROUP, CRAWLER_GROUP = ROBOTS.split("\n\n")
RULES = [line.removeprefix("Disallow: ") for line in CRAWLER_GROUP.splitlines()[1:]]
PATTERNS = {rule: re.compile(".*".join(map(re.escape, rule.split("*")))) for rule in RULES}


def _disallowed(path: str) -> bool:
    """Whether ROBOTS keeps a crawler from `path`."""
    return any(pattern.match(path) for pattern in PATTERNS.values())


@pytest.mark.parametrize(
    "path",
    ["/", "/?lang=ar", "/sites/albukamal", "/sites/albukamal?lang=ar", "/ogc/", "/ogc/collections",
     "/ogc/collections/sites", "/ogc/conformance", "/feeds/changes.atom", "/cite"],
)  # fmt: skip
def test_crawlers_may_read_the_pages(path):
    assert not _disallowed(path)


@pytest.mark.parametrize(
    "path",
    ["/?date=2015-08-01", "/?lang=ar&date=2015-08-01", "/sites/albukamal?known=2020-01-01",
     "/sites/albukamal?rev=3", "/maps/2015-08-01.png", "/maps/animation.gif",
     "/timeline.pdf", "/api/export.gpkg", "/api/sites.geojson", "/ogc/collections/periods/items",
     "/ogc/collections/sites/items/albukamal", "/search?q=tanf", "/embed?site=albukamal",
     "/login"],
)  # fmt: skip
def test_crawlers_are_kept_from_what_is_costly_or_endless(path):
    assert _disallowed(path)


def test_the_apps_that_preview_a_shared_link_may_fetch_it_and_its_picture():
    """A chat app's preview of a dated map needs the page and /maps/<day>.png."""
    assert CRAWLER_GROUP.startswith("User-agent: *\n")
    assert PREVIEW_GROUP.splitlines() == [*(f"User-agent: {a}" for a in PREVIEWERS), "Disallow:"]


def test_every_private_page_is_kept_from_crawlers(app):
    private = [_url(r) for r in app.url_map.iter_rules() if PRIVATE_PATHS.match(r.rule)]
    assert private and not [path for path in private if not _disallowed(path)]


def test_every_rule_names_a_path_the_app_serves(app):
    """A rule left behind by a route renamed later would keep nothing from crawlers."""
    paths = [_url(r) for r in app.url_map.iter_rules()]
    for rule, pattern in PATTERNS.items():
        if "=" not in rule:  # those name a query parameter, not a path
            assert any(pattern.match(path) for path in paths), rule


def test_robots_txt_is_served_as_plain_text(client):
    resp = client.get("/robots.txt")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert resp.get_data(as_text=True) == ROBOTS
    assert client.get("/robots.txt?x=1").status_code == 400


def test_the_icon_is_served_and_linked(client, seeded_client):
    with client.get("/favicon.ico") as resp:
        assert resp.status_code == 200 and resp.mimetype == "image/vnd.microsoft.icon"
        assert resp.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    pages = ("/", "/sites/albukamal", "/embed?site=albukamal", "/ogc/?f=html", "/ogc/api?f=html")
    for page in pages:
        body = seeded_client.get(page).get_data(as_text=True)
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', body)
        assert icon, page
        with seeded_client.get(icon.group(1)) as svg:
            assert svg.status_code == 200 and svg.mimetype == "image/svg+xml", page


def test_the_icons_are_the_drawing_of_scripts_make_icons():
    """The committed icons are what scripts/make_icons.py makes of its one drawing."""
    script = runpy.run_path(str(ROOT / "scripts" / "make_icons.py"))
    folder = ROOT / "static" / "img"
    assert (folder / "icon.svg").read_text(encoding="utf-8") == script["svg"]()
    with Image.open(folder / "favicon.ico") as ico:
        assert ico.info["sizes"] == {(16, 16), (32, 32), (48, 48)}
    with Image.open(folder / "apple-touch-icon.png") as png:
        assert png.size == (180, 180) and png.mode == "RGB"
