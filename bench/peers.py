"""Peer solvers for the Kim et al. (2006) instances, each modelled the way its authors suggest.

1. :func:`ortools_peer`: plain OR-Tools routing, written as the OR-Tools ``cvrp_reload`` sample does:
   every landfill is replicated into optional "reload" nodes whose negative demand (minus the trip
   capacity) with capacity slack empties the vehicle; each route ends at a landfill (the final dump;
   the return to the depot is added after, in the fixed cost and off the latest end time); daily
   yardage and the stop count are two more dimensions; the lunch is a mandatory break interval
   (routing break API) starting 11:00-12:00. PATH_CHEAPEST_ARC +
   GUIDED_LOCAL_SEARCH, vehicles minimised through a large fixed cost.
2. :func:`pyvrp_peer`: PyVRP with the landfills as reload depots. PyVRP has no break and no final
   dump and no daily total, so: routes end at the landfill nearest the depot (the return to the
   depot is added afterwards; its distance is part of the fixed cost and its time comes off the
   shift); the fleet offered is tight (lower bound + max(3, LB/2)), since with a generous one the
   search keeps one trip per vehicle; the lunch is relaxed by shortening the shift by the lunch duration; reloads reset every
   load dimension, so the daily yardage is kept conservatively: ``max_reloads = ceil(daily /
   capacity) - 1`` and a trip capacity of ``min(capacity, daily / (max_reloads + 1))``.

Equal CPU: each peer runs in one process. Against ours with two workers, the PyVRP peers are given
the same CPU the way a user would give it: two seeds in two processes side by side, the better
answer kept (:func:`pyvrp_peer_pair`, :func:`pyvrp_classic_peer_pair`). Every PyVRP peer stops at
a wall-clock deadline counted from its start (building its model included), as ours does.

Both produce a solution in the benchmark JSON format (Stop_IDs, depot at both ends, each landfill visit)
whose lunch is placed by :func:`place_lunch`: after the last node the vehicle leaves by 12:00, starting
when it is free but not before 11:00 (routes back before 11:00 take none). Whether the result keeps all
of Kim's rules is decided by :func:`routing.readers.kim_check.check_kim_solution`, not here.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from routing.readers.kim import DEPOT, FEET_PER_MILE, LUNCH_WINDOW_S, STOP, KimInstance
from routing.readers.vrplib import vrplib_route_limit

TIME_SCALE = 10  # solver time unit: 0.1 s; travel times are rounded up so schedules stay true
LOAD_SCALE = 100  # solver load unit: 0.01 yd³
BIG_VEHICLE_COST = 5_000_000  # in feet: a vehicle costs ~950 miles, so fewer vehicles come first


@dataclass
class PeerRun:
    """One peer's answer on one instance."""

    solver: str
    solution: dict[str, Any] | None
    runtime_s: float
    note: str = ""
    stats: dict[str, float] = field(default_factory=dict)


def fleet_bound(inst: KimInstance) -> int:
    """Vehicles offered to OR-Tools: ``3 * LB + 5`` (its greedy first solution needs room).

    See :func:`fleet_lower_bound` for ``LB``.
    """
    return 3 * fleet_lower_bound(inst) + 5


def fleet_lower_bound(inst: KimInstance) -> int:
    """A simple lower bound on the vehicles needed.

    The larger of ``ceil(total load / daily yardage)`` and a time bound: service time plus,
    for each of the ``ceil(total load / capacity)`` trips, an unloading and a round trip from the
    average stop to its nearest landfill, over the working day (depot hours minus lunch).
    """
    d = inst.depot
    stops = np.array(inst.stops)
    lfs = np.array(inst.landfills)
    near = np.min(
        np.abs(inst.x[stops][:, None] - inst.x[lfs][None, :])
        + np.abs(inst.y[stops][:, None] - inst.y[lfs][None, :]),
        axis=1,
    )
    trips = math.ceil(inst.total_load_yd3 / inst.capacity_yd3)
    round_trip_s = 2.0 * float(near.mean()) / FEET_PER_MILE / inst.speed_mph * 3600.0
    work = float(inst.service[stops].sum()) + trips * (
        float(inst.service[lfs].min()) + round_trip_s
    )
    day = max(float(inst.late[d] - inst.early[d] - inst.lunch_s), 1.0)
    return max(inst.vehicles_lower_bound, math.ceil(work / day))


