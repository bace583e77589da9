"""Readers of the benchmark files: Kim et al. (2006), VRPLIB CVRP/VRPTW, Solomon."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from routing.errors import InputError
from routing.readers import (
    kim_to_model,
    read_kim,
    read_solomon,
    read_vrplib,
    read_vrplib_solution,
    solution_distance,
    vrplib_problem,
)
from routing.readers.kim import M3_PER_YD3, hhmm_to_seconds
from routing.solver.checker import check
from tests.conftest import shared_file

# file: (stops, landfills, trip capacity, daily yardage, depot open, depot close) from the README
KIM = {
    "102_stop": (99, 2, 280, 400, "0400", "1500"),
    "277_stop": (275, 1, 200, 2200, "0800", "1700"),
    "444_stop": (442, 1, 200, 400, "0800", "1700"),
    "804_stop": (784, 19, 280, 10000, "0400", "1500"),
    "1051_stop": (1048, 2, 200, 800, "0400", "1700"),
    "1599_stop": (1596, 2, 280, 800, "0400", "1500"),
    "2100_stop": (2092, 7, 462, 2000, "0400", "1500"),
}


@pytest.mark.parametrize("name", sorted(KIM))
def test_read_kim_matches_the_readme_table(name: str) -> None:
    inst = read_kim(shared_file("data", "bench", "wcvrptw", f"{name}.txt"))
    stops, landfills, cap, daily, open_, close = KIM[name]
    assert len(inst.stops) == stops
    assert len(inst.landfills) == landfills
    assert len(inst.ids) == stops + landfills + 1
    assert (inst.capacity_yd3, inst.max_daily_yd3) == (cap, daily)
    assert (inst.max_stops, inst.lunch_s, inst.speed_mph) == (500, 3600, 40)
    d = inst.depot
    assert (inst.early[d], inst.late[d]) == (hhmm_to_seconds(open_), hhmm_to_seconds(close))


def test_read_kim_gives_the_readme_distance_and_time_of_102_stop() -> None:
    inst = read_kim(shared_file("data", "bench", "wcvrptw", "102_stop.txt"))
    assert inst.name == "102_stop"
    assert inst.distance_ft(0, 1) == 15387
    assert inst.distance_ft(0, 1) / 5280 == pytest.approx(2.914, abs=5e-4)
    assert inst.travel_s(0, 1) == pytest.approx(262.3, abs=0.05)
    # Row 3 of the file: "3 1208344.00 3469904.00 0700 2400 180 12.00 1"
    r = inst.row_of(3)
    assert (inst.x[r], inst.y[r], inst.early[r], inst.late[r]) == (1208344, 3469904, 25200, 86400)
    assert (inst.service[r], inst.load[r], inst.type[r]) == (180, 12, 1)


def test_kim_to_model_converts_units_and_builds_the_fleet_rules() -> None:
    inst = read_kim(shared_file("data", "bench", "wcvrptw", "102_stop.txt"))
    model = kim_to_model(inst)
    assert model.duration_s is not None and model.distance_m is not None
    assert model.duration_s[0, 1] == pytest.approx(262.278, abs=1e-3)
    assert model.distance_m[0, 1] == pytest.approx(15387 * 0.3048)
    assert len(model.clients) == 99 and len(model.landfills) == 2 and len(model.depots) == 1
    assert model.depots[0].tw == (4 * 3600, 15 * 3600)
    assert [lf.unload_s for lf in model.landfills] == [1600, 1600]
    first = model.clients[0]
    assert first.name == "3" and first.demand == (0.0, pytest.approx(12 * M3_PER_YD3))
    vt = model.vehicle_types[0]
    assert vt.capacity[1] == pytest.approx(280 * M3_PER_YD3) and math.isinf(vt.capacity[0])
    assert vt.max_load_per_day[1] == pytest.approx(400 * M3_PER_YD3)
    assert vt.max_stops == 500 and vt.shift == (4 * 3600, 15 * 3600)
    assert (
        vt.lunch is not None and vt.lunch.window == (39600, 43200) and vt.lunch.duration_s == 3600
    )
    assert vt.num_available >= inst.vehicles_lower_bound == 3
    model.validate()


def test_read_kim_reads_tab_separated_quoted_headers_and_odd_times() -> None:
    inst = read_kim(shared_file("data", "bench", "wcvrptw", "444_stop.txt"))
    assert inst.capacity_yd3 == 200 and inst.early[inst.depot] == 8 * 3600
    big = read_kim(shared_file("data", "bench", "wcvrptw", "2100_stop.txt"))
    # "1675" on a landfill row: minutes past 59 are carried into the hour (17:15).
    assert big.late[big.row_of(2)] == 17 * 3600 + 15 * 60


def test_read_kim_names_file_and_line_on_bad_rows(tmp_path: Path) -> None:
    good = "280\r\n400\r\n500\r\n3600\r\n40\r\nStop_ID\tX\tY\r\n0 0 0 0400 1500 0 9999 0\r\n"
    path = tmp_path / "bad.txt"
    path.write_text(good + "1 10 10 0000 2400 60 abc 1\r\n", newline="")
    with pytest.raises(ValueError, match=r"bad\.txt:8"):
        read_kim(path)
    path.write_text(good + "2 10 10 0000 2400 60 5 7\r\n", newline="")
    with pytest.raises(ValueError, match=r"bad\.txt:8: Type"):
        read_kim(path)
    path.write_text(good.replace("0 0 0 0400 1500 0 9999 0", "0 0 0 0400 1500 0 9999 1"))
    with pytest.raises(ValueError, match="exactly one depot"):
        read_kim(path)
    path.write_text("280\nx\n500\n3600\n40\nStop_ID\n0 0 0 0400 1500 0 9999 0\n")
    with pytest.raises(ValueError, match=r"bad\.txt:2: expected the daily yardage"):
        read_kim(path)


def test_kim_to_model_needs_a_landfill(tmp_path: Path) -> None:
    path = tmp_path / "nolandfill.txt"
    path.write_text(
        "280\n400\n500\n3600\n40\nStop_ID\n0 0 0 0400 1500 0 9999 0\n1 5 5 0 2400 6 3 1\n"
    )
    with pytest.raises(ValueError, match="no landfill"):
        kim_to_model(read_kim(path))


@pytest.mark.parametrize(
    ("name", "clients", "capacity", "cost"),
    [
        ("X-n101-k25", 100, 206, 27591),
        ("X-n200-k36", 199, None, 58578),
        ("X-n502-k39", 501, None, 69226),
        ("X-n1001-k43", 1000, None, 72355),
    ],
)
def test_read_vrplib_cvrp_reproduces_the_best_known_cost(
    name: str, clients: int, capacity: int | None, cost: int
) -> None:
    model = read_vrplib(shared_file("data", "bench", "cvrp", f"{name}.vrp"))
    sol = read_vrplib_solution(shared_file("data", "bench", "cvrp", f"{name}.sol"))
    assert len(model.clients) == clients
    if capacity is not None:
        assert model.vehicle_types[0].capacity[0] == capacity
    assert sorted(c for r in sol.routes for c in r) == list(range(clients))
    assert sol.cost == cost
    # Rounded Euclidean distances give exactly the published cost.
    assert solution_distance(model, sol.routes) == cost
    assert model.distance_m is not None
    assert np.array_equal(model.distance_m, np.round(model.distance_m))


def test_read_vrplib_vrptw_uses_the_dimacs_convention() -> None:
    model = read_vrplib(shared_file("data", "bench", "vrptw", "RC1_10_1.vrp"))
    sol = read_vrplib_solution(shared_file("data", "bench", "vrptw", "RC1_10_1.sol"))
    assert len(model.clients) == 1000 and len(sol.routes) == 90
    assert model.vehicle_types[0].num_available == 250
    assert model.depots[0].tw == (0, 1821)
    assert model.clients[0].tw == (892, 922) and model.clients[0].service_s == 10
    assert solution_distance(model, sol.routes) == pytest.approx(45790.7, abs=0.05)


def test_read_vrplib_reads_cvrptw_as_vrptw_with_one_service_time(tmp_path: Path) -> None:
    # As the 200-800 customer Gehring-Homberger files of PyVRP/Instances are written.
    path = tmp_path / "tiny.vrp"
    path.write_text(
        "NAME : tiny\nTYPE : CVRPTW\nDIMENSION : 3\nVEHICLES : 2\nCAPACITY : 10\n"
        "SERVICE_TIME : 10\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n"
        "DEMAND_SECTION\n1 0\n2 4\n3 5\nTIME_WINDOW_SECTION\n1 0 100\n2 5 20\n3 10 60\n"
        "DEPOT_SECTION\n1\n-1\nEOF\n"
    )
    model = read_vrplib(path)
    assert [c.tw for c in model.clients] == [(5, 20), (10, 60)]
    assert [c.service_s for c in model.clients] == [10, 10]
    assert model.depots[0].tw == (0, 100) and model.vehicle_types[0].num_available == 2
    assert model.duration_s is not None and model.duration_s[0, 2] == 10.0
    assert solution_distance(model, [[0, 1]]) == 20.0
    bad = tmp_path / "bad.vrp"
    bad.write_text(path.read_text().replace("CVRPTW", "PDPTW"))
    with pytest.raises(InputError, match=r"bad\.vrp: TYPE must be one of .*CVRPTW.*got PDPTW"):
        read_vrplib(bad)


def test_vrplib_problem_reads_the_type_line_of_the_header() -> None:
    assert vrplib_problem(shared_file("data", "bench", "cvrp", "X-n101-k25.vrp")) == "CVRP"
    assert vrplib_problem(shared_file("data", "bench", "vrptw", "RC1_10_1.vrp")) == "VRPTW"


def test_read_solomon_reads_r101() -> None:
    model = read_solomon(shared_file("data", "bench", "vrptw", "R101.txt"))
    assert len(model.clients) == 100
    vt = model.vehicle_types[0]
    assert vt.num_available == 25 and vt.capacity[0] == 200
    assert model.depots[0].tw == (0, 230)
    c = model.clients[0]
    assert (c.location, c.demand[0], c.tw, c.service_s) == (1, 10, (161, 171), 10)
    assert model.duration_s is not None
    assert model.duration_s[0, 1] == pytest.approx(math.hypot(6, 14))


def test_readers_name_the_file_on_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothere\.vrp"):
        read_vrplib(tmp_path / "nothere.vrp")
    bad = tmp_path / "bad.sol"
    bad.write_text("Route #1: 1 2\n")
    with pytest.raises(ValueError, match=r"bad\.sol"):
        read_vrplib_solution(bad)


def test_read_vrplib_empties_at_the_depot_in_one_trip() -> None:
    model = read_vrplib(shared_file("data", "bench", "cvrp", "X-n101-k25.vrp"))
    assert [lf.location for lf in model.landfills] == [model.depots[0].location]
    assert model.landfills[0].unload_s == 0
    vt = model.vehicle_types[0]
    assert vt.max_load_per_day[0] == vt.capacity[0] == 206
    model.validate()


def test_classic_readers_set_the_objective_of_their_literature() -> None:
    cvrp = read_vrplib(shared_file("data", "bench", "cvrp", "X-n101-k25.vrp"))
    dimacs = read_vrplib(shared_file("data", "bench", "vrptw", "RC1_10_1.vrp"))
    solomon = read_solomon(shared_file("data", "bench", "vrptw", "R101.txt"))
    # best known X and DIMACS costs minimise distance alone; Solomon's count vehicles first
    assert not cvrp.vehicles_first and not dimacs.vehicles_first
    assert solomon.vehicles_first


def test_bad_rows_are_input_errors_naming_file_and_line(tmp_path: Path) -> None:
    from routing.errors import InputError
    from routing.readers import read_kim

    path = tmp_path / "bad.txt"
    path.write_text(
        "200\n400\n500\n3600\n40\nStop_ID X Y Early Late Service Load Type\n"
        "0 0 0 0400 1500 0 9999 0\n1 5 5 0000 2400 60 oops 1\n"
    )
    with pytest.raises(InputError) as err:
        read_kim(path)
    assert err.value.file == path and err.value.row == 8


def _tiny_cvrp(tmp_path: Path, extra: str, *, kind: str = "CVRP") -> Path:
    """A three-node CVRP file (depot at the origin, clients 5 and 10 away on one line)."""
    path = tmp_path / "dcvrp.vrp"
    path.write_text(
        f"NAME : dcvrp\nTYPE : {kind}\nDIMENSION : 3\nCAPACITY : 10\n{extra}"
        "EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n"
        "DEMAND_SECTION\n1 0\n2 4\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    return path


def test_read_vrplib_keeps_the_route_length_limit_of_distance_and_service(
    tmp_path: Path,
) -> None:
    # Christofides' convention: distance plus service within DISTANCE. One route visiting both
    # clients runs 20 and serves 2 x 3 = 26 > 25.5, so two routes are needed (10 + 3, 20 + 3).
    model = read_vrplib(_tiny_cvrp(tmp_path, "DISTANCE : 25.5\nSERVICE_TIME : 3\n"))
    assert model.depots[0].tw == (0, 25)  # rounded down: never looser than the file
    assert model.vehicle_types[0].shift == (0, 25)
    assert [c.service_s for c in model.clients] == [3, 3]
    assert model.duration_s is not None and model.duration_s[0, 2] == 10.0
    result = model.solve(time_limit_s=2, seed=1, workers=1, max_iterations=200)
    assert check(model, result) == []
    assert result.num_vehicles == 2 and result.distance_m == pytest.approx(30.0)
    free = read_vrplib(_tiny_cvrp(tmp_path, "SERVICE_TIME : 3\n"))
    assert free.duration_s is not None and not free.duration_s.any()  # no limit: no time at all
    assert free.solve(time_limit_s=2, seed=1, workers=1, max_iterations=200).num_vehicles == 1


@pytest.mark.parametrize(
    ("extra", "kind", "message"),
    [
        ("DISTANCE : 25\n", "VRPTW", r"DISTANCE .* CVRP files only, got TYPE VRPTW"),
        ("DISTANCE : -1\n", "CVRP", r"DISTANCE must be a positive number, got -1"),
        ("DISTANCE : far\n", "CVRP", r"DISTANCE must be a positive number, got far"),
        ("VEHICLES_MAX_DISTANCE : 25\n", "CVRP", r"VEHICLES_MAX_DISTANCE is not read"),
    ],
)
def test_read_vrplib_refuses_rules_it_would_drop(
    tmp_path: Path, extra: str, kind: str, message: str
) -> None:
    path = _tiny_cvrp(tmp_path, extra, kind=kind)
    if kind == "VRPTW":
        windows = "TIME_WINDOW_SECTION\n1 0 99\n2 0 99\n3 0 99\nDEPOT_SECTION"
        path.write_text(path.read_text().replace("DEPOT_SECTION", windows))
    with pytest.raises(InputError, match=r"dcvrp\.vrp: " + message):
        read_vrplib(path)
