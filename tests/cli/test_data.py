"""``flask import``: dry run, refusals with line numbers, size limit, large files, far sites,
malformed CSV."""

from sqlalchemy import func, select

from app.db.models import Source
from app.db.session_events import data_version
from app.extensions import db

GOOD = "ref,title,published\nCLI-1,First,2014-06\nCLI-2,Second,2015\n"


def _sources(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Source)), data_version(db.session)


def _run(app, tmp_path, text, *options, name="s.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return app.test_cli_runner().invoke(args=["import", str(path), *options])


def test_dry_run_reports_and_changes_nothing(seeded, tmp_path):
    before = _sources(seeded)
    result = _run(seeded, tmp_path, GOOD, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "sources: 2 to create, 0 to update, 0 unchanged" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert _sources(seeded) == before


def test_import_commits_and_says_so(seeded, tmp_path):
    before, _ = _sources(seeded)
    result = _run(seeded, tmp_path, GOOD)
    assert result.exit_code == 0 and "2 created, 0 updated" in result.output
    assert _sources(seeded)[0] == before + 2


def test_errors_name_lines_and_rules_and_nothing_changes(seeded, tmp_path):
    before = _sources(seeded)
    result = _run(seeded, tmp_path, GOOD + "CLI-3,Third,2015-13\nCLI-1,Again,\n")
    assert result.exit_code == 2
    assert "line 4 (sources): field 'published'" in result.output
    assert "line 5 (sources): 'CLI-1' is also at line 2" in result.output
    assert "2 errors; nothing was imported" in result.output
    assert _sources(seeded) == before


def test_unreadable_files_are_refused(seeded, tmp_path):
    result = _run(seeded, tmp_path, b"ref,title\n\xe9t\xe9,x\n")
    assert result.exit_code == 2 and "line 2, column 1" in result.output


def test_files_over_the_limit_are_refused_before_reading(app, tmp_path):
    app.config["MAX_CONTENT_LENGTH"] = 100
    result = _run(app, tmp_path, GOOD * 10)
    assert result.exit_code == 2 and "over the limit of 100 bytes" in result.output


def test_a_large_file_imports_in_one_go(seeded, tmp_path):
    rows = "".join(f"BULK-{i},Bulk source {i}\n" for i in range(1500))
    result = _run(seeded, tmp_path, "ref,title\n" + rows)
    assert result.exit_code == 0 and "1500 created" in result.output


FAR = "slug,name,country,kind,lon,lat\nfar-post,Far post,SY,town,36.3,33.5\n"


def test_far_sites_need_allow_far(seeded, tmp_path):
    refused = _run(seeded, tmp_path, FAR, name="sites.csv")
    assert refused.exit_code == 2
    assert "error: line 2 (sites): fields 'lon', 'lat': the point is 230.5 km" in refused.output
    assert "--allow-far" in refused.output and "nothing was imported" in refused.output
    done = _run(seeded, tmp_path, FAR, "--allow-far", name="sites.csv")
    assert done.exit_code == 0 and "1 created" in done.output


def test_malformed_csv_is_refused_naming_the_line(seeded, tmp_path):
    before = _sources(seeded)
    result = _run(seeded, tmp_path, GOOD + 'CLI-3,"Never closed\nCLI-4,Swallowed\n')
    assert result.exit_code == 2
    assert "s.csv: line 4: a quoted field opened on this line is never closed" in result.output
    assert _sources(seeded) == before


def test_several_files_are_one_import(seeded, tmp_path):
    """The per-kind downloads, given together in any order, restore an emptied record."""
    client = seeded.test_client()
    kinds = ("events", "status", "periods", "site-records", "sources", "actors", "crossings")
    paths = []
    for kind in kinds:
        path = tmp_path / f"{kind}.csv"
        path.write_bytes(client.get(f"/api/{kind}.csv").data)
        paths.append(str(path))
    before = client.get("/api/export-csv.zip").data
    with seeded.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    result = seeded.test_cli_runner().invoke(args=["import", "--allow-far", *paths])
    assert result.exit_code == 0, result.output
    assert "Imported events.csv, status.csv" in result.output
    assert client.get("/api/export-csv.zip").data == before


def test_import_waits_for_the_write_lock_and_is_refused_after_the_timeout(
    seeded, impatient, lock_held, tmp_path
):
    """An import checks and writes under the editors' write lock; held too long, it gives up."""
    before = _sources(seeded)
    result = _run(impatient, tmp_path, GOOD)
    assert result.exit_code == 2, result.output
    assert "WRITE_LOCK_TIMEOUT" in result.output
    lock_held.rollback()
    assert _sources(seeded) == before


def test_a_dry_run_does_not_wait_for_the_write_lock(seeded, impatient, lock_held, tmp_path):
    result = _run(impatient, tmp_path, GOOD, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "sources: 2 to create" in result.output
