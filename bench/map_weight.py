"""Map page weight and slider repaint time, next to the naive folium page.

Builds a throw-away SQLite database with ``flask demo-data`` (default 1000 sites × 6
periods), serves it on 127.0.0.1 and loads ``/`` in headless Chromium:

1. the bytes the page needs beyond ``static/vendor`` (HTML with its data block, our JS
   and CSS), raw and as transferred (the HTML is gzipped);
2. the slider's repaint: ``performance.now()`` around ``show(day)`` for jumps between two
   dates and between random dates, the time until the next frame has been rendered, and
   that frame's own rendering (from its requestAnimationFrame callback; the rest of the
   wait is the frame boundary, up to 16.7 ms at 60 Hz);
3. the server's render time of ``/?date=D``: first request for a date (no cached page)
   and a repeated one (cached per data version), median over several dates;
4. the naive folium page of ../shared/bench/naive_folium_baseline.py, ``build(N)``.

Usage::

    .venv/bin/python bench/map_weight.py [--sites 1000] [--periods 6] [--steps 60]
        [--naive /work/shared/bench/naive_folium_baseline.py]

``--naive`` defaults to $NAIVE_BASELINE, then to the shared path above.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NAIVE = os.environ.get("NAIVE_BASELINE", "/work/shared/bench/naive_folium_baseline.py")
REPAINT_JS = """async ([a, b, steps, random]) => {
  const atlas = AtlasMap.instance, max = atlas.data.max, sync = [], frame = [], render = [];
  const script = [];
  let frameStart = 0;
  const nextFrame = () => new Promise((done) => requestAnimationFrame(() => {
    frameStart = performance.now();
    setTimeout(done, 0);
  }));
  for (let n = 0; n < steps; n++) {
    const day = random ? Math.floor(Math.random() * max) : (n % 2 ? b : a);
    const t0 = performance.now();
    atlas.show(day);
    sync.push(performance.now() - t0);
    // What the next frame adds: cluster pies and labels (placeLabels cancels its own
    // pending frame, so this is the whole of a step's script).
    atlas.refreshClusters();
    atlas.placeLabels();
    script.push(performance.now() - t0);
    await nextFrame();
    frame.push(performance.now() - t0);
    render.push(performance.now() - frameStart);
  }
  return {sync, script, frame, render};
}"""


def main() -> None:
    """Run all three measurements and print them with the ratios."""
    args = _arguments()
    print(
        f"# map_weight  {dt.datetime.now().isoformat(timespec='seconds')}  "
        f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        app = _demo_app(Path(tmp) / "bench.sqlite", args)
        render = _server_render(app)
        with _serve(app) as base:
            weight, repaint = _browser(base, args.steps)
    naive_secs, naive_raw, naive_gzip = _naive(args.naive, args.sites)
    _report(args, weight, repaint, naive_secs, naive_raw, naive_gzip)
    print(f"\n## server render of /?date=D (median of {len(RENDER_DATES)} dates)")
    print(
        f"  first request {render[0]:.0f} ms, repeated {render[1]:.1f} ms; naive folium "
        f"page rendered in {naive_secs * 1000:.0f} ms "
        f"({naive_secs * 1000 / render[0]:.1f}x our first request)"
    )


RENDER_DATES = ("2012-03-01", "2014-06-15", "2016-09-30", "2019-01-10", "2022-05-05")


def _server_render(app) -> tuple[float, float]:
    """Median ms to answer `/?date=D`: first request for D, then the same again."""
    client = app.test_client()
    client.get("/?date=2011-06-01")  # load boundary layers and templates once
    first, again = [], []
    for day in RENDER_DATES:
        for samples in (first, again):
            started = time.perf_counter()
            client.get(f"/?date={day}").get_data()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(first), statistics.median(again)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=60, help="repaints per series")
    parser.add_argument("--naive", default=NAIVE, help="path of naive_folium_baseline.py")
    return parser.parse_args()


def _demo_app(db_file: Path, args):
    """An app on a fresh SQLite file filled by `flask demo-data`."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(
        args=[
            "demo-data",
            "--sites",
            str(args.sites),
            "--periods",
            str(args.periods),
            "--seed",
            str(args.seed),
        ]
    )
    if result.exit_code:
        sys.exit(result.output)
    print(result.output.strip())
    return app


