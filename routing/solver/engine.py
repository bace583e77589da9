"""Solve a :class:`~routing.solver.model.Model`: screening, search, verification, repair.

1. Screening: every client is tried alone in a fresh route of every vehicle type; a client no vehicle
   can serve even alone is left out at once with the reason ("unreachable from the depot",
   "demand larger than any vehicle's capacity", "time window cannot be met", ...).
2. Search: two jobs, in two processes when ``workers`` > 1 (the same jobs either way, so workers
   never change the answer; where PyVRP states every rule, one job per worker instead, below).
   Job 1 is PyVRP with landfills as reload depots and the daily load bounded through the number
   of trips (:mod:`routing.solver._pyvrp`, mode ``trips``; offered the fleet's lower bound first
   when vehicles come first and the daily load binds). Job 2 is PyVRP with the daily load exact
   (mode ``day``) and, up to ``SolveParams.ortools_max_clients`` clients, OR-Tools with every rule
   as a dimension (:mod:`routing.solver._ortools`) polishing the best PyVRP plan; when the daily
   load is a whole number of full trips (bounding the trips is then exact), job 2 is job 1 with
   another seed. When PyVRP's relaxation holds every rule (no lunch, no stop limit, one trip a
   day), every job is job 1, or PyVRP's own search where the distance alone counts and clients
   have time windows (the VRPTW benchmarks, mode ``plain``), each with its own seed, one per
   worker.
3. Verification: every route is re-timed by :mod:`routing.solver._schedule`, which places landfill
   visits, the final dump and the lunch; a route breaking a rule loses the client that breaks it,
   and dropped clients are re-inserted wherever they fit.
4. The best verified plan wins: most required clients served, then fewest vehicles (unless the
   model says ``vehicles_first=False``), then cost.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from routing.solver._exchange import Guest, Host, Offer, Routes
from routing.solver._fleet import vehicle_list
from routing.solver._ortools import solve_ortools
from routing.solver._pyvrp import solve_pyvrp
from routing.solver._schedule import (
    Evaluation,
    Item,
    Prepared,
    evaluate,
    normalise,
    place_landfills,
)
from routing.solver.control import Cancelled, Control
from routing.solver.model import Model, Result, Route, Unserved
from routing.solver.params import SolveParams

logger = logging.getLogger(__name__)


@dataclass
class _Plan:
    """A verified plan: a timed route per used vehicle and the clients left out."""

    routes: dict[tuple[int, int], tuple[list[Item], Evaluation]]
    dropped: dict[int, str]
    solver: str

    def key(self, model: Model) -> tuple[int, int, float]:
        """Lexicographic objective: unserved required clients, vehicles (unless the model counts
        them by cost only), cost."""
        unserved = sum(1 for i in self.dropped if model.clients[i].required)
        prize_lost = sum(
            model.clients[i].prize for i in self.dropped if not model.clients[i].required
        )
        cost = sum(ev.cost for _, ev in self.routes.values()) + prize_lost
        return unserved, len(self.routes) if model.vehicles_first else 0, cost


def _screen(prep: Prepared) -> dict[int, str]:
    """Clients no vehicle can serve even alone, with the reason in plain words."""
    model = prep.model
    out: dict[int, str] = {}
    vts = [(t, vt) for t, vt in enumerate(model.vehicle_types) if vt.num_available > 0]
    for i, c in enumerate(model.clients):
        if not vts:
            out[i] = "no vehicle available"
            continue
        if all(c.demand[0] > vt.capacity[0] or c.demand[1] > vt.capacity[1] for _, vt in vts):
            out[i] = "demand larger than any vehicle's capacity"
            continue
        if all(
            c.demand[0] > vt.max_load_per_day[0] or c.demand[1] > vt.max_load_per_day[1]
            for _, vt in vts
        ):
            out[i] = "demand larger than any vehicle's load per day"
            continue
        if all(vt.max_stops == 0 for _, vt in vts):
            out[i] = "no vehicle may make a stop"
            continue
        dirs = [False, True] if (c.is_segment and c.reversible) else [False]
        reached = False
        reasons: list[str] = []
        ok = False
        for t, vt in vts:
            start = model.depots[vt.start_depot].location
            for rev in dirs:
                own = prep.view(vt.profile)  # the vehicle's own roads
                if not (
                    math.isfinite(own.dur[start, own.entry[i][int(rev)]]) and own.serves(vt, i)
                ):
                    continue  # not on its roads: another vehicle type's reason counts
                reached = True
                items = normalise(prep, vt, [("client", i, rev)])
                ev = evaluate(prep, t, 0, items)
                if ev.route is not None:
                    ok = True
                    break
                reasons.append(ev.reason or "cannot be served")
            if ok:
                break
        if ok:
            continue
        if not reached and not any(prep.serves(vt, i) for _, vt in vts):
            out[i] = "on a road no available vehicle may drive"
        elif not reached:
            out[i] = "unreachable from the depot"
        elif any("unreachable" in r or "cannot be reached" in r for r in reasons):
            out[i] = "no way back to a landfill or the depot"
        elif "time window cannot be met" in reasons:
            out[i] = "time window cannot be met"
        else:
            out[i] = reasons[0] if reasons else "cannot be served"
    return out


def _verify(
    prep: Prepared, raw: list[tuple[int, int, list[Item]]], solver: str, dropped: dict[int, str]
) -> _Plan:
    """Time every route; drop the client that breaks a rule until each route is feasible."""
    model = prep.model
    routes: dict[tuple[int, int], tuple[list[Item], Evaluation]] = {}
    dropped = dict(dropped)
    for t, k, items in raw:
        vt = model.vehicle_types[t]
        seq = [it for it in items if it[0] == "client" and it[1] not in dropped]
        seq_all = [it for it in items if it[0] == "landfill" or it in seq]
        while True:
            norm = normalise(prep, vt, seq_all)
            ev = evaluate(prep, t, k, norm)
            if ev.route is not None or not any(it[0] == "client" for it in norm):
                break
            bad = ev.bad_client
            dropped[bad if bad is not None else seq_all[0][1]] = ev.reason or "cannot be served"
            seq_all = [it for it in seq_all if not (it[0] == "client" and it[1] == bad)]
        if ev.route is not None:
            routes[(t, k)] = _cheapest_unloading(prep, t, k, norm, ev)
    return _Plan(routes, dropped, solver)


def _cheapest_unloading(
    prep: Prepared, t: int, k: int, items: list[Item], ev: Evaluation
) -> tuple[list[Item], Evaluation]:
    """The route with its landfill visits at their cheapest places for its order
    (:func:`~routing.solver._schedule.place_landfills`) when that is feasible and cheaper."""
    placed = place_landfills(prep, prep.model.vehicle_types[t], items)
    if placed == items:
        return items, ev
    pev = evaluate(prep, t, k, placed)
    if pev.route is not None and pev.cost < ev.cost - 1e-9:
        return placed, pev
    return items, ev


def _reinsert(
    prep: Prepared,
    plan: _Plan,
    candidates: list[int],
    deadline: float,
    *,
    positions: int,
    control: Control | None = None,
) -> None:
    """Insert left-out clients where they fit best, in place.

    Positions are ranked by the detour they cost; only the cheapest few are timed and verified
    (timing a route is the expensive part). A client that fits no used vehicle opens an unused one.
    """
    model = prep.model
    for i in candidates:
        if control is not None:
            control.check()
        c = model.clients[i]
        # past the deadline only the quick fallback (a vehicle of its own) is tried
        ranked = _ranked(prep, plan, i, positions) if time.monotonic() <= deadline else []
        best: _Insertion | None = None
        for _, key, pos, rev in ranked[: 4 * positions]:
            items, ev = plan.routes[key]
            vt = model.vehicle_types[key[0]]
            trial = normalise(prep, vt, [*items[:pos], ("client", i, rev), *items[pos:]])
            tev = evaluate(prep, key[0], key[1], trial)
            if tev.route is not None and (best is None or tev.cost - ev.cost < best[0]):
                best = (tev.cost - ev.cost, key, trial, tev)
        if best is None:
            best = _open_vehicle(prep, plan, i)
        if best is not None and (c.required or best[0] < c.prize):
            plan.routes[best[1]] = (best[2], best[3])
            plan.dropped.pop(i, None)


_Insertion = tuple[float, tuple[int, int], list[Item], Evaluation]
"""A verified insertion: added cost, vehicle, the route's items and their timing."""


