"""The scenario file: a manager's edits are read, and every wrong value is named with its key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from routing.scenario import ScenarioError, load_scenario, parse_time

VALID = """
[scenario]
name = "Test"
language = "ky"
week_start = 2026-11-30

[network]
source = "roads.osm"

[register]
households = "hh.csv"

[waste]
kg_per_person_day = 0.5
bulk_density_kg_m3 = 150

[solver]
seed = 7
time_limit_s = 3

[depot]
name = "Garage"
lat = 41.88
lon = 72.70
assumption = "garage position from the aiyl okmotu"

[[landfill]]
name = "Landfill"
lat = 41.87
lon = 72.80
open = "08:00"
close = "18:00"
unload_min = 10

[[vehicle]]
name = "Truck"
count = 1
capacity_kg = 4000
capacity_m3 = 16
shift_start = "08:00"
shift_end = "17:00"

[[village]]
name = "Терек-Суу"
aiyl_aimak = "Ketmen-Dobo"
days = ["thu", "mon"]
frequency = 2
aliases = ["Terek-Suu"]

[tariff]
Ketmen-Dobo = 78
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "roads.osm").write_text("<osm/>", encoding="utf-8")
    (tmp_path / "hh.csv").write_text("village\n", encoding="utf-8")
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_scenario_is_read_with_times_paths_and_days(tmp_path: Path) -> None:
    sc = load_scenario(_write(tmp_path, VALID))
    assert sc.language == "ky" and sc.seed == 7 and sc.time_limit_s == 3
    assert sc.week_start == dt.date(2026, 11, 30)
    assert Path(sc.osm) == (tmp_path / "roads.osm").resolve()
    assert sc.landfills[0].open_s == 8 * 3600 and sc.landfills[0].unload_s == 600
    assert sc.fleet[0].shift_end_s == 17 * 3600 and sc.fleet[0].lunch_s == 3600
    assert sc.villages[0].days == ("mon", "thu")  # week order, whatever order the manager typed
    assert sc.days == ("mon", "thu")
    assert sc.village("terek-suu") is sc.villages[0]
    assert sc.tariffs == {"Ketmen-Dobo": 78.0}


def test_overrides_replace_file_values(tmp_path: Path) -> None:
    sc = load_scenario(
        _write(tmp_path, VALID), overrides={"solver.seed": 3, "scenario.language": "en"}
    )
    assert sc.seed == 3 and sc.language == "en"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'language = "ky"',
            'language = "de"',
            r"\[scenario\] language = 'de' is not one of: ky, ru, en",
        ),
        (
            "capacity_kg = 4000",
            "capacity_kg = -5",
            r"\[vehicle #1\] capacity_kg = -5 must be greater than 0",
        ),
        ("capacity_kg = 4000", 'capacity_kg = "lots"', r"capacity_kg = 'lots' must be a number"),
        ('shift_end = "17:00"', 'shift_end = "5pm"', r"shift_end: '5pm' is not a time of day"),
        (
            'days = ["thu", "mon"]',
            'days = ["monday"]',
            r"\[village #1\] days = \['monday'\] must be a list of",
        ),
        ("frequency = 2", "frequency = 3", r"frequency = 3 must be a whole number from 1 to"),
        ("unload_min = 10", "unload_minutes = 10", r"\[landfill #1\] unknown key 'unload_minutes'"),
        (
            'source = "roads.osm"',
            'source = "missing.osm"',
            r"\[network\] source = 'missing.osm': file not found",
        ),
        ("lat = 41.88", "lat = 141.88", r"\[depot\] lat/lon = 141.88, 72.7 are not WGS84 degrees"),
    ],
)
def test_wrong_value_names_the_key_and_what_is_allowed(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in VALID
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_write(tmp_path, VALID.replace(old, new, 1)))


def test_missing_table_and_bad_toml_are_reported_with_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace("[depot]", "[depo]"))
    with pytest.raises(ScenarioError, match="unknown key 'depo'"):
        load_scenario(path)
    path.write_text("name = [", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.toml")


def test_time_of_day_is_parsed_to_seconds() -> None:
    assert parse_time("07:30", where="x") == 27000
    with pytest.raises(ScenarioError):
        parse_time("24:00", where="x")


def test_village_names_match_as_people_write_them(tmp_path: Path) -> None:
    sc = load_scenario(_write(tmp_path, VALID))
    for written in ("с. Терек-Суу", "Терек Суу", "айыл Терек-Суу", "Теек-Суу", "TEREK-SUU"):
        assert sc.village(written) is sc.villages[0], written
    assert sc.village("Бишкек") is None


def test_register_may_name_an_alias_file(tmp_path: Path) -> None:
    text = VALID.replace('households = "hh.csv"', 'households = "hh.csv"\naliases = "al.csv"')
    (tmp_path / "al.csv").write_text("written;on the map\n", encoding="utf-8")
    sc = load_scenario(_write(tmp_path, text))
    assert sc.aliases == (tmp_path / "al.csv").resolve()
    assert load_scenario(_write(tmp_path, VALID)).aliases is None
