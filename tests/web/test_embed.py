"""The embed (/embed): the map and slider alone for another site's <iframe>, the only page
other sites may frame, and the snippet the map page offers for it."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from app import config, create_app
from app.config import frame_ancestors

EMBED = "/embed?date=2024-12-15&site=albukamal"


def _ancestors(resp) -> str:
    """The frame-ancestors directive of a response's CSP."""
    csp = resp.headers["Content-Security-Policy"]
    return next(d for d in csp.split("; ") if d.startswith("frame-ancestors ")).split(" ", 1)[1]


def test_embed_shows_the_map_and_slider(seeded_client):
    resp = seeded_client.get(EMBED)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    for part in ('id="atlas-data"', 'id="day-slider"'):
        assert part in page
    # The scripts or their minified copies (app/web/assets.py).
    assert re.search(r"js/atlas-map(\.min)?\.js", page) and re.search(
        r"js/atlas-core(\.min)?\.js", page
    )
    assert '<time id="day-label" datetime="2024-12-15">15 December 2024</time>' in page


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/embed", "Border Control Atlas"), ("/embed?lang=ar", "أطلس السيطرة على المنافذ الحدودية")],
)
def test_embed_has_one_hidden_heading_in_its_language(seeded_client, path, heading):
    page = seeded_client.get(path).get_data(as_text=True)
    assert re.findall(r"<h1[^>]*>([^<]*)</h1>", page) == [heading]
    assert '<h1 class="visually-hidden">' in page


def test_embed_has_no_page_chrome(seeded_client):
    page = seeded_client.get(EMBED).get_data(as_text=True)
    for chrome in (
        'class="topbar"',
        'id="state-table"',
        'id="search-form"',
        'id="date-form"',
        "Download this map",
        "Embed this map",
        "/editor",
        "/login",
        "/menu.",
    ):
        assert chrome not in page, chrome


def test_embed_links_back_to_the_map_in_a_new_tab(seeded_client):
    page = seeded_client.get(EMBED).get_data(as_text=True)
    link = re.search(r"<a [^>]*data-view-link[^>]*>([^<]*)</a>", page)
    assert link and link.group(1) == "Open in Border Control Atlas"
    tag = link.group(0)
    assert 'href="/?date=2024-12-15&amp;site=albukamal"' in tag
    assert 'target="_blank"' in tag and 'rel="noopener"' in tag
    # Every other link (popups, attribution) opens a new tab too: the app's pages refuse frames.
    assert '<base target="_blank">' in page


def test_embed_without_a_site_links_to_the_date(seeded_client):
    page = seeded_client.get("/embed?date=2015-08-01").get_data(as_text=True)
    assert 'href="/?date=2015-08-01"' in page


def test_embed_may_be_framed_by_any_site_by_default(seeded_client):
    resp = seeded_client.get(EMBED)
    assert _ancestors(resp) == "*"
    assert "X-Frame-Options" not in resp.headers
    csp = resp.headers["Content-Security-Policy"]
    # Otherwise as strict as every page: own scripts and nonce'd blocks only.
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_every_inline_script_of_the_embed_carries_the_nonce(seeded_client):
    resp = seeded_client.get(EMBED)
    nonce = re.search(r"'nonce-([^']+)'", resp.headers["Content-Security-Policy"]).group(1)
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", resp.get_data(as_text=True)):
        assert f'nonce="{nonce}"' in tag


@pytest.mark.parametrize(
    "path", ["/", "/?date=2024-12-15", "/sites/albukamal", "/search?q=bukamal", "/login", "/nope"]
)
def test_every_other_page_refuses_frames(seeded_client, path):
    resp = seeded_client.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert _ancestors(resp) == "'none'"


def test_the_setting_names_who_may_frame_the_embed(seeded, app_variant):
    app = app_variant(EMBED_FRAME_ANCESTORS="https://news.example.org  'self'")
    client = app.test_client()
    assert _ancestors(client.get(EMBED)) == "https://news.example.org 'self'"
    assert _ancestors(client.get("/")) == "'none'"
    assert client.get("/").headers["X-Frame-Options"] == "DENY"