def schedule(inst: KimInstance, rows: list[int]) -> list[float]:
    """Earliest departure time from each node of a route (rows), waiting allowed, no lunch."""
    d = inst.depot
    t = float(inst.early[d])
    out = [t]
    for a, b in itertools.pairwise(rows):
        t += inst.travel_s(a, b)
        if int(inst.type[b]) != DEPOT:
            t = max(t, float(inst.early[b])) + float(inst.service[b])
        out.append(t)
    return out


def place_lunch(inst: KimInstance, rows: list[int]) -> tuple[int | None, int | None]:
    """Where the lunch goes on a route: ``(lunch_after_index, lunch_start)``.

    After the last node the vehicle leaves by the end of the window, starting when it is free but not
    before the window opens; no lunch when the route is back before the window opens. A later place
    never delays the rest of the route more than an earlier one.
    """
    w0, w1 = LUNCH_WINDOW_S
    times = schedule(inst, rows)
    if times[-1] < w0:
        return None, None
    for i in range(len(rows) - 2, -1, -1):
        if times[i] <= w1:
            return i, math.ceil(max(times[i], w0))
    return 0, w0  # the vehicle is never free in time; the checker will say so


def to_solution(inst: KimInstance, solver: str, routes: list[list[int]]) -> dict[str, Any]:
    """Benchmark JSON from routes given as file rows (depot at both ends), lunch placed."""
    out = []
    for rows in routes:
        if not any(int(inst.type[i]) == STOP for i in rows):
            continue
        after, start = place_lunch(inst, rows)
        out.append(
            {
                "nodes": [inst.ids[i] for i in rows],
                "lunch_after_index": after,
                "lunch_start": start,
            }
        )
    return {"instance": inst.name, "solver": solver, "routes": out}


def _time_matrix(inst: KimInstance, rows: np.ndarray) -> np.ndarray:
    feet = np.abs(inst.x[rows][:, None] - inst.x[rows][None, :]) + np.abs(
        inst.y[rows][:, None] - inst.y[rows][None, :]
    )
    return np.ceil(feet / FEET_PER_MILE / inst.speed_mph * 3600.0 * TIME_SCALE - 1e-9).astype(
        np.int64
    )


def _feet_matrix(inst: KimInstance, rows: np.ndarray) -> np.ndarray:
    feet = np.abs(inst.x[rows][:, None] - inst.x[rows][None, :]) + np.abs(
        inst.y[rows][:, None] - inst.y[rows][None, :]
    )
    return np.round(feet).astype(np.int64)


# --- OR-Tools, the reload-sample model --------------------------------------------------------


@dataclass(frozen=True)
class _ReloadNodes:
    """The OR-Tools model's nodes as file rows: the depot, the stops, ``copies`` optional reload
    nodes per landfill, one end landfill per vehicle; and what each node carries (solver units)."""

    rows: np.ndarray
    end_rows: list[int]
    first_end: int
    is_landfill: np.ndarray
    service: np.ndarray
    load: np.ndarray
    daily: np.ndarray
    count: np.ndarray
    cap: int


def _reload_nodes(inst: KimInstance, fleet: int, copies: int) -> _ReloadNodes:
    """The nodes of the reload-sample model (see :func:`ortools_peer`)."""
    d = inst.depot
    stops, landfills = inst.stops, inst.landfills
    # The final dump: each vehicle's route ends at a landfill (cyclically over the landfills, nearest
    # to the depot first) and the return to the depot is added afterwards, its distance as part of
    # the vehicle's fixed cost and its time taken off the latest end. (An end-load-zero constraint
    # with the depot as the end gave no first solution in 60 s on 102_stop.)
    by_return = sorted(landfills, key=lambda r: (inst.distance_ft(r, d), r))
    end_rows = [by_return[v % len(by_return)] for v in range(fleet)]
    reload_rows = [r for r in landfills for _ in range(copies)]
    node_rows = np.array([d, *stops, *reload_rows, *end_rows])
    first_end = 1 + len(stops) + len(reload_rows)
    n_stop = len(stops)
    is_landfill = np.zeros(len(node_rows), dtype=bool)
    is_landfill[1 + n_stop : first_end] = True
    service = np.round(inst.service[node_rows] * TIME_SCALE).astype(np.int64)
    service[0] = 0
    cap = round(inst.capacity_yd3 * LOAD_SCALE)
    load = np.round(inst.load[node_rows] * LOAD_SCALE).astype(np.int64)
    load[0] = 0
    load[is_landfill] = -cap
    daily = np.where(is_landfill, 0, load)
    daily[0] = 0
    count = np.zeros(len(node_rows), dtype=np.int64)
    count[1 : 1 + n_stop] = 1
    return _ReloadNodes(
        node_rows, end_rows, first_end, is_landfill, service, load, daily, count, cap
    )


