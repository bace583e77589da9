"""Turn an ordered list of stops into a timed, verified route.

Every engine hands back routes as sequences of clients (with a direction) and landfill visits. This
module is the single place that decides the times: it adds a landfill visit whenever the next client
would overflow the truck and a final dump before the depot, picks the cheapest landfill for each
unloading, places the lunch break, delays the departure to avoid idle waiting, and reports the first
rule a route breaks so the caller can drop that client with a reason.

Lunch policy: the lunch is taken *at a stop*. It is recorded as a ``Visit(kind="lunch")`` between two
visits; it starts at the departure from the previous visit (or later, waiting for the lunch window to
open) and the drive to the next visit starts when it ends.
Travel is never split by lunch. A route back at the depot before the lunch window opens takes no
lunch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from routing.solver.model import Client, Model, Route, VehicleType, Visit

EPS = 1e-6

Item = tuple[str, int, bool]
"""A route step before timing: ("client", index, reversed) or ("landfill", index, False)."""


@dataclass
class Prepared:
    """Model data laid out for fast route evaluation.

    ``dur``/``dist`` are the matrices of routing profile ``profile`` (0 unless made by
    :meth:`view`); a vehicle's route is always timed on its own profile's view.
    """

    model: Model
    dur: np.ndarray
    dist: np.ndarray
    entry: list[tuple[int, int]]
    exit: list[tuple[int, int]]
    profile: int = 0
    _views: dict[int, Prepared] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, model: Model) -> Prepared:
        """Lay out ``model`` (its matrices must be set)."""
        assert model.duration_s is not None and model.distance_m is not None
        entry: list[tuple[int, int]] = []
        exit_: list[tuple[int, int]] = []
        for c in model.clients:
            end = c.end_location if c.end_location is not None else c.location
            entry.append((c.location, end))
            exit_.append((end, c.location))
        return cls(model, model.duration_s, model.distance_m, entry, exit_)

    def view(self, profile: int) -> Prepared:
        """The same layout on routing profile ``profile``'s matrices (self for its own)."""
        if profile == self.profile:
            return self
        self._views.setdefault(self.profile, self)  # views share one memo
        if profile not in self._views:
            dur, dist = self.model.matrices(profile)
            self._views[profile] = replace(self, dur=dur, dist=dist, profile=profile)
        return self._views[profile]

    def serves(self, vt: VehicleType, client: int) -> bool:
        """Whether vehicles of ``vt`` may serve ``client`` (its road is on their profile)."""
        allowed = self.model.clients[client].profiles
        return allowed is None or vt.profile in allowed

    def loc_in(self, item: Item) -> int:
        """Where the vehicle arrives for ``item``."""
        kind, idx, rev = item
        if kind == "client":
            return self.entry[idx][int(rev)]
        return self.model.landfills[idx].location

    def loc_out(self, item: Item) -> int:
        """Where the vehicle leaves ``item`` from."""
        kind, idx, rev = item
        if kind == "client":
            return self.exit[idx][int(rev)]
        return self.model.landfills[idx].location

    def leg_cost(self, vt: VehicleType, a: int, b: int) -> float:
        """Cost of driving from location ``a`` to ``b`` (inf when unreachable)."""
        return (
            vt.cost_per_km * self.dist[a, b] / 1000.0 + vt.cost_per_hour * self.dur[a, b] / 3600.0
        )

    def best_landfill(self, vt: VehicleType, a: int, b: int) -> int | None:
        """The landfill with the cheapest detour between locations ``a`` and ``b``."""
        best, best_cost = None, math.inf
        for j, lf in enumerate(self.model.landfills):
            c = self.leg_cost(vt, a, lf.location) + self.leg_cost(vt, lf.location, b)
            c += 1e-9 * (self.dur[a, lf.location] + self.dur[lf.location, b])
            if c < best_cost:
                best, best_cost = j, c
        return best


@dataclass
class Evaluation:
    """A timed route, or the first rule it breaks."""

    route: Route | None
    cost: float
    bad_client: int | None = None
    reason: str | None = None


def _exceeds(load: tuple[float, float], cap: tuple[float, float]) -> bool:
    return load[0] > cap[0] + EPS or load[1] > cap[1] + EPS


def _add(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] + b[0], a[1] + b[1])


