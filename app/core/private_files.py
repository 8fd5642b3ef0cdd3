"""Files and folders only their owner may read: the secret key, the SQLite database, backups
and uploaded import files hold what other users of the machine must not see. Created so
whatever the umask, with no moment when they are readable by others."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["owner_only", "private_dir", "tighten", "write_new"]


@contextlib.contextmanager
def owner_only() -> Iterator[None]:
    """Everything created inside (by this code or a library it calls, such as GDAL) is
    readable by its owner only: files 0600, folders 0700, whatever the umask was."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def private_dir(path: Path) -> None:
    """Create a folder (and any missing parents) readable only by its owner; an existing
    one is kept as it is (`tighten` it if it should be private too)."""
    if not path.exists():
        with owner_only():
            path.mkdir(parents=True, exist_ok=True)


def tighten(path: Path) -> None:
    """Take away group and other permissions from a file or folder this process owns."""
    with contextlib.suppress(OSError):
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            path.chmod(st.st_mode & 0o700)


def write_new(path: Path, data: bytes) -> None:
    """Create `path` 0600 in one step and write `data` to it; FileExistsError if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
