"""Backup and restore: every table to a folder (GeoPackage + JSON) and back, ids included.

A backup folder holds ``data.gpkg`` (one layer per data table; sites and events with
point geometry), ``users.json`` (no password hashes), ``revisions.json`` and, written
last, ``manifest.json`` with the schema revision, row counts and file checksums.

Every table is read in one read-only transaction, so the backup is one instant of the
database even while editors save; the written files are read back and every reference
checked before the backup is put in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import uuid
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    Table,
    func,
    select,
)
from sqlalchemy.exc import DBAPIError

from app.core import clock, private_files, text_rules
from app.db import session_events, snapshot
from app.extensions import db

__all__ = [
    "BackupError",
    "FORMAT",
    "backup",
    "restore",
    "table_rows",
    "NO_PASSWORD",
    "read_manifest",
    "verify",
]

FORMAT = 1
DATA_FILE, MANIFEST = "data.gpkg", "manifest.json"
JSON_FILES = {"user": "users.json", "revision": "revisions.json"}
#: Restored users cannot sign in until an admin sets a new password.
NO_PASSWORD = "!restored-without-password"
_SECRET = {"user": {"password_hash"}}
# Rebuilt by every write (the data version and its change log), so never backed up.
# Sign-in sessions never travel: a restored database starts with everyone signed out.
_SKIP = {"data_version", "data_change", "user_session"}
# Schema revisions that changed none of the tables a backup holds, each with the revision
# before it: a backup taken at one restores into a database at the other.
# 0009 and 0010: the change log of data versions; 0011: SQLite's id counters. Not 0012:
# a backup from before it may hold sources without a ref, which its column refuses.
_SAME_RECORD = {"0009": "0008", "0010": "0009", "0011": "0010"}
_POINTS = {"site", "event"}
_LINKS = {"source": ("url", "archived_url")}


class BackupError(ValueError):
    """A backup cannot be written or restored; the message says why."""


def backup(directory: str | Path) -> dict:
    """Write every table to `directory` (new or empty), verify it; return the manifest.

    The files are written to a hidden sibling folder that is renamed into place only
    once it has been read back and verified, so a failed backup leaves nothing behind.
    """
    directory = Path(directory)
    work = directory.with_name(f".{directory.name}.{uuid.uuid4().hex}.partial")
    try:
        if directory.exists() and any(directory.iterdir()):
            raise BackupError(f"{directory}: folder is not empty; choose a new one")
        return _write_verified(directory, work)
    except OSError as exc:  # a folder that cannot be made, no permission, a full disk
        raise BackupError(f"{directory}: cannot be written: {exc.strerror or exc}") from None


def _write_verified(directory: Path, work: Path) -> dict:
    """Write every table to `work`, verify it and rename it to `directory`."""
    work.parent.mkdir(parents=True, exist_ok=True)
    try:
        # It holds pending proposals, the revision history and the accounts: the folder
        # 0700 and every file in it 0600 whatever the umask, as the database is.
        with private_files.owner_only():
            work.mkdir()
            manifest = _write_all(work)
        try:
            # An unsafe address already stored is kept as it is; restore refuses it.
            verify(work, links=False)
        except BackupError as exc:
            raise BackupError(f"the backup failed its check and was not kept: {exc}") from None
        if directory.exists():
            directory.rmdir()
        work.rename(directory)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _write_all(directory: Path) -> dict:
    """Write the data and the JSON files from one snapshot, and finally the manifest."""
    counts = {}
    with snapshot.connection() as conn:
        revision = snapshot.schema_revision(conn)
        for table in _tables():
            rows = table_rows(table, conn)
            counts[table.name] = len(rows)
            if table.name in JSON_FILES:
                _write_json(directory / JSON_FILES[table.name], rows)
            else:
                _write_layer(directory / DATA_FILE, table, rows)
    manifest = {
        "format": FORMAT,
        "created": _now(),
        "schema_revision": revision,
        "counts": counts,
        "files": _checksums(directory),
    }
    _write_json(directory / MANIFEST, manifest)
    return manifest


def verify(directory: str | Path, links: bool = True) -> dict:
    """Check a backup folder as restore reads it; return its manifest.

    The files must match their checksums and the row counts, and every reference
    (foreign keys and the source/site links of periods and events) must name a row
    the backup holds; with `links`, stored web addresses must be http(s). The database
    is not consulted.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    _read_all(directory, manifest, links)
    return manifest


