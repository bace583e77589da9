"""The independent checker of Kim et al. (2006) solutions (routing/readers/kim_check.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from routing.readers import check_kim_solution, kim_solution_summary, read_kim
from routing.readers.kim import KimInstance
from routing.solver.checker import check
from tests.conftest import shared_file

# --- Kim JSON solutions on a tiny file ---------------------------------------------------------

TINY = (
    "200.0 \t\t// vehicle capacity (yards), real number\r\n"
    "400.0\t\t// total yardage allowed for a vehicle per day, real number\r\n"
    "3\t\t// total number of regular stops\r\n"
    "3600\t\t// lunch time duration in second\r\n"
    "40\t\t// speed: MPH\r\n"
    'Stop_ID\tX(feet)\tY(feet)\tEarly\tLate\tService\tLoad\t"Stop_Type(0: Depot, 1: regular stop)"\r\n'
    "0  0 0 0400 1500 0 9999.00 0\r\n"
    "1  5280 0 0000 2400 600 9999.00 2\r\n"
    "2  1000 0 0000 2400 60 100.00 1\r\n"
    "3  2000 0 0000 2400 60 150.00 1\r\n"
)


@pytest.fixture
def tiny(tmp_path: Path) -> KimInstance:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY, newline="")
    return read_kim(path)


def kim_route(nodes: list[int], after: int | None = 4, start: int | None = 39600) -> dict[str, Any]:
    return {
        "instance": "tiny",
        "solver": "hand",
        "routes": [{"nodes": nodes, "lunch_after_index": after, "lunch_start": start}],
    }


def kim_rules(inst: KimInstance, sol: dict[str, Any]) -> set[str]:
    return {v.rule for v in check_kim_solution(inst, sol)}


def test_check_kim_accepts_a_valid_solution(tiny: KimInstance) -> None:
    sol = kim_route([0, 2, 1, 3, 1, 0])
    assert check_kim_solution(tiny, sol) == []
    summary = kim_solution_summary(tiny, sol)
    assert summary.vehicles == 1 and summary.stops_served == 2
    # 1000 + 4280 + 3280 + 3280 + 5280 feet
    assert summary.miles == pytest.approx(17120 / 5280)


def test_check_kim_rejects_a_missing_final_dump(tiny: KimInstance) -> None:
    assert kim_rules(tiny, kim_route([0, 2, 1, 3, 0], after=3)) == {"final_dump"}


def test_check_kim_rejects_a_lunch_outside_11_to_12(tiny: KimInstance) -> None:
    assert kim_rules(tiny, kim_route([0, 2, 1, 3, 1, 0], start=36000)) == {"lunch"}
    assert kim_rules(tiny, kim_route([0, 2, 1, 3, 1, 0], start=43260)) == {"lunch"}
    # No lunch at all: fine only when the route is back at the depot before 11:00.
    assert kim_rules(tiny, kim_route([0, 2, 1, 3, 1, 0], after=None, start=None)) == set()
    late = _tiny_from(TINY.replace("0  0 0 0400 1500", "0  0 0 1050 1500"), tiny)
    assert kim_rules(late, kim_route([0, 2, 1, 3, 1, 0], after=None, start=None)) == {"lunch"}


def test_check_kim_rejects_an_over_capacity_trip(tiny: KimInstance) -> None:
    assert kim_rules(tiny, kim_route([0, 2, 3, 1, 0], after=3)) == {"capacity"}


def test_check_kim_rejects_daily_stops_windows_and_coverage(tiny: KimInstance) -> None:
    assert "coverage" in kim_rules(tiny, kim_route([0, 2, 1, 0], after=2))
    assert "coverage" in kim_rules(tiny, kim_route([0, 2, 1, 2, 1, 3, 1, 0], after=6))
    assert "index" in kim_rules(tiny, kim_route([0, 2, 1, 99, 1, 0]))
    late = TINY.replace("3  2000 0 0000 2400", "3  2000 0 0000 0400")
    inst = _tiny_from(late, tiny)
    assert kim_rules(inst, kim_route([0, 2, 1, 3, 1, 0])) == {"time_window"}


def _tiny_from(text: str, like: KimInstance) -> KimInstance:
    path = like.path.with_name("tiny2.txt")
    path.write_text(text, newline="")
    inst = read_kim(path)
    inst.name = "tiny"
    return inst


def test_check_kim_rejects_a_lunch_before_the_vehicle_is_free(tiny: KimInstance) -> None:
    text = TINY.replace("0  0 0 0400 1500", "0  0 0 1050 1500")
    inst = _tiny_from(text, tiny)
    # Leaves 10:50, at stop 2 by ~10:50:17 plus 60 s service, at the landfill ~10:52, busy 600 s.
    assert kim_rules(inst, kim_route([0, 2, 1, 3, 1, 0], after=2, start=39600)) == {"lunch"}
    assert kim_rules(inst, kim_route([0, 2, 1, 3, 1, 0], after=2, start=40000)) == set()


def test_check_kim_accepts_a_real_102_stop_route_file_format(tmp_path: Path) -> None:
    inst = read_kim(shared_file("data", "bench", "wcvrptw", "102_stop.txt"))
    sol = {"routes": [{"nodes": [0, 3, 1, 0], "lunch_after_index": 1, "lunch_start": 40000}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(sol))
    found = check_kim_solution(inst, path)
    assert {v.rule for v in found} == {"coverage"}
    assert sum(v.rule == "coverage" for v in found) == 98


def test_check_kim_accepts_a_pyvrp_peer_solution_on_102_stop() -> None:
    from bench.peers import pyvrp_peer

    inst = read_kim(shared_file("data", "bench", "wcvrptw", "102_stop.txt"))
    run = pyvrp_peer(inst, time_limit_s=3.0, seed=1)
    assert run.solution is not None
    assert check_kim_solution(inst, run.solution) == []
    summary = kim_solution_summary(inst, run.solution)
    assert summary.stops_served == 99
    assert summary.vehicles >= inst.vehicles_lower_bound
    # Every route with its lunch placed keeps the 11:00-12:00 start.
    for route in run.solution["routes"]:
        if route["lunch_start"] is not None:
            assert 39600 <= route["lunch_start"] <= 43200


def test_check_accepts_the_engine_plan_on_102_stop() -> None:
    from bench.solver import result_to_kim_json
    from routing.readers import kim_to_model

    inst = read_kim(shared_file("data", "bench", "wcvrptw", "102_stop.txt"))
    model = kim_to_model(inst)
    result = model.solve(time_limit_s=5.0, seed=1, workers=1)
    assert check(model, result) == []
    served = {c for r in result.routes for c in r.clients}
    solution = result_to_kim_json(inst, model, result, "taza-routing")
    found = check_kim_solution(inst, solution)
    # The only Kim-rule complaints allowed are the clients the engine says it left out.
    assert all(v.rule == "coverage" for v in found)
    assert len(found) == len(model.clients) - len(served) == len(result.unserved)


def test_check_kim_rejects_a_lunch_a_millisecond_before_the_vehicle_is_free(
    tiny: KimInstance,
) -> None:
    text = TINY.replace("0  0 0 0400 1500", "0  0 0 1050 1500")
    inst = _tiny_from(text, tiny)
    sol = kim_route([0, 2, 1, 3, 1, 0], after=2, start=40000)
    free = _free_at(inst, sol)
    sol["routes"][0]["lunch_start"] = free - 1e-3
    assert kim_rules(inst, sol) == {"lunch"}
    sol["routes"][0]["lunch_start"] = free
    assert kim_rules(inst, sol) == set()


def _free_at(inst: KimInstance, sol: dict[str, Any]) -> float:
    """When the vehicle is done at the node the lunch follows (earliest schedule)."""
    route = sol["routes"][0]
    rows = [inst.row_of(s) for s in route["nodes"]]
    t = float(inst.early[inst.depot])
    for p in range(1, route["lunch_after_index"] + 1):
        t += inst.travel_s(rows[p - 1], rows[p])
        t = max(t, float(inst.early[rows[p]])) + float(inst.service[rows[p]])
    return t


def test_our_solution_files_write_the_lunch_unrounded() -> None:
    from bench.solver import result_to_kim_json
    from routing.readers import kim_to_model

    inst = read_kim(shared_file("data", "bench", "wcvrptw", "102_stop.txt"))
    model = kim_to_model(inst)
    result = model.solve(time_limit_s=5.0, seed=1, max_iterations=200)
    solution = result_to_kim_json(inst, model, result, "taza-routing")
    starts = [v.arrival_s for r in result.routes for v in r.visits if v.kind == "lunch"]
    written = [r["lunch_start"] for r in solution["routes"] if r["lunch_start"] is not None]
    assert written == [max(s, 39600) for s in starts]
    assert check_kim_solution(inst, json.loads(json.dumps(solution))) == []


def test_place_lunch_takes_the_latest_free_node_before_noon(tiny: KimInstance) -> None:
    from bench.peers import place_lunch, to_solution

    late = _tiny_from(TINY.replace("0  0 0 0400 1500", "0  0 0 1050 1500"), tiny)
    rows = [late.row_of(s) for s in (0, 2, 1, 3, 1, 0)]
    after, start = place_lunch(late, rows)
    assert after is not None and start is not None
    assert 39600 <= start <= 43200
    assert check_kim_solution(late, to_solution(late, "x", [rows])) == []
    # A route back before 11:00 takes no lunch.
    assert place_lunch(tiny, [tiny.row_of(s) for s in (0, 2, 1, 3, 1, 0)]) == (None, None)
