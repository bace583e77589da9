"""An independent checker for MCARPTIF solutions, from the instance's own links only.

Written apart from the solver and from the reader's model: it takes the raw
:class:`~routing.readers.mcarptif.McarptifInstance` and routes given as steps (a task serviced in
a direction, or a dump at a node), and recomputes everything: deadheading on shortest paths by its
own Dijkstra over the file's links (not the model's matrices), service costs, unloadings, loads.

The rules (``../shared/data/bench/mcarptif/README.md``): a route starts and ends at the depot and is a
sequence of trips, each ending with one unloading at a dumping site (``DUMPING_COST``); the last
unloading comes before the return to the depot (a truck never returns loaded); the load of a trip is
at most ``CAPACITY``; a route's duration (service, deadheading and unloadings up to the return) is at
most ``MAX_TRIP``; every required arc is serviced once in its direction, every required edge once in
either. The total cost is the sum of the routes' durations. Claimed figures are compared at 1e-6.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from routing.readers.mcarptif import McarptifInstance, Step

TOLERANCE = 1e-6
"""Largest difference allowed between a claimed and a recomputed figure."""


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    ``route`` is the route's index (-1 for the whole solution), ``position`` the step's index in it
    (-1 for the route). ``rule`` is one of "task", "direction", "dump_site", "coverage",
    "capacity", "final_dump", "duration", "unreachable", "cost", "vehicles".
    """

    route: int
    position: int
    rule: str
    message: str


@dataclass(frozen=True)
class CheckReport:
    """Figures recomputed from the instance, and every rule broken."""

    cost: float
    vehicles: int
    dumps: int
    route_costs: tuple[float, ...]
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        """Whether no rule is broken."""
        return not self.violations


class _Deadhead:
    """Shortest deadheading costs from the file's links, one Dijkstra per source node (cached)."""

    def __init__(self, inst: McarptifInstance) -> None:
        self.out: dict[int, list[tuple[int, int]]] = {}
        arcs = [(t.u, t.v, t.trav_cost, t.edge) for t in inst.tasks]
        arcs += [(k.u, k.v, k.cost, k.edge) for k in inst.links]
        for u, v, cost, edge in arcs:
            self.out.setdefault(u, []).append((v, cost))
            if edge:
                self.out.setdefault(v, []).append((u, cost))
        self.cache: dict[int, dict[int, float]] = {}

    def cost(self, a: int, b: int) -> float:
        if a not in self.cache:
            best: dict[int, float] = {a: 0.0}
            heap = [(0.0, a)]
            while heap:
                d, node = heapq.heappop(heap)
                if d > best[node]:
                    continue
                for nxt, c in self.out.get(node, []):
                    if d + c < best.get(nxt, math.inf):
                        best[nxt] = d + c
                        heapq.heappush(heap, (d + c, nxt))
            self.cache[a] = best
        return self.cache[a].get(b, math.inf)


def check_routes(
    inst: McarptifInstance,
    routes: Sequence[Sequence[Step]],
    *,
    claimed_cost: float | None = None,
    claimed_vehicles: int | None = None,
) -> CheckReport:
    """Verify MCARPTIF routes against the raw instance.

    Parameters
    ----------
    inst
        The instance as read by :func:`~routing.readers.mcarptif.read_mcarptif`.
    routes
        One list of steps per vehicle: ``("task", k, reversed)`` services ``inst.tasks[k]`` (from
        ``v`` to ``u`` when ``reversed``), ``("dump", node, False)`` unloads at ``node``. The depot
        at both ends is implicit. Routes without a task are not counted.
    claimed_cost, claimed_vehicles
        A solver's own figures, compared with the recomputed ones at :data:`TOLERANCE`.

    Returns
    -------
    CheckReport
        The recomputed total cost, vehicles, unloadings, cost per route and the violations.
    """
    deadhead = _Deadhead(inst)
    violations: list[Violation] = []
    served: Counter[int] = Counter()
    costs: list[float] = []
    dumps = 0
    for r, steps in enumerate(routes):
        if not any(s[0] == "task" for s in steps):
            continue
        cost, n_dumps = _route(inst, deadhead, r, steps, served, violations)
        costs.append(cost)
        dumps += n_dumps
    for k, task in enumerate(inst.tasks):
        times = served.get(k, 0)
        if times != 1:
            what = "edge" if task.edge else "arc"
            violations.append(
                Violation(
                    -1,
                    -1,
                    "coverage",
                    f"{what} {k} ({task.u},{task.v}) (line {task.line}) serviced {times} times",
                )
            )
    total = float(sum(costs))
    if claimed_cost is not None and abs(claimed_cost - total) > TOLERANCE:
        violations.append(
            Violation(-1, -1, "cost", f"claimed cost {claimed_cost!r}, recomputed {total!r}")
        )
    if claimed_vehicles is not None and claimed_vehicles != len(costs):
        violations.append(
            Violation(
                -1, -1, "vehicles", f"claimed {claimed_vehicles} vehicles, counted {len(costs)}"
            )
        )
    return CheckReport(total, len(costs), dumps, tuple(costs), tuple(violations))


def _route(
    inst: McarptifInstance,
    deadhead: _Deadhead,
    r: int,
    steps: Sequence[Step],
    served: Counter[int],
    violations: list[Violation],
) -> tuple[float, int]:
    """Walk one route: its duration and number of unloadings; violations are appended."""
    sites = set(inst.dumping_sites)
    here, clock, load, dumps = inst.depot, 0.0, 0, 0
    for p, (kind, index, rev) in enumerate(steps):
        if kind == "dump":
            if index not in sites:
                violations.append(Violation(r, p, "dump_site", f"node {index} is no dumping site"))
            clock += deadhead.cost(here, index) + inst.dump_cost
            here, load, dumps = index, 0, dumps + 1
        elif kind == "task" and 0 <= index < len(inst.tasks):
            task = inst.tasks[index]
            served[index] += 1
            if rev and not task.edge:
                msg = f"arc {index} ({task.u},{task.v}) serviced against its direction"
                violations.append(Violation(r, p, "direction", msg))
            start, end = (task.v, task.u) if rev else (task.u, task.v)
            clock += deadhead.cost(here, start) + task.serv_cost
            here, load = end, load + task.demand
            if load > inst.capacity:
                msg = f"trip load {load} over the capacity {inst.capacity} after task {index}"
                violations.append(Violation(r, p, "capacity", msg))
        else:
            msg = f"unknown step {(kind, index, rev)!r} (tasks are 0..{len(inst.tasks) - 1})"
            violations.append(Violation(r, p, "task", msg))
        if not math.isfinite(clock):
            violations.append(Violation(r, p, "unreachable", "no path to this step"))
            return clock, dumps
    if not steps or steps[-1][0] != "dump":
        msg = "the route returns to the depot without unloading after its last task"
        violations.append(Violation(r, -1, "final_dump", msg))
    clock += deadhead.cost(here, inst.depot)
    if not math.isfinite(clock):
        violations.append(Violation(r, -1, "unreachable", "no path back to the depot"))
    elif clock > inst.max_trip + TOLERANCE:
        msg = f"route lasts {clock:g}, over MAX_TRIP {inst.max_trip}"
        violations.append(Violation(r, -1, "duration", msg))
    return clock, dumps
