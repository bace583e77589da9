"""bench.week: the search bounded by iterations, and the per-day table."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bench.growth import scenario_file
from bench.week import limit_search, table


def test_the_valleys_search_is_bounded_by_iterations_not_time(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, 8.0, 5.0)
    limit_search(path, iterations=2000)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert doc["solver"]["max_iterations"] == 2000
    assert doc["solver"]["time_limit_s"] == 3600  # out of reach: the iterations bind
    assert {v["count"] for v in doc["vehicle"]} == {8}


def test_the_table_gives_each_days_estimate_vehicles_km_and_households_left_out() -> None:
    row = {
        "town": None, "scale": 8.0, "seed": 43, "code": "abc", "households": 28298,
        "unserved": 615, "unserved_no_time": 459, "vehicle_days": 2, "km": 2000.4,
        "estimated_h": {"mon": 83.84, "wed": 88.4},
        "days": {
            "mon": {"vehicles": 1, "km": 1000.2, "hours": 8.0, "households": 10},
            "wed": {"vehicles": 1, "km": 1000.2, "hours": 8.0, "households": 5},
        },
        "reasons": {"not collected on wed: no time in the shift": 459, "village 'X' not found": 156},
    }  # fmt: skip
    assert table([row])[2] == (
        "| valley x8, seed 43 | abc | 28,298 | 615 (459) | 2 | 2,000 | "
        "mon 83.8 / 1 / 1000 / 0; wed 88.4 / 1 / 1000 / 459 |"
    )
