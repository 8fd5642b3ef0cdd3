"""The cyclic garbage collector held off while a bulk of acyclic objects is built."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then move what it made to the
    oldest generation and turn the collector back on, if it was on.

    Building thousands of plain dicts that outlive the block (an as-of answer's rows)
    otherwise triggers a collection every 700 allocations. Even with the collector off
    while they are built, the first young collection after the block sweeps them all
    (about 10 ms for one date's 10,000 rows), and the next one sweeps them again. They
    hold no cycles, so only the full sweeps, which are rarer, need to see them.
    Refcounting frees acyclic objects all the same; cycles made meanwhile, by this
    thread or another, wait for the next full collection.

    >>> import gc
    >>> with paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Another thread may have paused it as well: whoever found it on turns it on.
        if was_on:
            _promote_young()
            gc.enable()


def _promote_young() -> None:
    """Move every young object to the oldest generation without sweeping it.

    freeze() moves every tracked object to the permanent generation (and zeroes the
    youngest generation's count), unfreeze() moves them all into the oldest one. Objects
    someone froze on purpose (a server's preloaded code) stay frozen: then nothing moves.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
