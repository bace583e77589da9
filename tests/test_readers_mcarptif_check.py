"""The independent MCARPTIF checker: cost recomputed from the file's links, each violation caught."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from routing.readers.mcarptif import McarptifInstance, Step, read_mcarptif
from routing.readers.mcarptif_check import check_routes
from tests.test_readers_mcarptif import TINY, write

# trip {arc 0}, dump at 5, trip {arc 1, edge 3->4}, dump at 5: 10+3+5 + 3+10+8+4+5 + 7
BEST: list[Step] = [
    ("task", 0, False),
    ("dump", 5, False),
    ("task", 1, False),
    ("task", 2, False),
    ("dump", 5, False),
]


@pytest.fixture
def inst(tmp_path: Path) -> McarptifInstance:
    return read_mcarptif(write(tmp_path))


def rules(inst: McarptifInstance, routes: list[list[Step]], **claims: float) -> list[str]:
    return [v.rule for v in check_routes(inst, routes, **claims).violations]  # type: ignore[arg-type]


def test_feasible_route_and_its_cost(inst: McarptifInstance) -> None:
    report = check_routes(inst, [BEST], claimed_cost=55.0, claimed_vehicles=1)
    assert report.ok
    assert (report.cost, report.vehicles, report.dumps, report.route_costs) == (55.0, 1, 2, (55.0,))


def test_edge_either_way_and_two_vehicles(inst: McarptifInstance) -> None:
    # the edge driven 4->3: 5->2->3->4 is 8, then 3->4->5 is 7 to the dump
    reversed_edge: list[Step] = [("task", 2, True), ("dump", 5, False)]
    first: list[Step] = [("task", 0, False), ("task", 1, False), ("dump", 5, False)]
    report = check_routes(inst, [first, reversed_edge], claimed_vehicles=2)
    assert report.ok
    # route 1: 10 + 0 + 10 + 7 + 5 + 7; route 2: 7 (1->2->3->4) + 8 + 7 + 5 + 7
    assert report.route_costs == (39.0, 34.0)
    assert report.cost == 73.0


def test_empty_routes_are_not_vehicles(inst: McarptifInstance) -> None:
    assert check_routes(inst, [BEST, [], [("dump", 5, False)]], claimed_vehicles=1).ok


def test_task_missing_or_served_twice(inst: McarptifInstance) -> None:
    missing = [s for s in BEST if s != ("task", 2, False)]
    assert rules(inst, [missing]) == ["coverage"]
    twice = [*BEST, ("task", 0, False), ("dump", 5, False)]
    got = check_routes(inst, [twice]).violations
    assert [v.rule for v in got] == ["coverage"] and "serviced 2 times" in got[0].message


def test_arc_against_its_direction(inst: McarptifInstance) -> None:
    route = [("task", 0, True), *BEST[1:]]
    assert rules(inst, [route]) == ["direction"]


def test_capacity_between_dumps(inst: McarptifInstance) -> None:
    route: list[Step] = [("task", 0, False), ("task", 1, False), ("task", 2, False)]
    route.append(("dump", 5, False))
    assert rules(inst, [route]) == ["capacity"]


def test_dump_before_the_depot(inst: McarptifInstance) -> None:
    assert rules(inst, [BEST[:-1]]) == ["final_dump"]


def test_dump_at_a_node_that_is_no_dumping_site(inst: McarptifInstance) -> None:
    route = [*BEST[:-1], ("dump", 3, False)]
    assert rules(inst, [route]) == ["dump_site"]


def test_route_duration_limit(inst: McarptifInstance) -> None:
    assert rules(replace(inst, max_trip=54), [BEST]) == ["duration"]
    assert rules(replace(inst, max_trip=55), [BEST]) == []


def test_unknown_task(inst: McarptifInstance) -> None:
    assert rules(inst, [[*BEST, ("task", 7, False)]]) == ["task", "final_dump"]


def test_unreachable_dump(tmp_path: Path) -> None:
    text = TINY.replace("NODES : 5", "NODES : 6").replace(
        "DUMPING_SITES : 5", "DUMPING_SITES : 5,6"
    )
    inst = read_mcarptif(write(tmp_path, text))
    assert rules(inst, [[*BEST[:-1], ("dump", 6, False)]]) == ["unreachable"]


def test_claims_compared_at_1e_6(inst: McarptifInstance) -> None:
    assert rules(inst, [BEST], claimed_cost=55.0 + 5e-7) == []
    assert rules(inst, [BEST], claimed_cost=55.0 + 2e-6) == ["cost"]
    assert rules(inst, [BEST], claimed_vehicles=2) == ["vehicles"]
