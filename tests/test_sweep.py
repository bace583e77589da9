"""Sweeps: --vary values, every combination, and village.days as collections per week."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.scenario import ScenarioError, load_scenario
from routing.sweep import combinations, parse_vary, sweep_tasks

DEFAULT = Path(__file__).resolve().parents[1] / "data" / "taza-aimak" / "scenario.toml"


def test_vary_values_are_read_as_toml() -> None:
    v = parse_vary("vehicle.count=1,2,3")
    assert v.key == "vehicle.count" and v.values == (1, 2, 3)
    assert parse_vary("costs.diesel_som_per_l=70.5, 80").values == (70.5, 80)
    with pytest.raises(ScenarioError, match="write KEY=VALUE1,VALUE2"):
        parse_vary("vehicle.count")


def test_every_combination_in_order() -> None:
    combos = combinations([parse_vary("a=1,2,3"), parse_vary("b=x,y")])
    assert len(combos) == 6
    assert combos[0] == {"a": 1, "b": "x"} and combos[-1] == {"a": 3, "b": "y"}


def test_village_days_sets_collections_per_week_on_every_village() -> None:
    tasks = sweep_tasks(DEFAULT, [parse_vary("vehicle.count=1,2"), parse_vary("village.days=1,2")])
    assert [label for label, _ in tasks] == [
        "vehicle.count=1, village.days=1",
        "vehicle.count=1, village.days=2",
        "vehicle.count=2, village.days=1",
        "vehicle.count=2, village.days=2",
    ]
    sc = load_scenario(DEFAULT, overrides=tasks[3][1])
    assert all(v.frequency == 2 and len(v.days) >= 2 for v in sc.villages)
    assert [v.count for v in sc.fleet] == [2, 2]  # without [name], every vehicle
    balykty = next(v for v in sc.villages if v.name == "Балыкты")
    assert balykty.days == ("wed", "thu")  # listed wed only: the next working day is added
    with pytest.raises(ScenarioError, match="collections per week"):
        sweep_tasks(DEFAULT, [parse_vary("village.days=9")])
