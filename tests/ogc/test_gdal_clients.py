"""A real client: GDAL's OGC API – Features driver reads every collection from a live server.

pyogrio holds the GIL while GDAL fetches pages, so the server runs in its own process
(a thread in this process would never get to answer).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pyogrio
import pytest

PAGE = 10  # small, so GDAL must follow `next` links (it reads the maximum from /ogc/api)


@pytest.fixture
def ogc_server(seeded, database_url, tmp_path):
    """`flask run` on a free 127.0.0.1 port over the seeded database."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gdal-test",
        "OGC_MAX_LIMIT": str(PAGE),
        "OGC_DEFAULT_LIMIT": str(PAGE),
    }
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/ogc"
    try:
        _wait_for(base + "/conformance", proc)
        yield base, tmp_path / "server.log"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _wait_for(url, proc, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def _read(base, layer):
    return pyogrio.read_dataframe(f"OAPIF:{base}", layer=layer, fid_as_index=True)


def test_gdal_lists_every_collection(ogc_server):
    base, _ = ogc_server
    layers = dict(pyogrio.list_layers(f"OAPIF:{base}"))
    assert set(layers) == {"sites", "periods", "events", "boundaries"}
    assert layers["sites"] == "Point" and layers["periods"] == "Point"


def test_gdal_reads_sites_with_their_state(ogc_server, seed_data):
    base, _ = ogc_server
    sites = _read(base, "sites").set_index("slug")
    assert len(sites) == 11
    assert sites.loc["al-tanf", "name_ar"] == "التنف"
    assert sites.loc["al-tanf", "country"] == "SY"
    assert (
        round(sites.loc["al-tanf"].geometry.x, 4),
        round(sites.loc["al-tanf"].geometry.y, 4),
    ) == next(
        (round(s["lon"], 4), round(s["lat"], 4))
        for s in seed_data["sites"]
        if s["slug"] == "al-tanf"
    )


def test_gdal_pages_through_every_period(ogc_server, seed_data):
    base, log = ogc_server
    periods = _read(base, "periods")
    assert len(periods) == len(seed_data["periods"]) and periods.index.is_unique
    isis = periods[(periods.site == "al-tanf") & (periods.actor == "isis")]
    assert str(isis.iloc[0]["start"])[:10] == "2015-05-21"
    assert "offset=40" in log.read_text()  # GDAL followed the next links


def test_gdal_reads_events_and_boundaries(ogc_server):
    base, _ = ogc_server
    events = _read(base, "events")
    assert len(events) == 59
    assert "Rebels seize the Abu Kamal border gate" in set(events.title)
    boundaries = _read(base, "boundaries")
    assert len(boundaries) == 15
    assert set(boundaries.geometry.geom_type) >= {"LineString", "Polygon"}
    assert boundaries.set_index("id").loc["countries-iq", "name"] == "Iraq"
