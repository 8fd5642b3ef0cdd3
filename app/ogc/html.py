"""Small HTML views of the OGC API documents (``f=html``); every value is escaped."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from app.core.text_rules import N_

__all__ = ["WORDS", "page", "api_page", "static_url", "with_query"]


_TITLES = {
    "landing": N_("Border Control Atlas – OGC API"),
    "conformance": N_("Conformance"),
    "collections": N_("Collections"),
    "items": N_("Features"),
    "schema": N_("Schema"),
}
#: The title of a collection's queryables or schema page: the collection's own, then which.
_SCHEMA_TITLES = {
    "queryables": N_("%(collection)s: queryables"),
    "schema": N_("%(collection)s: schema"),
}
#: Every word of these pages; `page(..., words=)` maps each to the reader's language. The
#: properties' meanings are app.db.cql's titles, which the routes add.
WORDS = (
    *_TITLES.values(),
    N_("Feature %(id)s"),
    N_("Border Control Atlas – OGC API definition"),
    N_("OGC API definition"),
    N_('The <a href="%(url)s">OpenAPI 3.0 document</a>, readable below.'),
    N_("Requests and responses"),
    N_("Skip to content"),
    N_("Border Control Atlas"),
    N_("API definition"),
    N_("%(returned)s of %(matched)s features."),
    N_("Properties"),
    N_("property"),
    N_("type"),
    N_("format"),
    N_("meaning"),
    N_("Links"),
    # What the API's documents say of themselves (app.ogc.core): the landing page and links.
    N_("Who controlled each Syria–Iraq border crossing, and when."),
    N_("API documentation"),
    N_("Queryables"),
    N_("Schema of the features"),
    N_("Schema of the GeoJSON features"),
    N_("The collection"),
    N_("This page"),
    N_("Next page"),
    N_("Previous page"),
    *_SCHEMA_TITLES.values(),
)
#: Right-to-left languages (the page's `dir`).
_RTL = frozenset({"ar"})

Words = Callable[[str], str]


def with_query(href: str, params: Mapping[str, str]) -> str:
    """`href` with `params` set in its query (its other parameters kept, in order).

    >>> with_query("http://h/ogc/collections?f=html", {"rev": "3"})
    'http://h/ogc/collections?f=html&rev=3'
    """
    if not params:
        return href
    parts = urlsplit(href)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query=urlencode({**query, **params})))


def _words(words: Mapping[str, str] | None) -> Words:
    """A lookup of the page's words: translated where `words` has them, else English."""
    table = words or {}
    return lambda message: table.get(message, message)


def static_url(name: str) -> str:
    """The URL of a file under static/ when the app is served at the root of its host."""
    return "/static/" + name


def page(
    kind: str,
    doc: dict,
    asset: Callable[[str], str] = static_url,
    words: Mapping[str, str] | None = None,
    lang: str = "en",
    languages: Sequence[tuple[str, str, str]] = (),
    keep: Mapping[str, str] | None = None,
) -> str:
    """A complete HTML page for one document of the given kind, in `lang` with `words`
    (`languages`: the switch to the others, as OGCRequest.languages; `keep`: parameters
    the top bar's links carry, as OGCRequest.keep).

    >>> "&lt;b&gt;" in page("collection", {"title": "<b>", "links": []})
    True
    """
    t = _words(words)
    title = (
        _schema_title(doc, t)
        or _own(doc.get("title"), t)
        or t(_TITLES.get(kind, ""))
        or t("Feature %(id)s") % {"id": doc.get("id")}
    )
    body = _BODIES[kind](doc, t)
    return (
        _head(title, asset, ("css/app.css", "css/ogc.css"), lang)
        + '<body class="ogc">'
        + _topbar(doc.get("links", []), t, languages, keep)
        + f'<main id="main"><h1 dir="auto">{escape(title)}</h1>{body}'
        + _links(doc.get("links", []), t)
        + "</main></body></html>"
    )


