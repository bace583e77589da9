"""The PyVRP engine: a strong search on a relaxation of the model, verified and repaired afterwards.

How the model maps to PyVRP (0.14):

- landfills are reload depots (their window and unloading time become the depot's window and service
  duration);
- each model depot is two PyVRP depots, a start copy and an end copy; the arc from a client to an end
  copy goes through the landfill with the cheapest detour and includes its unloading time, so every
  route dumps before the depot;
- a reversible street segment is two clients (one per direction) in a required mutually exclusive
  group; the arc out of a segment starts at its exit end and carries its length;
- the lunch cannot be modelled: the shift is shortened by the lunch duration and
  :mod:`routing.solver._schedule` places the lunch afterwards;
- the daily load limit, when it binds, is written as PyVRP's distance dimension (each arc "measures"
  the load of the client it enters, bounded by ``max_distance``) and the cost moves to the duration
  at the fleet's average speed; the stop limit is left to the repair.

Whatever PyVRP returns is re-timed and verified by the caller; nothing here is trusted.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from routing.solver._ortools import COST_SCALE, route_penalties
from routing.solver._schedule import Item, Prepared

logger = logging.getLogger(__name__)

LOAD_SCALE = 1000.0
BIG = 10**9
COST_UNIT = 10_000.0
"""PyVRP cost units per currency unit (a cost per metre stays a usable integer at this scale)."""


def solve_pyvrp(
    prep: Prepared,
    clients: list[int],
    *,
    time_limit_s: float,
    max_iterations: int | None,
    seed: int,
) -> list[tuple[int, int, list[Item]]]:
    """Route ``clients`` with PyVRP; return (vehicle type, vehicle, items) per used vehicle."""
    model = prep.model
    vts = model.vehicle_types
    if not clients or not any(vt.num_available > 0 for vt in vts):
        return []
    nd, nl = len(model.depots), len(model.landfills)
    # PyVRP locations: start copies, end copies, landfills, client directions
    loc_in: list[int] = [d.location for d in model.depots] * 2
    loc_in += [lf.location for lf in model.landfills]
    loc_out = list(loc_in)
    extra_m = [0.0] * len(loc_in)
    service = [0] * len(loc_in)
    kinds: list[Item] = [("depot", i, False) for i in range(nd)]
    kinds += [("depot", i, False) for i in range(nd)]
    kinds += [("landfill", j, False) for j in range(nl)]
    demand: list[tuple[float, float]] = [(0.0, 0.0)] * len(loc_in)
    client_rows: list[tuple[int, bool]] = []
    for i in clients:
        c = model.clients[i]
        for rev in [False, True] if (c.is_segment and c.reversible) else [False]:
            client_rows.append((i, rev))
            loc_in.append(prep.entry[i][int(rev)])
            loc_out.append(prep.exit[i][int(rev)])
            extra_m.append(c.traverse_m)
            service.append(int(c.service_s))
            kinds.append(("client", i, rev))
            demand.append(c.demand)
    n = len(loc_in)
    first_client = 2 * nd + nl
    li, lo = np.asarray(loc_in), np.asarray(loc_out)
    dur = prep.dur[np.ix_(lo, li)].copy()
    dist = prep.dist[np.ix_(lo, li)] + np.asarray(extra_m)[:, None]
    if nl:
        lf_locs = np.asarray([lf.location for lf in model.landfills])
        unload = np.asarray([lf.unload_s for lf in model.landfills], dtype=float)
        for e in range(nd):
            dloc = model.depots[e].location
            via_d = (
                prep.dist[np.ix_(lo[first_client:], lf_locs)] + prep.dist[lf_locs, dloc][None, :]
            )
            via_t = (
                prep.dur[np.ix_(lo[first_client:], lf_locs)]
                + (prep.dur[lf_locs, dloc] + unload)[None, :]
            )
            best = np.argmin(via_d + 1e-9 * via_t, axis=1)
            rows = np.arange(len(best))
            dist[first_client:, nd + e] = via_d[rows, best] + np.asarray(extra_m[first_client:])
            dur[first_client:, nd + e] = via_t[rows, best]
    np.fill_diagonal(dist, 0.0)
    np.fill_diagonal(dur, 0.0)
    dur_i = np.where(np.isfinite(dur), np.rint(dur), BIG).astype(np.int64)

    # the daily load limit that binds most becomes the "distance" dimension
    day_dim = None
    worst = 1.0
    for d in (0, 1):
        fleet = sum(vt.max_load_per_day[d] * vt.num_available for vt in vts)
        need = sum(model.clients[i].demand[d] for i in clients)
        per_vehicle = max(vt.max_load_per_day[d] for vt in vts)
        if math.isfinite(per_vehicle) and need > 0:
            ratio = need / min(fleet, per_vehicle)
            if ratio > worst:
                worst, day_dim = ratio, d
    finite = np.isfinite(prep.dist) & np.isfinite(prep.dur) & (prep.dur > 0)
    speed = float(prep.dist[finite].sum() / prep.dur[finite].sum()) if finite.any() else 1.0
    if day_dim is None:
        dist_i = np.where(np.isfinite(dist), np.rint(dist), BIG).astype(np.int64)
    else:
        load_in = np.asarray([math.floor(dm[day_dim] * LOAD_SCALE + 0.5) for dm in demand])
        dist_i = np.broadcast_to(load_in[None, :], (n, n)).astype(np.int64).copy()
        np.fill_diagonal(dist_i, 0)
        dist_i[~np.isfinite(dist)] = BIG

    vehicle_pen, _ = route_penalties(prep, clients)
    vehicle_pen = int(vehicle_pen / COST_SCALE * COST_UNIT)
    locations = [pyvrp.Location(0.0, 0.0) for _ in range(n)]
    depots = [
        pyvrp.Depot(k, tw_early=int(model.depots[k].tw[0]), tw_late=int(model.depots[k].tw[1]))
        for k in range(nd)
    ]
    depots += [
        pyvrp.Depot(nd + k, tw_early=int(model.depots[k].tw[0]), tw_late=int(model.depots[k].tw[1]))
        for k in range(nd)
    ]
    depots += [
        pyvrp.Depot(
            2 * nd + j,
            tw_early=int(lf.tw[0]),
            tw_late=int(lf.tw[1]),
            service_duration=int(lf.unload_s),
        )
        for j, lf in enumerate(model.landfills)
    ]
    caps_needed = [any(math.isfinite(vt.capacity[d]) for vt in vts) for d in (0, 1)]
    dims = [d for d in (0, 1) if caps_needed[d]]
    pv_clients: list[pyvrp.Client] = []
    groups: list[pyvrp.ClientGroup] = []
    group_of: dict[int, int] = {}
    for k, (i, _rev) in enumerate(client_rows):
        c = model.clients[i]
        two = c.is_segment and c.reversible
        if two and i not in group_of:
            group_of[i] = len(groups)
            groups.append(pyvrp.ClientGroup([k, k + 1], required=c.required))
        pv_clients.append(
            pyvrp.Client(
                first_client + k,
                pickup=[math.floor(c.demand[d] * LOAD_SCALE + 0.5) for d in dims],
                service_duration=int(c.service_s),
                tw_early=int(c.tw[0]),
                tw_late=int(min(c.tw[1], BIG)),
                prize=int(c.prize * COST_UNIT) if not c.required else 0,
                required=c.required and not two,
                group=group_of.get(i),
            )
        )
    pv_types: list[pyvrp.VehicleType] = []
    type_of: list[int] = []
    for t, vt in enumerate(vts):
        if vt.num_available <= 0:
            continue
        early = int(max(vt.shift[0], model.depots[vt.start_depot].tw[0]))
        late = int(min(vt.shift[1], model.depots[vt.end_depot].tw[1]))
        span = max(0, late - early - (vt.lunch.duration_s if vt.lunch else 0))
        if day_dim is None:
            unit_dist = max(0, round(vt.cost_per_km / 1000.0 * COST_UNIT))
            unit_dur = max(0, round(vt.cost_per_hour / 3600.0 * COST_UNIT))
            max_distance = np.iinfo(np.int64).max
        else:
            unit_dist = 0
            per_s = vt.cost_per_km / 1000.0 * speed + vt.cost_per_hour / 3600.0
            unit_dur = max(1, round(per_s * COST_UNIT))
            max_distance = math.floor(vt.max_load_per_day[day_dim] * LOAD_SCALE)
        pv_types.append(
            pyvrp.VehicleType(
                num_available=vt.num_available,
                capacity=[
                    int(min(vt.capacity[d] * LOAD_SCALE, BIG))
                    if math.isfinite(vt.capacity[d])
                    else BIG
                    for d in dims
                ],
                start_depot=vt.start_depot,
                end_depot=nd + vt.end_depot,
                fixed_cost=int(vt.fixed_cost * COST_UNIT) + vehicle_pen,
                tw_early=early,
                tw_late=late,
                shift_duration=span,
                max_distance=max_distance,
                unit_distance_cost=unit_dist,
                unit_duration_cost=unit_dur,
                reload_depots=list(range(2 * nd, 2 * nd + nl)),
            )
        )
        type_of.append(t)
    data = pyvrp.ProblemData(
        locations=locations,
        clients=pv_clients,
        depots=depots,
        vehicle_types=pv_types,
        distance_matrices=[dist_i],  # type: ignore[list-item]
        duration_matrices=[dur_i],  # type: ignore[list-item]
        groups=groups,
    )
    stop: StoppingCriterion
    if max_iterations is not None:
        stop = MaxIterations(max(1, int(max_iterations)))
    else:
        stop = MultipleCriteria([MaxRuntime(max(0.2, time_limit_s))])
    res = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    sol = res.best
    logger.info(
        "PyVRP: %d routes, feasible=%s, %d iterations",
        sol.num_routes(),
        sol.is_feasible(),
        res.num_iterations,
    )
    out: list[tuple[int, int, list[Item]]] = []
    counter: dict[int, int] = {}
    for route in sol.routes():
        t = type_of[route.vehicle_type()]
        items: list[Item] = []
        for act in route.schedule():
            if act.type == pyvrp.ActivityType.CLIENT:
                i, rev = client_rows[act.idx]
                items.append(("client", i, rev))
            elif act.type == pyvrp.ActivityType.DEPOT and 2 * nd <= act.idx < 2 * nd + nl and items:
                items.append(("landfill", act.idx - 2 * nd, False))
        if any(it[0] == "client" for it in items):
            k = counter.get(t, 0)
            counter[t] = k + 1
            out.append((t, k, items))
    return out
