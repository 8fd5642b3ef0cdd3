"""As-of index files: a full build written once, private, read by the next worker instead
of building again when the change log leads from it, ignored when it does not or cannot
be read, and built by one worker at a time."""

import datetime as dt
import os
import stat
import threading
import time

import pytest
from sqlalchemy import update

from app.db import asof_files, asof_index, queries
from app.db.models import ControlPeriod, Site
from app.db.session_events import data_version
from app.extensions import db

D = dt.date
DAYS = [D(1990, 1, 1), D(2014, 6, 1), D(2015, 5, 21), D(2015, 8, 1), D(2017, 11, 3)]


@pytest.fixture
def files(app, contract_client, tmp_path):
    """The folder of index files every worker made by worker() shares."""
    with app.app_context():
        asof_index.forget()
    return tmp_path / "asof-index"


@pytest.fixture
def worker(app_variant, files):
    """worker() -> a new app on the same database, as another worker process would be:
    its own indexes, building in the background, with the shared folder of files."""
    return lambda: app_variant(ASOF_INDEX="background", ASOF_INDEX_FILES=str(files))


@pytest.fixture
def builds(monkeypatch):
    """The full builds that read the database (not a file), as they start."""
    started: list[tuple] = []
    real = asof_index.AsOfIndex.load.__func__

    def load(cls, version):
        started.append(version)
        return real(cls, version)

    monkeypatch.setattr(asof_index.AsOfIndex, "load", classmethod(load))
    return started


def _ready() -> asof_index.AsOfIndex:
    """This worker's index of the current version, once its background work is done."""
    version = data_version(db.session)
    if asof_index.index_for(version) is None:
        asof_index.wait()
    index = asof_index.index_for(data_version(db.session))
    assert index is not None
    return index


def _answers_agree(index: asof_index.AsOfIndex) -> None:
    for day in DAYS:
        assert index.rows(day) == queries.compute_state_at(day), day


def _edit_one_site() -> int:
    site = db.session.scalars(db.select(Site).where(Site.slug == "al-tanf")).one()
    site.control_periods[0].note = "edited after the file"
    db.session.commit()
    return site.id


def test_a_full_build_read_back_from_its_file_answers_the_same(app, files):
    with app.app_context():
        built = asof_index.AsOfIndex.load(("db", *data_version(db.session)))
        path = asof_files.write(files, "sqlite:///x", *built.to_file())
        arrays, rest = asof_files.read(files, "sqlite:///x")
        index = asof_index.AsOfIndex.from_file("db", arrays, rest)
        assert index.version == built.version and index.sites == built.sites
        assert list(index.source_sets) == list(built.source_sets) and index.actors == built.actors
        _answers_agree(index)
    # Private to the app's user: the record's contents, named by a digest of the address.
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "sqlite" not in path.name and [p.name for p in files.glob("*.tmp")] == []


def test_the_next_worker_reads_the_first_ones_file_instead_of_building(worker, builds, files):
    with worker().app_context():
        first = _ready()
    assert len(builds) == 1 and len(list(files.glob("*.npz"))) == 1
    with worker().app_context():
        second = _ready()
        assert len(builds) == 1  # read, not built
        assert second.version[1:] == first.version[1:] and second is not first
        _answers_agree(second)


def test_a_file_behind_the_log_is_brought_up_to_date_by_site(worker, builds):
    with worker().app_context():
        _ready()
        edited = _edit_one_site()  # after the file was written
    with worker().app_context():
        index = _ready()
        assert len(builds) == 1 and set(index.overlay) == {edited}
        _answers_agree(index)


def test_a_source_retitled_after_the_file_is_patched_where_it_is_cited(worker, builds):
    with worker().app_context():
        _ready()
    with worker().app_context():
        _ready()  # read from the first worker's file
        cited = ControlPeriod.sources.any()
        period = db.session.scalars(db.select(ControlPeriod).where(cited)).first()
        period.sources[0].title = "Retitled after the file"
        db.session.commit()
        index = _ready()
        assert len(builds) == 1 and not index.overlay  # patched: no site reloaded
        assert any(s["title"] == "Retitled after the file" for c in index.source_sets for s in c)
        _answers_agree(index)


def test_a_file_the_log_cannot_lead_from_is_built_over(worker, builds, files):
    with worker().app_context():
        _ready()
        written = next(files.glob("*.npz")).stat().st_mtime_ns
        db.session.execute(update(ControlPeriod).values(note="bulk"))  # any site may change
        db.session.commit()
    with worker().app_context():
        _answers_agree(_ready())
    assert len(builds) == 2 and next(files.glob("*.npz")).stat().st_mtime_ns > written


@pytest.mark.parametrize("damage", ["another layout", "garbage"])
def test_a_file_of_another_layout_or_unreadable_is_built_over(
    worker, builds, files, monkeypatch, damage
):
    with worker().app_context():
        _ready()
    path = next(files.glob("*.npz"))
    if damage == "garbage":
        path.write_bytes(b"not an index")
    else:
        monkeypatch.setattr(asof_files, "FORMAT", asof_files.FORMAT + 1)
    with worker().app_context():
        _answers_agree(_ready())
        assert len(builds) == 2
        assert asof_files.read(files, db.engine.url.render_as_string(hide_password=True))


def test_one_worker_builds_at_a_time_the_others_read_its_file(worker, builds, files):
    first, second = worker(), worker()
    with first.app_context():
        url = db.engine.url.render_as_string(hide_password=True)
        with asof_files.building(files, url):  # the first worker is building
            with second.app_context():
                assert asof_index.index_for(data_version(db.session)) is None
                waiting = next(t for t in threading.enumerate() if t.name == "asof-index-build")
                waiting.join(0.5)
                assert waiting.is_alive() and builds == []  # waits for the lock
            index = asof_index.AsOfIndex.load((("db", 0), *data_version(db.session)))
            asof_files.write(files, url, *index.to_file())
    with second.app_context():
        _answers_agree(_ready())
    assert len(builds) == 1  # the one written above; the second worker read it


def test_a_folder_it_cannot_write_leaves_the_index_built_all_the_same(app_variant, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    variant = app_variant(ASOF_INDEX="background", ASOF_INDEX_FILES=str(blocked / "asof-index"))
    with variant.app_context():
        _answers_agree(_ready())


def test_a_file_too_many_sites_behind_is_built_over(worker, builds, monkeypatch):
    # A full build that compacts an index with many reloaded sites must not start again
    # from a file that leaves as many to reload.
    monkeypatch.setattr(asof_index, "_FILE_BEHIND", 0)
    with worker().app_context():
        _ready()
        _edit_one_site()
    with worker().app_context():
        index = _ready()
        assert len(builds) == 2 and not index.overlay
        _answers_agree(index)


def test_a_write_sweeps_away_what_a_killed_writer_left(app, files):
    files.mkdir(mode=0o700)
    old, recent = files / ".cut-short.tmp", files / ".being-written.tmp"
    for partial in (old, recent):
        partial.write_bytes(b"part of an index")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    with app.app_context():
        built = asof_index.AsOfIndex.load(("db", *data_version(db.session)))
        asof_files.write(files, "sqlite:///x", *built.to_file())
    assert not old.exists() and recent.exists()  # another worker may be writing that one
