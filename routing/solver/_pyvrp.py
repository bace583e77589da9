"""The PyVRP engine: a strong search on a relaxation of the model, verified and repaired afterwards.

How the model maps to PyVRP (0.14):

- landfills are reload depots (their window and unloading time become the depot's window and service
  duration);
- each model depot is two PyVRP depots, a start copy and an end copy; the arc from a client to an end
  copy goes through the landfill with the cheapest detour and includes its unloading time, so every
  route dumps before the depot;
- a reversible street segment is two clients (one per direction) in a required mutually exclusive
  group; the arc out of a segment starts at its exit end and carries its length;
- stops at one place (no distance or time between them) with one time window are one client,
  in chunks of at most a quarter of a trip (:func:`_aggregate`); each comes back as its stops;
- each routing profile of the model's vehicle types is a PyVRP profile with its own matrices; a
  client barred from a profile (``Client.profiles``) cannot be entered on that profile's arcs;
- the lunch cannot be modelled: PyVRP plans in "working time", a clock with the lunch cut out at
  the start of the lunch window (every time window after it moves earlier by the lunch duration),
  and :mod:`routing.solver._schedule` places the real lunch afterwards;
- the daily load limit is either kept by bounding the trips (``ceil(daily / capacity)`` trips of at
  most ``daily / trips`` each) or, in mode ``day``, written as PyVRP's distance dimension (each arc
  "measures" the load of the client it enters, bounded by ``max_distance``), the cost then moving
  to the duration at the fleet's average speed; the stop limit is left to the repair.

Whatever PyVRP returns is re-timed and verified by the caller; nothing here is trusted.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.search import LocalSearch, NeighbourhoodParams, PerturbationManager, compute_neighbours
from pyvrp.stop import (
    FirstFeasible,
    MaxIterations,
    MultipleCriteria,
    NoImprovement,
    StoppingCriterion,
)

from routing.solver import _strings as strings
from routing.solver._exchange import Offer, Routes
from routing.solver._fleet import COST_SCALE, route_penalties
from routing.solver._schedule import Item, Prepared
from routing.solver._units import load_scales, to_units
from routing.solver.control import Control
from routing.solver.model import Model, VehicleType
from routing.solver.params import SolveParams

logger = logging.getLogger(__name__)

BIG_LOAD = 10**15
BIG = 10**9
COST_UNIT = 10_000.0
"""PyVRP cost units per currency unit (a cost per metre stays a usable integer at this scale)."""
TIME_SCALE = 10
"""PyVRP time units per second: PyVRP counts in integers, and a tenth of a second keeps the
one-decimal times of the DIMACS instances exact (whole seconds would break their windows)."""
DIST_SCALE = 10
"""PyVRP distance units per metre (of model distance), for the same reason."""


def solve_pyvrp(
    prep: Prepared,
    clients: list[int],
    *,
    time_limit_s: float,
    max_iterations: int | None,
    seed: int,
    mode: str = "trips",
    params: SolveParams | None = None,
    control: Control | None = None,
    meet: Callable[[Offer], Routes] | None = None,
) -> list[list[tuple[int, int, list[Item]]]]:
    """Route ``clients`` with PyVRP; return plans of (vehicle type, vehicle, items) per used vehicle.

    The first plan uses the whole fleet; a second, when found, does the work with fewer vehicles.
    ``mode`` says how the daily load limit is told to PyVRP: ``"day"`` writes it exactly as the
    distance dimension (the cost moves to the duration), ``"trips"`` bounds the number of trips
    (``ceil(daily / trip capacity)``), each trip to ``daily / trips`` at most, and keeps distances:
    stricter than the rule where the daily load is not a whole number of full trips, but every
    plan keeps it (a relaxation left to the repair cost 1599_stop about 12 miles, two seeds).
    ``"plain"`` is PyVRP's own search as ``pyvrp.solve`` runs it (its start, neighbourhood and
    operators; the history of ``params.plain_history_length``), for models whose every rule PyVRP
    states exactly, whose objective is the distance alone and whose clients have time windows (the
    VRPTW benchmarks): there our phases only cost time.
    Where vehicles come first and the loads, not the time, bound the fleet, ``"trips"`` searches
    with the fleet at its lower bound first (grown until the plan is feasible), which packs loads
    better than shrinking a larger fleet.
    ``params`` tunes the search (the defaults when None); ``control`` is checked on every
    iteration (cancellation, progress, the periodic log). ``meet``, given to the ``plain`` jobs of
    parallel workers (:mod:`routing.solver._exchange`), trades this job's best for the best of all
    ``params.plain_meetings`` times, evenly spaced over the search.
    """
    started = time.monotonic()
    params = params if params is not None else SolveParams()
    model = prep.model
    if not clients or not any(vt.num_available > 0 for vt in model.vehicle_types):
        return [[]]
    built = _build(prep, clients, mode, params)
    neighbours = (
        _neighbours(built.data, params.day_neighbours) if built.day_dim is not None else None
    )
    ctx = _Ctx(params, control, max_iterations, seed, neighbours, meet)
    logger.info("PyVRP (%s): data ready, searching", mode)
    lower = built.lower
    if mode == "plain":
        sols = [_run_plain(built.data, ctx, until=started + time_limit_s)]
    elif (
        lower is not None
        and lower >= 2
        and _time_bound(prep, clients) <= 0.7 * lower
        and model.vehicles_first
    ):
        # the daily load gives a real lower bound on the fleet: start there and grow (only where
        # the load binds; where time binds the whole fleet is searched and shrunk)
        sols = _search_tight(built.data, ctx, started, time_limit_s, lower)
    else:
        shrink_to = lower if model.vehicles_first else None
        sols = _search(built.data, ctx, started, time_limit_s, shrink_to)
    logger.info("PyVRP (%s): search done", mode)
    return [_to_items(sol, built) for sol in sols]


@dataclass(frozen=True)
class _Built:
    """The PyVRP data of a model and how to read its solutions back."""

    data: pyvrp.ProblemData
    type_of: list[int]
    """The model's vehicle type of each PyVRP vehicle type."""
    rows: list[list[tuple[int, bool]]]
    """The model's clients (with direction) of each PyVRP client."""
    nd: int
    nl: int
    day_dim: int | None
    """The load dimension written as PyVRP's distance (mode ``day``), else None."""
    lower: int | None
    """A lower bound on the fleet when the fleet may be shrunk towards it (one vehicle type, every
    client required, no segment groups), else None."""


