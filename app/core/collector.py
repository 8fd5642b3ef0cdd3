"""The cyclic garbage collector held off while a bulk of acyclic objects is built."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then turn it back on if it was on.

    Building thousands of plain dicts that outlive the block (an as-of answer's rows)
    otherwise triggers a collection every 700 allocations, and each one promotes the
    new rows towards the oldest generation, whose full sweeps over every cached row
    then cost more than building them. Refcounting frees acyclic objects all the same;
    only cycles made meanwhile, by this thread or another, wait for the next collection.

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
            gc.enable()
