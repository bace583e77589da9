"""An independent checker: recompute every route from the raw instance and verify each rule.

Written apart from the solver engine and sharing no code with it. :func:`check` takes a
:class:`~routing.solver.model.Model` and a :class:`~routing.solver.model.Result` and trusts none of the
result's derived fields: loads, distances and the feasibility of the reported times are recomputed from
the model's matrices, windows, demands and vehicle types. Times are compared to a microsecond
(``time_tol_s``): a written time that moved an event earlier than it can happen is a violation.
Solutions of benchmark files are checked by their readers' checkers
(:func:`routing.readers.kim_check.check_kim_solution`); the solver knows no benchmark.

Each vehicle drives on its own routing profile: its legs are read from that profile's matrices
(``Model.matrices(vt.profile)``), and a client whose ``profiles`` leave the vehicle's out (a street
on a road it may not drive) is a ``road`` violation.

Timing semantics checked by :func:`check` (the reported times are a witness of feasibility):

- a visit's service may start at ``max(arrival_s, tw_start)``, which must not be after ``tw_end``, and
  ``departure_s`` must leave room for the service (or unloading) after that start; waiting is allowed;
- ``arrival_s`` of a visit is at least the previous place's ``departure_s`` plus the travel time, plus
  the lunch duration when a lunch visit lies in between (a break may be taken anywhere on the leg);
- a lunch visit spans ``[arrival_s, departure_s]``, lasts at least the break duration, and some start
  inside that span and inside the lunch window must exist; a vehicle type with a lunch takes exactly
  one on a route with clients, unless the route is back at its end depot before the window opens.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from routing.solver.model import Model, Result, Route, VehicleType, Visit

_LOAD_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    ``route`` is the index in ``Result.routes`` (or in the JSON ``routes``), -1 for the whole solution;
    ``position`` the index of the visit in the route (or of the node in ``nodes``), -1 for the route.
    ``rule`` is a short key: "vehicle", "depot", "shift", "time", "time_window", "landfill_window",
    "capacity", "final_dump", "daily_load", "max_stops", "lunch", "coverage", "segment", "distance",
    "load", "unreachable", "road" (a client on a road the vehicle's profile may not drive), "index",
    "instance".
    """

    route: int
    position: int
    rule: str
    message: str


TIME_TOL_S = 1e-6
"""Slack on every time comparison: floating point only (a microsecond)."""


def clock_hms(t: float) -> str:
    """``t`` seconds since midnight as HH:MM:SS, for violation messages (the product's
    :func:`routing.i18n.format_clock` rounds to the minute, which hides what a violation is about)."""
    if not math.isfinite(t):
        return str(t)
    s = round(t)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _over(load: np.ndarray, cap: tuple[float, float]) -> bool:
    return bool(any(load[k] > cap[k] + _LOAD_TOL * max(1.0, abs(cap[k])) for k in range(2)))


def check(
    model: Model, result: Result, *, time_tol_s: float = TIME_TOL_S, distance_tol_m: float = 1.0
) -> list[Violation]:
    """Verify a result against every rule of the model.

    Parameters
    ----------
    model
        The model that was solved (its matrices must be set).
    result
        The solver's answer.
    time_tol_s
        Slack allowed on every time comparison (floating point only; the default is a microsecond).
    distance_tol_m
        Allowed difference between the recomputed and the reported route distance (plus 1e-6 relative).

    Returns
    -------
    list of Violation
        Empty when the result is feasible and its reported distances are right.
    """
    if model.duration_s is None or model.distance_m is None:
        msg = "the model has no matrices: call Model.set_matrices first"
        raise ValueError(msg)
    out: list[Violation] = []
    served: Counter[int] = Counter()
    used: Counter[int] = Counter()
    seen_vehicles: set[tuple[int, int]] = set()
    for r, route in enumerate(result.routes):
        if not 0 <= route.vehicle_type < len(model.vehicle_types):
            out.append(Violation(r, -1, "vehicle", f"unknown vehicle type {route.vehicle_type}"))
            continue
        vt = model.vehicle_types[route.vehicle_type]
        key = (route.vehicle_type, route.vehicle)
        if key in seen_vehicles:
            out.append(Violation(r, -1, "vehicle", f"vehicle {key} has two routes"))
        seen_vehicles.add(key)
        if not 0 <= route.vehicle < vt.num_available:
            msg = f"vehicle {route.vehicle} of type {route.vehicle_type}: only {vt.num_available} exist"
            out.append(Violation(r, -1, "vehicle", msg))
        clients = [v.index for v in route.visits if v.kind == "client"]
        if clients:
            used[route.vehicle_type] += 1
        for c in clients:
            served[c] += 1
        out.extend(_check_route(model, vt, r, route, time_tol_s, distance_tol_m))

    for t, count in used.items():
        if count > model.vehicle_types[t].num_available:
            msg = f"{count} vehicles of type {t} used, {model.vehicle_types[t].num_available} available"
            out.append(Violation(-1, -1, "vehicle", msg))
    out.extend(_check_coverage(model, result, served))
    return out


