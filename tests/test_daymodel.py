"""The model builder: where each collection point sits in the matrix, and one day's solver model."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from routing.daymodel import (
    PointHeadings,
    active_fleet,
    build_day_model,
    day_locations,
    locate,
    point_headings,
    price_day,
    round_trip_s,
)
from routing.network import RoadNetwork, load_network
from routing.snapping import snap_points
from routing.turns import Heading, heading_matrix, heading_pricer, leg_nodes
from tests.conftest import DATA
from tests.test_network import GRID_LAT, GRID_LON, STEP, write_grid_osm


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> tuple[RoadNetwork, int, int]:
    """The test grid with two containers snapped halfway along a two-way and a one-way street."""
    tmp = tmp_path_factory.mktemp("grid")
    net = load_network(write_grid_osm(tmp / "g.osm"), cache_dir=tmp / "c")
    # halfway along two-way Манас көчөсү (1 - 3) and along one-way Токтогул көчөсү (4 -> 6)
    pts = [Point(GRID_LON + STEP, GRID_LAT), Point(GRID_LON + STEP, GRID_LAT + STEP)]
    res = snap_points(net, gpd.GeoDataFrame(geometry=pts, crs=4326))
    two_way, one_way = (int(n) for n in res.points.node)
    return res.network, two_way, one_way


def _container(node: int) -> pd.Series:
    return pd.Series({"kind": "container", "node": node})


def test_containers_halfway_along_a_street_are_passed_through_not_turned_at(
    grid: tuple[RoadNetwork, int, int],
) -> None:
    net, two_way, one_way = grid
    assert point_headings(net, _container(two_way)) == PointHeadings(
        Heading(two_way, 3), Heading(two_way, 1), True
    )
    # driven 4 -> 6 only: in from 4, out towards 6, never the other way
    assert point_headings(net, _container(one_way)) == PointHeadings(
        Heading(one_way, 6), Heading(one_way, 4), False
    )
    # at a junction (node 4: 1, 7 and 6 around it) a container is a plain stop
    assert point_headings(net, _container(4)) == PointHeadings(Heading(4), Heading(4), False)
    segment = pd.Series({"kind": "segment", "u": 1, "v": 3, "reversible": True})
    assert point_headings(net, segment) == PointHeadings(Heading(1, 3), Heading(3, 1), True)


def _points(two_way: int) -> gpd.GeoDataFrame:
    """A segment (7 -> 9, reversible), a container passed through and one at a junction."""
    rows = [
        {"point_id": "01-s", "kind": "segment", "u": 7, "v": 9, "node": -1, "reversible": True},
        {"point_id": "01-c", "kind": "container", "u": -1, "v": -1, "node": two_way},
        {"point_id": "01-j", "kind": "container", "u": -1, "v": -1, "node": 4},
    ]
    frame = pd.DataFrame(rows).assign(
        demand_kg=[30.0, 120.0, 80.0],
        demand_m3=[0.2, 1.0, 0.5],
        service_s=[40.0, 90.0, 60.0],
        collect_s=[25.4, 0.0, 0.0],
        length_m=[220.0, 0.0, 0.0],
        reversible=[True, False, False],
    )
    return gpd.GeoDataFrame(frame, geometry=[None] * 3, crs=4326)


def test_locations_are_stable_and_shared(grid: tuple[RoadNetwork, int, int]) -> None:
    net, two_way, _ = grid
    points = _points(two_way)
    loc = locate(net, points, depot_node=1, landfill_nodes=(9,))
    assert loc.headings[:2] == (Heading(1), Heading(9))
    assert loc.depot == 0 and loc.landfills == (1,)
    assert len(set(loc.headings)) == len(loc.headings)
    assert all(loc.headings[i] == h for h, i in loc.index.items())
    assert loc.points["01-j"] == PointHeadings(Heading(4), Heading(4), False)
    assert loc.node_of(loc.index[Heading(7, 9)]) == 7
    assert locate(net, points, depot_node=1, landfill_nodes=(9,)) == loc


def test_a_day_model_holds_that_days_points_and_the_fleets_rules(
    grid: tuple[RoadNetwork, int, int], tmp_path: Path
) -> None:
    from routing.scenario import load_scenario

    net, two_way, _ = grid
    points = _points(two_way)
    loc = locate(net, points, depot_node=1, landfill_nodes=(9,))
    matrix = heading_matrix(net, loc.headings, uturn_penalty_s=60.0)
    scenario = load_scenario(DATA / "taza-aimak" / "scenario.toml")
    day = build_day_model(scenario, "tue", points, locations=loc, matrix=matrix)
    model = day.model
    assert day.day == "tue" and day.point_ids == ("01-s", "01-c", "01-j")
    assert [c.name for c in model.clients] == list(day.point_ids)
    seg, passed, plain = model.clients
    assert (seg.location, seg.end_location) == (loc.index[Heading(7, 9)], loc.index[Heading(9, 7)])
    assert seg.service_s == round(25.4 + 40.0) and seg.traverse_m == 220.0 and seg.reversible
    assert passed.end_location is not None and passed.traverse_m == 0.0
    assert passed.service_s == 90 and passed.reversible
    assert plain.end_location is None and plain.service_s == 60
    assert plain.demand == (80.0, 0.5)
    fleet = active_fleet(scenario)
    assert [vt.name for vt in model.vehicle_types] == [v.name for v in fleet]
    for vt, spec in zip(model.vehicle_types, fleet, strict=True):
        assert vt.num_available == spec.count
        assert vt.capacity == (spec.capacity_kg, spec.capacity_m3 * spec.compaction)
        assert vt.shift == (spec.shift_start_s, spec.shift_end_s)
        assert (vt.lunch is None) == (not spec.lunch_s)
    assert model.depots[0].name == scenario.depot.name
    assert [lf.name for lf in model.landfills] == [lf.name for lf in scenario.landfills]
    np.testing.assert_array_equal(model.duration_s, matrix.duration_s)


def test_a_day_model_holds_only_its_own_rows_of_the_matrix(
    grid: tuple[RoadNetwork, int, int],
) -> None:
    """Memory by day: a day of one point holds the depot, landfill and that point's headings,
    and every cell is the week's matrix's cell between the same headings; legs trace alike."""
    from routing.scenario import load_scenario

    net, two_way, _ = grid
    points = _points(two_way)
    loc = locate(net, points, depot_node=1, landfill_nodes=(9,))
    matrix = heading_matrix(net, loc.headings, uturn_penalty_s=60.0)
    scenario = load_scenario(DATA / "taza-aimak" / "scenario.toml")
    day = build_day_model(scenario, "wed", points.iloc[[1]], locations=loc, matrix=matrix)
    assert day.locations is not None and day.matrices is not None
    ph = loc.points["01-c"]
    assert day.locations.headings == (Heading(1), Heading(9), ph.entry, ph.exit)
    _, rows = day_locations(loc, ["01-c"])
    assert [loc.headings[r] for r in rows] == list(day.locations.headings)
    assert day.model.duration_s is not None and day.model.duration_s.shape == (4, 4)
    np.testing.assert_array_equal(day.model.duration_s, matrix.duration_s[np.ix_(rows, rows)])
    np.testing.assert_array_equal(day.model.distance_m, matrix.distance_m[np.ix_(rows, rows)])
    client = day.model.clients[0]
    assert day.locations.headings[client.location] == ph.entry
    for i, j in itertools.product(range(4), range(4)):
        assert leg_nodes(day.matrices[0], i, j) == leg_nodes(matrix, rows[i], rows[j])


def test_round_trip_to_the_nearest_landfill_or_the_depot(
    grid: tuple[RoadNetwork, int, int],
) -> None:
    """From the week's matrix or from a pricer (the sites' rows and columns only): alike."""
    net, two_way, _ = grid
    points = _points(two_way)
    loc = locate(net, points, depot_node=1, landfill_nodes=(9, 3))
    matrix = heading_matrix(net, loc.headings, uturn_penalty_s=60.0)
    trips = round_trip_s(points, loc, matrix, sites=loc.landfills)
    for pid, got in zip(points["point_id"], trips, strict=True):
        ph = loc.points[pid]
        entry, exit_ = loc.index[ph.entry], loc.index[ph.exit]
        want = min(matrix.duration_s[exit_, lf] + matrix.duration_s[lf, entry] for lf in (1, 2))
        assert math.isclose(got, want)
    pricer = heading_pricer(net, loc.headings, uturn_penalty_s=60.0)
    pricer_trips = round_trip_s(points, loc, pricer, sites=loc.landfills)
    np.testing.assert_allclose(pricer_trips, trips, rtol=1e-12)
    # two profiles: each leg the quicker of the two (a dearer U-turn never makes one quicker)
    dear = heading_matrix(net, loc.headings, uturn_penalty_s=600.0)
    np.testing.assert_allclose(round_trip_s(points, loc, dear, pricer, sites=loc.landfills), trips)
    # the depot: out to the point's entry, home from its exit (the schedule's approach)
    home = round_trip_s(points, loc, pricer, sites=(loc.depot,))
    for pid, got in zip(points["point_id"], home, strict=True):
        ph = loc.points[pid]
        entry, exit_ = loc.index[ph.entry], loc.index[ph.exit]
        want = matrix.duration_s[loc.depot, entry] + matrix.duration_s[exit_, loc.depot]
        assert math.isclose(got, want) and got > 0


def test_a_day_priced_on_its_own_is_the_weeks_matrix_between_its_headings(
    grid: tuple[RoadNetwork, int, int],
) -> None:
    """`price_day` on a pricer computes only the day's cells; they equal the week's, and a day
    model built from them holds the same matrix as one taken from the week's."""
    from routing.scenario import load_scenario

    net, two_way, _ = grid
    points = _points(two_way)
    loc = locate(net, points, depot_node=1, landfill_nodes=(9,))
    week = heading_matrix(net, loc.headings, uturn_penalty_s=60.0)
    pricer = heading_pricer(net, loc.headings, uturn_penalty_s=60.0)
    ids = ["01-c", "01-j"]
    calls: list[tuple[int, int]] = []
    day = price_day(
        loc, ids, [pricer, week], on_rows=lambda done, total: calls.append((done, total))
    )
    _, rows = day_locations(loc, ids)
    assert day.point_ids == tuple(ids) and len(day.matrices) == 2
    for m in day.matrices:  # the week's rows come from shared searches: sums in another order
        np.testing.assert_allclose(m.duration_s, week.duration_s[np.ix_(rows, rows)], rtol=1e-12)
        np.testing.assert_allclose(m.distance_m, week.distance_m[np.ix_(rows, rows)], rtol=1e-12)
    assert calls and calls[-1][0] <= calls[-1][1]
    scenario = load_scenario(DATA / "taza-aimak" / "scenario.toml")
    todo = points[points["point_id"].isin(ids)]
    built = build_day_model(scenario, "wed", todo, locations=loc, matrix=pricer, priced=day)
    assert built.matrices == day.matrices  # used as priced, not priced again
    again = build_day_model(scenario, "wed", todo, locations=loc, matrix=week)
    np.testing.assert_allclose(built.model.duration_s, again.model.duration_s, rtol=1e-12)


