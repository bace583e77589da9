"""The OR-Tools engine: every rule of the model as routing dimensions.

Landfills are replicated as optional reload nodes (the OR-Tools ``cvrp_reload`` sample): a landfill
node removes up to a full truck from the trip-load dimensions through its slack. The final dump rides
on the arc from the last client to the end depot (via the landfill with the cheapest detour), so
adding or moving a client never needs a second node moved with it. The daily load and the stop count
are cumulative dimensions without reset; the lunch is a break interval on the time dimension that
must lie inside the route. Reversible street segments are two nodes (one per direction) in one
disjunction. The objective is lexicographic through penalties: an unserved required client costs
more than a vehicle, a vehicle more than any route's distance and time cost.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.solver._fleet import COST_SCALE, route_penalties, vehicle_list
from routing.solver._schedule import Item, Prepared
from routing.solver._units import load_scales, to_units
from routing.solver.control import Control

logger = logging.getLogger(__name__)


def solve_ortools(
    prep: Prepared,
    clients: list[int],
    *,
    time_limit_s: float,
    max_iterations: int | None,
    initial: list[list[Item]] | None = None,
    log_search: bool = False,
    control: Control | None = None,
) -> list[tuple[int, int, list[Item]]]:
    """Route ``clients`` with OR-Tools; return (vehicle type, vehicle, items) for every used vehicle.

    ``initial`` gives one item list per vehicle (in :func:`vehicle_list` order) to start from.
    ``control`` is asked at every search node whether to stop (a search limit); a cancelled
    search raises :class:`routing.solver.control.Cancelled`.
    """
    until = time.monotonic() + time_limit_s  # building the model counts against the limit
    vehicles = vehicle_list(prep)
    if not clients or not vehicles:
        return []
    nodes = _nodes(prep, clients, len(vehicles))
    vts = prep.model.vehicle_types
    manager = pywrapcp.RoutingIndexManager(
        len(nodes.kind),
        len(vehicles),
        [vts[t].start_depot for t, _ in vehicles],
        [vts[t].end_depot for t, _ in vehicles],
    )
    b = _Build(prep, clients, vehicles, nodes, manager, pywrapcp.RoutingModel(manager))
    time_dim = _add_time_and_costs(b)
    _add_loads(b)
    _add_stops(b)
    _add_lunch(b, time_dim)
    _, unserved_pen = route_penalties(prep, clients)
    for i, nds in nodes.clients.items():
        c = prep.model.clients[i]
        pen = unserved_pen if c.required else int(c.prize * COST_SCALE)
        b.routing.AddDisjunction([manager.NodeToIndex(k) for k in nds], pen, 1)
        allowed = [v for v, (t, _) in enumerate(vehicles) if prep.serves(vts[t], i)]
        if len(allowed) < len(vehicles):  # on roads only some vehicles' profiles include
            for k in nds:  # -1: still free to be left out (the disjunction)
                b.routing.VehicleVar(manager.NodeToIndex(k)).SetValues([*allowed, -1])
    for k in nodes.landfills:
        b.routing.AddDisjunction([manager.NodeToIndex(k)], 0)
    params = _search_parameters(max_iterations, log_search)
    if control is not None:
        # a search limit asked at every node; the Python exception cannot cross OR-Tools' C++, so
        # the limit only says stop and the cancellation is raised once the search has returned
        b.routing.AddSearchMonitor(
            b.routing.solver().CustomLimit(lambda: control.cancel is not None and control.cancel())
        )
    assignment = _search(b, params, until, max_iterations, initial)
    if control is not None:
        control.check()
    if assignment is None:
        logger.info("OR-Tools: no solution (status %s)", b.routing.status())
        return []
    return _routes(b, assignment)


@dataclass
class _Nodes:
    """OR-Tools nodes: depots, client directions, landfill replicas, with what each node needs."""

    kind: list[Item] = field(default_factory=list)
    loc_in: list[int] = field(default_factory=list)
    loc_out: list[int] = field(default_factory=list)
    service: list[int] = field(default_factory=list)
    extra_m: list[float] = field(default_factory=list)
    demand: list[tuple[float, float]] = field(default_factory=list)
    tws: list[tuple[int, int]] = field(default_factory=list)
    clients: dict[int, list[int]] = field(default_factory=dict)
    """The nodes (one per direction) of each client."""
    landfills: list[int] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    """The clients' total demand per dimension."""
    scales: tuple[float, float] = (1.0, 1.0)

    def add(
        self,
        kind: Item,
        loc_in: int,
        loc_out: int,
        *,
        service: int = 0,
        extra_m: float = 0.0,
        demand: tuple[float, float] = (0.0, 0.0),
        tw: tuple[int, int],
    ) -> int:
        """Append a node and return its number."""
        self.kind.append(kind)
        self.loc_in.append(loc_in)
        self.loc_out.append(loc_out)
        self.service.append(service)
        self.extra_m.append(extra_m)
        self.demand.append(demand)
        self.tws.append(tw)
        return len(self.kind) - 1