def _reload_dimensions(inst: KimInstance, routing: Any, manager: Any, nodes: _ReloadNodes) -> Any:
    """Arc costs (feet), fixed costs, and the Load, Daily, Stops and Time dimensions; returns Time."""
    d = inst.depot
    dur = _time_matrix(inst, nodes.rows)
    feet = _feet_matrix(inst, nodes.rows)
    service = nodes.service

    def dist_cb(i: int, j: int) -> int:
        return int(feet[manager.IndexToNode(i), manager.IndexToNode(j)])

    def time_cb(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(service[a] + dur[a, b])

    def unary(values: np.ndarray) -> int:
        return routing.RegisterUnaryTransitCallback(lambda i: int(values[manager.IndexToNode(i)]))

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(dist_cb))
    for v, r in enumerate(nodes.end_rows):
        routing.SetFixedCostOfVehicle(BIG_VEHICLE_COST + round(inst.distance_ft(r, d)), v)

    routing.AddDimension(unary(nodes.load), nodes.cap, nodes.cap, True, "Load")
    routing.AddDimension(
        unary(nodes.daily), 0, round(inst.max_daily_yd3 * LOAD_SCALE), True, "Daily"
    )
    routing.AddDimension(unary(nodes.count), 0, inst.max_stops, True, "Stops")
    horizon = 24 * 3600 * TIME_SCALE
    routing.AddDimension(routing.RegisterTransitCallback(time_cb), horizon, horizon, False, "Time")
    return routing.GetDimensionOrDie("Time")


def _reload_windows(
    inst: KimInstance, routing: Any, manager: Any, nodes: _ReloadNodes, *, breaks: bool
) -> None:
    """Time windows, optional reload nodes, each vehicle's day and (with ``breaks``) its lunch."""
    load_dim = routing.GetDimensionOrDie("Load")
    time_dim = routing.GetDimensionOrDie("Time")
    d = inst.depot
    for node in range(1, nodes.first_end):
        index = manager.NodeToIndex(node)
        row = nodes.rows[node]
        time_dim.CumulVar(index).SetRange(
            int(inst.early[row]) * TIME_SCALE, int(inst.late[row]) * TIME_SCALE
        )
        if nodes.is_landfill[node]:
            routing.AddDisjunction([index], 0)  # reload nodes are optional
        else:
            load_dim.SlackVar(index).SetValue(0)  # only reload nodes may empty the vehicle
    open_, close = int(inst.early[d]) * TIME_SCALE, int(inst.late[d]) * TIME_SCALE
    solver = routing.solver()
    node_visit_transit = [0] * routing.Size()
    for index in range(routing.Size()):
        node_visit_transit[index] = int(nodes.service[manager.IndexToNode(index)])
    w0, w1 = LUNCH_WINDOW_S
    for v, r in enumerate(nodes.end_rows):
        time_dim.CumulVar(routing.Start(v)).SetRange(open_, close)
        back = math.ceil(
            (float(inst.service[r]) + inst.travel_s(r, d)) * TIME_SCALE - 1e-9
        )  # unload at the end landfill, then drive to the depot
        time_dim.CumulVar(routing.End(v)).SetRange(
            max(open_, int(inst.early[r]) * TIME_SCALE),
            min(close - back, int(inst.late[r]) * TIME_SCALE),
        )
        if not breaks:
            continue
        lunch = solver.FixedDurationIntervalVar(
            w0 * TIME_SCALE, w1 * TIME_SCALE, inst.lunch_s * TIME_SCALE, False, f"lunch {v}"
        )
        time_dim.SetBreakIntervalsOfVehicle([lunch], v, node_visit_transit)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))