def test_vehicles_with_the_same_roads_share_a_profile_others_get_their_own(
    tmp_path: Path,
) -> None:
    from routing.daymodel import headings_on, own_roads, profile_groups, refused_points
    from routing.profile import TruckProfile
    from routing.scenario import load_scenario
    from tests.conftest import shared_file

    net = load_network(shared_file("data", "osm", "bavaria-village-small.osm"), cache_dir=tmp_path)
    fleet = active_fleet(load_scenario(DATA / "taza-aimak" / "scenario.toml"))  # 14 t and 7 t
    base = TruckProfile()
    sizes_only = {v.name: base.for_vehicle(weight_t=v.weight_t) for v in fleet}
    profiles, of_vehicle = profile_groups(net, sizes_only, fleet)
    assert len(profiles) == 1 and set(of_vehicle.values()) == {0}  # no limit in the data
    no_track = {fleet[0].name: base.for_vehicle(roads_banned=["track"]), fleet[1].name: base}
    profiles, of_vehicle = profile_groups(net, no_track, fleet)
    assert [of_vehicle[v.name] for v in fleet] == [0, 1]
    compactor, tractor = own_roads(net, profiles)
    assert tractor is net and compactor.graph.number_of_edges() < net.graph.number_of_edges()
    track = next(
        (u, v, k) for u, v, k, d in net.graph.edges(keys=True, data=True) if d["highway"] == "track"
    )
    seg = pd.DataFrame([{"point_id": "t", "kind": "segment", "u": track[0], "v": track[1],
                         "key": track[2]}])  # fmt: skip
    assert refused_points(net, seg, profiles) == {"t": frozenset({0})}
    heads = [Heading(track[0], track[1]), Heading(track[0])]
    assert headings_on(compactor, heads) == [Heading(track[0]), Heading(track[0])]
    assert headings_on(tractor, heads) == heads