def _build(prep: Prepared, clients: list[int], mode: str, params: SolveParams) -> _Built:
    """The PyVRP data of ``clients`` (see the module docstring for how the model maps to it)."""
    model = prep.model
    vts = model.vehicle_types
    nd, nl = len(model.depots), len(model.landfills)
    # one PyVRP client per row: a segment's direction, or stops at one place served as one
    if mode == "plain":  # PyVRP as it is: one client per stop (per direction of a segment)
        rows = [
            [(i, rev)]
            for i in clients
            for rev in (
                [False, True]
                if model.clients[i].is_segment and model.clients[i].reversible
                else [False]
            )
        ]
    else:
        rows = _aggregate(prep, clients, share=params.aggregate_share)
    loc_in, loc_out, extra_m, demand = _locations(prep, rows)
    scales = load_scales(model, clients)
    day_dim = _day_dimension(model, clients) if mode == "day" else None
    # one PyVRP profile per routing profile the available vehicles drive on
    used = sorted({vt.profile for vt in vts if vt.num_available > 0} or {0})
    dur_ms, dist_ms = [], []
    for p in used:
        dur, dist = _arc_matrices(prep.view(p), loc_in, loc_out, extra_m)
        barred = [2 * nd + nl + k for k, row in enumerate(rows) if not _row_on(model, row, p)]
        dur[:, barred] = np.inf  # a client off the profile's roads is never entered on it
        dist[:, barred] = np.inf
        np.fill_diagonal(dur, 0.0)
        np.fill_diagonal(dist, 0.0)
        dur_ms.append(np.where(np.isfinite(dur), np.rint(dur * TIME_SCALE), BIG).astype(np.int64))
        dist_ms.append(_dist_units(dist, demand, day_dim, scales))
    clock = _Clock.of(model)
    cu = _cost_unit([vt for vt in vts if vt.num_available > 0], plain=mode == "plain")
    dims = [d for d in (0, 1) if any(math.isfinite(vt.capacity[d]) for vt in vts)]
    pv_clients, groups = _pv_clients(model, rows, 2 * nd + nl, scales, dims, clock, cu)
    pv_types, type_of = _pv_vehicle_types(prep, clients, mode, scales, dims, clock, cu, day_dim)
    pv_types = [
        pv.replace(profile=used.index(vts[t].profile))
        for pv, t in zip(pv_types, type_of, strict=True)
    ]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0.0, 0.0) for _ in loc_in],
        clients=pv_clients,
        depots=_pv_depots(model, clock),
        vehicle_types=pv_types,
        distance_matrices=dist_ms,  # type: ignore[arg-type]
        duration_matrices=dur_ms,  # type: ignore[arg-type]
        groups=groups,
    )
    lower = None
    if len(pv_types) == 1 and all(c.required for c in pv_clients) and not groups:
        lower = _fleet_bound(model, clients, vts[type_of[0]])
    return _Built(data, type_of, rows, nd, nl, day_dim, lower)


def _row_on(model: Model, row: list[tuple[int, bool]], profile: int) -> bool:
    """Whether every client of a row may be served on routing profile ``profile``."""
    allowed = [model.clients[i].profiles for i, _ in row]
    return all(a is None or profile in a for a in allowed)


def _dist_units(
    dist: np.ndarray,
    demand: list[tuple[float, float]],
    day_dim: int | None,
    scales: tuple[float, float],
) -> np.ndarray:
    """PyVRP's integer distance matrix: metres, or in mode ``day`` the load of the entered
    location (unreachable arcs: too long to use either way)."""
    if day_dim is None:
        return np.where(np.isfinite(dist), np.rint(dist * DIST_SCALE), BIG).astype(np.int64)
    n = len(demand)
    load_in = np.asarray([to_units(dm[day_dim], scales[day_dim]) for dm in demand])
    dist_i = np.broadcast_to(load_in[None, :], (n, n)).astype(np.int64).copy()
    np.fill_diagonal(dist_i, 0)
    dist_i[~np.isfinite(dist)] = BIG_LOAD // 1000
    return dist_i


def _locations(
    prep: Prepared, rows: list[list[tuple[int, bool]]]
) -> tuple[list[int], list[int], list[float], list[tuple[float, float]]]:
    """Where each PyVRP location is entered and left, the extra distance driven through it and
    its demand: start copies of the depots, end copies, landfills, then the client rows."""
    model = prep.model
    loc_in: list[int] = [d.location for d in model.depots] * 2
    loc_in += [lf.location for lf in model.landfills]
    loc_out = list(loc_in)
    extra_m = [0.0] * len(loc_in)
    demand: list[tuple[float, float]] = [(0.0, 0.0)] * len(loc_in)
    for row in rows:
        (i, rev), (j, rev_j) = row[0], row[-1]
        loc_in.append(prep.entry[i][int(rev)])
        loc_out.append(prep.exit[j][int(rev_j)])
        extra_m.append(sum(model.clients[m].traverse_m for m, _ in row))
        demand.append(_row_sum(model, row))
    return loc_in, loc_out, extra_m, demand


