"""Assembling the week from solved days: stops, route timing, paths and the served/unserved accounting."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace

import geopandas as gpd
import pytest

from routing import pipeline
from routing.daymodel import SolvedDay
from routing.network import load_network
from routing.plan import Plan, assemble_plan, assumptions, date_of
from routing.progress import Reporter
from routing.scenario import Scenario, load_scenario
from routing.schedule import WeekSchedule
from tests.conftest import DATA


@dataclass(frozen=True)
class Week:
    scenario: Scenario
    snapped: pipeline.Snapped
    points: gpd.GeoDataFrame
    priced: pipeline.Priced
    schedule: WeekSchedule
    days: list[SolvedDay]

    def assemble(self, days: list[SolvedDay]) -> Plan:
        return assemble_plan(
            self.scenario,
            network=self.snapped.network,
            households=self.snapped.households,
            containers=self.snapped.containers,
            points=self.points,
            locations=self.priced.locations,
            matrix=self.priced.matrix,
            schedule=self.schedule,
            days=days,
        )


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Week:
    """The stages before the assembly, run on the first 80 households of the default register."""
    tmp = tmp_path_factory.mktemp("plan")
    lines = (DATA / "taza-aimak" / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    (tmp / "register.csv").write_text("\n".join(lines[:81]) + "\n", encoding="utf-8")
    overrides = {"register.households": str(tmp / "register.csv"), "solver.max_iterations": 100}
    sc = load_scenario(DATA / "taza-aimak" / "scenario.toml", overrides=overrides)
    network = load_network(sc.osm, profile=pipeline.truck_profile(sc))
    snapped = pipeline.snap(sc, network, pipeline.locate_households(sc, network, cache_dir=None))
    points = pipeline.village_points(sc, snapped)
    priced = pipeline.price(sc, snapped, points)
    schedule = pipeline.week_schedule(sc, points, priced)
    days = pipeline.search(sc, points, priced, schedule, reporter=Reporter())
    return Week(sc, snapped, points, priced, schedule, days)


def test_every_household_is_served_on_its_days_or_unserved_with_a_reason(week: Week) -> None:
    plan = week.assemble(week.days)
    hh = plan.households
    assert plan.households_in == plan.households_served + plan.households_unserved == 80
    served = hh[hh["status"] == "served"]
    collected = {(s.point_id, s.day) for vd in plan.vehicle_days for s in vd.collect_stops}
    for _, row in served.iterrows():
        assert row["point_id"] and all(
            (row["point_id"], d) in collected for d in row["days"].split()
        )
    assert plan.unserved["reason"].str.len().gt(0).all()
    assert list(plan.unserved.columns) == [
        "household_id", "source_row", "village", "street", "house", "members", "reason"
    ]  # fmt: skip
    assert plan.points["days_assigned"].str.len().gt(0).all()
    assert plan.stats["collection_points"] == len(week.points)


def test_a_day_not_routed_leaves_its_households_unserved_saying_which_day(week: Week) -> None:
    dropped = week.days[0].day_model.day
    plan = week.assemble(week.days[1:])
    hh = plan.households
    on_dropped = hh["days"].str.split().map(lambda days: dropped in days)
    assert on_dropped.any()
    assert (hh.loc[on_dropped, "status"] == "unserved").all()
    assert hh.loc[on_dropped, "reason"].str.contains(f"not collected on .*{dropped}").all()
    assert plan.households_in == plan.households_served + plan.households_unserved
    assert not any(vd.day == dropped for vd in plan.vehicle_days)


def test_route_timing_follows_the_solver_visit_by_visit(week: Week) -> None:
    plan = week.assemble(week.days)
    routes = [
        (solved, route) for solved in week.days for route in solved.result.routes if route.clients
    ]
    assert len(routes) == len(plan.vehicle_days)
    for vd, (solved, route) in zip(plan.vehicle_days, routes, strict=True):
        assert vd.day == solved.day_model.day
        assert [s.kind for s in vd.stops] == [
            "collect" if v.kind == "client" else v.kind for v in route.visits
        ]
        assert [(s.arrival_s, s.departure_s) for s in vd.stops] == [
            (float(v.arrival_s), float(v.departure_s)) for v in route.visits
        ]
        assert all(a.departure_s <= b.arrival_s for a, b in itertools.pairwise(vd.stops))
        assert vd.start_s == vd.stops[0].departure_s and vd.end_s == vd.stops[-1].arrival_s
        assert vd.hours == pytest.approx((vd.end_s - vd.start_s) / 3600)
        assert vd.km == pytest.approx(route.distance_m / 1000)
        assert vd.landfill_trips == sum(s.kind == "landfill" for s in vd.stops)
        assert vd.load_kg == pytest.approx(sum(s.demand_kg for s in vd.collect_stops))


def test_the_path_is_driven_edge_by_edge_from_the_depot_and_back(week: Week) -> None:
    plan = week.assemble(week.days)
    graph = plan.network.graph
    for vd in plan.vehicle_days:
        path = vd.node_path
        assert path[0] == path[-1] == week.snapped.depot_node
        assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(path))
        assert vd.uturns == sum(1 for i in range(2, len(path)) if path[i] == path[i - 2])
        assert len(vd.trips) == max(s.trip for s in vd.stops) + 1


def test_dates_and_assumptions(week: Week) -> None:
    assert date_of(dt.date(2026, 12, 2), "mon") == "2026-11-30"
    assert date_of(dt.date(2026, 11, 30), "fri") == "2026-12-04"
    assert date_of(None, "mon") == ""
    notes = assumptions(week.scenario)
    assert notes[: len(week.scenario.assumptions)] == list(week.scenario.assumptions)
    assert any(n.startswith(f"{week.scenario.landfills[0].name}: ") for n in notes)


def test_an_unserved_stop_only_some_vehicles_reach_says_which() -> None:
    from routing.plan import road_note
    from tests.solver_factory import two_profile_model

    model = two_profile_model()
    model.vehicle_types[0] = replace(model.vehicle_types[0], name="Compactor")
    model.vehicle_types[1] = replace(model.vehicle_types[1], name="Tractor")
    assert road_note(model, 0) == ""  # on everyone's roads
    assert road_note(model, 1) == "; only Tractor may drive to it"  # no way for the compactor
    assert road_note(model, 2) == "; only Tractor may drive to it"  # a track street
    model.vehicle_types[1] = replace(model.vehicle_types[1], num_available=0)
    assert road_note(model, 2) == "; no vehicle of the fleet may drive to it"
