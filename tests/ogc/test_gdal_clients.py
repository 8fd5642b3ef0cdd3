"""A real client: GDAL's OGC API – Features driver reads every collection from a live server.

pyogrio holds the GIL while GDAL fetches pages, so the server runs in its own process
(a thread in this process would never get to answer).
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import pyogrio
import pytest

ROOT = Path(__file__).resolve().parents[2]
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


# Time filters, filters and schemas as real clients use them ---------------------------
def _served(base, cid, **params):
    """Every feature the server answers for `params` (one big page)."""
    url = f"{base}/collections/{cid}/items?{urlencode({**params, 'limit': PAGE})}"
    feats = []
    while url:
        with urllib.request.urlopen(url, timeout=10) as resp:
            doc = json.load(resp)
        feats += doc["features"]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
    return feats


def _requests(log):
    return [unquote(line) for line in log.read_text().splitlines() if '"GET ' in line]


def test_gdal_where_on_dates_is_sent_as_datetime_and_answered(ogc_server):
    base, log = ogc_server
    periods = pyogrio.read_dataframe(
        f"OAPIF:{base}",
        layer="periods",
        where="start >= '2015-01-01' AND start <= '2016-01-01'",
    )
    assert any("datetime=2015-01-01T/2016-01-01T" in r for r in _requests(log))
    # GDAL keeps the server's answer: the periods whose possible span meets 2015.
    expected = _served(base, "periods", datetime="2015-01-01/2016-01-01")
    assert set(periods["id"]) == {f["id"] for f in expected} and len(periods) > PAGE
    assert str(periods["start"].dtype).startswith("datetime64")  # typed from /schema


def test_gdal_connection_string_datetime_reaches_every_request(ogc_server):
    base, log = ogc_server
    interval = "2014-01-01/2016-12-31"  # more than one page: GDAL repeats it on `next`
    periods = pyogrio.read_dataframe(f"OAPIF:{base}/collections/periods?datetime={interval}")
    expected = _served(base, "periods", datetime=interval)
    assert set(periods["id"]) == {f["id"] for f in expected} and len(expected) > PAGE
    seen = _requests(log)
    assert any(f"/ogc/collections/periods?datetime={interval}" in r for r in seen)
    assert all('" 200 ' in r for r in seen if f"datetime={interval}" in r)


def test_gdal_connection_string_filter(ogc_server):
    base, _ = ogc_server
    cql = quote("actor = 'isis' OR contested = true")
    periods = pyogrio.read_dataframe(f"OAPIF:{base}/collections/periods?filter={cql}")
    expected = _served(base, "periods", filter="actor = 'isis' OR contested = true")
    assert set(periods["id"]) == {f["id"] for f in expected} and expected


def test_ogr2ogr_copy_of_every_collection(ogc_server, tmp_path):
    """What `ogr2ogr out.gpkg OAPIF:…` does: read each layer, write it, read it back."""
    base, _ = ogc_server
    out = tmp_path / "copy.gpkg"
    for layer in ("sites", "periods", "events", "boundaries"):
        frame = pyogrio.read_dataframe(f"OAPIF:{base}", layer=layer)
        nested = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, list)).any()]
        frame = frame.drop(columns=nested)  # GeoPackage has no list columns
        pyogrio.write_dataframe(frame, out, layer=layer)
        again = pyogrio.read_dataframe(out, layer=layer)
        assert len(again) == len(frame) == len(_served(base, layer)), layer
    info = pyogrio.read_info(out, layer="periods")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["start"].startswith("datetime64")


def test_owslib_lists_collections_items_and_queryables(ogc_server):
    from owslib.ogcapi.features import Features

    base, _ = ogc_server
    api = Features(base + "/")
    assert {c["id"] for c in api.collections()["collections"]} == {
        "sites",
        "periods",
        "events",
        "boundaries",
    }
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in api.conformance()["conformsTo"]
    items = api.collection_items("periods", limit=5, filter="actor = 'isis'")
    assert items["numberReturned"] == 5 or items["numberMatched"] < 5
    assert {f["properties"]["actor"] for f in items["features"]} == {"isis"}
    queryables = api.collection_queryables("periods")
    assert queryables["properties"]["start"]["format"] == "date"
    one = api.collection_item("sites", "al-tanf")
    assert one["id"] == "al-tanf"


def test_openapi_spec_validator_accepts_the_live_definition(ogc_server):
    from openapi_spec_validator import validate

    base, _ = ogc_server
    with urllib.request.urlopen(base + "/api", timeout=10) as resp:
        assert resp.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
        validate(json.load(resp))


def _readme_curls():
    """Every `curl -G URL --data-urlencode …` example of README.md's OGC API section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### OGC API – Features", 1)[1].split("\n### ", 1)[0]
    examples = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        command = block.replace("\\\n", " ")
        for line in command.splitlines():
            if line.strip().startswith("curl -G"):
                args = shlex.split(line)
                url = args[2]
                params = [tuple(a.split("=", 1)) for a in args[3:] if a != "--data-urlencode"]
                examples.append((url, params))
    return examples


def test_every_readme_cql2_example_answers_features(ogc_server):
    """The README's examples run as written (one server for all of them)."""
    base, _ = ogc_server
    examples = _readme_curls()
    assert len(examples) >= 5
    assert any(dict(p).get("filter-lang") == "cql2-json" for _, p in examples)
    for url, params in examples:
        live = url.replace("http://127.0.0.1:5000/ogc", base)
        with urllib.request.urlopen(f"{live}?{urlencode(params)}", timeout=10) as resp:
            doc = json.load(resp)
        assert resp.status == 200 and doc["numberMatched"] > 0, (url, params)
