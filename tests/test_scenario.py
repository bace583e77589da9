"""The scenario file: a manager's edits are read, and every wrong value is named with its key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from routing.scenario import (
    ScenarioError,
    apply_overrides,
    describe,
    load_scenario,
    parse_time,
    read_layers,
)

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


def test_a_vehicle_names_the_road_types_it_may_not_or_may_use(tmp_path: Path) -> None:
    text = VALID.replace(
        'shift_end = "17:00"\n',
        'shift_end = "17:00"\nroads_banned = ["track"]\naccess_allowed = ["agricultural"]\n',
    )
    sc = load_scenario(_write(tmp_path, text))
    assert sc.fleet[0].roads_banned == ("track",)
    assert sc.fleet[0].access_allowed == ("agricultural",)
    assert sc.fleet[0].roads_allowed == ()
    bad = VALID.replace('shift_end = "17:00"\n', 'shift_end = "17:00"\nroads_banned = ["path"]\n')
    with pytest.raises(
        ScenarioError, match=r"\[vehicle #1\] roads_banned.*'path'.*never driven"
    ) as e:
        load_scenario(_write(tmp_path, bad))
    # the profile's own message stands inside the scenario's, in each language
    assert "[vehicle #1] roads_banned: 'path' болбойт: highway=path жолдорунда" in e.value.text(
        "ky"
    )
    assert "roads_banned: 'path' недопустимо: по highway=path грузовики" in e.value.text("ru")


def test_the_plan_area_is_a_bbox_a_polygon_or_places(tmp_path: Path) -> None:
    (tmp_path / "area.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    text = (
        VALID
        + '\n[area]\nbbox = [72.6, 41.8, 72.8, 41.9]\npolygon = "area.geojson"\nplaces = ["Терек-Суу"]\n'
    )
    sc = load_scenario(_write(tmp_path, text))
    assert sc.area.bbox == (72.6, 41.8, 72.8, 41.9) and sc.area.places == ("Терек-Суу",)
    assert sc.area.polygon == (tmp_path / "area.geojson").resolve() and sc.area.limited
    assert not load_scenario(_write(tmp_path, VALID)).area.limited
    bad = VALID + "\n[area]\nbbox = [72.8, 41.8, 72.6, 41.9]\n"
    with pytest.raises(ScenarioError, match=r"\[area\] bbox.*\[west, south, east, north\]"):
        load_scenario(_write(tmp_path, bad))


# --- extends: merge rules, where each value came from, errors naming the file and key ----------

CHILD = """
extends = "base/scenario.toml"

[scenario]
name = "Child"

[solver]
seed = 9

[[vehicle]]
name = "Truck"
count = 2

[[vehicle]]
name = "Tractor"
capacity_kg = 2000
capacity_m3 = 8

[[village]]
name = "Терек-Суу"
days = ["tue"]
frequency = 1