def _check_coverage(model: Model, result: Result, served: Counter[int]) -> list[Violation]:
    out: list[Violation] = []
    listed = Counter(u.client for u in result.unserved)
    for c, n in served.items():
        if n > 1:
            out.append(Violation(-1, -1, "coverage", f"client {c} is served {n} times"))
        if listed.get(c):
            out.append(Violation(-1, -1, "coverage", f"client {c} is served and listed unserved"))
    for c, n in listed.items():
        if not 0 <= c < len(model.clients):
            out.append(Violation(-1, -1, "coverage", f"unserved client {c} does not exist"))
        elif n > 1:
            out.append(Violation(-1, -1, "coverage", f"client {c} is listed unserved {n} times"))
    for c, client in enumerate(model.clients):
        if client.required and not served.get(c) and not listed.get(c):
            msg = f"required client {c} ({client.name}) is neither served nor listed unserved"
            out.append(Violation(-1, -1, "coverage", msg))
    return out


def _check_route(
    model: Model, vt: VehicleType, r: int, route: Route, time_tol: float, dist_tol: float
) -> list[Violation]:
    visits = route.visits
    if not visits:
        return []  # an unused vehicle
    out = _check_ends(model, vt, r, route)
    if out:
        return out
    walk = _Walk(model, vt, r, route, time_tol)
    for p, v in enumerate(visits[1:], start=1):
        if not walk.step(p, v):
            return walk.out
    walk.finish(dist_tol)
    return walk.out


def _check_ends(model: Model, vt: VehicleType, r: int, route: Route) -> list[Violation]:
    """The structure: the right depot at both ends and nowhere else."""
    visits = route.visits
    out: list[Violation] = []
    first, last = visits[0], visits[-1]
    if first.kind != "depot" or first.index != vt.start_depot:
        msg = f"route starts with {first.kind} {first.index}, expected depot {vt.start_depot}"
        out.append(Violation(r, 0, "depot", msg))
    if len(visits) < 2 or last.kind != "depot" or last.index != vt.end_depot:
        msg = f"route ends with {last.kind} {last.index}, expected depot {vt.end_depot}"
        out.append(Violation(r, len(visits) - 1, "depot", msg))
    for p, v in enumerate(visits[1:-1], start=1):
        if v.kind == "depot":
            out.append(Violation(r, p, "depot", "depot visited in the middle of the route"))
    if not out and any(not 0 <= v.index < len(model.depots) for v in (first, last)):
        return [Violation(r, 0, "index", "depot index out of range")]
    return out


