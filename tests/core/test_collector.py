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
