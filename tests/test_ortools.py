"""The OR-Tools engine (routing/solver/_ortools.py)."""

from __future__ import annotations

import time

import pytest

from routing.solver import Cancelled
from routing.solver._fleet import vehicle_list
from routing.solver._ortools import solve_ortools
from routing.solver._schedule import Prepared, evaluate, normalise
from routing.solver.control import Control
from tests.test_engine import _random_model


def test_or_tools_serves_every_client_with_feasible_routes() -> None:
    m = _random_model(25)
    prep = Prepared.of(m)
    routes = solve_ortools(prep, list(range(25)), time_limit_s=60, max_iterations=20)
    served = sorted(i for _, _, items in routes for kind, i, _ in items if kind == "client")
    assert served == list(range(25))
    for t, k, items in routes:
        ev = evaluate(prep, t, k, normalise(prep, m.vehicle_types[t], items))
        assert ev.route is not None, ev.reason


def test_or_tools_search_stops_when_cancelled() -> None:
    m = _random_model(80)
    prep = Prepared.of(m)
    asked = time.monotonic() + 0.5
    control = Control(time_limit_s=60, cancel=lambda: time.monotonic() > asked)
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        solve_ortools(prep, list(range(80)), time_limit_s=60, max_iterations=None, control=control)
    assert time.monotonic() - t0 < 0.5 + 2.0
    assert len(vehicle_list(prep)) == 80


def test_or_tools_keeps_each_vehicle_on_its_own_roads() -> None:
    from tests.solver_factory import two_profile_model

    m = two_profile_model()
    prep = Prepared.of(m)
    routes = solve_ortools(prep, [0, 1, 2], time_limit_s=30, max_iterations=20)
    served = {t: {i for kind, i, _ in items if kind == "client"} for t, _, items in routes}
    assert {1, 2} <= served[1] and not served.get(0, set()) & {1, 2}
    for t, k, items in routes:
        assert evaluate(prep, t, k, normalise(prep, m.vehicle_types[t], items)).route is not None