def _nodes(prep: Prepared, clients: list[int], nv: int) -> _Nodes:
    """The node table: each depot, each client direction, then enough copies of each landfill for
    every trip the fleet may make (fewer per landfill when there are many)."""
    model = prep.model
    nodes = _Nodes()
    for i, depot in enumerate(model.depots):
        nodes.add(("depot", i, False), depot.location, depot.location, tw=depot.tw)
    for i in clients:
        c = model.clients[i]
        dirs = [False, True] if (c.is_segment and c.reversible) else [False]
        nodes.clients[i] = [
            nodes.add(
                ("client", i, rev),
                prep.entry[i][int(rev)],
                prep.exit[i][int(rev)],
                service=int(c.service_s),
                extra_m=c.traverse_m,
                demand=c.demand,
                tw=c.tw,
            )
            for rev in dirs
        ]
    caps = [vt.capacity for vt in model.vehicle_types]
    nodes.total = [sum(model.clients[i].demand[d] for i in clients) for d in (0, 1)]
    nodes.scales = load_scales(model, clients)
    trips = 0
    for d in (0, 1):
        finite = [c[d] for c in caps if math.isfinite(c[d]) and c[d] > 0]
        if finite and nodes.total[d] > 0:
            trips = max(trips, math.ceil(nodes.total[d] / min(finite)))
    per_landfill = trips + nv
    if len(model.landfills) > 3:
        per_landfill = math.ceil(3 * per_landfill / len(model.landfills)) + 1
    for j, lf in enumerate(model.landfills):
        for _ in range(per_landfill):
            kind = ("landfill", j, False)
            nodes.landfills.append(
                nodes.add(kind, lf.location, lf.location, service=int(lf.unload_s), tw=lf.tw)
            )
    return nodes


@dataclass
class _Build:
    """The OR-Tools model under construction."""

    prep: Prepared
    clients: list[int]
    vehicles: list[tuple[int, int]]
    nodes: _Nodes
    manager: Any
    routing: Any

    def node(self, index: int) -> int:
        """The node of a routing index."""
        return int(self.manager.IndexToNode(index))


