"""A shared link to the map or a site page previews as its title, a sentence and the map
of its date, in the page's language, with absolute addresses; every page names itself in
each language for search engines."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.core.clock import today
from app.db.models import Site
from app.extensions import db


def _meta(page: str) -> dict[str, str]:
    """The page's <meta> properties and names, unescaped."""
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page)
    return {key: html.unescape(value) for key, value in found}


def _alternates(page: str) -> dict[str, str]:
    found = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)
    return {code: html.unescape(href) for code, href in found}


@pytest.mark.parametrize(
    ("lang", "title", "words"),
    [("en", "Who held each crossing on 20 November 2017", "20 November 2017"),
     ("ar", "الجهة المسيطرة على كل منفذ حدودي في 20 تشرين الثاني 2017", "20 تشرين الثاني 2017")],
)  # fmt: skip
def test_a_dated_map_previews_with_its_date_and_its_map(contract_client, lang, title, words):
    page = contract_client.get(f"/?date=2017-11-20&lang={lang}").get_data(as_text=True)
    meta = _meta(page)
    assert meta["og:title"] == title
    assert words in meta["description"] == meta["og:description"]
    assert meta["og:url"] == f"http://localhost/?date=2017-11-20&lang={lang}"
    assert meta["og:image"] == f"http://localhost/maps/2017-11-20.png?lang={lang}"
    assert words in meta["og:image:alt"]
    assert meta["twitter:card"] == "summary_large_image"
    picture = contract_client.get(meta["og:image"].removeprefix("http://localhost"))
    assert picture.status_code == 200 and picture.mimetype == "image/png"


def test_an_undated_map_is_shared_undated_and_a_focused_site_stays(contract_client):
    meta = _meta(contract_client.get("/?lang=en").get_data(as_text=True))
    assert meta["og:url"] == "http://localhost/?lang=en"
    assert meta["og:image"] == f"http://localhost/maps/{today().isoformat()}.png?lang=en"
    focused = contract_client.get("/?date=2016-03-05&site=al-tanf&lang=en")
    url = _meta(focused.get_data(as_text=True))["og:url"]
    assert url == "http://localhost/?date=2016-03-05&site=al-tanf&lang=en"


def test_a_site_page_previews_with_its_name_and_the_map_of_its_date(contract_client):
    meta = _meta(contract_client.get("/sites/al-tanf?lang=ar").get_data(as_text=True))
    assert meta["og:title"] == "التنف"
    assert "التنف" in meta["og:description"]
    assert meta["og:url"] == "http://localhost/sites/al-tanf?lang=ar"
    assert meta["og:image"] == f"http://localhost/maps/{today().isoformat()}.png?lang=ar"
    dated = _meta(
        contract_client.get("/sites/al-tanf?date=2016-03-05&lang=en").get_data(as_text=True)
    )
    assert dated["og:url"] == "http://localhost/sites/al-tanf?date=2016-03-05&lang=en"
    assert dated["og:image"] == "http://localhost/maps/2016-03-05.png?lang=en"


def test_a_pinned_record_is_kept_in_the_shared_addresses(contract_client):
    meta = _meta(contract_client.get("/?date=2016-03-05&known=2026-01-01").get_data(as_text=True))
    assert "known=2026-01-01" in meta["og:url"] and "known=2026-01-01" in meta["og:image"]


def test_the_addresses_use_the_public_url(app, contract_client):
    app.config["PUBLIC_URL"] = "https://atlas.example.org"
    page = contract_client.get("/sites/al-tanf").get_data(as_text=True)
    assert _meta(page)["og:url"] == "https://atlas.example.org/sites/al-tanf?lang=en"
    assert _alternates(page)["ar"] == "https://atlas.example.org/sites/al-tanf?lang=ar"


def test_every_page_names_itself_in_each_language(contract_client):
    page = contract_client.get("/search?q=tanf&lang=ar").get_data(as_text=True)
    assert _alternates(page) == {
        "en": "http://localhost/search?q=tanf&lang=en",
        "ar": "http://localhost/search?q=tanf&lang=ar",
        "x-default": "http://localhost/search?q=tanf",
    }
    assert "og:title" not in _meta(page)  # only the map and the site pages are cards


def test_a_stored_name_is_escaped_in_the_card(app, contract_client):
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "al-tanf"))
        site.name = 'al-Tanf "><script>alert(1)</script>'
        db.session.commit()
    page = contract_client.get("/sites/al-tanf").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert _meta(page)["og:title"] == 'al-Tanf "><script>alert(1)</script>'
