"""Stored values no form accepts (`planted`: markup, control characters, spreadsheet
formulas, script addresses) stay inert in the downloads and the OGC HTML pages.

Kept apart from tests/web/test_api.py and tests/ogc/test_routes.py, whose tests only read
the seed loaded once per module (`read_only_seeded`): these change the record.
"""

import io

import pandas as pd
import pytest


def test_csv_cells_cannot_start_a_spreadsheet_formula(planted):
    client = planted.test_client()
    sites = pd.read_csv(io.BytesIO(client.get("/api/sites.csv?date=2020-01-01").data))
    qaim = sites.set_index("slug").loc["al-qaim"]
    assert qaim["name"] == "'=cmd|' /C calc'!A0"
    periods = pd.read_csv(io.BytesIO(client.get("/api/periods.csv?site=al-qaim").data))
    assert set(periods["site_name"]) == {"'=cmd|' /C calc'!A0"}
    cells = [str(v) for v in [*sites.to_numpy().ravel(), *periods.to_numpy().ravel()]]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert sites["lon"].dtype.kind == "f"  # numbers are left alone


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/sites/items?f=html&datetime=2020-01-01",
        "/ogc/collections/sites/items/al-qaim?f=html",
        "/ogc/collections/periods/items?f=html&limit=10000",
    ],
)
def test_html_pages_escape_stored_text(planted, url):
    html = planted.test_client().get(url).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html and "<script>" not in html
    assert "javascript:" not in html.split("<nav>")[-1]
