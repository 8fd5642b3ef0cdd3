"""A real client: GDAL's OGC API – Features driver reads every collection from a live server.

pyogrio holds the GIL while GDAL fetches pages, so the server runs in its own process
(a thread in this process would never get to answer).
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode

import pyogrio
import pytest
from pygeofilter import ast
from sqlalchemy import select

from app.db import cql as db_cql
from app.db.models import Revision
from app.extensions import db
from app.ogc import cql as ogc_cql

ROOT = Path(__file__).resolve().parents[2]
README_BASE = "http://127.0.0.1:5000/ogc"  # what the README's examples are written against
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


def test_gdal_reads_a_past_state_of_the_record(ogc_server, seeded):
    """`?rev=` on the landing page's address: every link GDAL follows keeps it."""
    base, log = ogc_server
    with seeded.app_context():
        rev = db.session.scalar(
            select(Revision.id)
            .where(Revision.entity == "control_period")
            .order_by(Revision.id)
            .offset(PAGE * 3 - 1)
            .limit(1)
        )
    periods = pyogrio.read_dataframe(f"OAPIF:{base}?rev={rev}", layer="periods")
    assert len(periods) == PAGE * 3 and periods.index.is_unique  # as the record stood then
    pages = [r for r in _requests(log) if "/collections/periods/items" in r]
    assert len(pages) >= 3 and all(f"rev={rev}" in r and '" 200 ' in r for r in pages)


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
def _fetch(url):
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200, url
        return json.load(resp)


def _served(base, cid, **params):
    """Every feature the server answers for `params`, following the `next` links."""
    url = f"{base}/collections/{cid}/items?{urlencode({**params, 'limit': PAGE})}"
    feats = []
    while url:
        doc = _fetch(url)
        feats += doc["features"]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
    return feats


def _requests(log):
    return [unquote(line) for line in log.read_text().splitlines() if '"GET ' in line]


def _starting(periods, lo, hi):
    """Ids of the periods whose `start` column is a day in [lo, hi], as GDAL compares it."""
    start = periods["start"].dt.strftime("%Y-%m-%d")
    return set(periods["id"][(start >= lo) & (start <= hi)])


def test_gdal_evaluates_a_where_on_dates_itself_exactly(ogc_server):
    """GDAL would send a date comparison as `datetime` (the period's span) and keep that
    answer as the column's; the API definition lists `cql-text`, so GDAL evaluates it."""
    base, log = ogc_server
    every = pyogrio.read_dataframe(f"OAPIF:{base}", layer="periods")
    for where, lo, hi in [
        ("start >= '2015-01-01' AND start <= '2016-01-01'", "2015-01-01", "2016-01-01"),
        ("start = '2014-09-01'", "2014-09-01", "2014-09-01"),
    ]:
        periods = pyogrio.read_dataframe(f"OAPIF:{base}", layer="periods", where=where)
        assert set(periods["id"]) == _starting(every, lo, hi) != set(), where
    seen = _requests(log)
    assert not any("datetime=" in r for r in seen)
    assert any('"GET /ogc/collections/periods/geojson-schema' in r for r in seen)  # typed from it
    # What the server answers for the span: more, and other, periods.
    spans = {f["id"] for f in _served(base, "periods", datetime="2014-09-01")}
    assert spans - _starting(every, "2014-09-01", "2014-09-01")
    assert str(every["start"].dtype).startswith("datetime64") and len(every) > PAGE


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


def test_gdal_types_a_date_as_a_date_on_a_day_it_is_null_everywhere(ogc_server):
    """On 15 March 2011 no site has a controller `since` a day, so the first page holds no
    date to guess from; GDAL types the columns from the `describedby` schema instead, the
    same on every day (the types must not depend on the date asked)."""
    base, log = ogc_server
    types = {}
    for day in ("2011-03-15", "2015-08-01"):
        url = f"OAPIF:{base}/collections/sites?datetime={day}"
        info = pyogrio.read_info(url)
        types[day] = dict(zip(info["fields"], map(str, info["dtypes"]), strict=True))
        since = pyogrio.read_dataframe(url)["since"]
        assert since.isna().all() == (day == "2011-03-15"), day
    assert types["2011-03-15"] == types["2015-08-01"]
    for name in ("since", "until", "status_since", "last_verified"):
        assert types["2011-03-15"][name] == "datetime64[D]", name
    assert any('"GET /ogc/collections/sites/geojson-schema' in r for r in _requests(log))


