"""`make bench`: every benchmark in one run on this machine, then a summary table.

Runs, in order: the as-of snapshot (SQLite, and PostgreSQL in a private throwaway
cluster when the PostgreSQL server binaries are installed), API throughput against
pygeoapi and a hand-written Flask app, the map page at 1,000 and 10,000 sites against
the naive folium page, the 60 s load run with writes and a killed worker, the memory
sweep over distinct dates, and the render times of the pictures for publication (seed data
and 1,000 sites). Each script's full output goes
to bench/out/<time>/<name>.log; the lines that carry figures and verdicts are repeated at
the end.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG_PORT = os.environ.get("BENCH_PG_PORT", "55450")
# Lines worth repeating in the summary.
KEEP = re.compile(
    r"(ratio|target|met|p50|req/s|errors|missing|first request|total:|"
    r"show\(\)|^(sqlite|postgresql) |^(data|seed|\d+ sites) )",
    re.I,
)


def main() -> int:
    """Run every benchmark, keep the logs, print the summary."""
    out = ROOT / "bench" / "out" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    started = time.monotonic()
    with _postgres() as pg_url:
        runs = [
            (
                "asof",
                ["bench/asof_bench.py", "--dates", "20", *(["--pg-url", pg_url] if pg_url else [])],
            ),
            ("api_throughput", ["bench/api_throughput.py", "--duration", "10", "--runs", "1"]),
            ("map_1000", ["bench/map_weight.py", "--sites", "1000", "--steps", "30"]),
            ("map_10000", ["bench/map_weight.py", "--sites", "10000", "--steps", "20"]),
            ("load_run", ["bench/load_run.py", "--seconds", "60"]),
            # 1,000 of the 5,000 dates keep `make bench` short; run it alone for the full sweep.
            ("memory_sweep", ["bench/memory_sweep.py", "--dates", "1000"]),
            ("render", ["bench/render_bench.py", "--sites", "1000"]),
        ]
        results = [(name, _run(name, [PY, *cmd], out)) for name, cmd in runs]
    print(
        f"\n==== summary ({(time.monotonic() - started) / 60:.1f} min; logs in "
        f"{out.relative_to(ROOT)}) ===="
    )
    for name, (code, lines) in results:
        print(f"\n[{name}] exit {code}")
        for line in lines:
            print("  " + line)
    return max(code for _, (code, _) in results)


def _run(name: str, cmd: list[str], out: Path) -> tuple[int, list[str]]:
    print(f"\n==== {name}: {' '.join(cmd[1:])}", flush=True)
    log = out / f"{name}.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for line in proc.stdout:
            sys.stdout.write(line)
            fh.write(line)
        code = proc.wait()
    lines = [ln.rstrip() for ln in log.read_text().splitlines() if KEEP.search(ln)]
    return code, lines


class _postgres:
    """A private PostgreSQL cluster for the run, when the server is installed."""

    def __enter__(self) -> str | None:
        self.dir = None
        if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            print("PostgreSQL server not installed: the as-of benchmark runs on SQLite only")
            return None
        self.dir = tempfile.mktemp(prefix="atlas-bench-pg.")
        subprocess.run(
            [str(ROOT / "scripts" / "pg-cluster.sh"), "start", self.dir, PG_PORT, "atlas_bench"],
            check=True,
        )
        return f"postgresql://postgres@127.0.0.1:{PG_PORT}/atlas_bench"

    def __exit__(self, *exc) -> None:
        if self.dir:
            subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "stop", self.dir])
            shutil.rmtree(self.dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
