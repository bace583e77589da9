"""How the benchmark runs its peers (bench/peers.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.peers import beside, pyvrp_classic_peer


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


def test_plain_pyvrp_keeps_the_route_length_limit_that_pyvrp_read_drops(tmp_path: Path) -> None:
    # Clients 5 and 10 from the depot on one line: one route runs 20 and serves 6 > 25, so the
    # limit needs two routes (10 + 3 and 20 + 3), as ours plans (tests/test_readers.py).
    path = tmp_path / "dcvrp.vrp"
    text = (
        "NAME : dcvrp\nTYPE : CVRP\nDIMENSION : 3\nCAPACITY : 10\n{extra}"
        "EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n"
        "DEMAND_SECTION\n1 0\n2 4\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    path.write_text(text.format(extra="DISTANCE : 25\nSERVICE_TIME : 3\n"))
    dist, routes, _ = pyvrp_classic_peer(str(path), round_func="round", time_limit_s=0.5)
    assert (dist, routes) == (30.0, 2)
    path.write_text(text.format(extra="SERVICE_TIME : 3\n"))
    dist, routes, _ = pyvrp_classic_peer(str(path), round_func="round", time_limit_s=0.5)
    assert (dist, routes) == (20.0, 1)
