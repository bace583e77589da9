"""An independent checker: recompute every route from the raw instance and verify each rule.

Written apart from the solver engine and sharing no code with it. :func:`check` takes a
:class:`~routing.solver.model.Model` and a :class:`~routing.solver.model.Result` and trusts none of the
result's derived fields: loads, distances and the feasibility of the reported times are recomputed from
the model's matrices, windows, demands and vehicle types. Times are compared to a microsecond
(``time_tol_s``): a written time that moved an event earlier than it can happen is a violation.
Solutions of benchmark files are checked by their readers' checkers
(:func:`routing.readers.kim_check.check_kim_solution`); the solver knows no benchmark.

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

from routing.solver.model import Model, Result, Route, VehicleType

_LOAD_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    ``route`` is the index in ``Result.routes`` (or in the JSON ``routes``), -1 for the whole solution;
    ``position`` the index of the visit in the route (or of the node in ``nodes``), -1 for the route.
    ``rule`` is a short key: "vehicle", "depot", "shift", "time", "time_window", "landfill_window",
    "capacity", "final_dump", "daily_load", "max_stops", "lunch", "coverage", "segment", "distance",
    "load", "unreachable", "index", "instance".
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
    assert model.duration_s is not None and model.distance_m is not None
    dur, dist = model.duration_s, model.distance_m
    visits = route.visits
    out: list[Violation] = []
    if not visits:
        return out  # an unused vehicle
    # Structure: the right depot at both ends and nowhere else.
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
    if out:
        return out
    if any(not 0 <= v.index < len(model.depots) for v in (first, last)):
        return [Violation(r, 0, "index", "depot index out of range")]

    start_depot = model.depots[first.index]
    end_depot = model.depots[last.index]
    if first.departure_s < max(start_depot.tw[0], vt.shift[0]) - time_tol:
        msg = (
            f"leaves the depot at {clock_hms(first.departure_s)}, before it opens "
            f"({clock_hms(start_depot.tw[0])}) or the shift starts ({clock_hms(vt.shift[0])})"
        )
        out.append(Violation(r, 0, "shift", msg))
    if first.departure_s > min(start_depot.tw[1], vt.shift[1]) + time_tol:
        msg = (
            f"leaves the depot at {clock_hms(first.departure_s)}, after it closes or the shift ends"
        )
        out.append(Violation(r, 0, "shift", msg))

    prev_loc = start_depot.location
    prev_dep = first.departure_s
    pending_lunch = 0.0  # lunch taken on the current leg
    floor = first.departure_s  # no arrival before the end of a lunch on the leg
    load = np.zeros(2)
    day = np.zeros(2)
    distance = 0.0
    lunches = 0
    stops = 0
    last_landfill = -1
    last_client = -1
    if any(first.load):
        out.append(Violation(r, 0, "load", f"leaves the depot with load {first.load}"))

    for p, v in enumerate(visits[1:], start=1):
        if v.departure_s < v.arrival_s - time_tol:
            msg = (
                f"departs ({clock_hms(v.departure_s)}) before it arrives ({clock_hms(v.arrival_s)})"
            )
            out.append(Violation(r, p, "time", msg))
        if v.kind == "lunch":
            lunches += 1
            out.extend(_check_lunch(vt, r, p, v.arrival_s, v.departure_s, prev_dep, time_tol))
            if vt.lunch is not None:
                pending_lunch += vt.lunch.duration_s
            floor = max(floor, v.departure_s)
            if not _same_load(v.load, load):
                out.append(
                    Violation(r, p, "load", f"reported load {v.load}, carried {tuple(load)}")
                )
            continue

        # Where the visit is entered and left, its window and its service time.
        service: float
        if v.kind == "client":
            if not 0 <= v.index < len(model.clients):
                out.append(Violation(r, p, "index", f"client {v.index} does not exist"))
                return out
            c = model.clients[v.index]
            loc_in, loc_out = c.location, c.location
            if c.is_segment:
                assert c.end_location is not None
                loc_out = c.end_location
                if v.reversed:
                    loc_in, loc_out = c.end_location, c.location
                    if not c.reversible:
                        msg = f"segment client {v.index} ({c.name}) driven reversed but one-way"
                        out.append(Violation(r, p, "segment", msg))
            elif v.reversed:
                out.append(Violation(r, p, "segment", f"point client {v.index} marked reversed"))
            tw, service, rule = c.tw, c.service_s, "time_window"
        elif v.kind == "landfill":
            if not 0 <= v.index < len(model.landfills):
                out.append(Violation(r, p, "index", f"landfill {v.index} does not exist"))
                return out
            lf = model.landfills[v.index]
            loc_in = loc_out = lf.location
            tw, service, rule = lf.tw, lf.unload_s, "landfill_window"
        else:  # the final depot
            loc_in = loc_out = end_depot.location
            tw, service, rule = end_depot.tw, 0.0, "shift"

        travel = float(dur[prev_loc, loc_in])
        leg = float(dist[prev_loc, loc_in])
        if not (math.isfinite(travel) and math.isfinite(leg)):
            msg = f"no path from location {prev_loc} to {loc_in}"
            out.append(Violation(r, p, "unreachable", msg))
            travel = leg = 0.0
        distance += leg
        earliest = max(prev_dep + travel + pending_lunch, floor)
        if v.arrival_s < earliest - time_tol:
            msg = (
                f"arrives at {clock_hms(v.arrival_s)} but cannot be there before {clock_hms(earliest)} "
                f"(left at {clock_hms(prev_dep)}, travel {travel:.1f} s"
                + (f", lunch {pending_lunch:.0f} s)" if pending_lunch else ")")
            )
            out.append(Violation(r, p, "time", msg))
        start = max(v.arrival_s, tw[0])
        if v.kind == "depot":
            close = min(tw[1], vt.shift[1])
            if v.arrival_s > close + time_tol:
                msg = f"back at the depot at {clock_hms(v.arrival_s)}, after {clock_hms(close)}"
                out.append(Violation(r, p, "shift", msg))
        else:
            if start > tw[1] + time_tol:
                msg = f"service starts at {clock_hms(start)}, window {clock_hms(tw[0])}-{clock_hms(tw[1])}"
                out.append(Violation(r, p, rule, msg))
            if v.departure_s < start + service - time_tol:
                msg = (
                    f"departs at {clock_hms(v.departure_s)}, before service ({service:.0f} s) "
                    f"started at {clock_hms(start)} can end"
                )
                out.append(Violation(r, p, "time", msg))

        if v.kind == "client":
            c = model.clients[v.index]
            distance += c.traverse_m
            demand = np.asarray(c.demand, dtype=float)
            load += demand
            day += demand
            stops += 1
            last_client = p
            if _over(load, vt.capacity):
                msg = f"load {tuple(load)} above the trip capacity {vt.capacity}"
                out.append(Violation(r, p, "capacity", msg))
        elif v.kind == "landfill":
            load[:] = 0.0
            last_landfill = p
        if not _same_load(v.load, load):
            out.append(Violation(r, p, "load", f"reported load {v.load}, carried {tuple(load)}"))
        prev_loc, prev_dep, pending_lunch, floor = loc_out, v.departure_s, 0.0, v.departure_s

    if last_client > last_landfill and bool((load > _LOAD_TOL).any()):
        msg = f"returns to the depot with load {tuple(load)}: no landfill after the last collection"
        out.append(Violation(r, last_client, "final_dump", msg))
    if _over(day, vt.max_load_per_day):
        msg = f"collects {tuple(day)} in the day, more than {vt.max_load_per_day}"
        out.append(Violation(r, -1, "daily_load", msg))
    if vt.max_stops is not None and stops > vt.max_stops:
        out.append(Violation(r, -1, "max_stops", f"{stops} stops, at most {vt.max_stops}"))
    if stops and vt.lunch is not None:
        # A route back at its end depot before the lunch window opens takes no lunch.
        needed = last.arrival_s >= vt.lunch.window[0]
        if lunches > 1 or (needed and lunches != 1):
            msg = f"{lunches} lunch breaks, exactly one required"
            if not needed:
                msg = f"{lunches} lunch breaks, at most one allowed"
            out.append(Violation(r, -1, "lunch", msg))
    if abs(distance - route.distance_m) > dist_tol + 1e-6 * distance:
        msg = f"reported distance {route.distance_m:.1f} m, recomputed {distance:.1f} m"
        out.append(Violation(r, -1, "distance", msg))
    return out


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
