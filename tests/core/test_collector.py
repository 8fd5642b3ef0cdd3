"""The collector pause: off inside the block, as it was after it."""

import gc

import pytest

from app.core import collector


def test_turns_the_collector_back_on_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_leaves_it_off_when_it_was_off():
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_nested_pauses_turn_it_on_once_the_outer_one_ends():
    with collector.paused():
        with collector.paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def _generation_of(obj) -> int:
    return next(g for g in range(3) if any(o is obj for o in gc.get_objects(g)))


def test_what_the_block_made_goes_to_the_oldest_generation():
    gc.collect()
    with collector.paused():
        made = [{"row": n, "sources": ({"ref": "S1"},)} for n in range(1000)]
    assert _generation_of(made) == 2
    assert _generation_of(made[500]) == 2
    assert gc.get_count()[0] < 700  # no young sweep pending over the new rows


def test_cycles_made_in_the_block_are_still_collected():
    class Node:
        pass

    with collector.paused():
        node = Node()
        node.me = node
    del node
    assert gc.collect() >= 1


def test_leaves_objects_frozen_on_purpose_where_they_are():
    kept = [{"frozen": True}]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.paused():
            [{"row": n} for n in range(10)]
        assert gc.get_freeze_count() == frozen
        assert all(kept is not o for o in gc.get_objects(2))
    finally:
        gc.unfreeze()
