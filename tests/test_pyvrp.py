"""The PyVRP engine (routing/solver/_pyvrp.py): how a model maps to PyVRP's data and search."""

from __future__ import annotations

import numpy as np
import pytest
import pyvrp

from routing.readers.vrplib import read_vrplib
from routing.solver import Model
from routing.solver._pyvrp import (
    _activity_routes,
    _aggregate,
    _build,
    _clients_per_route,
    _Ctx,
    _neighbourhood_size,
    _PlainRun,
    _row_window,
    _run_plain,
    _solve_plain,
    _start_penalties,
    _stop,
    _trip_units,
    solve_pyvrp,
)
from routing.solver._schedule import Prepared
from routing.solver.checker import check
from routing.solver.params import SolveParams
from tests.conftest import shared_file
from tests.solver_factory import line_model, two_profile_model

H = 3600
DEFAULTS = SolveParams()
SHARE = DEFAULTS.aggregate_share
NEIGHBOURS = DEFAULTS.neighbours
NEIGHBOURS_TIGHT = DEFAULTS.neighbours_tight


def test_bounded_trips_split_the_daily_load_evenly_so_no_plan_breaks_it() -> None:
    m = Model()
    m.add_vehicle_type(capacity=(float("inf"), 280.0), max_load_per_day=(float("inf"), 800.0))
    m.add_vehicle_type(capacity=(float("inf"), 200.0), max_load_per_day=(float("inf"), 400.0))
    uneven, whole = m.vehicle_types
    # three trips of at most 800 / 3 (not 280, which would allow 840 a day)
    assert _trip_units(uneven, 1, 1.0, even=True) == 266
    assert _trip_units(uneven, 1, 1.0, even=False) == 280
    assert _trip_units(whole, 1, 1.0, even=True) == 200
    # no trip bound at all (no capacity): the daily load is not turned into a trip capacity
    m.add_vehicle_type(max_load_per_day=(float("inf"), 400.0))
    assert _trip_units(m.vehicle_types[2], 1, 1.0, even=True) >= 10**15


def _one_place_model() -> Model:
    """Depot at 0, landfill at 1 km; locations 2-5 are one place 2 km out (no distance between
    them), location 6 is 3 km out."""
    m = line_model([0, 1, 2, 2, 2, 2, 3])
    m.add_depot(0)
    m.add_landfill(1)
    return m


def test_stops_at_one_place_with_one_window_are_searched_as_one_client() -> None:
    m = _one_place_model()
    a = m.add_client(2, demand=(10.0, 0.0), service_s=60, tw=(0, 10 * H))
    b = m.add_client(3, demand=(10.0, 0.0), service_s=60, tw=(0, 10 * H))
    other_window = m.add_client(4, demand=(10.0, 0.0), service_s=60, tw=(0, 5 * H))
    elsewhere = m.add_client(6, demand=(10.0, 0.0), service_s=60, tw=(0, 10 * H))
    optional = m.add_client(5, demand=(10.0, 0.0), required=False, prize=5.0)
    segment = m.add_segment_client(2, 6, traverse_s=100, traverse_m=1000.0)
    m.add_vehicle_type(num_available=2, capacity=(1000.0, float("inf")))
    rows = _aggregate(Prepared.of(m), list(range(len(m.clients))), share=SHARE)
    assert [(a, False), (b, False)] in rows
    for alone in (other_window, elsewhere, optional):
        assert [(alone, False)] in rows
    # a reversible segment keeps a row per direction, one after the other
    k = rows.index([(segment, False)])
    assert rows[k + 1] == [(segment, True)]
    assert sorted(i for row in rows for i, rev in row if not rev) == list(range(len(m.clients)))


def test_a_crowded_place_is_cut_into_chunks_of_a_share_of_a_trip() -> None:
    m = _one_place_model()
    for _ in range(10):
        m.add_client(2, demand=(10.0, 0.0), service_s=60)
    m.add_vehicle_type(num_available=1, capacity=(100.0, float("inf")))
    rows = _aggregate(Prepared.of(m), list(range(10)), share=SHARE)
    loads = [sum(m.clients[i].demand[0] for i, _ in row) for row in rows]
    assert all(load <= SHARE * 100.0 for load in loads)
    assert sum(len(row) for row in rows) == 10 and len(rows) == 5


def test_a_place_is_cut_into_chunks_of_a_share_of_the_stop_limit() -> None:
    m = _one_place_model()
    for _ in range(10):
        m.add_client(2, demand=(1.0, 0.0))
    m.add_vehicle_type(num_available=3, capacity=(100.0, float("inf")), max_stops=4)
    rows = _aggregate(Prepared.of(m), list(range(10)), share=SHARE)
    assert [len(row) for row in rows] == [1] * 10
    result = m.solve(time_limit_s=5, max_iterations=300, seed=1)
    assert not result.unserved and check(m, result) == []
    assert result.num_vehicles == 3


