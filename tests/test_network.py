"""Loading OSM roads for a truck: every file format, the profile, the cache, connectivity."""

from __future__ import annotations

import bz2
import gzip
import shutil
from pathlib import Path

import networkx as nx
import pyproj
import pytest
from shapely.geometry import LineString

from routing import network as network_module
from routing.errors import InputError
from routing.network import RoadNetwork, default_cache_dir, load_network, strongly_connected_to
from routing.profile import TruckProfile
from tests.conftest import shared_file

# A hand-made village: a 3 x 3 grid (ids 1..9, id = 1 + 3 * row + col), west-east rows, plus a
# one-way dead end 9 -> 10 and an island 11 - 12.
GRID_LON, GRID_LAT, STEP = 73.0, 41.0, 0.001
GRID_WAYS: list[tuple[int, list[int], dict[str, str]]] = [
    (101, [1, 2, 3], {"highway": "residential", "name": "Манас көчөсү"}),
    (102, [4, 5, 6], {"highway": "residential", "name": "Токтогул көчөсү", "oneway": "yes"}),
    (103, [7, 8, 9], {"highway": "residential", "name": "Ленин көчөсү"}),
    (104, [1, 4, 7], {"highway": "unclassified", "name": "Чуй көчөсү"}),
    (105, [3, 6, 9], {"highway": "residential", "name": "Бакаев көчөсү", "surface": "gravel"}),
    (106, [2, 5], {"highway": "footway"}),
    (107, [5, 8], {"highway": "service", "access": "private"}),
    (108, [9, 10], {"highway": "residential", "name": "Туюк көчөсү", "oneway": "yes"}),
    (109, [11, 12], {"highway": "track", "surface": "dirt"}),
]


def grid_node_lonlat(node: int) -> tuple[float, float]:
    """Return the lon/lat of a node of the hand-made village."""
    if node <= 9:
        row, col = divmod(node - 1, 3)
        return GRID_LON + col * STEP, GRID_LAT + row * STEP
    return {10: (GRID_LON + 3 * STEP, GRID_LAT + 3 * STEP), 11: (73.02, 41.0), 12: (73.021, 41.0)}[
        node
    ]


