"""Per-process cache of computed responses, keyed by the data version and the query.

Any write bumps the data version (see dbevents), so entries from older versions are
simply never asked for again and age out of the LRU. The version is the pair
(counter, time of the last change), so a database that was emptied and refilled never
reuses an old key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class VersionedCache:
    """A small thread-safe LRU keyed by (data version, key)."""

    def __init__(self, maxsize: int = 512):
        self.maxsize = maxsize
        self._items: OrderedDict[tuple[Hashable, Hashable], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: Hashable, key: Hashable, produce: Callable[[], Any]) -> Any:
        """The cached value for (version, key), computing it with `produce` on a miss."""
        full = (version, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]
        value = produce()  # outside the lock: a slow query must not block other readers
        with self._lock:
            self.misses += 1
            self._items[full] = value
            self._items.move_to_end(full)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (tests use this)."""
        with self._lock:
            self._items.clear()


responses = VersionedCache()
