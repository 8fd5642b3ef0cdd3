"""Atom documents: required RFC 4287 elements, tag: ids, escaping."""

import datetime as dt
from xml.etree import ElementTree as ET

from app.core import atom

NS = {"a": "http://www.w3.org/2005/Atom"}
WHEN = dt.datetime(2016, 3, 4, tzinfo=dt.UTC)


def _doc(entries):
    return ET.fromstring(
        atom.feed(
            id=atom.tag_uri("example.org", 2026, "changes"),
            title="T",
            self_url="http://h/f.atom",
            alternate="http://h/",
            author="A",
            updated=WHEN,
            entries=entries,
        )
    )


def test_feed_has_the_required_elements():
    root = _doc([])
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("a:id", NS).text == "tag:example.org,2026:changes"
    assert root.find("a:updated", NS).text == "2016-03-04T00:00:00Z"
    assert root.find("a:author/a:name", NS).text == "A"
    assert root.find("a:link[@rel='self']", NS).get("type") == atom.MEDIA_TYPE


def test_entry_content_is_escaped_html_and_sources_are_related_links():
    entry = atom.Entry(
        "tag:example.org,2026:x-1",
        "<b>&",
        dt.datetime(2020, 1, 1),
        WHEN,
        "http://h/sites/a",
        "<p>note & <script>x</script></p>",
        [("https://example.org/a?b=1&c=2", 'A "report"')],
    )
    raw = atom.feed(
        id="tag:example.org,2026:c",
        title="T",
        self_url="http://h/f",
        alternate="http://h/",
        author="A",
        updated=WHEN,
        entries=[entry],
    )
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw
    node = ET.fromstring(raw).find("a:entry", NS)
    assert node.find("a:title", NS).text == "<b>&"
    assert node.find("a:content", NS).get("type") == "html"
    assert node.find("a:content", NS).text.startswith("<p>note &")
    assert node.find("a:updated", NS).text == "2020-01-01T00:00:00Z"  # naive taken as UTC
    related = node.find("a:link[@rel='related']", NS)
    assert related.get("href") == "https://example.org/a?b=1&c=2"