class _Walk:
    """One route walked visit by visit: what the vehicle carries, has driven and may do next."""

    def __init__(
        self, model: Model, vt: VehicleType, r: int, route: Route, time_tol: float
    ) -> None:
        assert model.duration_s is not None and model.distance_m is not None
        self.model, self.vt, self.r, self.route, self.tol = model, vt, r, route, time_tol
        self.dur, self.dist = model.matrices(vt.profile)  # the vehicle's own roads
        first = route.visits[0]
        self.start_depot = model.depots[first.index]
        self.end_depot = model.depots[route.visits[-1].index]
        self.out: list[Violation] = []
        self.prev_loc = self.start_depot.location
        self.prev_dep = first.departure_s
        self.pending_lunch = 0.0  # lunch taken on the current leg
        self.floor = first.departure_s  # no arrival before the end of a lunch on the leg
        self.load = np.zeros(2)
        self.day = np.zeros(2)
        self.distance = 0.0
        self.lunches = self.stops = 0
        self.last_landfill = self.last_client = -1
        self._check_departure()

    def _check_departure(self) -> None:
        first, vt, depot, r = self.route.visits[0], self.vt, self.start_depot, self.r
        if first.departure_s < max(depot.tw[0], vt.shift[0]) - self.tol:
            msg = (
                f"leaves the depot at {clock_hms(first.departure_s)}, before it opens "
                f"({clock_hms(depot.tw[0])}) or the shift starts ({clock_hms(vt.shift[0])})"
            )
            self.out.append(Violation(r, 0, "shift", msg))
        if first.departure_s > min(depot.tw[1], vt.shift[1]) + self.tol:
            msg = f"leaves the depot at {clock_hms(first.departure_s)}, after it closes or the shift ends"
            self.out.append(Violation(r, 0, "shift", msg))
        if any(first.load):
            self.out.append(Violation(r, 0, "load", f"leaves the depot with load {first.load}"))

    def step(self, p: int, v: Visit) -> bool:
        """Check visit ``p``; False when the route cannot be followed further (a bad index)."""
        if v.departure_s < v.arrival_s - self.tol:
            msg = (
                f"departs ({clock_hms(v.departure_s)}) before it arrives ({clock_hms(v.arrival_s)})"
            )
            self.out.append(Violation(self.r, p, "time", msg))
        if v.kind == "lunch":
            self._lunch(p, v)
            return True
        place = self._place(p, v)
        if place is None:
            return False
        loc_in, loc_out, tw, service, rule = place
        self._arrive(p, v, loc_in)
        self._serve(p, v, tw, service, rule)
        self._carry(p, v)
        self.prev_loc, self.prev_dep = loc_out, v.departure_s
        self.pending_lunch, self.floor = 0.0, v.departure_s
        return True

    def _lunch(self, p: int, v: Visit) -> None:
        self.lunches += 1
        self.out.extend(
            _check_lunch(self.vt, self.r, p, v.arrival_s, v.departure_s, self.prev_dep, self.tol)
        )
        if self.vt.lunch is not None:
            self.pending_lunch += self.vt.lunch.duration_s
        self.floor = max(self.floor, v.departure_s)
        if not _same_load(v.load, self.load):
            msg = f"reported load {v.load}, carried {tuple(self.load)}"
            self.out.append(Violation(self.r, p, "load", msg))

    def _place(self, p: int, v: Visit) -> tuple[int, int, tuple[int, int], float, str] | None:
        """Where the visit is entered and left, its window, its service time and the rule its
        window stands for; None (with a violation) when its index does not exist."""
        model, r = self.model, self.r
        if v.kind == "client":
            if not 0 <= v.index < len(model.clients):
                self.out.append(Violation(r, p, "index", f"client {v.index} does not exist"))
                return None
            c = model.clients[v.index]
            if c.profiles is not None and self.vt.profile not in c.profiles:
                msg = (
                    f"client {v.index} ({c.name}) is on a road vehicle type "
                    f"{self.route.vehicle_type} may not drive (its profile {self.vt.profile}; "
                    f"the client's: {sorted(c.profiles)})"
                )
                self.out.append(Violation(r, p, "road", msg))
            loc_in, loc_out = c.location, c.location
            if c.is_segment:
                assert c.end_location is not None
                loc_out = c.end_location
                if v.reversed:
                    loc_in, loc_out = c.end_location, c.location
                    if not c.reversible:
                        msg = f"segment client {v.index} ({c.name}) driven reversed but one-way"
                        self.out.append(Violation(r, p, "segment", msg))
            elif v.reversed:
                msg = f"point client {v.index} marked reversed"
                self.out.append(Violation(r, p, "segment", msg))
            return loc_in, loc_out, c.tw, float(c.service_s), "time_window"
        if v.kind == "landfill":
            if not 0 <= v.index < len(model.landfills):
                self.out.append(Violation(r, p, "index", f"landfill {v.index} does not exist"))
                return None
            lf = model.landfills[v.index]
            return lf.location, lf.location, lf.tw, float(lf.unload_s), "landfill_window"
        loc = self.end_depot.location  # the final depot
        return loc, loc, self.end_depot.tw, 0.0, "shift"

    def _arrive(self, p: int, v: Visit, loc_in: int) -> None:
        """The leg to the visit: reachable, and not arrived sooner than travel allows."""
        travel = float(self.dur[self.prev_loc, loc_in])
        leg = float(self.dist[self.prev_loc, loc_in])
        if not (math.isfinite(travel) and math.isfinite(leg)):
            msg = f"no path from location {self.prev_loc} to {loc_in}"
            self.out.append(Violation(self.r, p, "unreachable", msg))
            travel = leg = 0.0
        self.distance += leg
        earliest = max(self.prev_dep + travel + self.pending_lunch, self.floor)
        if v.arrival_s < earliest - self.tol:
            msg = (
                f"arrives at {clock_hms(v.arrival_s)} but cannot be there before {clock_hms(earliest)} "
                f"(left at {clock_hms(self.prev_dep)}, travel {travel:.1f} s"
                + (f", lunch {self.pending_lunch:.0f} s)" if self.pending_lunch else ")")
            )
            self.out.append(Violation(self.r, p, "time", msg))

    def _serve(self, p: int, v: Visit, tw: tuple[int, int], service: float, rule: str) -> None:
        """The window and the service time (the depot's closing for the final depot)."""
        start = max(v.arrival_s, tw[0])
        if v.kind == "depot":
            close = min(tw[1], self.vt.shift[1])
            if v.arrival_s > close + self.tol:
                msg = f"back at the depot at {clock_hms(v.arrival_s)}, after {clock_hms(close)}"
                self.out.append(Violation(self.r, p, "shift", msg))
            return
        if start > tw[1] + self.tol:
            msg = f"service starts at {clock_hms(start)}, window {clock_hms(tw[0])}-{clock_hms(tw[1])}"
            self.out.append(Violation(self.r, p, rule, msg))
        if v.departure_s < start + service - self.tol:
            msg = (
                f"departs at {clock_hms(v.departure_s)}, before service ({service:.0f} s) "
                f"started at {clock_hms(start)} can end"
            )
            self.out.append(Violation(self.r, p, "time", msg))

    def _carry(self, p: int, v: Visit) -> None:
        """Loads: collected at a client (within the trip capacity), emptied at a landfill."""
        if v.kind == "client":
            c = self.model.clients[v.index]
            self.distance += c.traverse_m
            demand = np.asarray(c.demand, dtype=float)
            self.load += demand
            self.day += demand
            self.stops += 1
            self.last_client = p
            if _over(self.load, self.vt.capacity):
                msg = f"load {tuple(self.load)} above the trip capacity {self.vt.capacity}"
                self.out.append(Violation(self.r, p, "capacity", msg))
        elif v.kind == "landfill":
            self.load[:] = 0.0
            self.last_landfill = p
        if not _same_load(v.load, self.load):
            msg = f"reported load {v.load}, carried {tuple(self.load)}"
            self.out.append(Violation(self.r, p, "load", msg))

    def finish(self, dist_tol: float) -> None:
        """The rules of the whole route: final dump, daily load, stops, lunch count, distance."""
        vt, r, load = self.vt, self.r, self.load
        if self.last_client > self.last_landfill and bool((load > _LOAD_TOL).any()):
            msg = f"returns to the depot with load {tuple(load)}: no landfill after the last collection"
            self.out.append(Violation(r, self.last_client, "final_dump", msg))
        if _over(self.day, vt.max_load_per_day):
            msg = f"collects {tuple(self.day)} in the day, more than {vt.max_load_per_day}"
            self.out.append(Violation(r, -1, "daily_load", msg))
        if vt.max_stops is not None and self.stops > vt.max_stops:
            msg = f"{self.stops} stops, at most {vt.max_stops}"
            self.out.append(Violation(r, -1, "max_stops", msg))
        if self.stops and vt.lunch is not None:
            # A route back at its end depot before the lunch window opens takes no lunch.
            needed = self.route.visits[-1].arrival_s >= vt.lunch.window[0]
            if self.lunches > 1 or (needed and self.lunches != 1):
                msg = f"{self.lunches} lunch breaks, exactly one required"
                if not needed:
                    msg = f"{self.lunches} lunch breaks, at most one allowed"
                self.out.append(Violation(r, -1, "lunch", msg))
        distance, reported = self.distance, self.route.distance_m
        if abs(distance - reported) > dist_tol + 1e-6 * distance:
            msg = f"reported distance {reported:.1f} m, recomputed {distance:.1f} m"
            self.out.append(Violation(r, -1, "distance", msg))


