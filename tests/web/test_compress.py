"""gzip for the large map page."""

import gzip

import pytest

from app.web import compress


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("deflate", False),
        ("", False),
        ("*", False),
    ],
)
def test_accepts_gzip(header, ok):
    assert compress.accepts_gzip(header) is ok


def test_large_pages_are_gzipped_for_clients_that_accept_it():
    html = "<p>x</p>" * 1000
    resp = compress.gzipped(html, "gzip")
    assert resp.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(resp.get_data()).decode() == html
    assert "Accept-Encoding" in resp.headers["Vary"]


@pytest.mark.parametrize(("html", "header"), [("<p>small</p>", "gzip"), ("x" * 5000, "")])
def test_small_pages_and_other_clients_get_plain_html(html, header):
    resp = compress.gzipped(html, header)
    assert "Content-Encoding" not in resp.headers and resp.get_data(as_text=True) == html


def test_map_page_is_gzipped(seeded_client):
    resp = seeded_client.get("/", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert b"atlas-data" in gzip.decompress(resp.get_data())