def test_a_place_searched_as_one_may_start_only_when_its_last_stop_still_can() -> None:
    m = _one_place_model()
    for _ in range(3):
        m.add_client(2, demand=(1.0, 0.0), service_s=600, tw=(H, 3 * H))
    m.add_vehicle_type(num_available=1, capacity=(100.0, float("inf")))
    rows = _aggregate(Prepared.of(m), [0, 1, 2], share=SHARE)
    assert rows == [[(0, False), (1, False), (2, False)]]
    assert _row_window(m, rows[0]) == (H, 3 * H - 1200)


def test_stops_whose_windows_cannot_all_be_kept_in_turn_are_split() -> None:
    # each 20 minutes of service, all to start within 10 minutes: one at a time
    m = _one_place_model()
    for _ in range(3):
        m.add_client(2, demand=(1.0, 0.0), service_s=1200, tw=(H, H + 600))
    m.add_vehicle_type(num_available=3, capacity=(100.0, float("inf")))
    assert _aggregate(Prepared.of(m), [0, 1, 2], share=SHARE) == [
        [(0, False)],
        [(1, False)],
        [(2, False)],
    ]


def test_stops_searched_together_each_start_inside_their_own_window() -> None:
    # ten stops of ten minutes each at one place, all to be started by 08:30: searched as one
    # client they must begin by 07:00, so that the last one starts at 08:30 at the latest
    m = _one_place_model()
    for _ in range(10):
        m.add_client(2, demand=(1.0, 0.0), service_s=600, tw=(0, 8.5 * H))
    m.add_client(6, demand=(1.0, 0.0), service_s=60, tw=(0, 24 * H))
    m.add_vehicle_type(num_available=1, capacity=(100.0, float("inf")), shift=(6 * H, 18 * H))
    result = m.solve(time_limit_s=5, max_iterations=300, seed=1)
    assert not result.unserved
    assert check(m, result) == []
    starts = [v.arrival_s for r in result.routes for v in r.visits if v.kind == "client"]
    assert len(starts) == 11


def test_the_trip_bounded_search_returns_plans_that_keep_the_daily_load() -> None:
    # two trips of 7 m³ would carry 14 m³ a day; the daily limit is 10, so 14 m³ needs two trucks
    m = line_model([0, 1, *[2 + 0.1 * k for k in range(8)]])
    m.add_depot(0)
    m.add_landfill(1)
    for k in range(8):
        m.add_client(2 + k, demand=(0.0, 1.75))
    m.add_vehicle_type(
        num_available=2, capacity=(float("inf"), 7.0), max_load_per_day=(float("inf"), 10.0)
    )
    plans = solve_pyvrp(
        Prepared.of(m), list(range(8)), time_limit_s=5, max_iterations=200, seed=1, mode="trips"
    )
    for plan in plans:
        for _t, _v, items in plan:
            load = sum(m.clients[i].demand[1] for kind, i, _rev in items if kind == "client")
            assert load <= 10.0 + 1e-9


def _windows_data(windows: list[tuple[int, int]]) -> pyvrp.ProblemData:
    n = len(windows) + 1
    return pyvrp.ProblemData(
        locations=[pyvrp.Location(0.0, 0.0) for _ in range(n)],
        clients=[pyvrp.Client(k + 1, tw_early=a, tw_late=b) for k, (a, b) in enumerate(windows)],
        depots=[pyvrp.Depot(0)],
        vehicle_types=[pyvrp.VehicleType(tw_early=0, tw_late=1000)],
        distance_matrices=[np.zeros((n, n), dtype=np.int64)],
        duration_matrices=[np.zeros((n, n), dtype=np.int64)],
        groups=[],
    )


def test_tight_time_windows_widen_the_search_neighbourhood() -> None:
    # loose windows (or none) keep the small neighbourhood that buys iterations
    assert _neighbourhood_size(_windows_data([(0, 1000)] * 4), DEFAULTS) == NEIGHBOURS
    assert _neighbourhood_size(_windows_data([(0, 10**9)] * 4), DEFAULTS) == NEIGHBOURS
    # windows shorter than half the day: the wider one (RC1_10_1 lost 5 routes at the small one)
    assert _neighbourhood_size(_windows_data([(100, 200)] * 4), DEFAULTS) == NEIGHBOURS_TIGHT
    half = _neighbourhood_size(_windows_data([(100, 200), (0, 1000)] * 2), DEFAULTS)
    assert NEIGHBOURS < half < NEIGHBOURS_TIGHT


