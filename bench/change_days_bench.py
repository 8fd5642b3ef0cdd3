"""The map's change days (map_encoding.change_points, the slider's ticks and Next change)
against the rule they implement, every period tested on every bound day, in one process.

Usage: python bench/change_days_bench.py sqlite:////path/to/filled.sqlite [--runs 3]
(a database filled by `flask demo-data --sites 10000 --periods 50 --seed 1`, as
bench/asof_bench.py --keep leaves one). Prints seconds per run, alternated, and checks that
both give the same days.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.core import map_encoding, timeline  # noqa: E402
from app.db import queries  # noqa: E402


def every_period(periods_by_site, settle=False) -> list[dt.date]:
    """The reference: timeline.answer over all of a track's periods on each bound day."""
    one, points = dt.timedelta(days=1), set()
    for periods in periods_by_site.values():
        for day in timeline.boundary_dates(periods):
            if timeline._value(periods, day, settle) != timeline._value(periods, day - one, settle):
                points.add(day)
    return sorted(points)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of a filled database")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench"})
    with app.app_context():
        rows = queries.map_rows()
        rows = dataclasses.replace(rows, control=list(rows.control), status=list(rows.status))
        print(f"{len(rows.sites)} sites, {len(rows.control)} control, {len(rows.status)} status")

        def run(fn) -> list[dt.date]:
            changes: set[dt.date] = set()
            for periods, value in ((rows.control, "actor_id"), (rows.status, "status")):
                for _, ordered in map_encoding._grouped(periods):
                    track = [timeline.Period(p["start"], p["end"], p[value]) for p in ordered]
                    changes.update(fn({"track": track}, settle=value == "status"))
            return sorted(changes)

        seconds: dict[str, list[float]] = {"change_points": [], "every period": []}
        days = {}
        for _ in range(args.runs):
            for name, fn in (
                ("change_points", timeline.change_points),
                ("every period", every_period),
            ):
                start = time.perf_counter()
                days[name] = run(fn)
                seconds[name].append(time.perf_counter() - start)
        same = days["change_points"] == days["every period"]
        for name, values in seconds.items():
            print(f"{name:>14}: " + ", ".join(f"{v:.2f} s" for v in values))
        print(f"{len(days['change_points'])} change days, the same both ways: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
