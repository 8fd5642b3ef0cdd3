"""Small HTML views of the OGC API documents (``f=html``); every value is escaped."""

from __future__ import annotations

from html import escape

__all__ = ["page", "api_page"]

_TITLES = {
    "landing": "Border Control Atlas – OGC API",
    "conformance": "Conformance",
    "collections": "Collections",
    "items": "Features",
    "schema": "Schema",
}


def page(kind: str, doc: dict, assets: str = "/static") -> str:
    """A complete HTML page for one document of the given kind.

    >>> "&lt;b&gt;" in page("collection", {"title": "<b>", "links": []})
    True
    """
    title = doc.get("title") or _TITLES.get(kind) or f"Feature {doc.get('id')}"
    body = _BODIES[kind](doc)
    return (
        _head(title, assets, ("css/app.css", "css/ogc.css"))
        + '<body class="ogc">'
        + _topbar(doc.get("links", []))
        + f'<main id="main"><h1>{escape(title)}</h1>{body}{_links(doc.get("links", []))}'
        "</main></body></html>"
    )


def api_page(spec_url: str, assets: str = "/static") -> str:
    """Swagger UI over the OpenAPI document; the script that starts it is a static file,
    so the page runs under the site's Content Security Policy (no inline script)."""
    return (
        _head(
            "Border Control Atlas – OGC API definition",
            assets,
            ("vendor/swagger-ui/swagger-ui.css", "css/app.css", "css/ogc.css"),
        )
        + '<body class="ogc ogc-api">'
        + _topbar([])
        # Not <main>: Swagger UI draws its own main landmark, and a page has only one.
        + '<div id="main" class="ogc-main">'
        '<section aria-labelledby="api-title"><h1 id="api-title">OGC API definition</h1>'
        f'<p>The <a href="{escape(spec_url)}">OpenAPI 3.0 document</a>, readable below.</p>'
        "</section>"
        f'<div id="swagger-ui" data-spec="{escape(spec_url)}"></div></div>'
        f'<script src="{escape(assets)}/vendor/swagger-ui/swagger-ui-bundle.js"></script>'
        f'<script src="{escape(assets)}/js/swagger-init.js"></script>'
        "</body></html>"
    )


def _head(title: str, assets: str, sheets: tuple[str, ...]) -> str:
    links = "".join(f'<link rel="stylesheet" href="{escape(assets)}/{sheet}">' for sheet in sheets)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="icon" href="data:,">{links}</head>'
    )


def _topbar(links: list[dict]) -> str:
    """The site's top bar: the atlas, the API's landing page."""
    home = next((link["href"] for link in links if link["rel"] == "self"), "")
    root = home.split("/ogc", 1)[0] if "/ogc" in home else ""
    return (
        '<a class="skip" href="#main">Skip to content</a>'
        f'<header class="topbar"><a class="brand" href="{escape(root)}/">Border Control Atlas</a>'
        f'<nav aria-label="OGC API"><a href="{escape(root)}/ogc/">OGC API</a>'
        f'<a href="{escape(root)}/ogc/collections?f=html">Collections</a>'
        f'<a href="{escape(root)}/ogc/api?f=html">API definition</a></nav></header>'
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
        # Keyboard users scroll a wide table only if its box can take focus.
        '<div class="table-wrap" tabindex="0" role="region" aria-label="Features">'
        f"<table><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def _schema(doc: dict) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(cell))}</td>"
            for cell in (name, p.get("type", ""), p.get("format", ""), p.get("title", ""))
        )
        + "</tr>"
        for name, p in doc["properties"].items()
    )
    return (
        '<div class="table-wrap" tabindex="0" role="region" aria-label="Properties">'
        '<table><thead><tr><th scope="col">property</th>'
        '<th scope="col">type</th><th scope="col">format</th><th scope="col">meaning</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
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
    "schema": _schema,
}
