"""Helpers for the race and abuse tests: a live threaded server, and cookie replay."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def live_url(app):
    """The test app served by a threaded server on 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def replay(app):
    """replay(cookie) -> status of /editor/ for a fresh browser holding only that cookie."""

    def open_editor(cookie: str, target=None) -> int:
        client = (target or app).test_client()
        client.set_cookie("session", cookie)
        return client.get("/editor/").status_code

    return open_editor
