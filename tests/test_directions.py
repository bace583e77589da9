"""Turn-by-turn directions derived from the road graph, with the stops interleaved."""

from __future__ import annotations

import pytest

from routing.directions import directions, edge_lines, walk
from routing.plan import Plan
from tests.plan_factory import make_plan


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(days=("mon",), stops_per_day=8)


def test_directions_follow_the_streets_and_number_the_stops(plan: Plan) -> None:
    vd = plan.vehicle_days[0]
    lines = directions(plan.network.graph, vd, language="en")
    assert lines[0].kind == "depart" and lines[0].text == "Depart on Манас көчөсү"
    collects = [ln for ln in lines if ln.kind == "collect"]
    assert [ln.number for ln in collects] == list(range(1, 9))
    assert [ln.stop for ln in collects] == vd.collect_stops
    # the snake: five blocks east on Манас, then up a side street and back west on Жеңиш
    first_turn = next(ln for ln in lines if ln.kind not in ("depart", "collect"))
    assert first_turn.kind == "left" and first_turn.street == "Бакча көчөсү"
    second_turn = lines[lines.index(first_turn) + 1]
    assert second_turn.kind == "left" and second_turn.text == "Turn left onto Жеңиш көчөсү"
    assert [ln.kind for ln in lines if ln.kind in ("landfill", "depot")] == ["landfill", "depot"]
    # every metre driven is in exactly one line
    driven = sum(ln.distance_m for ln in lines)
    assert driven == pytest.approx(vd.km * 1000, rel=1e-9)


def test_waypoints_only_paths_are_expanded_along_the_fastest_streets() -> None:
    full = make_plan(days=("tue",), stops_per_day=10)
    sparse = make_plan(days=("tue",), stops_per_day=10, waypoints_only=True)
    vd_full, vd_sparse = full.vehicle_days[0], sparse.vehicle_days[0]
    assert len(vd_sparse.node_path) < len(vd_full.node_path)
    route = walk(sparse.network.graph, vd_sparse)
    graph = sparse.network.graph
    assert all(graph.has_edge(a, b) for a, b in zip(route.nodes, route.nodes[1:], strict=False))
    assert [route.nodes[p] for p in route.positions] == vd_sparse.node_path
    a = directions(full.network.graph, vd_full, language="ky")
    b = directions(graph, vd_sparse, language="ky")
    assert [ln.number for ln in a if ln.number] == [ln.number for ln in b if ln.number]
    assert sum(ln.distance_m for ln in b) == pytest.approx(sum(ln.distance_m for ln in a))


def test_unnamed_roads_are_described_never_blank() -> None:
    plan = make_plan(days=("mon",), stops_per_day=26, rows=6, cols=7)
    lines = directions(plan.network.graph, plan.vehicle_days[0], language="ru")
    driving = [ln for ln in lines if ln.kind not in ("landfill", "depot", "lunch")]
    assert all(ln.street and ln.street != "—" for ln in driving)
    unnamed = [ln for ln in driving if "без названия" in ln.street]
    assert unnamed
    assert all(ln.text.endswith(ln.street) for ln in unnamed if ln.kind != "collect")


def test_each_street_is_drawn_once_in_both_crs(plan: Plan) -> None:
    graph = plan.network.graph
    projected = edge_lines(graph)
    assert len(projected) == graph.number_of_edges() // 2  # every street is two-way here
    wgs = edge_lines(graph, to_wgs84=True)
    lon, lat = wgs[0][0][0]
    assert 72.9 < lon < 73.0 and 41.8 < lat < 41.9
