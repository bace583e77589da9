"""A synthetic town: flats at container sites, houses at the gate, one-way centre, any size."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest

from routing.scenario import load_scenario
from routing.synthetic import MAX_TOWN_HOUSEHOLDS, SyntheticTown, generate_town


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> SyntheticTown:
    return generate_town(tmp_path_factory.mktemp("town"), households=3000, seed=4)


def test_households_are_houses_in_the_register_plus_flats_at_container_sites(
    town: SyntheticTown,
) -> None:
    assert town.households == 3000 == town.houses + town.flats
    assert town.flats == 1200
    assert len(_rows(town.files["households"])) == town.houses
    sites = _rows(town.files["containers"])
    flats = [r for r in sites if r["kind"] == "flats"]
    assert len(flats) == town.blocks >= 10
    for row in flats:  # sized to their waste: full enough, never over
        assert 0.3 <= float(row["fill_rate"]) <= 0.85


def test_the_town_is_one_drivable_network_with_one_way_streets(town: SyntheticTown) -> None:
    graph = ox.graph_from_xml(town.files["osm"], retain_all=True, simplify=False)
    drive = {"tertiary", "unclassified", "residential", "service", "track"}
    truck = [
        (u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d.get("highway") in drive
    ]
    assert nx.is_strongly_connected(graph.edge_subgraph(truck))
    oneway = [d for _, _, d in graph.edges(data=True) if d.get("oneway") is True]
    assert len(oneway) > 10
    tags = town.files["osm"].read_text(encoding="utf-8")
    assert tags.count('k="building" v="apartments"') == 2 * town.blocks
    assert 'k="source" v="synthetic"' in tags


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path, town: SyntheticTown) -> None:
    again = generate_town(tmp_path, households=3000, seed=4)
    for kind, path in town.files.items():
        assert path.read_bytes() == again.files[kind].read_bytes(), kind


def test_the_scenario_loads_and_says_it_is_synthetic(town: SyntheticTown) -> None:
    scenario = load_scenario(town.files["scenario"])
    assert scenario.synthetic
    assert any("synthetic" in a for a in scenario.assumptions)
    assert "synthetic" in town.files["readme"].read_text(encoding="utf-8").lower()


def test_a_size_out_of_range_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="allowed: 1 to 30000"):
        generate_town(tmp_path, households=MAX_TOWN_HOUSEHOLDS + 1)


@pytest.mark.slow
def test_the_largest_town_generates(tmp_path: Path) -> None:
    town = generate_town(tmp_path, households=MAX_TOWN_HOUSEHOLDS, seed=1)
    assert town.households == MAX_TOWN_HOUSEHOLDS
    assert len(_rows(town.files["households"])) == town.houses
