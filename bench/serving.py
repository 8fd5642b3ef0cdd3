"""Serve the app under gunicorn for a benchmark, exactly as `make serve` does."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


def gunicorn(env: dict, port: int, ready_path: str, workers: int = 2) -> subprocess.Popen:
    """Start gunicorn (gunicorn.conf.py) on 127.0.0.1:`port`; return once `ready_path` answers."""
    env = {
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "ACCESS_LOG": "",
    }
    proc = subprocess.Popen(
        [str(VENV / "gunicorn"), "-c", "gunicorn.conf.py", "app:create_app()"], cwd=ROOT, env=env
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=5).read()
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the app did not answer on port {port}")
