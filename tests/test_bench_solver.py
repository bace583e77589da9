"""The solver benchmark's summary of repeated runs (bench/solver.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.peers import PeerRun
from bench.solver import (
    SOLVERS,
    KimRow,
    _classic,
    _gap,
    _goal_line,
    _members,
    _pair_seeds,
    _parse,
    _Runs,
    command_line,
    heldout_names,
)
from routing.errors import InputError


def _runs(solver: str, results: list[tuple[int | None, float | None, bool | None]]) -> _Runs:
    runs = []
    for seed, (vehicles, miles, feasible) in enumerate(results, start=1):
        row = KimRow(solver, vehicles, miles, feasible, "" if feasible else "late", 60.0, "note")
        runs.append((seed, PeerRun(solver, None, 60.0, "note"), row))
    return _Runs(runs)


def test_median_run_orders_by_vehicles_then_miles() -> None:
    ser = _runs("ours", [(13, 1100.0, True), (14, 1000.0, True), (13, 1130.0, True)])
    seed, _, row = ser.median()
    assert (seed, row.vehicles, row.miles) == (3, 13, 1130.0)


def test_median_run_counts_a_missing_solution_as_the_worst() -> None:
    ser = _runs("peer", [(None, None, None), (20, 900.0, True), (21, 800.0, True)])
    assert ser.median()[2].vehicles == 21


def test_median_row_is_feasible_only_if_every_run_is() -> None:
    ser = _runs("ours", [(3, 150.0, True), (3, 151.0, False), (3, 152.0, True)])
    row = ser.row()
    assert row.miles == 151.0
    assert row.feasible is False
    assert row.first_violation == "late"
    assert "median of 3" in row.solver
    assert "seed 2: 3 / 151.00 (infeasible)" in row.note


def test_goal_line_counts_the_runs_that_meet_the_peer_goals() -> None:
    ours = _runs("ours", [(13, 1133.0, True), (13, 1089.0, True), (13, 1104.0, True)])
    peer = _runs("PyVRP", [(14, 1127.0, True)])
    line = _goal_line("1599_stop", [ours.row(), peer.row()], ours)
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1] == "1"  # the CPU class
    assert cells[3] == "13 / 1,104.00"
    assert cells[6:8] == ["yes", "yes"]
    assert cells[-1] == "2 of 3"


def test_goal_line_counts_no_runs_without_peers() -> None:
    ours = _runs("ours", [(3, 150.0, True)])
    line = _goal_line("102_stop", [ours.row()], ours)
    assert line.rstrip().endswith("| — |")


def test_a_gap_that_rounds_to_nothing_reads_plus_zero() -> None:
    assert _gap(1650.7999, 1650.80) == "+0.00 %"
    assert _gap(1667.31, 1650.80) == "+1.00 %"
    assert _gap(1600.0, 1650.80) == "-3.08 %"
    assert _gap(math.inf, 1650.80) == "inf %"


def test_runs_on_two_cpus_share_no_seed() -> None:
    seeds = [_pair_seeds(s) for s in (1, 2, 3)]
    assert seeds == [(1, 2), (3, 4), (5, 6)]


def test_every_solver_has_a_cpu_class_and_ours_leads_each() -> None:
    for cpu in (1, 2):
        mine = [k for k, (_, c) in SOLVERS.items() if c == cpu]
        assert mine[0].startswith("ours") and len(mine) >= 2


def test_the_cpu_option_takes_one_two_or_both() -> None:
    assert _parse(["--cpu", "2"]).cpus == [2]
    assert _parse([]).cpus == [1, 2]
    with pytest.raises(SystemExit):
        _parse(["--cpu", "4"])


def _heldout(tmp_path: Path) -> Path:
    """A held-out folder: A with its solution file, B with a line of best-known.csv."""
    for name in ("B", "A"):
        (tmp_path / f"{name}.vrp").write_text("NAME : x\nTYPE : VRPTW\n", encoding="utf-8")
    (tmp_path / "A.sol").write_text("Route #1: 1 2\nRoute #2: 3\nCost 123.4\n", encoding="utf-8")
    (tmp_path / "best-known.csv").write_text(
        "instance,routes,distance,source\nB,,456.7,a published table\n", encoding="utf-8"
    )
    return tmp_path


def test_the_held_out_set_is_the_files_of_its_folder_by_their_type(tmp_path: Path) -> None:
    folder = _heldout(tmp_path)
    assert heldout_names(folder) == ["A", "B"]
    assert _members("heldout", folder) == [("vrptw", "A"), ("vrptw", "B")]
    # the family is the file's TYPE line: CVRPTW is VRPTW, CVRP (or none) is CVRP
    (folder / "A.vrp").write_text("NAME : A\nTYPE : \tCVRP\t\nDIMENSION : 3\n", encoding="utf-8")
    (folder / "B.vrp").write_text("NAME : B\nTYPE : CVRPTW\nNODE_COORD_SECTION\n", encoding="utf-8")
    (folder / "C.vrp").write_text("NAME : C\nNODE_COORD_SECTION\nTYPE : VRPTW\n", encoding="utf-8")
    assert _members("heldout", folder) == [("cvrp", "A"), ("vrptw", "B"), ("cvrp", "C")]
    (folder / "C.vrp").write_text("NAME : C\nTYPE : TSP\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"C\.vrp, row 2: TYPE must be one of .* got TSP"):
        _members("heldout", folder)
    (folder / "C.vrp").unlink()
    (folder / "A.vrp").write_text("NAME : x\nTYPE : VRPTW\n", encoding="utf-8")
    a = _classic("vrptw", "A", folder=folder)
    b = _classic("vrptw", "B", folder=folder)
    assert a is not None and (a.vehicles, a.best, a.peer_rounding) == (2, 123.4, "dimacs")
    assert b is not None and (b.vehicles, b.best) == (None, 456.7)
    assert _classic("vrptw", "C", folder=folder) is None
    with pytest.raises(ValueError, match="--classic-dir"):
        _members("heldout", None)


def test_a_held_out_instance_without_a_best_known_value_is_refused(tmp_path: Path) -> None:
    folder = _heldout(tmp_path)
    (folder / "C.vrp").write_text("NAME : x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no row for instance 'C'"):
        _classic("vrptw", "C", folder=folder)
    (folder / "best-known.csv").write_text("instance,routes,distance\nC,,n/a\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2, field 'distance'"):
        _classic("vrptw", "C", folder=folder)
    (folder / "best-known.csv").unlink()
    with pytest.raises(FileNotFoundError, match="best known solution file"):
        _classic("vrptw", "C", folder=folder)


def test_the_held_out_set_and_its_folder_go_together(tmp_path: Path) -> None:
    folder = _heldout(tmp_path)
    assert _parse(["--set", "heldout", "--classic-dir", str(folder)]).sets == ["heldout"]
    for argv in (["--set", "heldout"], ["--classic-dir", str(folder)]):
        with pytest.raises(SystemExit):
            _parse(argv)
    with pytest.raises(SystemExit):
        _parse(["--set", "heldout", "--classic-dir", str(tmp_path / "empty")])


def test_the_quoted_command_names_the_held_out_folder_by_a_placeholder() -> None:
    argv = ["--set", "heldout", "--classic-dir", "/somewhere/else/vrptw", "--runs", "3"]
    quoted = command_line(argv)
    assert "/somewhere" not in quoted
    assert "--classic-dir HELDOUT_DIR --runs 3" in quoted
    assert command_line(["--classic-dir=/x/y"]).endswith("--classic-dir=HELDOUT_DIR")
    assert command_line(["--runs", "3"]) == ".venv/bin/python -m bench.solver --runs 3"


def test_exact_distances_reach_ours_and_the_peer_alike(tmp_path: Path) -> None:
    # One route depot -> (1, 1) -> (2, 2) -> depot: 4 sqrt(2) exactly, 5 with each arc rounded.
    from bench.peers import pyvrp_classic_peer

    folder = tmp_path / "heldout"
    folder.mkdir()
    (folder / "T.vrp").write_text(
        "NAME : T\nTYPE : CVRP\nDIMENSION : 3\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 2\nDEMAND_SECTION\n1 0\n2 1\n3 1\n"
        "DEPOT_SECTION\n1\n-1\nEOF\n",
        encoding="utf-8",
    )
    (folder / "best-known.csv").write_text("instance,routes,distance,source\nT,1,5.66,x\n")
    exact = _classic("cvrp", "T", folder=folder, rounding="exact")
    assert exact is not None and exact.peer_rounding == "exact"
    ours = exact.model().solve(seed=1, workers=1, max_iterations=50)
    assert ours.distance_m == pytest.approx(4 * math.sqrt(2))
    dist, routes, _ = pyvrp_classic_peer(str(exact.path), round_func="exact", time_limit_s=0.3)
    assert (dist, routes) == (pytest.approx(4 * math.sqrt(2), abs=1e-3), 1)
    nint = _classic("cvrp", "T", folder=folder)
    assert nint is not None and nint.peer_rounding == "round"
    assert nint.model().solve(seed=1, workers=1, max_iterations=50).distance_m == 5.0
    assert _parse(["--classic-rounding", "exact"]).classic_rounding == "exact"
