"""Backups taken while editors save are one instant of the database and restore whole.

A writer thread saves about 20 times a second through the ORM and the importer —
new sites with periods and sources, new sources linked to existing periods, deletions of
both — while `flask backup` runs back to back in its own process, as an operator would run
it next to the serving workers. Afterwards every backup is restored into the emptied
database, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.db.models import ControlPeriod, Site, Source
from app.extensions import db
from app.io import backup, import_formats, importer

ROOT = Path(__file__).resolve().parents[2]
WRITES_PER_SECOND = 20
LOAD_SECONDS = 8
MIN_BACKUPS = 4
# Enough writes that most backups overlap some, however slow the machine is.
MIN_WRITES = 12 * MIN_BACKUPS


class Writer(threading.Thread):
    """Saves through the app until stopped; counts its writes and keeps any error."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stop, self.errors = app, threading.Event(), []
        self.writes, self.counter, self.random = 0, itertools.count(), random.Random(12)
        self.sites: list[str] = []
        self.sources: list[str] = []

    def run(self) -> None:
        with self.app.app_context():
            while not self.stop.is_set():
                began = time.monotonic()
                try:
                    self.write_one()
                    self.writes += 1
                except Exception as exc:  # kept for the test to report
                    db.session.rollback()
                    self.errors.append(repr(exc))
                    return
                finally:
                    db.session.remove()
                time.sleep(max(0.0, 1 / WRITES_PER_SECOND - (time.monotonic() - began)))

    def write_one(self) -> None:
        n = next(self.counter)
        choice = self.random.random()
        # Imports check the whole record and cost ~0.1 s, so they are the rare kind here.
        if choice < 0.05 or not self.sites:
            self.import_site(n)
        elif choice < 0.65 or not self.sources:
            self.link_new_source(n)
        elif choice < 0.8:
            self.delete_site()
        else:
            self.delete_source()

    def import_site(self, n: int) -> None:
        """A new site with two periods citing a new source, through the importer."""
        slug, ref = f"load-{n}", f"LOAD-{n}"
        text = (
            '{"type": "FeatureCollection",'
            f' "sources": [{{"ref": "{ref}", "title": "Load source {n}"}}],'
            ' "features": [{"type": "Feature",'
            f' "geometry": {{"type": "Point", "coordinates": [40.9, {34 + n % 50 / 100}]}},'
            f' "properties": {{"slug": "{slug}", "name": "Load {n}", "country": "SY",'
            ' "kind": "town", "periods": ['
            f'{{"actor": "isis", "start": "2014", "end": "2016", "sources": ["{ref}"]}},'
            f'{{"actor": "iraqi-government", "start": "2016", "sources": ["{ref}"]}}]}}}}]}}'
        )
        plan = importer.check(
            import_formats.read(text.encode(), "load.geojson"),
            geodata_dir=current_app.config["GEODATA_DIR"],
        )
        assert plan.ok, plan.errors
        importer.apply(plan.changes, comment="load")
        self.sites.append(slug)
        self.sources.append(ref)

    def link_new_source(self, n: int) -> None:
        """A new source linked to an existing period: two rows that must travel together."""
        period = self.random.choice(db.session.scalars(select(ControlPeriod)).all())
        source = Source(ref=f"LINK-{n}", title=f"Linked source {n}")
        period.sources.append(source)
        db.session.commit()
        self.sources.append(source.ref)

    def delete_site(self) -> None:
        """A site of the load with its periods and their links."""
        slug = self.sites.pop(self.random.randrange(len(self.sites)))
        db.session.delete(db.session.scalar(select(Site).where(Site.slug == slug)))
        db.session.commit()

    def delete_source(self) -> None:
        """A source of the load, unlinked from every period first."""
        ref = self.sources.pop(self.random.randrange(len(self.sources)))
        source = db.session.scalar(select(Source).where(Source.ref == ref))
        if source is None:  # its site (and so nothing else) went first
            return
        for period in db.session.scalars(
            select(ControlPeriod).where(ControlPeriod.sources.contains(source))
        ):
            period.sources.remove(source)
        db.session.delete(source)
        db.session.commit()


def _empty() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def _flask_backup(url: str, folder: Path) -> dict:
    """Run `flask backup FOLDER` in its own process; it must succeed and verify."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "backup", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "verified" in done.stdout
    return json.loads((folder / backup.MANIFEST).read_text())


def test_backups_under_load_all_restore(seeded, database_url, tmp_path):
    writer = Writer(seeded)
    manifests, folders = [], []
    with seeded.app_context():
        began = time.monotonic()
        writer.start()
        try:
            while (
                time.monotonic() - began < LOAD_SECONDS
                or len(folders) < MIN_BACKUPS
                or writer.writes < MIN_WRITES
            ):
                folder = tmp_path / f"bk-{len(folders)}"
                manifests.append(_flask_backup(database_url, folder))
                folders.append(folder)
                assert not writer.errors, writer.errors
                assert time.monotonic() - began < 300, "the writer stalled"
        finally:
            writer.stop.set()
            writer.join(30)
        elapsed = time.monotonic() - began
        assert not writer.errors, writer.errors
        # The loop runs until the writer has saved MIN_WRITES times, whatever the machine's pace.
        assert writer.writes >= MIN_WRITES
        # The backups really were taken at different moments of a changing record.
        assert len({m["counts"]["control_period_source"] for m in manifests}) > 1

        restored = 0
        for folder, manifest in zip(folders, manifests, strict=True):
            _empty()
            assert backup.restore(folder) == manifest["counts"]
            assert (
                db.session.scalar(select(func.count()).select_from(Source))
                == (manifest["counts"]["source"])
            )
            restored += 1
        assert restored == len(folders) >= MIN_BACKUPS
        print(
            f"\n{db.engine.dialect.name}: {len(folders)} backups taken during {writer.writes} "
            f"writes in {elapsed:.1f} s ({writer.writes / elapsed:.1f}/s); {restored} restored"
        )
