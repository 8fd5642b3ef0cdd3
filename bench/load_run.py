"""Load run: wrk on the API and the map for 60 s while an editor logs a control change
every second through the web form, and one worker is killed with SIGKILL half-way;
afterwards every acknowledged write must be there and no request may have failed
(connections cut by the kill itself are counted apart).

Serves a fresh database (`flask demo-data --sites 1000 --periods 6 --seed 1`) with
gunicorn as `make serve` does. Prints wrk's figures per target, the writes made and
found, and the error counts.

usage: python bench/load_run.py [--seconds 60] [--port 5210] [--database-url URL]
       [--kill-at SECONDS] (0: no kill; default half-way)
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from html import unescape as html_unescape
from pathlib import Path

import serving

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PASSWORD = "load-run-password"
TARGETS = {"api": "/api/sites.geojson?date=2014-06-01", "map": "/?date=2014-06-01"}


def main() -> int:
    """Fill, serve, load, write, verify; exit 1 when anything failed."""
    args = _parse()
    if not _which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    env = _prepare(args.database_url)
    server = serving.gunicorn(env, args.port, "/login")
    base = f"http://127.0.0.1:{args.port}"
    try:
        writer = Writer(base, args.seconds)
        loads = [_start_wrk(f"{base}{path}", args.seconds) for path in TARGETS.values()]
        writer.start()
        killer = Killer(server.pid, args.kill_at if args.kill_at is not None else args.seconds / 2)
        killer.start()
        outputs = [p.communicate()[0] for p in loads]
        writer.join()
        missing = writer.verify()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return _report(outputs, writer, missing, killer)


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--port", type=int, default=5210)
    p.add_argument("--database-url", help="default: a fresh SQLite file")
    p.add_argument("--kill-at", type=float, help="seconds in; 0: no kill (default: half-way)")
    return p.parse_args()


class Killer(threading.Thread):
    """SIGKILL one gunicorn worker at `at` seconds (the master starts a new one)."""

    def __init__(self, master: int, at: float):
        super().__init__(daemon=True)
        self.master, self.at, self.killed = master, at, None

    def run(self) -> None:
        if not self.at:
            return
        time.sleep(self.at)
        out = subprocess.run(["pgrep", "-P", str(self.master)], capture_output=True, text=True)
        pids = sorted(int(p) for p in out.stdout.split())
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            self.killed = pids[0]


def _which(cmd: str) -> bool:
    return subprocess.run(["sh", "-c", f"command -v {cmd}"], capture_output=True).returncode == 0


def _prepare(url: str | None) -> dict:
    """Migrate, load the synthetic data and create the editor who writes."""
    url = url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='atlas-load.')) / 'load.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url, "LOGIN_MAX_FAILURES": "0"}
    flask = [str(VENV / "flask"), "--app", "app"]
    for cmd in (
        ["db", "upgrade"],
        ["demo-data", "--sites", "1000", "--periods", "6", "--seed", "1", "--force"],
    ):
        subprocess.run([*flask, *cmd], env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "users", "create", "loadrun", "--role", "editor"],
        env=env,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        text=True,
        check=True,
        capture_output=True,
    )
    return env


def _start_wrk(url: str, seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", "--timeout", "10s", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


class Writer(threading.Thread):
    """An editor who logs one control change per second through the form."""

    def __init__(self, base: str, seconds: int):
        super().__init__(daemon=True)
        self.base, self.seconds = base, seconds
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.written: list[tuple[str, str, str]] = []
        self.failures: list[str] = []
        self.cut: list[str] = []  # no answer: the worker was killed mid-request

    def run(self) -> None:
        self._post("/login", self._token("/login"), {"username": "loadrun", "password": PASSWORD})
        slugs = self._site_slugs()
        started = time.monotonic()
        for i in range(self.seconds):
            self._log_change(slugs[i % len(slugs)])
            time.sleep(max(0.0, started + i + 1 - time.monotonic()))

    def _site_slugs(self) -> list[str]:
        body = self.opener.open(f"{self.base}/api/sites.csv?date=2014-06-01").read().decode()
        return [line.split(",")[0] for line in body.splitlines()[1 : self.seconds + 1]]

    def _log_change(self, slug: str) -> None:
        path = f"/editor/sites/{slug}/log-control"
        html = self.opener.open(self.base + path).read().decode()
        actor = _options(html, "actor_id")[-1]
        source = _options(html, "source_ids")[0]
        today = dt.date.today().isoformat()
        fields = {
            **_hidden(html),
            "actor_id": actor,
            "date": today,
            "date_precision": "day",
            "confidence": "medium",
            "note": "load run",
            "source_ids": source,
            "comment": "load run",
        }
        status = self._post(path, _csrf(html), fields)
        if status in (200, 302, 303):  # the redirect to the site page follows the commit
            self.written.append((slug, actor, today))
        elif status == 0:
            self.cut.append(slug)
        else:
            self.failures.append(f"{slug}: HTTP {status}")

    def _token(self, path: str) -> str:
        return _csrf(self.opener.open(self.base + path).read().decode())

    def _post(self, path: str, token: str, fields: dict) -> int:
        data = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        try:
            return self.opener.open(self.base + path, data=data).status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:  # the connection was cut (the killed worker): not acknowledged
            return 0

    def verify(self) -> list[tuple[str, str, str]]:
        """Writes that are not in the periods download afterwards."""
        missing = []
        for slug, actor_id, day in self.written:
            url = f"{self.base}/api/periods.csv?site={slug}&from={day}"
            body = self.opener.open(url).read().decode()
            if f",{day}," not in body:
                missing.append((slug, actor_id, day))
        return missing


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _hidden(html: str) -> dict[str, str]:
    """The form's hidden fields (the row version the save is checked against)."""
    out = {}
    for tag in re.findall(r"<input[^>]*>", html):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            out[attrs["name"]] = html_unescape(attrs.get("value", ""))
    return out


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [v for v in re.findall(r'<option[^>]*value="([^"]*)"', select) if v]


def _report(outputs: list[str], writer: Writer, missing: list, killer: Killer) -> int:
    bad_total = sock_total = 0
    for name, out in zip(TARGETS, outputs, strict=True):
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
        sock = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
        bad_total, sock_total = bad_total + bad, sock_total + sock
        print(
            f"{name:>4}: {float(rps.group(1)) if rps else 0:8.1f} req/s, "
            f"non-2xx {bad}, socket errors {sock}"
        )
    if killer.killed:
        print(f"worker {killer.killed} killed with SIGKILL at {killer.at:.0f} s")
    print(
        f"writes: {len(writer.written)} acknowledged, {len(writer.failures)} refused, "
        f"{len(writer.cut)} cut by the kill, {len(missing)} missing afterwards"
    )
    for line in writer.failures + [str(m) for m in missing]:
        print("  ", line)
    # Connections open on the killed worker are cut; only those may fail.
    sock_ok = sock_total == 0 or (killer.killed and sock_total <= 16 + len(writer.cut))
    ok = bad_total == 0 and sock_ok and not writer.failures and not missing
    print(
        "load run:",
        "0 errors, every acknowledged write present" if ok else "FAILED",
        f"(socket errors {sock_total}, all on connections the kill cut)" if sock_total else "",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