def _ranked(
    prep: Prepared, plan: _Plan, i: int, positions: int
) -> list[tuple[float, tuple[int, int], int, bool]]:
    """The cheapest ``positions`` places per route and direction for client ``i`` by the detour
    they cost (routes whose stop limit or daily load it would break are skipped), cheapest first."""
    model = prep.model
    c = model.clients[i]
    dirs = [False, True] if (c.is_segment and c.reversible) else [False]
    ranked: list[tuple[float, tuple[int, int], int, bool]] = []
    for key, (items, _ev) in plan.routes.items():
        vt = model.vehicle_types[key[0]]
        n_clients = sum(1 for it in items if it[0] == "client")
        if vt.max_stops is not None and n_clients + 1 > vt.max_stops:
            continue
        day = [
            sum(model.clients[it[1]].demand[d] for it in items if it[0] == "client") for d in (0, 1)
        ]
        if any(day[d] + c.demand[d] > vt.max_load_per_day[d] + 1e-9 for d in (0, 1)):
            continue
        if not prep.serves(vt, i):
            continue
        own = prep.view(vt.profile)  # the vehicle's own roads
        start = model.depots[vt.start_depot].location
        end = model.depots[vt.end_depot].location
        prev = np.asarray([start, *[prep.loc_out(it) for it in items]])
        nxt = np.asarray([*[prep.loc_in(it) for it in items], end])
        base = own.dist[prev, nxt] * vt.cost_per_km + own.dur[prev, nxt] * vt.cost_per_hour / 3.6
        for rev in dirs:
            a, b = prep.entry[i][int(rev)], prep.exit[i][int(rev)]
            via = (
                (own.dist[prev, a] + own.dist[b, nxt]) * vt.cost_per_km
                + (own.dur[prev, a] + own.dur[b, nxt]) * vt.cost_per_hour / 3.6
                + own.dur[prev, a] * 1e-6
            )
            delta = via - base
            for pos in np.argsort(delta, kind="stable")[:positions]:
                if np.isfinite(delta[pos]):
                    ranked.append((float(delta[pos]), key, int(pos), rev))
    ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return ranked