def ortools_peer(
    inst: KimInstance,
    *,
    time_limit_s: float = 60.0,
    breaks: bool = True,
    copies: int | None = None,
    fleet: int | None = None,
) -> PeerRun:
    """Solve with plain OR-Tools modelled as the ``cvrp_reload`` sample (see the module docstring)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    t0 = time.monotonic()
    fleet = fleet or fleet_bound(inst)
    if copies is None:
        # Mid-route dumps over all vehicles: about one per trip capacity of load, with room for
        # the half-full trips a greedy first solution makes.
        copies = 2 * math.ceil(inst.total_load_yd3 / inst.capacity_yd3) + 2
    d = inst.depot
    nodes = _reload_nodes(inst, fleet, copies)
    ends = list(range(nodes.first_end, nodes.first_end + fleet))
    manager = pywrapcp.RoutingIndexManager(len(nodes.rows), fleet, [0] * fleet, ends)
    routing = pywrapcp.RoutingModel(manager)
    _reload_dimensions(inst, routing, manager, nodes)
    _reload_windows(inst, routing, manager, nodes, breaks=breaks)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(
        max(1, round((time_limit_s - (time.monotonic() - t0)) * 1000))
    )
    assignment = routing.SolveWithParameters(params)
    runtime = time.monotonic() - t0
    note = f"{fleet} vehicles offered, {copies} reload copies per landfill"
    if assignment is None:
        return PeerRun("OR-Tools", None, runtime, note=f"no solution in {time_limit_s:g} s; {note}")
    routes: list[list[int]] = []
    for v in range(fleet):
        index = routing.Start(v)
        rows = []
        while not routing.IsEnd(index):
            rows.append(int(nodes.rows[manager.IndexToNode(index)]))
            index = assignment.Value(routing.NextVar(index))
        rows += [nodes.end_rows[v], d]
        routes.append(rows)
    return PeerRun("OR-Tools", to_solution(inst, "ortools-reload-sample", routes), runtime, note)


# --- PyVRP with landfills as reload depots ----------------------------------------------------


@dataclass(frozen=True)
class _ReloadDepots:
    """PyVRP's data of a Kim instance (landfills as reload depots) and what its note says."""

    data: Any
    rows: np.ndarray
    fleet: int
    max_reloads: int
    trip_cap: int


def _reload_depot_data(
    inst: KimInstance, *, vehicle_cost: int, fleet: int | None, per_landfill_types: bool
) -> _ReloadDepots:
    """The depot, the landfills as reload depots, the stops as clients, and the fleet offered."""
    import pyvrp

    d = inst.depot
    stops, landfills = inst.stops, inst.landfills
    rows = np.array([d, *landfills, *stops])
    locations = [pyvrp.Location(x=float(inst.x[r]), y=float(inst.y[r])) for r in rows]
    dur = _time_matrix(inst, rows)
    feet = _feet_matrix(inst, rows)
    depots = [
        pyvrp.Depot(
            0, tw_early=int(inst.early[d]) * TIME_SCALE, tw_late=int(inst.late[d]) * TIME_SCALE
        )
    ]
    for k, r in enumerate(landfills, start=1):
        depots.append(
            pyvrp.Depot(
                k,
                tw_early=int(inst.early[r]) * TIME_SCALE,
                tw_late=int(inst.late[r]) * TIME_SCALE,
                service_duration=round(float(inst.service[r]) * TIME_SCALE),
            )
        )
    clients = [
        pyvrp.Client(
            k,
            pickup=[round(float(inst.load[r]) * LOAD_SCALE)],
            service_duration=round(float(inst.service[r]) * TIME_SCALE),
            tw_early=int(inst.early[r]) * TIME_SCALE,
            tw_late=int(inst.late[r]) * TIME_SCALE,
        )
        for k, r in enumerate(stops, start=1 + len(landfills))
    ]
    if fleet is None:
        # A tight offer per end landfill: with a generous one PyVRP's search keeps one trip per
        # vehicle (1051_stop, 30 s: 61 used when 37 per end landfill were offered, 19 when 20 in all).
        lb = fleet_lower_bound(inst)
        fleet = lb + max(3, lb // 2)
    # Reloads reset every load dimension, so the daily total is kept by a stricter rule: at most
    # ceil(daily / capacity) trips, each of at most daily / trips (never above the capacity).
    max_reloads = max(0, math.ceil(inst.max_daily_yd3 / inst.capacity_yd3 - 1e-9) - 1)
    trip_cap = min(
        round(inst.capacity_yd3 * LOAD_SCALE),
        math.floor(inst.max_daily_yd3 * LOAD_SCALE / (max_reloads + 1)),
    )
    vehicle_types = _reload_vehicle_types(
        inst, dur=dur, feet=feet, fleet=fleet, trip_cap=trip_cap, max_reloads=max_reloads,
        vehicle_cost=vehicle_cost, per_landfill_types=per_landfill_types,
    )  # fmt: skip
    data = pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=[feet],  # type: ignore[list-item]
        duration_matrices=[dur],  # type: ignore[list-item]
    )
    return _ReloadDepots(data, rows, fleet, max_reloads, trip_cap)