@pytest.mark.parametrize(
    ("per_km", "per_hour"), [(1.0, 0.0), (1.2, 45.0), (0.3, 0.0), (25.0, 250.0)]
)
def test_small_costs_per_km_keep_their_weight_in_the_search(per_km: float, per_hour: float) -> None:
    # PyVRP counts costs in integers per tenth of a metre / second: 1.2 per km must not become 1
    from routing.solver._pyvrp import DIST_SCALE, TIME_SCALE, _cost_unit
    from routing.solver.model import VehicleType

    unit = _cost_unit([VehicleType(cost_per_km=per_km, cost_per_hour=per_hour)])
    for rate in (per_km / 1000 / DIST_SCALE * unit, per_hour / 3600 / TIME_SCALE * unit):
        assert rate == 0 or abs(round(rate) - rate) <= 0.01 * rate


def test_pyvrp_gets_a_profile_per_vehicle_type() -> None:
    m = two_profile_model()
    plans = solve_pyvrp(Prepared.of(m), [0, 1, 2], time_limit_s=5, max_iterations=30, seed=1)
    for t, _, items in plans[0]:
        if t == 0:
            assert not {i for kind, i, _ in items if kind == "client"} & {1, 2}


def test_a_plateau_stops_a_run_after_that_many_iterations_without_a_better_best() -> None:
    stop = _stop(3600.0, None, None, plateau=3)
    # a better best (9 after 10) starts the count again; three equal ones then stop
    assert [stop(c) for c in (10, 9, 9, 9, 9)] == [False, False, False, False, True]
    never = _stop(3600.0, None, None)
    assert not any(never(10) for _ in range(50))


def test_a_search_with_a_plateau_ends_before_its_clock_with_the_same_plan_each_time() -> None:
    xs = [0.0, 1.0, *np.linspace(2.0, 9.0, 12)]
    m = line_model(xs)
    m.add_depot(0)
    m.add_landfill(1)
    for k in range(2, len(xs)):
        m.add_client(k, demand=(10.0, 10.0), service_s=60)
    m.add_vehicle_type(num_available=2, capacity=(1000.0, 1000.0), shift=(0, 10 * H))
    params = SolveParams(plateau_iterations=50)
    first = m.solve(time_limit_s=120, seed=1, params=params)
    again = m.solve(time_limit_s=120, seed=1, params=params)
    assert first.runtime_s < 60  # stopped by the plateau, not by the 120 s clock
    assert not first.unserved and not check(m, first)
    assert [r.visits for r in first.routes] == [r.visits for r in again.routes]


def _line_data(
    n: int, *, capacity: int | None, demand: int, service: int, shift: int, gap: int
) -> pyvrp.ProblemData:
    """``n`` clients ``gap`` apart on a line out of the depot, one vehicle type."""
    m = pyvrp.Model()
    spots = [m.add_location(x=k * gap, y=0) for k in range(n + 1)]
    m.add_depot(spots[0])
    m.add_vehicle_type(
        num_available=n, capacity=[] if capacity is None else [capacity], tw_late=shift
    )
    for spot in spots[1:]:
        m.add_client(spot, delivery=[] if capacity is None else [demand], service_duration=service)
    for a in spots:
        for b in spots:
            m.add_edge(a, b, distance=abs(a.x - b.x), duration=abs(a.x - b.x))
    return m.data()


def test_clients_per_route_is_the_tighter_of_load_and_time() -> None:
    # the load binds: 100 / 10 a route; the shift would hold 10,000 clients a unit apart
    assert _clients_per_route(
        _line_data(20, capacity=100, demand=10, service=0, shift=10_000, gap=1)
    ) == pytest.approx(10.0)
    # the time binds: 500 / (40 service + 10 from the nearest client) a route, load 100
    assert _clients_per_route(
        _line_data(20, capacity=1000, demand=10, service=40, shift=500, gap=10)
    ) == pytest.approx(10.0)
    # no capacity at all: the time alone
    assert _clients_per_route(
        _line_data(20, capacity=None, demand=0, service=40, shift=500, gap=10)
    ) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("name", "long_routes"),
    [("R1_10_2", False), ("RC1_10_1", False), ("R2_10_1", True), ("C2_10_1", True)],
)
def test_gehring_homberger_types_fall_on_either_side_of_the_long_route_threshold(
    name: str, long_routes: bool
) -> None:
    # type 1 (capacity 200: about 11 clients a route) keeps the short history it was tuned on,
    # type 2 (37-56 a route) gets the long one: SolveParams.plain_long_route_clients
    m = read_vrplib(shared_file("data", "bench", "vrptw", f"{name}.vrp"))
    built = _build(Prepared.of(m), list(range(len(m.clients))), "plain", DEFAULTS)
    per_route = _clients_per_route(built.data)
    assert (per_route >= DEFAULTS.plain_long_route_clients) == long_routes


