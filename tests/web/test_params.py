"""Shared request rules: NUL characters refused everywhere, ids bounded in URLs."""

import pytest

from app.web.params import MAX_ID


@pytest.mark.parametrize(
    "url, name",
    [
        ("/sites/al%00qaim", "'slug'"),
        ("/feeds/sites/%00.atom", "'slug'"),
        ("/api/periods.geojson?site=%00", "'site'"),
        ("/?date=2015-01-01%00", "'date'"),
        ("/ogc/collections/sites/items?bbox=%00", "'bbox'"),
        ("/search?q=a%00", "'q'"),
        ("/api/sites.geojson?%00=1", "parameter '"),
    ],
)
def test_nul_characters_are_400_naming_where(seeded_client, url, name):
    resp = seeded_client.get(url)
    assert resp.status_code == 400
    assert name in resp.get_data(as_text=True).replace("&#39;", "'")
    assert "NUL" in resp.get_data(as_text=True)


def test_nul_in_a_form_field_is_400_before_anything_is_read(seeded, fingerprint):
    before = fingerprint(seeded)
    resp = seeded.test_client().post("/login", data={"username": "ada\x00", "password": "x"})
    assert resp.status_code == 400 and "field &#39;username&#39;" in resp.get_data(as_text=True)
    assert fingerprint(seeded) == before


def test_ids_past_the_database_range_are_not_found(admin_client):
    assert admin_client.get(f"/editor/actors/{MAX_ID}/edit").status_code == 404
    assert admin_client.get(f"/editor/actors/{MAX_ID + 1}/edit").status_code == 404
    assert admin_client.get(f"/history/{10**30}").status_code == 404
