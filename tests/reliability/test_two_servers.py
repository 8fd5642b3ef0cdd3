"""Several app servers on one PostgreSQL database, as in the README's "Several app servers on
one PostgreSQL": a write through one is answered by the others on their next request;
sign-in sessions, "Sign out everywhere" and the sign-in throttle hold across servers; a
server on a read-only database (a replica without lag) serves the read paths.

Each server is gunicorn started as `make serve` starts it (gunicorn.conf.py, HOST, PORT,
WEB_CONCURRENCY) with the same DATABASE_URL, SECRET_KEY and PUBLIC_URL and its own
IMPORT_DIR (Flask fixes the instance folder at <repo>/instance; with SECRET_KEY and
DATABASE_URL set, nothing in it is used). One worker each, so the process whose caches the
test warms is the one that answers next: a cache that ignored the other server's write is
seen, not dodged by luck.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import Actor, Revision
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="needs a PostgreSQL server (TEST_DATABASE_URL)",
    ),
    # Only the PostgreSQL database of tests/conftest.py: SQLite is one file on one machine.
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

SITE = "al-qaim"
TODAY = dt.datetime.now(dt.UTC).date().isoformat()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Browser:
    """A client holding cookies like a browser behind one proxy: they go to either server."""

    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, base: str, path: str, **headers: str) -> Answer:
        return self._send(urllib.request.Request(base + path, headers=headers))

    def post(self, base: str, path: str, form: dict) -> Answer:
        body = urllib.parse.urlencode(form, doseq=True).encode()
        return self._send(urllib.request.Request(base + path, data=body, method="POST"))

    def _send(self, req: urllib.request.Request) -> Answer:
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with _OPENER.open(req, timeout=60) as resp:
                status, headers, body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            status, headers, body = exc.code, exc.headers, exc.read()
        for raw in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return Answer(status, dict(headers.items()), body)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict[str, str], port: int, import_dir: Path) -> subprocess.Popen:
    """gunicorn as `make serve` runs it, on 127.0.0.1:port; returns once it answers."""
    env = {
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "ACCESS_LOG": "",
        "IMPORT_DIR": str(import_dir),
    }
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "app:create_app()"], cwd=ROOT, env=env
    )
    for _ in range(120):
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn on port {port} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ogc/conformance", timeout=5).read()
            return proc
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise AssertionError(f"gunicorn on port {port} did not answer")


@pytest.fixture
def start_server(seeded, make_user, database_url, tmp_path):
    """start_server(database_url=the test database) -> base URL of one more server on the
    seeded database; every server shares SECRET_KEY and PUBLIC_URL. Editor: "edna"."""
    make_user(seeded, "edna", "editor")
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(16),  # shared, as the README says it must be
        # One public address for all, as behind one proxy: equal answers, equal ETags.
        "PUBLIC_URL": "http://atlas.example.org",
        # One machine: the second server reads the first one's as-of index file.
        "ASOF_INDEX_FILES": str(tmp_path / "asof-index"),
    }
    procs: list[subprocess.Popen] = []

    def start(url: str = database_url) -> str:
        port = _free_port()
        env["DATABASE_URL"] = url
        procs.append(_start(env, port, tmp_path / f"imports-{port}"))
        return f"http://127.0.0.1:{port}"

    try:
        yield start
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture
def servers(start_server):
    """(A, B): base URLs of two servers on one database."""
    return start_server(), start_server()


def _sign_in(base: str, password: str, browser: Browser | None = None) -> Browser:
    browser = browser or Browser()
    token = _csrf(browser.get(base, "/login").text)
    resp = browser.post(
        base, "/login", {"username": "edna", "password": password, "csrf_token": token}
    )
    assert resp.status == 302, resp.text
    assert "session" in browser.cookies
    return browser


def _log_control(editor: Browser, form_from: str, post_to: str, actor_id: int, title: str):
    """Log a control change at SITE on TODAY through the editor's form, citing a new
    source called `title`: the form is fetched from one server and sent to another."""
    form = editor.get(form_from, f"/editor/sites/{SITE}/log-control").text
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', form).group(1)
    saved = editor.post(
        post_to,
        f"/editor/sites/{SITE}/log-control",
        {
            "csrf_token": _csrf(form),
            "version": version,
            "actor_id": actor_id,
            "date": TODAY,
            "confidence": "high",
            "source_title": title,
            "source_publisher": "Test wire",
        },
    )
    assert saved.status == 302, saved.text


def _signed_in(browser: Browser, base: str) -> bool:
    status = browser.get(base, "/editor/").status
    assert status in (200, 302)
    return status == 200


# What each warmed URL says about the site: its holder on TODAY, or the new source's title.
def _api_holder(answer: Answer) -> str:
    (site,) = [f for f in answer.json()["features"] if f["properties"]["slug"] == SITE]
    return site["properties"]["controller"]


def _untimed(answer: Answer) -> dict:
    return {k: v for k, v in answer.json().items() if k != "timeStamp"}


def _map_row(answer: Answer) -> str:
    """The site's row of the map page's table (the holder on the page's date)."""
    return re.search(rf'<tr[^>]*{SITE}".*?</tr>', answer.text, re.S).group(0)


def _urls() -> dict[str, str]:
    return {
        "api": f"/api/sites.geojson?date={TODAY}",
        "map": f"/?date={TODAY}",
        "ogc": f"/ogc/collections/sites/items?datetime={TODAY}&limit=100",
        "site": f"/sites/{SITE}",
        "site-feed": f"/feeds/sites/{SITE}.atom",
        "feed": "/feeds/changes.atom",
    }


def _read_all(browser: Browser, base: str, urls: dict[str, str]) -> dict[str, Answer]:
    answers = {}
    for key, url in urls.items():
        answers[key] = browser.get(base, url)
        assert answers[key].status == 200, (base, url, answers[key].status)
        if key in ("api", "ogc"):  # the gzip body is cached apart from the plain one
            zipped = browser.get(base, url, **{"Accept-Encoding": "gzip"})
            assert zipped.body == answers[key].body
    return answers


def test_a_write_through_one_server_is_answered_by_the_other(seeded, servers, password):
    a, b = servers
    reader = Browser()
    with seeded.app_context():
        before_rev = db.session.scalar(select(func.max(Revision.id)))
        actors = {row.slug: row.id for row in db.session.execute(select(Actor.slug, Actor.id))}
    urls = _urls()
    pinned = f"/api/sites.geojson?date={TODAY}&rev={before_rev}"

    # Both servers warm: each has cached every URL at the current data version.
    warm = {base: _read_all(reader, base, urls) for base in (a, b)}
    for base in (a, b):
        again = _read_all(reader, base, urls)
        assert again["api"].headers["ETag"] == warm[base]["api"].headers["ETag"]
    tagged = ("api", "ogc", "feed", "site-feed")
    assert all(warm[a][key].headers["ETag"] == warm[b][key].headers["ETag"] for key in tagged)
    old_holder = _api_holder(warm[b]["api"])
    assert _api_holder(warm[a]["api"]) == old_holder
    # The new holder: one that holds another site today, so its name and colour are known.
    holders = {
        f["properties"]["controller"]: f["properties"]
        for f in warm[a]["api"].json()["features"]
        if f["properties"]["controller"]
    }
    new_holder = next(
        slug
        for slug, p in holders.items()
        if slug != old_holder and p["controller_colour"] != holders[old_holder]["controller_colour"]
    )
    new, old = holders[new_holder], holders[old_holder]
    assert new["controller_colour"] not in _map_row(warm[b]["map"])
    old_pinned = {base: reader.get(base, pinned) for base in (a, b)}
    assert _api_holder(old_pinned[a]) == _api_holder(old_pinned[b]) == old_holder

    # An editor signs in on A, opens the form on B (the proxy may send any request to
    # either server) and saves it through A.
    editor = _sign_in(a, password)
    marker = f"Two-server report {secrets.token_hex(4)}"
    _log_control(editor, b, a, actors[new_holder], marker)

    # B's very next request for each URL shows the write: no cache of B's kept the old state.
    after = _read_all(reader, b, urls)

    def shows_the_write(key: str, answer: Answer, base: str = b) -> bool:
        if key in ("api", "ogc"):
            return _api_holder(answer) == new_holder
        if key == "map":
            row = _map_row(answer)
            return new["controller_colour"] in row and old["controller_colour"] not in row
        if key == "site":
            return marker in answer.text and new["controller_name"] in answer.text
        return answer.body != warm[base][key].body  # the feeds: a new entry

    stale = [key for key, answer in after.items() if not shows_the_write(key, answer)]
    assert not stale, f"server B answered from before A's write: {stale}"
    kept = [key for key in tagged if after[key].headers["ETag"] == warm[b][key].headers["ETag"]]
    assert not kept, f"server B kept its ETag through the write: {kept}"
    # A browser revalidating its old copy at B gets the new answer, not 304.
    revalidated = reader.get(b, urls["api"], **{"If-None-Match": warm[b]["api"].headers["ETag"]})
    assert revalidated.status == 200 and _api_holder(revalidated) == new_holder
    # A, where the write was made, answers the same, with the same ETags: a copy fetched
    # from one server is current at the other (304).
    on_a = _read_all(reader, a, urls)
    assert all(shows_the_write(key, answer, a) for key, answer in on_a.items())
    for key in tagged:
        if key == "ogc":  # timeStamp: when each server built its (cached) page
            assert _untimed(on_a[key]) == _untimed(after[key])
        else:
            assert on_a[key].body == after[key].body, key
        assert on_a[key].headers["ETag"] == after[key].headers["ETag"], key
        etag = on_a[key].headers["ETag"]
        assert reader.get(b, urls[key], **{"If-None-Match": etag}).status == 304, key

    # A read pinned to the revision before the write still gives the old answer, on both.
    for base in (a, b):
        old_again = reader.get(base, pinned)
        assert old_again.status == 200
        assert _api_holder(old_again) == old_holder
        assert old_again.body == old_pinned[base].body


def test_a_sign_in_on_one_server_is_valid_on_the_other_until_signed_out_everywhere(
    servers, password
):
    a, b = servers
    laptop = _sign_in(a, password)
    assert _signed_in(laptop, a) and _signed_in(laptop, b)  # the same cookie at B
    phone = _sign_in(b, password)
    assert _signed_in(phone, a) and _signed_in(phone, b)

    # Sign out everywhere on A, with a CSRF token from a page B served.
    token = _csrf(laptop.get(b, "/").text)
    kept = dict(laptop.cookies)
    assert laptop.post(a, "/logout/everywhere", {"csrf_token": token}).status == 302
    # Both sessions end on both servers, for every copy of the cookies.
    for cookies in (kept, phone.cookies):
        for base in (b, a):
            assert not _signed_in(Browser(dict(cookies)), base), base


def test_sign_in_failures_count_across_servers(seeded, servers):
    a, b = servers
    limit = seeded.config["LOGIN_MAX_FAILURES"]
    assert limit > 1
    statuses = []
    for attempt in range(limit + 1):
        base = (a, b)[attempt % 2]
        browser = Browser()
        token = _csrf(browser.get(base, "/login").text)
        form = {"username": "edna", "password": "a wrong guess", "csrf_token": token}
        statuses.append(browser.post(base, "/login", form).status)
    assert statuses == [401] * limit + [429], statuses


def test_a_server_on_a_read_only_database_serves_the_reads_and_refuses_writes(
    seeded, start_server, database_url, password
):
    """The README's read replica, without its lag: a server whose every transaction is
    read-only (as on a standby) answers the API, OGC API and feeds, sees a write made
    through a primary server on its next request, and refuses a sign-in with 503."""
    primary = start_server()
    read_only = f"{database_url}{'&' if '?' in database_url else '?'}" + urllib.parse.urlencode(
        {"options": "-c default_transaction_read_only=on"}
    )
    replica = start_server(read_only)
    reader = Browser()
    urls = {key: url for key, url in _urls().items() if key in ("api", "ogc", "feed")}
    before = _read_all(reader, replica, urls)
    old_holder = _api_holder(before["api"])
    with seeded.app_context():
        new_id, new_holder = db.session.execute(
            select(Actor.id, Actor.slug).where(Actor.slug != old_holder).order_by(Actor.id)
        ).first()

    _log_control(_sign_in(primary, password), primary, primary, new_id, "Replica report")
    after = _read_all(reader, replica, urls)
    assert _api_holder(after["api"]) == new_holder
    ogc = [f for f in after["ogc"].json()["features"] if f["properties"]["slug"] == SITE]
    assert ogc[0]["properties"]["controller"] == new_holder
    assert after["feed"].body != before["feed"].body

    browser = Browser()
    token = _csrf(browser.get(replica, "/login").text)
    form = {"username": "edna", "password": password, "csrf_token": token}
    refused = browser.post(replica, "/login", form)
    assert refused.status == 503 and "read-only" in refused.text
