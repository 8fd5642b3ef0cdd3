"""Per-process caches of computed responses, keyed by the data version and the query, and
bounded in bytes.

Any write bumps the data version (see session_events), so entries from older versions are
simply never asked for again and age out of the LRU. The version is the pair
(counter, time of the last change), so a database that was emptied and refilled never
reuses an old key.

Every cache takes a share of one per-process byte budget (``RESPONSE_CACHE_MB``): an
anonymous client asking for thousands of distinct dates evicts old entries instead of
growing the worker. Sizes are estimates (exact for bytes, sampled for lists of rows).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

DEFAULT_BUDGET = 64 * 2**20
# Long sequences are sized from this many evenly spaced items (sizing every row of
# 10,000 would cost more than the cache saves).
_SAMPLE = 48
_MAX_DEPTH = 8


def approx_size(value: Any, _depth: int = 0) -> int:
    """Estimated bytes held by `value` and what it contains.

    Dict keys are not counted: rows share their column names. An object reached twice is
    counted twice, so values sharing big parts should pass their own `sizeof`.
    """
    size = sys.getsizeof(value)
    if _depth >= _MAX_DEPTH or isinstance(value, str | bytes | bytearray | int | float):
        return size
    if isinstance(value, dict):
        return size + _sampled(list(value.values()), lambda v: approx_size(v, _depth + 1))
    if isinstance(value, list | tuple | set | frozenset):
        return size + _sampled(list(value), lambda v: approx_size(v, _depth + 1))
    fields = getattr(value, "__dict__", None)
    if fields is not None:
        return size + approx_size(fields, _depth + 1)
    slots = getattr(type(value), "__slots__", ())
    if slots:
        return size + sum(approx_size(getattr(value, s, None), _depth + 1) for s in slots)
    return size


def _sampled(items: list, measure: Callable[[Any], int]) -> int:
    if len(items) <= _SAMPLE:
        return sum(measure(v) for v in items)
    step = len(items) / _SAMPLE
    picked = [items[int(i * step)] for i in range(_SAMPLE)]
    return sum(measure(v) for v in picked) * len(items) // _SAMPLE


class VersionedCache:
    """A thread-safe LRU keyed by (data version, key), holding at most `max_bytes`."""

    def __init__(
        self,
        name: str = "cache",
        share: float | None = None,
        max_bytes: int | None = None,
        sizeof: Callable[[Any], int] = approx_size,
    ):
        """`share` of the process budget (set_budget), or a fixed `max_bytes`."""
        self.name, self.share, self.sizeof = name, share, sizeof
        self.max_bytes = max_bytes if max_bytes is not None else int(DEFAULT_BUDGET * (share or 1))
        self._items: OrderedDict[tuple[Hashable, Hashable], tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = 0
        self._too_big: tuple[tuple[Hashable, Hashable], int] | None = None
        if share is not None:
            _CACHES.append(self)

    def get(
        self,
        version: Hashable,
        key: Hashable,
        produce: Callable[[], Any],
        keep: Callable[[Any], bool] | None = None,
    ) -> Any:
        """The cached value for (version, key), computing it with `produce` on a miss.

        `keep(value)` False leaves a computed value out of the cache (error answers).
        """
        found = self._hit((version, key))
        if found is not None:
            return found[0]
        value = produce()  # outside the lock: a slow query must not block other readers
        self.misses += 1
        if keep is None or keep(value):
            self.put(version, key, value)
        return value

    def peek(self, version: Hashable, key: Hashable) -> Any:
        """The cached value for (version, key), or None; nothing is computed on a miss."""
        found = self._hit((version, key))
        return None if found is None else found[0]

    def _hit(self, full: tuple) -> tuple[Any, int] | None:
        """The (value, size) stored under `full`, marked as just used; None on a miss."""
        with self._lock:
            found = self._items.get(full)
            if found is not None:
                self._items.move_to_end(full)
                self.hits += 1
            return found

    def put(self, version: Hashable, key: Hashable, value: Any) -> None:
        """Store a value, evicting the least recently used until the budget holds."""
        full = (version, key)
        if self._too_big == (full, id(value)):
            return  # measured and refused already (the same object asked for again)
        size = self.sizeof(value)
        if size > self.max_bytes:
            self._too_big = (full, id(value))
            return  # bigger than the whole budget: serve it, never keep it
        with self._lock:
            old = self._items.pop(full, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[full] = (value, size)
            self.bytes += size
            self._shrink()

    def _shrink(self) -> None:
        """Evict the least recently used until the budget holds (under the lock)."""
        while self.bytes > self.max_bytes and self._items:
            _, (_, dropped) = self._items.popitem(last=False)
            self.bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        """Forget everything (tests use this)."""
        with self._lock:
            self._items.clear()
            self.bytes = 0


_CACHES: list[VersionedCache] = []
_budget = DEFAULT_BUDGET
_reserved: dict[str, int] = {}
#: However much is reserved, the caches keep at least this part of the budget.
MIN_FREE = 0.5


def set_budget(total_bytes: int) -> None:
    """Give every cache of this process its share of `total_bytes` (RESPONSE_CACHE_MB)."""
    global _budget
    _budget = total_bytes
    _apply()


def reserve(name: str, nbytes: int) -> None:
    """Set `nbytes` of the budget aside for `name` (in place of what it had), shrinking
    every cache's share; the caches keep at least MIN_FREE of the budget."""
    _reserved[name] = nbytes
    _apply()


def _apply() -> None:
    free = max(int(_budget * MIN_FREE), _budget - sum(_reserved.values()))
    for c in _CACHES:
        with c._lock:
            c.max_bytes = int(free * (c.share or 0))
            c._shrink()


def usage() -> dict[str, tuple[int, int, int]]:
    """name -> (entries, bytes held, byte limit) of every cache, for benchmarks."""
    return {c.name: (len(c), c.bytes, c.max_bytes) for c in _CACHES}


# Shares of the budget. Finished responses (API, OGC, feeds; plain and gzip) are the
# cheapest to serve again; the as-of rows feed the map page's table and the downloads;
# map pages are few but large.
responses = VersionedCache("responses", 0.45)
