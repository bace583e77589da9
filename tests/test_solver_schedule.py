"""Timing a route (routing/solver/_schedule.py): where the landfill visits go."""

from __future__ import annotations

import dataclasses

from routing.solver import Model
from routing.solver._schedule import Prepared, evaluate, normalise, place_landfills
from tests.solver_factory import line_model


def _three_stops() -> tuple[Model, list[tuple[str, int, bool]]]:
    """Depot at 0 km, landfill at 5 km; stops at 5.5, 9 and 9.5 km, two per trip."""
    m = line_model([0, 5, 5.5, 9, 9.5])
    m.add_depot(0)
    m.add_landfill(1, unload_s=600)
    for loc in (2, 3, 4):
        m.add_client(loc, demand=(1.0, 0.0), service_s=60)
    m.add_vehicle_type(num_available=1, capacity=(2.0, float("inf")), cost_per_km=1.0)
    return m, [("client", 0, False), ("client", 1, False), ("client", 2, False)]


def test_a_full_truck_unloads_before_the_stop_that_would_overflow_it() -> None:
    m, items = _three_stops()
    assert normalise(Prepared.of(m), m.vehicle_types[0], items) == [
        items[0],
        items[1],
        ("landfill", 0, False),
        items[2],
        ("landfill", 0, False),
    ]


def test_the_cheapest_unloading_for_a_fixed_order_may_come_before_the_truck_is_full() -> None:
    # unloading after 5.5 km costs a detour of 1 km; waiting until the truck is full, 8 km
    m, items = _three_stops()
    prep = Prepared.of(m)
    placed = place_landfills(prep, m.vehicle_types[0], items)
    assert placed == [items[0], ("landfill", 0, False), items[1], items[2], ("landfill", 0, False)]
    full = evaluate(prep, 0, 0, normalise(prep, m.vehicle_types[0], items))
    best = evaluate(prep, 0, 0, placed)
    assert best.route is not None and full.route is not None
    assert best.route.distance_m == full.route.distance_m - 7000.0


def test_the_cheapest_unloading_keeps_every_trip_within_the_capacity() -> None:
    m, items = _three_stops()
    m.vehicle_types[0] = dataclasses.replace(m.vehicle_types[0], capacity=(1.0, float("inf")))
    placed = place_landfills(Prepared.of(m), m.vehicle_types[0], items)
    assert [it[0] for it in placed] == ["client", "landfill"] * 3
