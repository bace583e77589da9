"""New settlements: by OSM place name, polygon or point; households from population, buildings, a register."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from routing.scenario import ScenarioError, load_scenario
from routing.settlements import find_place

DATA = Path(__file__).resolve().parents[1] / "data" / "taza-aimak"
OSM = str(DATA / "taza-aimak.osm")


def _variant(tmp_path: Path, settlement: str) -> Path:
    path = tmp_path / "variant.toml"
    base = (DATA / "scenario.toml").as_posix()
    path.write_text(f'extends = "{base}"\n\n[[settlement]]\n{settlement}', encoding="utf-8")
    return path


def test_place_names_are_found_in_any_language() -> None:
    lon, lat = find_place(OSM, "Беке-Чал")
    assert (round(lat, 3), round(lon, 3)) == (41.905, 72.699)
    assert find_place(OSM, "Beke-Chal") == (lon, lat)
    with pytest.raises(ScenarioError, match=r"'Бишкек' is not a place in .* it has: Токтогул"):
        find_place(OSM, "Бишкек")


def test_a_settlement_by_place_name_and_population_joins_the_register(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TAZA_CACHE_DIR", str(cache))
    sc = load_scenario(
        _variant(
            tmp_path,
            'name = "Беке-Чал"\naiyl_aimak = "Ketmen-Dobo"\nplace = "Беке-Чал"\n'
            'population = 94\nradius_m = 120\ndays = ["tue"]\n',
        )
    )
    assert sc.households is not None and sc.households.is_relative_to(cache)
    assert sc.base_households == DATA / "households.csv"
    assert sc.village("Беке-Чал") is not None and sc.village("Беке-Чал").days == ("tue",)  # type: ignore[union-attr]
    with sc.households.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (DATA / "households.csv").open(encoding="utf-8-sig") as handle:
        base = list(csv.DictReader(handle))
    new = rows[len(base) :]
    assert [r["household_id"] for r in rows[: len(base)]] == [
        r["№"] for r in base
    ]  # base rows kept in order
    assert len(new) == 20 and sum(int(r["members"]) for r in new) == 94  # 94 / 4.7 households
    assert all(r["village"] == "Беке-Чал" and r["lat"] for r in new)


def test_a_settlement_from_the_buildings_of_a_polygon(tmp_path: Path) -> None:
    # a box around the centre of Кушчу-Суу: its synthetic houses become households
    box = "[[72.612, 41.952], [72.619, 41.952], [72.619, 41.958], [72.612, 41.958]]"
    spec = f'name = "Жаңы-Кушчу"\naiyl_aimak = "Cholpon-Ata"\npolygon = {box}\nhouseholds = "buildings"\ndays = ["thu"]\n'
    from routing.settlements import settlement_households

    sc = load_scenario(_variant(tmp_path, spec))
    frame = settlement_households(sc, sc.settlements[0])
    assert 10 < len(frame) < 200 and set(frame["village"]) == {"Жаңы-Кушчу"}


def test_a_settlement_needs_one_position_and_its_data(tmp_path: Path) -> None:
    with pytest.raises(
        ScenarioError, match=r"variant\.toml: \[settlement #1\] say where it is with exactly one of"
    ):
        load_scenario(_variant(tmp_path, 'name = "X"\ndays = ["mon"]\npopulation = 10\n'))
    with pytest.raises(ScenarioError, match=r'households = "population" needs population'):
        load_scenario(_variant(tmp_path, 'name = "X"\ndays = ["mon"]\nlat = 41.9\nlon = 72.7\n'))
    with pytest.raises(ScenarioError, match=r"'Терек-Суу' is already a \[\[village\]\]"):
        load_scenario(
            _variant(
                tmp_path,
                'name = "Терек-Суу"\ndays = ["mon"]\nlat = 41.9\nlon = 72.7\npopulation = 5\n',
            )
        )


def test_a_settlement_from_its_own_register(tmp_path: Path) -> None:
    register = tmp_path / "new-houses.csv"
    register.write_text(
        "№,Улица,Дом,Кол-во членов семьи,Широта,Долгота\n"
        "1,Жаңы көчө,1,5,41.92450,72.66830\n2,Жаңы көчө,2,3,41.92460,72.66850\n",
        encoding="utf-8",
    )
    from routing.settlements import settlement_households

    spec = 'name = "Жаңы-Конуш"\nlat = 41.9245\nlon = 72.6684\nhouseholds = "register"\nregister = "new-houses.csv"\ndays = ["tue"]\n'
    sc = load_scenario(_variant(tmp_path, spec))
    frame = settlement_households(sc, sc.settlements[0])
    assert list(frame["members"]) == [5, 3] and set(frame["village"]) == {"Жаңы-Конуш"}
    assert list(frame["street"]) == ["Жаңы көчө", "Жаңы көчө"]
