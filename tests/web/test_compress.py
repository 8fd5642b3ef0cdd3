"""gzip for the large map page, the API bodies and the static scripts and style sheets."""

import gzip
from pathlib import Path

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


STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.mark.parametrize(
    "name", ["js/atlas-map.js", "css/map.css", "vendor/leaflet/parts/second.js"]
)
def test_static_scripts_and_styles_are_gzipped_for_clients_that_accept_it(seeded_client, name):
    resp = seeded_client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in resp.headers["Vary"]
    assert gzip.decompress(resp.get_data()) == (STATIC / name).read_bytes()
    assert int(resp.headers["Content-Length"]) == len(resp.get_data())
    # Revalidating either form: the file's ETag, weak, answers 304 to both.
    tag = resp.headers["ETag"]
    assert tag.startswith("W/")
    plain = seeded_client.get(f"/static/{name}")
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == (STATIC / name).read_bytes() and plain.headers["ETag"] == tag
    for encoding in ("gzip", ""):
        again = seeded_client.get(
            f"/static/{name}", headers={"Accept-Encoding": encoding, "If-None-Match": tag}
        )
        assert again.status_code == 304 and "Accept-Encoding" in again.headers["Vary"]


def test_a_static_range_images_and_small_files_go_as_they_are(seeded_client):
    ranged = seeded_client.get(
        "/static/js/atlas-map.js", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"}
    )
    assert ranged.status_code == 206 and "Content-Encoding" not in ranged.headers
    assert ranged.get_data() == (STATIC / "js" / "atlas-map.js").read_bytes()[:10]
    for name in ("vendor/leaflet/images/layers.png", "js/menu.js"):  # compressed; small
        resp = seeded_client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in resp.headers
        assert resp.get_data() == (STATIC / name).read_bytes()


def test_an_edited_static_file_is_compressed_again(seeded_client, tmp_path, monkeypatch):
    monkeypatch.setattr(seeded_client.application, "static_folder", str(tmp_path))
    script = tmp_path / "edited.js"
    for text in ("let a = 1;\n" * 400, "let b = 2;\n" * 500):
        script.write_text(text)
        resp = seeded_client.get("/static/edited.js", headers={"Accept-Encoding": "gzip"})
        assert gzip.decompress(resp.get_data()).decode() == text
