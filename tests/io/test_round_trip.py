"""Lossless round trips: every download imports as it is into an empty database, and
exporting again gives the same bytes (the GeoPackage's change time aside)."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile

import pytest
from sqlalchemy import select

from app.db.models import Actor
from app.extensions import db
from app.io import import_formats, importer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _emptied(app) -> None:
    """Delete every row, as in a new database (PostgreSQL's id sequences go on)."""
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


def _import(app, files: list[tuple[str, bytes]]) -> None:
    with app.app_context():
        rows = import_formats.read_many(files)
        plan = importer.check(rows, geodata_dir=app.config["GEODATA_DIR"], allow_far=True)
        assert plan.ok, plan.errors[:5]
        importer.apply(plan.changes, comment="round trip")


def _get(client, url: str) -> bytes:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.data


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_the_zip_bundle_round_trips_byte_for_byte(seeded, fmt):
    client = seeded.test_client()
    first = _get(client, f"/api/export-{fmt}.zip")
    _emptied(seeded)
    _import(seeded, [("bundle.zip", first)])
    again = _get(client, f"/api/export-{fmt}.zip")
    assert _members(again) == _members(first)
    assert again == first


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _dump(gpkg: bytes, tmp_path, name: str) -> list[str]:
    """The GeoPackage's SQL, its change times blanked (they are the record's own)."""
    path = tmp_path / name
    path.write_bytes(gpkg)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE gpkg_contents SET last_change = ''")
        return list(conn.iterdump())


def test_the_geopackage_round_trips(seeded, tmp_path):
    client = seeded.test_client()
    first = _get(client, "/api/export.gpkg?date=2015-08-01")
    _emptied(seeded)
    _import(seeded, [("atlas.gpkg", first)])
    again = _get(client, "/api/export.gpkg?date=2015-08-01")
    assert _dump(again, tmp_path, "again.gpkg") == _dump(first, tmp_path, "first.gpkg")
    assert len(again) == len(first)


KINDS = ("crossings", "actors", "sources", "site-records", "periods", "status", "events")


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_the_per_kind_files_round_trip_when_imported_together(seeded, fmt):
    client = seeded.test_client()
    first = {k: _get(client, f"/api/{k}.{fmt}") for k in KINDS}
    _emptied(seeded)
    # In any order: the import sorts the kinds so that each comes after what it names.
    _import(seeded, [(f"{k}.{fmt}", first[k]) for k in reversed(KINDS)])
    assert {k: _get(client, f"/api/{k}.{fmt}") for k in KINDS} == first


def _ids(client) -> dict[str, list]:
    """Feature ids of every kind, Atom entry ids and the state's period keys."""
    out = {
        k: [f["id"] for f in client.get(f"/api/{k}.geojson").get_json()["features"]] for k in KINDS
    }
    feed = client.get("/feeds/changes.atom").get_data(as_text=True)
    out["feed"] = sorted(re.findall(r"<id>([^<]+)</id>", feed))
    state = client.get("/api/sites.geojson?date=2015-08-01").get_json()["features"]
    out["held"] = [f["properties"]["period_id"] for f in state]
    out["ogc"] = [
        f["id"]
        for f in client.get("/ogc/collections/periods/items?limit=1000").get_json()["features"]
    ]
    return out


def test_feature_and_feed_ids_survive_the_round_trip(seeded):
    client = seeded.test_client()
    before = _ids(client)
    assert before["periods"][0] == "al-yarubiyah.control.open"
    assert all(i.startswith("tag:") for i in before["feed"])
    bundle = _get(client, "/api/export-csv.zip")
    _emptied(seeded)
    _import(seeded, [("bundle.zip", bundle)])
    assert _ids(client) == before
    key = before["periods"][3]
    assert client.get(f"/ogc/collections/periods/items/{key}").get_json()["id"] == key


DOWNLOADS = [
    "/api/sites.csv?date=2015-08-01",
    "/api/sites.geojson?date=2015-08-01",
    "/api/periods.csv",
    "/api/periods.geojson",
    "/api/periods.csv?site=al-tanf",
    *(f"/api/{k}.{fmt}" for k in KINDS for fmt in ("csv", "geojson")),
    "/api/export.gpkg?date=2015-08-01",
    "/api/export-csv.zip",
    "/api/export-geojson.zip",
]


@pytest.mark.parametrize("url", DOWNLOADS)
def test_every_download_imports_as_it_is_and_changes_nothing(seeded, url):
    client = seeded.test_client()
    data = _get(client, url)
    name = url.split("?")[0].rsplit("/", 1)[1]
    with seeded.app_context():
        rows = import_formats.read(data, name)
        plan = importer.check(rows, geodata_dir=seeded.config["GEODATA_DIR"])
    assert plan.ok, plan.errors[:5]
    actions = {a for counts in plan.counts().values() for a in counts}
    assert actions == {"unchanged"}, plan.counts()


def _periods_csv(client) -> list[dict]:
    text = _get(client, "/api/periods.csv?site=al-tanf").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("start_earliest", "2015-05-22", "field 'start_earliest'"),
        ("start", "2015-05-22", "does not agree with start_edtf"),
        ("actor_name", "Someone else", "field 'actor_name'"),
        ("site_name", "Elsewhere", "field 'site_name'"),
        ("id", "al-tanf.control.1999-01-01", "field 'id'"),
        ("lon", "10.5", "field 'lon'"),
        ("certain_end", "2030-01-01", "field 'certain_end'"),
        ("source_urls", "https://example.org/forged", "field 'source_urls'"),
    ],
)
def test_derived_columns_that_contradict_the_record_are_refused(seeded, column, value, message):
    rows = _periods_csv(seeded.test_client())
    row = next(r for r in rows if r["start_edtf"] == "2015-05-21")
    row[column] = value
    with seeded.app_context():
        plan = importer.check(
            import_formats.read(_as_csv(rows), "p.csv"), geodata_dir=seeded.config["GEODATA_DIR"]
        )
    assert not plan.ok and message in plan.errors[0], plan.errors