def normalise(prep: Prepared, vt: VehicleType, items: list[Item]) -> list[Item]:
    """Put landfill visits where they are needed and only there.

    A landfill is inserted before a client that would overflow the truck and after the last client,
    empty-truck landfill visits are removed, and each unloading goes to the landfill with the
    cheapest detour between its neighbours.
    """
    model = prep.model
    prep = prep.view(vt.profile)
    out: list[Item] = []
    load = (0.0, 0.0)
    for item in items:
        if item[0] == "landfill":
            if load != (0.0, 0.0):
                out.append(item)
                load = (0.0, 0.0)
            continue
        demand = model.clients[item[1]].demand
        if _exceeds(_add(load, demand), vt.capacity) and load != (0.0, 0.0):
            out.append(("landfill", -1, False))
            load = (0.0, 0.0)
        out.append(item)
        load = _add(load, demand)
    if load != (0.0, 0.0) or (out and out[-1][0] == "client"):
        out.append(("landfill", -1, False))
    if not model.landfills:
        return [it for it in out if it[0] == "client"]
    # pick the cheapest landfill for every unloading, given its neighbours
    start = model.depots[vt.start_depot].location
    end = model.depots[vt.end_depot].location
    for k, item in enumerate(out):
        if item[0] != "landfill":
            continue
        a = start if k == 0 else prep.loc_out(out[k - 1])
        b = end if k == len(out) - 1 else prep.loc_in(out[k + 1])
        j = prep.best_landfill(vt, a, b)
        out[k] = ("landfill", j if j is not None else 0, False)
    return out


def place_landfills(prep: Prepared, vt: VehicleType, items: list[Item]) -> list[Item]:
    """The cheapest landfill visits for the clients of ``items`` in their order and directions.

    :func:`normalise` unloads where the search left a landfill or when the truck is full; for a
    fixed order the cheapest places come from a shortest path over the cut points (the split of
    Beasley's route-first cluster-second, as :func:`routing.readers.mcarptif.place_dumps` does for
    the street benchmark): cutting before client ``j`` costs the detour through the landfill
    cheapest there plus its unloading time, and a trip's load is at most the capacity. Time
    (windows, landfill hours, the lunch) is not looked at: the caller times the result and keeps
    it only when it is feasible and cheaper.
    """
    model = prep.model
    prep = prep.view(vt.profile)  # the vehicle's own roads
    seq = [it for it in items if it[0] == "client"]
    n = len(seq)
    if not model.landfills or n < 2:
        return normalise(prep, vt, seq)
    exits = np.asarray([prep.loc_out(it) for it in seq[:-1]])
    entries = np.asarray([prep.loc_in(it) for it in seq[1:]])
    sites = np.asarray([lf.location for lf in model.landfills])
    unload = np.asarray([lf.unload_s for lf in model.landfills], dtype=float)

    def leg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (
            vt.cost_per_km * prep.dist[a, b] / 1000.0 + vt.cost_per_hour * prep.dur[a, b] / 3600.0
        )

    via = leg(exits[:, None], sites[None, :]) + leg(sites[None, :], entries[:, None])
    via = via + vt.cost_per_hour * unload[None, :] / 3600.0
    site = np.argmin(via, axis=1)
    # cut[j]: unloading between client j - 1 and client j (j = 1 .. n - 1)
    cut = via[np.arange(n - 1), site] - leg(exits, entries)
    demand = np.asarray([model.clients[it[1]].demand for it in seq], dtype=float)
    loads = np.vstack([np.zeros(2), np.cumsum(demand, axis=0)])
    cap = np.asarray(vt.capacity, dtype=float) + EPS
    best = np.full(n + 1, math.inf)
    came = np.zeros(n + 1, dtype=int)
    best[0] = 0.0
    lo = 0
    for j in range(1, n + 1):  # a trip ends after client j - 1
        while lo < j and np.any(loads[j] - loads[lo] > cap):
            lo += 1
        if lo == j:
            return normalise(prep, vt, seq)  # one client over the capacity: the checker says so
        i = lo + int(np.argmin(best[lo:j]))
        best[j] = best[i] + (cut[j - 1] if j < n else 0.0)
        came[j] = i
    cuts: set[int] = set()
    j = n
    while j > 0:
        cuts.add(j)
        j = int(came[j])
    out: list[Item] = []
    for k, it in enumerate(seq):
        if k in cuts:
            out.append(("landfill", int(site[k - 1]), False))
        out.append(it)
    return normalise(prep, vt, out)


