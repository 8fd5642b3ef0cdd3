"""Downloads read by real clients over HTTP: GDAL's /vsicurl/ (byte ranges) and geopandas.

The clients run in a child process: GDAL holds the interpreter lock while it reads, so a
server thread in the same process could never answer it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading

import pytest
from werkzeug.serving import make_server

GDAL_OPTIONS = {
    # Read only the file asked for: no listing of /api/, no copy kept between requests.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_NON_CACHED": "/vsicurl/http://127.0.0.1",
    "GDAL_HTTP_MAX_RETRY": "0",
}


@pytest.fixture
def live_url(seeded):
    """The seeded app served on a free local port for the length of one test."""
    server = make_server("127.0.0.1", 0, seeded, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _client(code: str, **values) -> dict:
    """Run `code` (which sets `out`) in a child Python; its `out` as JSON."""
    script = (
        "import json, warnings\n"
        f"values = json.loads({json.dumps(json.dumps(values))})\n"
        + textwrap.dedent(code)
        + "\nprint(json.dumps(out, default=str))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_gdal_reads_the_geopackage_over_vsicurl_without_a_warning(live_url, seed_data):
    out = _client(
        """
        import pyogrio
        pyogrio.set_gdal_config_options(values["options"])
        path = "/vsicurl/" + values["url"]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any GDAL warning (e.g. the version) fails
            layers = [name for name, _ in pyogrio.list_layers(path)]
            info = pyogrio.read_info(path, layer="periods")
        out = {
            "layers": layers,
            "features": info["features"],
            "types": dict(zip(info["fields"], map(str, info["dtypes"]))),
        }
        """,
        url=f"{live_url}/api/export.gpkg?date=2015-08-01",
        options=GDAL_OPTIONS,
    )
    assert {"sites", "site_records", "periods", "events", "actors", "boundaries"} <= set(
        out["layers"]
    )
    assert out["features"] == len(seed_data["periods"])
    assert out["types"]["start_earliest"] == "datetime64[D]"
    assert out["types"]["start_edtf"] == "object"


def test_geopandas_reads_dates_as_dates_over_vsicurl(live_url, seed_data):
    out = _client(
        """
        import geopandas as gpd
        import pandas as pd
        import pyogrio
        pyogrio.set_gdal_config_options(values["options"])
        periods = gpd.read_file("/vsicurl/" + values["url"], layer="periods")
        days = ["start_earliest", "start_latest", "end_earliest", "end_latest"]
        monthly = periods[periods["start_edtf"].str.fullmatch(r"\\d{4}-\\d{2}", na=False)]
        out = {
            "rows": len(periods),
            "epsg": periods.crs.to_epsg(),
            "dates": [pd.api.types.is_datetime64_any_dtype(periods[c]) for c in days],
            "month": monthly[["start_edtf", "start_earliest", "start_latest"]]
            .head(1)
            .astype(str)
            .to_dict("records"),
        }
        """,
        url=f"{live_url}/api/export.gpkg?date=2015-08-01",
        options=GDAL_OPTIONS,
    )
    assert out["rows"] == len(seed_data["periods"]) and out["epsg"] == 4326
    assert out["dates"] == [True] * 4
    # A month stays a month: its first and its last day, never a chosen day.
    (month,) = out["month"]
    year, mm = month["start_edtf"].split("-")
    assert month["start_earliest"].startswith(f"{year}-{mm}-01")
    assert month["start_latest"][:7] == f"{year}-{mm}" and month["start_latest"][8:10] >= "28"


def test_geopandas_reads_the_geojson_and_csv_downloads(live_url):
    out = _client(
        """
        import geopandas as gpd
        import pandas as pd
        sites = gpd.read_file(values["base"] + "/api/sites.geojson?date=2015-08-01")
        events = pd.read_csv(values["base"] + "/api/events.csv")
        out = {
            "tanf": sites.set_index("slug").loc["al-tanf", "controller"],
            "columns": list(events.columns),
        }
        """,
        base=live_url,
    )
    assert out["tanf"] == "isis"
    assert {"id", "slug", "date_edtf", "date_latest", "lon", "lat"} <= set(out["columns"])


@pytest.mark.skipif(
    not shutil.which("ogrinfo"), reason="GDAL's command-line tools are not installed"
)
def test_ogrinfo_opens_the_geopackage_over_vsicurl_without_a_warning(live_url, seed_data):
    done = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"/vsicurl/{live_url}/api/export.gpkg", "periods"],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, **GDAL_OPTIONS},
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "Warning" not in output and "ERROR" not in output, output
    assert f"Feature Count: {len(seed_data['periods'])}" in output
    assert "start_earliest: Date" in output and "start_edtf: String" in output
