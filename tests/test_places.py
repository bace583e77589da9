"""Houses go to the place nearest by road; places of the same name are told apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from routing.estimate import estimate_households_from_buildings
from routing.network import RoadNetwork, load_network
from routing.places import assign_places, municipalities, read_boundaries
from tests.conftest import shared_file


@pytest.fixture(scope="module")
def liechtenstein(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RoadNetwork]:
    path = shared_file("data", "osm", "liechtenstein-2013-08-03.osm.pbf")
    return path, load_network(path, cache_dir=tmp_path_factory.mktemp("cache"))


def _houses(path: Path, net: RoadNetwork) -> tuple[np.ndarray, list[str]]:
    hh = estimate_households_from_buildings(path, household_size=2.3)
    x, y = net.from_wgs84(hh.geometry.x.to_numpy(), hh.geometry.y.to_numpy())
    return np.column_stack([x, y]), list(hh["village"])


def test_boundaries_give_each_place_its_municipality(liechtenstein) -> None:  # type: ignore[no-untyped-def]
    path, net = liechtenstein
    bounds = read_boundaries(path)
    assert {"Vaduz", "Balzers", "Triesen", "Eschen"} <= {b[0] for b in bounds}
    towns = dict(
        zip([p[0] for p in net.places], municipalities(net.places, bounds, net), strict=True)
    )
    assert towns["Nendeln"] == "Eschen" and towns["Balzers"] == "Balzers"


def test_same_name_places_are_told_apart_by_their_municipality(liechtenstein) -> None:  # type: ignore[no-untyped-def]
    path, net = liechtenstein
    xy, straight = _houses(path, net)
    # make the case: Balzers's place node renamed "Triesen", so two places share the name
    twin = RoadNetwork(
        net.graph, net.crs, net.source, net.synthetic, net.attribution,
        tuple(("Triesen", *p[1:]) if p[0] == "Balzers" else p for p in net.places),
    )  # fmt: skip
    towns = municipalities(twin.places, read_boundaries(path), twin)
    got = assign_places(xy, twin, meant={"Triesen": "Triesen"}, place_municipality=towns)
    near_balzers = [v == "Balzers" for v in straight]
    near_triesen = [v == "Triesen" for v in straight]
    balzers = [got.villages[i] for i, b in enumerate(near_balzers) if b]
    triesen = [got.villages[i] for i, t in enumerate(near_triesen) if t]
    assert balzers.count("Triesen (Balzers)") > 0.9 * len(balzers)
    assert triesen.count("Triesen") > 0.9 * len(triesen)
    assert "Triesen (Balzers)" in got.renamed
    # the scenario means the other one: the names swap
    other = assign_places(xy, twin, meant={"Triesen": "Balzers"}, place_municipality=towns)
    swapped = [other.villages[i] for i, b in enumerate(near_balzers) if b]
    assert swapped.count("Triesen") > 0.9 * len(swapped)
    # no boundaries: the one nearer the depot by road keeps the name
    depot = min(
        twin.graph.nodes,
        key=lambda n: abs(twin.graph.nodes[n]["y"] - xy[near_balzers.index(True)][1]),
    )
    by_road = assign_places(xy, twin, depot_node=depot)
    assert by_road.villages[near_balzers.index(True)] == "Triesen"
    assert any(v == "Triesen (2)" for v in by_road.villages)


def test_houses_take_the_place_nearest_by_road(liechtenstein) -> None:  # type: ignore[no-untyped-def]
    path, net = liechtenstein
    xy, straight = _houses(path, net)
    got = assign_places(xy, net).villages
    assert all(got) and len(got) == len(straight)
    same = np.mean([a == b for a, b in zip(got, straight, strict=True)])
    assert 0.6 < same < 1.0  # mostly the same as in a straight line, not always


def test_places_of_one_name_a_register_names_are_told_apart(liechtenstein) -> None:  # type: ignore[no-untyped-def]
    from routing.places import same_name_places

    path, net = liechtenstein
    # Schaanwald (in Mauren) labelled as a second "Nendeln" (the real one is in Eschen)
    places = [
        ("Nendeln (a)", "Nendeln", 9.5431, 47.1974),
        ("Nendeln (b)", "Nendeln", 9.5700, 47.2165),
        ("Vaduz", "Vaduz", 9.5228, 47.1393),
    ]
    labels = ["Nendeln (a)", "Nendeln (b)"]
    same = same_name_places(
        places, net, osm_path=path, meant={"Nendeln": "Eschen"}, depot_lonlat=(9.52, 47.14)
    )
    assert same.goes_by == {"Nendeln (a)": "Nendeln", "Nendeln (b)": "Nendeln (Mauren)"}
    assert same.town == {"Nendeln (a)": "Eschen", "Nendeln (b)": "Mauren"}
    assert "not in 'Eschen'" in same.renamed["Nendeln (Mauren)"]
    assert same.choose(labels, None) == "Nendeln (a)"  # the scenario's
    assert same.choose(labels, "Mauren") == "Nendeln (b)"  # the row's own municipality
    assert same.choose(labels, "Eschen") == "Nendeln (a)"
    assert same.choose(labels, "Vaduz") is None  # in neither: left unplaced, never guessed
    # no boundaries: the one nearer the depot by road is meant, a row's municipality is
    # compared with the scenario's for that name
    none = path.with_name("no-such-file.osm")
    near_b = (9.5700, 47.2165)
    by_road = same_name_places(places, net, osm_path=none, meant={}, depot_lonlat=near_b)
    assert by_road.goes_by == {"Nendeln (a)": "Nendeln (2)", "Nendeln (b)": "Nendeln"}
    assert by_road.choose(labels, None) == "Nendeln (b)"
    told = same_name_places(
        places, net, osm_path=none, meant={"Nendeln": "Mauren"}, depot_lonlat=near_b
    )
    assert told.choose(labels, "Mauren") == "Nendeln (b)"
    assert told.choose(labels, "Eschen") == "Nendeln (a)"
