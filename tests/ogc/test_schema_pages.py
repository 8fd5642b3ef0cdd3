"""The queryables and schema pages (f=html) in the reader's language, their JSON in English
(the machine contract): title, heading and each property's meaning are translated the way
the collection pages' titles are (the catalogue), from the same English strings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from app.db import cql
from app.ogc import html as ogc_html
from app.ogc import routes as ogc_routes

ROOT = Path(__file__).resolve().parents[2]

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


def _marked(path: str) -> set[str]:
    """The messages `make translations` collects from one module (its N_ calls)."""
    found = extract_from_file("python", ROOT / path, keywords={"N_": None})
    return {message for _line, message, _comments, _context in found}


def test_each_property_meaning_is_written_once_where_the_queryables_are():
    """app.db.cql's titles are the catalogue's messages themselves (marked N_ there) and the
    pages' words, so a property added there is translated on the pages with nothing else to
    keep in step; html.py no longer repeats them."""
    titles = {prop["title"] for kind in cql.QUERYABLES for prop in cql.schema(kind).values()}
    assert set(cql.titles()) == titles
    assert titles <= _marked("app/db/cql.py")
    assert titles <= set(ogc_routes._WORDS)
    assert not titles & set(ogc_html.WORDS)
    assert not hasattr(ogc_html, "PROPERTY_WORDS")
