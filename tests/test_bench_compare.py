"""The comparison benchmark's result file: medians per mode, ratio, the goal, loads, limits."""

from __future__ import annotations

from bench.compare import GOAL_S, _markdown, command


def _run(mode: str, seconds: float, failed: list[str] | None = None) -> dict[str, object]:
    return {
        "mode": mode, "seconds": seconds, "load_before": 0.4, "load_after": 2.1,
        "failed": failed or [], "limits": "Search limits, the same for every scenario: 5 s",
        "when": "2026-12-02 06:00 UTC",
    }  # fmt: skip


def test_result_names_medians_ratio_the_goal_and_the_load() -> None:
    runs = [_run("parallel", s) for s in (100.0, 130.0, 110.0)]
    runs += [_run("sequential", s) for s in (200.0, 230.0, 220.0)]
    text = _markdown(runs)
    assert GOAL_S == 120.0 and "under 2 minutes: **met** (110 s)" in text
    assert "| **110.0 s** | 100.0, 130.0, 110.0 | 1.00× |" in text
    assert "| **220.0 s** | 200.0, 230.0, 220.0 | 2.00× |" in text
    assert "load average 0.4 to 2.1" in text and "Variants that failed: 0." in text
    assert "as each report states them: `parallel`: 5 s;" in text
    assert "**on a loaded machine**" in text  # the earlier figures stay, labelled
    slow = _markdown([_run("parallel", 150.0, ["second-truck: cancelled"])])
    assert "**NOT met** (150 s)" in slow
    assert "Variants that failed: 1 (second-truck: cancelled)." in slow


def test_the_timed_command_is_the_planners_compare_of_the_default_and_three_variants() -> None:
    args = command("short", __import__("pathlib").Path("/tmp/x"))
    assert args[args.index("compare") + 1].endswith("data/taza-aimak/scenario.toml")
    assert sum(a.endswith(".toml") for a in args) == 4
    assert args[-2:] == ["--time-limit", "3"] and "--workers" not in args
