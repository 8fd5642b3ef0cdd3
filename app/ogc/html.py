"""Small HTML views of the OGC API documents (``f=html``); every value is escaped."""

from __future__ import annotations

from html import escape

__all__ = ["page"]

_TITLES = {
    "landing": "Border Control Atlas – OGC API",
    "conformance": "Conformance",
    "collections": "Collections",
    "items": "Features",
}


def page(kind: str, doc: dict) -> str:
    """A complete HTML page for one document of the given kind.

    >>> "&lt;b&gt;" in page("collection", {"title": "<b>", "links": []})
    True
    """
    title = doc.get("title") or _TITLES.get(kind) or f"Feature {doc.get('id')}"
    body = _BODIES[kind](doc)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><main>"
        f"<h1>{escape(title)}</h1>{body}{_links(doc.get('links', []))}"
        "</main></body></html>"
    )


def _landing(doc: dict) -> str:
    return f"<p>{escape(doc.get('description', ''))}</p>"


def _conformance(doc: dict) -> str:
    return "<ul>" + "".join(f"<li>{escape(c)}</li>" for c in doc["conformsTo"]) + "</ul>"


def _collections(doc: dict) -> str:
    return "".join(
        f'<section><h2><a href="{escape(_href(c, "self"))}?f=html">{escape(c["title"])}'
        f"</a></h2><p>{escape(c['description'])}</p></section>"
        for c in doc["collections"]
    )


def _collection(doc: dict) -> str:
    return f"<p>{escape(doc.get('description', ''))}</p>"


def _items(doc: dict) -> str:
    feats = doc["features"]
    columns = list(feats[0]["properties"]) if feats else []
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in ["id", *columns])
    rows = "".join(
        "<tr>"
        + f"<td>{escape(str(f.get('id')))}</td>"
        + "".join(f"<td>{escape(_text(f['properties'].get(c)))}</td>" for c in columns)
        + "</tr>"
        for f in feats
    )
    return (
        f"<p>{doc['numberReturned']} of {doc['numberMatched']} features.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _item(doc: dict) -> str:
    rows = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(_text(v))}</dd>" for k, v in doc["properties"].items()
    )
    return f"<dl>{rows}</dl>"


def _links(links: list[dict]) -> str:
    items = "".join(
        f'<li><a href="{escape(link["href"])}" rel="{escape(link["rel"])}">'
        f"{escape(link.get('title') or link['rel'])}</a> ({escape(link['rel'])})"
        "</li>"
        for link in links
    )
    return f"<nav><h2>Links</h2><ul>{items}</ul></nav>" if items else ""


def _href(doc: dict, rel: str) -> str:
    return next(link["href"] for link in doc["links"] if link["rel"] == rel)


def _text(value) -> str:
    """A readable one-line form of a property value."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(
            v.get("title") or v.get("ref") or "" if isinstance(v, dict) else str(v) for v in value
        )
    return str(value)


_BODIES = {
    "landing": _landing,
    "conformance": _conformance,
    "collections": _collections,
    "collection": _collection,
    "items": _items,
    "item": _item,
}