def _same_load(reported: tuple[float, float], load: np.ndarray) -> bool:
    return all(
        abs(float(reported[k]) - load[k]) <= _LOAD_TOL * max(1.0, abs(load[k])) for k in (0, 1)
    )


def _check_lunch(
    vt: VehicleType,
    r: int,
    p: int,
    arrival: float,
    departure: float,
    prev_dep: float,
    tol: float,
) -> list[Violation]:
    if vt.lunch is None:
        return [Violation(r, p, "lunch", "lunch break on a vehicle type without one")]
    out: list[Violation] = []
    dur = vt.lunch.duration_s
    w0, w1 = vt.lunch.window
    if arrival < prev_dep - tol:
        msg = f"lunch from {clock_hms(arrival)}, before leaving the previous place at {clock_hms(prev_dep)}"
        out.append(Violation(r, p, "lunch", msg))
    if departure - arrival < dur - tol:
        msg = f"lunch lasts {departure - arrival:.0f} s, {dur} s required"
        out.append(Violation(r, p, "lunch", msg))
    elif max(arrival, w0) > min(departure - dur, w1) + tol:
        msg = f"lunch {clock_hms(arrival)}-{clock_hms(departure)} cannot start inside {clock_hms(w0)}-{clock_hms(w1)}"
        out.append(Violation(r, p, "lunch", msg))
    return out