def _open_vehicle(prep: Prepared, plan: _Plan, i: int) -> _Insertion | None:
    """No room on a used vehicle: client ``i`` alone on the cheapest unused one (one per type)."""
    model = prep.model
    c = model.clients[i]
    dirs = [False, True] if (c.is_segment and c.reversible) else [False]
    best: _Insertion | None = None
    used = set(plan.routes)
    tried: set[int] = set()
    for key in vehicle_list(prep):
        if key in used or key[0] in tried:
            continue
        tried.add(key[0])
        vt = model.vehicle_types[key[0]]
        for rev in dirs:
            trial = normalise(prep, vt, [("client", i, rev)])
            tev = evaluate(prep, key[0], key[1], trial)
            if tev.route is not None and (best is None or tev.cost < best[0]):
                best = (tev.cost, key, trial, tev)
    return best


def _explain_left_out(prep: Prepared, plan: _Plan, clients: list[int]) -> None:
    """Give a reason to clients the search left out (they fit alone, not in the fleet's day)."""
    model = prep.model
    fleet = [(vt, vt.num_available) for vt in model.vehicle_types]
    for d in (0, 1):
        cap = sum(vt.max_load_per_day[d] * n for vt, n in fleet)
        need = sum(model.clients[i].demand[d] for i in clients)
        if need > cap + 1e-9:
            reason = "over the fleet's capacity"
            break
    else:
        stops = sum((vt.max_stops if vt.max_stops is not None else math.inf) * n for vt, n in fleet)
        if len(clients) > stops:
            reason = "over the fleet's stops per day"
        else:
            reason = "no time in the shift"
    served = {it[1] for items, _ in plan.routes.values() for it in items if it[0] == "client"}
    for i in clients:
        if i not in served:
            plan.dropped[i] = (
                reason if model.clients[i].required else "optional, not worth the detour"
            )


