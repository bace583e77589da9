"""Collection points: households grouped by street edge, sides of main roads, demand arithmetic."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point

from routing.demand import COLLECTION_POINT_COLUMNS, collect_seconds, collection_points

CRS = "EPSG:32643"  # UTM 43N, the Toktogul valley
X0, Y0 = 500_000.0, 4_640_000.0
TO_WGS = Transformer.from_crs(CRS, 4326, always_xy=True)


def _graph() -> nx.MultiDiGraph:
    """1 -- 2 village lane (two-way); 2 -- 3 main road (two-way); 3 -> 4 one-way lane."""
    g = nx.MultiDiGraph(crs=CRS)
    for n, (x, y) in {1: (0, 0), 2: (100, 0), 3: (200, 0), 4: (200, 100)}.items():
        g.add_node(n, x=X0 + x, y=Y0 + y)

    def add(u: int, v: int, name: str, highway: str, oneway: bool, speed_ms: float) -> None:
        a, b = g.nodes[u], g.nodes[v]
        line = LineString([(a["x"], a["y"]), (b["x"], b["y"])])
        g.add_edge(
            u, v, 0, length=line.length, travel_time=line.length / 10, name=name, highway=highway,
            oneway=oneway, collect_time=line.length / speed_ms, geometry=line,
        )  # fmt: skip

    add(1, 2, "Манас көчөсү", "residential", False, 2.0)
    add(2, 1, "Манас көчөсү", "residential", False, 2.0)
    add(2, 3, "Valley road", "secondary", False, 3.0)
    add(3, 2, "Valley road", "secondary", False, 3.0)
    add(3, 4, "Бир жактуу", "residential", True, 2.0)
    return g


def _hh(rows: list[tuple]) -> gpd.GeoDataFrame:  # type: ignore[type-arg]
    recs = []
    nodes = _graph().nodes
    for hid, x, y, u, v, members, house, ok in rows:
        lon, lat = TO_WGS.transform(X0 + x, Y0 + y)
        # where along u -> v the house is (the edges here are straight lines)
        ux, uy, vx, vy = (
            nodes[u]["x"] - X0,
            nodes[u]["y"] - Y0,
            nodes[v]["x"] - X0,
            nodes[v]["y"] - Y0,
        )
        length = ((vx - ux) ** 2 + (vy - uy) ** 2) ** 0.5
        offset = ((x - ux) * (vx - ux) + (y - uy) * (vy - uy)) / length
        recs.append(
            {"household_id": hid, "members": members, "house": house, "ok": ok, "u": u, "v": v,
             "key": 0, "offset_m": offset, "node": 100, "matched_street": None,
             "matched_village": "Терек-Суу", "geometry": Point(lon, lat)}
        )  # fmt: skip
    return gpd.GeoDataFrame(recs, geometry="geometry", crs="EPSG:4326")


HOUSEHOLDS = [
    # id, x, y, u, v, members, house, ok
    ("a", 20, 8, 1, 2, 4, "3", True),
    ("b", 70, -8, 2, 1, 6, "1", True),  # the same lane, snapped in the other direction
    ("c", 130, 10, 2, 3, 5, "2", True),  # north of the main road
    ("d", 150, -10, 2, 3, 3, "1", True),  # south
    ("e", 170, -12, 3, 2, 2, "5", True),  # south, snapped to the reverse edge
    ("f", 205, 50, 3, 4, 4, "7", True),  # one-way lane
    ("g", 50, 5, 1, 2, 9, "9", False),  # not located: ignored
]


def _points(**kw: object) -> gpd.GeoDataFrame:
    args: dict[str, object] = {
        "kg_per_person_day": 0.5, "bulk_density_kg_m3": 200.0, "days_between": 7,
        "service_s_per_household": 20.0,
    }  # fmt: skip
    args.update(kw)
    return collection_points(_hh(HOUSEHOLDS), _graph(), **args)  # type: ignore[arg-type]


def test_columns_follow_the_contract() -> None:
    cp = _points()
    assert tuple(cp.columns) == COLLECTION_POINT_COLUMNS
    assert cp.crs.to_epsg() == 4326


def test_lane_households_form_one_segment_both_sides() -> None:
    cp = _points().set_index("point_id")
    lane = cp.loc["seg-1-2-0"]
    assert (lane.kind, lane.u, lane.v, lane.sides, lane.reversible) == (
        "segment",
        1,
        2,
        "both",
        True,
    )
    assert lane.household_ids == ("a", "b")
    assert lane.households == 2 and lane.members == 10
    assert lane.label == "Манас көчөсү 1–3"
    assert lane.street == "Манас көчөсү" and lane.village == "Терек-Суу"


def test_demand_arithmetic() -> None:
    lane = _points().set_index("point_id").loc["seg-1-2-0"]
    assert lane.demand_kg == pytest.approx(10 * 0.5 * 7)
    assert lane.demand_m3 == pytest.approx(10 * 0.5 * 7 / 200.0)
    assert lane.service_s == pytest.approx(2 * 20.0)
    # houses at 20 m and 70 m along: 50 m at collection speed (2 m/s), 50 m driven (10 m/s)
    assert lane.collect_m == pytest.approx(50.0)
    assert lane.collect_s == pytest.approx(50 / 2.0 + 50 / 10.0)
    assert lane.length_m == pytest.approx(100.0)


def test_a_lone_house_is_a_stop_not_a_crawl_along_the_whole_road() -> None:
    lone = [("z", 205, 90, 3, 4, 3, "1", True)]  # at the far end of the one-way lane
    cp = collection_points(
        _hh(lone), _graph(), kg_per_person_day=0.5, bulk_density_kg_m3=200.0, days_between=7,
        service_s_per_household=20.0,
    ).set_index("point_id")  # fmt: skip
    seg = cp.loc["seg-3-4-0"]
    assert seg.collect_m == pytest.approx(0.0)
    assert seg.collect_s == pytest.approx(100 / 10.0)  # driven at driving speed
    assert seg.service_s == pytest.approx(20.0)
    assert collect_seconds({"length": 100.0, "travel_time": 10.0, "collect_time": 50.0}, 25.0) == (
        pytest.approx(0.25 * 50.0 + 0.75 * 10.0)
    )


def test_main_road_sides_are_separate_one_way_points() -> None:
    cp = _points().set_index("point_id")
    right = cp.loc["seg-2-3-0-r"]  # driving 2 -> 3 (east) the right-hand side is south
    left = cp.loc["seg-2-3-0-l"]
    assert (right.u, right.v, right.sides, right.reversible) == (2, 3, "one", False)
    assert (left.u, left.v, left.sides, left.reversible) == (3, 2, "one", False)
    assert set(right.household_ids) == {"d", "e"}
    assert left.household_ids == ("c",)
    assert right.members == 5 and left.members == 5
    # Segment geometry runs in the direction of travel (WGS84).
    assert left.geometry.coords[0][0] > left.geometry.coords[-1][0]


def test_one_way_lane_is_not_reversible() -> None:
    cp = _points().set_index("point_id")
    ow = cp.loc["seg-3-4-0"]
    assert (ow.u, ow.v, ow.reversible, ow.sides) == (3, 4, False, "both")


def test_unlocated_households_are_ignored() -> None:
    cp = _points()
    ids = {h for t in cp["household_ids"] for h in t}
    assert ids == {"a", "b", "c", "d", "e", "f"}
    assert cp["members"].sum() == 4 + 6 + 5 + 3 + 2 + 4


def test_main_road_list_is_configurable() -> None:
    cp = _points(main_road_highways=())
    assert "seg-2-3-0" in set(cp["point_id"])
    assert (cp["sides"] == "both").all()


def test_containers_by_volume_and_fill_rate() -> None:
    lon, lat = TO_WGS.transform(X0, Y0)
    containers = gpd.GeoDataFrame(
        {"name": ["School"], "village": ["Терек-Суу"], "kind": ["school"], "volume_m3": [1.1],
         "count": [2], "fill_rate": [0.5], "collections_per_week": [2.0], "node": [1]},
        geometry=[Point(lon, lat)], crs="EPSG:4326",
    )  # fmt: skip
    cp = _points(containers=containers, container_density_kg_m3=150.0, service_s_per_container=45.0)
    c = cp[cp["kind"] == "container"].iloc[0]
    assert c.demand_m3 == pytest.approx(1.1 * 2 * 0.5)
    assert c.demand_kg == pytest.approx(1.1 * 2 * 0.5 * 150.0)
    assert c.service_s == pytest.approx(90.0)
    assert (c.node, c.frequency, c.households) == (1, 2, 0)


def test_bad_parameters_and_unsnapped_input_are_refused() -> None:
    with pytest.raises(ValueError, match="bulk_density_kg_m3"):
        _points(bulk_density_kg_m3=0)
    hh = _hh(HOUSEHOLDS).drop(columns=["u"])
    with pytest.raises(ValueError, match="'u'"):
        collection_points(
            hh, _graph(), kg_per_person_day=0.5, bulk_density_kg_m3=200, days_between=7,
            service_s_per_household=20,
        )  # fmt: skip
    bad = _hh([("z", 10, 0, 1, 4, 3, "1", True)])
    with pytest.raises(ValueError, match=r"edge \(1, 4, 0\)"):
        collection_points(
            bad, _graph(), kg_per_person_day=0.5, bulk_density_kg_m3=200, days_between=7,
            service_s_per_household=20,
        )  # fmt: skip


def _container(volume_m3: float = 1.1) -> gpd.GeoDataFrame:
    lon, lat = TO_WGS.transform(X0, Y0)
    return gpd.GeoDataFrame(
        {"name": ["Market"], "village": ["Терек-Суу"], "kind": ["market"],
         "volume_m3": [volume_m3], "count": [1], "fill_rate": [0.8],
         "collections_per_week": [None], "node": [1]},
        geometry=[Point(lon, lat)], crs="EPSG:4326",
    )  # fmt: skip


def test_households_near_a_container_bring_their_waste_there() -> None:
    cp = _points(
        containers=_container(volume_m3=0.01),
        container_density_kg_m3=150.0,
        to_containers=True,
        max_container_distance_m=50.0,
    ).set_index("point_id")
    c = cp.loc["ctr-1"]
    # "a" is 22 m from the container, "b" 70 m: only "a" walks there.
    assert c.household_ids == ("a",) and c.members == 4
    assert c.demand_kg == pytest.approx(4 * 0.5 * 7)
    assert c.demand_m3 == pytest.approx(4 * 0.5 * 7 / 150.0)
    assert c.overflow_kg == pytest.approx(4 * 0.5 * 7 - 0.01 * 150.0)
    assert cp.loc["seg-1-2-0"].household_ids == ("b",)
    # Every household is counted once.
    assert cp["members"].sum() == 4 + 6 + 5 + 3 + 2 + 4


def test_container_assignment_only_for_the_villages_named() -> None:
    cp = _points(containers=_container(), to_containers=["Another village"])
    c = cp[cp["kind"] == "container"].iloc[0]
    assert c.households == 0
    assert c.demand_m3 == pytest.approx(1.1 * 0.8)  # volume x fill rate
    assert c.overflow_kg == 0


def test_on_a_real_extract_collection_time_is_only_where_the_houses_are(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from routing.estimate import estimate_households_from_buildings
    from routing.network import load_network
    from routing.snapping import snap_points
    from tests.conftest import shared_file

    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    net = load_network(path, cache_dir=tmp_path)
    hh = estimate_households_from_buildings(path, household_size=2.1)
    snapped = snap_points(net, hh[["geometry"]], max_distance_m=300, split=False).points
    for col in ("u", "v", "key", "offset_m", "node", "ok"):
        hh[col] = snapped[col].to_numpy()
    cp = collection_points(
        hh, net.graph, kg_per_person_day=0.4, bulk_density_kg_m3=120, days_between=7,
        service_s_per_household=15, language="en",
    )  # fmt: skip
    edges = [
        net.graph.edges[int(u), int(v), int(k)] for u, v, k in zip(cp.u, cp.v, cp.key, strict=True)
    ]
    whole = [float(e["collect_time"]) for e in edges]
    driven = [float(e["travel_time"]) for e in edges]
    assert all(
        d - 1e-6 <= c <= w + 1e-6 for c, w, d in zip(cp.collect_s, whole, driven, strict=True)
    )
    assert (cp.collect_m <= cp.length_m + 1e-6).all()
    lone = cp[cp.households == 1]
    assert len(lone) > 10  # scattered farms: the case this is for
    assert lone.collect_s.to_numpy() == pytest.approx([driven[i] for i in lone.index])
    assert cp.collect_s.sum() < 0.85 * sum(whole)
