"""The street-collection bench: the peer's routes read back as steps, the median run."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.mcarptif import Run, median_run, peer_routes_to_steps
from routing.readers.mcarptif import read_mcarptif
from routing.readers.mcarptif_check import CheckReport, check_routes
from tests.test_readers_mcarptif import TINY, write


def test_peer_routes_map_links_to_tasks_and_directions(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path))
    # the peer's decoded route: arc (1,2), dump at 5, arc (2,3), edge {3,4} driven 4 -> 3, dump
    peer = [[[0, 1, 2], [1, 5, 5], [0, 2, 3], [0, 4, 3], [1, 5, 5]]]
    steps = peer_routes_to_steps(inst, peer)
    assert steps == [
        [
            ("task", 0, False),
            ("dump", 5, False),
            ("task", 1, False),
            ("task", 2, True),
            ("dump", 5, False),
        ]
    ]
    assert check_routes(inst, steps).ok


def test_peer_link_matching_no_task_is_reported_by_the_checker(tmp_path: Path) -> None:
    inst = read_mcarptif(write(tmp_path))
    # (2,1) is no task (arc (1,2) is one-way); serving (1,2) twice leaves the second unmatched
    peer = [[[0, 1, 2], [0, 2, 1], [0, 1, 2], [1, 5, 5]]]
    steps = peer_routes_to_steps(inst, peer)
    assert [s[1] for s in steps[0]] == [0, -1, -1, 5]
    assert "task" in {v.rule for v in check_routes(inst, steps).violations}


def test_parallel_streets_are_told_apart_by_order(tmp_path: Path) -> None:
    text = TINY.replace(
        "(2,3)   serv_cost 10", "(1,2)   serv_cost 4   trav_cost 2   demand 1\n(2,3)   serv_cost 10"
    )
    inst = read_mcarptif(write(tmp_path, text))
    peer = [[[0, 1, 2], [0, 2, 5], [0, 5, 1], [0, 1, 2], [1, 5, 5]]]
    steps = peer_routes_to_steps(inst, peer)
    assert [s[1] for s in steps[0] if s[0] == "task"] == [0, -1, -1, 1]


def _run(cost: float, vehicles: int, ok: bool = True) -> Run:
    violations = () if ok else (object(),)
    report = CheckReport(cost, vehicles, 0, (), violations)  # type: ignore[arg-type]
    return Run("ours", report, 1.0, [])


def test_median_run_by_vehicles_then_cost_failures_last() -> None:
    runs = [_run(100, 3), _run(90, 4), _run(95, 3)]
    assert median_run(runs).report == runs[0].report
    runs = [_run(100, 3), _run(80, 3, ok=False), Run("ours", None, 1.0, [])]
    assert median_run(runs).report == runs[1].report


def test_a_heldout_folder_runs_its_own_files_in_a_table_of_their_own(tmp_path: Path) -> None:
    from bench.mcarptif import main
    from bench.solver import SOLUTIONS

    folder = tmp_path / "heldout"
    folder.mkdir()
    write(folder, name="Unseen-01.txt")
    out = tmp_path / "report.md"
    main(
        [
            "--heldout-dir",
            str(folder),
            "--peers",
            "none",
            "--runs",
            "1",
            "--time-limit",
            "2",
            "--output",
            str(out),
        ]
    )
    text = out.read_text()
    assert "### Held-out set" in text and "### Test set" not in text
    assert "judged on a held-out set" in text
    assert "| Unseen-01 |" in text and "pending" not in text
    assert not (SOLUTIONS / "Unseen-01.json").exists()  # held-out files stay outside the repo


def test_an_empty_heldout_folder_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.mcarptif import main

    with pytest.raises(SystemExit):
        main(["--heldout-dir", str(tmp_path), "--peers", "none"])
    assert f"--heldout-dir {tmp_path}: no .txt instance files" in capsys.readouterr().err
