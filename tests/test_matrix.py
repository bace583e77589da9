"""Exact travel matrices against networkx, one-way streets, unreachable pairs, legs and steps."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from routing import matrix as matrix_module
from routing.matrix import (
    arc_lengths,
    core_of_arcs,
    leg,
    path_geometry,
    route_uturns,
    travel_matrix,
)
from routing.network import RoadNetwork, load_network
from routing.snapping import snap_points
from tests.conftest import shared_file
from tests.test_network import GRID_LAT, GRID_LON, grid_node_lonlat, write_grid_osm


@pytest.fixture
def grid(tmp_path: Path) -> RoadNetwork:
    return load_network(write_grid_osm(tmp_path / "grid.osm"), cache_dir=tmp_path / "cache")


@pytest.fixture(scope="module")
def bayreuth(tmp_path_factory: pytest.TempPathFactory) -> tuple[RoadNetwork, list[int]]:
    """The real rural extract with 80 random points snapped into it."""
    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    net = load_network(path, cache_dir=tmp_path_factory.mktemp("cache"))
    rng = np.random.default_rng(42)
    lon, lat = rng.uniform(11.54, 11.60, 80), rng.uniform(49.995, 50.045, 80)
    pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)], crs=4326)
    res = snap_points(net, pts, max_distance_m=500)
    return res.network, [int(n) for n in res.points.node[res.points.ok]]


def nx_length_along(g: nx.MultiDiGraph, path: list[int], weight: str = "travel_time") -> float:
    """Length of a node path, taking the fastest of parallel edges (as networkx does)."""
    total = 0.0
    for a, b in itertools.pairwise(path):
        best = min(g[a][b].values(), key=lambda d: (d[weight], d["length"]))
        total += best["length"]
    return total


def test_matrix_equals_networkx_dijkstra(bayreuth: tuple[RoadNetwork, list[int]]) -> None:
    net, nodes = bayreuth
    m = travel_matrix(net, nodes)
    assert m.duration_s.shape == m.distance_m.shape == (len(nodes), len(nodes))
    g = net.graph
    compared = 0
    for i in range(0, len(nodes), 7):
        times, paths = nx.single_source_dijkstra(g, nodes[i], weight="travel_time")
        for j, target in enumerate(nodes):
            if target not in times:
                assert np.isinf(m.duration_s[i, j]) and np.isinf(m.distance_m[i, j])
                continue
            assert m.duration_s[i, j] == pytest.approx(times[target], rel=1e-6, abs=1e-6)
            expected = nx_length_along(g, paths[target])
            assert m.distance_m[i, j] == pytest.approx(expected, rel=1e-6, abs=1e-6)
            compared += 1
    assert compared > 300
    assert np.all(np.diag(m.duration_s) == 0)
    assert not np.allclose(m.duration_s, m.duration_s.T)  # asymmetric: one-way streets


def test_collect_time_and_length_weights(bayreuth: tuple[RoadNetwork, list[int]]) -> None:
    net, nodes = bayreuth
    sample = nodes[:15]
    by_length = travel_matrix(net, sample, weight="length")
    by_time = travel_matrix(net, sample)
    finite = np.isfinite(by_length.distance_m)
    assert np.array_equal(by_length.distance_m, by_length.duration_s)
    # the fastest path is never shorter than the shortest one
    assert np.all(by_time.distance_m[finite] >= by_length.distance_m[finite] - 1e-6)
    expected = nx.single_source_dijkstra_path_length(net.graph, sample[0], weight="collect_time")
    collect = travel_matrix(net, sample, weight="collect_time")
    for j, node in enumerate(sample):
        assert collect.duration_s[0, j] == pytest.approx(expected.get(node, np.inf), rel=1e-9)


def test_one_way_street_is_respected(grid: RoadNetwork) -> None:
    m = travel_matrix(grid, [4, 6])
    direct = grid.graph[4][6][0]["travel_time"]
    assert m.duration_s[0, 1] == pytest.approx(direct)
    assert m.duration_s[1, 0] > direct  # must drive around the block
    back = leg(grid, 6, 4)
    assert (6, 4) not in zip(back.nodes[:-1], back.nodes[1:], strict=True)
    assert back.duration_s == pytest.approx(m.duration_s[1, 0])


def test_unreachable_pairs_are_inf(grid: RoadNetwork) -> None:
    m = travel_matrix(grid, [1, 10, 11])
    assert np.isfinite(m.duration_s[0, 1])  # into the one-way dead end
    assert np.isinf(m.duration_s[1, 0])  # and never out
    assert np.isinf(m.duration_s[0, 2]) and np.isinf(m.distance_m[2, 0])  # the island
    with pytest.raises(ValueError, match="no path from node 10 to node 1"):
        leg(grid, 10, 1)


def test_repeated_nodes_get_equal_rows_and_unknown_nodes_fail(grid: RoadNetwork) -> None:
    m = travel_matrix(grid, [1, 9, 1])
    assert np.array_equal(m.duration_s[0], m.duration_s[2])
    assert m.nodes == [1, 9, 1]
    with pytest.raises(ValueError, match=r"node 12345 \(position 1\) is not in the road network"):
        travel_matrix(grid, [1, 12345])
    assert travel_matrix(grid, []).duration_s.shape == (0, 0)


def test_leg_steps_merge_a_street_and_name_the_turns(grid: RoadNetwork) -> None:
    # west along Ленин көчөсү, then left (south) down Чуй көчөсү, two edges merged into one step
    steps = leg(grid, 9, 1).steps
    assert [(s.street, s.turn) for s in steps] == [
        ("Ленин көчөсү", "depart"),
        ("Чуй көчөсү", "left"),
        ("Чуй көчөсү", "arrive"),
    ]
    assert steps[1].distance_m == pytest.approx(2 * 111.0, rel=0.01)
    assert steps[-1].distance_m == 0
    # north up Чуй көчөсү, then right onto the one-way Токтогул көчөсү (the gravel road is slower)
    up = leg(grid, 1, 6)
    assert up.nodes == [1, 4, 6]
    assert [s.turn for s in up.steps] == ["depart", "right", "arrive"]


def test_leg_geometry_follows_the_streets(grid: RoadNetwork) -> None:
    one = leg(grid, 9, 1)
    assert one.geometry.coords[0] == pytest.approx(grid_node_lonlat(9), abs=1e-7)
    assert one.geometry.coords[-1] == pytest.approx(grid_node_lonlat(1), abs=1e-7)
    assert Point(grid_node_lonlat(7)).distance(one.geometry) < 1e-9  # the corner it turns at
    m = travel_matrix(grid, [9, 1])
    assert one.distance_m == pytest.approx(m.distance_m[0, 1])
    assert one.duration_s == pytest.approx(m.duration_s[0, 1])
    still = leg(grid, 4, 4)
    assert still.distance_m == 0 and still.nodes == [4]


def test_path_geometry_joins_the_legs(grid: RoadNetwork) -> None:
    line = path_geometry(grid, [9, 1, 6])
    first, second = leg(grid, 9, 1).geometry, leg(grid, 1, 6).geometry
    assert len(line.coords) == len(first.coords) + len(second.coords) - 1
    assert shapely.equals_exact(
        shapely.LineString(line.coords[: len(first.coords)]), first, tolerance=1e-12
    )


def test_legs_never_turn_around_but_a_route_may(
    grid: RoadNetwork, bayreuth: tuple[RoadNetwork, list[int]]
) -> None:
    net, nodes = bayreuth
    m = travel_matrix(net, nodes[:12])
    for i in range(12):
        for j in range(12):
            if i != j and np.isfinite(m.duration_s[i, j]):
                assert route_uturns(net, [nodes[i], nodes[j]]) == 0
    # a stop halfway along Манас көчөсү: back the way it came is one U-turn, through is none
    res = snap_points(
        grid,
        gpd.GeoDataFrame(geometry=[Point(GRID_LON + 0.001, GRID_LAT)], crs=4326),
    )
    stop = int(res.points.node.iloc[0])
    assert route_uturns(res.network, [1, stop, 1]) == 1
    assert route_uturns(res.network, [1, stop, 3]) == 0


def test_a_few_points_on_a_pruned_and_contracted_core_stay_exact(
    bayreuth: tuple[RoadNetwork, list[int]],
) -> None:
    net, nodes = bayreuth
    few = nodes[:4]  # most of the graph is dead ends and chains for four points
    m = travel_matrix(net, few)
    for i, source in enumerate(few):
        times, paths = nx.single_source_dijkstra(net.graph, source, weight="travel_time")
        for j, target in enumerate(few):
            if target in times:
                assert m.duration_s[i, j] == pytest.approx(times[target], rel=1e-9)
                expected = nx_length_along(net.graph, paths[target])
                assert m.distance_m[i, j] == pytest.approx(expected, rel=1e-9)
            else:
                assert np.isinf(m.duration_s[i, j])


def test_threads_do_not_change_the_result(
    bayreuth: tuple[RoadNetwork, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    net, nodes = bayreuth
    monkeypatch.setattr(matrix_module, "_CHUNK", 16)  # several blocks of rows
    one = travel_matrix(net, nodes, workers=1)
    two = travel_matrix(net, nodes, workers=3)
    assert np.array_equal(one.duration_s, two.duration_s)
    assert np.array_equal(one.distance_m, two.distance_m)


def test_arc_lengths_finds_each_arc_and_refuses_a_pair_that_is_not_one():
    cu, cv = np.array([2, 0, 1, 0]), np.array([0, 2, 2, 1])
    cw, cl = np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20.0, 30.0, 40.0])
    core = core_of_arcs(np.arange(3), 3, cu, cv, cw, cl)
    got = arc_lengths(core, np.array([0, 1, 2, 0]), np.array([1, 2, 0, 2]))
    assert got.tolist() == [40.0, 30.0, 10.0, 20.0]
    with pytest.raises(ValueError, match="not arcs of the core"):
        arc_lengths(core, np.array([1]), np.array([0]))