def _reload_vehicle_types(
    inst: KimInstance,
    *,
    dur: np.ndarray,
    feet: np.ndarray,
    fleet: int,
    trip_cap: int,
    max_reloads: int,
    vehicle_cost: int,
    per_landfill_types: bool,
) -> list[Any]:
    """The vehicle types: each ends at a landfill (the final dump), its shift shortened by the lunch."""
    import pyvrp

    d = inst.depot
    landfills = inst.landfills
    close = int(inst.late[d]) * TIME_SCALE - inst.lunch_s * TIME_SCALE  # lunch: shift 1 h shorter
    # The final dump: routes end at a landfill. One vehicle type per end landfill, or (default) a
    # single type ending at the landfill nearest the depot, which keeps the fleet offer tight.
    ends = list(enumerate(landfills, start=1))
    if not per_landfill_types:
        ends = [min(ends, key=lambda e: (inst.distance_ft(e[1], d), e[1]))]
    vehicle_types = []
    for k, r in ends:
        unload = round(float(inst.service[r]) * TIME_SCALE)
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=fleet,
                capacity=[trip_cap],
                start_depot=0,
                end_depot=k,
                fixed_cost=vehicle_cost + int(feet[k, 0]),
                tw_early=int(inst.early[d]) * TIME_SCALE,
                tw_late=close - unload - int(dur[k, 0]),
                reload_depots=list(range(1, len(landfills) + 1)),
                max_reloads=max_reloads,
                name=f"ends at landfill {inst.ids[r]}",
            )
        )
    return vehicle_types


def pyvrp_peer(
    inst: KimInstance,
    *,
    time_limit_s: float = 60.0,
    seed: int = 1,
    vehicle_cost: int = BIG_VEHICLE_COST,
    fleet: int | None = None,
    per_landfill_types: bool = False,
) -> PeerRun:
    """Solve with PyVRP, landfills as reload depots (relaxations in the module docstring)."""
    import pyvrp

    t0 = time.monotonic()
    d = inst.depot
    model = _reload_depot_data(
        inst, vehicle_cost=vehicle_cost, fleet=fleet, per_landfill_types=per_landfill_types
    )
    # a deadline, not MaxRuntime: that starts its clock after pyvrp.solve's own set-up
    until = max(time.monotonic() + 0.5, t0 + time_limit_s)
    result = pyvrp.solve(
        model.data, stop=lambda _: time.monotonic() >= until, seed=seed, display=False
    )
    runtime = time.monotonic() - t0
    note = (
        f"lunch relaxed: shift {inst.lunch_s} s shorter; daily yardage kept by max_reloads="
        f"{model.max_reloads} and trip capacity {model.trip_cap / LOAD_SCALE:g} yd³; "
        f"{model.fleet} vehicles per end landfill offered; PyVRP feasible: {result.best.is_feasible()}"
    )
    rows, first_stop = model.rows, 1 + len(inst.landfills)
    routes: list[list[int]] = []
    for route in result.best.routes():
        path = [d]
        for act in route.schedule():
            if act.is_depot():
                if act.idx > 0:  # a landfill (reload or the end of the route)
                    path.append(int(rows[act.idx]))
            else:
                path.append(int(rows[first_stop + act.idx]))
        path.append(d)
        routes.append(path)
    return PeerRun("PyVRP", to_solution(inst, "pyvrp-reload-depots", routes), runtime, note)


