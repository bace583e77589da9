"""Tables and data files of a plan: accounting, parseable files, and the run's table in the chosen language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing.api import plan_week, write_outputs
from routing.outputs import summary, table
from routing.plan import Plan
from routing.scenario import load_scenario
from tests.conftest import DATA


@pytest.fixture(scope="module")
def small_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    tmp = tmp_path_factory.mktemp("register")
    lines = (DATA / "taza-aimak" / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    register = tmp / "register.csv"
    register.write_text("\n".join(lines[:61]) + "\n", encoding="utf-8")
    overrides = {"register.households": str(register), "solver.time_limit_s": 2.0}
    return plan_week(load_scenario(DATA / "taza-aimak" / "scenario.toml", overrides=overrides))


def test_summary_counts_add_up_and_list_every_unserved(small_plan: Plan) -> None:
    doc = summary(small_plan)
    assert doc["households_in"] == 60
    assert doc["households_in"] == doc["households_served"] + doc["households_unserved"]
    assert len(doc["unserved"]) == doc["households_unserved"]
    assert all(vd["km"] > 0 and vd["landfill_trips"] >= 1 for vd in doc["vehicle_days"])
    assert doc["synthetic"] is True and "OpenStreetMap" in doc["attribution"]
    assert any("assumption" in a or ":" in a for a in doc["assumptions"])


def test_outputs_are_written_and_parse(small_plan: Plan, tmp_path: Path) -> None:
    paths = write_outputs(small_plan, tmp_path, formats=("summary", "stops", "routes"))
    assert {p.name for p in paths} == {"stops.csv", "routes.geojson", "summary.json"}
    geo = json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))
    assert geo["features"] and all(f["geometry"]["type"] == "LineString" for f in geo["features"])
    header = (tmp_path / "stops.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("day,date,vehicle,trip,sequence,kind")


def test_run_table_speaks_the_chosen_language(small_plan: Plan) -> None:
    ky = table(small_plan, language="ky")
    ru = table(small_plan, language="ru")
    en = table(small_plan, language="en")
    assert "Households in register" in en
    assert "Households in register" not in ru and "Households in register" not in ky
    assert ky != ru
    assert "© OpenStreetMap contributors" in ky
