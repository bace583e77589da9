"""An independent checker: recompute every route from the raw instance and verify each rule.

Written apart from the solver engine and sharing no code with it. :func:`check` takes a
:class:`~routing.solver.model.Model` and a :class:`~routing.solver.model.Result` and trusts none of the
result's derived fields: loads, distances and the feasibility of the reported times are recomputed from
the model's matrices, windows, demands and vehicle types. :func:`check_kim_solution` verifies a Kim et al.
(2006) solution in the benchmark JSON format against the raw file rows only (Manhattan feet, the header
speed, Kim's rules), without going through the model at all.

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

import itertools
import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from routing.readers.kim import DEPOT, FEET_PER_MILE, LANDFILL, LUNCH_WINDOW_S, STOP, KimInstance
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


def _fmt(t: float) -> str:
    if not math.isfinite(t):
        return str(t)
    s = round(t)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _over(load: np.ndarray, cap: tuple[float, float]) -> bool:
    return bool(any(load[k] > cap[k] + _LOAD_TOL * max(1.0, abs(cap[k])) for k in range(2)))


def check(
    model: Model, result: Result, *, time_tol_s: float = 1e-3, distance_tol_m: float = 1.0
) -> list[Violation]:
    """Verify a result against every rule of the model.

    Parameters
    ----------
    model
        The model that was solved (its matrices must be set).
    result
        The solver's answer.
    time_tol_s
        Slack allowed on every time comparison (floating point only; the default is a millisecond).
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
            f"leaves the depot at {_fmt(first.departure_s)}, before it opens "
            f"({_fmt(start_depot.tw[0])}) or the shift starts ({_fmt(vt.shift[0])})"
        )
        out.append(Violation(r, 0, "shift", msg))
    if first.departure_s > min(start_depot.tw[1], vt.shift[1]) + time_tol:
        msg = f"leaves the depot at {_fmt(first.departure_s)}, after it closes or the shift ends"
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
            msg = f"departs ({_fmt(v.departure_s)}) before it arrives ({_fmt(v.arrival_s)})"
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
                f"arrives at {_fmt(v.arrival_s)} but cannot be there before {_fmt(earliest)} "
                f"(left at {_fmt(prev_dep)}, travel {travel:.1f} s"
                + (f", lunch {pending_lunch:.0f} s)" if pending_lunch else ")")
            )
            out.append(Violation(r, p, "time", msg))
        start = max(v.arrival_s, tw[0])
        if v.kind == "depot":
            close = min(tw[1], vt.shift[1])
            if v.arrival_s > close + time_tol:
                msg = f"back at the depot at {_fmt(v.arrival_s)}, after {_fmt(close)}"
                out.append(Violation(r, p, "shift", msg))
        else:
            if start > tw[1] + time_tol:
                msg = f"service starts at {_fmt(start)}, window {_fmt(tw[0])}-{_fmt(tw[1])}"
                out.append(Violation(r, p, rule, msg))
            if v.departure_s < start + service - time_tol:
                msg = (
                    f"departs at {_fmt(v.departure_s)}, before service ({service:.0f} s) "
                    f"started at {_fmt(start)} can end"
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
        msg = f"lunch from {_fmt(arrival)}, before leaving the previous place at {_fmt(prev_dep)}"
        out.append(Violation(r, p, "lunch", msg))
    if departure - arrival < dur - tol:
        msg = f"lunch lasts {departure - arrival:.0f} s, {dur} s required"
        out.append(Violation(r, p, "lunch", msg))
    elif max(arrival, w0) > min(departure - dur, w1) + tol:
        msg = f"lunch {_fmt(arrival)}-{_fmt(departure)} cannot start inside {_fmt(w0)}-{_fmt(w1)}"
        out.append(Violation(r, p, "lunch", msg))
    return out


# --- Kim et al. (2006) solutions, checked on the raw rows ------------------------------------------


@dataclass
class KimSummary:
    """Figures of a Kim solution recomputed from the raw rows."""

    vehicles: int
    miles: float
    stops_served: int
    end_s: float
    """Latest return to the depot (earliest-start schedule), seconds since midnight."""


def _load_solution(solution: Mapping[str, Any] | str | Path) -> Mapping[str, Any]:
    if isinstance(solution, str | Path):
        with open(solution, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict):
            msg = f"{solution}: expected a JSON object with 'routes'"
            raise ValueError(msg)
        return data
    return solution


def _routes(solution: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    routes = solution.get("routes")
    if not isinstance(routes, list):
        msg = "the solution needs a 'routes' list"
        raise ValueError(msg)
    return routes


def kim_solution_summary(inst: KimInstance, solution: Mapping[str, Any] | str | Path) -> KimSummary:
    """Count vehicles and Manhattan miles (incl. the last dump and the return) of a Kim solution."""
    sol = _load_solution(solution)
    vehicles, feet, served, end = 0, 0.0, 0, 0.0
    for k, route in enumerate(_routes(sol)):
        rows = [inst.row_of(int(s)) for s in route.get("nodes", [])]
        n_stops = sum(int(inst.type[i]) == STOP for i in rows)
        if n_stops:
            vehicles += 1
            served += n_stops
            end = max(end, _kim_schedule(inst, k, route, rows, []))
        feet += sum(inst.distance_ft(a, b) for a, b in itertools.pairwise(rows))
    return KimSummary(vehicles=vehicles, miles=feet / FEET_PER_MILE, stops_served=served, end_s=end)


def check_kim_solution(
    inst: KimInstance, solution: Mapping[str, Any] | str | Path, *, time_tol_s: float = 1e-3
) -> list[Violation]:
    """Verify a Kim solution (benchmark JSON format) against the raw file rows and Kim's rules.

    The JSON is ``{"instance", "solver", "routes": [{"nodes": [Stop_IDs, depot at both ends, each
    landfill visit where it happens], "lunch_after_index": i, "lunch_start": s}]}``: the lunch starts
    at ``s`` (seconds of the day) after the vehicle is done at ``nodes[i]``, where it stays.

    The schedule is simulated from the depot opening with waiting allowed (the earliest schedule is
    the best one for every window). Rules: depot at both ends and nowhere else; depot hours; every
    regular stop exactly once over all routes; service starts inside the stop's and landfill's
    windows; trip load at most the capacity (reset at landfills); a landfill after the last stop
    with a load (a vehicle never returns loaded);
    daily yardage; maximum stops; exactly one lunch of the header duration starting 11:00-12:00
    once the vehicle is free (none only when the route is back at the depot before 11:00). Distances are Manhattan feet, times at the header speed.

    Parameters
    ----------
    inst
        The raw instance from :func:`routing.readers.kim.read_kim`.
    solution
        The parsed JSON object, or the path of the JSON file.
    time_tol_s
        Slack on time comparisons (floating point only).
    """
    sol = _load_solution(solution)
    out: list[Violation] = []
    if "instance" in sol and str(sol["instance"]) != inst.name:
        msg = f"solution is for {sol['instance']!r}, instance is {inst.name!r}"
        out.append(Violation(-1, -1, "instance", msg))
    count: Counter[int] = Counter()
    tol_yd = 1e-6
    for k, route in enumerate(_routes(sol)):
        nodes = route.get("nodes", [])
        if not isinstance(nodes, list):
            out.append(Violation(k, -1, "index", "'nodes' must be a list of Stop_IDs"))
            continue
        rows: list[int] = []
        for p, sid in enumerate(nodes):
            try:
                rows.append(inst.row_of(int(sid)))
            except (KeyError, TypeError, ValueError):
                out.append(Violation(k, p, "index", f"unknown Stop_ID {sid!r}"))
        if len(rows) != len(nodes):
            continue
        if not any(int(inst.type[i]) == STOP for i in rows):
            continue  # an unused vehicle
        if len(rows) < 2 or rows[0] != inst.depot or rows[-1] != inst.depot:
            out.append(Violation(k, 0, "depot", "a route must start and end at the depot"))
            continue
        for p, i in enumerate(rows[1:-1], start=1):
            if int(inst.type[i]) == DEPOT:
                out.append(Violation(k, p, "depot", "depot visited in the middle of the route"))

        trip = day = 0.0
        stops = 0
        last_stop = last_dump = -1
        for p, i in enumerate(rows):
            kind = int(inst.type[i])
            if kind == STOP:
                count[i] += 1
                trip += float(inst.load[i])
                day += float(inst.load[i])
                stops += 1
                last_stop = p
                if trip > inst.capacity_yd3 + tol_yd:
                    msg = f"trip load {trip:g} yd³ above the capacity {inst.capacity_yd3:g}"
                    out.append(Violation(k, p, "capacity", msg))
            elif kind == LANDFILL:
                trip = 0.0
                last_dump = p
        if last_stop > last_dump and trip > tol_yd:
            msg = f"returns to the depot with {trip:g} yd³: no dump after the last stop"
            out.append(Violation(k, last_stop, "final_dump", msg))
        if day > inst.max_daily_yd3 + tol_yd:
            msg = f"collects {day:g} yd³ in the day, at most {inst.max_daily_yd3:g}"
            out.append(Violation(k, -1, "daily_load", msg))
        if stops > inst.max_stops:
            out.append(Violation(k, -1, "max_stops", f"{stops} stops, at most {inst.max_stops}"))
        _kim_schedule(inst, k, route, rows, out, time_tol_s)

    for i in inst.stops:
        if count[i] != 1:
            msg = f"stop {inst.ids[i]} is served {count[i]} times, exactly once required"
            out.append(Violation(-1, -1, "coverage", msg))
    return out


def _kim_schedule(
    inst: KimInstance,
    k: int,
    route: Mapping[str, Any],
    rows: list[int],
    out: list[Violation],
    tol: float = 1e-3,
) -> float:
    """Simulate the earliest schedule of one route; append violations; return the end time."""
    lunch_at = route.get("lunch_after_index")
    lunch_start = route.get("lunch_start")
    w0, w1 = LUNCH_WINDOW_S
    has_lunch = lunch_at is not None
    if not has_lunch:
        pass  # allowed only when back at the depot before the window opens (checked below)
    elif not isinstance(lunch_at, int) or not 0 <= lunch_at < len(rows) - 1:
        msg = f"lunch_after_index {lunch_at!r} must point at a node before the final depot"
        out.append(Violation(k, -1, "lunch", msg))
        has_lunch = False
    elif not isinstance(lunch_start, int | float):
        out.append(Violation(k, -1, "lunch", "lunch_start (seconds of the day) is missing"))
        has_lunch = False
    elif not w0 - tol <= lunch_start <= w1 + tol:
        msg = f"lunch starts at {_fmt(lunch_start)}, outside {_fmt(w0)}-{_fmt(w1)}"
        out.append(Violation(k, lunch_at, "lunch", msg))

    d = inst.depot
    t = float(inst.early[d])
    for p in range(len(rows)):
        i = rows[p]
        if p > 0:
            t += inst.travel_s(rows[p - 1], i)
            if int(inst.type[i]) == DEPOT:
                if t > inst.late[d] + tol:
                    msg = f"back at the depot at {_fmt(t)}, after it closes at {_fmt(inst.late[d])}"
                    out.append(Violation(k, p, "shift", msg))
            else:
                start = max(t, float(inst.early[i]))
                if start > inst.late[i] + tol:
                    rule = "landfill_window" if int(inst.type[i]) == LANDFILL else "time_window"
                    msg = (
                        f"{inst.ids[i]}: service starts at {_fmt(start)}, window "
                        f"{_fmt(inst.early[i])}-{_fmt(inst.late[i])}"
                    )
                    out.append(Violation(k, p, rule, msg))
                t = start + float(inst.service[i])
        if has_lunch and p == lunch_at:
            assert isinstance(lunch_start, int | float)
            if lunch_start < t - tol:
                msg = (
                    f"lunch starts at {_fmt(lunch_start)}, but the vehicle is busy until {_fmt(t)}"
                )
                out.append(Violation(k, p, "lunch", msg))
            t = max(t, float(lunch_start)) + inst.lunch_s
    if lunch_at is None and t >= w0:
        msg = f"no lunch break, and the route is back at the depot at {_fmt(t)}, not before {_fmt(w0)}"
        out.append(Violation(k, -1, "lunch", msg))
    return t