@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="GDAL's command-line tools")
def test_ogr2ogr_copy_of_every_collection(ogc_server, tmp_path):
    """`ogr2ogr -f GPKG out.gpkg OAPIF:… layer` copies every feature the server matches."""
    base, _ = ogc_server
    for layer in ("sites", "periods", "events", "boundaries"):
        out = tmp_path / f"{layer}.gpkg"
        subprocess.run(
            ["ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{base}", layer],
            check=True,
            capture_output=True,
            timeout=120,
        )
        matched = _fetch(f"{base}/collections/{layer}/items?limit=1")["numberMatched"]
        assert pyogrio.read_info(out, layer=layer)["features"] == matched > 0, layer
    info = pyogrio.read_info(tmp_path / "periods.gpkg", layer="periods")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["start"].startswith("datetime64")


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's command-line tools")
def test_readme_ogrinfo_and_ogr2ogr_lines(ogc_server, tmp_path):
    """The README's `ogrinfo … -where` and `ogr2ogr …?datetime=` lines, run as written."""
    base, log = ogc_server
    lines = [
        line
        for block in re.findall(r"```sh\n(.*?)```", _readme_section(), re.S)
        for line in block.splitlines()
        if line.startswith(("ogrinfo ", "ogr2ogr "))
    ]
    assert [line.split()[0] for line in lines] == ["ogrinfo", "ogr2ogr", "ogr2ogr"]
    for line in lines:
        args = shlex.split(line.replace(README_BASE, base))
        done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (line, done.stderr)
        if args[0] == "ogrinfo":
            # -q prints one "OGRFeature(periods):<fid>" block per feature GDAL kept.
            kept = done.stdout.count("OGRFeature(periods):")
            every = pyogrio.read_dataframe(f"OAPIF:{base}", layer="periods")
            assert kept == len(_starting(every, "2015-01-01", "2015-12-31")) > 0
    copied = pyogrio.read_info(tmp_path / "periods-2015-06-01.gpkg")["features"]
    assert copied == len(_served(base, "periods", datetime="2015-06-01")) > 0
    assert any("datetime=2015-06-01" in r for r in _requests(log))
    # The cast gives a date column whatever GDAL guesses for `until` (null on every site).
    today = pyogrio.read_info(tmp_path / "sites-today.gpkg")
    types = dict(zip(today["fields"], today["dtypes"], strict=True))
    assert types["until_day"].startswith("datetime64")


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


def _readme_section():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("### OGC API – Features", 1)[1].split("\n### ", 1)[0]


def _readme_curls():
    """Every `curl -G URL --data-urlencode …` example of README.md's OGC API section."""
    examples = []
    for block in re.findall(r"```sh\n(.*?)```", _readme_section(), re.S):
        command = block.replace("\\\n", " ")
        for line in command.splitlines():
            if line.strip().startswith("curl -G"):
                args = shlex.split(line)
                url = args[2]
                params = [tuple(a.split("=", 1)) for a in args[3:] if a != "--data-urlencode"]
                examples.append((url, params))
    return examples


def _attributes(node):
    """The property names a pygeofilter syntax tree refers to."""
    if isinstance(node, ast.Attribute):
        yield node.name
    for child in vars(node).values() if hasattr(node, "__dict__") else ():
        for item in child if isinstance(child, list) else [child]:
            yield from _attributes(item)