def api_page(
    spec_url: str,
    asset: Callable[[str], str] = static_url,
    words: Mapping[str, str] | None = None,
    lang: str = "en",
    languages: Sequence[tuple[str, str, str]] = (),
) -> str:
    """Swagger UI over the OpenAPI document; the script that starts it is a static file,
    so the page runs under the site's Content Security Policy (no inline script)."""
    t = _words(words)
    return (
        _head(
            t("Border Control Atlas – OGC API definition"),
            asset,
            ("vendor/swagger-ui/swagger-ui.css", "css/app.css", "css/ogc.css"),
            lang,
        )
        + '<body class="ogc ogc-api">'
        + _topbar([], t, languages)
        # Not <main>: Swagger UI draws its own main landmark, and a page has only one.
        + '<div id="main" class="ogc-main">'
        f'<section aria-labelledby="api-title"><h1 id="api-title">{t("OGC API definition")}</h1>'
        "<p>"
        + t('The <a href="%(url)s">OpenAPI 3.0 document</a>, readable below.')
        % {"url": escape(spec_url)}
        # Swagger UI heads its groups of operations h3: this is the level between.
        + f"</p><h2>{t('Requests and responses')}</h2></section>"
        # Swagger UI's own words and the definition's are English, laid out left to right.
        f'<div id="swagger-ui" lang="en" dir="ltr" data-spec="{escape(spec_url)}"></div></div>'
        f'<script src="{escape(asset("vendor/swagger-ui/swagger-ui-bundle.js"))}"></script>'
        f'<script src="{escape(asset("js/swagger-init.js"))}"></script>'
        "</body></html>"
    )


def _head(
    title: str, asset: Callable[[str], str], sheets: tuple[str, ...], lang: str = "en"
) -> str:
    links = "".join(f'<link rel="stylesheet" href="{escape(asset(sheet))}">' for sheet in sheets)
    return (
        f'<!doctype html><html lang="{escape(lang)}" dir="{"rtl" if lang in _RTL else "ltr"}">'
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="icon" '
        f'href="{escape(asset("img/icon.svg"))}" type="image/svg+xml">{links}</head>'
    )


def _topbar(
    links: list[dict],
    t: Words,
    languages: Sequence[tuple[str, str, str]] = (),
    keep: Mapping[str, str] | None = None,
) -> str:
    """The site's top bar: the atlas, the API's landing page, the other languages; each
    link keeps the parameters in `keep` (a past state of the record)."""
    home = next((link["href"] for link in links if link["rel"] == "self"), "")
    root = home.split("/ogc", 1)[0] if "/ogc" in home else ""

    def at(path: str) -> str:
        return escape(with_query(root + path, keep or {}))

    switch = "".join(
        f'<a href="{escape(href)}" lang="{escape(code)}" hreflang="{escape(code)}">'
        f"{escape(name)}</a>"
        for code, name, href in languages
    )
    return (
        f'<a class="skip" href="#main">{t("Skip to content")}</a>'
        f'<header class="topbar"><a class="brand" href="{at("/")}">'
        f"{t('Border Control Atlas')}</a>"
        f'<nav aria-label="OGC API"><a href="{at("/ogc/")}">OGC API</a>'
        f'<a href="{at("/ogc/collections?f=html")}">{t("Collections")}</a>'
        f'<a href="{at("/ogc/api?f=html")}">{t("API definition")}</a>{switch}</nav>'
        "</header>"
    )


def _landing(doc: dict, t: Words) -> str:
    return _description(doc, t)


def _conformance(doc: dict, t: Words) -> str:
    return "<ul>" + "".join(f"<li>{escape(c)}</li>" for c in doc["conformsTo"]) + "</ul>"


def _collections(doc: dict, t: Words) -> str:
    return "".join(
        f'<section><h2 dir="auto"><a href="{escape(_href(c, "alternate"))}">'
        f"{escape(_own(c['title'], t))}</a></h2>{_description(c, t)}</section>"
        for c in doc["collections"]
    )


def _collection(doc: dict, t: Words) -> str:
    return _description(doc, t)


def _description(doc: dict, t: Words) -> str:
    # The documents' titles and descriptions are English metadata (translated where the
    # catalogue has them), and the data holds either script: each block takes the
    # direction of its own text (also in td and dd).
    return f'<p dir="auto">{escape(_own(doc.get("description"), t))}</p>'


