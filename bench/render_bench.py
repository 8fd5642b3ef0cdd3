"""Render times of the publication pictures: static maps, the timeline and animations.

For the seed data and for N synthetic sites (`flask demo-data --sites N`), each on a fresh
SQLite file, this asks the app (test client, no HTTP) for each picture twice and prints
milliseconds for

  cold     the first request for that picture at this data version (drawn)
  cached   the same request again (served from the per-data-version response cache)

The first picture drawn in a process also pays for importing Matplotlib, GeoPandas and
pyproj (they are imported lazily, on the first drawing); that figure is printed apart.

usage: python bench/render_bench.py [--sites 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
DAY = "2024-12-15"
PICTURES = [
    ("map svg", f"/maps/{DAY}.svg"),
    ("map png 1x", f"/maps/{DAY}.png"),
    ("map png 2x", f"/maps/{DAY}.png?scale=2"),
    ("map pdf", f"/maps/{DAY}.pdf"),
    ("map svg ar", f"/maps/{DAY}.svg?lang=ar"),
    ("timeline svg", "/timeline.svg"),
    ("timeline pdf", "/timeline.pdf"),
    ("animation gif 13 months", "/maps/animation.gif?from=2024-01-01&to=2025-01-01&step=month"),
    ("animation mp4 13 months", "/maps/animation.mp4?from=2024-01-01&to=2025-01-01&step=month"),
    # The map page's "animation (GIF)" link: every change date of the record.
    ("animation gif changes", "/maps/animation.gif"),
    ("animation gif changes ar", "/maps/animation.gif?lang=ar"),
]


def main() -> int:
    """Fill each database, then time every picture cold and cached."""
    args = _parse()
    folder = Path(args.keep or tempfile.mkdtemp())
    print(
        f"{'data':<12} {'picture':<24} {'status':>6} {'cold ms':>9} {'cached ms':>10} {'bytes':>10}"
    )
    for name, fill in (("seed", ["seed"]), (f"{args.sites} sites", _demo(args.sites))):
        url = f"sqlite:///{folder / (name.replace(' ', '-') + '.sqlite')}"
        _fill(url, fill)
        _measure(name, url)
    return 0


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=1000)
    p.add_argument("--keep", help="folder for the SQLite files (default: a temp folder)")
    return p.parse_args()


def _demo(sites: int) -> list[str]:
    return ["demo-data", "--sites", str(sites), "--periods", "6", "--seed", "1", "--force"]


def _fill(url: str, command: list[str]) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*FLASK, *command], env=env, check=True, capture_output=True)


def _measure(name: str, url: str) -> None:
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    client = app.test_client()
    first = "matplotlib" not in sys.modules
    for what, path in PICTURES:
        cold, response = _timed(client, path)
        cached, _ = _timed(client, path)
        note = " (incl. imports)" if first else ""
        first = False
        print(
            f"{name:<12} {what + note:<24} {response.status_code:>6} {cold:9.0f} "
            f"{cached:10.1f} {len(response.data):10,}"
        )
    with app.app_context():  # what `flask render timeline --out x.pdf` does: no page limit
        from app.web import pictures

        started = time.perf_counter()
        body = pictures.timeline_bytes("pdf")
        ms = (time.perf_counter() - started) * 1000
        print(f"{name:<12} {'timeline pdf (CLI)':<24} {'-':>6} {ms:9.0f} {'-':>10} {len(body):10,}")


def _timed(client, path: str):
    started = time.perf_counter()
    response = client.get(path)
    response.get_data()
    return (time.perf_counter() - started) * 1000, response


if __name__ == "__main__":
    sys.exit(main())