[tariff]
Ketmen-Dobo = 90
"""


def _base_and_child(tmp_path: Path, child: str = CHILD) -> Path:
    base = tmp_path / "base"
    base.mkdir(parents=True)
    _write(base, VALID)
    path = tmp_path / "child.toml"
    path.write_text(child, encoding="utf-8")
    return path


def test_extends_overrides_keys_and_named_entries_and_keeps_the_base_paths(tmp_path: Path) -> None:
    child = _base_and_child(tmp_path)
    sc = load_scenario(child)
    assert sc.name == "Child" and sc.seed == 9 and sc.time_limit_s == 3  # time limit from the base
    assert [(v.name, v.count) for v in sc.fleet] == [("Truck", 2), ("Tractor", 1)]
    assert sc.fleet[0].capacity_kg == 4000  # the rest of the entry stays the base's
    assert sc.villages[0].days == ("tue",) and sc.villages[0].aliases == ("Terek-Suu",)
    assert sc.tariffs == {"Ketmen-Dobo": 90.0}
    # paths are relative to the file that wrote them
    assert Path(sc.osm) == (tmp_path / "base" / "roads.osm").resolve()
    assert sc.files == (child.resolve(), (tmp_path / "base" / "scenario.toml").resolve())


def test_check_lists_where_each_value_came_from(tmp_path: Path) -> None:
    child = _base_and_child(tmp_path)
    where = {k: o for k, _, o in describe(read_layers(child))}
    assert where["vehicle[Truck].count"] == str(child)
    assert where["vehicle[Truck].capacity_kg"].endswith("base/scenario.toml")
    assert where["solver.seed"] == str(child)
    assert where["solver.time_limit_s"].endswith("base/scenario.toml")
    assert where["vehicle[Tractor].capacity_kg"] == str(child)
    layers = apply_overrides(read_layers(child), {"vehicle[Tractor].count": 3})
    assert {k: o for k, _, o in describe(layers)}["vehicle[Tractor].count"] == "override"


def test_remove_drops_a_named_entry_and_a_key_without_selector_sets_every_entry(
    tmp_path: Path,
) -> None:
    child = _base_and_child(tmp_path, CHILD + '\n[[vehicle]]\nname = "Tractor"\nremove = true\n')
    assert [v.name for v in load_scenario(child).fleet] == ["Truck"]
    child = _base_and_child(tmp_path / "b", CHILD)
    sc = load_scenario(child, overrides={"vehicle.count": 4})
    assert [v.count for v in sc.fleet] == [4, 4]


@pytest.mark.parametrize(
    ("child", "message"),
    [
        # a bad value in the child names the child file and the key
        (CHILD.replace("count = 2", "count = -2"), r"child\.toml: \[vehicle #1\] count = -2 must be a whole number"),
        (CHILD.replace("seed = 9", "seeed = 9"), r"child\.toml: \[solver\] unknown key 'seeed'"),
        (CHILD + "\n[[vehicle]]\ncount = 3\n", r"child\.toml: \[vehicle #3\] needs a name"),
        (CHILD + '\n[[vehicle]]\nname = "Bus"\nremove = true\n', r"child\.toml: \[vehicle\[Bus\]\] remove = True needs"),
        (CHILD.replace("[solver]\nseed = 9", "").replace("\n[scenario]", 'solver = "fast"\n[scenario]'), r"child\.toml: \[solver\] = 'fast' replaces a table"),
        (CHILD.replace('extends = "base/scenario.toml"', 'extends = "nope.toml"'), r"child\.toml: \[top level\] extends = 'nope\.toml': file not found"),
    ],
)  # fmt: skip
def test_a_bad_override_names_the_file_and_key(tmp_path: Path, child: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_base_and_child(tmp_path, child))


def test_a_value_wrong_in_the_base_names_the_base_file(tmp_path: Path) -> None:
    child = _base_and_child(tmp_path)
    base = tmp_path / "base" / "scenario.toml"
    base.write_text(VALID.replace("unload_min = 10", "unload_min = -1"), encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"base/scenario\.toml: \[landfill #1\] unload_min = -1"
    ):
        load_scenario(child)


def test_a_cycle_of_extends_is_an_error_naming_the_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(
        ScenarioError,
        match=r"b\.toml: \[top level\] extends = 'a\.toml' makes a cycle: .*a\.toml -> .*b\.toml -> .*a\.toml",
    ):
        load_scenario(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "c.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="makes a cycle"):
        load_scenario(tmp_path / "c.toml")


def test_labelled_prices_and_the_property_register(tmp_path: Path) -> None:
    costs = """
[costs]
property_register = "property.csv"
diesel_som_per_l = { value = 68, source = "statistics" }
co2_kg_per_l = 2.68
wage_som_per_hour = 200
overtime_factor = 1.5
overhead_som_per_month = 0
collection_rate = { value = 0.8, assumption = "guess" }
"""
    path = _write(
        tmp_path,
        VALID.replace(
            "capacity_m3 = 16",
            "capacity_m3 = 16\nfuel_l_per_100km = 30\nmaintenance_som_per_km = 5",
        )
        + costs,
    )
    (tmp_path / "property.csv").write_text(
        "name,price_som,purchased,life_years,note\nTruck,120000,2022-05-01,10,source: invoice\n",
        encoding="utf-8",
    )
    sc = load_scenario(path)
    assert (
        sc.prices is not None
        and sc.prices.diesel_som_per_l == 68
        and sc.prices.as_of == dt.date(2026, 11, 30)
    )
    assert (
        sc.property_items[0].life_months == 120
        and sc.property_items[0].where == "property.csv row 2"
    )
    assert sc.price_labels["property[Truck].price_som"] == "source: invoice"
    assert sc.fleet[0].fuel_l_per_100km == 30 and sc.fleet[0].fuel_l_per_stop == 0
    assert (
        sc.price_labels["vehicle[Truck].fuel_l_per_stop"]
        == "assumption: not given in the scenario: 0"
    )
    (tmp_path / "property.csv").write_text(
        "name,price_som,purchased,life_years\nTruck,120000,May 2022,10\n", encoding="utf-8"
    )
    with pytest.raises(
        ScenarioError, match=r"property\.csv: row 2, purchased = 'May 2022': write a date"
    ):
        load_scenario(path)
    with pytest.raises(ScenarioError, match=r"\[costs\] collection_rate = 1\.5 must be at most 1"):
        load_scenario(path, overrides={"costs.collection_rate": 1.5})
    _write(tmp_path, VALID + costs)
    (tmp_path / "property.csv").write_text(
        "name,price_som,purchased,life_years\n", encoding="utf-8"
    )
    sc = load_scenario(path)
    assert sc.fleet[0].fuel_l_per_100km == 0
    assert "vehicle[Truck].fuel_l_per_100km = 0: not given in the scenario: 0" in sc.assumptions


def test_register_may_name_an_alias_file(tmp_path: Path) -> None:
    text = VALID.replace('households = "hh.csv"', 'households = "hh.csv"\naliases = "al.csv"')
    (tmp_path / "al.csv").write_text("written;on the map\n", encoding="utf-8")
    sc = load_scenario(_write(tmp_path, text))
    assert sc.aliases == (tmp_path / "al.csv").resolve()
    assert load_scenario(_write(tmp_path, VALID)).aliases is None
