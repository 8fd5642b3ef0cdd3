"""Reads of a past state of the record (`?rev=N`, `?known=DAY`) against reads of today's.

For the seed data (data/seed.yaml, loaded with its revisions) and for a synthetic record
(`flask demo-data --sites 1000 --periods 6 --seed 1`, every row given its creation revision,
then EDITS further revisions: renames, notes and confidence changes, ended and new periods)
this times, in-process through the WSGI app (server time, no network), in milliseconds:

  current cold     GET the URL of today's record on a date not asked before
  current cached   the same again
  past first       the same URL with ?rev=N, N about half-way through the history, the
                   first time N is asked (the past state is rebuilt from the revisions)
  past cold        ?rev=N on another date (the state is kept, the answer is new)
  past cached      ?rev=N again on a date already asked

for the map page, the GeoJSON of sites and a site page, each over several dates.

usage: python bench/known_bench.py [--sites 1000] [--periods 6] [--edits 5000] [--dates 8]
                                   [--pg-url postgresql://…]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
URLS = {"map page": "/?date={day}", "sites.geojson": "/api/sites.geojson?date={day}"}


def main() -> int:
    """Fill each database, then print one table per data set."""
    args = _parse()
    folder = Path(tempfile.mkdtemp(prefix="known-bench-"))
    targets = [("sqlite", f"sqlite:///{folder / 'known.sqlite'}")]
    if args.pg_url:
        targets.append(("postgresql", args.pg_url))
    for database, url in targets:
        for data in ("seed", "synthetic"):
            revisions = _fill(url, data, args)
            print(f"\n{database}, {data} data: {revisions:,} revisions")
            print(f"{'url':<16} {'what':<15} {'p50 ms':>8} {'max ms':>8}")
            for name, (p50, worst) in _measure(url, args).items():
                print(f"{name[0]:<16} {name[1]:<15} {p50:8.1f} {worst:8.1f}")
    return 0


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=1000)
    p.add_argument("--periods", type=int, default=6)
    p.add_argument("--edits", type=int, default=5000)
    p.add_argument("--dates", type=int, default=8)
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL"))
    return p.parse_args()


def _app(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def _fill(url: str, data: str, args) -> int:
    """A fresh database holding the data set with its history; the number of revisions."""
    from sqlalchemy import func, select, text

    from app.db.models import Revision
    from app.extensions import db

    env = {**os.environ, "DATABASE_URL": url}
    app = _app(url)
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()
    subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, capture_output=True)
    if data == "seed":
        subprocess.run([*FLASK, "seed"], env=env, check=True, capture_output=True)
    else:
        demo = ["--sites", str(args.sites), "--periods", str(args.periods), "--seed", "1"]
        subprocess.run([*FLASK, "demo-data", *demo, "--force"], env=env, check=True)
        with app.app_context():
            _history(args.edits)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Revision))
        db.session.remove()
        db.engine.dispose()
    return count


def _history(edits: int) -> None:
    """Creation revisions for every row, then `edits` edits, each with its revision."""
    from sqlalchemy import select

    from app.db import records, revisions
    from app.db.models import ControlPeriod, Site
    from app.extensions import db

    for model in records.MODELS.values():
        for row in db.session.scalars(select(model)):
            revisions.record(row, "create", None, comment="demo history", flush=False)
    db.session.commit()
    rnd = random.Random(5)
    sites = db.session.scalars(select(Site)).all()
    periods = db.session.scalars(select(ControlPeriod)).all()
    for i in range(edits):
        if i % 3 == 0:
            row = rnd.choice(sites)
            before = revisions.snapshot(row)
            row.name = f"{row.name.split(' #')[0]} #{i}"
        else:
            row = rnd.choice(periods)
            before = revisions.snapshot(row)
            row.note = f"checked {i}"
            row.confidence = rnd.choice(("high", "medium", "low"))
        revisions.record(row, "update", before, comment=f"edit {i}", flush=False)
        if i % 250 == 249:
            db.session.commit()
    db.session.commit()


def _measure(url: str, args) -> dict[tuple[str, str], tuple[float, float]]:
    from sqlalchemy import func, select

    from app.db import known
    from app.db.models import Revision, Site
    from app.extensions import db

    app = _app(url)
    rnd = random.Random(11)
    days = [dt.date(2012, 1, 1) + dt.timedelta(days=rnd.randrange(5000)) for _ in range(99)]
    out: dict[tuple[str, str], list[float]] = {}
    with app.app_context():
        latest = db.session.scalar(select(func.max(Revision.id)))
        slug = db.session.scalar(select(Site.slug).order_by(Site.id))
        db.session.remove()
    urls = {**URLS, "site page": f"/sites/{slug}?date={{day}}"}
    client = app.test_client()
    client.get("/api/sites.geojson?date=2015-01-01")  # connections, imports
    past = [latest // 2 + k for k in range(args.dates)]  # a new past state per sample
    for name, template in urls.items():
        pick = iter(days)
        for k in range(args.dates):
            day = next(pick)
            plain = template.format(day=day)
            pinned = f"{plain}&rev={past[k]}"
            _time(out, (name, "current cold"), client, plain)
            _time(out, (name, "current cached"), client, plain)
            _time(out, (name, "past first"), client, pinned)
            _time(out, (name, "past cached"), client, pinned)
            other = template.format(day=next(pick)) + f"&rev={past[k]}"
            _time(out, (name, "past cold"), client, other)
        known.forget()
    order = ("current cold", "current cached", "past first", "past cold", "past cached")
    return {
        key: (statistics.median(out[key]), max(out[key]))
        for key in sorted(out, key=lambda k: (list(urls).index(k[0]), order.index(k[1])))
    }


def _time(out: dict, key: tuple[str, str], client, url: str) -> None:
    started = time.perf_counter()
    resp = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if resp.status_code != 200:
        raise SystemExit(f"{url}: {resp.status_code} {resp.get_data(as_text=True)[:300]}")
    out.setdefault(key, []).append(elapsed)


if __name__ == "__main__":
    sys.exit(main())
