"""A checked import is imported exactly once, however many times Import is clicked.

Against a live threaded server (real HTTP, a real cookie): 8 confirms of one upload fired
at the same instant, and a double click 0.3 s apart. Exactly one imports; every other gets
409 and changes nothing; none gets a 5xx. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.db.models import ControlPeriod, Revision, Site
from app.extensions import db

CONCURRENT = 8


@pytest.fixture
def server(seeded, tmp_path):
    """The seeded app on a threaded server on 127.0.0.1, its uploads in tmp_path."""
    seeded.config["IMPORT_DIR"] = str(tmp_path / "imports")
    httpd = make_server("127.0.0.1", 0, seeded, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


def _request(base: str, method: str, path: str, body: bytes = b"", headers=None):
    """(status, headers, text) of one request on its own connection, no redirects."""
    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=120)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read().decode()
    finally:
        conn.close()


def _sign_in(app, base: str, make_user, password: str) -> str:
    """A Cookie header for a new editor signed in through the login form."""
    make_user(app, "loader", "editor")
    status, headers, _ = _request(
        base,
        "POST",
        "/login",
        urlencode({"username": "loader", "password": password}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    assert cookies
    return "; ".join(cookies)


def _upload(base: str, cookie: str, data: bytes, name: str) -> str:
    """Check a file through the upload form; the token of its Import button."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/geo+json\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, html = _request(
        base,
        "POST",
        "/editor/import",
        body,
        {"Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 200, html
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html)[1]


def _confirm(base: str, cookie: str, token: str) -> tuple[int, str]:
    status, _, html = _request(
        base,
        "POST",
        "/editor/import/confirm",
        urlencode({"token": token}).encode(),
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return status, html


def _file(sites: int, periods: int) -> bytes:
    """`sites` new sites near the border with `periods` yearly periods each, one source."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [40.9, 34.0 + i / 1000]},
            "properties": {
                "slug": f"once-{i}",
                "name": f"Once {i}",
                "country": "SY",
                "kind": "town",
                "periods": [
                    {
                        "actor": "isis" if j % 2 else "iraqi-government",
                        "start": str(1900 + j),
                        "end": str(1901 + j),
                        "sources": ["ONCE-1"],
                    }
                    for j in range(periods)
                ],
            },
        }
        for i in range(sites)
    ]
    doc = {
        "type": "FeatureCollection",
        "sources": [{"ref": "ONCE-1", "title": "Imported once"}],
        "features": features,
    }
    return json.dumps(doc).encode()


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Site, ControlPeriod, Revision)
        )


def _fire(base: str, cookie: str, token: str, delays: list[float]) -> list[tuple[int, str]]:
    """Send one confirm per delay (seconds after a common start); their answers."""
    results: list = [None] * len(delays)
    start = threading.Barrier(len(delays))

    def click(i: int) -> None:
        start.wait()
        time.sleep(delays[i])
        results[i] = _confirm(base, cookie, token)

    threads = [threading.Thread(target=click, args=(i,)) for i in range(len(delays))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return results


def _check_once(app, results, before, sites: int, periods: int, imports) -> None:
    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [409] * (len(results) - 1), statuses
    assert not any(status >= 500 for status in statuses)
    for status, html in results:
        if status == 409:
            assert "already imported" in html or "being imported by another request" in html
    after = _counts(app)
    assert after[0] - before[0] == sites
    assert after[1] - before[1] == sites * periods
    assert after[2] - before[2] == sites * (periods + 1) + 1  # a revision per row
    assert sorted(p.suffix for p in imports.iterdir()) == [".done"]


def test_concurrent_confirms_import_once(seeded, server, make_user, password, tmp_path):
    sites, periods = 300, 10  # 3,000 control periods
    cookie = _sign_in(seeded, server, make_user, password)
    token = _upload(server, cookie, _file(sites, periods), "three-thousand.geojson")
    before = _counts(seeded)
    results = _fire(server, cookie, token, [0.0] * CONCURRENT)
    _check_once(seeded, results, before, sites, periods, tmp_path / "imports")
    print(f"\n{CONCURRENT} confirms: {sorted(s for s, _ in results)}")


def test_a_double_click_imports_once(seeded, server, make_user, password, tmp_path):
    sites, periods = 100, 10  # 1,000 control periods
    cookie = _sign_in(seeded, server, make_user, password)
    token = _upload(server, cookie, _file(sites, periods), "one-thousand.geojson")
    before = _counts(seeded)
    results = _fire(server, cookie, token, [0.0, 0.3])
    _check_once(seeded, results, before, sites, periods, tmp_path / "imports")
    # And a third click much later is told the same, with what was imported.
    status, html = _confirm(server, cookie, token)
    assert status == 409 and "one-thousand.geojson was already imported" in html
    assert f"{sites + sites * periods + 1} created" in html