def _window_data(n: int, *, capacity: int = 40) -> pyvrp.ProblemData:
    """``n`` clients on a ring with windows, some tight, and a capacity that binds (at 40, about
    8 clients a route)."""
    m = pyvrp.Model()
    rng = np.random.default_rng(7)
    depot = m.add_depot(m.add_location(x=0, y=0))
    m.add_vehicle_type(num_available=n, capacity=[capacity], tw_late=2_000)
    for k in range(n):
        x, y = (int(v) for v in rng.integers(-100, 100, size=2))
        early = int(rng.integers(0, 1_500)) if k % 2 else 0
        width = 150 if k % 2 else 2_000
        m.add_client(
            m.add_location(x=x, y=y),
            delivery=[int(rng.integers(1, 10))],
            service_duration=5,
            tw_early=early,
            tw_late=min(2_000, early + width),
        )
    for a in m.locations:
        for b in m.locations:
            d = round(((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5)
            m.add_edge(a, b, distance=d, duration=d)
    assert depot is not None
    return m.data()


def test_the_plain_search_without_a_penalty_start_is_pyvrps_own_solve() -> None:
    # where routes are short the plain search must stay PyVRP's search exactly: the same plan as
    # pyvrp.solve on the same data, seed and iterations
    data = _window_data(30)
    params = pyvrp.SolveParams()
    ctx = _Ctx(DEFAULTS, None, 300, 3, None)
    ours = _solve_plain(data, ctx, _PlainRun(params, None), float("inf"), 300, seed=3)
    theirs = pyvrp.solve(
        data, pyvrp.stop.MaxIterations(300), seed=3, collect_stats=False, params=params
    ).best
    assert _activity_routes(ours) == _activity_routes(theirs)
    assert ours.distance() == theirs.distance()
    # a penalty start of the data's scale makes another search from the same seed
    start = _start_penalties(data, scale=1.0)
    other = _solve_plain(data, ctx, _PlainRun(params, start), float("inf"), 300, seed=3)
    again = _solve_plain(data, ctx, _PlainRun(params, start), float("inf"), 300, seed=3)
    assert _activity_routes(other) == _activity_routes(again)


@pytest.mark.parametrize(("capacity", "long_routes"), [(40, False), (400, True)])
def test_string_removals_end_the_plain_search_only_where_routes_are_long(
    capacity: int, long_routes: bool, caplog: pytest.LogCaptureFixture
) -> None:
    data = _window_data(60, capacity=capacity)
    assert (_clients_per_route(data) >= DEFAULTS.plain_long_route_clients) == long_routes
    params = SolveParams(plain_long_ruin_share=0.5)
    plans = []
    for _ in range(2):
        caplog.clear()
        with caplog.at_level("INFO", logger="routing.solver._pyvrp"):
            sol = _run_plain(data, _Ctx(params, None, 400, 3, None), until=float("inf"))
        assert sol.is_feasible()
        assert ("string removals" in caplog.text) == long_routes
        plans.append(_activity_routes(sol))
    assert plans[0] == plans[1]  # an iteration limit: the same plan every time
    if not long_routes:  # short routes: the share changes nothing at all
        off = SolveParams(plain_long_ruin_share=0.0)
        alone = _run_plain(data, _Ctx(off, None, 400, 3, None), until=float("inf"))
        assert _activity_routes(alone) == plans[0]


def test_start_penalties_price_a_unit_of_violation_at_the_mean_arc() -> None:
    # clients 10 apart on a line: arcs cost |i - j| * 10 and take twice as long; demand 4 each
    m = pyvrp.Model()
    spots = [m.add_location(x=k * 10, y=0) for k in range(21)]
    m.add_depot(spots[0])
    m.add_vehicle_type(num_available=20, capacity=[100], tw_late=10_000)
    for spot in spots[1:]:
        m.add_client(spot, delivery=[4])
    for a in spots:
        for b in spots:
            m.add_edge(a, b, distance=abs(a.x - b.x), duration=2 * abs(a.x - b.x))
    data = m.data()
    locs = np.arange(1, 21)
    per_arc = np.abs(locs[:, None] - locs[None, :]).mean() * 10
    loads, time_warp, distance = _start_penalties(data, scale=3.0)
    assert loads == pytest.approx([3.0 * per_arc / 4])
    assert time_warp == pytest.approx(3.0 * 0.5)  # a unit of time is half a unit of distance
    assert distance == pytest.approx(3.0)
    # never below or above PyVRP's range
    low = pyvrp.PenaltyParams().min_penalty
    assert _start_penalties(data, scale=1e-9)[1] == low