def test_derived_columns_may_be_left_out(seeded):
    rows = _periods_csv(seeded.test_client())
    keep = ("site", "actor", "start_edtf", "end_edtf", "confidence", "note", "source_refs")
    bare = [{k: r[k] for k in keep} for r in rows]
    with seeded.app_context():
        plan = importer.check(
            import_formats.read(_as_csv(bare), "p.csv"), geodata_dir=seeded.config["GEODATA_DIR"]
        )
    assert plan.ok and {c.action for c in plan.changes} == {"unchanged"}, plan.errors


def test_a_cited_source_that_contradicts_its_record_is_refused(seeded):
    doc = seeded.test_client().get("/api/periods.geojson?site=al-tanf").get_json()
    doc["features"][0]["properties"]["sources"][0]["title"] = "Another title"
    with seeded.app_context():
        plan = importer.check(
            import_formats.read(json.dumps(doc).encode(), "p.geojson"),
            geodata_dir=seeded.config["GEODATA_DIR"],
        )
    assert not plan.ok and "does not agree with the source's own" in plan.errors[0]


def test_text_a_spreadsheet_would_run_survives_the_csv_round_trip(seeded):
    from app.db.models import Site

    tricky = ["=cmd|' /C calc'!A0", "'=already quoted", "-minus", "'plain quote"]
    with seeded.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "al-tanf"))
        site.name, site.note = tricky[0], tricky[1]
        site.aliases = tricky[2:]
        db.session.commit()
    client = seeded.test_client()
    first = _get(client, "/api/export-csv.zip")
    assert b"'=cmd" in _members(first)[next(n for n in _members(first) if "site-records" in n)]
    _emptied(seeded)
    _import(seeded, [("bundle.zip", first)])
    with seeded.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "al-tanf"))
        assert [site.name, site.note, *site.aliases] == tricky
    assert _get(client, "/api/export-csv.zip") == first


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("date", "2011-03-02", "field 'date': '2011-03-02' does not agree with date_edtf"),
        ("date_latest", "2011-03-30", "field 'date_latest'"),
        ("precision", "day", "field 'precision'"),
        ("id", "another-slug", "field 'id'"),
    ],
)
def test_an_events_derived_date_must_agree(seeded, column, value, message):
    text = _get(seeded.test_client(), "/api/events.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    row = next(r for r in rows if r["date_edtf"] == "2011-03")
    row[column] = value
    with seeded.app_context():
        plan = importer.check(
            import_formats.read(_as_csv(rows), "e.csv"), geodata_dir=seeded.config["GEODATA_DIR"]
        )
    assert not plan.ok and message in plan.errors[0], plan.errors


WHOLE = ("/api/export-csv.zip", "/api/export-geojson.zip", "/api/export.gpkg")
LOGGED = {
    "log-control": {"actor": "kurdistan-region", "date": "2024-12-08"},
    "log-status": {"status": "restricted", "date": "2025-09-01"},
}


def _log_with_a_new_source(app, client, form: str) -> None:
    """Log a change at al-Qa'im citing a source typed into the form (not picked)."""
    url = f"/editor/sites/al-qaim/{form}"
    page = client.get(url).get_data(as_text=True)
    data = {
        "date": LOGGED[form]["date"],
        "confidence": "medium",
        "source_title": "Crossing handed over, Rabi’a and al-Qaʿim",
        "source_url": "https://example.org/handover",
        "version": re.search(r'name="version" type="hidden" value="([^"]*)"', page)[1],
    }
    if form == "log-control":
        with app.app_context():
            data["actor_id"] = db.session.scalar(
                select(Actor.id).where(Actor.slug == LOGGED[form]["actor"])
            )
    else:
        data["status"] = LOGGED[form]["status"]
    resp = client.post(url, data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]


@pytest.mark.parametrize("form", LOGGED)
def test_a_source_typed_into_a_log_form_keeps_every_whole_download_importable(
    seeded, editor_client, form
):
    """The atlas's own downloads cite sources by ref: a typed source gets one from its title."""
    _log_with_a_new_source(seeded, editor_client, form)
    client = seeded.test_client()
    kind = "periods" if form == "log-control" else "status"
    cited = {
        s["ref"]
        for f in client.get(f"/api/{kind}.geojson").get_json()["features"]
        for s in f["properties"]["sources"]
    }
    assert "crossing-handed-over-rabia-and-al-qaim" in cited and None not in cited
    first = {url: _get(client, url) for url in WHOLE}
    for url, data in first.items():  # into the same record: nothing to do
        with seeded.app_context():
            rows = import_formats.read(data, url.rsplit("/", 1)[1])
            plan = importer.check(rows, geodata_dir=seeded.config["GEODATA_DIR"], allow_far=True)
        assert plan.ok, (url, plan.errors[:5])
        assert {a for counts in plan.counts().values() for a in counts} == {"unchanged"}, url
    for url, data in first.items():  # into an empty record: the same record again
        _emptied(seeded)
        _import(seeded, [(url.rsplit("/", 1)[1], data)])
        if url.endswith(".zip"):
            assert _get(client, url) == data