def _to_result(model: Model, plan: _Plan, runtime: float, stats: dict[str, float]) -> Result:
    routes: list[Route] = []
    for key in sorted(plan.routes):
        ev = plan.routes[key][1]
        assert ev.route is not None
        routes.append(ev.route)
    unserved = [Unserved(i, r) for i, r in sorted(plan.dropped.items())]
    cost = sum(plan.routes[k][1].cost for k in plan.routes)
    stats = dict(stats)
    stats["unserved_required"] = float(sum(1 for u in unserved if model.clients[u.client].required))
    return Result(
        routes=routes,
        unserved=unserved,
        cost=cost,
        runtime_s=runtime,
        solver=plan.solver,
        stats=stats,
    )


def solve(
    model: Model,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    max_iterations: int | None = None,
    workers: int = 1,
    progress: bool = False,
    params: SolveParams | None = None,
    cancel: Callable[[], bool] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> Result:
    """Solve ``model``: serve as many required clients as possible, then use fewest vehicles, then
    least cost.

    Parameters
    ----------
    model
        The problem.
    time_limit_s
        Wall-clock budget for the search (ignored for the answer when ``max_iterations`` is given).
    seed
        Random seed of the search.
    max_iterations
        When given, the search stops after this many improving solutions (OR-Tools) or iterations
        (PyVRP) and the wall clock does not change the answer: same model + seed + iterations →
        same result.
    workers
        Processes to use: with 2 or more the two search jobs run side by side, each with the whole
        time limit; with 1 they run one after the other. The answer under ``max_iterations`` does
        not depend on it.
    progress
        Log the best cost periodically.
    params
        Tuning of the search (:class:`~routing.solver.params.SolveParams`; its defaults when None).
    cancel
        Asked often (every search iteration, every OR-Tools search node, while waiting for the job
        processes, between clients of the repair); True means stop now: the job processes are
        terminated and :class:`~routing.solver.control.Cancelled` is raised.
    on_progress
        Called with the fraction (0..1) of the budget used (time, or an estimate under
        ``max_iterations``), never decreasing, at most four times a second.

    Returns
    -------
    Result
        Verified routes (every rule of the model holds) and the unserved clients with reasons.

    Raises
    ------
    ValueError
        The model is not valid (see :meth:`~routing.solver.model.Model.validate`).
    Cancelled
        ``cancel`` returned True.
    """
    t0 = time.monotonic()
    params = params if params is not None else SolveParams()
    control = Control(
        time_limit_s=time_limit_s,
        max_iterations=max_iterations,
        cancel=cancel,
        on_progress=on_progress,
        log=progress,
        started=t0,
    )
    control.check()
    model.validate()
    prep = Prepared.of(model)
    logger.info(
        "solving %d clients, %d landfills, %d depots, %d vehicles",
        len(model.clients),
        len(model.landfills),
        len(model.depots),
        len(vehicle_list(prep)),
    )
    screened = _screen(prep)
    clients = [i for i in range(len(model.clients)) if i not in screened]
    logger.info("screening: %d clients cannot be served by any vehicle", len(screened))
    stats: dict[str, float] = {"screened_out": float(len(screened))}
    deadline = t0 + time_limit_s
    jobs = _jobs(model, len(clients), seed, params, workers)
    search = _search_params(model, len(clients), params)
    plans = _run_jobs(prep, clients, jobs, deadline, workers, screened, search, control)
    # re-insertion may run a little past the deadline (never under an iteration limit)
    until = math.inf if max_iterations is not None else deadline + min(5.0, 0.05 * time_limit_s)
    best = _choose(prep, plans, clients, screened, stats, until, params, control)
    key = best.key(model)
    stats.update({"vehicles": float(len(best.routes)), "cost": key[2]})
    if progress:
        logger.info(
            "best (%s): %d unserved, %d vehicles, cost %.2f",
            best.solver,
            key[0],
            len(best.routes),
            key[2],
        )
    control.report(1.0)
    return _to_result(model, best, time.monotonic() - t0, stats)


def _choose(
    prep: Prepared,
    plans: list[_Plan],
    clients: list[int],
    screened: dict[int, str],
    stats: dict[str, float],
    until: float,
    params: SolveParams,
    control: Control,
) -> _Plan:
    """Repair each verified plan (best first) and return the best; each engine and mode's best
    goes into ``stats``."""
    model = prep.model
    best: _Plan | None = None
    kept: dict[str, tuple[int, int, float]] = {}  # best key per engine and mode
    for plan in sorted(plans, key=lambda p: p.key(model)):
        _explain_left_out(prep, plan, clients)
        left = [i for i in plan.dropped if i not in screened]
        # re-inserting never removes a vehicle: skip plans that cannot beat a complete best
        hopeless = (
            best is not None
            and best.key(model)[0] == 0
            and model.vehicles_first
            and len(plan.routes) > len(best.routes)
        )
        if left and not hopeless:
            logger.info("%s repair: re-inserting %d clients", plan.solver, len(left))
            _reinsert(prep, plan, left, until, positions=params.reinsert_positions, control=control)
            _explain_left_out(prep, plan, clients)
        key = plan.key(model)
        _job_stats(stats, kept, plan.solver, key, len(plan.routes))
        logger.info(
            "%s: %d unserved, %d vehicles, cost %.2f", plan.solver, key[0], len(plan.routes), key[2]
        )
        if best is None or key < best.key(model):
            best = plan
    if best is None:
        best = _Plan({}, dict(screened), "none")
        _explain_left_out(prep, best, clients)
    return best


def _jobs(
    model: Model, n_clients: int, seed: int, params: SolveParams, workers: int = 2
) -> list[tuple[str, int]]:
    """The search jobs for this model: where PyVRP states every rule exactly, one search per
    worker (seeds s, s + 1, ...; with one worker one search has the whole time); otherwise two
    jobs, the same whatever the number of workers.

    Where the objective is the distance alone and clients have time windows (the VRPTW
    benchmarks read with ``vehicles_first=False``), the jobs are PyVRP's own search as
    ``pyvrp.solve`` runs it (``plain``, with ``SolveParams.plain_history_length``); parallel plain
    jobs meet ``SolveParams.plain_meetings`` times, evenly spaced over their time, and each time go
    on from the best of all (:mod:`routing.solver._exchange`). Chosen on the tuning set at 30 s,
    one worker, seed 1 (BENCHMARKS.md): R1_10_2 +10.15 % plain against +16.11 % with our phases,
    RC1_10_2 +8.79 % against +10.09 %; on CVRP it was mixed (X-n1001 +5.57 % against +6.10 %, but
    X-n200 +2.38 % against +1.25 %, where the search from the load bound packs 36 routes), so
    CVRP keeps our phases.

    Any other model PyVRP states exactly (no lunch, no stop limit, one trip a day or no daily
    limit: CVRP, the street segments, Solomon's files) runs our whole-fleet search (``trips``),
    which starts from the fleet's load bound where vehicles come first and the load binds
    (:func:`routing.solver._pyvrp.solve_pyvrp`). A second job used to search from that bound
    whatever the objective (``tight``); where vehicles come first that was the same search with
    the next seed, and each had half the time on one worker. One search with the whole time was
    better on the street tuning set (60 s of processor time, Lpr-IF a, b and c, 2026-12-03,
    BENCHMARKS.md, eleventh session) and on the CVRP tuning set, where the search from the bound
    also lost with the distance alone (the eight shipped X files, 30 s of processor time, seeds
    1-3, tenth session: ``trips`` with the whole time shorter than ``trips`` then ``tight`` on 13
    of 24 runs and longer on 2; ``tight`` alone longer than ``trips`` alone on 21: on X-n101-k25
    it keeps the load bound's 25 routes, the best known has 26; at two workers two seeds of
    ``trips`` against ``trips`` and ``tight`` shorter on 9 of 16 runs, longer on 1).

    When PyVRP's relaxation loses a rule (lunch, stop limit, a daily load above one trip: waste
    collection) there are two jobs. Where the daily load is a whole number of full trips,
    bounding the trips loses nothing, so the second job is the same search with another seed (the
    best of two: 1051_stop at 60 s, 1,979.6 → 1,973.1 and 1,962.4 miles, seeds 1-2; 277_stop
    447.5 → 446.2 and 446.1). Otherwise it writes the daily load exactly and, on small instances,
    ends with OR-Tools. Both jobs writing the daily load exactly (seeds s and s + 1) was no better
    at 60 s, seeds 1-3, before stops at one place were grouped: 1599_stop 1,113 / 1,113 / 1,135
    miles against 1,134 / 1,089 / 1,104, 2100_stop 1,513 / 1,557 / 1,576 against 1,503 / 1,535
    (seeds 1-2), 804_stop 570 / 567 / 566 against 570 / 569.
    """
    if _pyvrp_exact(model) and not model.vehicles_first and params.plain_pyvrp and _windows(model):
        return [("plain", seed + k) for k in range(max(1, workers))]
    if _pyvrp_exact(model):
        return [("trips", seed + k) for k in range(max(1, workers))]
    if _whole_trips(model):
        return [("trips", seed), ("trips", seed + 1)]
    hybrid = n_clients <= params.ortools_max_clients
    return [("trips", seed), ("hybrid" if hybrid else "day", seed)]


def _search_params(model: Model, n_clients: int, params: SolveParams) -> SolveParams:
    """The parameters the search jobs run with: on a small waste-collection model (one PyVRP
    cannot state exactly: a lunch, a stop limit or a daily load above one trip) of at most
    ``params.small_max_clients`` clients, the history is ``params.small_history_length``; any
    other model's search keeps ``params`` (the plain VRPTW search, CVRP, the street segments).
    """
    if _pyvrp_exact(model) or n_clients > params.small_max_clients:
        return params
    return dataclasses.replace(params, history_length=params.small_history_length)


def _windows(model: Model) -> bool:
    """Whether some client's time window is narrower than the working day of every vehicle."""
    active = [vt for vt in model.vehicle_types if vt.num_available > 0]
    if not active:
        return False
    start = min(vt.shift[0] for vt in active)
    end = max(vt.shift[1] for vt in active)
    return any(c.tw[0] > start or c.tw[1] < end for c in model.clients)


def _whole_trips(model: Model) -> bool:
    """Whether every finite daily load is a whole number of full trips (the ``trips`` bound is exact)."""
    return all(
        math.isfinite(cap) and abs(day / cap - round(day / cap)) <= 1e-9
        for day, cap in _daily_limits(model)
    )


def _pyvrp_exact(model: Model) -> bool:
    """Whether the ``trips`` relaxation of :mod:`routing.solver._pyvrp` loses no rule of the model."""
    active = [vt for vt in model.vehicle_types if vt.num_available > 0]
    if any(vt.lunch is not None or vt.max_stops is not None for vt in active):
        return False
    return all(day <= cap for day, cap in _daily_limits(model))


def _daily_limits(model: Model) -> list[tuple[float, float]]:
    """(daily limit, trip capacity) of every dimension with a daily limit, over the used types."""
    return [
        (vt.max_load_per_day[d], vt.capacity[d])
        for vt in model.vehicle_types
        if vt.num_available > 0
        for d in (0, 1)
        if math.isfinite(vt.max_load_per_day[d])
    ]


def _run_engine(
    prep: Prepared,
    clients: list[int],
    job: tuple[str, int],
    budget: float,
    params: SolveParams,
    control: Control,
    meet: Callable[[Offer], Routes] | None = None,
) -> list[tuple[str, list[tuple[int, int, list[Item]]]]]:
    """Run one search job; every plan it returns is verified by the caller.

    ``trips`` and ``day`` are PyVRP runs (see :func:`routing.solver._pyvrp.solve_pyvrp` for the
    modes). ``hybrid`` runs PyVRP (``day``) for 70 % of the budget, then OR-Tools, which models every
    rule exactly (the lunch too), from the best verified PyVRP plan. ``meet`` is the parallel
    ``plain`` jobs' exchange of their bests (:mod:`routing.solver._exchange`).
    """
    name, seed = job
    t0 = time.monotonic()
    max_iterations = control.max_iterations
    if name in ("trips", "day", "plain"):
        found = solve_pyvrp(
            prep,
            clients,
            time_limit_s=budget,
            max_iterations=max_iterations,
            seed=seed,
            mode=name,
            params=params,
            control=control,
            meet=meet if name == "plain" else None,
        )
        return [(f"pyvrp-{name}", raw) for raw in found]
    raws = solve_pyvrp(
        prep,
        clients,
        time_limit_s=budget * 0.7,
        max_iterations=max_iterations,
        seed=seed,
        mode="day",
        params=params,
        control=control,
    )
    if max_iterations is not None:
        # OR-Tools' completion of a warm start has no deterministic limit (it may search for hours),
        # so under an iteration limit the plan comes from PyVRP alone.
        return [("pyvrp-day", raw) for raw in raws]
    model = prep.model
    plans = [_verify(prep, raw, "pyvrp", {}) for raw in raws]
    start = min(plans, key=lambda p: p.key(model))
    initial = [start.routes[key][0] if key in start.routes else [] for key in vehicle_list(prep)]
    left = max(0.2, budget - (time.monotonic() - t0))
    polished = solve_ortools(
        prep,
        clients,
        time_limit_s=left,
        max_iterations=max_iterations,
        initial=initial,
        control=control,
    )
    return [*(("pyvrp-day", raw) for raw in raws), ("ortools", polished)]


def _child(
    conn: Connection,
    prep: Prepared,
    clients: list[int],
    job: tuple[str, int],
    budget: float,
    params: SolveParams,
    control: Control,
    meets: bool = False,
) -> None:
    try:
        meet = Guest(conn, control) if meets else None
        conn.send(_run_engine(prep, clients, job, budget, params, control, meet))
    except Exception as exc:  # report the failure to the parent, which carries on without it
        conn.send(exc)
    finally:
        conn.close()


def _run_jobs(
    prep: Prepared,
    clients: list[int],
    jobs: list[tuple[str, int]],
    deadline: float,
    workers: int,
    screened: dict[int, str],
    params: SolveParams,
    control: Control,
) -> list[_Plan]:
    """Run the engines (in parallel processes when ``workers`` > 1) and verify their plans.

    The search may use ``params.keep`` of the time left.
    """
    if not clients:
        return [_Plan({}, dict(screened), "none")]
    if workers > 1 and len(jobs) > 1 and hasattr(os, "fork"):
        raws = _run_parallel(prep, clients, jobs, deadline, params, control)
    else:
        raws = []
        for k, job in enumerate(jobs):
            left = max(0.2, deadline - time.monotonic())
            budget = max(0.2, left * _keep(job, params) / (len(jobs) - k) - 0.2)
            control.start_job(k, len(jobs))
            raws.extend(_safe_run(prep, clients, job, budget, params, control))
    logger.info("search done; verifying %d plans", len(raws))
    plans = [_verify(prep, raw, label, screened) for label, raw in raws]
    logger.info("verified")
    return plans


_Raws = list[tuple[str, list[tuple[int, int, list[Item]]]]]


def _keep(job: tuple[str, int], params: SolveParams) -> float:
    """The share of the time left a job may search: all of it for PyVRP's own search (its plans
    break no rule, so nothing is left to repair; verifying a thousand clients takes 0.2 s)."""
    return 1.0 if job[0] == "plain" else params.keep


def _run_parallel(
    prep: Prepared,
    clients: list[int],
    jobs: list[tuple[str, int]],
    deadline: float,
    params: SolveParams,
    control: Control,
) -> _Raws:
    """The first job in this process, the others in forked ones, all with the whole budget.

    When every job is PyVRP's own search (``plain``) and ``params.plain_meetings`` is not 0,
    the jobs meet part way to go on from the best of all (:mod:`routing.solver._exchange`), the
    engine's process holding the meeting. The children are terminated when the search is cancelled
    or fails here, and when they do not answer in time.
    """
    remaining = max(0.2, deadline - time.monotonic())
    # keep room for verification and repair after the search
    budget = max(0.2, remaining * _keep(jobs[0], params) - 0.3)
    meets = params.plain_meetings > 0 and all(job[0] == "plain" for job in jobs)
    ctx = mp.get_context("fork")
    children: list[tuple[tuple[str, int], Any, Connection]] = []
    try:
        for job in jobs[1:]:
            parent, child = ctx.Pipe(duplex=meets)
            proc = ctx.Process(
                target=_child,
                args=(child, prep, clients, job, budget, params, control.for_child(), meets),
            )
            proc.start()
            child.close()
            children.append((job, proc, parent))
        host = Host([conn for _, _, conn in children], control) if meets else None
        raws = _safe_run(prep, clients, jobs[0], budget, params, control, host)
        for job, proc, parent in children:
            raws.extend(_collect(job, proc, parent, deadline, control))
        return raws
    finally:
        for _, proc, _ in children:
            if proc.is_alive():
                proc.terminate()
            proc.join(5)


WAIT_POLL_S = 0.1
"""Seconds between two looks at the cancel callable while waiting for a job process."""


def _collect(
    job: tuple[str, int],
    proc: mp.process.BaseProcess,
    conn: Connection,
    deadline: float,
    control: Control,
) -> _Raws:
    """The plans of a job process; nothing if it failed or did not answer in time (it is stopped).

    Without an iteration limit a job has until 5 s past the deadline; under one it may take as long
    as it needs (its answer must not depend on the clock).
    """
    until = (
        math.inf
        if control.max_iterations is not None
        else max(time.monotonic() + 1.0, deadline + 5)
    )
    while not conn.poll(WAIT_POLL_S):
        control.check()
        if time.monotonic() > until or (not proc.is_alive() and not conn.poll(0)):
            logger.warning("%s did not answer in time; it is stopped", _label(job))
            proc.terminate()
            return []
    try:
        got: object = conn.recv()
        while isinstance(got, Offer):  # an offer that came too late for the meeting
            got = conn.recv()
    except EOFError:
        return []
    if isinstance(got, Cancelled):
        raise got
    if isinstance(got, Exception):
        logger.warning("%s failed: %s", _label(job), got)
        return []
    return got  # type: ignore[return-value]


def _label(job: tuple[str, int]) -> str:
    return f"{job[0]}(seed {job[1]})"


def _job_stats(
    stats: dict[str, float],
    kept: dict[str, tuple[int, int, float]],
    solver: str,
    key: tuple[int, int, float],
    vehicles: int,
) -> None:
    """Record a plan under its engine and mode unless that label already has a better one (``kept``).

    A job may return several plans (the whole fleet and a smaller one), and two jobs of one mode
    (two seeds) share a label; the figures are those of the best, which is what the label brings
    to the choice.
    """
    if solver in kept and kept[solver] <= key:
        return
    kept[solver] = key
    stats[f"{solver}_vehicles"] = float(vehicles)
    stats[f"{solver}_cost"] = key[2]
    stats[f"{solver}_unserved"] = float(key[0])


def _safe_run(
    prep: Prepared,
    clients: list[int],
    job: tuple[str, int],
    budget: float,
    params: SolveParams,
    control: Control,
    meet: Callable[[Offer], Routes] | None = None,
) -> _Raws:
    try:
        return _run_engine(prep, clients, job, budget, params, control, meet)
    except Cancelled:
        raise
    except Exception as exc:  # one engine failing must not lose the other's plan
        logger.warning("%s failed: %s", _label(job), exc)
        return []
