"""The engine's controls: parameters, cancellation and progress (routing/solver/engine.py)."""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing as mp
import time

import numpy as np
import pytest

from routing.solver import Cancelled, Lunch, Model, SolveParams, engine
from routing.solver.checker import check
from routing.solver.engine import _job_stats, _jobs

H = 3600


def _random_model(n: int, *, seed: int = 3) -> Model:
    """``n`` clients scattered on a 20 km square, one depot, one landfill, small trucks."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 20_000, size=(n + 2, 2))
    dist = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)
    m = Model()
    m.set_matrices(dist / 8.0, dist)
    m.add_depot(0)
    m.add_landfill(1, unload_s=600)
    for k in range(n):
        m.add_client(k + 2, demand=(0.0, 1.0), service_s=60)
    m.add_vehicle_type(num_available=n, capacity=(float("inf"), 10.0), shift=(6 * H, 18 * H))
    return m


def _summary(m: Model, **kwargs: object) -> tuple[int, float, list[list[tuple[str, int]]]]:
    res = m.solve(seed=1, max_iterations=100, **kwargs)  # type: ignore[arg-type]
    return (
        res.num_vehicles,
        round(res.cost, 6),
        [[(v.kind, v.index) for v in r.visits] for r in res.routes],
    )


def test_default_parameters_give_the_same_plan_as_none() -> None:
    m = _random_model(30)
    assert _summary(m) == _summary(m, params=SolveParams())


def test_parameters_reach_the_search() -> None:
    # one neighbour and no history make another search than the defaults on the same seed
    m = _random_model(60)
    other = SolveParams(neighbours=1, neighbours_tight=1, history_length=1)
    assert _summary(m) != _summary(m, params=other)


def test_a_cancel_that_is_already_set_stops_before_any_work() -> None:
    with pytest.raises(Cancelled):
        _random_model(10).solve(time_limit_s=30, cancel=lambda: True)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cancelled_search_stops_within_two_seconds(workers: int) -> None:
    m = _random_model(400)
    asked = time.monotonic() + 1.5
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        m.solve(time_limit_s=60, seed=1, workers=workers, cancel=lambda: time.monotonic() > asked)
    assert time.monotonic() - t0 < 1.5 + 2.0
    # the search processes were stopped, not left running
    deadline = time.monotonic() + 5
    while mp.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not mp.active_children()


def test_progress_rises_to_one_and_never_goes_back() -> None:
    seen: list[float] = []
    _random_model(60).solve(time_limit_s=2.0, seed=1, on_progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert all(0.0 <= a < b <= 1.0 for a, b in itertools.pairwise(seen))
    assert len(seen) >= 3  # reported during the search, not only at the end


def test_progress_under_an_iteration_limit_is_reported_too() -> None:
    seen: list[float] = []
    _random_model(60).solve(time_limit_s=60, seed=1, max_iterations=3000, on_progress=seen.append)
    assert seen[-1] == 1.0
    assert all(a < b for a, b in itertools.pairwise(seen))


def _vrptw_like(n: int, *, windows: bool = True) -> Model:
    """A distance-only model PyVRP states exactly: one trip a day, no lunch, no stop limit."""
    m = _random_model(n)
    vt = m.vehicle_types[0]
    m.vehicle_types[0] = dataclasses.replace(vt, max_load_per_day=vt.capacity)
    m.vehicles_first = False
    if windows:
        for i in range(0, n, 3):
            m.clients[i] = dataclasses.replace(m.clients[i], tw=(7 * H, 12 * H))
    return m


def test_pyvrp_own_search_runs_where_pyvrp_states_every_rule() -> None:
    m = _vrptw_like(40)
    params = SolveParams()
    assert _jobs(m, 40, 5, params, workers=1) == [("plain", 5)]
    assert _jobs(m, 40, 5, params, workers=2) == [("plain", 5), ("plain", 6)]
    assert _jobs(m, 40, 5, SolveParams(plain_pyvrp=False), workers=2)[0][0] != "plain"
    # vehicles first, a lunch or a daily load of several trips keep our own phases
    m.vehicles_first = True
    assert _jobs(m, 40, 5, params, workers=1)[0][0] != "plain"
    # without time windows (CVRP) our whole-fleet search runs, one seed per worker
    cvrp = _vrptw_like(40, windows=False)
    assert _jobs(cvrp, 40, 5, params, workers=1) == [("trips", 5)]
    assert _jobs(cvrp, 40, 5, params, workers=2) == [("trips", 5), ("trips", 6)]
    cvrp.vehicles_first = True  # the fleet first: the same, the search starting from the bound
    assert _jobs(cvrp, 40, 5, params, workers=1) == [("trips", 5)]
    assert _jobs(cvrp, 40, 5, params, workers=2) == [("trips", 5), ("trips", 6)]
    res = _vrptw_like(40, windows=False).solve(seed=1, max_iterations=200)
    assert res.solver == "pyvrp-trips" and not res.unserved
    assert check(_vrptw_like(40, windows=False), res) == []
    res = _vrptw_like(40).solve(seed=1, max_iterations=200)
    assert res.solver == "pyvrp-plain"
    assert not res.unserved
    assert check(_vrptw_like(40), res) == []


def _plan(m: Model, *, workers: int, meetings: int) -> tuple[float, list[list[int]]]:
    res = m.solve(
        seed=1,
        max_iterations=300,
        workers=workers,
        params=SolveParams(plain_meetings=meetings),
    )
    assert check(m, res) == [] and not res.unserved
    return round(res.cost, 6), [[v.index for v in r.visits] for r in res.routes]


def test_two_plain_workers_meet_and_still_give_one_answer() -> None:
    m = _vrptw_like(60)
    for meetings in (1, 3):
        met = _plan(m, workers=2, meetings=meetings)
        assert met == _plan(m, workers=2, meetings=meetings)  # iteration limit: the same plan
        # the meetings reach the search: two independent searches end elsewhere
        assert met != _plan(m, workers=2, meetings=0)
    # and their number does: three legs more end elsewhere again
    assert _plan(m, workers=2, meetings=1) != _plan(m, workers=2, meetings=3)


def test_one_worker_never_meets_anyone() -> None:
    m = _vrptw_like(60)
    assert _plan(m, workers=1, meetings=1) == _plan(m, workers=1, meetings=0)
    assert _plan(m, workers=1, meetings=3) == _plan(m, workers=1, meetings=0)


def _waste_models(n: int) -> list[Model]:
    """Distance-only models with one of Kim et al.'s rules each: a lunch, a stop limit, a daily
    load of several trips (PyVRP cannot state them, so our own phases search them)."""
    out = []
    lunch = Lunch(window=(11 * H, 12 * H), duration_s=H)
    for extra in (
        {"lunch": lunch},
        {"max_stops": 30},
        {"max_load_per_day": (float("inf"), 25.0)},
    ):
        m = _random_model(n)
        m.vehicle_types[0] = dataclasses.replace(m.vehicle_types[0], **extra)  # type: ignore[arg-type]
        m.vehicles_first = False
        out.append(m)
    return out


def test_waste_collection_models_never_run_the_plain_search_so_never_meet() -> None:
    for m in _waste_models(40):
        assert all(job[0] != "plain" for job in _jobs(m, 40, 1, SolveParams(), workers=2))


def test_the_plain_search_keeps_the_history_length_of_the_parameters() -> None:
    m = _vrptw_like(60)
    other = SolveParams(plain_history_length=1)
    assert _summary(m) != _summary(m, params=other)


def _histories(
    monkeypatch: pytest.MonkeyPatch, m: Model, params: SolveParams, **kwargs: object
) -> set[int]:
    """The late-acceptance histories the search jobs of one solve were given (one worker)."""
    seen: set[int] = set()
    real = engine.solve_pyvrp

    def spy(*args: object, **options: object) -> object:
        assert isinstance(options["params"], SolveParams)
        seen.add(options["params"].history_length)
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "solve_pyvrp", spy)
    m.solve(seed=1, max_iterations=50, workers=1, params=params, **kwargs)  # type: ignore[arg-type]
    return seen


def test_small_waste_collection_models_search_with_the_longer_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = SolveParams(history_length=11, small_history_length=33, small_max_clients=40)
    for m in _waste_models(40):
        assert _histories(monkeypatch, m, params) == {33}
    # one client more than small_max_clients: the usual history
    for m in _waste_models(41):
        assert _histories(monkeypatch, m, params) == {11}


def test_the_longer_history_never_reaches_models_pyvrp_states_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CVRP-like, VRPTW (vehicles first and the plain search), whatever their size
    params = SolveParams(history_length=11, small_history_length=33)
    assert _histories(monkeypatch, _random_model(40), params) == {11}
    vrptw = _vrptw_like(40)
    assert _histories(monkeypatch, vrptw, params) == {11}
    vrptw.vehicles_first = True
    assert _histories(monkeypatch, vrptw, params) == {11}


def test_the_longer_history_reaches_the_search_and_keeps_one_answer() -> None:
    m = _waste_models(40)[0]  # with a lunch
    assert _summary(m) == _summary(m)  # same inputs, seed and limits: the same plan
    assert _summary(m) != _summary(m, params=SolveParams(small_history_length=1))


def test_long_routes_get_the_long_history_and_short_routes_the_short_one() -> None:
    m = _vrptw_like(60)
    everything_long = {"plain_long_route_clients": 0.0}
    nothing_long = {"plain_long_route_clients": 1e9}
    base_long = _summary(m, params=SolveParams(**everything_long))
    base_short = _summary(m, params=SolveParams(**nothing_long))
    # where routes count as long only the long history reaches the search, else only the short
    assert base_long == _summary(m, params=SolveParams(plain_history_length=1, **everything_long))
    assert base_long != _summary(
        m, params=SolveParams(plain_long_history_length=1, **everything_long)
    )
    assert base_short == _summary(
        m, params=SolveParams(plain_long_history_length=1, **nothing_long)
    )
    assert base_short != _summary(m, params=SolveParams(plain_history_length=1, **nothing_long))
    # the same inputs, seed and limits: the same plan
    assert base_long == _summary(m, params=SolveParams(**everything_long))


def test_the_long_route_history_never_reaches_waste_collection_models() -> None:
    # Kim et al.'s rules keep our own phases, which read neither the long-route threshold nor
    # its history nor its penalty start
    for other in (
        SolveParams(plain_long_route_clients=0.0, plain_long_history_length=1),
        SolveParams(plain_long_route_clients=0.0, plain_long_penalty_scale=0.0),
        SolveParams(plain_long_route_clients=0.0, plain_long_penalty_scale=1e4),
    ):
        for m in _waste_models(40):
            assert _summary(m) == _summary(m, params=other)


def test_long_routes_start_the_penalties_at_the_data_scale_and_short_ones_at_pyvrps() -> None:
    m = _vrptw_like(60)
    everything_long = {"plain_long_route_clients": 0.0}
    nothing_long = {"plain_long_route_clients": 1e9}
    midpoint_long = _summary(m, params=SolveParams(plain_long_penalty_scale=0.0, **everything_long))
    scaled_long = _summary(m, params=SolveParams(plain_long_penalty_scale=1.0, **everything_long))
    assert midpoint_long != scaled_long
    # the same inputs, seed and limits: the same plan
    assert scaled_long == _summary(
        m, params=SolveParams(plain_long_penalty_scale=1.0, **everything_long)
    )
    # short routes keep PyVRP's own start whatever the long-route scale
    short = _summary(m, params=SolveParams(plain_long_penalty_scale=0.0, **nothing_long))
    assert short == _summary(m, params=SolveParams(plain_long_penalty_scale=1.0, **nothing_long))


def test_a_daily_load_of_whole_trips_gets_two_searches_of_the_exact_trip_bound() -> None:
    m = Model()
    lunch = Lunch(window=(11 * H, 12 * H), duration_s=H)
    m.add_vehicle_type(
        capacity=(float("inf"), 200.0), max_load_per_day=(float("inf"), 400.0), lunch=lunch
    )
    assert _jobs(m, 500, 1, SolveParams()) == [("trips", 1), ("trips", 2)]
    m.vehicle_types[0] = dataclasses.replace(
        m.vehicle_types[0], max_load_per_day=(float("inf"), 500.0)
    )
    assert _jobs(m, 500, 1, SolveParams()) == [("trips", 1), ("day", 1)]


def test_each_engine_mode_reports_its_best_plan_not_its_last() -> None:
    stats: dict[str, float] = {}
    kept: dict[str, tuple[int, int, float]] = {}
    _job_stats(stats, kept, "pyvrp-day", (0, 13, 131826.0), 13)
    _job_stats(stats, kept, "pyvrp-day", (0, 14, 141867.0), 14)  # the whole fleet's plan
    _job_stats(stats, kept, "pyvrp-trips", (0, 14, 141000.0), 14)
    assert stats["pyvrp-day_vehicles"] == 13.0
    assert stats["pyvrp-day_cost"] == 131826.0
    assert stats["pyvrp-trips_vehicles"] == 14.0
    _job_stats(stats, kept, "pyvrp-trips", (0, 13, 131900.0), 13)
    assert stats["pyvrp-trips_cost"] == 131900.0