def test_the_setting_is_read_from_the_environment():
    assert config.from_environ({})["EMBED_FRAME_ANCESTORS"] == "*"
    read = config.from_environ({"EMBED_FRAME_ANCESTORS": " https://*.example.org  'self' "})
    assert read["EMBED_FRAME_ANCESTORS"] == "https://*.example.org 'self'"


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "'self'",
        "'none'",
        "https:",
        "https://news.example.org",
        "http://127.0.0.1:8000",
        "https://*.example.org https://example.net/path/",
        "'self' https://a.example:*",
        "localhost",
    ],
)
def test_good_frame_ancestors_are_kept(value):
    assert frame_ancestors(value) == " ".join(value.split())


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("https://a.example; script-src *", "'https://a.example;'"),
        ("https://a.example,https://b.example", "'https://a.example,https://b.example'"),
        ("'unsafe-inline'", "\"'unsafe-inline'\""),
        ("'none' 'self'", "\"'none'\""),
        ("https://exa mple.org/'x", '"mple.org/\'x"'),
    ],
)
def test_bad_frame_ancestors_refuse_to_start(monkeypatch, database_url, value, named):
    with pytest.raises(ValueError, match="EMBED_FRAME_ANCESTORS") as refused:
        frame_ancestors(value)
    assert named in str(refused.value)
    # The app refuses to start with the same message, from the environment or the tests.
    monkeypatch.setenv("EMBED_FRAME_ANCESTORS", value)
    if value.strip():
        with pytest.raises(ValueError, match="EMBED_FRAME_ANCESTORS"):
            create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "t"})
    monkeypatch.delenv("EMBED_FRAME_ANCESTORS")
    with pytest.raises(ValueError, match="EMBED_FRAME_ANCESTORS"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "t",
                "EMBED_FRAME_ANCESTORS": value,
            }
        )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("date=2024-13-01", "date"),
        ("date=yesterday", "date"),
        ("date=2001-01-01", "date"),
        ("date=2999-01-01", "date"),
        ("site=Not%20A%20Slug", "site"),
        ("site=atlantis", "site"),
    ],
)
def test_bad_parameters_get_the_map_pages_400(seeded_client, query, parameter):
    embed = seeded_client.get(f"/embed?{query}")
    assert embed.status_code == 400
    assert f"parameter &#39;{parameter}&#39;" in embed.get_data(as_text=True)
    # The same rule and words as the map page.
    page = seeded_client.get(f"/?{query}")
    assert page.status_code == 400
    message = re.search(r"parameter &#39;[^<]*", page.get_data(as_text=True)).group(0)
    assert message in embed.get_data(as_text=True)


def test_the_map_page_offers_the_iframe_snippet(seeded_client):
    page = seeded_client.get("/?date=2024-12-15").get_data(as_text=True)
    assert "Embed this map" in page
    code = re.search(r'<textarea id="embed-code"[^>]*>([^<]*)</textarea>', page)
    assert code and "readonly" in code.group(0)
    snippet = html_lib.unescape(code.group(1))
    assert snippet.startswith('<iframe src="http://localhost/embed?date=2024-12-15"')
    assert 'title="Border Control Atlas' in snippet and snippet.endswith("></iframe>")
    assert 'data-copy="embed-code"' in page


def test_an_arabic_page_offers_the_arabic_embed(seeded_client):
    """The host page's readers send no cookie of ours: the snippet names its language."""
    page = seeded_client.get("/?date=2024-12-15&lang=ar").get_data(as_text=True)
    code = re.search(r'<textarea id="embed-code"[^>]*>([^<]*)</textarea>', page)
    snippet = html_lib.unescape(code.group(1))
    assert snippet.startswith('<iframe src="http://localhost/embed?date=2024-12-15&amp;lang=ar"')
    assert 'title="أطلس السيطرة على المنافذ الحدودية: من سيطر' in snippet


def test_the_snippet_uses_public_url(seeded, app_variant):
    client = app_variant(PUBLIC_URL="https://atlas.example.org/").test_client()
    page = client.get("/?date=2015-08-01", headers={"Host": "localhost"}).get_data(as_text=True)
    assert "&lt;iframe src=&#34;https://atlas.example.org/embed?date=2015-08-01&#34;" in page


def test_the_embed_is_gzipped_like_the_map_page(seeded_client):
    resp = seeded_client.get(EMBED, headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in resp.headers["Vary"]