def _arcs(b: _Build, horizon: int, profile: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer travel-plus-service times and distances between nodes on a routing profile's
    roads (``4 * horizon`` when unreachable); the arc from a client to a depot goes through the
    landfill with the cheapest detour, where the final dump rides."""
    prep, nodes = b.prep.view(profile), b.nodes
    model = prep.model
    big = horizon * 4
    li, lo = np.asarray(nodes.loc_in), np.asarray(nodes.loc_out)
    travel = prep.dur[np.ix_(lo, li)]
    travel_int = np.where(np.isfinite(travel), np.floor(travel), big).astype(np.int64)
    dist = prep.dist[np.ix_(lo, li)]
    if model.landfills:
        lf_locs = np.asarray([lf.location for lf in model.landfills])
        unload = np.asarray([lf.unload_s for lf in model.landfills], dtype=float)
        for dep in range(len(model.depots)):
            dloc = model.depots[dep].location
            for k in range(len(model.depots), len(nodes.kind)):
                if nodes.kind[k][0] != "client":
                    continue
                via_d = prep.dist[lo[k], lf_locs] + prep.dist[lf_locs, dloc]
                via_t = prep.dur[lo[k], lf_locs] + prep.dur[lf_locs, dloc] + unload
                j = int(np.argmin(via_d + 1e-9 * via_t))
                dist[k, dep] = via_d[j]
                travel_int[k, dep] = np.floor(via_t[j]) if np.isfinite(via_t[j]) else big
    transit = travel_int + np.asarray(nodes.service, dtype=np.int64)[:, None]
    return np.minimum(transit, big), dist + np.asarray(nodes.extra_m)[:, None]


def _add_time_and_costs(b: _Build) -> Any:
    """The time dimension (shift, windows, span cost) and the arc and vehicle costs."""
    model, routing, vehicles = b.prep.model, b.routing, b.vehicles
    vts = model.vehicle_types
    horizon = int(max(max(vt.shift[1] for vt in vts), max(d.tw[1] for d in model.depots))) + 1
    arcs = {p: _arcs(b, horizon, p) for p in sorted({vt.profile for vt in vts})}
    time_idx: dict[int, int] = {}  # a transit callback per routing profile
    for p, (transit, _) in arcs.items():
        transit_l = transit.tolist()

        def time_cb(a: int, c: int, transit_l: list[list[int]] = transit_l) -> int:
            return transit_l[b.node(a)][b.node(c)]

        time_idx[p] = routing.RegisterTransitCallback(time_cb)
    # arc cost per vehicle type: distance part (time part is the span cost)
    cost_idx_by_type: dict[int, int] = {}
    for t, vt in enumerate(vts):
        dist = arcs[vt.profile][1]
        finite = np.isfinite(dist)
        arc = np.where(finite, np.rint(dist * vt.cost_per_km / 1000.0 * COST_SCALE), 0)
        arc = np.where(finite, arc, 10**12).astype(np.int64)
        arc[:, np.asarray(b.nodes.landfills, dtype=np.int64)] += 1  # no idle landfill chains
        arc_l = arc.tolist()

        def cost_cb(a: int, c: int, arc_l: list[list[int]] = arc_l) -> int:
            return arc_l[b.node(a)][b.node(c)]

        cost_idx_by_type[t] = routing.RegisterTransitCallback(cost_cb)
    vehicle_pen, _ = route_penalties(b.prep, b.clients)
    for v, (t, _) in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_idx_by_type[t], v)
        routing.SetFixedCostOfVehicle(int(vts[t].fixed_cost * COST_SCALE) + vehicle_pen, v)
    routing.AddDimensionWithVehicleTransits(
        [time_idx[vts[t].profile] for t, _ in vehicles], horizon, horizon, False, "time"
    )
    time_dim = routing.GetDimensionOrDie("time")
    for v, (t, _) in enumerate(vehicles):
        vt = vts[t]
        coef = round(vt.cost_per_hour / 3600.0 * COST_SCALE)
        if coef > 0:
            time_dim.SetSpanCostCoefficientForVehicle(coef, v)
        early = int(max(vt.shift[0], model.depots[vt.start_depot].tw[0]))
        late = int(min(vt.shift[1], model.depots[vt.end_depot].tw[1]))
        time_dim.CumulVar(routing.Start(v)).SetRange(early, max(early, late))
        time_dim.CumulVar(routing.End(v)).SetRange(early, max(early, late))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
    for node in range(len(model.depots), len(b.nodes.kind)):
        tw0, tw1 = b.nodes.tws[node]
        time_dim.CumulVar(b.manager.NodeToIndex(node)).SetRange(int(tw0), int(min(tw1, horizon)))
    return time_dim


def _add_loads(b: _Build) -> None:
    """Trip load (reset at landfills through their slack) and daily load, per dimension kg / m³."""
    model, nodes, routing = b.prep.model, b.nodes, b.routing
    vts = model.vehicle_types
    n = len(nodes.kind)
    for d, label in ((0, "kg"), (1, "m3")):
        scale = nodes.scales[d]
        trip_caps = [vts[t].capacity[d] for t, _ in b.vehicles]
        if any(math.isfinite(c) for c in trip_caps) and nodes.total[d] > 0 and model.landfills:
            finite_caps = [c for c in trip_caps if math.isfinite(c)]
            cap_int = [
                to_units(c if math.isfinite(c) else max(finite_caps), scale) for c in trip_caps
            ]
            full = max(cap_int)
            dem = [
                -full if nodes.kind[k][0] == "landfill" else to_units(nodes.demand[k][d], scale)
                for k in range(n)
            ]

            def trip_cb(a: int, dem: list[int] = dem) -> int:
                return dem[b.node(a)]

            idx = routing.RegisterUnaryTransitCallback(trip_cb)
            routing.AddDimensionWithVehicleCapacity(idx, full, cap_int, True, f"trip_{label}")
            dim = routing.GetDimensionOrDie(f"trip_{label}")
            for node in range(len(model.depots), n):
                if nodes.kind[node][0] != "landfill":
                    dim.SlackVar(b.manager.NodeToIndex(node)).SetValue(0)
        day_caps = [vts[t].max_load_per_day[d] for t, _ in b.vehicles]
        if any(math.isfinite(c) for c in day_caps) and nodes.total[d] > 0:
            top = math.ceil(nodes.total[d] * scale) + 1
            day_int = [to_units(c, scale) if math.isfinite(c) else top for c in day_caps]
            pos = [
                0 if nodes.kind[k][0] != "client" else to_units(nodes.demand[k][d], scale)
                for k in range(n)
            ]

            def day_cb(a: int, pos: list[int] = pos) -> int:
                return pos[b.node(a)]

            idx = routing.RegisterUnaryTransitCallback(day_cb)
            routing.AddDimensionWithVehicleCapacity(idx, 0, day_int, True, f"day_{label}")


def _add_stops(b: _Build) -> None:
    """The stop limit as a count of client nodes per vehicle."""
    vts = b.prep.model.vehicle_types
    if not any(vts[t].max_stops is not None for t, _ in b.vehicles):
        return
    ones = [1 if kind[0] == "client" else 0 for kind in b.nodes.kind]

    def stop_cb(a: int) -> int:
        return ones[b.node(a)]

    idx = b.routing.RegisterUnaryTransitCallback(stop_cb)
    stop_caps = [
        vts[t].max_stops if vts[t].max_stops is not None else len(b.clients) + 1
        for t, _ in b.vehicles
    ]
    b.routing.AddDimensionWithVehicleCapacity(idx, 0, stop_caps, True, "stops")


def _add_lunch(b: _Build, time_dim: Any) -> None:
    """The lunch as a break interval of the time dimension, inside the route, outside service."""
    routing = b.routing
    solver = routing.solver()
    visit_transit = [b.nodes.service[b.node(index)] for index in range(routing.Size())]
    for v, (t, _) in enumerate(b.vehicles):
        lunch = b.prep.model.vehicle_types[t].lunch
        if lunch is None:
            continue
        brk = solver.FixedDurationIntervalVar(
            int(lunch.window[0]), int(lunch.window[1]), int(lunch.duration_s), False, f"lunch_{v}"
        )
        time_dim.SetBreakIntervalsOfVehicle([brk], v, visit_transit)
        solver.Add(brk.StartExpr() >= time_dim.CumulVar(routing.Start(v)))
        solver.Add(brk.EndExpr() <= time_dim.CumulVar(routing.End(v)))


def _search_parameters(max_iterations: int | None, log_search: bool) -> Any:
    """Cheapest arc, then guided local search; bounded by solutions under an iteration limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    if max_iterations is not None:
        params.solution_limit = max(1, int(max_iterations))
        params.time_limit.FromSeconds(24 * 3600)
    params.log_search = log_search
    return params


def _search(
    b: _Build,
    params: Any,
    until: float,
    max_iterations: int | None,
    initial: list[list[Item]] | None,
) -> Any:
    """Solve, from ``initial`` when OR-Tools accepts it; the time limit is what is left."""
    routing = b.routing

    def set_limit() -> None:
        if max_iterations is None:
            left = until - time.monotonic()
            params.time_limit.FromMilliseconds(max(100, int(left * 1000)))

    set_limit()
    assignment = None
    if initial is not None:
        routes_nodes = _initial_routes(b, initial)
        set_limit()
        routing.CloseModelWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(routes_nodes, True)
        if start is not None:
            set_limit()
            assignment = routing.SolveFromAssignmentWithParameters(start, params)
        else:
            logger.info("OR-Tools: the initial routes were rejected, building its own")
    if assignment is None:
        set_limit()
        assignment = routing.SolveWithParameters(params)
    return assignment


def _initial_routes(b: _Build, initial: list[list[Item]]) -> list[list[int]]:
    """``initial`` (items per vehicle) as routing indices, each landfill visit on a free copy."""
    nodes = b.nodes
    routes_nodes: list[list[int]] = []
    used_lf: set[int] = set()
    for v in range(len(b.vehicles)):
        seq = initial[v] if v < len(initial) else []
        nodes_v: list[int] = []
        for kind, idx, rev in seq:
            if kind == "client" and idx in nodes.clients:
                opts = nodes.clients[idx]
                nodes_v.append(opts[1] if rev and len(opts) > 1 else opts[0])
            elif kind == "landfill":
                free = next(
                    (k for k in nodes.landfills if nodes.kind[k][1] == idx and k not in used_lf),
                    None,
                )
                if free is not None:
                    used_lf.add(free)
                    nodes_v.append(free)
        routes_nodes.append([b.manager.NodeToIndex(k) for k in nodes_v])
    return routes_nodes


def _routes(b: _Build, assignment: Any) -> list[tuple[int, int, list[Item]]]:
    """The routes of the solution, as items per used vehicle."""
    routing = b.routing
    out: list[tuple[int, int, list[Item]]] = []
    for v, (t, k) in enumerate(b.vehicles):
        idx = routing.Start(v)
        items: list[Item] = []
        while not routing.IsEnd(idx):
            kind = b.nodes.kind[b.node(idx)]
            if kind[0] in ("client", "landfill"):
                items.append(kind)
            idx = assignment.Value(routing.NextVar(idx))
        if any(it[0] == "client" for it in items):
            out.append((t, k, items))
    return out