def restore(directory: str | Path, dry_run: bool = False) -> dict[str, int]:
    """Load a backup into an empty database in one transaction; return row counts.

    With `dry_run`, make every check a restore makes and change nothing.
    """
    directory = Path(directory)
    manifest = _check_manifest(directory)
    _check_empty()
    tables = _read_all(directory, manifest)
    if dry_run:
        db.session.rollback()
        return dict(manifest["counts"])
    try:
        for table in _tables():
            _insert(table, tables[table.name])
        _reset_sequences()
        session_events.bump_data_version(db.session)
        db.session.commit()
    except DBAPIError as exc:
        db.session.rollback()
        raise BackupError(
            f"the backup breaks a rule of the database, nothing was "
            f"restored: {str(exc.orig).splitlines()[0]}"
        ) from None
    except Exception:
        db.session.rollback()
        raise
    return dict(manifest["counts"])


def table_rows(table: Table, conn: Connection | None = None) -> list[dict]:
    """Every row of `table` as JSON-ready values, by primary key, secrets left out."""
    secret = _SECRET.get(table.name, set())
    stmt = select(table).order_by(*table.primary_key.columns)
    return [
        {k: _plain(v) for k, v in row._mapping.items() if k not in secret}
        for row in (conn or db.session).execute(stmt)
    ]


# writing ---------------------------------------------------------------------------
def _tables() -> list[Table]:
    """Every table to back up, parents before children."""
    return [t for t in db.metadata.sorted_tables if t.name not in _SKIP]


def _write_layer(path: Path, table: Table, rows: list[dict]) -> None:
    # Imported here, not at the top: GeoPandas and GDAL cost every web worker ~90 MB,
    # and only backup and restore need them.
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    from shapely.geometry import Point

    frame = pd.DataFrame(rows, columns=[c.name for c in table.columns]).convert_dtypes()
    for column in table.columns:
        if isinstance(column.type, JSON):
            frame[column.name] = [json.dumps(v, ensure_ascii=False) for v in frame[column.name]]
    if table.name in _POINTS:
        geometry = [None if pd.isna(r["lon"]) else Point(r["lon"], r["lat"]) for r in rows]
        frame = gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)
    pyogrio.write_dataframe(frame, path, layer=str(table.name), driver="GPKG")


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _checksums(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.name != MANIFEST
    }


# reading ---------------------------------------------------------------------------
def _check_manifest(directory: Path) -> dict:
    """Read the manifest; the files must be intact and the tables they hold the same."""
    manifest = read_manifest(directory)
    taken, here = manifest.get("schema_revision"), snapshot.schema_revision()
    if here is None:
        raise BackupError(
            "the database has no schema revision (it was never upgraded): run `flask db "
            "upgrade`, then restore"
        )
    if record_schema(taken) != record_schema(here):
        raise BackupError(
            f"backup has schema revision {taken!r}, the database {here!r}; run `flask db "
            "upgrade` to match, or, for a backup older than the database, restore it into a "
            f"database at its revision (`flask db downgrade {taken}`) and upgrade after"
        )
    return manifest


def record_schema(revision: str | None) -> str | None:
    """The oldest schema revision whose backed-up tables are the same as `revision`'s."""
    while revision in _SAME_RECORD:
        revision = _SAME_RECORD[revision]
    return revision


def read_manifest(directory: str | Path) -> dict:
    """Read the manifest; the format must be known and the files unchanged."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory}: no readable {MANIFEST} ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"{MANIFEST}: format {got!r}, expected {FORMAT}")
    if _checksums(directory) != manifest.get("files"):
        raise BackupError(f"{directory}: files are missing or changed since the backup")
    return manifest


def _read_all(directory: Path, manifest: dict, links: bool = True) -> dict[str, list[dict]]:
    """Every table's rows from the files, checked: counts, safe links, references."""
    tables = {}
    for table in _tables():
        try:
            rows = _read_rows(directory, table)
        except (OSError, ValueError, KeyError) as exc:
            raise BackupError(f"{table.name}: cannot be read ({exc})") from None
        expected = manifest["counts"].get(table.name, 0)
        if len(rows) != expected:
            raise BackupError(f"{table.name}: {len(rows)} rows, the manifest says {expected}")
        if links:
            _check_links(table, rows)
        tables[table.name] = rows
    _check_references(tables)
    return tables


def _check_empty() -> None:
    full = [t.name for t in _tables() if db.session.scalar(select(func.count()).select_from(t))]
    if full:
        raise BackupError(
            "restore needs an empty database; these tables hold rows: " + ", ".join(full)
        )