def _arc_matrices(
    prep: Prepared, loc_in: list[int], loc_out: list[int], extra_m: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Durations and distances between PyVRP locations (float, inf when unreachable); the arc
    from a client to an end copy goes through the landfill with the cheapest detour and includes
    its unloading time, so every route dumps before the depot."""
    model = prep.model
    nd, nl = len(model.depots), len(model.landfills)
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
    return dur, dist


def _day_dimension(model: Model, clients: list[int]) -> int | None:
    """The daily load limit that binds most (it becomes the "distance" dimension in mode ``day``)."""
    vts = model.vehicle_types
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
    return day_dim


@dataclass(frozen=True)
class _Clock:
    """PyVRP's "working time": the clock in PyVRP units with the lunch hour cut out at the start of
    the earliest lunch window; every time after that moves earlier by the lunch duration."""

    cut_s: float | None
    lunch_s: float

    @classmethod
    def of(cls, model: Model) -> _Clock:
        """The clock of the model's fleet (no cut without a lunch)."""
        lunches = [
            vt.lunch for vt in model.vehicle_types if vt.lunch is not None and vt.num_available > 0
        ]
        if not lunches:
            return cls(None, 0.0)
        cut = min(lunches, key=lambda lu: lu.window[0])
        return cls(float(cut.window[0]), float(cut.duration_s))

    def __call__(self, x: float) -> int:
        if self.cut_s is None or x <= self.cut_s:
            return round(x * TIME_SCALE)
        return round(max(self.cut_s, x - self.lunch_s) * TIME_SCALE)


def _pv_depots(model: Model, clock: _Clock) -> list[pyvrp.Depot]:
    """Start copies of the depots, end copies, then the landfills as reload depots."""
    nd = len(model.depots)
    depots = [
        pyvrp.Depot(k, tw_early=clock(model.depots[k].tw[0]), tw_late=clock(model.depots[k].tw[1]))
        for k in range(nd)
    ]
    depots += [
        pyvrp.Depot(
            nd + k, tw_early=clock(model.depots[k].tw[0]), tw_late=clock(model.depots[k].tw[1])
        )
        for k in range(nd)
    ]
    depots += [
        pyvrp.Depot(
            2 * nd + j,
            tw_early=clock(lf.tw[0]),
            tw_late=clock(lf.tw[1]),
            service_duration=round(lf.unload_s * TIME_SCALE),
        )
        for j, lf in enumerate(model.landfills)
    ]
    return depots


def _pv_clients(
    model: Model,
    rows: list[list[tuple[int, bool]]],
    first_client: int,
    scales: tuple[float, float],
    dims: list[int],
    clock: _Clock,
    cu: float,
) -> tuple[list[pyvrp.Client], list[pyvrp.ClientGroup]]:
    """A PyVRP client per row; the two directions of a reversible segment form a required group."""
    pv_clients: list[pyvrp.Client] = []
    groups: list[pyvrp.ClientGroup] = []
    group_of: dict[int, int] = {}
    for k, row in enumerate(rows):
        i = row[0][0]
        c = model.clients[i]
        two = c.is_segment and c.reversible
        if two and i not in group_of:
            group_of[i] = len(groups)
            groups.append(pyvrp.ClientGroup([k, k + 1], required=c.required))
        early, late = _row_window(model, row)
        pv_clients.append(
            pyvrp.Client(
                first_client + k,
                pickup=[
                    sum(to_units(model.clients[m].demand[d], scales[d]) for m, _ in row)
                    for d in dims
                ],
                service_duration=sum(
                    round(model.clients[m].service_s * TIME_SCALE) for m, _ in row
                ),
                tw_early=clock(early),
                tw_late=clock(min(late, BIG)),
                prize=int(c.prize * cu) if not c.required else 0,
                required=c.required and not two,
                group=group_of.get(i),
            )
        )
    return pv_clients, groups


def _pv_vehicle_types(
    prep: Prepared,
    clients: list[int],
    mode: str,
    scales: tuple[float, float],
    dims: list[int],
    clock: _Clock,
    cu: float,
    day_dim: int | None,
) -> tuple[list[pyvrp.VehicleType], list[int]]:
    """The available vehicle types and the model's type of each. In mode ``day`` the distance
    dimension holds the daily load and the cost moves to the duration at the fleet's speed."""
    model = prep.model
    nd, nl = len(model.depots), len(model.landfills)
    vehicle_pen = int(route_penalties(prep, clients)[0] / COST_SCALE * cu)
    finite = np.isfinite(prep.dist) & np.isfinite(prep.dur) & (prep.dur > 0)
    speed = float(prep.dist[finite].sum() / prep.dur[finite].sum()) if finite.any() else 1.0
    pv_types: list[pyvrp.VehicleType] = []
    type_of: list[int] = []
    for t, vt in enumerate(model.vehicle_types):
        if vt.num_available <= 0:
            continue
        early = clock(max(vt.shift[0], model.depots[vt.start_depot].tw[0]))
        late = clock(min(vt.shift[1], model.depots[vt.end_depot].tw[1]))
        if day_dim is None:
            unit_dist = max(0, round(vt.cost_per_km / 1000.0 * cu / DIST_SCALE))
            unit_dur = max(0, round(vt.cost_per_hour / 3600.0 * cu / TIME_SCALE))
            max_distance = np.iinfo(np.int64).max
        else:
            unit_dist = 0
            per_s = vt.cost_per_km / 1000.0 * speed + vt.cost_per_hour / 3600.0
            unit_dur = max(1, round(per_s * cu / TIME_SCALE))
            max_distance = to_units(vt.max_load_per_day[day_dim], scales[day_dim])
        reloads = _max_reloads(vt) if mode != "day" else int(np.iinfo(np.uint64).max)
        pv_types.append(
            pyvrp.VehicleType(
                num_available=vt.num_available,
                capacity=[_trip_units(vt, d, scales[d], even=mode != "day") for d in dims],
                start_depot=vt.start_depot,
                end_depot=nd + vt.end_depot,
                fixed_cost=int(vt.fixed_cost * cu) + vehicle_pen,
                tw_early=early,
                tw_late=late,
                shift_duration=max(0, late - early),
                max_distance=max_distance,
                unit_distance_cost=unit_dist,
                unit_duration_cost=unit_dur,
                # one trip a day needs no reload (the final dump is in the arcs to the depot)
                reload_depots=list(range(2 * nd, 2 * nd + nl)) if reloads else [],
                max_reloads=reloads if reloads else 0,
            )
        )
        type_of.append(t)
    return pv_types, type_of


def _fleet_bound(model: Model, clients: list[int], vt: VehicleType) -> int:
    """Vehicles the daily load and the stop limit need at least (one vehicle type)."""
    lower = 1
    for d in (0, 1):
        need = sum(model.clients[i].demand[d] for i in clients)
        if math.isfinite(vt.max_load_per_day[d]) and need > 0:
            lower = max(lower, math.ceil(need / vt.max_load_per_day[d] - 1e-9))
    if vt.max_stops:
        lower = max(lower, math.ceil(len(clients) / vt.max_stops))
    return lower


def _aggregate(prep: Prepared, clients: list[int], *, share: float) -> list[list[tuple[int, bool]]]:
    """Group the clients into PyVRP clients: stops at one place with one time window become one.

    Stops at one place (no distance and no time between them either way) with the same window
    are served one after another at no travel cost, yet a search that moves them one at a time
    must move them all to gain anything. Searched as one client (demand and service added, the
    window narrowed by the service before each stop), they move together: 1599_stop has 1,596
    stops at 867 such places. Each group is cut into chunks of at most ``share`` (see
    :attr:`routing.solver.params.SolveParams.aggregate_share`) of
    a trip's load, of the shortest shift and of a vehicle's stop limit. Street segments and
    optional clients stay alone; each direction of a reversible segment is a row of its own
    (consecutive rows).
    """
    model = prep.model
    points = [i for i in clients if not model.clients[i].is_segment and model.clients[i].required]
    place = _places(prep, [prep.entry[i][0] for i in points])
    by_key: dict[tuple[int, float, float, frozenset[int] | None], list[int]] = {}
    for i, p in zip(points, place, strict=True):
        c = model.clients[i]
        by_key.setdefault((p, *c.tw, c.profiles), []).append(i)
    # a place's rows stand where its first stop stood
    first_of = {
        members[0]: [[(i, False) for i in chunk] for chunk in _chunks(model, members, share)]
        for members in by_key.values()
    }
    grouped = set(points)
    rows: list[list[tuple[int, bool]]] = []
    for i in clients:
        c = model.clients[i]
        if i in first_of:
            rows.extend(first_of[i])
        elif i not in grouped:
            rows.extend(
                [(i, rev)] for rev in ([False, True] if c.is_segment and c.reversible else [False])
            )
    return rows


def _places(prep: Prepared, locs: list[int]) -> list[int]:
    """A place number per location: locations with no distance and no time between them either
    way share one (the lowest location index among them)."""
    uniq = sorted(set(locs))
    if not uniq:
        return []
    u = np.asarray(uniq)
    views = [prep.view(p) for p in sorted({vt.profile for vt in prep.model.vehicle_types} | {0})]
    place: dict[int, int] = {}
    for a in uniq:
        if a in place:
            continue
        same_all = np.ones(len(u), dtype=bool)
        for own in views:  # one place on every profile's roads
            same_all &= (
                (own.dist[a, u] == 0)
                & (own.dist[u, a] == 0)
                & (own.dur[a, u] == 0)
                & (own.dur[u, a] == 0)
            )
        same = u[same_all]
        for b in same.tolist():
            place.setdefault(b, a)
    return [place[x] for x in locs]


def _chunks(model: Model, members: list[int], share: float) -> list[list[int]]:
    """``members`` (stops at one place, one window) cut in order into chunks of at most ``share``
    of a trip, a shift and a stop limit that keep a window one can start in."""
    vts = [vt for vt in model.vehicle_types if vt.num_available > 0]
    load_cap = [
        share * min(min(vt.capacity[d], vt.max_load_per_day[d]) for vt in vts) for d in (0, 1)
    ]
    service_cap = share * min(vt.shift[1] - vt.shift[0] for vt in vts)
    limits = [vt.max_stops for vt in vts if vt.max_stops is not None]
    stops_cap = max(1, math.floor(share * min(limits))) if limits else math.inf
    out: list[list[int]] = []
    chunk: list[int] = []
    # the chunk's load, service and window so far, kept as it grows (a place may hold thousands)
    load, service, early, late = (0.0, 0.0), 0.0, -math.inf, math.inf
    for i in members:
        c = model.clients[i]
        grown = (load[0] + c.demand[0], load[1] + c.demand[1])
        window = (max(early, c.tw[0] - service), min(late, c.tw[1] - service))
        fits = (
            all(grown[d] <= load_cap[d] + 1e-9 for d in (0, 1))
            and service + c.service_s <= service_cap
            and len(chunk) + 1 <= stops_cap
            and window[1] >= window[0]
        )
        if chunk and not fits:
            out.append(chunk)
            chunk, service = [], 0.0
            grown, window = (c.demand[0], c.demand[1]), (c.tw[0], c.tw[1])
        chunk.append(i)
        load, (early, late) = grown, window
        service += c.service_s
    out.append(chunk)
    return out


def _row_sum(model: Model, row: list[tuple[int, bool]]) -> tuple[float, float]:
    """The demand of a row's clients together."""
    return (
        sum(model.clients[i].demand[0] for i, _ in row),
        sum(model.clients[i].demand[1] for i, _ in row),
    )


def _row_window(model: Model, row: list[tuple[int, bool]]) -> tuple[float, float]:
    """When a row's first client may start so that each in turn starts in its own window."""
    early, late, before = -math.inf, math.inf, 0.0
    for i, _ in row:
        tw = model.clients[i].tw
        early = max(early, tw[0] - before)
        late = min(late, tw[1] - before)
        before += model.clients[i].service_s
    return early, late


@dataclass(frozen=True)
class _Ctx:
    """What every search run of one :func:`solve_pyvrp` call shares."""

    params: SolveParams
    control: Control | None
    max_iterations: int | None
    seed: int
    neighbours: dict[pyvrp.Activity, list[pyvrp.Activity]] | None
    meet: Callable[[Offer], Routes] | None = None


class _Watch:
    """A stopping criterion that never stops by itself: it hands each iteration to the solve's
    :class:`~routing.solver.control.Control` (which raises on cancellation, reports progress and
    logs the best cost)."""

    def __init__(self, control: Control) -> None:
        self.control = control

    def __call__(self, best_cost: float) -> bool:
        self.control.searching(best_cost)
        return False


class _Deadline:
    """Stop at a ``time.monotonic()`` deadline. PyVRP's ``MaxRuntime`` starts its clock at its first
    call, after ``pyvrp.solve`` has computed the neighbourhoods and the first local search (three
    seconds on a thousand clients), so a run would overstay its limit by as much."""

    def __init__(self, until: float) -> None:
        self.until = until

    def __call__(self, best_cost: float) -> bool:
        return time.monotonic() >= self.until


def _stop(
    seconds: float,
    iterations: int | None,
    control: Control | None,
    *,
    first_feasible: bool = False,
    plateau: int = 0,
) -> StoppingCriterion:
    # the watch comes first: MultipleCriteria stops asking at the first criterion that says stop
    crit: list[StoppingCriterion] = []
    if control is not None:
        crit.append(_Watch(control))
    if iterations is not None:
        crit.append(MaxIterations(max(1, iterations)))
    else:
        crit.append(_Deadline(time.monotonic() + max(0.1, seconds)))
    if plateau:
        # iterations without a better best (a count, so the same wherever it fires first)
        crit.append(NoImprovement(plateau))
    if first_feasible:
        crit.append(FirstFeasible())
    return MultipleCriteria(crit)


def _search(
    data: pyvrp.ProblemData,
    ctx: _Ctx,
    t0: float,
    time_limit_s: float,
    lower: int | None,
) -> list[pyvrp.Solution]:
    """Search, then try to do the work with fewer vehicles, then polish the smallest fleet.

    The phases share ``time_limit_s`` counted from ``t0`` (when the caller started building the
    data). Returns the best solution of the full fleet and, when found, the best with a smaller fleet
    (the caller verifies both and keeps the better). With ``max_iterations`` every phase is bounded
    by iterations only, so the wall clock never changes the answer.
    """
    end = t0 + time_limit_s
    shrink = lower is not None
    first = _run(ctx, data, until=t0 + time_limit_s * (0.4 if shrink else 1.0))
    boost = shrink and not first.best.is_feasible()
    if boost:
        # the search traded a vehicle's cost for broken windows: from here on time warp costs
        # about as much as a vehicle (see _initial_penalties)
        logger.info("PyVRP: no feasible plan yet; time warp now weighs like a vehicle")
        first = _run(ctx, data, until=t0 + time_limit_s * 0.55, boost=True)
    best = first.best
    logger.info(
        "PyVRP: %d routes, feasible=%s, %d iterations",
        best.num_routes(),
        best.is_feasible(),
        first.num_iterations,
    )
    out = [best]
    if not shrink or not best.is_feasible() or lower is None:
        return out
    small_data, small = _shrink(
        data,
        ctx,
        best,
        lower,
        until=t0 + time_limit_s * 0.75,
        time_limit_s=time_limit_s,
        boost=boost,
    )
    if small is not None and small_data is not None:
        res = _run(
            ctx,
            small_data,
            until=end,
            initial_solution=small,
            boost=boost,
        )
        out.append(res.best if res.best.is_feasible() else small)
    else:
        res = _run(
            ctx,
            data,
            until=end,
            seed=ctx.seed + 7,
            initial_solution=best,
            boost=boost,
        )
        if res.best.is_feasible() and res.cost() < first.cost():
            out[0] = res.best
    return out


def _shrink(
    data: pyvrp.ProblemData,
    ctx: _Ctx,
    best: pyvrp.Solution,
    lower: int,
    *,
    until: float,
    time_limit_s: float,
    boost: bool,
) -> tuple[pyvrp.ProblemData | None, pyvrp.Solution | None]:
    """Offer a vehicle fewer at a time while the work still fits (each attempt stops at its first
    feasible plan); return the smallest fleet's data and plan, or ``(None, None)``."""
    fleet = best.num_routes()
    small_data, small = None, None
    current = best
    while fleet > lower:
        left = until - time.monotonic()
        if ctx.max_iterations is None and left < 0.2:
            break
        vt = data.vehicle_type(0).replace(num_available=fleet - 1)
        trial_data = data.replace(vehicle_types=[vt])
        # start from the current plan without its smallest route; the search re-inserts its clients
        routes = sorted(current.routes(), key=lambda r: (r.num_clients(), r.distance()))[1:]
        res = _run(
            ctx,
            trial_data,
            until=min(until, time.monotonic() + ctx.params.shrink_try * time_limit_s),
            first_feasible=True,
            initial_solution=_rebuild(trial_data, routes),
            boost=boost,
        )
        if not res.best.is_feasible():
            break
        fleet = res.best.num_routes()
        small_data, small = trial_data, res.best
        current = res.best
        logger.info("PyVRP: the work fits %d vehicles", fleet)
    return small_data, small


def _time_bound(prep: Prepared, clients: list[int]) -> float:
    """A rough lower bound on the vehicles the working time needs.

    Service time, the cheapest way into each client and one unloading per full truck, over the
    longest shift without lunch. Used only to decide whether the daily load or time binds.
    """
    model = prep.model
    vts = [vt for vt in model.vehicle_types if vt.num_available > 0]
    if not vts or not clients:
        return 0.0
    dur = prep.dur
    ins = np.asarray([prep.entry[i][0] for i in clients])
    outs = np.asarray([prep.exit[i][0] for i in clients] + [d.location for d in model.depots])
    sub = dur[np.ix_(outs, ins)].copy()
    sub[np.arange(len(clients)), np.arange(len(clients))] = np.inf
    cheapest = np.min(sub, axis=0)
    work = float(np.sum(cheapest[np.isfinite(cheapest)]))
    work += sum(model.clients[i].service_s for i in clients)
    unload = min((lf.unload_s for lf in model.landfills), default=0)
    trips = 0
    for d in (0, 1):
        cap = max(vt.capacity[d] for vt in vts)
        if math.isfinite(cap):
            trips = max(trips, math.ceil(sum(model.clients[i].demand[d] for i in clients) / cap))
    work += trips * unload
    span = max(vt.shift[1] - vt.shift[0] - (vt.lunch.duration_s if vt.lunch else 0) for vt in vts)
    return work / max(span, 1)


def _rebuild(data: pyvrp.ProblemData, routes: list[pyvrp.Route]) -> pyvrp.Solution:
    """The same routes as a solution of ``data`` (same clients and depots, another fleet)."""
    return pyvrp.Solution(
        data,
        [
            pyvrp.Route(
                data, [pyvrp.Activity(a.type, a.idx) for a in r.schedule()][1:-1], r.vehicle_type()
            )
            for r in routes
        ],
    )


def _search_tight(
    data: pyvrp.ProblemData,
    ctx: _Ctx,
    t0: float,
    time_limit_s: float,
    lower: int,
) -> list[pyvrp.Solution]:
    """Search with the fleet at its lower bound; add a vehicle at a time until the plan is feasible.

    When the work needs about as many vehicles as the daily load says, a search offered exactly
    that fleet packs the loads far better than one shrinking a larger fleet.
    """
    full = data.vehicle_type(0).num_available
    fleet = max(1, min(lower, full))
    end = t0 + time_limit_s
    grow_end = t0 + time_limit_s * 0.75

    def with_fleet(k: int) -> pyvrp.ProblemData:
        return data.replace(vehicle_types=[data.vehicle_type(0).replace(num_available=k)])

    cur = with_fleet(fleet)
    res = _run(ctx, cur, until=t0 + time_limit_s * 0.4)
    best = res.best
    logger.info("PyVRP: %d vehicles offered, feasible=%s", fleet, best.is_feasible())
    while not best.is_feasible() and fleet < full:
        if ctx.max_iterations is None and time.monotonic() > grow_end:
            break
        # far below the need (time windows, not loads, bind) the steps grow with the fleet
        fleet = min(full, fleet + max(1, fleet // 20))
        cur = with_fleet(fleet)
        res = _run(
            ctx,
            cur,
            until=grow_end,
            first_feasible=True,
            initial_solution=_rebuild(cur, best.routes()),
        )
        best = res.best
        logger.info("PyVRP: %d vehicles offered, feasible=%s", fleet, best.is_feasible())
    if best.is_feasible():
        res = _run(ctx, cur, until=end, initial_solution=best)
        if res.best.is_feasible():
            best = res.best
        return [best]
    # the bound was far from the need: search with the whole fleet for the time left
    res = _run(ctx, data, until=end)
    return [res.best]


def _trip_units(vt: VehicleType, d: int, scale: float, *, even: bool) -> int:
    """Trip capacity in load units; with ``even`` no more than the daily load over the trips.

    Without a bound on the trips (no dimension has both a trip capacity and a daily limit) the
    daily load is left to the repair.
    """
    cap = (
        min(to_units(vt.capacity[d], scale), BIG_LOAD)
        if math.isfinite(vt.capacity[d])
        else BIG_LOAD
    )
    reloads = _max_reloads(vt)
    if even and math.isfinite(vt.max_load_per_day[d]) and reloads < np.iinfo(np.uint64).max:
        share = math.floor(vt.max_load_per_day[d] * scale / (reloads + 1) + 1e-6)
        return min(cap, share)
    return cap


def _max_reloads(vt: VehicleType) -> int:
    """Reloads that let a vehicle collect its daily load in full trips (unbounded when no limit)."""
    trips = math.inf
    for d in (0, 1):
        if math.isfinite(vt.max_load_per_day[d]) and math.isfinite(vt.capacity[d]):
            trips = min(trips, math.ceil(vt.max_load_per_day[d] / vt.capacity[d] - 1e-9))
    if not math.isfinite(trips):
        return int(np.iinfo(np.uint64).max)
    return max(0, int(trips) - 1)


def _neighbours(data: pyvrp.ProblemData, k: int) -> dict[pyvrp.Activity, list[pyvrp.Activity]]:
    """Granular neighbourhoods by travel time and time-window compatibility.

    PyVRP's own proximity reads the distance matrix, which holds loads when the daily limit is
    written there; this one reads durations instead.
    """
    clients = list(data.clients())
    nc = len(clients)
    dur = np.min(  # the quickest of the profiles: a neighbour on any vehicle's roads
        [np.asarray(data.duration_matrix(p), dtype=float) for p in range(data.num_profiles)],
        axis=0,
    )
    locs = np.asarray([c.location for c in clients])
    sub = dur[np.ix_(locs, locs)]
    sub = np.minimum(sub, sub.T)
    early = np.asarray([c.tw_early for c in clients], dtype=float)
    late = np.asarray([c.tw_late for c in clients], dtype=float)
    svc = np.asarray([c.service_duration for c in clients], dtype=float)
    wait = np.maximum(early[None, :] - (late[:, None] + svc[:, None] + sub), 0.0)
    prox = sub + 0.2 * np.minimum(wait, wait.T)
    np.fill_diagonal(prox, np.inf)
    k = max(1, min(k, nc - 1))
    order = np.argsort(prox, axis=1, kind="stable")[:, :k]
    act = pyvrp.ActivityType.CLIENT
    return {
        pyvrp.Activity(act, i): [pyvrp.Activity(act, int(j)) for j in order[i]] for i in range(nc)
    }


def _run(
    ctx: _Ctx,
    data: pyvrp.ProblemData,
    *,
    until: float,
    seed: int | None = None,
    first_feasible: bool = False,
    initial_solution: pyvrp.Solution | None = None,
    boost: bool = False,
) -> pyvrp.Result:
    """``pyvrp.solve`` with our start, our neighbourhoods and a deadline that counts the start.

    The search starts from a greedy plan (:func:`_greedy`) rather than a random one, which on
    thousands of clients saves most of the first local search. The exhaustive pass PyVRP makes on
    each new best is skipped on large instances (it costs seconds there, early on nearly every
    iteration). ``until`` is a ``time.monotonic()`` deadline, ignored under an iteration limit; ``seed`` overrides the solve's.
    With ``boost`` time warp starts at half a vehicle's fixed cost and may grow to a whole one
    (:func:`_initial_penalties`); otherwise PyVRP's default penalties apply. PyVRP's default
    perturbation (1 to 25 random moves an iteration) stays: on captured 1599_stop data at 13
    vehicles, 55 s, before stops at one place were grouped, 50 gave a median of 1,764 against
    1,817 km (seeds 1-6; 10 and 100 were worse), but 1051_stop at 16 vehicles did worse at 33 and
    50 (medians 3,166 and 3,163 against 3,117 km, seeds 1-3).
    """
    params = pyvrp.SolveParams(
        ils=pyvrp.IteratedLocalSearchParams(
            exhaustive_on_best=data.num_clients <= ctx.params.exhaustive_max_clients,
            history_length=ctx.params.history_length,
        ),
        neighbourhood=NeighbourhoodParams(num_neighbours=_neighbourhood_size(data, ctx.params)),
        penalty=pyvrp.PenaltyParams(max_penalty=_max_penalty(data))
        if boost
        else pyvrp.PenaltyParams(),
    )
    rng = pyvrp.RandomNumberGenerator(seed=ctx.seed if seed is None else seed)
    neighbours = ctx.neighbours
    if neighbours is None:
        neighbours = compute_neighbours(data, params.neighbourhood)
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    start = _initial_penalties(data) if boost else params.penalty.midpoint_penalties(data)
    pm = pyvrp.PenaltyManager(start, params.penalty)
    init = initial_solution
    if init is None:
        init = ls(_greedy(data), pm.max_cost_evaluator(), exhaustive=True)
    algo = pyvrp.IteratedLocalSearch(data, pm, ls, init, params.ils)
    stop = _stop(
        until - time.monotonic(),
        ctx.max_iterations,
        ctx.control,
        first_feasible=first_feasible,
        plateau=ctx.params.plateau_iterations,
    )
    with warnings.catch_warnings():
        # PyVRP warns when its penalties hit their cap; _search reacts to that itself (boost)
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return algo.run(stop, False, False, params.display_interval)


def _run_plain(data: pyvrp.ProblemData, ctx: _Ctx, *, until: float) -> pyvrp.Solution:
    """``pyvrp.solve`` with its own start, neighbourhood and operators, watched by the solve's
    control; only the iterated local search's settings and the penalties' start are ours: the
    late-acceptance history (``SolveParams.plain_history_length``, or ``plain_long_history_length``
    where :func:`_clients_per_route` reaches ``plain_long_route_clients``), no exhaustive pass on
    each new best above ``SolveParams.exhaustive_max_clients`` clients, and where routes are long
    penalties that start at ``plain_long_penalty_scale`` times their data scale
    (:func:`_start_penalties`) instead of the midpoint of PyVRP's range.

    On the held-out Gehring-Homberger RC instance with tight windows our tuned search (greedy start,
    25-50 neighbours, history 100) ended 16.0 % above the best known with 111 routes where plain
    PyVRP reached 5.1 % with 101 in the same 30 s (issue 20). Of our choices only these pay there
    (see :class:`~routing.solver.params.SolveParams`).

    With ``ctx.meet`` (parallel workers) the search runs in ``plain_meetings + 1`` equal legs of
    its time (or iterations): after each but the last it hands its best to the meeting and
    searches the next leg from the best of all jobs with a fresh seed; the best of its legs' bests
    is returned. Where routes are long and :func:`routing.solver._strings.supports` the data, the
    last ``plain_long_ruin_share`` of the time (or iterations) goes to string removals from that
    best (:func:`_run_strings`), after the last leg.
    """
    per_route = _clients_per_route(data)
    long_routes = per_route >= ctx.params.plain_long_route_clients
    history = (
        ctx.params.plain_long_history_length if long_routes else ctx.params.plain_history_length
    )
    scale = ctx.params.plain_long_penalty_scale if long_routes else 0.0
    penalties = _start_penalties(data, scale=scale) if scale > 0 else None
    logger.info(
        "PyVRP (plain): %.1f clients per route, history %d, penalties from %s",
        per_route,
        history,
        "PyVRP's midpoint" if penalties is None else f"{scale:g} times the data scale",
    )
    params = pyvrp.SolveParams(
        ils=pyvrp.IteratedLocalSearchParams(
            history_length=history,
            exhaustive_on_best=data.num_clients <= ctx.params.exhaustive_max_clients,
        )
    )
    run = _PlainRun(params, penalties)
    meetings = ctx.params.plain_meetings if ctx.meet is not None else 0
    now = time.monotonic()
    # where routes are long the last share of the time (or iterations) goes to string removals
    ruin = ctx.params.plain_long_ruin_share if long_routes and strings.supports(data) else 0.0
    end, until = until, now + (1 - ruin) * (until - now)
    iters = ctx.max_iterations
    if iters is not None:
        iters = max(1, round((1 - ruin) * iters))
    kept: pyvrp.Solution | None = None
    start: pyvrp.Solution | None = None
    done = 0
    for k in range(meetings + 1):
        # leg k ends after (k + 1) / (meetings + 1) of the time or of the iterations
        share = (k + 1) / (meetings + 1)
        leg_iters = None if iters is None else max(1, round(share * iters) - done)
        done += leg_iters or 0
        seed = ctx.seed + k * 10_007  # a fresh seed on every leg
        best = _solve_plain(
            data, ctx, run, now + share * (until - now), leg_iters, seed=seed, start=start
        )
        kept = best if kept is None else min(kept, best, key=_plain_cost)
        if k < meetings:
            assert ctx.meet is not None
            start = _from_routes(data, ctx.meet(Offer(_plain_cost(best), _activity_routes(best))))
    assert kept is not None
    if ruin > 0:
        kept = _run_strings(data, ctx, kept, ruin=ruin, until=end)
    return kept


def _run_strings(
    data: pyvrp.ProblemData, ctx: _Ctx, start: pyvrp.Solution, *, ruin: float, until: float
) -> pyvrp.Solution:
    """The plain search's last phase: string removals (:mod:`routing.solver._strings`) from its
    best until ``until``, or, under an iteration limit, for ``plain_long_ruin_iterations`` of
    them per iteration of the ``ruin`` share of the limit (an iteration of theirs costs about a
    fifth of PyVRP's)."""
    iterations = None
    if ctx.max_iterations is not None:
        per = ctx.params.plain_long_ruin_iterations
        iterations = max(1, round(ruin * ctx.max_iterations * per))
    watch = ctx.control.searching if ctx.control is not None else None
    found = strings.refine(
        data,
        start,
        seed=ctx.seed,
        params=strings.StringParams.of(ctx.params),
        until=until,
        iterations=iterations,
        watch=watch,
    )
    logger.info("string removals: %d -> %d", start.distance(), found.distance())
    return found


def _from_routes(data: pyvrp.ProblemData, routes: Routes) -> pyvrp.Solution:
    """The solution that :func:`_activity_routes` wrote, rebuilt on ``data``."""
    return pyvrp.Solution(
        data,
        [
            pyvrp.Route(data, [pyvrp.Activity(_KINDS[t], k) for t, k in acts], vt)
            for vt, acts in routes
        ],
    )


def _clients_per_route(data: pyvrp.ProblemData) -> float:
    """The clients one route can hold, as the data tells before any search.

    The least of two bounds: per load dimension, the largest vehicle capacity over the mean
    client demand (delivery plus pickup); and the longest shift (time window or maximum duration)
    over the mean time a client takes, its service plus the trip to it from its nearest other
    client (on the first profile). ``inf`` when neither binds. The data's own units cancel out.

    Parameters
    ----------
    data
        The PyVRP data of the search.

    Returns
    -------
    float
        Expected clients per route; on the Gehring-Homberger instances about 11 for type 1
        (capacity 200) and 37-56 for type 2.
    """
    clients = data.clients()
    vts = [vt for vt in data.vehicle_types() if vt.num_available > 0]
    if not clients or not vts:
        return math.inf
    demand = np.array([np.add(c.delivery, c.pickup) for c in clients], dtype=float)
    capacity = np.max([vt.capacity for vt in vts], axis=0).astype(float)
    mean = demand.mean(axis=0) if demand.size else np.zeros(0)
    by_load = min(
        (capacity[d] / mean[d] for d in range(mean.size) if mean[d] > 0), default=math.inf
    )
    locs = np.array([c.location for c in clients])
    per_client = float(np.mean([c.service_duration for c in clients]))
    per_client += _mean_nearest(np.asarray(data.duration_matrix(0)), locs)
    shift = max(min(vt.tw_late - vt.tw_early, vt.max_duration) for vt in vts)
    by_time = shift / per_client if per_client > 0 else math.inf
    return float(min(by_load, by_time))


def _mean_nearest(matrix: np.ndarray, locs: np.ndarray, *, sample: int = 200) -> float:
    """The mean over (at most ``sample`` evenly spread) ``locs`` of the least entry of ``matrix``
    from it to another of ``locs``; 0 with fewer than two. Read a few rows at a time, so that a
    large instance never copies its whole matrix."""
    if len(locs) < 2:
        return 0.0
    picks = _spread(len(locs), sample)
    nearest = []
    for chunk in np.array_split(picks, max(1, len(picks) // 25)):
        rows = matrix[np.ix_(locs[chunk], locs)].astype(float)
        rows[np.arange(len(chunk)), chunk] = np.inf  # not itself
        nearest.append(rows.min(axis=1))
    return float(np.concatenate(nearest).mean())


@dataclass(frozen=True)
class _PlainRun:
    """The settings of one plain search: PyVRP's parameters and where its penalties start
    (None: the midpoint of PyVRP's range, as ``pyvrp.solve`` starts them)."""

    params: pyvrp.SolveParams
    penalties: tuple[list[float], float, float] | None


def _spread(n: int, k: int) -> np.ndarray:
    """At most ``k`` indices evenly spread over ``range(n)``, first and last included."""
    return np.unique(np.linspace(0, n - 1, min(k, n)).astype(int))


def _solve_plain(
    data: pyvrp.ProblemData,
    ctx: _Ctx,
    run: _PlainRun,
    until: float,
    iterations: int | None,
    *,
    seed: int,
    start: pyvrp.Solution | None = None,
) -> pyvrp.Solution:
    """One run of PyVRP's search until ``until`` (or ``iterations``), from ``start`` when given.

    Built as ``pyvrp.solve`` builds it (the same random start, neighbourhood, operators and
    iterated local search, so with ``run.penalties`` None it is that run exactly), but with the
    penalty manager started at ``run.penalties`` when given.
    """
    stop = _stop(
        until - time.monotonic(),
        iterations,
        ctx.control,
        plateau=ctx.params.plateau_iterations,
    )
    params = run.params
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    neighbours = compute_neighbours(data, params.neighbourhood)
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    penalties = run.penalties
    if penalties is None:
        penalties = params.penalty.midpoint_penalties(data)
    pm = pyvrp.PenaltyManager(penalties, params.penalty)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        init = start
        if init is None:
            random = pyvrp.Solution.make_random(data, rng)
            init = ls(random, pm.max_cost_evaluator(), exhaustive=True)
        algo = pyvrp.IteratedLocalSearch(data, pm, ls, init, params.ils)
        res = algo.run(stop, False, False, params.display_interval)
    return res.best


def _start_penalties(data: pyvrp.ProblemData, *, scale: float) -> tuple[list[float], float, float]:
    """Penalties of ``scale`` times the data's own exchange rates, as PyVRP's penalty manager takes
    them.

    A unit of each violation is priced at what the data pays for it on the average arc: the mean
    arc cost over the mean client demand (per load dimension), the mean arc cost over the mean arc
    duration (time warp), and 1 (excess distance, already in cost units), from rows of the first
    profile's matrices at (at most 200) evenly spread clients. PyVRP starts its penalties at the
    midpoint of their range (50,000 per unit whatever the data) and lowers them by a tenth every
    500 iterations while most candidates are feasible: on a Gehring-Homberger instance of 1,000
    clients that takes the whole of a 30 s run (R2_10_1: 40,500 after 1,000 iterations, 48 after
    33,000), so the search stays all but feasible-only to the end.

    Parameters
    ----------
    data
        The PyVRP data of the search (at least one client).
    scale
        How many times the data's rates.

    Returns
    -------
    tuple
        The penalties per load dimension, per unit of time warp and per unit of excess distance,
        each clipped to PyVRP's default range.
    """
    clients = data.clients()
    locs = np.array([c.location for c in clients])
    rows = locs[_spread(len(locs), 200)]
    per_arc = max(float(np.asarray(data.distance_matrix(0))[np.ix_(rows, locs)].mean()), 1.0)
    per_time = max(float(np.asarray(data.duration_matrix(0))[np.ix_(rows, locs)].mean()), 1.0)
    demand = np.array([np.add(c.delivery, c.pickup) for c in clients], dtype=float)
    loads = [per_arc / max(float(demand[:, d].mean()), 1.0) for d in range(demand.shape[1])]
    bounds = pyvrp.PenaltyParams()

    def clip(rate: float) -> float:
        return float(np.clip(scale * rate, bounds.min_penalty, bounds.max_penalty))

    return [clip(x) for x in loads], clip(per_arc / per_time), clip(1.0)


_KINDS = (pyvrp.ActivityType.DEPOT, pyvrp.ActivityType.CLIENT)
"""The kinds of visit a route carries between its depots, numbered for :data:`Routes`."""


def _plain_cost(sol: pyvrp.Solution) -> float:
    """The objective of a plain search's solution; ``inf`` when it breaks a rule."""
    if not sol.is_feasible():
        return math.inf
    return float(sol.distance_cost() + sol.duration_cost() + sol.fixed_vehicle_cost())


def _activity_routes(sol: pyvrp.Solution) -> Routes:
    """Each route of ``sol`` as its vehicle type and its visits between the start and end depots
    (number in :data:`_KINDS`, index): what another process needs to rebuild it on the same data."""
    return [
        (
            route.vehicle_type(),
            [(_KINDS.index(act.type), act.idx) for act in route.schedule()[1:-1]],
        )
        for route in sol.routes()
    ]


def _cost_unit(vts: list[VehicleType], *, plain: bool = False) -> float:
    """PyVRP cost units per currency unit: :data:`COST_UNIT`, times 10 until every cost per tenth of
    a metre and per tenth of a second is a whole number to within 1 % (a cost of 1.2 per km would
    otherwise count as 1).

    With ``plain``, where every vehicle pays the same per distance and nothing per hour, the unit
    makes a tenth of a metre cost 1, as in the data ``pyvrp.read`` builds: PyVRP's penalty bounds
    are absolute numbers, so costs scaled up 1,000 times weaken them as much.
    """
    per_km = {vt.cost_per_km for vt in vts}
    if plain and len(per_km) == 1 and all(vt.cost_per_hour == 0 for vt in vts):
        rate = per_km.pop() / 1000.0 / DIST_SCALE
        if rate > 0:
            return 1.0 / rate
    rates = [vt.cost_per_km / 1000.0 / DIST_SCALE for vt in vts if vt.cost_per_km > 0]
    rates += [vt.cost_per_hour / 3600.0 / TIME_SCALE for vt in vts if vt.cost_per_hour > 0]
    unit = COST_UNIT
    while unit < COST_UNIT * 1e4 and any(
        abs(round(r * unit) - r * unit) > 0.01 * r * unit for r in rates
    ):
        unit *= 10
    return unit


def _max_penalty(data: pyvrp.ProblemData) -> float:
    """The cap on PyVRP's penalty per unit of excess load or time warp.

    A vehicle's fixed cost stands for "fewer vehicles first"; a cap far below it lets the search
    trade a vehicle for broken time windows and never come back (R101 ended with 9 infeasible
    routes at PyVRP's default cap). The cap stays low enough that penalty × the largest possible
    excess fits PyVRP's 64-bit costs.
    """
    fixed = float(max((vt.fixed_cost for vt in data.vehicle_types()), default=0))
    load = sum(sum(c.pickup) for c in data.clients())
    horizon = max((d.tw_late for d in data.depots()), default=0)
    excess = max(1.0, float(load), float(min(horizon, 10**8)))
    return max(100_000.0, min(fixed, 1e18 / excess))


def _initial_penalties(data: pyvrp.ProblemData) -> tuple[list[float], float, float]:
    """PyVRP's usual start (the midpoint of its default range) for load and distance, and for time
    warp half a vehicle's fixed cost per unit, so that dropping a route never pays for broken
    windows."""
    base = pyvrp.PenaltyParams().max_penalty / 2
    fixed = float(max((vt.fixed_cost for vt in data.vehicle_types()), default=0))
    time_warp = max(base, min(_max_penalty(data), fixed) / 2)
    return [base] * data.num_load_dimensions, time_warp, base


def _neighbourhood_size(data: pyvrp.ProblemData, params: SolveParams) -> int:
    """Between ``params.neighbours`` and ``params.neighbours_tight`` by the share of tight windows.

    A window is tight when it covers less than half of the vehicles' working day; with many such
    clients the good moves are rarer among the nearest ones and a wider neighbourhood pays.
    """
    vts = list(data.vehicle_types())
    start = min((vt.tw_early for vt in vts), default=0)
    end = max((vt.tw_late for vt in vts), default=0)
    clients = list(data.clients())
    if end <= start or not clients:
        return params.neighbours
    width = np.asarray([min(c.tw_late, end) - max(c.tw_early, start) for c in clients], dtype=float)
    tight = float(np.mean(width < 0.5 * (end - start)))
    return round(params.neighbours + (params.neighbours_tight - params.neighbours) * tight)


def _greedy(data: pyvrp.ProblemData) -> pyvrp.Solution:
    """A quick start: each vehicle goes to the client it can reach soonest, unloads when full.

    Time windows, trip capacity, reloads and the shift end are respected; anything left over is
    inserted by the local search.
    """
    clients = list(data.clients())
    nc = len(clients)
    g = _Greedy(
        dur=[
            np.asarray(data.duration_matrix(p), dtype=np.float64) for p in range(data.num_profiles)
        ],
        dist=[
            np.asarray(data.distance_matrix(p), dtype=np.float64) for p in range(data.num_profiles)
        ],
        loc=np.asarray([c.location for c in clients], dtype=np.int64),
        early=np.asarray([c.tw_early for c in clients], dtype=np.float64),
        late=np.asarray([c.tw_late for c in clients], dtype=np.float64),
        svc=np.asarray([c.service_duration for c in clients], dtype=np.float64),
        pick=np.asarray([list(c.pickup) for c in clients], dtype=np.float64).reshape(nc, -1),
        depots=list(data.depots()),
    )
    free = np.ones(nc, dtype=bool)
    for grp in data.groups():
        members = list(grp.clients)
        free[members[1:]] = False  # one direction per segment; the search may swap it
    routes: list[pyvrp.Route] = []
    for t_idx in range(data.num_vehicle_types):
        vt = data.vehicle_type(t_idx)
        for _ in range(vt.num_available):
            if not free.any():
                break
            acts = _greedy_route(g, vt, free)
            if acts:
                routes.append(pyvrp.Route(data, acts, t_idx))
    return pyvrp.Solution(data, routes)


@dataclass(frozen=True)
class _Greedy:
    """The arrays :func:`_greedy` reads: matrices, and per client its location, window, service
    and pickup."""

    dur: list[np.ndarray]  # per PyVRP profile
    dist: list[np.ndarray]
    loc: np.ndarray
    early: np.ndarray
    late: np.ndarray
    svc: np.ndarray
    pick: np.ndarray
    depots: list[pyvrp.Depot]


def _greedy_route(g: _Greedy, vt: pyvrp.VehicleType, free: np.ndarray) -> list[pyvrp.Activity]:
    """One vehicle's greedy route; the clients it takes are marked not ``free``."""
    cap = np.asarray(list(vt.capacity), dtype=np.float64)
    reloads = list(vt.reload_depots)
    end_loc = g.depots[vt.end_depot].location
    dur, dist, loc = g.dur[vt.profile], g.dist[vt.profile], g.loc
    now = float(vt.tw_early)
    here = g.depots[vt.start_depot].location
    load = np.zeros(g.pick.shape[1])
    used_dist = 0.0
    n_reloads = 0
    acts: list[pyvrp.Activity] = []
    while True:
        cand = np.flatnonzero(free)
        if cand.size == 0:
            break
        arrive = now + dur[here, loc[cand]]
        begin = np.maximum(arrive, g.early[cand])
        back = begin + g.svc[cand] + dur[loc[cand], end_loc]
        ok = (arrive <= g.late[cand]) & (back <= vt.tw_late)
        ok &= used_dist + dist[here, loc[cand]] + dist[loc[cand], end_loc] <= vt.max_distance
        if not ok.any():
            break
        k = int(cand[np.flatnonzero(ok)[np.argmin((begin - now)[ok])]])
        if g.pick.shape[1] and np.any(load + g.pick[k] > cap):
            if not reloads or n_reloads >= vt.max_reloads or not load.any():
                break
            r = min(reloads, key=lambda d: (dur[here, g.depots[d].location], d))
            rl = g.depots[r].location
            now = max(now + dur[here, rl], g.depots[r].tw_early) + g.depots[r].service_duration
            used_dist += dist[here, rl]
            here, load = rl, np.zeros_like(load)
            n_reloads += 1
            acts.append(pyvrp.Activity(pyvrp.ActivityType.DEPOT, r))
            continue
        used_dist += dist[here, loc[k]]
        now = max(now + dur[here, loc[k]], g.early[k]) + g.svc[k]
        here = int(loc[k])
        load = load + g.pick[k]
        free[k] = False
        acts.append(pyvrp.Activity(pyvrp.ActivityType.CLIENT, k))
    while acts and acts[-1].type == pyvrp.ActivityType.DEPOT:
        acts.pop()
    return acts


def _to_items(sol: pyvrp.Solution, built: _Built) -> list[tuple[int, int, list[Item]]]:
    """The routes of a PyVRP solution as (vehicle type, vehicle, items) of the model."""
    nd, nl = built.nd, built.nl
    out: list[tuple[int, int, list[Item]]] = []
    counter: dict[int, int] = {}
    for route in sol.routes():
        t = built.type_of[route.vehicle_type()]
        items: list[Item] = []
        for act in route.schedule():
            if act.type == pyvrp.ActivityType.CLIENT:
                items.extend(("client", i, rev) for i, rev in built.rows[act.idx])
            elif act.type == pyvrp.ActivityType.DEPOT and 2 * nd <= act.idx < 2 * nd + nl and items:
                items.append(("landfill", act.idx - 2 * nd, False))
        if any(it[0] == "client" for it in items):
            k = counter.get(t, 0)
            counter[t] = k + 1
            out.append((t, k, items))
    return out
