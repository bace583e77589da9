"""The independent checker: each rule caught on small hand-made routes, valid ones accepted."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from routing.solver.checker import check
from routing.solver.model import Lunch, Model, Result, Route, Unserved, Visit

# Locations on a line, 1 m = 1 s: 0 depot, 1 landfill, 2 and 3 containers, 4-5 a street segment.
POS = np.array([0.0, 100.0, 10.0, 20.0, 30.0, 40.0])


def make_model(**vehicle: Any) -> Model:
    model = Model()
    model.add_depot(0, name="depot")
    model.add_landfill(1, name="landfill", unload_s=30)
    model.add_client(2, demand=(10.0, 1.0), service_s=5, tw=(0, 1000), name="A")
    model.add_client(3, demand=(10.0, 1.0), service_s=5, name="B")
    model.add_segment_client(
        4, 5, traverse_s=20, traverse_m=10.0, demand=(5.0, 0.5), reversible=False, name="street"
    )
    options: dict[str, Any] = {
        "num_available": 1,
        "capacity": (25.0, 10.0),
        "max_load_per_day": (100.0, 100.0),
        "max_stops": 10,
        "shift": (0, 10_000),
        "lunch": Lunch(window=(500, 600), duration_s=100),
    }
    options.update(vehicle)
    model.add_vehicle_type(**options)
    d = np.abs(POS[:, None] - POS[None, :])
    model.set_matrices(d, d)
    return model


def valid_route() -> Route:
    """depot → A → B → street → landfill → lunch → depot, earliest times, exactly at capacity (kg)."""
    visits = [
        Visit("depot", 0, 0, 0, (0.0, 0.0), 0),
        Visit("client", 0, 10, 15, (10.0, 1.0), 0),
        Visit("client", 1, 25, 30, (20.0, 2.0), 0),
        Visit("client", 2, 40, 60, (25.0, 2.5), 0),  # enters at 30 (location 4), leaves at 40
        Visit("landfill", 0, 120, 150, (0.0, 0.0), 0),
        Visit("lunch", -1, 500, 600, (0.0, 0.0), 1),
        Visit("depot", 0, 700, 700, (0.0, 0.0), 1),
    ]
    # 10 + 10 + 10 + 10 (street) + 60 + 100
    return Route(vehicle_type=0, vehicle=0, visits=visits, distance_m=200.0, duration_s=700.0)


def result_of(*routes: Route, unserved: list[Unserved] | None = None) -> Result:
    return Result(
        routes=list(routes), unserved=unserved or [], cost=0.0, runtime_s=0.0, solver="hand"
    )


def rules(model: Model, result: Result) -> set[str]:
    return {v.rule for v in check(model, result)}


def with_visit(route: Route, position: int, **changes: Any) -> Route:
    new = copy.deepcopy(route)
    new.visits[position] = replace(new.visits[position], **changes)
    return new


def test_check_accepts_a_valid_route() -> None:
    assert check(make_model(), result_of(valid_route())) == []


def test_check_needs_the_matrices() -> None:
    with pytest.raises(ValueError, match="set_matrices"):
        check(Model(), result_of())


def test_check_catches_a_route_not_starting_at_the_depot() -> None:
    route = valid_route()
    route.visits = route.visits[1:]
    assert "depot" in rules(make_model(), result_of(route))


def test_check_catches_a_return_after_the_shift() -> None:
    assert rules(make_model(shift=(0, 650)), result_of(valid_route())) == {"shift"}


def test_check_catches_leaving_before_the_shift() -> None:
    assert "shift" in rules(make_model(shift=(5, 10_000)), result_of(valid_route()))


def test_check_catches_an_arrival_faster_than_travel() -> None:
    route = with_visit(valid_route(), 2, arrival_s=18, departure_s=23)
    assert "time" in rules(make_model(), result_of(route))


def test_check_catches_a_departure_before_service_ends() -> None:
    route = with_visit(valid_route(), 1, departure_s=12)
    assert "time" in rules(make_model(), result_of(route))


def test_check_allows_waiting_for_a_window() -> None:
    model = make_model()
    model.landfills[0] = replace(model.landfills[0], tw=(200, 86_400))
    route = with_visit(valid_route(), 4, arrival_s=120, departure_s=230)  # waits until 200
    assert check(model, result_of(route)) == []
    early = with_visit(valid_route(), 4, arrival_s=120, departure_s=220)
    assert rules(model, result_of(early)) == {"time"}


def test_check_catches_a_client_time_window() -> None:
    model = make_model()
    model.clients[1] = replace(model.clients[1], tw=(0, 20))
    assert rules(model, result_of(valid_route())) == {"time_window"}


def test_check_catches_a_landfill_time_window() -> None:
    model = make_model()
    model.landfills[0] = replace(model.landfills[0], tw=(0, 100))
    assert rules(model, result_of(valid_route())) == {"landfill_window"}


def test_check_catches_an_over_capacity_trip() -> None:
    assert "capacity" in rules(make_model(capacity=(24.0, 10.0)), result_of(valid_route()))
    assert "capacity" in rules(make_model(capacity=(100.0, 2.4)), result_of(valid_route()))


def test_check_resets_the_trip_load_only_at_a_landfill() -> None:
    model = make_model(capacity=(20.0, 10.0))
    v = valid_route().visits
    two_trips = [
        v[0],
        v[1],
        v[2],
        Visit("landfill", 0, 110, 140, (0.0, 0.0), 1),
        Visit("client", 2, 210, 230, (5.0, 0.5), 1),  # 140 + travel 70 to location 4
        Visit("landfill", 0, 290, 320, (0.0, 0.0), 2),
        Visit("lunch", -1, 500, 600, (0.0, 0.0), 2),
        Visit("depot", 0, 700, 700, (0.0, 0.0), 2),
    ]
    route = Route(0, 0, two_trips, distance_m=20 + 80 + 70 + 10 + 60 + 100)
    assert check(model, result_of(route)) == []
    assert "capacity" in rules(model, result_of(valid_route()))


def test_check_catches_a_missing_final_dump() -> None:
    route = valid_route()
    del route.visits[4]  # the landfill
    route.visits[4] = replace(route.visits[4], load=(25.0, 2.5))  # lunch
    route.visits[5] = replace(route.visits[5], load=(25.0, 2.5))
    route.distance_m = 80.0
    assert rules(make_model(), result_of(route)) == {"final_dump"}


def test_check_catches_the_daily_load() -> None:
    assert rules(make_model(max_load_per_day=(24.0, 100.0)), result_of(valid_route())) == {
        "daily_load"
    }


def test_check_catches_max_stops() -> None:
    assert rules(make_model(max_stops=2), result_of(valid_route())) == {"max_stops"}


def test_check_catches_a_missing_lunch() -> None:
    route = valid_route()
    del route.visits[5]
    assert rules(make_model(), result_of(route)) == {"lunch"}


def test_check_needs_no_lunch_when_back_before_the_window() -> None:
    route = valid_route()
    del route.visits[5]
    route.visits[-1] = replace(route.visits[-1], arrival_s=250, departure_s=250)
    assert check(make_model(), result_of(route)) == []


def test_check_catches_a_lunch_outside_its_window_or_too_short() -> None:
    late = with_visit(valid_route(), 5, arrival_s=610, departure_s=710)
    late.visits[6] = replace(late.visits[6], arrival_s=810, departure_s=810)
    assert rules(make_model(), result_of(late)) == {"lunch"}
    short = with_visit(valid_route(), 5, arrival_s=500, departure_s=550)
    assert "lunch" in rules(make_model(), result_of(short))


def test_check_catches_two_lunches() -> None:
    route = valid_route()
    route.visits.insert(6, Visit("lunch", -1, 600, 700, (0.0, 0.0), 1))
    route.visits[-1] = replace(route.visits[-1], arrival_s=800, departure_s=800)
    assert rules(make_model(), result_of(route)) == {"lunch"}


def test_check_counts_the_lunch_on_the_leg() -> None:
    # The break may be taken anywhere on the leg, but not before the end of the lunch visit ...
    route = with_visit(valid_route(), 6, arrival_s=590, departure_s=590)
    assert rules(make_model(), result_of(route)) == {"time"}
    # ... and the leg needs its travel time plus the break: landfill left at 450, lunch 500-600.
    route = with_visit(valid_route(), 4, arrival_s=120, departure_s=450)
    route.visits[6] = replace(route.visits[6], arrival_s=640, departure_s=640)
    assert rules(make_model(), result_of(route)) == {"time"}
    route.visits[6] = replace(route.visits[6], arrival_s=650, departure_s=650)
    assert check(make_model(), result_of(route)) == []


def test_check_catches_unserved_and_twice_served_clients() -> None:
    route = valid_route()
    route.visits = [v for v in route.visits if not (v.kind == "client" and v.index == 1)]
    assert "coverage" in rules(make_model(), result_of(route))
    listed = result_of(valid_route(), unserved=[Unserved(1, "no time")])
    assert "coverage" in rules(make_model(), listed)
    other = replace(valid_route(), vehicle=1)
    assert "coverage" in rules(make_model(num_available=2), result_of(valid_route(), other))


def without_street() -> Route:
    """depot → A → B → landfill → lunch → depot: the street is left out."""
    visits = [
        Visit("depot", 0, 0, 0, (0.0, 0.0), 0),
        Visit("client", 0, 10, 15, (10.0, 1.0), 0),
        Visit("client", 1, 25, 30, (20.0, 2.0), 0),
        Visit("landfill", 0, 110, 140, (0.0, 0.0), 0),
        Visit("lunch", -1, 500, 600, (0.0, 0.0), 1),
        Visit("depot", 0, 700, 700, (0.0, 0.0), 1),
    ]
    return Route(vehicle_type=0, vehicle=0, visits=visits, distance_m=200.0)


def test_check_accepts_a_client_listed_unserved() -> None:
    result = result_of(without_street(), unserved=[Unserved(2, "max stops")])
    assert check(make_model(), result) == []
    assert rules(make_model(), result_of(without_street())) == {"coverage"}


def test_check_ignores_an_optional_client_left_out() -> None:
    model = make_model()
    model.clients[2] = replace(model.clients[2], required=False)
    assert check(model, result_of(without_street())) == []


def test_check_catches_a_one_way_segment_driven_reversed() -> None:
    assert "segment" in rules(make_model(), result_of(with_visit(valid_route(), 3, reversed=True)))


def test_check_enters_a_reversed_segment_at_its_end() -> None:
    model = make_model()
    model.clients[2] = replace(model.clients[2], reversible=True)
    route = with_visit(valid_route(), 3, reversed=True, arrival_s=50, departure_s=70)
    route.visits[4] = replace(route.visits[4], arrival_s=140, departure_s=170)
    # B(20) → 40 → drive to 30 → landfill at 100: 20 + 10 + 70 instead of 10 + 10 + 60.
    route.distance_m = 10 + 10 + 20 + 10 + 70 + 100
    assert check(model, result_of(route)) == []
    route.distance_m = 200.0
    assert rules(model, result_of(route)) == {"distance"}


def test_check_catches_a_wrong_reported_distance() -> None:
    route = valid_route()
    route.distance_m = 150.0
    assert rules(make_model(), result_of(route)) == {"distance"}


def test_check_catches_a_wrong_reported_load() -> None:
    route = with_visit(valid_route(), 2, load=(10.0, 1.0))
    assert rules(make_model(), result_of(route)) == {"load"}


def test_check_catches_too_many_vehicles() -> None:
    b = Route(0, 1, [], distance_m=0.0)
    assert "vehicle" in rules(
        make_model(), result_of(valid_route(), replace(valid_route(), vehicle=1))
    )
    assert "vehicle" in rules(make_model(), result_of(valid_route(), replace(valid_route())))
    assert rules(make_model(num_available=2), result_of(valid_route(), b)) == set()


def test_check_catches_an_unreachable_leg() -> None:
    model = make_model()
    assert model.duration_s is not None
    model.duration_s[0, 2] = np.inf
    assert "unreachable" in rules(model, result_of(valid_route()))


def test_check_compares_times_to_a_microsecond() -> None:
    # a departure a millisecond before the service ends is a violation, a nanosecond is noise
    route = valid_route()
    end = route.visits[1].departure_s
    assert "time" in rules(make_model(), result_of(with_visit(route, 1, departure_s=end - 1e-3)))
    assert check(make_model(), result_of(with_visit(route, 1, departure_s=end - 1e-9))) == []


def test_check_rejects_a_route_on_a_road_its_vehicle_may_not_drive() -> None:
    model = make_model()
    d = np.abs(POS[:, None] - POS[None, :])
    no_b = d.copy()
    no_b[3, :] = no_b[:, 3] = np.inf  # container B lies on a track this vehicle's roads lack
    model.add_profile(no_b, no_b)
    model.clients[2] = replace(model.clients[2], profiles=frozenset({0}))  # the street is a track
    assert check(model, result_of(valid_route())) == []
    model.vehicle_types[0] = replace(model.vehicle_types[0], profile=1)
    found = check(model, result_of(valid_route()))
    assert {v.rule for v in found} >= {"unreachable", "road"}
    assert any("on a road vehicle type 0 may not drive" in v.message for v in found)
