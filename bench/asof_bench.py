"""As-of snapshot speed: the one indexed query against a naive load-everything-and-filter.

For each database (SQLite file, and PostgreSQL when --pg-url is given) this fills a fresh
database with `flask demo-data --sites N --periods K --seed 1`, then asks for the state of
every site on D random dates and prints p50/p99 in milliseconds for

  query      the SQL path's as-of SELECTs alone (control and status candidates), rows
             fetched (reference)
  sql rows   queries.compute_state_at: the same plus the Python rows (the SQL reference)
  index      queries.state_at on a random date not asked before: the rows from the
             data version's in-memory as-of index (app.db.asof_index), first request for D
  repeated   queries.state_at on the same date again, right after (the rows cache, or
             the index keeping the last date's rows)
  week step  queries.state_at on dates not asked before, each a week after the last (a
             slider dragged): only sites whose periods change get new rows
  api cold   GET /api/sites.geojson?date=D, first request for D (index rows, features,
             orjson)
  api warm   the same request again, right after (the per-data-version body cache)
  build      a full index build (AsOfIndex.load: at start-up, in a background thread,
             or after a write that may change any site)
  from file  the same index read from the file a full build writes (app.db.asof_files:
             what every other worker of the machine, and each after a restart, does
             instead of building)
  edit       the update after one edit (one period's note, through the ORM; any worker
             reads the same change log): index_for() of the new version, reloading that
             site only
  actor      the same after renaming an actor (shown at thousands of sites): its labels
             patched in place
  source     the same after retitling a source (cited at thousands of sites): the sets
             that cite it patched in place
  new site   the same after adding a site with one period: the site added after the
             built ones, the order of the answers read again
  del site   the same after deleting one of those sites
  naive      load every site and period, then pick each site's period in Python
             (app.timeline.as_of) — what a hand-written tool does per request

and the ratios sql rows / index, naive / index and naive / api cold. Each database is
measured in a fresh process. The machine may be shared: the ratios, measured in the same
run, are what hold.

usage: python bench/asof_bench.py [--sites 10000] [--periods 50] [--dates 40]
                                  [--pg-url postgresql://…] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
sys.path.insert(0, str(ROOT))

from app.db import asof_files, asof_index, queries  # noqa: E402
from app.db.models import Actor, ControlPeriod, Site, Source  # noqa: E402
from app.db.session_events import data_version  # noqa: E402
from app.extensions import db  # noqa: E402


def main() -> int:
    """Run the benchmark on each configured database and print a table."""
    args = _parse()
    targets = [("sqlite", f"sqlite:///{Path(args.keep or tempfile.mkdtemp()) / 'asof.sqlite'}")]
    if args.pg_url:
        targets.append(("postgresql", args.pg_url))
    print(f"as-of snapshot: {args.sites} sites x {args.periods} periods, {args.dates} dates")
    print(f"{'database':<11} {'what':<9} {'p50 ms':>9} {'p99 ms':>9}")
    for name, url in targets:
        if not args.no_fill:
            _fill(url, args)
        # Each database in a process of its own, as a worker serves one: the second
        # would otherwise run beside the first one's index and the naive load's heap.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
            results = one.submit(_measure, url, args).result()
        for what, (p50, p99) in results.items():
            print(f"{name:<11} {what:<9} {p50:9.1f} {p99:9.1f}")
        naive, index = results["naive"][0], results["index"][0]
        print(
            f"{name:<11} sql rows/index {results['sql rows'][0] / index:.0f}x, naive/index "
            f"{naive / index:.0f}x, naive/api cold {naive / results['api cold'][0]:.0f}x; "
            f"first date <= 20 ms: {_verdict(index, 20)} (week step: "
            f"{_verdict(results['week step'][0], 20)}), repeated <= 1 ms: "
            f"{_verdict(results['repeated'][0], 1)}, build <= 200 ms: "
            f"{_verdict(results['build'][0], 200)} (from the file: "
            f"{_verdict(results['from file'][0], 200)}), edit <= 5 ms: "
            f"{_verdict(results['edit'][0], 5)}, every other update <= 5 ms: "
            f"{_verdict(max(results[k][0] for k in _OTHER_UPDATES), 5)}"
        )
    return 0


def _verdict(ms: float, target: float) -> str:
    return "met" if ms <= target else "NOT met"


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=10000)
    p.add_argument("--periods", type=int, default=50)
    p.add_argument("--dates", type=int, default=40)
    p.add_argument(
        "--naive-dates", type=int, default=3, help="dates for the (slow) naive implementation"
    )
    p.add_argument("--builds", type=int, default=5, help="full index builds to time")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL"))
    p.add_argument("--keep", help="folder for the SQLite file (default: a temp folder)")
    p.add_argument("--no-fill", action="store_true", help="use the databases as they are")
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

    # inline: the first request builds the index (in production a thread does, while the
    # database answers); what is timed below is the same either way.
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "ASOF_INDEX": "inline"}
    )
    rnd = random.Random(7)
    days = [dt.date(2011, 1, 1) + dt.timedelta(days=rnd.randrange(5700)) for _ in range(args.dates)]
    out = {}
    with app.app_context():
        dialect = db.engine.dialect.name
        version = data_version(db.session)
        queries.state_at(days[0] - dt.timedelta(days=1))  # warm the pool, build the index
        out["query"] = _timed(days, lambda d: _sql_candidates(d, dialect))
        out["sql rows"] = _timed(days, queries.compute_state_at)
        db.session.remove()
        out["index"], out["repeated"] = _timed_twice(days, queries.state_at)
        # A slider dragged a week at a time: dates never asked, each near the last one.
        weeks = [dt.date(2013, 1, 4) + dt.timedelta(days=7 * k) for k in range(args.dates)]
        out["week step"] = _timed(weeks, queries.state_at)
        client = app.test_client()
        url = "/api/sites.geojson?date={}"
        later = [d + dt.timedelta(days=1) for d in days]  # dates the rows cache has not seen
        out["api cold"], out["api warm"] = _timed_twice(
            later, lambda d: client.get(url.format(d)).get_data()
        )
        out["build"] = _timed(days[: args.builds], lambda d: asof_index.AsOfIndex.load(version))
        print(f"  index arrays: {asof_index.index_for(version).nbytes / 2**20:.1f} MB")
        with tempfile.TemporaryDirectory() as where:
            read = _index_from_file(version, Path(where))
            out["from file"] = _timed(days[: args.builds], read)
        out["edit"] = _timed(days, _edit_one_site)
        out["actor"] = _timed(days, _edit_an_actor)
        out["source"] = _timed(days, _edit_a_source)
        out["new site"] = _timed(days, _add_a_site)
        out["del site"] = _timed(days, _delete_a_site)
        db.session.remove()
        out["naive"] = _timed(days[: args.naive_dates], _naive_state)
        db.session.remove()
        db.engine.dispose()
    return out


def _index_from_file(version: tuple, where: Path):
    """Write the version's index to a file in `where` once; then each call reads it back
    whole."""
    path = asof_files.write(where, "bench", *asof_index.index_for(version).to_file())
    print(f"  index file: {path.stat().st_size / 2**20:.1f} MB")

    def read(_day: dt.date) -> asof_index.AsOfIndex:
        return asof_index.AsOfIndex.from_file(("bench", 0), *asof_files.read(where, "bench"))

    return read


def _sql_candidates(day: dt.date, dialect: str) -> None:
    """The SQL path's two candidate queries, rows fetched."""
    conn = db.session.connection()
    conn.execute(queries._control_statement(day, dialect)).fetchall()
    conn.execute(queries._status_statement(day, dialect)).fetchall()


