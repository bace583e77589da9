"""The MCARPTIF reader: parsing, errors naming file/line/field, the mapping to the model, a solve."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from routing.readers.mcarptif import (
    Step,
    deadhead_matrix,
    mcarptif_to_model,
    place_dumps,
    read_mcarptif,
    result_to_routes,
    solve_mcarptif,
)
from routing.readers.mcarptif_check import check_routes
from routing.solver.checker import check
from tests.conftest import shared_file

# Depot 1, dumping site 5. Task 0 = arc (1,2), task 1 = arc (2,3), task 2 = edge {3,4}.
# Two trips are needed (17 > 12); the best single route is 55 (see test_solve_tiny_instance).
TINY = """NAME : tiny.dat
NODES : 5
REQ_EDGES : 1
NOREQ_EDGES : 1
REQ_ARCS : 2
NOREQ_ARCS : 3
VEHICLES : 2
CAPACITY : 12
DUMPING_COST : 5
MAX_TRIP : 100
LIST_REQ_ARCS :
(1,2)   serv_cost 10   trav_cost 2   demand 6
(2,3)   serv_cost 10   trav_cost 2   demand 6
LIST_REQ_EDGES :
(3,4)   serv_cost 8   trav_cost 3   demand 5
LIST_NOREQ_ARCS :
(4,5)   cost 4
(5,1)   cost 7
(3,1)   cost 9
LIST_NOREQ_EDGES :
(2,5)   cost 3

