"""The deep check: the network loaded, every position checked, clear words for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.check import deep_check
from routing.scenario import load_scenario
from tests.conftest import DATA, shared_file

BAYREUTH = DATA / "north-bayreuth" / "scenario.toml"


def test_the_shipped_real_scenario_passes(tmp_path: Path) -> None:
    shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    result = deep_check(load_scenario(BAYREUTH), cache_dir=tmp_path)
    assert result.ok, result.problems
    assert any("extract covers lon 11.5" in line for line in result.lines)
    assert any("positions: 2 of 2 usable" in line for line in result.lines)


def test_a_depot_outside_the_extract_and_a_landfill_off_the_roads(tmp_path: Path) -> None:
    shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    sc = load_scenario(
        BAYREUTH,
        overrides={"depot.lat": 50.5, "depot.lon": 11.9, "network.max_snap_m": 20},
    )
    result = deep_check(sc, cache_dir=tmp_path)
    assert not result.ok
    depot, landfill = result.problems
    assert "[depot] 'Depot Ramsenthal'" in depot and "outside the map data" in depot
    assert "lon 11.5" in depot and "lat 49.9" in depot  # the extract's bounds
    assert "Deponie Heinersgrund" in landfill and "from the nearest road" in landfill
    assert "max_snap_m = 20" in landfill and "Move it next to" in landfill


def test_swapped_coordinates_are_named(tmp_path: Path) -> None:
    shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    sc = load_scenario(BAYREUTH, overrides={"depot.lat": 11.5917, "depot.lon": 50.0081})
    (problem,) = deep_check(sc, cache_dir=tmp_path).problems
    assert "lat and lon look swapped" in problem
    (russian,) = deep_check(sc, cache_dir=tmp_path, language="ru").problems
    assert russian.startswith("[depot] 'Depot Ramsenthal' (широта 11.59170, долгота 50.00810)")
    assert "(похоже, широта и долгота перепутаны)" in russian and "лежит вне" in russian


def test_a_vehicle_banned_from_the_only_road_to_the_landfill_is_told(tmp_path: Path) -> None:
    shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    text = BAYREUTH.read_text(encoding="utf-8").replace(
        'assumption = "a typical 18 t rear-loader; not a real fleet"',
        'assumption = "a typical 18 t rear-loader; not a real fleet"\n'
        'roads_banned = ["tertiary", "unclassified", "residential", "secondary", "track", "service"]',
    )
    text += (
        '\n[[vehicle]]\nname = "Tractor"\nkind = "tractor"\ncount = 1\ncapacity_kg = 2500\n'
        "capacity_m3 = 10\nweight_t = 7\n"
    )
    text = text.replace("../../../shared", str(Path(shared_file("data")).parent))
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    result = deep_check(load_scenario(path), cache_dir=tmp_path)
    assert any("vehicle 'Rear loader'" in line and "may not use" in line for line in result.lines)
    assert any(p.startswith("for vehicle 'Rear loader'") for p in result.problems)
    kyrgyz = deep_check(load_scenario(path), cache_dir=tmp_path, language="ky")
    assert any(p.startswith("'Rear loader' унаасы үчүн: ") for p in kyrgyz.problems)
    assert any("'Rear loader' унаасы: " in line for line in kyrgyz.lines)


def test_check_deep_on_the_command_line_exits_2_with_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from routing.cli import main

    shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    text = BAYREUTH.read_text(encoding="utf-8").replace("lat = 50.0081", "lat = 50.6081")
    text = text.replace("../../../shared", str(Path(shared_file("data")).parent))
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 0  # the file itself is fine
    assert main(["check", "--deep", str(path), "--cache-dir", str(tmp_path / "c")]) == 2
    out = capsys.readouterr().out
    assert "PROBLEM: [depot] 'Depot Ramsenthal'" in out and "outside the map data" in out
    assert "  positions: 1 of 2 usable" in out and "  extract covers lon 11.5" in out
    ru = ["check", "--deep", str(path), "--cache-dir", str(tmp_path / "c"), "--language", "ru"]
    assert main(ru) == 2
    out = capsys.readouterr().out
    assert "  ПРОБЛЕМА: [depot] 'Depot Ramsenthal'" in out and "  места: пригодны 1 из 2" in out
    assert "лежит вне картографических данных: дороги выгрузки охватывают долготу от 11.5" in out
    assert "  выгрузка охватывает долготу от 11.5" in out and "дороги: участков — " in out
    assert main([*ru[:-1], "ky"]) == 2
    out = capsys.readouterr().out
    assert "  КӨЙГӨЙ: [depot]" in out and "  орундар: 2 орундун 1 колдонууга жарайт" in out
    assert "карта маалыматтарынан тышкары: үзүндүнүн жолдору" in out