def _edit_one_site(day: dt.date) -> None:
    """Edit one period's note, commit, then time only the index update for the new version."""
    db.session.get(ControlPeriod, 1 + day.toordinal() % 1000).note = f"edited {day} {_RUN}"
    _time_the_update()


def _edit_an_actor(day: dt.date) -> None:
    """Rename an actor (the demo's actors each hold thousands of sites), then the same."""
    actors = db.session.scalars(select(Actor).order_by(Actor.id)).all()
    actors[day.toordinal() % len(actors)].name = f"Actor renamed {day} {_RUN}"
    _time_the_update()


def _edit_a_source(day: dt.date) -> None:
    """Retitle a source (each cited at thousands of sites), then the same."""
    sources = db.session.scalars(select(Source).order_by(Source.id)).all()
    sources[day.toordinal() % len(sources)].title = f"Source retitled {day} {_RUN}"
    _time_the_update()


def _add_a_site(day: dt.date) -> None:
    """Add a site held by one actor since `day`, then the same."""
    kind, actor = db.session.scalar(select(Site.kind)), db.session.scalar(select(Actor))
    slug = f"bench-{next(_ADDED)}"
    site = Site(slug=slug, name=slug.title(), country="SY", kind=kind, lon=40, lat=34)
    site.control_periods.append(ControlPeriod(actor=actor, start=day))
    db.session.add(site)
    _time_the_update()


def _delete_a_site(_day: dt.date) -> None:
    """Delete the oldest site _add_a_site added, then the same."""
    added = select(Site).where(Site.slug.like("bench-%")).order_by(Site.id).limit(1)
    db.session.delete(db.session.scalars(added).one())
    _time_the_update()


_ADDED = itertools.count()
# In every edited value: a run on a database kept from an earlier run (--no-fill) asks for
# the same dates, and writing a value a field already holds changes nothing to update.
_RUN = f"run {time.time_ns()}"

_OTHER_UPDATES = ("actor", "source", "new site", "del site")


def _time_the_update() -> None:
    db.session.commit()
    started = time.perf_counter()
    asof_index.index_for(data_version(db.session))
    _EDIT_TIMES.append((time.perf_counter() - started) * 1000)


_EDIT_TIMES: list[float] = []


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


def _timed_twice(days, fn) -> tuple[tuple[float, float], tuple[float, float]]:
    """(first, second) p50/p99 of asking for each date twice in a row: the second is a
    repeated request (another reader of the same date) before another date evicts it."""
    first: list[float] = []
    second: list[float] = []
    for day in days:
        for samples in (first, second):
            started = time.perf_counter()
            fn(day)
            samples.append((time.perf_counter() - started) * 1000)
    return _summary(first), _summary(second)


def _timed(days, fn) -> tuple[float, float]:
    samples = []
    _EDIT_TIMES.clear()
    for day in days:
        started = time.perf_counter()
        fn(day)
        samples.append((time.perf_counter() - started) * 1000)
    if _EDIT_TIMES:  # the edit's commit is not the update: keep the update's own time
        samples = list(_EDIT_TIMES)
    return _summary(samples)


def _summary(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
    return statistics.median(samples), p99


if __name__ == "__main__":
    sys.exit(main())
