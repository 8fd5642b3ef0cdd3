"""Memory sweep: anonymous readers ask for thousands of distinct dates; every worker's peak
RSS must stay under the target however many they ask for.

Serves 10,000 demo sites (`flask demo-data --sites 10000 --periods 6 --seed 1`) with
gunicorn as `make serve` does, then requests the map, the GeoJSON and the CSV for
`--dates` distinct dates (rotating through the three), plus the same URLs with made-up
Host headers and unknown OGC parameters (neither may add cache entries). Every
`--every` requests it reads each worker's VmRSS and VmHWM (peak) from /proc.

usage: python bench/memory_sweep.py [--sites 10000] [--dates 5000] [--cache-mb 48]
       [--workers 2] [--clients 4] [--database-url URL] [--record]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import serving

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
TARGET_MB = 250
FIRST = dt.date(2011, 1, 1)


def main() -> int:
    """Fill, serve, sweep, report; exit 1 when a worker went over the target or errored."""
    args = _parse()
    env = _prepare(args)
    server = serving.gunicorn(env, args.port, "/login", workers=args.workers)
    base = f"http://127.0.0.1:{args.port}"
    started = time.monotonic()
    try:
        workers = _workers(server.pid)
        baseline = {pid: _mem(pid) for pid in workers}
        samples, errors = _sweep(base, args, workers)
        final = {pid: _mem(pid) for pid in _workers(server.pid)}
    finally:
        server.terminate()
        server.wait(timeout=30)
    minutes = (time.monotonic() - started) / 60
    return _report(args, baseline, samples, final, errors, minutes)


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=10000)
    p.add_argument("--periods", type=int, default=6)
    p.add_argument("--dates", type=int, default=5000)
    p.add_argument("--cache-mb", type=int, default=48)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--every", type=int, default=250, help="sample RSS every N requests")
    p.add_argument("--port", type=int, default=5230)
    p.add_argument("--database-url", help="default: a fresh SQLite file")
    p.add_argument("--record", action="store_true", help="append the figures to RESULTS.md")
    return p.parse_args()


def _prepare(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="atlas-mem."))
    url = args.database_url or f"sqlite:///{folder / 'mem.sqlite'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        # The workers share their as-of index file, as under `make serve`: here, not in
        # the repository's instance folder.
        "ASOF_INDEX_FILES": str(folder / "asof-index"),
        "RESPONSE_CACHE_MB": str(args.cache_mb),
        "TRUSTED_HOSTS": "*",  # let the made-up Host headers through to the cache
    }
    flask = [str(VENV / "flask"), "--app", "app"]
    fill = ["demo-data", "--sites", str(args.sites), "--periods", str(args.periods)]
    for cmd in (["db", "upgrade"], [*fill, "--seed", "1", "--force"]):
        subprocess.run([*flask, *cmd], env=env, cwd=ROOT, check=True, capture_output=True)
    return env


def _workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def _mem(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) // 1024
    return fields["VmRSS"], fields["VmHWM"]


def _urls(n: int) -> list[tuple[str, str | None]]:
    """(path, Host header) for n distinct dates, rotating through the three views, with
    every tenth request carrying a made-up Host and every tenth an unknown OGC parameter."""
    span = (dt.date.today() - FIRST).days
    out: list[tuple[str, str | None]] = []
    for i in range(n):
        day = FIRST + dt.timedelta(days=(i * 7919) % span)  # distinct while n <= span
        path = ("/?date={}", "/api/sites.geojson?date={}", "/api/sites.csv?date={}")[i % 3]
        out.append((path.format(day), f"h{i}.example" if i % 10 == 5 else None))
        if i % 10 == 7:
            out.append((f"/ogc/collections/sites/items?junk{i}=1", None))
    return out


def _sweep(base: str, args, workers: list[int]):
    urls = _urls(args.dates)
    samples: list[tuple[int, dict[int, tuple[int, int]]]] = []
    errors: list[str] = []
    done = 0
    lock = threading.Lock()

    def fetch(item: tuple[str, str | None]) -> None:
        nonlocal done
        path, host = item
        req = urllib.request.Request(base + path, headers={"Host": host} if host else {})
        try:
            urllib.request.urlopen(req, timeout=120).read()
        except urllib.error.HTTPError as exc:
            if exc.code != 400:  # 400: the made-up Host or parameter, refused
                errors.append(f"{path}: HTTP {exc.code}")
        except OSError as exc:
            errors.append(f"{path}: {exc}")
        with lock:
            done += 1
            if done % args.every == 0:
                samples.append((done, {pid: _mem(pid) for pid in workers}))
                print(f"{done:6d} requests: " + _line(samples[-1][1]), flush=True)

    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(fetch, urls))
    return samples, errors


def _line(mem: dict[int, tuple[int, int]]) -> str:
    return ", ".join(f"worker {pid} {rss} MB (peak {hwm})" for pid, (rss, hwm) in mem.items())


def _report(args, baseline, samples, final, errors, minutes: float) -> int:
    peaks = {pid: hwm for pid, (_, hwm) in final.items()}
    worst = max(peaks.values())
    verdict = "met" if worst < TARGET_MB and not errors else "NOT met"
    requests = samples[-1][0] if samples else 0
    lines = [
        f"### Memory sweep, {dt.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"`bench/memory_sweep.py --sites {args.sites} --dates {args.dates} "
        f"--cache-mb {args.cache_mb}`; {args.workers} gunicorn workers, {args.clients} "
        f"clients, {platform.machine()} with {os.cpu_count()} CPUs, {minutes:.1f} min.",
        "",
        "| worker | RSS after start | RSS at the end | peak RSS (VmHWM) |",
        "|---|---:|---:|---:|",
        *(
            f"| {pid} | {baseline.get(pid, (0, 0))[0]} MB | {rss} MB | **{hwm} MB** |"
            for pid, (rss, hwm) in final.items()
        ),
        "",
        f"- {requests} requests, {len(errors)} errors; highest peak **{worst} MB** "
        f"(target < {TARGET_MB} MB: **{verdict}**).",
        "- RSS over the sweep: "
        + "; ".join(
            f"{n}: " + "/".join(str(rss) for rss, _ in mem.values())
            for n, mem in samples[:: max(1, len(samples) // 8)]
        )
        + " MB.",
        "",
    ]
    print("\n".join(lines))
    for e in errors[:10]:
        print("error:", e)
    if args.record:
        with (ROOT / "bench" / "RESULTS.md").open("a") as fh:
            fh.write("\n" + "\n".join(lines))
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    raise SystemExit(main())
