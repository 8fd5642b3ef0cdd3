"""Error answers: what a refused request is told beyond its status."""

import pytest


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/api/sites.geojson", "application/geo+json"),
        ("/ogc/collections/periods/items", "application/geo+json"),
        ("/search", "text/html"),
    ],
)
def test_a_405_says_which_methods_the_path_takes(client, path, accept):
    resp = client.post(path, headers={"Accept": accept})
    assert resp.status_code == 405
    assert {"GET", "HEAD"} <= {m.strip() for m in resp.headers["Allow"].split(",")}
    # The body is still the error page or document, not werkzeug's own.
    assert resp.content_type.startswith("application/json" if "json" in accept else "text/html")
