"""How the benchmark runs its peers (bench/peers.py)."""

from __future__ import annotations

import os

import pytest

from bench.peers import beside


def test_beside_runs_the_second_task_in_another_process_at_the_same_time() -> None:
    here, there = beside(lambda: os.getpid(), lambda: os.getpid())
    assert here == os.getpid()
    assert there != os.getpid()


def test_beside_raises_what_the_other_process_raised() -> None:
    def fail() -> None:
        msg = "peer broke"
        raise ValueError(msg)

    with pytest.raises(ValueError, match="peer broke"):
        beside(lambda: 1, fail)
