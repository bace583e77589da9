"""String removals: a compiled ruin-and-recreate search that ends the plain search where routes
are long.

The method is SISR (Christiaens and Vanden Berghe, "Slack induction by string removals for vehicle
routing problems", Transportation Science 54(2), 2020), written here from the paper, with
simulated annealing as its acceptance. Each iteration removes a few strings (runs of consecutive
clients) from routes that lie near a random client, then puts the removed clients back one by one
at their cheapest feasible place (in a random order or by demand or by distance from the depot,
each place skipped with a small "blink" probability), and keeps the result when it is shorter than
the current plan plus ``-T ln U``, with the temperature ``T`` falling exponentially over the time.
Windows, capacity and the depot's hours are hard, so every plan it holds is feasible; its cost is
the distance.

Why it is here: on the Gehring-Homberger instances with long routes (type 2, about 55 clients a
route) the plain PyVRP search settles into a basin it leaves only slowly, and PyVRP's local search
moves at most three clients at once. Removing a string and re-inserting it client by client moves
chains of clients between routes, which its moves do not. An iteration touches only the routes it
changes, so it is cheap: about 0.15 ms on a thousand clients, against about 0.8 ms for an iteration
of PyVRP's search. The evidence for where and how long it runs is in
:class:`~routing.solver.params.SolveParams` (``plain_long_ruin_share``) and ``BENCHMARKS.md``.

It reads only what a plain VRPTW states (:func:`supports`): one vehicle type (its start and end
depots may differ), at most one load dimension, clients that all deliver or all pick up, every
client required, the cost the distance. Anything else keeps the PyVRP search alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import pyvrp

from routing.solver.params import SolveParams

# The compiled kernels share two tuples: the instance (read only) and the plan's state.
#   inst  = (dist, dist_t, dur, dur_t, ready, due, serv, dem, adj)
#   state = (rt, rlen, leave, latest, load, rcost, ecost, route_of, pos_of)
# Nodes are numbered locally: 0 the start depot, 1..N the clients, N + 1 the end depot.
# rt[r, :rlen[r]] are route r's clients; leave[r, i] is when the vehicle leaves its i-th client,
# latest[r, i] the latest start of service there that keeps the rest of the route feasible;
# ecost[r, i] the distance of the arc into position i (i = rlen[r]: to the end depot).


@dataclass(frozen=True)
class StringParams:
    """The settings of one string-removal run (the paper's names in brackets). No defaults here:
    they live, with their evidence, in :class:`~routing.solver.params.SolveParams`
    (:meth:`of`).

    Parameters
    ----------
    mean_removed
        Mean number of clients an iteration removes (c-bar).
    max_string
        Longest string removed from one route (L-max).
    blink
        Chance to skip a place when re-inserting a client (beta).
    start_temperature, end_temperature
        The annealing's temperature at the start and at the end, as shares of the plan's mean arc
        distance, so that they mean the same in any unit.
    """

    mean_removed: float
    max_string: int
    blink: float
    start_temperature: float
    end_temperature: float

    @classmethod
    def of(cls, params: SolveParams) -> StringParams:
        """The string-removal settings of the solver's parameters (``strings_*``)."""
        return cls(
            mean_removed=params.strings_mean_removed,
            max_string=params.strings_max_string,
            blink=params.strings_blink,
            start_temperature=params.strings_start_temperature,
            end_temperature=params.strings_end_temperature,
        )


def supports(data: pyvrp.ProblemData) -> bool:
    """Whether the string removals read every rule of ``data``: one vehicle type costing its
    distance only, with at most one load dimension and no reloads, one shift its depots' and its
    own windows bound; clients that are all required, alone in their groups, with no release time,
    and that all deliver or all pick up (so a route's load is the sum of either). The start and
    end depots may differ."""
    if data.num_vehicle_types != 1 or data.num_load_dimensions > 1 or data.num_groups:
        return False
    vt = data.vehicle_types()[0]
    big = np.iinfo(np.int64).max // 2
    early, late = _shift(data)
    plain_vt = (
        vt.unit_distance_cost > 0
        and vt.unit_duration_cost == 0
        and vt.fixed_cost == 0
        and vt.max_distance >= big
        and min(vt.shift_duration, vt.max_duration) >= late - early
        and vt.start_late >= early
        and not vt.reload_depots
        and not any(vt.initial_load)
    )
    clients = data.clients()
    one_way = not any(any(c.pickup) for c in clients) or not any(any(c.delivery) for c in clients)
    return plain_vt and one_way and all(c.required and c.release_time == 0 for c in clients)


def _shift(data: pyvrp.ProblemData) -> tuple[int, int]:
    """The earliest start and latest end of the one vehicle type's day."""
    vt, depots = data.vehicle_types()[0], data.depots()
    early = max(vt.tw_early, depots[vt.start_depot].tw_early)
    return early, min(vt.tw_late, depots[vt.end_depot].tw_late)


@numba.njit(cache=True, nogil=True)
def _refresh(r, inst, state):  # pragma: no cover - compiled
    """Recompute route ``r``'s times, load, arcs and cost, and its clients' places."""
    dist, _, dur, _, ready, due, serv, dem, _ = inst
    rt, rlen, leave, latest, load, rcost, ecost, route_of, pos_of = state
    k = rlen[r]
    end = ready.shape[0] - 1
    t = ready[0]
    prev = 0
    ld = 0
    total = 0
    for i in range(k):
        c = rt[r, i]
        a = max(ready[c], t + dur[prev, c])
        t = a + serv[c]
        leave[r, i] = t
        ld += dem[c]
        ecost[r, i] = dist[prev, c]
        total += dist[prev, c]
        route_of[c] = r
        pos_of[c] = i
        prev = c
    ecost[r, k] = dist[prev, end]
    rcost[r] = total + dist[prev, end]
    load[r] = ld
    nxt_latest = due[end]
    nxt = end
    for i in range(k - 1, -1, -1):
        c = rt[r, i]
        lt = min(due[c], nxt_latest - dur[c, nxt] - serv[c])
        latest[r, i] = lt
        nxt_latest = lt
        nxt = c


@numba.njit(cache=True, nogil=True)
def _touch(r, state, backup):  # pragma: no cover - compiled
    """Keep route ``r`` as it was before this iteration, the first time it changes."""
    rt, rlen = state[0], state[1]
    bk_rt, bk_len, touched, tlist, ntouched = backup
    if touched[r] < 0:
        j = ntouched[0]
        touched[r] = j
        bk_len[j] = rlen[r]
        bk_rt[j, : rlen[r]] = rt[r, : rlen[r]]
        tlist[j] = r
        ntouched[0] = j + 1


@numba.njit(cache=True, nogil=True)
def _ruin(inst, state, backup, removed, mean_removed, max_string):  # pragma: no cover - compiled
    """Remove strings from routes near a random client (the paper's ruin); returns how many
    clients ``removed`` now holds."""
    adj = inst[8]
    rt, rlen = state[0], state[1]
    route_of, pos_of = state[7], state[8]
    routes, clients = 0, 0
    for r in range(rlen.shape[0]):
        if rlen[r] > 0:
            routes += 1
            clients += rlen[r]
    ls_max = min(float(max_string), clients / max(routes, 1))
    strings = int(np.random.random() * (4.0 * mean_removed / (1.0 + ls_max) - 1.0)) + 1
    seed = np.random.randint(1, adj.shape[0] - 1)
    count = 0
    done = 0
    for j in range(adj.shape[1] + 1):
        if done >= strings:
            break
        c = seed if j == 0 else adj[seed, j - 1]
        r = route_of[c]
        if r < 0 or backup[2][r] >= 0:  # removed already, or its route ruined already
            continue
        k = rlen[r]
        length = min(k, int(np.random.random() * min(float(k), ls_max)) + 1)
        lo = min(max(pos_of[c] - np.random.randint(0, length), 0), k - length)
        _touch(r, state, backup)
        for i in range(lo, lo + length):
            removed[count] = rt[r, i]
            route_of[rt[r, i]] = -1
            count += 1
        rt[r, lo : k - length] = rt[r, lo + length : k].copy()
        rlen[r] = k - length
        _refresh(r, inst, state)
        done += 1
    return count


@numba.njit(cache=True, nogil=True)
def _place(c, inst, state, cap, blink):  # pragma: no cover - compiled
    """The cheapest feasible (route, position) for client ``c``; an empty route where no route
    takes it, (-1, -1) where not even that is feasible."""
    dist, dist_t, dur, dur_t, ready, due, serv, dem, _ = inst
    rt, rlen, leave, latest, load = state[0], state[1], state[2], state[3], state[4]
    ecost = state[6]
    end = ready.shape[0] - 1
    best_d = np.iinfo(np.int64).max
    best_r, best_p, empty = -1, -1, -1
    for r in range(rlen.shape[0]):
        k = rlen[r]
        if k == 0:
            empty = r if empty < 0 else empty
            continue
        if load[r] + dem[c] > cap:
            continue
        for p in range(k + 1):
            prv = 0 if p == 0 else rt[r, p - 1]
            nxt = end if p == k else rt[r, p]
            d = dist_t[c, prv] + dist[c, nxt] - ecost[r, p]
            if d >= best_d:
                continue
            left = ready[0] if p == 0 else leave[r, p - 1]
            a = max(ready[c], left + dur_t[c, prv])
            if a > due[c]:
                continue
            if a + serv[c] + dur[c, nxt] > (due[end] if p == k else latest[r, p]):
                continue
            if np.random.random() < blink:
                continue
            best_d, best_r, best_p = d, r, p
    if best_r < 0 and empty >= 0 and dem[c] <= cap:
        a = max(ready[c], ready[0] + dur[0, c])
        if a <= due[c] and a + serv[c] + dur[c, end] <= due[end]:
            return empty, 0
    return best_r, best_p


@numba.njit(cache=True, nogil=True)
def _recreate(inst, state, backup, removed, count, cap, blink):  # pragma: no cover - compiled
    """Put the removed clients back, in one of the paper's four orders; False when one fits
    nowhere."""
    dist, dem = inst[0], inst[7]
    rt, rlen = state[0], state[1]
    mode = np.random.random() * 11.0  # weights 4 random, 4 demand, 2 far, 1 close
    keys = np.empty(count)
    for i in range(count):
        c = removed[i]
        if mode < 4.0:
            keys[i] = np.random.random()
        elif mode < 8.0:
            keys[i] = -dem[c]
        elif mode < 10.0:
            keys[i] = -dist[0, c]
        else:
            keys[i] = dist[0, c]
    for i in np.argsort(keys):
        c = removed[i]
        r, p = _place(c, inst, state, cap, blink)
        if r < 0:
            return False
        _touch(r, state, backup)
        k = rlen[r]
        rt[r, p + 1 : k + 1] = rt[r, p:k].copy()
        rt[r, p] = c
        rlen[r] = k + 1
        _refresh(r, inst, state)
    return True


@numba.njit(cache=True, nogil=True)
def _iterate(
    n, temperature, inst, state, best, cost, cap, knobs, backup, removed, rng_seed
):  # pragma: no cover - compiled
    """``n`` iterations of ruin, recreate and annealed acceptance; ``best`` keeps the shortest
    plan (routes, lengths, cost) and ``cost[0]`` the current one's. Returns a seed for the next
    call, so that a run is one stream of random numbers."""
    np.random.seed(rng_seed)
    rt, rlen, rcost = state[0], state[1], state[5]
    best_rt, best_len, best_cost = best
    mean_removed, max_string, blink = knobs
    touched, tlist, ntouched = backup[2], backup[3], backup[4]
    slots = rlen.shape[0]
    for _ in range(n):
        ntouched[0] = 0
        count = _ruin(inst, state, backup, removed, mean_removed, int(max_string))
        ok = _recreate(inst, state, backup, removed, count, cap, blink)
        new = 0
        for r in range(slots):
            if rlen[r] > 0:
                new += rcost[r]
        if ok and new < cost[0] - temperature * math.log(1.0 - np.random.random()):
            cost[0] = new
            if new < best_cost[0]:
                best_cost[0] = new
                best_len[:] = rlen
                for r in range(slots):
                    best_rt[r, : rlen[r]] = rt[r, : rlen[r]]
        else:
            for j in range(ntouched[0]):
                r = tlist[j]
                rlen[r] = backup[1][j]
                rt[r, : rlen[r]] = backup[0][j, : rlen[r]]
            for j in range(ntouched[0]):
                _refresh(tlist[j], inst, state)
        for j in range(ntouched[0]):
            touched[tlist[j]] = -1
    return np.random.randint(0, 2**31 - 1)


def refine(
    data: pyvrp.ProblemData,
    start: pyvrp.Solution,
    *,
    seed: int,
    params: StringParams,
    until: float | None = None,
    iterations: int | None = None,
    watch: Callable[[float], None] | None = None,
) -> pyvrp.Solution:
    """Search from the feasible plan ``start`` by string removals until the ``time.monotonic()``
    deadline ``until`` or for ``iterations`` iterations (one of them); returns the shortest plan
    met, ``start`` itself when none is shorter.

    Parameters
    ----------
    data
        A model that :func:`supports` accepts.
    start
        A feasible solution on ``data``; an infeasible one is returned as it is.
    seed
        Seed of the search's random numbers: with ``iterations`` the answer depends on it alone.
    params
        The search's settings.
    until, iterations
        When to stop: a deadline, or an iteration count (the temperature then falls with the
        count, so the answer does not depend on the clock).
    watch
        Called with the best distance between batches of iterations (the solve's control: it may
        raise to cancel).

    Returns
    -------
    pyvrp.Solution
        The shortest feasible plan found.
    """
    if not start.is_feasible():
        return start
    inst, state, cap, slots = _arrays(data, start)
    rt, rlen = state[0], state[1]
    cost = np.array([int(state[5][rlen > 0].sum())], dtype=np.int64)
    best = (rt.copy(), rlen.copy(), cost.copy())
    arcs = max(1, data.num_clients + int(np.count_nonzero(rlen)))
    t0 = params.start_temperature * cost[0] / arcs
    t1 = params.end_temperature * cost[0] / arcs
    knobs = (float(params.mean_removed), float(params.max_string), float(params.blink))
    backup = (
        np.zeros_like(rt),
        np.zeros(slots, np.int64),
        -np.ones(slots, np.int64),
        np.zeros(slots, np.int64),
        np.zeros(1, np.int64),
    )
    removed = np.zeros(data.num_clients, np.int64)
    batch = 200
    began, done, rng_seed = time.monotonic(), 0, seed % (2**31 - 1)
    while True:
        if iterations is not None:
            share = done / max(iterations, 1)
        else:
            assert until is not None
            share = (time.monotonic() - began) / max(until - began, 1e-9)
        if share >= 1:
            break
        n = batch if iterations is None else min(batch, iterations - done)
        temperature = t0 * (t1 / t0) ** share if t0 > 0 and t1 > 0 else 0.0
        rng_seed = _iterate(
            n, temperature, inst, state, best, cost, cap, knobs, backup, removed, rng_seed
        )
        done += n
        if watch is not None:
            watch(float(best[2][0]))
    best_rt, best_len = best[0], best[1]
    routes = [(best_rt[r, : best_len[r]] - 1).tolist() for r in range(slots) if best_len[r] > 0]
    found = pyvrp.Solution(data, routes)
    # the kernels hold every plan feasible; the check guards that promise at no cost to speak of
    return found if found.is_feasible() and found.distance() < start.distance() else start


def _arrays(data: pyvrp.ProblemData, start: pyvrp.Solution) -> tuple:
    """The kernels' instance and state tuples, the capacity and the number of route slots. Nodes
    are numbered locally: 0 the start depot, 1..N the clients in ``data``'s order, N + 1 the end
    depot."""
    vt, clients = data.vehicle_types()[0], data.clients()
    locs = [vt.start_depot, *(c.location for c in clients), vt.end_depot]
    pick = np.ix_(locs, locs)
    dist = np.ascontiguousarray(np.asarray(data.distance_matrix(vt.profile))[pick], np.int64)
    dur = np.ascontiguousarray(np.asarray(data.duration_matrix(vt.profile))[pick], np.int64)
    n = len(locs)
    ready, due = np.zeros(n, np.int64), np.zeros(n, np.int64)
    serv, dem = np.zeros(n, np.int64), np.zeros(n, np.int64)
    ready[0], due[n - 1] = _shift(data)
    due[0], ready[n - 1] = due[n - 1], ready[0]
    for i, c in enumerate(clients, start=1):
        ready[i], due[i], serv[i] = c.tw_early, c.tw_late, c.service_duration
        # one way only (supports): the load a route carries is its deliveries or its pickups
        dem[i] = c.delivery[0] + c.pickup[0] if data.num_load_dimensions else 0
    near = (dist + dist.T).astype(float)
    np.fill_diagonal(near, np.inf)
    near[:, [0, n - 1]] = np.inf  # the depots are no client's neighbours
    adj = np.argsort(near, axis=1, kind="stable")[:, : min(100, n - 2)].astype(np.int64)
    dist_t, dur_t = np.ascontiguousarray(dist.T), np.ascontiguousarray(dur.T)
    inst: tuple[np.ndarray, ...] = (dist, dist_t, dur, dur_t, ready, due, serv, dem, adj)
    slots = int(vt.num_available)
    rt = np.zeros((slots, n), np.int64)
    rlen = np.zeros(slots, np.int64)
    for r, route in enumerate(start.routes()):
        visits = [act.idx + 1 for act in route.schedule()[1:-1]]
        rlen[r] = len(visits)
        rt[r, : len(visits)] = visits
    leave, latest = np.zeros_like(rt), np.zeros_like(rt)
    load, rcost = np.zeros(slots, np.int64), np.zeros(slots, np.int64)
    ecost = np.zeros((slots, n + 1), np.int64)
    route_of, pos_of = -np.ones(n, np.int64), np.zeros(n, np.int64)
    state: tuple[np.ndarray, ...] = (rt, rlen, leave, latest, load, rcost, ecost, route_of, pos_of)
    for r in range(slots):
        _refresh(r, inst, state)
    cap = int(vt.capacity[0]) if data.num_load_dimensions else np.iinfo(np.int64).max // 4
    return inst, state, cap, slots


def warm() -> None:
    """Compile the kernels (or load them from numba's cache beside this file) on a tiny model, so
    that a timed search does not pay for it: the first compile takes several seconds, a load from
    the cache under a second."""
    m = pyvrp.Model()
    depot = m.add_depot(m.add_location(x=0, y=0))
    m.add_vehicle_type(num_available=3, capacity=[10], start_depot=depot, end_depot=depot)
    for k in range(1, 4):
        m.add_client(m.add_location(x=k, y=k % 2), delivery=[1])
    for a in m.locations:
        for b in m.locations:
            d = int(abs(a.x - b.x) + abs(a.y - b.y))
            m.add_edge(a, b, distance=d, duration=d)
    data = m.data()
    start = pyvrp.Solution(data, [[c] for c in range(data.num_clients)])
    refine(data, start, seed=0, params=StringParams.of(SolveParams()), iterations=10)
