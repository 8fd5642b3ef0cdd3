"""The map on a phone-class CPU: long tasks at load and the slider's step time.

Issue 18, point 4. Loads ``/?date=2015-08-01`` at phone size (390×844, device scale 3,
touch) in headless Chromium with the CPU slowed down 4× (CDP
``Emulation.setCPUThrottlingRate``), on a throw-away SQLite database filled by
``flask demo-data`` (default 1000 sites × 6 periods, seed 1), and reports:

1. load: every long task (> 50 ms, PerformanceObserver 'longtask', buffered, from an
   init script) from navigation until the page has been quiet for 2 s, with clustering
   loaded: the longest and how many, each named by the script that ran longest in it
   (Long Animation Frame entries), else "rendering" (a frame's style, layout and paint
   began in it) or "no script" (parsing, mostly); and the three longest script runs;
2. slider steps: an ``input`` event on ``#day-slider`` to the end of the next rendered
   frame (requestAnimationFrame, then a task after it), p50/p90, in two series:
   a drag (steps of max/120 days one after another, no pause: nothing idle between
   them) and steps after a 300 ms pause (what the page prepared while idle counts);
   long tasks during the steps are counted too.

``--compare`` runs the same page first with the map scripts and style sheet as committed
(``git show HEAD:static/js/…``, ``HEAD:static/css/map.css``, served in place of the
working copies through Playwright's routing) and then with the working copies, in one run,
so both see the same machine load. The page's HTML is the working copy's in both.

Usage::

    .venv/bin/python bench/map_phone.py [--sites 1000] [--periods 6] [--rate 4]
        [--steps 120] [--compare] [--runs 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.map_weight import _demo_app, _serve  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Swapped by --compare: the map's scripts and its style sheet, which goes with them (the
# table's layout rules follow what atlas-map.js does to the table).
ASSETS = ("js/atlas-core.js", "js/atlas-map.js", "js/atlas-base.js", "css/map.css")
PHONE = {"width": 390, "height": 844}

LONGTASKS_JS = """
window.__longtasks = [];
window.__scripts = [];
window.__renders = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
new PerformanceObserver((list) => {
  for (const frame of list.getEntries()) {
    if (frame.renderStart) window.__renders.push(frame.renderStart);
    for (const s of frame.scripts) {
      const file = s.sourceURL ? s.sourceURL.split("/").pop().split("?")[0] : "";
      window.__scripts.push([s.startTime, s.duration, file || s.invoker]);
    }
  }
}).observe({ type: "long-animation-frame", buffered: true });
"""

# Each long task [start, duration] named by the script that ran longest within it.
NAMES_JS = """(tasks) => tasks.map(([start, duration]) => {
  const inside = window.__scripts.filter((s) => s[0] >= start - 1 && s[0] < start + duration);
  inside.sort((a, b) => b[1] - a[1]);
  if (inside.length) return [duration, inside[0][2]];
  const render = window.__renders.some((r) => r >= start - 1 && r < start + duration);
  return [duration, render ? "rendering" : "no script"];
})"""

# The load's three longest script runs (Long Animation Frame entries: frames over 50 ms,
# which may hold several tasks), [duration, file], before the steps.
SCRIPTS_JS = """() => window.__scripts.filter((s) => s[0] < window.__attached)
  .sort((a, b) => b[1] - a[1]).slice(0, 3).map((s) => [s[1], s[2]])"""

# Resolves once no long task has started for `quiet` ms (checked every 100 ms).
SETTLE_JS = """async (quiet) => {
  const last = () => {
    const t = window.__longtasks;
    return t.length ? t[t.length - 1][0] + t[t.length - 1][1] : 0;
  };
  while (performance.now() - Math.max(last(), window.__attached || 0) < quiet) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return window.__longtasks.slice();
}"""

STEPS_JS = """async ([days, pause]) => {
  const slider = document.getElementById("day-slider"), out = [];
  const before = window.__longtasks.length;
  for (const day of days) {
    if (pause) await new Promise((r) => setTimeout(r, pause));
    const t0 = performance.now();
    slider.value = String(day);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    // The frame the step draws, then a task after it: the browser has painted it.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    out.push(performance.now() - t0);
  }
  return { times: out, long: window.__longtasks.slice(before).map((t) => t[1]) };
}"""


def main() -> None:
    args = _arguments()
    print(
        f"# map_phone  {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}  "
        f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    committed = _committed_assets() if args.compare else None
    with tempfile.TemporaryDirectory() as tmp:
        app = _demo_app(Path(tmp) / "bench.sqlite", args)
        with _serve(app) as base:
            results = _browser(base, args, committed)
    print(
        f"\n## {args.sites} sites × {args.periods} periods, 390×844 @3x touch, "
        f"CPU throttled {args.rate}×, {args.runs} run(s) per variant"
    )
    for name, runs in results.items():
        _report(name, runs)
    print(f"  load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=4)
    parser.add_argument("--steps", type=int, default=120, help="slider steps per series")
    parser.add_argument("--runs", type=int, default=1, help="page loads per variant")
    parser.add_argument("--compare", action="store_true", help="committed assets first")
    return parser.parse_args()


def _committed_assets() -> dict[str, bytes]:
    """The map's scripts and style sheet as in HEAD, by path under static/."""
    return {
        name: subprocess.run(
            ["git", "show", f"HEAD:static/{name}"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        for name in ASSETS
    }


def _browser(base: str, args, committed) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    variants = ([("committed (HEAD)", committed)] if committed else []) + [("working copy", None)]
    out = {name: [] for name, _ in variants}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        # Interleaved, so a burst of load on the machine falls on both variants alike.
        for _ in range(args.runs):
            for name, assets in variants:
                out[name].append(_one_run(browser, base, args, assets))
        browser.close()
    return out


def _one_run(browser, base: str, args, assets) -> dict:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    if assets:

        def swap(route):
            name = route.request.url.split("/static/")[1].split("?")[0]
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            route.fulfill(body=assets[name], content_type=f"{kind}; charset=utf-8")

        page.route("**/static/js/atlas-*.js*", swap)
        page.route("**/static/css/map.css*", swap)
    page.add_init_script(LONGTASKS_JS)
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.rate})
    page.goto(f"{base}/?date=2015-08-01", wait_until="load")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance", timeout=120_000)
    # Clustering loads leaflet.markercluster on demand from 200 sites on: part of the load.
    page.wait_for_function(
        "() => AtlasMap.instance.clusters || AtlasMap.instance.markers.length < 200",
        timeout=120_000,
    )
    # Work left in slices after the first paint (table rows, atlas-map.js `later`) is part
    # of the load: the steps start once it is done.
    page.wait_for_function(
        "() => !AtlasMap.instance.jobs || !AtlasMap.instance.jobs.length", timeout=120_000
    )
    page.evaluate("window.__attached = performance.now()")
    load = page.evaluate(SETTLE_JS, 2000)
    nav = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    max_day = page.evaluate("AtlasMap.instance.data.max")
    start = max_day - 4000 if max_day > 4000 else 0
    stride = max(1, (max_day - start) // args.steps)
    drag = [start + n * stride for n in range(args.steps)]
    # Pauses: the same dates, backwards, so none is the day already shown.
    paused = list(reversed(drag))
    result = {
        "load": [d for _, d in load],
        "named": page.evaluate(NAMES_JS, load),
        "scripts": page.evaluate(SCRIPTS_JS),
        "load_end": nav,
        "drag": page.evaluate(STEPS_JS, [drag, 0]),
        "paused": page.evaluate(STEPS_JS, [paused[: max(20, args.steps // 3)], 300]),
    }
    context.close()
    return result


def _report(name: str, runs: list[dict]) -> None:
    print(f"\n### {name}")
    for n, r in enumerate(runs, 1):
        load = r["load"]
        print(
            f"  run {n} load: longest task {max(load, default=0):.0f} ms, "
            f"{len(load)} long tasks > 50 ms (sum {sum(load):.0f} ms), load event at "
            f"{r['load_end']:.0f} ms"
        )
        named = ", ".join(f"{d:.0f} {name}" for d, name in sorted(r["named"], reverse=True))
        print(f"  run {n} load's long tasks: {named or 'none'}")
        scripts = ", ".join(f"{d:.0f} {name}" for d, name in r["scripts"])
        print(f"  run {n} load's longest scripts: {scripts or 'none'}")
        for series, label in (("drag", "drag, no pause"), ("paused", "after a 300 ms pause")):
            times, long = r[series]["times"], r[series]["long"]
            print(
                f"  run {n} slider step ({label}, {len(times)} steps): p50 "
                f"{statistics.median(times):.1f} ms, p90 {_p90(times):.1f} ms, max "
                f"{max(times):.1f} ms; long tasks {len(long)} "
                f"(longest {max(long, default=0):.0f} ms)"
            )


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


if __name__ == "__main__":
    main()
