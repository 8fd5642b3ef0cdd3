"""``flask render``: maps, the timeline and animations as files; refusals exit 2."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader


@pytest.fixture
def render(seeded):
    runner = seeded.test_cli_runner()
    return lambda *args: runner.invoke(args=["render", *args])


def test_map_svg(render, tmp_path):
    out = tmp_path / "map.svg"
    result = render("map", "--date", "2024-12-15", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    body = out.read_text()
    assert "<!-- Albukamal -->" in body and "<!-- 15 December 2024 -->" in body
    assert re.search(r"<!-- Revision \d+ .*· Sources: \d+ -->", body)


def test_map_png_at_twice_the_density(render, tmp_path):
    out = tmp_path / "map.png"
    assert (
        render(
            "map", "--date", "2014-07-01", "--out", str(out), "--width", "600", "--scale", "2"
        ).exit_code
        == 0
    )
    assert Image.open(io.BytesIO(out.read_bytes())).size == (1200, 900)


def test_map_pdf_in_arabic(render, tmp_path):
    out = tmp_path / "map.pdf"
    assert render("map", "--date", "2014-07-01", "--out", str(out), "--lang", "ar").exit_code == 0
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 1


def test_timeline_pdf(render, tmp_path):
    out = tmp_path / "timeline.pdf"
    result = render("timeline", "--out", str(out), "--from", "2013-01-01", "--to", "2019-01-01")
    assert result.exit_code == 0, result.output
    assert "Drawing sites" in result.output
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) >= 1


def test_animation_with_progress(render, tmp_path):
    out = tmp_path / "a.gif"
    result = render(
        "animation",
        "--from",
        "2024-11-01",
        "--to",
        "2025-01-31",
        "--step",
        "month",
        "--width",
        "400",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "Drawing frames" in result.output
    assert "3 frames, 2024-11-01 to 2025-01-01." in result.output  # the 1st of each month
    assert Image.open(io.BytesIO(out.read_bytes())).n_frames == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["map", "--date", "2024-12-15", "--out", "map.jpg"], "--out"),
        (["map", "--date", "15/12/2024", "--out", "map.svg"], "--date"),
        (["map", "--date", "2010-01-01", "--out", "map.svg"], "--date"),
        (["map", "--date", "2024-12-15", "--out", "map.png", "--width", "50"], "--width"),
        (["timeline", "--out", "t.svg", "--from", "2016-01-01", "--to", "2015-01-01"], "--to"),
        (["animation", "--out", "a.avi"], "--out"),
    ],
)
def test_refusals_exit_2_naming_the_option(render, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = render(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert not any(tmp_path.iterdir())


def test_unwritable_output_is_refused(render, tmp_path):
    result = render("map", "--date", "2024-12-15", "--out", str(tmp_path / "no" / "map.svg"))
    assert result.exit_code == 2 and "cannot write" in result.output


def test_too_many_frames_is_refused(render, tmp_path, monkeypatch):
    from app.core import animation

    monkeypatch.setattr(animation, "MAX_CLI_FRAMES", 5)
    out = tmp_path / "a.gif"
    result = render("animation", "--out", str(out), "--step", "month", "--from", "2020-01-01")
    assert result.exit_code == 2 and "--to" in result.output and "at most 5" in result.output
    assert not out.exists()


def test_timeline_in_arabic(render, tmp_path):
    out = tmp_path / "timeline.svg"
    result = render("timeline", "--out", str(out), "--lang", "ar")
    assert result.exit_code == 0, result.output
    assert "<!-- السيطرة على المنافذ الحدودية بين سوريا والعراق -->" in out.read_text()