def write_grid_osm(
    path: Path, *, extra_tags: dict[str, str] | None = None, ways: list | None = None
) -> Path:
    """Write the hand-made village as OSM XML (``extra_tags`` go on every way)."""
    ways = GRID_WAYS if ways is None else ways
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6">']
    used = sorted({n for _, refs, _ in ways for n in refs})
    for node in used:
        lon, lat = grid_node_lonlat(node)
        lines.append(f'<node id="{node}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for way_id, refs, tags in ways:
        lines.append(f'<way id="{way_id}">')
        lines += [f'<nd ref="{r}"/>' for r in refs]
        lines += [f'<tag k="{k}" v="{v}"/>' for k, v in {**tags, **(extra_tags or {})}.items()]
        lines.append("</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def grid(tmp_path: Path) -> RoadNetwork:
    return load_network(write_grid_osm(tmp_path / "grid.osm"), cache_dir=tmp_path / "cache")


def test_every_edge_has_the_contract_attributes(tmp_path: Path) -> None:
    path = shared_file("data", "osm", "bavaria-village-small.osm")
    net = load_network(path, cache_dir=tmp_path)
    g = net.graph
    assert g.number_of_edges() > 0
    assert net.crs == g.graph["crs"]
    assert pyproj.CRS.from_user_input(net.crs).utm_zone == "32N"  # the village is at 10° E
    for u, v, data in g.edges(data=True):
        assert data["length"] > 0
        assert data["travel_time"] > 0
        assert data["collect_time"] >= data["travel_time"]
        assert isinstance(data["name"], str)
        assert isinstance(data["highway"], str)
        assert isinstance(data["oneway"], bool)
        geom = data["geometry"]
        assert isinstance(geom, LineString)
        assert geom.coords[0] == pytest.approx((g.nodes[u]["x"], g.nodes[u]["y"]))
        assert geom.coords[-1] == pytest.approx((g.nodes[v]["x"], g.nodes[v]["y"]))
        # projected metres: the geometry is as long as the great-circle length
        assert geom.length == pytest.approx(data["length"], rel=0.01)
    assert net.attribution == "© OpenStreetMap contributors"
    assert not net.synthetic


def test_private_driveways_of_the_real_village_are_left_out(tmp_path: Path) -> None:
    path = shared_file("data", "osm", "bavaria-village-small.osm")
    net = load_network(path, cache_dir=tmp_path)
    assert {d["highway"] for *_, d in net.graph.edges(data=True)} == {"residential", "track"}


def test_footways_and_private_service_roads_are_not_in_the_graph(grid: RoadNetwork) -> None:
    highways = {d["highway"] for *_, d in grid.graph.edges(data=True)}
    assert "footway" not in highways
    assert "service" not in highways
    assert 5 not in grid.graph  # only reached by the footway and the private road


def test_one_way_street_is_driven_one_way_only(grid: RoadNetwork) -> None:
    g = grid.graph
    assert g.has_edge(4, 6) and not g.has_edge(6, 4)
    assert all(d["oneway"] for d in g[4][6].values())
    assert g.has_edge(1, 3) and g.has_edge(3, 1)


def test_travel_and_collect_times_follow_the_profile(grid: RoadNetwork) -> None:
    profile = TruckProfile()
    for _, _, d in grid.graph.edges(data=True):
        tags = {"highway": d["highway"], "surface": d.get("surface")}
        assert d["travel_time"] == pytest.approx(d["length"] / (profile.speed_kmh(tags) / 3.6))
        assert d["collect_time"] == pytest.approx(d["length"] / (profile.collect_speed(tags) / 3.6))


def test_names_are_strings_even_without_a_name(grid: RoadNetwork) -> None:
    names = {d["name"] for *_, d in grid.graph.edges(data=True)}
    assert "" in names  # the island track has no name
    assert "Манас көчөсү" in names


def test_bz2_extract_loads(tmp_path: Path) -> None:
    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    net = load_network(path, cache_dir=tmp_path)
    g = net.graph
    assert g.number_of_nodes() > 500
    assert any(d["oneway"] for *_, d in g.edges(data=True))
    assert {"track", "residential"} <= {d["highway"] for *_, d in g.edges(data=True)}


def test_gz_and_bz2_load_like_plain_xml(tmp_path: Path) -> None:
    plain = write_grid_osm(tmp_path / "v.osm")
    gz = tmp_path / "v2.osm.gz"
    with plain.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    bz = tmp_path / "v3.osm.bz2"
    bz.write_bytes(bz2.compress(plain.read_bytes()))
    nets = [load_network(p, cache_dir=tmp_path / "c") for p in (plain, gz, bz)]
    edges = [sorted((u, v) for u, v in n.graph.edges()) for n in nets]
    assert edges[0] == edges[1] == edges[2]


def test_pbf_loads_clipped_to_a_bbox(tmp_path: Path) -> None:
    path = shared_file("data", "osm", "liechtenstein-2013-08-03.osm.pbf")
    bbox = (9.515, 47.13, 9.535, 47.145)  # Vaduz centre
    net = load_network(path, cache_dir=tmp_path, bbox=bbox)
    g = net.graph
    assert 50 < g.number_of_nodes() < 2000
    lon, lat = net.to_wgs84(
        [d["x"] for _, d in g.nodes(data=True)], [d["y"] for _, d in g.nodes(data=True)]
    )
    # complete ways are kept, so nodes may reach a little beyond the box, not far
    assert min(lon) > bbox[0] - 0.05 and max(lon) < bbox[2] + 0.05
    assert min(lat) > bbox[1] - 0.05 and max(lat) < bbox[3] + 0.05


def test_second_load_comes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_grid_osm(tmp_path / "grid.osm")
    first = load_network(path, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again instead of using the cache")

    monkeypatch.setattr(network_module, "_build_from_file", refuse)
    second = load_network(path, cache_dir=tmp_path / "cache")
    assert nx.utils.edges_equal(first.graph.edges(), second.graph.edges())
    assert second.source == first.source
    for (*_, a), (*_, b) in zip(
        first.graph.edges(data=True), second.graph.edges(data=True), strict=True
    ):
        assert a["geometry"].equals_exact(b["geometry"], tolerance=0)
        assert a["travel_time"] == b["travel_time"]


def test_an_unreadable_cache_is_rebuilt(tmp_path: Path) -> None:
    path = write_grid_osm(tmp_path / "grid.osm")
    load_network(path, cache_dir=tmp_path / "cache")
    (cached,) = (tmp_path / "cache").glob("*.pickle")
    cached.write_bytes(b"not a pickle")
    again = load_network(path, cache_dir=tmp_path / "cache")
    assert again.graph.has_edge(1, 3)


def test_changed_profile_rebuilds(tmp_path: Path) -> None:
    path = write_grid_osm(tmp_path / "grid.osm")
    slow = load_network(path, cache_dir=tmp_path / "c")
    fast = load_network(
        path,
        cache_dir=tmp_path / "c",
        profile=TruckProfile.from_mapping({"speeds_kmh": {"residential": 50}}, where="t"),
    )
    assert len(list((tmp_path / "c").glob("*.pickle"))) == 2
    assert fast.graph[1][3][0]["travel_time"] == pytest.approx(
        slow.graph[1][3][0]["travel_time"] / 2
    )


def test_changed_file_rebuilds(tmp_path: Path) -> None:
    path = write_grid_osm(tmp_path / "grid.osm")
    before = load_network(path, cache_dir=tmp_path / "c")
    write_grid_osm(path, extra_tags={"maxspeed": "10"})
    after = load_network(path, cache_dir=tmp_path / "c")
    assert after.graph[1][3][0]["travel_time"] > before.graph[1][3][0]["travel_time"]


def test_a_heavier_truck_loses_the_weight_limited_bridge(tmp_path: Path) -> None:
    ways = [*GRID_WAYS]
    ways[0] = (101, [1, 2, 3], {"highway": "residential", "maxweight": "7.5"})
    path = write_grid_osm(tmp_path / "bridge.osm", ways=ways)
    light = load_network(path, cache_dir=tmp_path / "c", profile=TruckProfile(weight_t=7))
    heavy = load_network(path, cache_dir=tmp_path / "c", profile=TruckProfile(weight_t=16))
    assert light.graph.has_edge(1, 3)
    assert not heavy.graph.has_edge(1, 3)


def test_missing_file_says_how_to_get_an_extract(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="geofabrik") as err:
        load_network(tmp_path / "nowhere.osm.pbf", cache_dir=tmp_path)
    assert "osmium extract" in str(err.value)


def test_a_file_without_truck_roads_is_an_error(tmp_path: Path) -> None:
    path = write_grid_osm(tmp_path / "paths.osm", ways=[(1, [1, 2, 3], {"highway": "footway"})])
    with pytest.raises(InputError, match="no road a truck may use"):
        load_network(path, cache_dir=tmp_path)


def test_synthetic_stand_in_is_flagged_in_the_attribution(tmp_path: Path) -> None:
    path = write_grid_osm(tmp_path / "synthetic.osm", extra_tags={"source": "synthetic"})
    net = load_network(path, cache_dir=tmp_path)
    assert net.synthetic
    assert "synthetic stand-in" in net.attribution
    assert "© OpenStreetMap contributors" in net.attribution


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TAZA_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "networks"
    monkeypatch.delenv("TAZA_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "taza-routing" / "networks"


def test_strongly_connected_part_excludes_one_way_traps_and_islands(grid: RoadNetwork) -> None:
    part = strongly_connected_to(grid, 1)
    assert {1, 3, 4, 6, 7, 9} <= part
    assert 10 not in part  # reached by a one-way dead end, never left
    assert 11 not in part and 12 not in part  # an island
    assert strongly_connected_to(grid, 11) == {11, 12}


def test_wgs84_round_trip_and_map_frames(grid: RoadNetwork) -> None:
    x, y = grid.graph.nodes[1]["x"], grid.graph.nodes[1]["y"]
    lon, lat = grid.to_wgs84(x, y)
    assert (lon, lat) == pytest.approx(grid_node_lonlat(1), abs=1e-7)
    assert grid.from_wgs84(lon, lat) == pytest.approx((x, y), abs=1e-3)
    assert grid.nodes_gdf().crs.to_epsg() == 4326
    edges = grid.edges_gdf()
    assert edges.crs.to_epsg() == 4326
    assert len(edges) == grid.graph.number_of_edges()


def test_offline_place_name_says_how_to_get_an_extract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("Failed to resolve 'nominatim'")

    monkeypatch.setattr(network_module.ox, "graph_from_place", offline)
    saved = network_module.ox.settings.cache_folder
    try:
        with pytest.raises(InputError, match="offline") as err:
            load_network("Toktogul, Kyrgyzstan", cache_dir=tmp_path / "networks")
    finally:
        network_module.ox.settings.cache_folder = saved
    assert "download.geofabrik.de" in str(err.value)
    assert "osmium extract" in str(err.value)


def test_a_banned_road_type_is_absent_from_the_vehicles_network(tmp_path: Path) -> None:
    from routing.network import restrict
    from routing.profile import TruckProfile

    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    net = load_network(path, cache_dir=tmp_path)
    tracks = [k for *k, d in net.graph.edges(keys=True, data=True) if d["highway"] == "track"]
    assert len(tracks) > 100
    compactor = restrict(net, TruckProfile().for_vehicle(roads_banned=["track"]))
    assert compactor.graph.number_of_nodes() == net.graph.number_of_nodes()
    assert not [d for *_, d in compactor.graph.edges(data=True) if d["highway"] == "track"]
    assert restrict(net, TruckProfile().for_vehicle(roads_banned=["track"])) is compactor
    assert restrict(net, TruckProfile()) is net  # nothing refused: the same network
    # a profile banning tracks at build time gives a network without them, cached apart
    banned = load_network(
        path, cache_dir=tmp_path, profile=TruckProfile(banned_highways=frozenset({"track"}))
    )
    assert not [d for *_, d in banned.graph.edges(data=True) if d["highway"] == "track"]
    assert len(list(tmp_path.glob("*.pickle"))) == 2
