"""What both engines need to know of the fleet: the vehicles one by one and the objective's
penalties (a vehicle above any route's cost, an unserved client above any fleet).

Shared by :mod:`routing.solver._ortools` and :mod:`routing.solver._pyvrp` so that neither engine
imports the other.
"""

from __future__ import annotations

import numpy as np

from routing.solver._schedule import Prepared

COST_SCALE = 1000.0
"""Integer objective units per currency unit."""


def vehicle_list(prep: Prepared) -> list[tuple[int, int]]:
    """All vehicles as (vehicle type, number within the type)."""
    return [
        (t, k) for t, vt in enumerate(prep.model.vehicle_types) for k in range(vt.num_available)
    ]


def route_penalties(prep: Prepared, clients: list[int]) -> tuple[int, int]:
    """A vehicle penalty above any route cost and an unserved penalty above any vehicle count."""
    model = prep.model
    span = 0.0
    longest: dict[int, tuple[float, float]] = {}  # per routing profile
    for vt in model.vehicle_types:
        if vt.profile not in longest:
            own = prep.view(vt.profile)
            longest[vt.profile] = (
                float(np.nanmax(np.where(np.isfinite(own.dist), own.dist, 0.0), initial=0.0)),
                float(np.nanmax(np.where(np.isfinite(own.dur), own.dur, 0.0), initial=0.0)),
            )
        dmax, tmax = longest[vt.profile]
        per = vt.cost_per_km * dmax / 1000.0 + vt.cost_per_hour * tmax / 3600.0
        span = max(span, per)
    # a route with every client and a landfill visit between each costs at most this
    bound = span * 3 * (len(clients) + 2) + max(
        (vt.fixed_cost for vt in model.vehicle_types), default=0
    )
    vehicle = int(min(max(bound * COST_SCALE, 1e6), 1e13))
    unserved = int(min(vehicle * 4 * max(len(vehicle_list(prep)), 1), 4e15))
    if not model.vehicles_first:
        vehicle = 0  # vehicles count only through their own fixed cost
    return vehicle, unserved
