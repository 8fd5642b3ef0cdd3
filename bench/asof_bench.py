"""As-of snapshot speed: the one indexed query against a naive load-everything-and-filter.

For each database (SQLite file, and PostgreSQL when --pg-url is given) this fills a fresh
database with `flask demo-data --sites N --periods K --seed 1`, then asks for the state of
every site on D random dates and prints p50/p99 in milliseconds for

  query      the as-of SELECT alone (app.queries.state_statement), rows fetched
  state_at   the same plus the Python rows the map, API and downloads use
  api cold   GET /api/sites.geojson?date=D, first request for D (cache miss: query,
             rows, orjson)
  api warm   the same request again (served from the per-data-version cache)
  naive      load every site and period, then pick each site's period in Python
             (app.timeline.as_of) — what a hand-written tool does per request

and the ratios naive / query and naive / api cold.

usage: python bench/asof_bench.py [--sites 10000] [--periods 50] [--dates 40]
                                  [--pg-url postgresql://…] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]


def main() -> int:
    """Run the benchmark on each configured database and print a table."""
    args = _parse()
    targets = [("sqlite", f"sqlite:///{Path(args.keep or tempfile.mkdtemp()) / 'asof.sqlite'}")]
    if args.pg_url:
        targets.append(("postgresql", args.pg_url))
    print(f"as-of snapshot: {args.sites} sites x {args.periods} periods, {args.dates} dates")
    print(f"{'database':<11} {'what':<9} {'p50 ms':>9} {'p99 ms':>9}")
    for name, url in targets:
        _fill(url, args)
        results = _measure(url, args)
        for what, (p50, p99) in results.items():
            print(f"{name:<11} {what:<9} {p50:9.1f} {p99:9.1f}")
        naive = results["naive"][0]
        print(
            f"{name:<11} naive/query {naive / results['query'][0]:.0f}x, naive/api cold "
            f"{naive / results['api cold'][0]:.0f}x; p50 <= 20 ms: query "
            f"{_verdict(results['query'][0])}, api warm {_verdict(results['api warm'][0])}"
        )
    return 0


def _verdict(ms: float) -> str:
    return "met" if ms <= 20 else "NOT met"


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=10000)
    p.add_argument("--periods", type=int, default=50)
    p.add_argument("--dates", type=int, default=40)
    p.add_argument(
        "--naive-dates", type=int, default=3, help="dates for the (slow) naive implementation"
    )
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL"))
    p.add_argument("--keep", help="folder for the SQLite file (default: a temp folder)")
    return p.parse_args()


def _fill(url: str, args) -> None:
    """Migrate a fresh database and load the synthetic data through the CLI."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [
            *FLASK,
            "demo-data",
            "--sites",
            str(args.sites),
            "--periods",
            str(args.periods),
            "--seed",
            "1",
            "--force",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"  filled {url.split('://')[0]} in {time.perf_counter() - started:.1f} s")


def _measure(url: str, args) -> dict[str, tuple[float, float]]:
    from app import create_app
    from app.db import queries
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    rnd = random.Random(7)
    days = [dt.date(2011, 1, 1) + dt.timedelta(days=rnd.randrange(5700)) for _ in range(args.dates)]
    out = {}
    with app.app_context():
        dialect = db.engine.dialect.name
        queries.state_at(days[0])  # warm the connection pool and caches of the engine
        out["query"] = _timed(
            days,
            lambda d: (
                db.session.connection().execute(queries.state_statement(d, dialect)).fetchall()
            ),
        )
        out["state_at"] = _timed(days, queries.compute_state_at)
        client = app.test_client()
        url = "/api/sites.geojson?date={}"
        out["api cold"] = _timed(days, lambda d: client.get(url.format(d)).get_data())
        out["api warm"] = _timed(days, lambda d: client.get(url.format(d)).get_data())
        out["naive"] = _timed(days[: args.naive_dates], _naive_state)
        db.session.remove()
        db.engine.dispose()
    return out


def _naive_state(day: dt.date) -> dict:
    """Load every period, then pick each site's period in Python."""
    from sqlalchemy import select

    from app.core import timeline
    from app.db.models import ControlPeriod, Site
    from app.extensions import db

    periods = defaultdict(list)
    for p in db.session.scalars(select(ControlPeriod)):
        periods[p.site_id].append(timeline.Period(p.start, p.end, p.actor_id))
    sites = db.session.scalars(select(Site)).all()
    state = {s.slug: timeline.as_of(periods[s.id], day) for s in sites}
    db.session.expunge_all()
    return state


def _timed(days, fn) -> tuple[float, float]:
    samples = []
    for day in days:
        started = time.perf_counter()
        fn(day)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
    return statistics.median(samples), p99


if __name__ == "__main__":
    sys.exit(main())