def _simulate(
    prep: Prepared,
    vt: VehicleType,
    items: list[Item],
    depart: float,
    lunch_after: int | None,
) -> tuple[list[Visit], float, float, int | None, str | None]:
    """Time the route leaving at ``depart`` with lunch after position ``lunch_after``.

    Positions: -1 is the start depot, k the k-th item (lunch after it). Returns the visits,
    the distance, the end time and, when a rule is broken, the position and the reason.
    """
    model = prep.model
    start_depot = model.depots[vt.start_depot]
    end_depot = model.depots[vt.end_depot]
    dur, dist = prep.dur, prep.dist
    lunch = vt.lunch
    visits: list[Visit] = []
    trip = 0
    load = (0.0, 0.0)
    t = depart
    distance = 0.0
    here = start_depot.location
    visits.append(Visit("depot", vt.start_depot, depart, depart, load, trip))

    def take_lunch(pos: int) -> str | None:
        nonlocal t
        assert lunch is not None
        begin = max(t, lunch.window[0])
        if begin > lunch.window[1] + EPS:
            return "no time for the lunch break"
        visits.append(Visit("lunch", -1, begin, begin + lunch.duration_s, load, trip))
        t = begin + lunch.duration_s
        return None

    if lunch is not None and lunch_after == -1:
        err = take_lunch(-1)
        if err:
            return visits, distance, t, -1, err
    for k, item in enumerate(items):
        kind, idx, _ = item
        loc = prep.loc_in(item)
        travel = float(dur[here, loc])
        if not math.isfinite(travel):
            return visits, distance, t, k, "unreachable from the previous stop"
        t += travel
        distance += float(dist[here, loc])
        visit, err = _serve(prep, item, t, load, trip)
        if err is not None:
            return visits, distance, t, k, err
        visits.append(visit)
        if kind == "client":
            distance += model.clients[idx].traverse_m
        else:
            trip += 1
        load, here, t = visit.load, prep.loc_out(item), visit.departure_s
        if lunch is not None and lunch_after == k:
            err = take_lunch(k)
            if err:
                return visits, distance, t, k, err
    travel = float(dur[here, end_depot.location])
    if not math.isfinite(travel):
        return visits, distance, t, len(items), "the depot cannot be reached"
    t += travel
    distance += float(dist[here, end_depot.location])
    visits.append(Visit("depot", vt.end_depot, t, t, load, trip))
    close = min(vt.shift[1], end_depot.tw[1])
    if t > close + EPS:
        return visits, distance, t, len(items), "no time in the shift"
    return visits, distance, t, None, None


def _serve(
    prep: Prepared, item: Item, t: float, load: tuple[float, float], trip: int
) -> tuple[Visit, str | None]:
    """The visit of ``item`` arriving at ``t`` with ``load`` on board: served in its window
    (collected at a client, emptied at a landfill), or the reason it cannot be."""
    kind, idx, rev = item
    if kind == "client":
        c: Client = prep.model.clients[idx]
        begin = max(t, c.tw[0])
        load = _add(load, c.demand)
        visit = Visit("client", idx, t, begin + c.service_s, load, trip, reversed=rev)
        return visit, ("time window cannot be met" if begin > c.tw[1] + EPS else None)
    lf = prep.model.landfills[idx]
    begin = max(t, lf.tw[0])
    visit = Visit("landfill", idx, t, begin + lf.unload_s, (0.0, 0.0), trip)
    closed = begin > lf.tw[1] + EPS
    return visit, ("the landfill is closed when the truck is full" if closed else None)