def _items(doc: dict, t: Words) -> str:
    feats = doc["features"]
    columns = list(feats[0]["properties"]) if feats else []
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in ["id", *columns])
    page = urlsplit(_href(doc, "self"))
    # The state a page shows (its instant, a past record, its language) goes with its links.
    kept = {k: v for k, v in parse_qsl(page.query) if k in ("datetime", "known", "rev", "lang")}

    def item(fid) -> str:
        path = f"{page.path}/{quote(str(fid), safe='')}"
        href = urlunsplit(page._replace(path=path, query=urlencode({**kept, "f": "html"})))
        return f'<a href="{escape(href)}">{escape(str(fid))}</a>'

    # A phone's table is far wider than the screen, so each column shrinks to its narrowest:
    # a key (the id, a slug, a date, a kind) broken a letter per line made rows 300-600 px
    # tall. Keys stay whole ("key": no wrap); only text and sources wrap.
    rows = "".join(
        "<tr>"
        + f'<td class="key">{item(f.get("id"))}</td>'
        + "".join(_td(f["properties"].get(c)) for c in columns)
        + "</tr>"
        for f in feats
    )
    return (
        "<p>"
        + t("%(returned)s of %(matched)s features.")
        % {"returned": doc["numberReturned"], "matched": doc["numberMatched"]}
        + "</p>"
        # Keyboard users scroll a wide table only if its box can take focus.
        + f'<div class="table-wrap" tabindex="0" role="region" aria-label="{t("Features")}">'
        f"<table><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def _schema_title(doc: dict, t: Words) -> str:
    """A queryables or schema page's title in the reader's language, from what the core
    gives the page beside the document (`collection`, `schema_of`); "" for other pages.

    >>> _schema_title({"collection": "Events", "schema_of": "queryables"}, lambda m: m)
    'Events: queryables'
    """
    which = _SCHEMA_TITLES.get(doc.get("schema_of") or "")
    if not which or not doc.get("collection"):
        return ""
    return t(which) % {"collection": _own(doc["collection"], t)}


def _schema(doc: dict, t: Words) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(cell))}</td>"
            for cell in (name, p.get("type", ""), p.get("format", ""), _own(p.get("title"), t))
        )
        + "</tr>"
        for name, p in doc["properties"].items()
    )
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{t("Properties")}">'
        f'<table><thead><tr><th scope="col">{t("property")}</th>'
        f'<th scope="col">{t("type")}</th><th scope="col">{t("format")}</th>'
        f'<th scope="col">{t("meaning")}</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _item(doc: dict, t: Words) -> str:
    rows = "".join(
        f'<dt>{escape(k)}</dt><dd dir="auto">{_cell(v)}</dd>' for k, v in doc["properties"].items()
    )
    return f"<dl>{rows}</dl>"


def _links(links: list[dict], t: Words) -> str:
    items = "".join(
        f'<li><a href="{escape(link["href"])}" rel="{escape(link["rel"])}">'
        f"{escape(_own(link.get('title'), t) or link['rel'])}</a> ({escape(link['rel'])})"
        "</li>"
        for link in links
    )
    return f"<nav><h2>{t('Links')}</h2><ul>{items}</ul></nav>" if items else ""


def _own(text: str | None, t: Words) -> str:
    """A document's own words (a title, a description), translated where they can be."""
    return t(text) if text else ""


def _href(doc: dict, rel: str) -> str:
    return next(link["href"] for link in doc["links"] if link["rel"] == rel)


def _td(value) -> str:
    """A property's table cell; a short value without spaces (an id, slug, date, number,
    true or false) marked as a key, which does not wrap.

    >>> _td("2014-06-21")
    '<td dir="auto" class="key">2014-06-21</td>'
    >>> _td("Held before the record begins")
    '<td dir="auto">Held before the record begins</td>'
    """
    text = _inline(value) if not isinstance(value, (list, dict)) else ""
    key = 0 < len(text) <= _KEY_LENGTH and not any(c.isspace() for c in text)
    mark = ' class="key"' if key else ""
    return f'<td dir="auto"{mark}>{_cell(value)}</td>'


#: The longest value kept on one line in the items table (longer ones may wrap).
_KEY_LENGTH = 80


def _cell(value) -> str:
    """A property value as escaped HTML: text as the JSON writes it, a source as a link to
    its address.

    >>> _cell(True), _cell(None), _cell({"from": "isis", "to": None, "candidates": ["a", "b"]})
    ('true', '', 'from: isis; to: ; candidates: a, b')
    >>> _cell([{"ref": "S1", "title": "<b>", "url": "https://x.org/a?b=1&c=2"}, "x"])
    '<a href="https://x.org/a?b=1&amp;c=2">&lt;b&gt;</a>; x'
    >>> _cell([{"title": "t", "url": "javascript:alert(1)"}])
    't'
    """
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict) and ("title" in value or "ref" in value):  # a source
        text = escape(str(value.get("title") or value.get("ref") or ""))
        url = str(value.get("url") or "")
        if urlsplit(url).scheme in ("http", "https"):
            return f'<a href="{escape(url)}">{text}</a>'
        return text
    if isinstance(value, dict):  # a transition: its parts by name
        return "; ".join(f"{escape(str(k))}: {_inline(v)}" for k, v in value.items())
    return escape(_inline(value))


def _inline(value) -> str:
    """A scalar as the JSON writes it (true, not True), a list's items joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value)
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
