"""Give memory back to the system after a request that built something large.

A first request for a date at 10,000 sites builds tens of megabytes of rows, features and
text, then frees them; glibc keeps the freed pages, so without a trim a worker's resident
size only ever grows towards its worst moment plus the caches. Only slow requests (those
that computed an answer) trim: a cached answer is served in a millisecond or two, and a
trim costs a few.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from collections.abc import Callable

from flask import Flask, g

#: A request that ran longer than this built its answer, so it may have left freed pages.
TRIM_AFTER_SECONDS = 0.05


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


_TRIM = _malloc_trim()


def _started() -> None:
    g.memory_started = time.perf_counter()


def _release(_exc: BaseException | None) -> None:
    started = g.get("memory_started")
    if _TRIM is not None and started and time.perf_counter() - started > TRIM_AFTER_SECONDS:
        _TRIM(0)


def init_app(app: Flask) -> None:
    """Time each request, and trim the C heap after the slow ones."""
    app.before_request(_started)
    app.teardown_request(_release)
