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
    model = prep.model
    vehicles = vehicle_list(prep)
    nv = len(vehicles)
    if not clients or nv == 0:
        return []
    vts = model.vehicle_types
    nd = len(model.depots)
    # nodes: depots, client directions, landfill replicas
    node_loc_in: list[int] = [d.location for d in model.depots]
    node_loc_out: list[int] = list(node_loc_in)
    node_kind: list[Item] = [("depot", i, False) for i in range(nd)]
    service: list[int] = [0] * nd
    extra_m: list[float] = [0.0] * nd
    demand: list[tuple[float, float]] = [(0.0, 0.0)] * nd
    tws: list[tuple[int, int]] = [d.tw for d in model.depots]
    client_nodes: dict[int, list[int]] = {}
    for i in clients:
        c = model.clients[i]
        dirs = [False, True] if (c.is_segment and c.reversible) else [False]
        client_nodes[i] = []
        for rev in dirs:
            client_nodes[i].append(len(node_kind))
            node_kind.append(("client", i, rev))
            node_loc_in.append(prep.entry[i][int(rev)])
            node_loc_out.append(prep.exit[i][int(rev)])
            service.append(int(c.service_s))
            extra_m.append(c.traverse_m)
            demand.append(c.demand)
            tws.append(c.tw)
    caps = [vt.capacity for vt in vts]
    total = [sum(model.clients[i].demand[d] for i in clients) for d in (0, 1)]
    scales = load_scales(model, clients)
    trips = 0
    for d in (0, 1):
        finite = [c[d] for c in caps if math.isfinite(c[d]) and c[d] > 0]
        if finite and total[d] > 0:
            trips = max(trips, math.ceil(total[d] / min(finite)))
    per_landfill = trips + nv
    if len(model.landfills) > 3:
        per_landfill = math.ceil(3 * per_landfill / len(model.landfills)) + 1
    landfill_nodes: list[int] = []
    for j, lf in enumerate(model.landfills):
        for _ in range(per_landfill):
            landfill_nodes.append(len(node_kind))
            node_kind.append(("landfill", j, False))
            node_loc_in.append(lf.location)
            node_loc_out.append(lf.location)
            service.append(int(lf.unload_s))
            extra_m.append(0.0)
            demand.append((0.0, 0.0))
            tws.append(lf.tw)
    n = len(node_kind)
    starts = [vts[t].start_depot for t, _ in vehicles]
    ends = [vts[t].end_depot for t, _ in vehicles]
    manager = pywrapcp.RoutingIndexManager(n, nv, starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    horizon = int(max(max(vt.shift[1] for vt in vts), max(d.tw[1] for d in model.depots))) + 1
    big = horizon * 4
    li = np.asarray(node_loc_in)
    lo = np.asarray(node_loc_out)
    travel = prep.dur[np.ix_(lo, li)]
    travel_int = np.where(np.isfinite(travel), np.floor(travel), big).astype(np.int64)
    dist = prep.dist[np.ix_(lo, li)]
    if model.landfills:
        # the final dump rides on the arc from a client to the end depot: via the best landfill
        lf_locs = np.asarray([lf.location for lf in model.landfills])
        unload = np.asarray([lf.unload_s for lf in model.landfills], dtype=float)
        for dep in range(nd):
            dloc = model.depots[dep].location
            for k in range(nd, n):
                if node_kind[k][0] != "client":
                    continue
                via_d = prep.dist[lo[k], lf_locs] + prep.dist[lf_locs, dloc]
                via_t = prep.dur[lo[k], lf_locs] + prep.dur[lf_locs, dloc] + unload
                j = int(np.argmin(via_d + 1e-9 * via_t))
                dist[k, dep] = via_d[j]
                travel_int[k, dep] = np.floor(via_t[j]) if np.isfinite(via_t[j]) else big
    transit = travel_int + np.asarray(service, dtype=np.int64)[:, None]
    transit = np.minimum(transit, big)
    dist = dist + np.asarray(extra_m)[:, None]
    finite = np.isfinite(dist)
    transit_l = transit.tolist()

    def time_cb(a: int, b: int) -> int:
        return transit_l[manager.IndexToNode(a)][manager.IndexToNode(b)]

    time_idx = routing.RegisterTransitCallback(time_cb)
    # arc cost per vehicle type: distance part (time part is the span cost)
    cost_idx_by_type: dict[int, int] = {}
    for t, vt in enumerate(vts):
        arc = np.where(finite, np.rint(dist * vt.cost_per_km / 1000.0 * COST_SCALE), 0)
        arc = np.where(finite, arc, 10**12).astype(np.int64)
        arc[:, np.asarray(landfill_nodes, dtype=np.int64)] += 1  # no idle landfill chains
        arc = arc.tolist()

        def cost_cb(a: int, b: int, arc: list[list[int]] = arc) -> int:
            return arc[manager.IndexToNode(a)][manager.IndexToNode(b)]

        cost_idx_by_type[t] = routing.RegisterTransitCallback(cost_cb)
    vehicle_pen, unserved_pen = route_penalties(prep, clients)
    for v, (t, _) in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_idx_by_type[t], v)
        routing.SetFixedCostOfVehicle(int(vts[t].fixed_cost * COST_SCALE) + vehicle_pen, v)

    routing.AddDimension(time_idx, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for v, (t, _) in enumerate(vehicles):
        vt = vts[t]
        coef = round(vt.cost_per_hour / 3600.0 * COST_SCALE)
        if coef > 0:
            time_dim.SetSpanCostCoefficientForVehicle(coef, v)
        s_dep, e_dep = model.depots[vt.start_depot], model.depots[vt.end_depot]
        early = int(max(vt.shift[0], s_dep.tw[0]))
        late = int(min(vt.shift[1], e_dep.tw[1]))
        time_dim.CumulVar(routing.Start(v)).SetRange(early, max(early, late))
        time_dim.CumulVar(routing.End(v)).SetRange(early, max(early, late))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
    for node in range(nd, n):
        tw0, tw1 = tws[node]
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(tw0), int(min(tw1, horizon)))

    # trip load (reset at landfills) and daily load, per dimension kg / m³
    for d, label in ((0, "kg"), (1, "m3")):
        trip_caps = [vts[t].capacity[d] for t, _ in vehicles]
        if any(math.isfinite(c) for c in trip_caps) and total[d] > 0 and model.landfills:
            finite_caps = [c for c in trip_caps if math.isfinite(c)]
            cap_int = [
                to_units(c if math.isfinite(c) else max(finite_caps), scales[d]) for c in trip_caps
            ]
            full = max(cap_int)
            dem = [
                -full if node_kind[k][0] == "landfill" else to_units(demand[k][d], scales[d])
                for k in range(n)
            ]

            def trip_cb(a: int, dem: list[int] = dem) -> int:
                return dem[manager.IndexToNode(a)]

            idx = routing.RegisterUnaryTransitCallback(trip_cb)
            routing.AddDimensionWithVehicleCapacity(idx, full, cap_int, True, f"trip_{label}")
            dim = routing.GetDimensionOrDie(f"trip_{label}")
            for node in range(nd, n):
                if node_kind[node][0] != "landfill":
                    dim.SlackVar(manager.NodeToIndex(node)).SetValue(0)
        day_caps = [vts[t].max_load_per_day[d] for t, _ in vehicles]
        if any(math.isfinite(c) for c in day_caps) and total[d] > 0:
            top = math.ceil(total[d] * scales[d]) + 1
            day_int = [to_units(c, scales[d]) if math.isfinite(c) else top for c in day_caps]
            pos = [
                0 if node_kind[k][0] != "client" else to_units(demand[k][d], scales[d])
                for k in range(n)
            ]

            def day_cb(a: int, pos: list[int] = pos) -> int:
                return pos[manager.IndexToNode(a)]

            idx = routing.RegisterUnaryTransitCallback(day_cb)
            routing.AddDimensionWithVehicleCapacity(idx, 0, day_int, True, f"day_{label}")
    if any(vts[t].max_stops is not None for t, _ in vehicles):
        ones = [1 if node_kind[k][0] == "client" else 0 for k in range(n)]

        def stop_cb(a: int) -> int:
            return ones[manager.IndexToNode(a)]

        idx = routing.RegisterUnaryTransitCallback(stop_cb)
        stop_caps = [
            vts[t].max_stops if vts[t].max_stops is not None else len(clients) + 1
            for t, _ in vehicles
        ]
        routing.AddDimensionWithVehicleCapacity(idx, 0, stop_caps, True, "stops")

    # lunch inside the route, outside service
    solver = routing.solver()
    visit_transit = [0] * routing.Size()
    for index in range(routing.Size()):
        visit_transit[index] = service[manager.IndexToNode(index)]
    for v, (t, _) in enumerate(vehicles):
        lunch = vts[t].lunch
        if lunch is None:
            continue
        brk = solver.FixedDurationIntervalVar(
            int(lunch.window[0]), int(lunch.window[1]), int(lunch.duration_s), False, f"lunch_{v}"
        )
        time_dim.SetBreakIntervalsOfVehicle([brk], v, visit_transit)
        solver.Add(brk.StartExpr() >= time_dim.CumulVar(routing.Start(v)))
        solver.Add(brk.EndExpr() <= time_dim.CumulVar(routing.End(v)))

    for i, nodes in client_nodes.items():
        c = model.clients[i]
        pen = unserved_pen if c.required else int(c.prize * COST_SCALE)
        routing.AddDisjunction([manager.NodeToIndex(k) for k in nodes], pen, 1)
    for k in landfill_nodes:
        routing.AddDisjunction([manager.NodeToIndex(k)], 0)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    if max_iterations is not None:
        params.solution_limit = max(1, int(max_iterations))
        params.time_limit.FromSeconds(24 * 3600)
    params.log_search = log_search
    if control is not None:
        # a search limit asked at every node; the Python exception cannot cross OR-Tools' C++, so
        # the limit only says stop and the cancellation is raised once the search has returned
        routing.AddSearchMonitor(
            solver.CustomLimit(lambda: control.cancel is not None and control.cancel())
        )

    def set_limit() -> None:
        if max_iterations is None:
            left = until - time.monotonic()
            params.time_limit.FromMilliseconds(max(100, int(left * 1000)))

    set_limit()

    assignment = None
    if initial is not None:
        routes_nodes: list[list[int]] = []
        used_lf: set[int] = set()
        for v in range(nv):
            seq = initial[v] if v < len(initial) else []
            nodes_v: list[int] = []
            for kind, idx, rev in seq:
                if kind == "client" and idx in client_nodes:
                    opts = client_nodes[idx]
                    nodes_v.append(opts[1] if rev and len(opts) > 1 else opts[0])
                elif kind == "landfill":
                    free = next(
                        (k for k in landfill_nodes if node_kind[k][1] == idx and k not in used_lf),
                        None,
                    )
                    if free is not None:
                        used_lf.add(free)
                        nodes_v.append(free)
            routes_nodes.append([manager.NodeToIndex(k) for k in nodes_v])
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
    if control is not None:
        control.check()
    if assignment is None:
        logger.info("OR-Tools: no solution (status %s)", routing.status())
        return []
    out: list[tuple[int, int, list[Item]]] = []
    for v, (t, k) in enumerate(vehicles):
        idx = routing.Start(v)
        items: list[Item] = []
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            kind = node_kind[node]
            if kind[0] in ("client", "landfill"):
                items.append(kind)
            idx = assignment.Value(routing.NextVar(idx))
        if any(it[0] == "client" for it in items):
            out.append((t, k, items))
    return out
