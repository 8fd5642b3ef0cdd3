"""As-of index files: a full build written once, read by the machine's other workers.

A full build reads every period of the database (2.5–3 s at 10,000 sites × 50 periods,
on each worker, at each start). After one, the worker writes the index to its
database's file in the instance folder (``asof-index/``, readable by the app's user
only): NumPy's array format and JSON, no pickle, so reading a file runs no code. A
worker that needs a full build first reads that file, and keeps it if the change log
leads from its version to the current one (:mod:`app.db.asof_index` then updates it by
site like any other index); else it builds, one worker at a time: the others wait for
its file rather than build the same index at once. A file from another schema revision
or another layout of the index is ignored.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson
from flask import current_app

from app.db.snapshot import schema_revision

__all__ = ["folder", "read", "write", "building"]

# The layout of a file; a file of another is ignored. Change it with AsOfIndex.to_file.
FORMAT = 3


def folder() -> Path | None:
    """Where this app keeps index files (ASOF_INDEX_FILES), or None when it does not."""
    setting = str(current_app.config.get("ASOF_INDEX_FILES", ""))
    if setting == "off":
        return None
    return Path(setting) if setting else Path(current_app.instance_path) / "asof-index"


def write(where: Path, url: str, arrays: dict[str, np.ndarray], rest: dict) -> Path:
    """Replace the database's file with this index (AsOfIndex.to_file's parts), whole:
    a reader sees the old file or the new one, never a part."""
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(where)
    rest = {**rest, "format": FORMAT, "revision": schema_revision()}
    text = orjson.dumps(rest, option=orjson.OPT_NON_STR_KEYS)
    fd, temporary = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, rest=np.frombuffer(text, dtype=np.uint8), **arrays)
        final = _path(where, url)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return final


def read(where: Path, url: str) -> tuple[dict[str, np.ndarray], dict] | None:
    """The database's file as (arrays, rest), or None when there is none, or it is of
    another layout or schema revision."""
    path = _path(where, url)
    try:
        with np.load(path, allow_pickle=False) as found:
            arrays = {name: found[name] for name in found.files}
    except FileNotFoundError:
        return None
    rest = orjson.loads(arrays.pop("rest").tobytes())
    if rest.get("format") != FORMAT or rest.get("revision") != schema_revision():
        return None
    return arrays, rest


@contextlib.contextmanager
def building(where: Path, url: str) -> Iterator[bool]:
    """Hold the database's build lock: one worker of the machine builds at a time (the
    others wait, then read its file). Yields whether it had to wait for another worker.
    The lock goes with the process if it dies."""
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(_path(where, url).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a folder it cannot write: build all the same, maybe twice
        current_app.logger.warning("as-of index: no build lock in %s", where, exc_info=True)
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waited = False
        except BlockingIOError:  # another worker is building
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        yield waited
    finally:
        os.close(fd)  # releases the lock


def _sweep(where: Path) -> None:
    """Delete what writes cut short left (a worker killed while writing): a write takes
    well under a second, so a partial file an hour old is nobody's."""
    stale = time.time() - 3600
    for partial in where.glob(".*.tmp"):
        with contextlib.suppress(OSError):  # another worker's sweep was first
            if partial.stat().st_mtime < stale:
                partial.unlink()


def _path(where: Path, url: str) -> Path:
    """One file per database, named by a digest of its address (no password in a name)."""
    return where / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}.npz"
