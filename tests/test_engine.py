"""The engine's controls: parameters, cancellation and progress (routing/solver/engine.py)."""

from __future__ import annotations

import itertools
import multiprocessing as mp
import time

import numpy as np
import pytest

from routing.solver import Cancelled, Model, SolveParams
from routing.solver._fleet import vehicle_list
from routing.solver._ortools import solve_ortools
from routing.solver._schedule import Prepared
from routing.solver.control import Control

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


@pytest.mark.parametrize(
    "bad",
    [{"neighbours": 0}, {"keep": 0.0}, {"keep": 1.5}, {"history_length": -1}],
)
def test_bad_parameters_are_refused_naming_the_field(bad: dict[str, float]) -> None:
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        SolveParams(**bad)  # type: ignore[arg-type]


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
