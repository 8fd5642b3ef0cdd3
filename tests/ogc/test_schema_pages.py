"""The queryables and schema pages (f=html) in the reader's language, their JSON in English
(the machine contract): title, heading and each property's meaning are translated the way
the collection pages' titles are (the catalogue), from the same English strings."""

from __future__ import annotations

import re

import pytest

from app.db import cql
from app.ogc import html as ogc_html

ARABIC = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture
def seeded_client(read_only_seeded):
    return read_only_seeded.test_client()


def _page(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def _meanings(page: str) -> list[str]:
    """The last cell ("meaning") of each row of the properties table."""
    return re.findall(r"<td[^>]*>([^<]*)</td></tr>", page)


@pytest.mark.parametrize("kind", ["queryables", "schema"])
@pytest.mark.parametrize("cid", ["sites", "periods", "events", "boundaries"])
def test_arabic_schema_pages_are_arabic(seeded_client, cid, kind):
    page = _page(seeded_client, f"/ogc/collections/{cid}/{kind}?f=html&lang=ar")
    title = re.search(r"<title>(.*?)</title>", page)[1]
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)[1]
    assert title == heading
    assert ARABIC.search(title) and not re.search(r"[A-Za-z]", title), title
    collection = _page(seeded_client, f"/ogc/collections/{cid}?f=html&lang=ar")
    # The collection's title as its own page gives it, then what this page lists.
    assert title.startswith(re.search(r"<h1[^>]*>(.*?)</h1>", collection)[1])
    meanings = _meanings(page)
    assert len(meanings) == len(getattr(cql, kind)(cid))
    english = [m for m in meanings if not ARABIC.search(m)]
    assert english == [], english


def test_sites_queryables_in_arabic(seeded_client):
    page = _page(seeded_client, "/ogc/collections/sites/queryables?f=html&lang=ar")
    assert "<title>المواقع: الحال في تاريخ: الخصائص القابلة للاستعلام</title>" in page
    assert "Controlling actor slug" not in page


def test_english_pages_and_json_keep_the_english_words(seeded_client):
    page = _page(seeded_client, "/ogc/collections/sites/queryables?f=html")
    assert "<title>Sites: state at a date: queryables</title>" in page
    assert "Controlling actor slug (null: unknown or in transition)" in page
    for lang in ("", "&lang=ar"):
        doc = seeded_client.get(f"/ogc/collections/sites/queryables?f=json{lang}").get_json()
        assert doc["title"] == "Sites: state at a date: queryables"
        assert doc["properties"] == cql.queryables("sites")
        assert set(doc) == {
            "$schema",
            "$id",
            "type",
            "title",
            "properties",
            "additionalProperties",
        }
        doc = seeded_client.get(f"/ogc/collections/periods/schema?f=json{lang}").get_json()
        assert doc["title"] == "Control periods: schema"
        assert doc["properties"] == cql.schema("periods")


def test_every_property_meaning_is_in_the_pages_words():
    """A property added to app.db.cql needs its meaning in html.PROPERTY_WORDS (and so in
    the catalogue), or the Arabic pages would show it in English."""
    for kind in cql.QUERYABLES:
        for name, prop in cql.schema(kind).items():
            assert prop["title"] in ogc_html.PROPERTY_WORDS, (kind, name)
            assert prop["title"] in ogc_html.WORDS
