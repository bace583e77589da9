"""Variants in parallel: results in order, a failing variant reported, cancelling, progress lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from routing.compare import (
    Finished,
    ProgressBoard,
    SearchLimits,
    Task,
    common_limits,
    compare_scenarios,
    run_variants,
    scenario_labels,
)
from routing.pipeline import DAY_SEARCH
from routing.progress import Cancelled, CancelToken, Progress
from routing.scenario import load_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "taza-aimak"


def test_labels_are_short_and_unique() -> None:
    paths = [
        DATA / "scenario.toml",
        DATA / "variants" / "second-truck.toml",
        Path("x/second-truck.toml"),
    ]
    assert scenario_labels(paths) == ["taza-aimak", "second-truck", "second-truck #3"]


def test_failing_variants_are_reported_with_their_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [", encoding="utf-8")
    seen: list[tuple[str, object]] = []
    russian = Task("ru", tmp_path / "nope.toml", {"scenario.language": "ru"})
    results = run_variants(
        [Task("missing", tmp_path / "nope.toml"), Task("bad", bad), russian],
        workers=2,
        on_progress=lambda label, event: seen.append((label, event)),
    )
    assert [r.label for r in results] == ["missing", "bad", "ru"]
    missing, broken, _ = results
    assert "ScenarioError: scenario file not found" in (missing.error or "")
    assert "not valid TOML" in (broken.error or "")
    # a scenario that cannot be read at all is still said in every language
    assert missing.error_in("ky") == f"сценарий файлы табылган жок: {tmp_path / 'nope.toml'}"
    assert missing.error_in("ru") == results[2].error_in("ru")
    assert (broken.error_in("ru") or "").startswith(f"{bad}: неверный TOML: tomllib (его ")
    last = [event for label, event in seen if label == "bad"][-1]
    assert isinstance(last, Finished) and last.error == broken.error
    assert last.error_in("ky") == broken.error_in("ky")
    out = io.StringIO()
    ProgressBoard(["bad"], language="ky", stream=out)("bad", last)
    assert out.getvalue().startswith(f"bad  ката: {bad}: туура эмес TOML: tomllib (анын өз сөзү")


def test_a_cancelled_comparison_stops_every_variant() -> None:
    token = CancelToken()
    token.cancel()
    results = run_variants(
        [Task("a", DATA / "scenario.toml"), Task("b", DATA / "variants" / "second-truck.toml")],
        workers=2,
        cancel=token,
    )
    assert [r.error for r in results] == ["cancelled", "cancelled"]
    assert [r.error_in("ru") for r in results] == ["отменён", "отменён"]


def test_a_cancelled_comparison_writes_no_report(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.md").write_text("the last report", encoding="utf-8")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compare_scenarios([DATA / "scenario.toml"], out, cancel=token)
    assert [p.name for p in out.iterdir()] == ["report.md"]
    assert (out / "report.md").read_text(encoding="utf-8") == "the last report"


def test_every_scenario_gets_the_bases_search_limits_or_those_given(tmp_path: Path) -> None:
    base = DATA / "scenario.toml"
    own = tmp_path / "longer-search.toml"  # a variant that would search longer than the base
    own.write_text(
        f'extends = "{base.as_posix()}"\n[solver]\ntime_limit_s = 60\nbalance_rounds = 0\n',
        encoding="utf-8",
    )
    limits = common_limits(base)
    assert limits == {"solver.time_limit_s": 5, "solver.balance_rounds": 2, "solver.seed": 1}
    variant = load_scenario(own, overrides=limits)
    assert SearchLimits.of(variant) == SearchLimits.of(load_scenario(base))
    given = common_limits(base, time_limit_s=2.5, balance_rounds=0)
    assert SearchLimits.of(load_scenario(own, overrides=given)) == SearchLimits(2.5, 0, 1)
    assert common_limits(tmp_path / "nope.toml", balance_rounds=1) == {"solver.balance_rounds": 1}


def test_progress_board_writes_one_line_per_change_off_a_terminal() -> None:
    out = io.StringIO()
    board = ProgressBoard(["base", "second-truck"], stream=out)
    board("base", Progress("matrix", 5, 8, 0.5, "travel matrix"))
    board("base", Progress("matrix", 5, 8, 0.5, "travel matrix"))  # unchanged: no new line
    board("second-truck", Finished(seconds=12.2))
    assert out.getvalue().splitlines() == [
        "base          [5/8] travel matrix  50%",
        "second-truck  done in 12 s",
    ]


def test_progress_board_speaks_the_language_asked_for() -> None:
    out = io.StringIO()
    board = ProgressBoard(["base", "new-village"], language="ky", stream=out)
    assert board.lines == {"base": "кезекте", "new-village": "кезекте"}
    board("base", Finished(seconds=41))
    board("new-village", Finished(error="cancelled"))
    assert out.getvalue().splitlines() == [
        "base         41 с ичинде даяр",
        "new-village  ката: cancelled",
    ]
    ru = ProgressBoard(["base"], language="ru", stream=io.StringIO())
    ru("base", Finished(seconds=7))
    assert ru.lines == {"base": "готово за 7 с"}


@pytest.mark.slow
def test_base_and_a_variant_are_planned_and_one_failure_does_not_stop_them(tmp_path: Path) -> None:
    fast = {"solver.time_limit_s": 1, "solver.max_iterations": 200}
    results = run_variants(
        [
            Task("base", DATA / "scenario.toml", fast),
            Task("broken", DATA / "scenario.toml", {**fast, "depot.lat": 141.0}),
            Task("second-truck", DATA / "variants" / "second-truck.toml", fast),
        ]
    )
    base, broken, truck = results
    assert "[depot] lat/lon = 141.0" in (broken.error or "")
    assert base.figures is not None and truck.figures is not None
    assert truck.figures.vehicles_available == base.figures.vehicles_available + 1
    assert (
        truck.figures.total.costs_month["depreciation"]
        > base.figures.total.costs_month["depreciation"]
    )
    assert base.routes and all(r.coords for r in base.routes)
    plateau = DAY_SEARCH.plateau_iterations  # the planner's own rule, stated in the report
    assert base.limits == truck.limits == SearchLimits(1, 2, 1, 200, plateau_iterations=plateau)
