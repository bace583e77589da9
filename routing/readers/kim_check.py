"""An independent checker of Kim et al. (2006) solutions in the benchmark JSON format.

It reads the raw file rows only (Manhattan feet, the header speed, Kim's rules) and never goes
through the routing model, so that a solution is judged by the same code whoever wrote it (this
project or a peer). Times are compared to a microsecond (:data:`routing.solver.checker.TIME_TOL_S`):
a lunch written a fraction of a second before the truck is free is a violation.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.readers.kim import DEPOT, FEET_PER_MILE, LANDFILL, LUNCH_WINDOW_S, STOP, KimInstance
from routing.solver.checker import TIME_TOL_S, Violation, clock_hms


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
    inst: KimInstance, solution: Mapping[str, Any] | str | Path, *, time_tol_s: float = TIME_TOL_S
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
        count.update(i for i in rows if int(inst.type[i]) == STOP)
        _kim_loads(inst, k, rows, out)
        _kim_schedule(inst, k, route, rows, out, time_tol_s)

    for i in inst.stops:
        if count[i] != 1:
            msg = f"stop {inst.ids[i]} is served {count[i]} times, exactly once required"
            out.append(Violation(-1, -1, "coverage", msg))
    return out


_TOL_YD = 1e-6
"""Slack on loads in cubic yards (floating point only)."""


def _kim_loads(inst: KimInstance, k: int, rows: list[int], out: list[Violation]) -> None:
    """Trip capacity (reset at landfills), the final dump, the daily yardage and the stop limit."""
    trip = day = 0.0
    stops = 0
    last_stop = last_dump = -1
    for p, i in enumerate(rows):
        kind = int(inst.type[i])
        if kind == STOP:
            trip += float(inst.load[i])
            day += float(inst.load[i])
            stops += 1
            last_stop = p
            if trip > inst.capacity_yd3 + _TOL_YD:
                msg = f"trip load {trip:g} yd³ above the capacity {inst.capacity_yd3:g}"
                out.append(Violation(k, p, "capacity", msg))
        elif kind == LANDFILL:
            trip = 0.0
            last_dump = p
    if last_stop > last_dump and trip > _TOL_YD:
        msg = f"returns to the depot with {trip:g} yd³: no dump after the last stop"
        out.append(Violation(k, last_stop, "final_dump", msg))
    if day > inst.max_daily_yd3 + _TOL_YD:
        msg = f"collects {day:g} yd³ in the day, at most {inst.max_daily_yd3:g}"
        out.append(Violation(k, -1, "daily_load", msg))
    if stops > inst.max_stops:
        out.append(Violation(k, -1, "max_stops", f"{stops} stops, at most {inst.max_stops}"))


def _kim_schedule(
    inst: KimInstance,
    k: int,
    route: Mapping[str, Any],
    rows: list[int],
    out: list[Violation],
    tol: float = TIME_TOL_S,
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
        msg = f"lunch starts at {clock_hms(lunch_start)}, outside {clock_hms(w0)}-{clock_hms(w1)}"
        out.append(Violation(k, lunch_at, "lunch", msg))

    d = inst.depot
    t = float(inst.early[d])
    for p in range(len(rows)):
        i = rows[p]
        if p > 0:
            t += inst.travel_s(rows[p - 1], i)
            if int(inst.type[i]) == DEPOT:
                if t > inst.late[d] + tol:
                    msg = f"back at the depot at {clock_hms(t)}, after it closes at {clock_hms(inst.late[d])}"
                    out.append(Violation(k, p, "shift", msg))
            else:
                start = max(t, float(inst.early[i]))
                if start > inst.late[i] + tol:
                    rule = "landfill_window" if int(inst.type[i]) == LANDFILL else "time_window"
                    msg = (
                        f"{inst.ids[i]}: service starts at {clock_hms(start)}, window "
                        f"{clock_hms(inst.early[i])}-{clock_hms(inst.late[i])}"
                    )
                    out.append(Violation(k, p, rule, msg))
                t = start + float(inst.service[i])
        if has_lunch and p == lunch_at:
            assert isinstance(lunch_start, int | float)
            if lunch_start < t - tol:
                msg = f"lunch starts at {clock_hms(lunch_start)}, but the vehicle is busy until {clock_hms(t)}"
                out.append(Violation(k, p, "lunch", msg))
            t = max(t, float(lunch_start)) + inst.lunch_s
    if lunch_at is None and t >= w0:
        msg = f"no lunch break, and the route is back at the depot at {clock_hms(t)}, not before {clock_hms(w0)}"
        out.append(Violation(k, -1, "lunch", msg))
    return t
