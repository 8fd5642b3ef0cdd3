"""API throughput against the references, in one run on one machine.

Fills a fresh SQLite database with `flask demo-data --sites 1000 --periods 6 --seed 1`,
serves it with gunicorn exactly as `make serve` does (gunicorn.conf.py, 2 sync workers
like the references), and runs the shared harness api_bench.sh, which serves pygeoapi
and a hand-written Flask + orjson app on the same kind of data under the same gunicorn
settings and measures every target with wrk. Prints the harness table and our ratios:

  sites-at-date  /api/sites.geojson?date=2014-06-01  vs the hand-written date filter
                 (target >= 1.0x) and vs hello-world (target >= 0.3x)
  items          /ogc/collections/periods/items?limit=1000  vs pygeoapi items
                 (target >= 50x)
  items-props    the same with properties=site,actor,start,end, the four properties
                 pygeoapi's features carry (like for like; no target of its own)
  periods-at     /ogc/collections/periods/items?datetime=2014-06-01 with those four
                 properties: the hand-written filter's question (periods meeting a day)
                 asked of the OGC API (no target of its own)

Only the references these ratios use are measured (pygeoapi items, the four hand-written
Flask targets) unless --all-targets asks for the harness's whole list.

usage: python bench/api_throughput.py [--duration 15] [--runs 2] [--port 5200] [--all-targets]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import serving

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("ATLAS_REF_BENCH", ROOT.parent / "shared" / "bench"))
VENV = ROOT / ".venv" / "bin"
# The harness's other pygeoapi targets (bbox, CSV, TinyDB) enter no ratio here and would
# double the run's length on a shared machine.
ONLY = r"^(pga-items|flask-(hello|all|active|items)|atlas-.*)$"
TARGETS = {
    "atlas-sites": "/api/sites.geojson?date=2014-06-01",
    "atlas-items": "/ogc/collections/periods/items?limit=1000",
    "atlas-items-props": (
        "/ogc/collections/periods/items?limit=1000&properties=site,actor,start,end"
    ),
    "atlas-periods-at": (
        "/ogc/collections/periods/items?datetime=2014-06-01&limit=10000"
        "&properties=site,actor,start,end"
    ),
}


def main() -> int:
    """Prepare, serve, measure, report; always stop what was started."""
    args = _parse()
    subprocess.run(["bash", str(REF / "setup.sh")], check=True)
    env = _database_env()
    server = serving.gunicorn(env, args.port, TARGETS["atlas-sites"])
    try:
        out = Path(tempfile.mkdtemp(prefix="atlas-api-bench."))
        extras = [
            arg
            for n, p in TARGETS.items()
            for arg in ("--extra", f"{n}=http://127.0.0.1:{args.port}{p}")
        ]
        subprocess.run(
            [
                "bash",
                str(REF / "api_bench.sh"),
                "--duration",
                str(args.duration),
                "--runs",
                str(args.runs),
                "--out",
                str(out),
                *([] if args.all_targets else ["--only", ONLY]),
                *extras,
            ],
            check=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    _report(out / "results.tsv")
    return 0


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=int, default=15)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--port", type=int, default=5200)
    p.add_argument("--all-targets", action="store_true", help="every target of the harness")
    return p.parse_args()


def _database_env() -> dict:
    db_file = Path(tempfile.mkdtemp(prefix="atlas-api-db.")) / "bench.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}"}
    flask = [str(VENV / "flask"), "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "demo-data", "--sites", "1000", "--periods", "6", "--seed", "1"],
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def _report(tsv: Path) -> None:
    rps = _mean_rps(tsv)
    print("\nour ratios (mean req/s over runs):")
    checks = [
        ("atlas-sites", "flask-active", 1.0),
        ("atlas-sites", "flask-hello", 0.3),
        ("atlas-items", "pga-items", 50.0),
        # pygeoapi's features carry these four properties: the same answer, like for like.
        ("atlas-items-props", "pga-items", None),
        ("atlas-periods-at", "flask-active", None),
    ]
    for ours, ref, target in checks:
        if ours in rps and rps.get(ref):
            ratio = rps[ours] / rps[ref]
            verdict = (
                "no target of its own"
                if target is None
                else f"target >= {target}x: {'met' if ratio >= target else 'NOT met'}"
            )
            print(
                f"  {ours} {rps[ours]:8.0f} req/s / {ref} {rps[ref]:8.0f} req/s = "
                f"{ratio:6.2f}x ({verdict})"
            )
    # No target: how close each answer comes to sending a constant body of ~1 MB.
    for ours in ("atlas-sites", "atlas-items"):
        if ours in rps and rps.get("flask-all"):
            print(
                f"  {ours} / flask-all (constant 1.09 MB, no work) = "
                f"{rps[ours] / rps['flask-all']:6.2f}x (no target)"
            )


def _mean_rps(tsv: Path) -> dict[str, float]:
    runs: dict[str, list[float]] = {}
    for line in tsv.read_text().splitlines():
        name, _run, _url, wrk, *_ = line.split("\t")
        w = json.loads(wrk or "{}")
        if w.get("requests") and w.get("duration_us"):
            runs.setdefault(name, []).append(w["requests"] / (w["duration_us"] / 1e6))
    return {n: sum(v) / len(v) for n, v in runs.items()}


if __name__ == "__main__":
    sys.exit(main())