def pyvrp_classic_peer(
    path: str, *, round_func: str, time_limit_s: float, seed: int = 1
) -> tuple[float, int, float]:
    """Plain PyVRP on a VRPLIB file as its authors run it: ``pyvrp.read`` and ``pyvrp.solve``.

    Single process, default parameters, stopped ``time_limit_s`` after it starts reading the file
    (as ours, whose limit counts building its model; PyVRP's own ``MaxRuntime`` would start its
    clock only after ``pyvrp.solve``'s set-up: reading and set-up took 0.31 s on X-n1001-k43 and
    0.41 s on R1_10_2, pyvrp 0.14.1, 2026-12-03). Returns the
    distance (in the file's units: divided by 10 under the DIMACS convention and by 1,000 under
    ``"exact"``, as ``pyvrp.read`` scales them), the number of
    routes and the runtime.
    """
    import pyvrp

    limit = vrplib_route_limit(path)  # outside the clock: our reader's work, not the peer's
    scale = {"dimacs": 10.0, "exact": 1000.0}.get(round_func, 1.0)  # pyvrp.read's units
    t0 = time.monotonic()
    data = pyvrp.read(path, round_func=round_func)
    if limit is not None:
        # pyvrp.read reads no DISTANCE line; its durations are distances plus service, as ours
        vts = [vt.replace(shift_duration=round(limit * scale)) for vt in data.vehicle_types()]
        data = data.replace(vehicle_types=vts)
    res = pyvrp.solve(
        data, stop=lambda _: time.monotonic() >= t0 + time_limit_s, seed=seed, display=False
    )
    best = res.best
    dist = float(best.distance()) / scale if best.is_feasible() else math.inf
    return dist, best.num_routes(), time.monotonic() - t0


def _in_pair(task: Callable[[int], Any], seeds: tuple[int, int]) -> list[Any]:
    """``task(seed)`` for both seeds in two forked processes side by side (one core each)."""
    ctx = mp.get_context("fork")
    procs = []
    for seed in seeds:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_send, args=(child, task, seed))
        proc.start()
        child.close()
        procs.append((proc, parent))
    out = []
    for proc, parent in procs:
        got = parent.recv()
        proc.join()
        if isinstance(got, BaseException):
            raise got
        out.append(got)
    return out


def beside(here: Callable[[], Any], there: Callable[[], Any]) -> tuple[Any, Any]:
    """``here()`` in this process while ``there()`` runs in a forked one (one core each)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_send, args=(child, lambda _seed: there(), 0))
    proc.start()
    child.close()
    try:
        mine = here()
        got = parent.recv()
    finally:
        proc.join()
    if isinstance(got, BaseException):
        raise got
    return mine, got


def _send(conn: Connection, task: Callable[[int], Any], seed: int) -> None:
    try:
        conn.send(task(seed))
    except Exception as exc:  # the parent raises it
        conn.send(exc)
    finally:
        conn.close()


def _kim_task(inst: KimInstance, time_limit_s: float) -> Callable[[int], PeerRun]:
    return lambda seed: pyvrp_peer(inst, time_limit_s=time_limit_s, seed=seed)


def pyvrp_peer_pair(
    inst: KimInstance,
    *,
    time_limit_s: float,
    seeds: tuple[int, int],
    better: Callable[[PeerRun], tuple[float, ...]],
) -> PeerRun:
    """:func:`pyvrp_peer` with two seeds in two processes; the run ``better`` ranks first is kept.

    ``better`` is the bench's judgement (feasible, vehicles, miles from the checker), so that the
    peer keeps what the table would count as its better answer.
    """
    t0 = time.monotonic()
    runs = _in_pair(_kim_task(inst, time_limit_s), seeds)
    best = min(runs, key=better)
    note = f"best of seeds {seeds[0]} and {seeds[1]} run side by side; {best.note}"
    return PeerRun("PyVRP ×2", best.solution, time.monotonic() - t0, note, best.stats)


def pyvrp_classic_peer_pair(
    path: str, *, round_func: str, time_limit_s: float, seeds: tuple[int, int]
) -> tuple[float, int, float]:
    """:func:`pyvrp_classic_peer` with two seeds in two processes; the shorter plan is kept."""
    t0 = time.monotonic()
    runs = _in_pair(
        lambda seed: pyvrp_classic_peer(
            path, round_func=round_func, time_limit_s=time_limit_s, seed=seed
        ),
        seeds,
    )
    dist, routes, _ = min(runs)
    return dist, routes, time.monotonic() - t0
