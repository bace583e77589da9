"""Snapping points to the nearest usable edge, at the right place along it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point

from routing.network import RoadNetwork, load_network
from routing.snapping import snap_points
from tests.conftest import shared_file
from tests.test_network import GRID_LAT, GRID_LON, STEP, write_grid_osm

# metres per degree of longitude at the grid's latitude (41° N), for expected offsets
M_PER_DEG_LON = 111_320 * np.cos(np.radians(GRID_LAT))


@pytest.fixture
def grid(tmp_path: Path) -> RoadNetwork:
    return load_network(write_grid_osm(tmp_path / "grid.osm"), cache_dir=tmp_path / "cache")


def points(*lonlat: tuple[float, float] | None, index: list | None = None) -> gpd.GeoDataFrame:
    geoms = [Point(p) if p is not None else None for p in lonlat]
    return gpd.GeoDataFrame({"name": range(len(geoms))}, geometry=geoms, crs=4326, index=index)


def test_point_snaps_into_the_edge_at_its_position(grid: RoadNetwork) -> None:
    # 42 m east of node 1 on Манас көчөсү (1 - 3), 11 m north of it
    res = snap_points(grid, points((GRID_LON + 0.0005, GRID_LAT + 0.0001)))
    row = res.points.iloc[0]
    assert row.ok and row.reason is None
    assert {row.u, row.v} == {1, 3}
    from_1 = (
        row.offset_m
        if row.u == 1
        else grid.graph.edges[row.u, row.v, row.key]["length"] - row.offset_m
    )
    assert from_1 == pytest.approx(0.0005 * M_PER_DEG_LON, abs=0.5)
    assert row.snap_m == pytest.approx(0.0001 * 111_040, abs=0.5)
    assert row.geometry.y == pytest.approx(GRID_LAT, abs=1e-6)
    assert row.geometry.x == pytest.approx(GRID_LON + 0.0005, abs=1e-6)
    # the north side is on the right of the westbound direction: that edge is reported
    assert (row.u, row.v) == (3, 1)


def test_split_cuts_both_directions_with_proportional_attributes(grid: RoadNetwork) -> None:
    res = snap_points(grid, points((GRID_LON + 0.0005, GRID_LAT)))
    new = int(res.points.node.iloc[0])
    g, old = res.network.graph, grid.graph
    assert new not in old and new in g
    assert not g.has_edge(1, 3) and not g.has_edge(3, 1)
    whole = old.edges[1, 3, 0]
    for a, b in ((1, 3), (3, 1)):
        first, second = g[a][new][0], g[new][b][0]
        assert first["length"] + second["length"] == pytest.approx(whole["length"])
        for attr in ("travel_time", "collect_time"):
            share = first["length"] / whole["length"]
            assert first[attr] == pytest.approx(whole[attr] * share)
        assert first["name"] == whole["name"]
        assert first["geometry"].coords[-1] == pytest.approx((g.nodes[new]["x"], g.nodes[new]["y"]))
    assert g[1][new][0]["length"] == pytest.approx(0.0005 * M_PER_DEG_LON, abs=0.5)
    assert grid.graph.has_edge(1, 3)  # the input network is untouched


def test_several_points_on_one_edge_split_it_in_order(grid: RoadNetwork) -> None:
    lons = [GRID_LON + f * 2 * STEP for f in (0.75, 0.25, 0.5)]
    res = snap_points(grid, points(*[(lon, GRID_LAT) for lon in lons]))
    n75, n25, n50 = (int(n) for n in res.points.node)
    g = res.network.graph
    assert nx.shortest_path(g, 1, 3, weight="length") == [1, n25, n50, n75, 3]
    assert nx.shortest_path(g, 3, 1, weight="length") == [3, n75, n50, n25, 1]
    total = sum(g[a][b][0]["length"] for a, b in [(1, n25), (n25, n50), (n50, n75), (n75, 3)])
    assert total == pytest.approx(grid.graph[1][3][0]["length"])


def test_two_points_at_one_place_share_a_node(grid: RoadNetwork) -> None:
    here = (GRID_LON + 0.0007, GRID_LAT)
    res = snap_points(grid, points(here, (here[0], here[1] - 0.00005)))
    assert res.points.node.iloc[0] == res.points.node.iloc[1]
    assert res.network.graph.number_of_nodes() == grid.graph.number_of_nodes() + 1


def test_point_at_an_intersection_takes_its_node(grid: RoadNetwork) -> None:
    res = snap_points(grid, points((GRID_LON + 0.000001, GRID_LAT - 0.00005)))
    assert res.points.node.iloc[0] == 1
    assert res.network.graph.number_of_nodes() == grid.graph.number_of_nodes()


def test_one_way_edge_is_split_in_its_only_direction(grid: RoadNetwork) -> None:
    res = snap_points(grid, points((GRID_LON + 0.0012, GRID_LAT + STEP + 0.00002)))
    row = res.points.iloc[0]
    assert (row.u, row.v) == (4, 6)
    g = res.network.graph
    assert g.has_edge(4, row.node) and g.has_edge(row.node, 6)
    assert not g.has_edge(row.node, 4) and not g.has_edge(6, row.node)


def test_far_point_is_off_the_network_with_its_distance(grid: RoadNetwork) -> None:
    res = snap_points(grid, points((GRID_LON + 0.001, GRID_LAT - 0.01)), max_distance_m=250)
    row = res.points.iloc[0]
    assert not row.ok and row.node == -1
    assert row.reason == f"off the road network ({row.snap_m:.0f} m from the nearest road)"
    assert 1100 < row.snap_m < 1120
    assert res.network.graph.number_of_nodes() == grid.graph.number_of_nodes()


def test_a_site_off_the_roads_is_said_in_every_language(grid: RoadNetwork) -> None:
    from routing.snapping import check_sites

    far = ("[depot] 'Garage'", GRID_LON + 0.001, GRID_LAT - 0.01)
    _, [check] = check_sites(grid, [far], max_snap_m=250, language="ru")
    assert not check.ok and check.problem == check.problems["ru"]
    assert set(check.problems) == {"ky", "ru", "en"}
    assert "lies outside the map data" in check.problems["en"]
    assert check.problems["ky"] != check.problems["ru"] != check.problems["en"]
    with pytest.raises(ValueError, match="ky, ru, en"):
        check_sites(grid, [far], max_snap_m=250, language="fr")


def test_points_the_truck_cannot_reach_and_leave_are_flagged(grid: RoadNetwork) -> None:
    res = snap_points(
        grid,
        points(
            (GRID_LON + 0.001, GRID_LAT + 2 * STEP),  # on Ленин көчөсү: fine
            (73.0205, 41.0),  # on the island track
            (GRID_LON + 2.5 * STEP, GRID_LAT + 2.5 * STEP),  # on the one-way dead end 9 -> 10
        ),
        anchor_node=1,
    )
    assert res.points.ok.tolist() == [True, False, False]
    assert res.points.reason.tolist()[1:] == ["unreachable from the depot"] * 2
    assert (res.points.node >= 0).all()  # they are on the graph, only not reachable


def test_points_without_location_are_flagged(grid: RoadNetwork) -> None:
    pts = points((GRID_LON, GRID_LAT), None)
    pts.loc[2, "geometry"] = Point()
    res = snap_points(grid, pts)
    assert res.points.ok.tolist() == [True, False, False]
    assert res.points.reason.tolist()[1:] == ["no location", "no location"]
    assert res.points.geometry.iloc[1] is None


def test_without_split_the_node_is_the_nearer_end_along_the_edge(grid: RoadNetwork) -> None:
    res = snap_points(
        grid,
        points((GRID_LON + 0.4 * STEP, GRID_LAT), (GRID_LON + 1.6 * STEP, GRID_LAT)),
        split=False,
    )
    assert res.network is grid
    assert res.points.node.tolist() == [1, 3]
    assert res.points.offset_m.notna().all()


def test_index_is_kept_and_ids_are_repeatable(grid: RoadNetwork) -> None:
    pts = points(
        (GRID_LON + 0.0005, GRID_LAT), (GRID_LON + 0.0015, GRID_LAT), index=["hh-7", "hh-3"]
    )
    a = snap_points(grid, pts)
    b = snap_points(grid, pts)
    assert a.points.index.tolist() == ["hh-7", "hh-3"]
    assert a.points.node.tolist() == b.points.node.tolist()
    assert a.points.crs.to_epsg() == 4326


def test_bad_arguments_are_refused(grid: RoadNetwork) -> None:
    with pytest.raises(ValueError, match="max_distance_m"):
        snap_points(grid, points((GRID_LON, GRID_LAT)), max_distance_m=0)
    with pytest.raises(ValueError, match="anchor_node 999"):
        snap_points(grid, points((GRID_LON, GRID_LAT)), anchor_node=999)


def test_real_extract_keeps_total_length_and_time(tmp_path: Path) -> None:
    net = load_network(shared_file("data", "osm", "bavaria-village-small.osm"), cache_dir=tmp_path)
    rng = np.random.default_rng(7)
    lon = rng.uniform(10.068, 10.071, 40)
    lat = rng.uniform(48.135, 48.137, 40)
    res = snap_points(net, points(*zip(lon, lat, strict=True)), max_distance_m=100)
    ok = res.points[res.points.ok]
    assert len(ok) > 20
    assert (ok.snap_m <= 100).all()
    for attr in ("length", "travel_time", "collect_time"):
        before = sum(d for *_, d in net.graph.edges(data=attr))
        after = sum(d for *_, d in res.network.graph.edges(data=attr))
        assert after == pytest.approx(before)
    # every snapped point lies on its new node
    g = res.network.graph
    for node, geom in zip(ok.node, ok.geometry, strict=True):
        x, y = net.from_wgs84(geom.x, geom.y)
        assert (x, y) == pytest.approx((g.nodes[node]["x"], g.nodes[node]["y"]), abs=0.01)


def test_a_profile_snaps_only_to_roads_it_may_drive(tmp_path: Path) -> None:
    from routing.profile import TruckProfile

    net = load_network(shared_file("data", "osm", "bavaria-village-small.osm"), cache_dir=tmp_path)
    beside_track = points((10.070295, 48.136203))  # 21 m from the nearest street
    anyhow = snap_points(net, beside_track, max_distance_m=100, split=False).points.iloc[0]
    assert net.graph.edges[anyhow.u, anyhow.v, anyhow.key]["highway"] == "track"
    compactor = TruckProfile().for_vehicle(roads_banned=["track"])
    own = snap_points(net, beside_track, max_distance_m=100, split=True, profile=compactor)
    row = own.points.iloc[0]
    assert row.ok and row.snap_m > anyhow.snap_m + 5
    assert net.graph.edges[row.u, row.v, row.key]["highway"] == "residential"
    assert row.node in own.network.graph  # the full network is split, not the compactor's copy
    too_near = snap_points(net, beside_track, max_distance_m=15, profile=compactor).points
    assert not too_near.ok.iloc[0] and "off the road network" in too_near.reason.iloc[0]