def evaluate(prep: Prepared, vt_index: int, vehicle: int, items: list[Item]) -> Evaluation:
    """Time and verify one route given as clients and landfill visits (already normalised)."""
    model = prep.model
    vt = model.vehicle_types[vt_index]
    prep = prep.view(vt.profile)
    clients = [it[1] for it in items if it[0] == "client"]
    if not clients:
        return Evaluation(None, 0.0)
    barred = next((i for i in clients if not prep.serves(vt, i)), None)
    if barred is not None:
        return Evaluation(None, math.inf, barred, "on a road this vehicle may not drive")
    # rules that do not depend on time
    if vt.max_stops is not None and len(clients) > vt.max_stops:
        return Evaluation(None, math.inf, clients[-1], "over the vehicle's stops per day")
    day = (0.0, 0.0)
    trip = (0.0, 0.0)
    for it in items:
        if it[0] == "landfill":
            trip = (0.0, 0.0)
            continue
        d = model.clients[it[1]].demand
        day, trip = _add(day, d), _add(trip, d)
        if _exceeds(day, vt.max_load_per_day):
            return Evaluation(None, math.inf, it[1], "over the vehicle's load per day")
        if _exceeds(trip, vt.capacity):
            return Evaluation(None, math.inf, it[1], "demand larger than the vehicle's capacity")
    if model.landfills and items[-1][0] != "landfill":
        return Evaluation(None, math.inf, clients[-1], "no landfill before the depot")
    depart = float(max(vt.shift[0], model.depots[vt.start_depot].tw[0]))
    best = _best_timing(prep, vt, items, depart)
    if best[3] is not None:
        pos = best[3]
        bad = _blame(items, pos)
        return Evaluation(None, math.inf, bad, best[4])
    visits, distance, end, _, _ = best
    # leave later when the truck would only wait at the first stop
    first = next((v for v in visits if v.kind == "client"), None)
    if first is not None:
        wait = model.clients[first.index].tw[0] - first.arrival_s
        if wait > EPS:
            later = _best_timing(prep, vt, items, depart + wait)
            if later[3] is None and later[2] <= end + EPS:
                visits, distance, end = later[0], later[1], later[2]
    route = Route(
        vt_index, vehicle, visits, distance_m=distance, duration_s=end - visits[0].departure_s
    )
    return Evaluation(route, route_cost(vt, route))


def _blame(items: list[Item], pos: int) -> int | None:
    """The client to drop for a rule broken at position ``pos``: that client or the one before."""
    pos = min(pos, len(items) - 1)
    for k in range(pos, -1, -1):
        if items[k][0] == "client":
            return items[k][1]
    for it in items:
        if it[0] == "client":
            return it[1]
    return None


def _best_timing(
    prep: Prepared, vt: VehicleType, items: list[Item], depart: float
) -> tuple[list[Visit], float, float, int | None, str | None]:
    """Simulate with the lunch at every possible place and keep the earliest feasible end."""
    if vt.lunch is None:
        return _simulate(prep, vt, items, depart, None)
    # times without lunch tell where the lunch may start (lunch only delays what follows)
    base = _simulate(prep, vt, items, depart, None)
    if base[3] is None and base[2] <= vt.lunch.window[0] + EPS:
        return base  # back at the depot before the lunch window opens: no lunch needed
    visits = base[0]
    departures = [v.departure_s for v in visits]
    candidates = [
        p - 1
        for p, d in enumerate(departures)
        if d <= vt.lunch.window[1] + EPS and p - 1 < len(items)
    ]
    # stops left before the window opens make the driver wait for lunch: only the last few of
    # them are worth trying (waiting there can still absorb a later time window)
    opens = vt.lunch.window[0] - EPS
    before = [p for p in candidates if departures[p + 1] < opens]
    candidates = before[-3:] + [p for p in candidates if departures[p + 1] >= opens]
    if base[3] is not None:
        # a lunch only delays what follows it: a route that breaks a rule without lunch breaks it
        # with lunch too
        return base
    best = None
    first_fail = None
    plain_end = base[2] + vt.lunch.duration_s
    # later lunch usually wastes less time: try from the back, keep the earliest end; a lunch that
    # costs no more than its own duration cannot be beaten except by absorbing waiting time
    for p in sorted(set(candidates), reverse=True):
        sim = _simulate(prep, vt, items, depart, p)
        if sim[3] is None:
            if best is None or sim[2] < best[2] - EPS:
                best = sim
            if sim[2] <= plain_end + EPS:
                break
        elif first_fail is None or sim[3] > (first_fail[3] or 0):
            first_fail = sim
    if best is not None:
        return best
    assert first_fail is not None
    return first_fail


def route_cost(vt: VehicleType, route: Route) -> float:
    """cost_per_km·km + cost_per_hour·h + fixed_cost."""
    return (
        vt.cost_per_km * route.distance_m / 1000.0
        + vt.cost_per_hour * route.duration_s / 3600.0
        + vt.fixed_cost
    )
