"""Slow requests give freed memory back (glibc malloc_trim); fast ones do not pay for it."""

from app.web import memory


def test_a_slow_request_trims_and_a_fast_one_does_not(seeded_client, monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "_TRIM", lambda pad: calls.append(pad) or 1)
    monkeypatch.setattr(memory, "TRIM_AFTER_SECONDS", 3600.0)
    assert seeded_client.get("/api/sites.geojson?date=2015-01-01").status_code == 200
    assert calls == []
    monkeypatch.setattr(memory, "TRIM_AFTER_SECONDS", 0.0)
    assert seeded_client.get("/api/sites.geojson?date=2016-01-01").status_code == 200
    assert calls == [0]


def test_glibc_trim_is_found_on_linux():
    assert memory._TRIM is not None  # CI and the servers run on glibc