DEPOT : 1
DUMPING_SITES : 5
"""


def write(tmp_path: Path, text: str = TINY, *, name: str = "tiny.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_tiny_instance(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path))
    assert inst.name == "tiny"
    assert (inst.nodes, inst.capacity, inst.dump_cost, inst.max_trip) == (5, 12, 5, 100)
    assert (inst.depot, inst.dumping_sites) == (1, (5,))
    assert [(t.u, t.v, t.edge) for t in inst.tasks] == [(1, 2, False), (2, 3, False), (3, 4, True)]
    assert [(t.serv_cost, t.trav_cost, t.demand) for t in inst.tasks][2] == (8, 3, 5)
    assert [t.line for t in inst.tasks] == [12, 13, 15]
    assert [(k.u, k.v, k.cost, k.edge) for k in inst.links] == [
        (4, 5, 4, False),
        (5, 1, 7, False),
        (3, 1, 9, False),
        (2, 5, 3, True),
    ]
    assert inst.total_service == 28
    assert inst.vehicles_lower_bound == 1


def test_crlf_and_sections_in_any_order(tmp_path: Path) -> None:
    lines = TINY.splitlines()
    edges = lines.index("LIST_REQ_EDGES :")
    moved = lines[edges : edges + 2]
    rest = lines[:edges] + lines[edges + 2 :]
    text = "\r\n".join(rest[:10] + moved + rest[10:]) + "\r\n"
    inst = read_mcarptif(write(tmp_path, text))
    assert [(t.u, t.v, t.edge) for t in inst.tasks] == [(1, 2, False), (2, 3, False), (3, 4, True)]


def test_deadhead_on_shortest_paths(tmp_path: Path) -> None:
    d = deadhead_matrix(read_mcarptif(write(tmp_path)))
    assert d[0, 4] == 5  # 1 -> 2 -> 5 (arc then edge)
    assert d[4, 3] == 8  # 5 -> 2 -> 3 -> 4
    assert d[3, 2] == 3  # edge {3,4} backwards at its trav_cost
    assert d[2, 0] == 9  # the direct arc (3,1) beats 3 -> 4 -> 5 -> 1 (14)
    assert d[1, 0] == 10  # 2 -> 5 -> 1 (arc (1,2) is one-way)
    assert np.all(np.diag(d) == 0)


def test_parallel_links_keep_the_cheapest(tmp_path: Path) -> None:
    text = TINY.replace("(5,1)   cost 7", "(5,1)   cost 7\n(5,1)   cost 1\n(5,1)   cost 30")
    d = deadhead_matrix(read_mcarptif(write(tmp_path, text)))
    assert d[4, 0] == 1


def test_unreachable_node_is_inf(tmp_path: Path) -> None:
    d = deadhead_matrix(read_mcarptif(write(tmp_path, TINY.replace("NODES : 5", "NODES : 6"))))
    assert math.isinf(d[0, 5]) and math.isinf(d[5, 0])


def test_model_mapping(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path))
    model = mcarptif_to_model(inst)
    assert [d.location for d in model.depots] == [0]
    assert [(lf.location, lf.unload_s) for lf in model.landfills] == [(4, 5)]
    clients = model.clients
    assert [(c.location, c.end_location, c.reversible) for c in clients] == [
        (0, 1, False),
        (1, 2, False),
        (2, 3, True),
    ]
    assert [(c.service_s, c.demand) for c in clients] == [
        (10, (6.0, 0.0)),
        (10, (6.0, 0.0)),
        (8, (5.0, 0.0)),
    ]
    (vt,) = model.vehicle_types
    assert vt.shift == (0, 100)  # MAX_TRIP bounds the route's duration
    assert vt.capacity[0] == 12 and math.isinf(vt.capacity[1])
    assert (vt.cost_per_km, vt.cost_per_hour) == (0.0, 3600.0)  # cost = duration in seconds
    assert vt.num_available == 4  # 2 * lower bound + 2
    assert model.vehicles_first
    assert model.duration_s is not None and model.duration_s[0, 4] == 5
    assert mcarptif_to_model(inst, num_vehicles=2).vehicle_types[0].num_available == 2


def test_solve_tiny_instance(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path))
    model = mcarptif_to_model(inst)
    result = model.solve(time_limit_s=5, max_iterations=200, seed=1)
    assert not result.unserved
    assert check(model, result) == []
    report = check_routes(
        inst,
        result_to_routes(inst, result),
        claimed_cost=result.cost,
        claimed_vehicles=result.num_vehicles,
    )
    assert report.ok, report.violations
    assert report.vehicles == 1 and report.cost <= 61  # 61: both arcs, dump, the edge, dump


def test_solve_mcarptif_places_dumps_best(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path))
    solution = solve_mcarptif(inst, time_limit_s=5, max_iterations=200, seed=1)
    report = check_routes(
        inst, solution.routes, claimed_cost=solution.cost, claimed_vehicles=solution.vehicles
    )
    assert report.ok, report.violations
    # one truck: trip {arc 0}, dump, trip {arc 1, edge 3->4}, dump: 10+3+5+3+10+8+4+5+7
    assert (report.vehicles, report.cost, report.dumps) == (1, 55.0, 2)
    assert solution.cost <= solution.result.cost


def test_place_dumps_keeps_order_and_capacity(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path))
    late: list[Step] = [("task", 0, False), ("task", 1, False), ("dump", 5, False)]
    late += [("task", 2, False), ("dump", 5, False)]
    cost, steps = place_dumps(inst, late, deadhead_matrix(inst))
    assert cost == 55.0
    assert [s for s in steps if s[0] == "task"] == [s for s in late if s[0] == "task"]
    assert steps[1] == ("dump", 5, False) and steps[-1] == ("dump", 5, False)
    big = replace(inst, capacity=100)  # one trip is best when nothing forces a second dump
    cost, steps = place_dumps(big, late, deadhead_matrix(big))
    assert cost == 10 + 10 + 8 + 4 + 5 + 7 and sum(s[0] == "dump" for s in steps) == 1


def test_tight_max_trip_needs_two_vehicles(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path, TINY.replace("MAX_TRIP : 100", "MAX_TRIP : 40")))
    model = mcarptif_to_model(inst)
    result = model.solve(time_limit_s=5, max_iterations=200, seed=1)
    report = check_routes(inst, result_to_routes(inst, result), claimed_cost=result.cost)
    assert not result.unserved and report.ok, report.violations
    assert report.vehicles == 2
    assert max(report.route_costs) <= 40


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("CAPACITY : 12\n", "", r"tiny\.txt: the header has no CAPACITY line"),
        ("CAPACITY : 12", "CAPACITY : lots", r"tiny\.txt:8: CAPACITY must be a whole number"),
        ("MAX_TRIP : 100", "MAX_TRIP : 0", r"tiny\.txt:10: MAX_TRIP must be positive"),
        ("DUMPING_SITES : 5", "DUMPING_SITES : 5,x", r"tiny\.txt:24: DUMPING_SITES must be"),
        ("(1,2)   serv", "(1, 2)   serv", r"tiny\.txt:12: LIST_REQ_ARCS: the link must be"),
        ("demand 6\n(2,3)", "demand six\n(2,3)", r"tiny\.txt:12: demand must be a whole number"),
        ("trav_cost 3   demand 5", "trav_cost 3", r"tiny\.txt:15: LIST_REQ_EDGES: expected"),
        ("(4,5)   cost 4", "(4,5)   cost -4", r"tiny\.txt:17: cost must be >= 0"),
        ("(3,1)   cost 9", "(3,9)   cost 9", r"tiny\.txt:19: node 9 is outside 1\.\.5"),
        ("DEPOT : 1", "DEPOT 1", r"tiny\.txt:23: expected 'KEY : value'"),
    ],
)
def test_bad_files_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in TINY
    with pytest.raises(ValueError, match=expected):
        read_mcarptif(write(tmp_path, TINY.replace(old, new, 1)))


def test_no_required_task(tmp_path: Path) -> None:
    lines = [ln for ln in TINY.splitlines() if not ln.startswith(("(1,2)", "(2,3)", "(3,4)"))]
    with pytest.raises(ValueError, match="no required arc or edge"):
        read_mcarptif(write(tmp_path, "\n".join(lines)))


def test_real_instances() -> None:
    a01 = read_mcarptif(shared_file("data", "bench", "mcarptif", "Lpr_IF-a-01.txt"))
    assert (a01.name, a01.nodes, len(a01.tasks), a01.capacity) == ("Lpr_IF-a-01", 28, 52, 10000)
    assert (a01.depot, a01.dumping_sites, a01.dump_cost, a01.max_trip) == (1, (14, 28), 300, 28800)
    assert not any(t.edge for t in a01.tasks) and len(a01.links) == 42
    b01 = read_mcarptif(shared_file("data", "bench", "mcarptif", "Lpr_IF-b-01.txt"))
    assert sum(t.edge for t in b01.tasks) == 5 and len(b01.tasks) == 50
    for inst in (a01, b01):
        assert np.isfinite(deadhead_matrix(inst)).all()  # strongly connected networks
