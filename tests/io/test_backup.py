"""Backup and restore: the round trip loses nothing (ids, links, revisions, users); a backup
is one instant and verified; a dry run changes nothing."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app import create_app
from app.db import revisions
from app.db.models import Actor, ControlPeriod, Proposal, Site, Source, User, Verification
from app.extensions import db
from app.io import backup


def _everything() -> dict:
    return {
        t.name: backup.table_rows(t)
        for t in db.metadata.sorted_tables
        if t.name not in ("data_version", "data_change")
    }


def _empty_database() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def _add_user_and_edit() -> None:
    """A user, a revision by them, a child actor and awkward text."""
    user = User(username="rana", role="editor")
    user.set_password("s3cret-pass")
    db.session.add(user)
    parent = db.session.scalar(select(Actor).where(Actor.slug == "al-qaeda"))
    child = Actor(
        slug="zz-child",
        name="Child «قوات»",
        short="",
        kind="non_state",
        colour="#123456",
        parent=parent,
        note="",
    )
    db.session.add(child)
    site = db.session.scalar(select(Site).where(Site.slug == "al-tanf"))
    before = revisions.snapshot(site)
    site.note = 'Quote " and newline\nand tab\t'
    revisions.record(site, "update", before, user=user, comment="edit")
    # A confirmation and a contributor's proposal: every table of the record travels.
    source = db.session.scalar(select(Source).order_by(Source.id).limit(1))
    db.session.add(Verification(site=site, day=dt.date(2025, 3, 1), source=source, note="seen"))
    db.session.add(
        Proposal(
            user=user,
            kind="actors",
            action="create",
            form=[["name", "Proposed «قوات»"], ["colour", "#123456"]],
            summary="a new actor",
            created_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        )
    )
    db.session.commit()


@pytest.fixture
def backed_up(seeded, tmp_path):
    with seeded.app_context():
        _add_user_and_edit()
        expected = _everything()
        backup.backup(tmp_path / "bk")
    return seeded, tmp_path / "bk", expected


def test_round_trip_loses_nothing(backed_up):
    app, folder, expected = backed_up
    with app.app_context():
        _empty_database()
        backup.restore(folder)
        assert _everything() == expected
        assert expected["revision"] and expected["user"]
        assert expected["verification"] and expected["proposal"]


def test_users_come_back_without_their_password(backed_up):
    app, folder, _ = backed_up
    assert "password_hash" not in (folder / "users.json").read_text()
    with app.app_context():
        _empty_database()
        backup.restore(folder)
        user = db.session.scalar(select(User).where(User.username == "rana"))
        assert user.password_hash == backup.NO_PASSWORD
        assert not user.check_password("s3cret-pass") and not user.check_password("")


def test_new_rows_after_a_restore_get_fresh_ids(backed_up):
    app, folder, expected = backed_up
    with app.app_context():
        _empty_database()
        backup.restore(folder)
        actor = Actor(slug="new-one", name="New", short="N", kind="state", colour="#000000")
        db.session.add(actor)
        db.session.commit()
        assert actor.id > max(r["id"] for r in expected["actor"])


def test_manifest_counts_and_schema(backed_up):
    _, folder, expected = backed_up
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["control_period"] == len(expected["control_period"]) > 0
    assert manifest["schema_revision"] == _head_revision()
    assert set(manifest["files"]) == {"data.gpkg", "users.json", "revisions.json"}


def test_restore_refuses_a_database_with_data(backed_up):
    app, folder, expected = backed_up
    with app.app_context():
        with pytest.raises(backup.BackupError, match="empty database"):
            backup.restore(folder)
        assert _everything() == expected


def test_restore_refuses_a_changed_backup(backed_up):
    app, folder, _ = backed_up
    (folder / "users.json").write_text("[]")
    with app.app_context():
        _empty_database()
        with pytest.raises(backup.BackupError, match="changed"):
            backup.restore(folder)
        assert _everything()["site"] == []


def test_restore_refuses_links_that_are_not_http(planted, tmp_path):
    with planted.app_context():
        backup.backup(tmp_path / "bk")
        _empty_database()
        with pytest.raises(backup.BackupError, match=r"source \d+: url must be an http"):
            backup.restore(tmp_path / "bk")
        assert _everything()["source"] == []


def test_a_hand_made_backup_that_breaks_a_constraint_is_refused_whole(backed_up):
    app, folder, _ = backed_up
    users = json.loads((folder / "users.json").read_text())
    (folder / "users.json").write_text(json.dumps(users + [dict(users[0], id=999)]))
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    manifest["files"] = backup._checksums(folder)
    manifest["counts"]["user"] += 1
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))
    with app.app_context():
        _empty_database()
        with pytest.raises(backup.BackupError, match="breaks a rule of the database"):
            backup.restore(folder)
        assert _everything()["site"] == []


def test_backup_refuses_a_folder_with_files(seeded, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with seeded.app_context(), pytest.raises(backup.BackupError, match="not empty"):
        backup.backup(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_cli_backup_then_restore(seeded, tmp_path):
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "bk")])
    periods = _periods(seeded)
    assert result.exit_code == 0 and f"{periods} control_period" in result.output
    refused = runner.invoke(args=["restore", str(tmp_path / "bk")])
    assert refused.exit_code == 2 and "empty database" in refused.output
    with seeded.app_context():
        _empty_database()
    result = runner.invoke(args=["restore", str(tmp_path / "bk")])
    assert result.exit_code == 0 and "Restored" in result.output


def _head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    root = Path(__file__).resolve().parents[2] / "migrations"
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root))
    return ScriptDirectory.from_config(config).get_current_head()


def _write_meanwhile(after_table: str, monkeypatch):
    """Commit a new source and a link to it from another connection right after the backup
    has read `after_table`: read table by table, the backup would hold the link alone."""
    from sqlalchemy.orm import Session

    from app.db.models import ControlPeriod, Source

    read = backup.table_rows
    done = []

    def reading(table, conn=None):
        rows = read(table, conn)
        if table.name == after_table and not done:
            with Session(db.engine) as other:
                source = Source(ref="MEANWHILE", title="Saved during the backup")
                period = other.scalars(select(ControlPeriod).limit(1)).one()
                period.sources.append(source)
                other.commit()
                done.append(source.id)
        return rows

    monkeypatch.setattr(backup, "table_rows", reading)
    return done


def test_a_backup_is_one_instant_even_while_editors_save(seeded, tmp_path, monkeypatch):
    with seeded.app_context():
        written = _write_meanwhile("source", monkeypatch)
        manifest = backup.backup(tmp_path / "bk")
        assert written  # the write happened, after the sources were read
        sources = json.loads((tmp_path / "bk" / backup.MANIFEST).read_text())["counts"]
        assert sources == manifest["counts"]
        _empty_database()
        backup.restore(tmp_path / "bk")
        assert "MEANWHILE" not in {r["ref"] for r in backup.table_rows(_table("source"))}


def test_a_backup_whose_references_do_not_resolve_is_not_kept(seeded, tmp_path, monkeypatch):
    read = backup.table_rows

    def lose_a_source(table, conn=None):
        rows = read(table, conn)
        return rows[1:] if table.name == "source" else rows

    monkeypatch.setattr(backup, "table_rows", lose_a_source)
    result = seeded.test_cli_runner().invoke(args=["backup", str(tmp_path / "bk")])
    assert result.exit_code == 2
    assert "the backup failed its check and was not kept" in result.output
    assert re.search(r"source_id \d+ names no source in the backup", result.output)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["a-file/inside", "a-file/inside/deeper"])
def test_a_folder_that_cannot_be_made_is_a_clear_refusal(seeded, tmp_path, where):
    """A path through a file: exit 2 with the reason, no traceback."""
    (tmp_path / "a-file").write_text("mine")
    result = seeded.test_cli_runner().invoke(args=["backup", str(tmp_path / where)])
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output and "cannot be written" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_cli_backup_says_it_verified(seeded, tmp_path):
    result = seeded.test_cli_runner().invoke(args=["backup", str(tmp_path / "bk")])
    assert result.exit_code == 0 and "verified: every file read back" in result.output
    assert backup.verify(tmp_path / "bk")["counts"]["control_period"] == _periods(seeded)


def test_restore_dry_run_reports_and_changes_nothing(backed_up, fingerprint):
    app, folder, expected = backed_up
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["restore", "--dry-run", str(folder)])
    assert refused.exit_code == 2 and "empty database" in refused.output
    with app.app_context():
        _empty_database()
    before = fingerprint(app)
    result = runner.invoke(args=["restore", "--dry-run", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"schema {_head_revision()}, the same as the database's" in result.output
    assert re.search(rf"control_period +{len(expected['control_period'])}\n", result.output)
    assert re.search(rf"revision +{len(expected['revision'])}\n", result.output)
    assert "nothing was changed" in result.output
    assert fingerprint(app) == before


def test_restore_dry_run_refuses_a_changed_backup(backed_up):
    app, folder, _ = backed_up
    (folder / "revisions.json").write_text("[]")
    with app.app_context():
        _empty_database()
    result = app.test_cli_runner().invoke(args=["restore", "--dry-run", str(folder)])
    assert result.exit_code == 2 and "changed since the backup" in result.output


def test_restore_refuses_another_schema_revision(backed_up):
    app, folder, _ = backed_up
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    manifest["schema_revision"] = "0001"
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))
    with app.app_context():
        _empty_database()
        with pytest.raises(backup.BackupError, match="schema revision '0001'.*flask db upgrade"):
            backup.restore(folder, dry_run=True)


def test_restore_into_a_database_never_upgraded_says_so(backed_up, tmp_path):
    app, folder, _ = backed_up
    bare = create_app(
        {**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bare.db'}"}
    )
    result = bare.test_cli_runner().invoke(args=["restore", "--dry-run", str(folder)])
    assert result.exit_code == 2
    assert "never upgraded" in result.output and "flask db upgrade" in result.output
    assert "None" not in result.output


def test_a_backup_restores_across_revisions_that_left_its_tables_alone(backed_up):
    app, folder, expected = backed_up
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    assert manifest["schema_revision"] == "0012"  # this test names the revisions before it
    manifest["schema_revision"] = "0011"  # its sources may have no ref, which 0012 refuses
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))
    with app.app_context():
        _empty_database()
        with pytest.raises(backup.BackupError, match="flask db downgrade 0011"):
            backup.restore(folder, dry_run=True)
        downgrade(revision="0011")
    try:
        manifest["schema_revision"] = "0008"  # before the change log of data versions
        (folder / backup.MANIFEST).write_text(json.dumps(manifest))
        result = app.test_cli_runner().invoke(args=["restore", "--dry-run", str(folder)])
        assert result.exit_code == 0, result.output
        assert "schema 0008, the same tables as 0011" in result.output
        with app.app_context():
            backup.restore(folder)
            assert _everything() == expected
        manifest["schema_revision"] = "0007"  # Arabic labels of actors: a column it lacks
        (folder / backup.MANIFEST).write_text(json.dumps(manifest))
        with app.app_context():
            _empty_database()
            with pytest.raises(backup.BackupError, match="flask db downgrade 0007"):
                backup.restore(folder, dry_run=True)
    finally:
        with app.app_context():
            db.session.remove()
            upgrade()  # the database the other tests share


def test_restore_refuses_a_link_to_a_missing_row_before_writing(backed_up):
    app, folder, _ = backed_up
    revisions_ = json.loads((folder / "revisions.json").read_text())
    revisions_[0]["user_id"] = 999_999
    (folder / "revisions.json").write_text(json.dumps(revisions_))
    manifest = json.loads((folder / backup.MANIFEST).read_text())
    manifest["files"] = backup._checksums(folder)
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))
    with app.app_context():
        _empty_database()
        with pytest.raises(backup.BackupError, match="user_id 999999 names no user"):
            backup.restore(folder)
        assert _everything()["site"] == []


def _periods(app) -> int:
    with app.app_context():
        return len(backup.table_rows(_table("control_period")))


def _table(name: str):
    return db.metadata.tables[name]


def test_a_restore_keeps_the_ids_of_deleted_rows_taken(seeded, tmp_path):
    """A period deleted before the backup is named by its revisions: after a restore a new
    period must not take its id (both databases: SQLite's counter, PostgreSQL's sequence)."""
    with seeded.app_context():
        newest = db.session.scalars(select(ControlPeriod).order_by(ControlPeriod.id.desc())).first()
        taken, copy = newest.id, _period_copy(newest)
        db.session.delete(newest)
        revisions.record(newest, "delete", revisions.snapshot(newest))
        db.session.commit()
        backup.backup(tmp_path / "bk")
        _empty_database()
        _new_counters()
        backup.restore(tmp_path / "bk")
        db.session.add(copy)
        db.session.commit()
        assert copy.id > taken


def _new_counters():
    """Id counters as in a new database (emptying the tables keeps them where they were)."""
    if db.engine.dialect.name == "postgresql":
        for name in ("control_period", "revision"):
            db.session.execute(
                db.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), 1, false)")
            )
    else:
        db.session.execute(db.text("DELETE FROM sqlite_sequence"))
    db.session.commit()


def _period_copy(row):
    values = {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs}
    values.pop("id")
    return type(row)(**values)


@pytest.mark.parametrize("empty_folder_first", [False, True])
def test_cli_backup_is_private_whatever_the_umask_and_restores(
    seeded, tmp_path, empty_folder_first
):
    """The backup holds pending proposals, revision history with usernames and the account
    list: its folder 0700 and its files 0600 under a world-readable umask, as the database
    is; restore still reads it."""
    import os
    import stat

    target = tmp_path / "backups" / "2026-11-21"
    if empty_folder_first:
        target.mkdir(parents=True, mode=0o755)
    old = os.umask(0o022)
    try:
        result = seeded.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in target.iterdir())
    assert files == ["data.gpkg", "manifest.json", "revisions.json", "users.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for name in files:
        assert stat.S_IMODE((target / name).stat().st_mode) == 0o600, name
    with seeded.app_context():
        _empty_database()
    restored = seeded.test_cli_runner().invoke(args=["restore", str(target)])
    assert restored.exit_code == 0 and "Restored" in restored.output, restored.output
