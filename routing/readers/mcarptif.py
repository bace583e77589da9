"""Reader for the MCARPTIF street-collection instances of Willemse & Joubert (2016).

The MCARPTIF is the mixed capacitated arc routing problem under time restrictions with intermediate
facilities: every required street is serviced by driving along it, a truck unloads at a dumping site
(an intermediate facility) whenever full and always before it returns to the depot, and a route may
not last longer than ``MAX_TRIP``. The format (``../shared/data/bench/mcarptif/README.md``) has header
lines ``KEY : value`` and four lists of links, each introduced by a ``LIST_...`` line::

    (u,v)   serv_cost S   trav_cost T   demand Q      # LIST_REQ_ARCS, LIST_REQ_EDGES
    (u,v)   cost C                                    # LIST_NOREQ_ARCS, LIST_NOREQ_EDGES

A required *arc* is a one-way street serviced ``u -> v``; a required *edge* a two-way street serviced
once, in either direction. :func:`read_mcarptif` returns the raw content (:class:`McarptifInstance`);
:func:`mcarptif_to_model` builds the routing :class:`~routing.solver.model.Model`:

- locations are the network's nodes (node ``n`` is location ``n - 1``); the matrices are the
  deadheading costs on shortest paths over every link (Dijkstra, :mod:`scipy.sparse.csgraph`), as
  both duration and distance;
- each required arc or edge is a street-segment client (``traverse_s`` = its service cost, demand in
  the first load dimension); edges are reversible, arcs are not;
- each dumping site is a landfill whose unloading takes ``DUMPING_COST``;
- ``MAX_TRIP`` is the vehicle's shift ``(0, MAX_TRIP)``: with no time windows a route never waits,
  so its end time is its duration and the shift bounds the route's duration;
- the cost is one unit per second of route duration (``cost_per_hour=3600``), which is the
  benchmark's total cost: service, deadheading and unloadings.

:func:`solve_mcarptif` solves the model and then re-places each route's unloadings at their best
places for its order (:func:`place_dumps`): the engine puts a dump before the task that would
overflow the truck, which on the hand-made instance of the tests costs 61 where 55 is possible with
the same order; on the Lpr-IF instances the gain is small (0 to 33 per solution in the runs seen).
The solution check lives apart in :mod:`routing.readers.mcarptif_check`; the benchmark against
Willemse's heuristics is ``bench/mcarptif.py`` (results in ``BENCHMARKS.md``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse.csgraph import csgraph_from_dense, shortest_path

from routing.solver.model import Model, Result

_LINK = re.compile(r"^\((-?\d+),(-?\d+)\)$")
_LISTS = ("LIST_REQ_ARCS", "LIST_REQ_EDGES", "LIST_NOREQ_ARCS", "LIST_NOREQ_EDGES")
_INT_KEYS = ("CAPACITY", "DUMPING_COST", "MAX_TRIP", "DEPOT")
_REQUIRED_KEYS = (*_INT_KEYS, "DUMPING_SITES")


@dataclass(frozen=True)
class Task:
    """A required street: an arc (serviced ``u -> v``) or an edge (either direction).

    ``line`` is the 1-based line of the file it was read from.
    """

    u: int
    v: int
    serv_cost: int
    trav_cost: int
    demand: int
    edge: bool
    line: int


@dataclass(frozen=True)
class Link:
    """A street that is only driven over (deadheading): an arc or, when ``edge``, both ways."""

    u: int
    v: int
    cost: int
    edge: bool
    line: int


@dataclass(frozen=True)
class McarptifInstance:
    """The raw content of one MCARPTIF instance file.

    Attributes
    ----------
    name
        ``NAME`` of the header (the file name without extension when absent).
    path
        The file read.
    nodes
        Number of nodes; node ids are ``1..nodes``.
    capacity
        Load per trip (``CAPACITY``).
    dump_cost
        Time to unload once (``DUMPING_COST``).
    max_trip
        Limit on a route's whole duration (``MAX_TRIP``).
    depot
        The depot node.
    dumping_sites
        The dumping-site nodes, in file order (may include the depot).
    tasks
        Required arcs then required edges, each in file order; a task's index is its position here.
    links
        The links that are not required (deadheading only).
    """

    name: str
    path: Path
    nodes: int
    capacity: int
    dump_cost: int
    max_trip: int
    depot: int
    dumping_sites: tuple[int, ...]
    tasks: tuple[Task, ...]
    links: tuple[Link, ...]

    @property
    def total_service(self) -> int:
        """Sum of the tasks' service costs: a constant part of every solution's cost."""
        return sum(t.serv_cost for t in self.tasks)

    @property
    def vehicles_lower_bound(self) -> int:
        """``ceil(total service / MAX_TRIP)``: no fewer routes can service every task."""
        return max(1, math.ceil(self.total_service / self.max_trip))


def read_mcarptif(path: str | Path) -> McarptifInstance:
    """Read an MCARPTIF instance file (``Lpr_IF-a-01.txt`` and the like).

    Parameters
    ----------
    path
        The instance file (LF or CRLF line ends).

    Returns
    -------
    McarptifInstance
        The header values, the required tasks and the other links.

    Raises
    ------
    ValueError
        Naming the file, the line and the field when a value is missing or wrong.
    """
    path = Path(path)
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    header: dict[str, tuple[str, int]] = {}
    section: str | None = None
    tasks: dict[bool, list[Task]] = {False: [], True: []}
    links: list[Link] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if section is not None and line.startswith("("):
            _read_link(path, lineno, line, section, tasks, links)
            continue
        section = None
        if not line:
            continue
        key = line.split(":", 1)[0].strip()
        if key in _LISTS:
            section = key
        elif ":" in line:
            header[key] = (line.split(":", 1)[1].strip(), lineno)
        else:
            msg = (
                f"{path}:{lineno}: expected 'KEY : value', a LIST_... line or a link '(u,v) ...',"
                f" got {line!r}"
            )
            raise ValueError(msg)
    missing = [k for k in _REQUIRED_KEYS if k not in header]
    if missing:
        msg = f"{path}: the header has no {', '.join(missing)} line (write e.g. 'CAPACITY : 10000')"
        raise ValueError(msg)
    ints = {k: _header_int(path, k, *header[k]) for k in _INT_KEYS}
    sites_text, sites_line = header["DUMPING_SITES"]
    sites = tuple(_int_field(path, sites_line, "DUMPING_SITES", s) for s in sites_text.split(","))
    all_tasks = (*tasks[False], *tasks[True])
    nodes = _node_count(path, header, all_tasks, links, ints["DEPOT"], sites)
    for key, value in (("CAPACITY", ints["CAPACITY"]), ("MAX_TRIP", ints["MAX_TRIP"])):
        if value <= 0:
            msg = f"{path}:{header[key][1]}: {key} must be positive, got {value}"
            raise ValueError(msg)
    if ints["DUMPING_COST"] < 0:
        msg = f"{path}:{header['DUMPING_COST'][1]}: DUMPING_COST must be >= 0"
        raise ValueError(msg)
    if not all_tasks:
        msg = f"{path}: no required arc or edge (LIST_REQ_ARCS / LIST_REQ_EDGES are empty)"
        raise ValueError(msg)
    name = header["NAME"][0] if "NAME" in header else path.stem
    return McarptifInstance(
        name=name.removesuffix(".dat"),
        path=path,
        nodes=nodes,
        capacity=ints["CAPACITY"],
        dump_cost=ints["DUMPING_COST"],
        max_trip=ints["MAX_TRIP"],
        depot=ints["DEPOT"],
        dumping_sites=sites,
        tasks=all_tasks,
        links=tuple(links),
    )


def _int_field(path: Path, lineno: int, field: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        msg = f"{path}:{lineno}: {field} must be a whole number, got {text.strip()!r}"
        raise ValueError(msg) from None


def _header_int(path: Path, key: str, text: str, lineno: int) -> int:
    return _int_field(path, lineno, key, text)


def _read_link(
    path: Path,
    lineno: int,
    line: str,
    section: str,
    tasks: dict[bool, list[Task]],
    links: list[Link],
) -> None:
    """Parse one ``(u,v) ...`` line of ``section`` into ``tasks`` or ``links``."""
    tokens = line.split()
    match = _LINK.match(tokens[0])
    if match is None:
        msg = f"{path}:{lineno}: {section}: the link must be written '(u,v)' without spaces"
        raise ValueError(msg)
    u, v = int(match.group(1)), int(match.group(2))
    edge = section.endswith("EDGES")
    if section.startswith("LIST_REQ"):
        names = ("serv_cost", "trav_cost", "demand")
        if len(tokens) < 7:
            msg = f"{path}:{lineno}: {section}: expected '(u,v) serv_cost S trav_cost T demand Q'"
            raise ValueError(msg)
        values = [
            _int_field(path, lineno, n, tokens[k]) for n, k in zip(names, (2, 4, 6), strict=True)
        ]
        for n, value in zip(names, values, strict=True):
            if value < 0:
                msg = f"{path}:{lineno}: {n} must be >= 0, got {value}"
                raise ValueError(msg)
        tasks[edge].append(Task(u, v, values[0], values[1], values[2], edge, lineno))
    else:
        if len(tokens) < 3:
            msg = f"{path}:{lineno}: {section}: expected '(u,v) cost C'"
            raise ValueError(msg)
        cost = _int_field(path, lineno, "cost", tokens[2])
        if cost < 0:
            msg = f"{path}:{lineno}: cost must be >= 0, got {cost}"
            raise ValueError(msg)
        links.append(Link(u, v, cost, edge, lineno))


def _node_count(
    path: Path,
    header: dict[str, tuple[str, int]],
    tasks: tuple[Task, ...],
    links: list[Link],
    depot: int,
    sites: tuple[int, ...],
) -> int:
    """``NODES`` (or the largest node id used); every node id must lie in ``1..NODES``."""
    used = [(t.u, t.line) for t in tasks] + [(t.v, t.line) for t in tasks]
    used += [(k.u, k.line) for k in links] + [(k.v, k.line) for k in links]
    used += [(depot, header["DEPOT"][1])] + [(s, header["DUMPING_SITES"][1]) for s in sites]
    if "NODES" in header:
        nodes = _header_int(path, "NODES", *header["NODES"])
    else:
        nodes = max(n for n, _ in used)
    for node, lineno in used:
        if not 1 <= node <= nodes:
            msg = f"{path}:{lineno}: node {node} is outside 1..{nodes} (NODES)"
            raise ValueError(msg)
    return nodes


def deadhead_matrix(inst: McarptifInstance) -> np.ndarray:
    """Cost of driving between every two nodes without servicing, on shortest paths.

    Every link counts (a required one at its ``trav_cost``), edges both ways; of parallel links the
    cheapest. Row and column ``n - 1`` are node ``n``; ``inf`` where no path exists.
    """
    n = inst.nodes
    direct = np.full((n, n), np.inf)
    arcs = [(t.u, t.v, t.trav_cost, t.edge) for t in inst.tasks]
    arcs += [(k.u, k.v, k.cost, k.edge) for k in inst.links]
    for u, v, cost, edge in arcs:
        pairs = [(u, v), (v, u)] if edge else [(u, v)]
        for a, b in pairs:
            direct[a - 1, b - 1] = min(direct[a - 1, b - 1], cost)
    graph = csgraph_from_dense(direct, null_value=np.inf)
    out = shortest_path(graph, method="D", directed=True)
    np.fill_diagonal(out, 0.0)
    return np.asarray(out, dtype=float)


def default_fleet_size(inst: McarptifInstance) -> int:
    """Vehicles offered to the solver, ``2 * vehicles_lower_bound + 2`` (it minimises how many it
    uses; this only bounds the search)."""
    return 2 * inst.vehicles_lower_bound + 2


def mcarptif_to_model(inst: McarptifInstance, *, num_vehicles: int | None = None) -> Model:
    """Build the routing model of an MCARPTIF instance (see the module docstring for the mapping).

    Parameters
    ----------
    inst
        The raw instance from :func:`read_mcarptif`.
    num_vehicles
        Vehicles available; default :func:`default_fleet_size`.

    Returns
    -------
    Model
        Client ``k`` is task ``k``; landfill ``j`` is ``inst.dumping_sites[j]``. Fewest vehicles
        first, then least total duration.
    """
    model = Model()
    model.add_depot(inst.depot - 1, name=str(inst.depot))
    for site in inst.dumping_sites:
        model.add_landfill(site - 1, name=str(site), unload_s=inst.dump_cost)
    for k, t in enumerate(inst.tasks):
        model.add_segment_client(
            t.u - 1,
            t.v - 1,
            traverse_s=t.serv_cost,
            traverse_m=float(t.serv_cost),
            demand=(float(t.demand), 0.0),
            reversible=t.edge,
            name=f"{'edge' if t.edge else 'arc'} {k} ({t.u},{t.v})",
        )
    model.add_vehicle_type(
        num_available=num_vehicles if num_vehicles is not None else default_fleet_size(inst),
        capacity=(float(inst.capacity), math.inf),
        shift=(0, inst.max_trip),
        cost_per_km=0.0,
        cost_per_hour=3600.0,
        name="truck",
    )
    deadhead = deadhead_matrix(inst)
    model.set_matrices(duration_s=deadhead, distance_m=deadhead)
    return model


Step = tuple[str, int, bool]
"""One step of an MCARPTIF route: ``("task", task index, reversed)`` or ``("dump", node, False)``."""


@dataclass(frozen=True)
class McarptifSolution:
    """Routes of an MCARPTIF instance with their total cost (sum of route durations)."""

    routes: list[list[Step]]
    cost: float
    result: Result

    @property
    def vehicles(self) -> int:
        """Routes that service at least one task."""
        return len(self.routes)


def result_to_routes(inst: McarptifInstance, result: Result) -> list[list[Step]]:
    """The routes of a :class:`~routing.solver.model.Result` of :func:`mcarptif_to_model` as steps.

    Each route implicitly starts and ends at the depot; a landfill visit becomes a dump at its node.
    """
    routes: list[list[Step]] = []
    for route in result.routes:
        steps: list[Step] = []
        for visit in route.visits:
            if visit.kind == "client":
                steps.append(("task", visit.index, visit.reversed))
            elif visit.kind == "landfill":
                steps.append(("dump", inst.dumping_sites[visit.index], False))
        if any(s[0] == "task" for s in steps):
            routes.append(steps)
    return routes


def place_dumps(
    inst: McarptifInstance, steps: list[Step], deadhead: np.ndarray
) -> tuple[float, list[Step]]:
    """The cheapest unloadings for a route's tasks in their order and directions.

    The solver puts a dump before the task that would overflow the truck (or where its search
    left one); the best places for a fixed order come from a shortest path over the cut points
    (the split of Beasley's route-first cluster-second, as in the peer's construction): cutting
    before task ``j`` costs the detour through the best dumping site, and a trip's load is at most
    ``CAPACITY``. The route's duration can only fall, so ``MAX_TRIP`` still holds.

    Returns
    -------
    tuple
        The route's duration and its steps with the dumps re-placed.
    """
    tasks = [s for s in steps if s[0] == "task"]
    ends = [
        (inst.tasks[k].v, inst.tasks[k].u) if rev else (inst.tasks[k].u, inst.tasks[k].v)
        for _, k, rev in tasks
    ]
    enter = [a - 1 for a, _ in ends]
    leave = [b - 1 for _, b in ends]
    sites = np.asarray(inst.dumping_sites) - 1
    n, depot = len(tasks), inst.depot - 1
    # cut[j]: from task j-1 through the best dump to task j (to the depot when j == n)
    cut, site = [math.inf], [0]
    for j in range(1, n + 1):
        via = deadhead[leave[j - 1], sites] + deadhead[sites, depot if j == n else enter[j]]
        best = int(np.argmin(via))
        cut.append(float(via[best]) + inst.dump_cost)
        site.append(int(sites[best]) + 1)
    best_to = [0.0] + [math.inf] * n  # best cost up to a cut before task j
    came = [0] * (n + 1)
    for j in range(1, n + 1):
        load, inner = 0, 0.0
        for i in range(j - 1, -1, -1):  # the trip of tasks i..j-1
            load += inst.tasks[tasks[i][1]].demand
            if load > inst.capacity:
                break
            inner += inst.tasks[tasks[i][1]].serv_cost
            inner += deadhead[leave[i], enter[i + 1]] if i < j - 1 else 0.0
            start = deadhead[depot, enter[0]] if i == 0 else 0.0
            if best_to[i] + start + inner + cut[j] < best_to[j]:
                best_to[j], came[j] = best_to[i] + start + inner + cut[j], i
    out: list[list[Step]] = []
    j = n
    while j > 0:
        out.append([*tasks[came[j] : j], ("dump", site[j], False)])
        j = came[j]
    return best_to[n], [s for trip in reversed(out) for s in trip]


def solve_mcarptif(
    inst: McarptifInstance,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    max_iterations: int | None = None,
    num_vehicles: int | None = None,
) -> McarptifSolution:
    """Solve an instance: the routing model (:func:`mcarptif_to_model`), then :func:`place_dumps`.

    The options are those of :meth:`~routing.solver.model.Model.solve`; ``num_vehicles`` that of
    :func:`mcarptif_to_model`. Tasks the solver leaves out are in ``result.unserved`` (none on a
    connected network whose every task fits in one trip and one route).
    """
    model = mcarptif_to_model(inst, num_vehicles=num_vehicles)
    result = model.solve(
        time_limit_s=time_limit_s, seed=seed, workers=workers, max_iterations=max_iterations
    )
    assert model.duration_s is not None
    placed = [
        place_dumps(inst, steps, model.duration_s) for steps in result_to_routes(inst, result)
    ]
    return McarptifSolution(
        routes=[steps for _, steps in placed],
        cost=float(sum(cost for cost, _ in placed)),
        result=result,
    )
