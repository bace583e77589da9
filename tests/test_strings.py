"""String removals (routing/solver/_strings.py): what they read, and that they only improve."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
import pyvrp

from routing.solver._strings import StringParams, refine, supports
from routing.solver.params import SolveParams

PARAMS = StringParams.of(SolveParams())


def _ring(n: int, *, seed: int = 5, start_end: bool = False, pickups: bool = False) -> pyvrp.Model:
    """``n`` clients scattered around a depot (or a start and an end depot), half with narrow
    windows, with a capacity of about a dozen clients."""
    m = pyvrp.Model()
    rng = np.random.default_rng(seed)
    first = m.add_depot(m.add_location(x=0, y=0))
    last = m.add_depot(m.add_location(x=30, y=0)) if start_end else first
    m.add_vehicle_type(
        num_available=n, capacity=[60], tw_late=3_000, start_depot=first, end_depot=last
    )
    for k in range(n):
        x, y = (int(v) for v in rng.integers(-100, 100, size=2))
        early = int(rng.integers(0, 2_000)) if k % 2 else 0
        load = [int(rng.integers(1, 10))]
        m.add_client(
            m.add_location(x=x, y=y),
            delivery=[] if pickups else load,
            pickup=load if pickups else [],
            service_duration=5,
            tw_early=early,
            tw_late=min(3_000, early + (300 if k % 2 else 3_000)),
        )
    for a in m.locations:
        for b in m.locations:
            d = round(((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5)
            m.add_edge(a, b, distance=d, duration=d)
    return m


def _one_each(data: pyvrp.ProblemData) -> pyvrp.Solution:
    """Every client on a route of its own: feasible and long."""
    return pyvrp.Solution(data, [[c] for c in range(data.num_clients)])


def _visits(sol: pyvrp.Solution) -> list[int]:
    return sorted(act.idx for route in sol.routes() for act in route.schedule()[1:-1])


@pytest.mark.parametrize("start_end", [False, True])
@pytest.mark.parametrize("pickups", [False, True])
def test_string_removals_shorten_a_plan_and_keep_every_rule(start_end: bool, pickups: bool) -> None:
    data = _ring(80, start_end=start_end, pickups=pickups).data()
    assert supports(data)
    start = _one_each(data)
    assert start.is_feasible()
    found = refine(data, start, seed=1, params=PARAMS, iterations=3_000)
    # feasible by PyVRP's own reckoning, every client once, and far shorter than a route each
    assert found.is_feasible()
    assert _visits(found) == list(range(data.num_clients))
    assert found.distance() < 0.5 * start.distance()
    assert found.num_routes() < start.num_routes()


def test_string_removals_never_return_a_longer_plan() -> None:
    data = _ring(60).data()
    good = pyvrp.solve(data, pyvrp.stop.MaxIterations(500), seed=2, collect_stats=False).best
    found = refine(data, good, seed=3, params=PARAMS, iterations=200)
    assert found.distance() <= good.distance()
    assert found.is_feasible()


def test_the_same_seed_and_iterations_give_the_same_plan() -> None:
    data = _ring(60).data()
    start = _one_each(data)
    routes = [
        [
            [act.idx for act in r.schedule()[1:-1]]
            for r in refine(data, start, seed=seed, params=PARAMS, iterations=1_000).routes()
        ]
        for seed in (4, 4, 5)
    ]
    assert routes[0] == routes[1]
    assert routes[0] != routes[2]


def test_a_plan_that_breaks_a_rule_is_returned_as_it_is() -> None:
    data = _ring(20).data()
    # every client on one route breaks the capacity and the windows
    bad = pyvrp.Solution(data, [list(range(data.num_clients))])
    assert not bad.is_feasible()
    assert refine(data, bad, seed=1, params=PARAMS, iterations=100) is bad


def test_a_deadline_stops_the_search() -> None:
    data = _ring(60).data()
    start = _one_each(data)
    refine(data, start, seed=1, params=PARAMS, iterations=10)  # compiled before the clock
    began = time.monotonic()
    found = refine(data, start, seed=1, params=PARAMS, until=began + 0.3)
    assert found.distance() < start.distance()
    assert time.monotonic() - began < 5.0


def test_the_watch_sees_the_best_distance_and_may_cancel() -> None:
    data = _ring(40).data()
    seen: list[float] = []

    class Cancelled(Exception):
        pass

    def watch(best: float) -> None:
        seen.append(best)
        if len(seen) == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        refine(data, _one_each(data), seed=1, params=PARAMS, iterations=10_000, watch=watch)
    assert seen == sorted(seen, reverse=True)  # the best only gets shorter


def test_rules_the_string_removals_do_not_read_are_refused() -> None:
    assert supports(_ring(10).data())
    # two vehicle types
    m = _ring(10)
    m.add_vehicle_type(num_available=2, capacity=[30], tw_late=3_000)
    assert not supports(m.data())
    # a fixed cost per vehicle: the distance alone is no longer the cost
    m = _ring(10)
    m.vehicle_types[0] = m.vehicle_types[0].replace(fixed_cost=100)
    assert not supports(m.data())
    # a distance limit
    m = _ring(10)
    m.vehicle_types[0] = m.vehicle_types[0].replace(max_distance=500)
    assert not supports(m.data())
    # an optional client
    data = _ring(10).data()
    clients = data.clients()
    clients[0] = pyvrp.Client(location=clients[0].location, delivery=[1], required=False, prize=10)
    assert not supports(data.replace(clients=clients))
    # deliveries and pickups on one route: the load is no longer a sum
    clients = data.clients()
    clients[0] = pyvrp.Client(location=clients[0].location, delivery=[1], pickup=[1])
    assert not supports(data.replace(clients=clients))


def test_compiling_the_searches_leaves_the_package_import_light() -> None:
    # a fresh interpreter: importing routing.solver pulls no numba; compile_searches does
    code = (
        "import sys, routing.solver as s; a = 'numba' in sys.modules; s.compile_searches(); "
        "print(a, 'numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