def _read_rows(directory: Path, table: Table) -> list[dict]:
    if table.name in JSON_FILES:
        raw = json.loads((directory / JSON_FILES[table.name]).read_text(encoding="utf-8"))
    else:
        import pyogrio
        from pyogrio.errors import DataLayerError, DataSourceError

        try:
            frame = pyogrio.read_dataframe(
                directory / DATA_FILE, layer=str(table.name), read_geometry=False
            )
        except (DataLayerError, DataSourceError) as exc:
            raise ValueError(str(exc)) from None
        raw = frame.to_dict("records")
    return [{c.name: _typed(c, r.get(c.name)) for c in table.columns if c.name in r} for r in raw]


def _check_links(table: Table, rows: list[dict]) -> None:
    """Stored addresses become links, so each must be http(s) (a tampered backup)."""
    for row in rows:
        for name in _LINKS.get(table.name, ()):
            problem = row.get(name) and text_rules.url_problem(row[name])
            if problem:
                raise BackupError(f"{table.name} {row.get('id')}: {name} {problem}")


def _check_references(tables: dict[str, list[dict]]) -> None:
    """Primary keys are unique and every foreign key names a row of the backup."""
    by_name = {t.name: t for t in _tables()}
    keys: dict[tuple[str, str], set] = {}
    for name, rows in tables.items():
        primary = [c.name for c in by_name[name].primary_key.columns]
        seen = {tuple(r.get(c) for c in primary) for r in rows}
        if len(seen) != len(rows):
            raise BackupError(f"{name}: two rows share a {'/'.join(primary)}")
    for name, rows in tables.items():
        for column in by_name[name].columns:
            for fk in column.foreign_keys:
                target = (fk.column.table.name, fk.column.name)
                if target not in keys:
                    keys[target] = {r.get(target[1]) for r in tables.get(target[0], [])}
                for row in rows:
                    value = row.get(column.name)
                    if value is not None and value not in keys[target]:
                        raise BackupError(
                            f"{name} {_row_label(by_name[name], row)}: {column.name} "
                            f"{value!r} names no {target[0]} in the backup"
                        )


def _row_label(table: Table, row: dict) -> str:
    return ", ".join(f"{c.name} {row.get(c.name)!r}" for c in table.primary_key.columns)


def _insert(table: Table, rows: list[dict]) -> None:
    """Insert rows; self-references (an actor's parent) are filled in a second pass."""
    if not rows:
        return
    own = [c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]
    if table.name == "user":
        rows = [{**r, "password_hash": NO_PASSWORD} for r in rows]
    first = [{**r, **dict.fromkeys(own)} for r in rows]
    db.session.execute(table.insert(), first)
    for r in rows:
        links = {name: r[name] for name in own if r.get(name) is not None}
        if links:
            db.session.execute(table.update().where(table.c.id == r["id"]).values(**links))


def _reset_sequences() -> None:
    """Move each id counter past the restored ids and past every id a revision names: a
    deleted row's id must not be handed out again (its history would join the new row's)."""
    dialect = db.engine.dialect.name
    quote = db.engine.dialect.identifier_preparer.quote
    for table in _tables():
        if not ("id" in table.c and table.c.id.primary_key):
            continue
        name = quote(table.name)
        most = "GREATEST" if dialect == "postgresql" else "max"
        floor = (
            f"{most}(COALESCE((SELECT MAX(id) FROM {name}), 0), COALESCE((SELECT "
            f"MAX(entity_id) FROM revision WHERE entity = '{table.name}'), 0))"
        )
        if dialect == "postgresql":
            db.session.execute(
                db.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"GREATEST(f, 1), f > 0) FROM (SELECT {floor} AS f) AS m"
                )
            )
        elif table.dialect_options["sqlite"]["autoincrement"]:  # see migration 0011
            db.session.execute(
                db.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table.name}
            )
            db.session.execute(
                db.text(f"INSERT INTO sqlite_sequence (name, seq) SELECT :t, {floor}"),
                {"t": table.name},
            )


# values ----------------------------------------------------------------------------
def _plain(value):
    """A JSON-ready form of a column value."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _typed(column, value):
    """Turn a stored text/number back into the column's Python type."""
    import pandas as pd

    if value is None or (not isinstance(value, list | dict) and pd.isna(value)):
        return None
    kind = column.type
    if isinstance(kind, JSON):
        return json.loads(value) if isinstance(value, str) else value
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):
        return float(value)
    return str(value)


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")
