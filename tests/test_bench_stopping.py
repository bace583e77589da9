"""The stopping-rule benchmark: its settings, its sets and its tables (the runs are `make bench`'s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.stopping import DEFAULT_SETTINGS, TUNING, Setting, parse_settings, report, table


def _record(scenario: str, setting: str, km: float, search_s: float, which: str = "test") -> dict:
    return {
        "set": which, "scenario": scenario, "setting": setting, "load": 1.0, "required": 100,
        "served": 99, "vehicles": 5, "longest_sum_h": 30.0, "longest_h": 7.5, "km": km,
        "hours": 35.0, "search_s": search_s, "searches": 12,
    }  # fmt: skip


def test_settings_are_read_as_plateau_and_resolution() -> None:
    assert parse_settings("0:0, 1000:0.25,500") == [
        Setting(0, 0.0),
        Setting(1000, 0.25),
        Setting(500, 0.0),
    ]
    assert Setting(1000, 0.25).label == "1000:0.25"
    # the test set compares the search as it was with the rule the planner uses
    assert DEFAULT_SETTINGS["test"] == "0:0,1000:0"
    from routing.pipeline import DAY_SEARCH

    assert DAY_SEARCH.plateau_iterations == 1000
    with pytest.raises(ValueError):
        parse_settings("many:0")


def test_tables_total_each_setting_and_give_its_ratio_to_the_search_as_it_was() -> None:
    records = [
        _record("a", "0:0", 100.0, 60.0),
        _record("a", "1000:0", 99.0, 45.0),
        _record("b", "0:0", 300.0, 60.0),
        _record("b", "1000:0", 309.0, 30.0),
    ]
    lines = table(records)
    assert lines[2].startswith("| a | `0:0` | 100 | 99 | 5 | 30.00 | 7.50 | 100.0 |")
    total = next(line for line in lines if line.startswith("| `1000:0` (all scenarios)"))
    assert "408.0 (1.020×)" in total and "75.0 (0.625×)" in total and "198 (1.000×)" in total


def test_the_report_keeps_the_sets_apart_with_their_commands(tmp_path: Path) -> None:
    head = {
        "command": "python -m bench.stopping --set test", "started": "2026-12-02 09:00 UTC",
        "ended": "2026-12-02 09:10 UTC", "load_before": 1.5, "load_after": 2.0,
        "versions": "Python 3.11.7, pyvrp 0.14.1, x86_64", "commit": "abc1234",
    }  # fmt: skip
    path = tmp_path / "runs.json"
    records = [_record("town", "0:0", 10.0, 5.0), _record("x", "0:0", 1.0, 1.0, "tuning")]
    path.write_text(json.dumps({**head, "records": records}), encoding="utf-8")
    text = report([path])
    assert text.index("## The tuning set") < text.index("## The test set")
    assert "`python -m bench.stopping --set test` · 2026-12-02 09:00 UTC" in text
    assert "load 1.50 → 2.00" in text and "commit abc1234" in text
    assert all(p.is_file() for p in TUNING)  # the tuning set is the shipped default and variants