def _readme_filters():
    """(collection, params) of every CQL2 example of the README's OGC API section: the
    `curl -G` blocks, the table's `GET …/items?filter=…` and every `code span` of the prose
    that is a CQL2 filter on some collection's queryables (the first such collection)."""
    examples = [
        (url.removeprefix(README_BASE + "/collections/").split("/")[0], dict(params))
        for url, params in _readme_curls()
    ]
    prose = re.sub(r"```.*?```", "", _readme_section(), flags=re.S)
    for span in re.findall(r"`([^`]+)`", prose):
        span = re.sub(r"\s+", " ", span)
        if span.startswith("GET /ogc/collections/") and "filter=" in span:
            path, query = span.removeprefix("GET /ogc/collections/").split("?", 1)
            examples.append((path.split("/")[0], dict(parse_qsl(query))))
            continue
        lang = ogc_cql.JSON if span.startswith("{") else ogc_cql.TEXT
        try:
            names = set(_attributes(ogc_cql.parse(span, lang)))
        except ogc_cql.ParameterError:
            continue
        cid = next((k for k, q in db_cql.QUERYABLES.items() if names <= set(q)), None)
        if cid is not None:
            examples.append((cid, {"filter": span, "filter-lang": lang}))
    return examples


def _conjuncts(node):
    if isinstance(node, ast.And):
        return _conjuncts(node.lhs) + _conjuncts(node.rhs)
    return [node]


def _holds(conjunct, props):
    """Whether a feature's properties plainly satisfy `prop = literal` or `prop IS NULL`
    (None for any other condition: the server's answer is not re-derived here)."""
    if isinstance(conjunct, ast.IsNull) and isinstance(conjunct.lhs, ast.Attribute):
        return (props.get(conjunct.lhs.name) is None) != conjunct.not_
    if isinstance(conjunct, ast.Equal) and isinstance(conjunct.lhs, ast.Attribute):
        value = props.get(conjunct.lhs.name)
        if isinstance(conjunct.rhs, (str, bool, int, float)) and value is not None:
            return conjunct.rhs in value if isinstance(value, list) else conjunct.rhs == value
    return None


def test_every_readme_cql2_example_answers_features(ogc_server):
    """The README's CQL2 examples, as written: each answers some features but not all, and
    those answered satisfy its plain `prop = literal` / `IS NULL` conditions."""
    base, _ = ogc_server
    examples = _readme_filters()
    filters = [params["filter"] for _, params in examples]
    assert len(_readme_curls()) >= 5 and len(examples) >= len(_readme_curls()) + 6
    assert any(params.get("filter-lang") == "cql2-json" for _, params in examples)
    assert "end > DATE('2024-01-01') OR end IS NULL" in filters
    assert "\"actor\" = 'isis' AND \"start\" >= '2015-01-01'" in filters  # the QGIS one
    checked = 0
    for cid, params in examples:
        doc = _fetch(f"{base}/collections/{cid}/items?{urlencode({**params, 'limit': 1})}")
        unfiltered = {k: v for k, v in params.items() if not k.startswith("filter")}
        every = _fetch(f"{base}/collections/{cid}/items?{urlencode({**unfiltered, 'limit': 1})}")
        assert doc["type"] == "FeatureCollection", (cid, params)
        assert 0 < doc["numberMatched"] < every["numberMatched"], (cid, params)
        node = ogc_cql.parse(params["filter"], params.get("filter-lang", ogc_cql.TEXT))
        for feature in _served(base, cid, **params):
            held = [_holds(conjunct, feature["properties"]) for conjunct in _conjuncts(node)]
            assert False not in held, (params, feature)
            checked += held.count(True)
    assert checked > 10  # the plain conditions were really compared, not all skipped


def test_readme_pyogrio_block_runs(ogc_server):
    """The README's pyogrio example, run as written against the live server."""
    base, _ = ogc_server
    code = re.findall(r"```python\n(.*?)```", _readme_section(), re.S)[0]
    scope: dict = {}
    exec(code.replace(README_BASE, base), scope)  # noqa: S102 - the README's own example
    every = {f["id"] for f in _served(base, "periods")}
    assert set(scope["periods"]["id"]) == every
    assert set(scope["in_2015"]["id"]) == _starting(scope["periods"], "2015-01-01", "2015-12-31")
    assert 0 < len(scope["on_a_day"]) < len(every)
    assert set(scope["isis"]["actor"]) == {"isis"} and len(scope["isis"]) < len(every)
    since = scope["recent"]["since"].astype(str)
    assert len(scope["recent"]) and (since >= "2020-01-01").all()