class _serve:
    """Serve the app on 127.0.0.1 in a thread for the duration of a with block."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()


def _browser(base: str, steps: int) -> tuple[dict, dict]:
    """Page weight by request, then repaint timings, in one Chromium session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        responses = []
        page.on("response", lambda resp: responses.append(resp))
        page.goto(f"{base}/?date=2015-08-01", wait_until="load")
        page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
        # Clustering loads leaflet.markercluster on demand from 200 sites on.
        page.wait_for_function(
            "() => AtlasMap.instance.clusters || AtlasMap.instance.markers.length < 200"
        )
        weight = _weight(responses)
        a, b = (page.evaluate(f"AtlasMap.instance.data.max - {d}") for d in (4700, 1800))
        page.evaluate(REPAINT_JS, [a, b, 6, False])  # warm up
        repaint = {
            "jump": page.evaluate(REPAINT_JS, [a, b, steps, False]),
            "random": page.evaluate(REPAINT_JS, [a, b, steps, True]),
        }
        browser.close()
    return weight, repaint


def _weight(responses) -> dict:
    """Raw and transferred body bytes of every non-vendor response."""
    out = {"raw": 0, "transfer": 0, "files": []}
    for resp in responses:
        if "/static/vendor/" in resp.url:
            continue
        raw = len(resp.body())
        transfer = resp.request.sizes()["responseBodySize"]
        out["raw"] += raw
        out["transfer"] += transfer
        out["files"].append((resp.url.split("127.0.0.1")[1].split("/", 1)[1], raw, transfer))
    return out


def _naive(path: str, n: int) -> tuple[float, int, int]:
    """Render the naive TimestampedGeoJson page: seconds, raw bytes, gzip bytes."""
    import branca.element

    spec = importlib.util.spec_from_file_location("naive_folium_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pages, render = [], branca.element.Figure.render

    def keep(self, **kwargs):  # the baseline returns only the size; keep the HTML
        html = render(self, **kwargs)
        pages.append(html)
        return html

    branca.element.Figure.render = keep
    try:
        secs, size = module.build(n)
    finally:
        branca.element.Figure.render = render
    return secs, size, len(gzip.compress(pages[-1].encode(), 6))


def _report(args, weight, repaint, naive_secs, naive_raw, naive_gzip) -> None:
    print(
        f"\n## page weight beyond static/vendor ({args.sites} sites × {args.periods} "
        "periods, /?date=2015-08-01)"
    )
    for name, raw, transfer in weight["files"]:
        print(f"  {name or '/'}: {raw:,} B raw, {transfer:,} B transferred")
    print(f"  total: {weight['raw']:,} B raw, {weight['transfer']:,} B transferred")
    print(
        f"  naive folium page: {naive_raw:,} B raw ({naive_gzip:,} B gzipped), "
        f"rendered in {naive_secs:.2f} s"
    )
    print(
        f"  ratio raw/naive raw: 1/{naive_raw / weight['raw']:.1f}; transferred/naive raw: "
        f"1/{naive_raw / weight['transfer']:.1f}; transferred/naive gzipped: "
        f"1/{naive_gzip / weight['transfer']:.1f}  (target 1/10, stretch 1/20)"
    )
    print(f"\n## slider repaint ({args.steps} steps each; target < 16 ms)")
    for series, label in (
        ("jump", "jump between two dates 8 years apart"),
        ("random", "jump to a random date"),
    ):
        print(
            f"  {label}: "
            + "; ".join(
                f"{name} median {statistics.median(values):.1f} ms (p90 {_p90(values):.1f})"
                for name, values in (
                    ("show()", repaint[series]["sync"]),
                    ("script per step (show, cluster pies, labels)", repaint[series]["script"]),
                    ("to next frame", repaint[series]["frame"]),
                    ("that frame's rendering", repaint[series]["render"]),
                )
            )
        )


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


if __name__ == "__main__":
    main()
