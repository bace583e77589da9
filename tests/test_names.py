"""Every road has a name: OSM name, else ref, else a description in the scenario's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.api import plan_week
from routing.directions import directions
from routing.names import road_kind, road_name
from routing.network import load_network
from routing.scenario import load_scenario
from tests.conftest import DATA, shared_file


def test_name_then_ref_then_a_description() -> None:
    assert road_name({"name": "Ленин көчөсү", "ref": "A1"}, language="ky") == "Ленин көчөсү"
    assert road_name({"name": "", "ref": "KU 14"}, language="ru") == "KU 14"
    track = {
        "name": "",
        "highway": "track",
        "near_street": "Ленин көчөсү",
        "near_place": "Терек-Суу",
    }
    assert road_name(track, language="en") == "unnamed track off Ленин көчөсү, Терек-Суу"
    assert road_name(track, language="ru") == (
        "грунтовая дорога без названия у Ленин көчөсү, Терек-Суу"
    )
    assert road_name(track, language="ky") == "аты жок талаа жолу, Ленин көчөсү жанында, Терек-Суу"
    assert road_name({"highway": "service", "near_place": "Терек-Суу"}, language="en") == (
        "unnamed service road near Терек-Суу"
    )
    assert road_name({}, language="en") == "unnamed road"
    assert road_kind(["residential", "track"], language="ru") == "улица"


@pytest.fixture(scope="module")
def bayreuth(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    return load_network(path, cache_dir=tmp_path_factory.mktemp("cache"))


def test_a_real_extract_where_most_roads_are_unnamed(bayreuth) -> None:  # type: ignore[no-untyped-def]
    edges = [d for *_, d in bayreuth.graph.edges(data=True)]
    unnamed = [d for d in edges if not d["name"]]
    assert len(unnamed) > len(edges) / 2  # the case this is for
    assert len(bayreuth.places) > 10
    names = [road_name(d, language="ky") for d in edges]
    assert all(n and n.strip() not in ("", "—") for n in names)
    # nearly every unnamed road branches off a named one within reach, and has a place
    with_street = [d for d in unnamed if d["near_street"]]
    assert len(with_street) > 0.9 * len(unnamed)
    assert all(d["near_place"] for d in unnamed)
    # the street it branches off is one of the graph's names, found along the roads
    named = {d["name"] for d in edges if d["name"]}
    assert {d["near_street"] for d in with_street} <= named


@pytest.mark.slow
def test_every_stop_and_direction_of_a_real_plan_has_a_name(tmp_path: Path) -> None:
    shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    sc = load_scenario(
        DATA / "north-bayreuth" / "scenario.toml",
        overrides={"solver.time_limit_s": 1.0, "scenario.language": "ru"},
    )
    plan = plan_week(sc, cache_dir=tmp_path)
    stops = [s for vd in plan.vehicle_days for s in vd.collect_stops]
    assert stops
    assert all(s.street and s.street != "—" for s in stops)
    described = [s for s in stops if "без названия" in s.street]
    assert described  # unnamed roads were collected and described in Russian
    for vd in plan.vehicle_days[:3]:
        lines = directions(plan.network.graph, vd, language="ky")
        driving = [ln for ln in lines if ln.kind not in ("landfill", "depot", "lunch")]
        assert all(ln.street.strip() and ln.street != "—" for ln in driving)
