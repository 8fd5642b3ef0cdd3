"""Atom 1.0 (RFC 4287) documents from plain values; ElementTree does the escaping."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from app.core import clock

__all__ = ["MEDIA_TYPE", "FEED_TYPES", "Entry", "feed", "tag_uri", "xml_chars"]

MEDIA_TYPE = "application/atom+xml"
#: What a feed may be served as: feed readers ask for plain XML too.
FEED_TYPES = (MEDIA_TYPE, "application/xml", "text/xml")
_NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Entry:
    """One feed entry; `content` is HTML that will be escaped into the document."""

    id: str
    title: str
    updated: dt.datetime
    published: dt.datetime
    link: str
    content: str
    related: Sequence[tuple[str, str]] = field(default_factory=tuple)


def tag_uri(authority: str, year: int, specific: str) -> str:
    """A tag: URI (RFC 4151) such as ``tag:example.org,2026:control-period-7``."""
    return f"tag:{authority},{year}:{specific}"


def feed(
    *,
    id: str,
    title: str,
    self_url: str,
    alternate: str,
    author: str,
    updated: dt.datetime,
    entries: Iterable[Entry],
    lang: str = "en",
) -> bytes:
    """A complete Atom feed document, its text in `lang` (xml:lang)."""
    root = ET.Element("feed", xmlns=_NS)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    _text(root, "id", id)
    _text(root, "title", title)
    _text(root, "updated", clock.stamp(updated))
    ET.SubElement(root, "link", rel="self", href=self_url, type=MEDIA_TYPE)
    ET.SubElement(root, "link", rel="alternate", href=alternate, type="text/html")
    _text(ET.SubElement(root, "author"), "name", author)
    for entry in entries:
        _entry(root, entry)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(root: ET.Element, e: Entry) -> None:
    node = ET.SubElement(root, "entry")
    _text(node, "id", e.id)
    _text(node, "title", e.title)
    _text(node, "updated", clock.stamp(e.updated))
    if e.published is not None:
        _text(node, "published", clock.stamp(e.published))
    ET.SubElement(node, "link", rel="alternate", href=e.link, type="text/html")
    for href, title in e.related:
        ET.SubElement(node, "link", rel="related", href=href, title=xml_chars(title))
    content = _text(node, "content", e.content)
    content.set("type", "html")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    child = ET.SubElement(parent, tag)
    child.text = xml_chars(text)
    return child


def xml_chars(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (ElementTree would write them).

    >>> xml_chars("a\\x0bb\\x00c\\tend")
    'abc\\tend'
    """
    return _NOT_XML.sub("", text)
