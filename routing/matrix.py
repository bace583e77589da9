"""Exact travel matrices between graph nodes, and the street path of any leg.

How it is computed
------------------
The graph is turned once into a compressed sparse row (CSR) matrix of travel times, keeping the
fastest of parallel edges, and cached on the `RoadNetwork` object. For a set of points it is
then reduced to its *core*: dead-end trees that hold no point are dropped (a simple path can
enter them only to turn back) and nodes with two neighbours that are not points are replaced by
one edge per direction they can be driven through, time and length summed; on Liechtenstein
with 1,000 points that removes about 40 % of the nodes and changes no shortest path between
points. The searches run on the core from every distinct point (`routing.searches.search_rows`:
Dijkstra compiled by numba, in blocks of rows shared by a few threads, each search carrying the
length beside the time and stopping once every point is settled). Durations are the exact
shortest-path times (the same floats as ``scipy.sparse.csgraph.dijkstra``'s; one-way streets are
simply absent in the reverse direction). The distance of each pair is the length **along that
fastest path** (not the shortest distance), summed arc by arc from the source as the time is, so
no path is walked in Python. Unreachable pairs are ``inf`` in both matrices. Where two paths
are exactly as fast, the shorter one's length is reported (`routing.searches`).

U-turns
-------
A shortest path in a node-based graph is a simple path: it never drives ``x -> y -> x``, so a
single leg never contains a U-turn, whatever the penalty (this is tested). A truck can still have
to turn around *between* legs, at a stop halfway along a street, when it leaves back the way it
came; a node matrix cannot know from which side the truck arrived. `routing.turns` builds the
matrix the planner uses, between headings (a node and the side the truck must not turn back to)
on the edge-based graph, pricing every U-turn; `route_uturns` counts them on a sequence of nodes.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from routing.geometry import bearing_deg, classify_turn, heading_change_deg
from routing.network import RoadNetwork
from routing.searches import search_rows, threads_for

__all__ = [
    "Core",
    "GraphCsr",
    "Leg",
    "Step",
    "TravelMatrix",
    "arc_lengths",
    "core_of_arcs",
    "graph_csr",
    "leg",
    "node_positions",
    "path_geometries",
    "path_geometry",
    "route_uturns",
    "search_blocks",
    "shortest_rows",
    "travel_matrix",
]

log = logging.getLogger(__name__)

# rows searched at once (a block: progress is reported and a cancel checked between blocks), at
# most this many rows x core nodes a block
_CHUNK = 128
_BLOCK_CELLS = 2_000_000


@dataclass
class TravelMatrix:
    """Asymmetric travel times and distances between graph nodes.

    Attributes
    ----------
    nodes
        The graph nodes, in row/column order.
    duration_s
        ``duration_s[i, j]``: fastest time from ``nodes[i]`` to ``nodes[j]`` (``inf``: no path).
    distance_m
        Length of that fastest path (``inf``: no path).
    """

    nodes: list[int]
    duration_s: np.ndarray
    distance_m: np.ndarray


@dataclass
class Step:
    """One instruction: drive ``distance_m`` along ``street`` after the ``turn``."""

    street: str
    distance_m: float
    turn: str


@dataclass
class Leg:
    """The path of the fastest way from one node to another.

    Attributes
    ----------
    nodes
        Graph nodes along the path (first ``a``, last ``b``).
    geometry
        The path in WGS84, following the edge geometries.
    distance_m, duration_s
        Length and travel time of the path.
    steps
        Turn-by-turn instructions: consecutive edges of one street merged; the first step's turn
        is "depart" and a last step with turn "arrive" and no distance closes the list.
    """

    nodes: list[int]
    geometry: LineString
    distance_m: float
    duration_s: float
    steps: list[Step] = field(default_factory=list)


@dataclass
class GraphCsr:
    """The graph as a CSR matrix, one entry per ordered node pair (the fastest edge)."""

    node_ids: np.ndarray  # position -> graph node
    index: dict[int, int]  # graph node -> position
    matrix: sp.csr_matrix  # weights
    pair_keys: np.ndarray  # sorted u * n + v of every entry (same order as matrix.data)
    length: np.ndarray  # length of the chosen edge per entry
    edge_key: np.ndarray  # multigraph key of the chosen edge per entry


def travel_matrix(
    network: RoadNetwork,
    nodes: Sequence[int],
    *,
    weight: str = "travel_time",
    workers: int | None = None,
) -> TravelMatrix:
    """Compute exact asymmetric travel times and distances between graph nodes.

    Parameters
    ----------
    network
        The road network (after snapping, so the points are nodes).
    nodes
        Graph nodes; repeated nodes are allowed (their rows are equal).
    weight
        Edge attribute minimised: ``"travel_time"``, ``"collect_time"`` or ``"length"``.
    workers
        Threads sharing the sources (scipy's Dijkstra releases the GIL); None: up to the number
        of CPUs, at most 4. Results do not depend on it.

    Returns
    -------
    TravelMatrix
        ``distance_m`` is the length along the path minimising ``weight``.
    """
    csr = graph_csr(network, weight)
    positions = node_positions(csr, nodes)
    n = len(positions)
    if n == 0:
        return TravelMatrix([], np.zeros((0, 0)), np.zeros((0, 0)))
    if len(np.unique(positions)) == n:
        terminals, inverse = positions, None  # the usual case: rows in the caller's order
    else:
        terminals, inverse = np.unique(positions, return_inverse=True)
    core = _core(csr, terminals)
    sources = core.position[terminals]
    times, lengths = shortest_rows(core, sources, sources, workers)
    if inverse is None:
        duration, distance = times, lengths
    else:
        duration = times[np.ix_(inverse, inverse)]
        distance = lengths[np.ix_(inverse, inverse)]
    distance[~np.isfinite(duration)] = np.inf
    if weight == "length":
        distance = duration.copy()
    log.debug(
        "matrix %d x %d on a core of %d of %d nodes",
        n,
        n,
        core.matrix.shape[0],
        len(csr.node_ids),
    )
    return TravelMatrix([int(x) for x in nodes], duration, distance)


def leg(network: RoadNetwork, a: int, b: int, *, weight: str = "travel_time") -> Leg:
    """Return the fastest path from node ``a`` to node ``b`` with geometry and directions.

    Raises
    ------
    ValueError
        When a node is not in the network or ``b`` cannot be reached from ``a``.
    """
    nodes = _node_path(network, a, b, weight)
    graph = network.graph
    csr = graph_csr(network, weight)
    edges: list[dict[str, Any]] = []
    for x, y in itertools.pairwise(nodes):
        pos = _entry(csr, csr.index[x], csr.index[y])
        edges.append(graph.edges[x, y, int(csr.edge_key[pos])])
    coords = _concat([list(e["geometry"].coords) for e in edges])
    if not coords:
        coords = [(graph.nodes[a]["x"], graph.nodes[a]["y"])] * 2
    geometry = _to_wgs84_line(network, coords)
    distance = float(sum(e["length"] for e in edges))
    duration = float(sum(e["travel_time"] for e in edges))
    return Leg(nodes, geometry, distance, duration, _steps(edges))


def path_geometry(network: RoadNetwork, nodes: Sequence[int]) -> LineString:
    """Return the WGS84 line of a whole route through ``nodes``.

    Consecutive nodes joined by an edge are joined by that edge (the fastest of parallel ones), so
    a path traced node by node is drawn as driven; other pairs by the fastest path between them.
    """
    return path_geometries(network, [nodes])[0]


def path_geometries(
    network: RoadNetwork, paths: Sequence[Sequence[int]], *, csr: GraphCsr | None = None
) -> list[LineString]:
    """`path_geometry` of several routes (a vehicle-day's trips), the graph's CSR fetched once.

    Fetching it checks the graph's size, which walks every node: once per trip made the assembly
    grow as trips times streets. ``csr``: the network's travel-time CSR, fetched by the caller
    (`graph_csr`) once for all its routes (None: fetched here).
    """
    graph = network.graph
    csr = graph_csr(network, "travel_time") if csr is None else csr
    out = []
    for nodes in paths:
        coords: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(nodes):
            path = _hop_or_path(csr, a, b)
            for x, y in itertools.pairwise(path):
                pos = _entry(csr, csr.index[x], csr.index[y])
                piece = list(graph.edges[x, y, int(csr.edge_key[pos])]["geometry"].coords)
                coords.extend(piece[1:] if coords and coords[-1] == piece[0] else piece)
        if len(coords) < 2:
            node = graph.nodes[nodes[0]] if len(nodes) else None
            if node is None:
                msg = "path_geometry needs at least one node"
                raise ValueError(msg)
            coords = [(node["x"], node["y"])] * 2
        out.append(_to_wgs84_line(network, coords))
    return out


def route_uturns(network: RoadNetwork, nodes: Sequence[int], *, csr: GraphCsr | None = None) -> int:
    """Count the U-turns of a route through ``nodes`` (pairs joined as in `path_geometry`).

    A U-turn is leaving a node back to the node the truck just came from (``x -> y -> x``);
    a dead end forces one, a stop halfway along a street may. ``csr`` as in `path_geometries`.
    """
    # once: its staleness check walks the whole graph
    csr = graph_csr(network, "travel_time") if csr is None else csr
    full: list[int] = []
    for a, b in itertools.pairwise(nodes):
        path = _hop_or_path(csr, a, b)
        full.extend(path[1:] if full else path)
    return sum(1 for i in range(2, len(full)) if full[i] == full[i - 2] != full[i - 1])


# ----------------------------------------------------------------------------------------------
# the shortest-path core, shared with routing.turns (the heading matrix runs on the same machinery)


def graph_csr(network: RoadNetwork, weight: str) -> GraphCsr:
    """Build (once per network and weight) the CSR matrix of the fastest edge per node pair."""
    graph = network.graph
    stamp = (graph.number_of_nodes(), graph.number_of_edges())
    cache_key = f"csr:{weight}"
    cached = network._cache.get(cache_key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    index = {int(n): i for i, n in enumerate(node_ids)}
    m = graph.number_of_edges()
    us = np.empty(m, dtype=np.int64)
    vs = np.empty(m, dtype=np.int64)
    ks = np.empty(m, dtype=np.int64)
    ws = np.empty(m)
    ls = np.empty(m)
    for i, (u, v, k, data) in enumerate(graph.edges(keys=True, data=True)):
        us[i], vs[i], ks[i] = index[u], index[v], k
        if weight not in data:
            msg = f"edge ({u}, {v}, {k}) has no {weight!r} attribute"
            raise ValueError(msg)
        ws[i] = data[weight]
        ls[i] = data["length"]
    n = len(node_ids)
    keep = us != vs  # a self-loop is never on a shortest path
    us, vs, ks, ws, ls = us[keep], vs[keep], ks[keep], ws[keep], ls[keep]
    pair = us * n + vs
    order = np.lexsort((ls, ws, pair))  # by pair, then fastest, then shortest
    pair, us, vs, ks, ws, ls = pair[order], us[order], vs[order], ks[order], ws[order], ls[order]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    pair, us, vs, ks, ws, ls = pair[first], us[first], vs[first], ks[first], ws[first], ls[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(us, minlength=n), out=indptr[1:])
    # explicit zeros stay edges in csgraph; build from arrays so they are kept
    matrix = sp.csr_matrix((ws, vs.astype(np.int32), indptr), shape=(n, n))
    built = GraphCsr(node_ids, index, matrix, pair, ls, ks)
    network._cache[cache_key] = (stamp, built)
    return built


def node_positions(csr: GraphCsr, nodes: Sequence[int]) -> np.ndarray:
    """CSR positions of graph nodes; a node not in the network is a ValueError naming it."""
    out = np.empty(len(nodes), dtype=np.int64)
    for i, node in enumerate(nodes):
        try:
            out[i] = csr.index[int(node)]
        except KeyError:
            msg = f"node {node} (position {i}) is not in the road network"
            raise ValueError(msg) from None
    return out


def _entry(csr: GraphCsr, pu: int, pv: int) -> int:
    n = len(csr.node_ids)
    return int(np.searchsorted(csr.pair_keys, pu * n + pv))


@dataclass
class Core:
    """The part of the graph shortest paths between the terminals can use, chains contracted.

    Dead-end trees without a terminal are dropped (a simple path cannot enter and leave them)
    and nodes with exactly two neighbours that are not terminals are replaced by one edge per
    direction they can be driven through (time and length summed), which keeps every shortest
    path between terminals, and its length, unchanged.
    """

    position: np.ndarray  # full-graph position -> core position (-1: not in the core)
    matrix: sp.csr_matrix
    arc_length: np.ndarray  # each arc's length, aligned with matrix.data
    starts: int = 0  # the last core nodes are sources no arc leads into (none: 0)


def _core(csr: GraphCsr, terminals: np.ndarray) -> Core:
    n = len(csr.node_ids)
    us, vs = csr.pair_keys // n, csr.pair_keys % n
    ws, ls = csr.matrix.data, csr.length
    is_terminal = np.zeros(n, dtype=bool)
    is_terminal[terminals] = True
    pattern = sp.csr_matrix((np.ones(len(us)), (us, vs)), shape=(n, n))
    undirected = ((pattern + pattern.T) > 0).tocsr()
    degree = np.diff(undirected.indptr).astype(np.int64)
    alive = np.ones(n, dtype=bool)
    leaves = np.flatnonzero(~is_terminal & (degree <= 1))
    while leaves.size:
        alive[leaves] = False
        degree -= np.bincount(undirected[leaves].indices, minlength=n)
        leaves = np.flatnonzero(alive & ~is_terminal & (degree <= 1))

    keep = alive[us] & alive[vs]
    out: dict[int, dict[int, tuple[float, float]]] = {int(x): {} for x in np.flatnonzero(alive)}
    into: dict[int, dict[int, tuple[float, float]]] = {x: {} for x in out}
    for a, b, w, length in zip(
        us[keep].tolist(), vs[keep].tolist(), ws[keep].tolist(), ls[keep].tolist(), strict=True
    ):
        out[a][b] = into[b][a] = (w, length)
    for x in np.flatnonzero(alive & ~is_terminal & (degree == 2)).tolist():
        around = set(out[x]) | set(into[x])
        if len(around) != 2:  # an earlier contraction changed its neighbours
            continue
        a, b = around
        through = [
            (p, q, out[p][x][0] + out[x][q][0], out[p][x][1] + out[x][q][1])
            for p, q in ((a, b), (b, a))
            if x in out[p] and q in out[x]
        ]
        for q in out.pop(x):
            del into[q][x]
        for p in into.pop(x):
            del out[p][x]
        alive[x] = False
        for p, q, w, length in through:
            if q not in out[p] or (w, length) < out[p][q]:
                out[p][q] = into[q][p] = (w, length)

    kept = np.flatnonzero(alive)
    position = np.full(n, -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    rows = [
        (position[a], position[b], w, length)
        for a, d in out.items()
        for b, (w, length) in d.items()
    ]
    cu = np.array([r[0] for r in rows], dtype=np.int64)
    cv = np.array([r[1] for r in rows], dtype=np.int64)
    cw = np.array([r[2] for r in rows], dtype=float)
    cl = np.array([r[3] for r in rows], dtype=float)
    return core_of_arcs(position, len(kept), cu, cv, cw, cl)


def core_of_arcs(
    position: np.ndarray,
    m: int,
    cu: np.ndarray,
    cv: np.ndarray,
    cw: np.ndarray,
    cl: np.ndarray,
    *,
    starts: int = 0,
) -> Core:
    """A `Core` of ``m`` nodes from its arcs (tail, head, weight, length; one per ordered pair).

    ``starts``: the last nodes are sources no arc leads into (no search passes through them).
    """
    order = np.lexsort((cv, cu))
    cu, cv, cw, cl = cu[order], cv[order], cw[order], cl[order]
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(cu, minlength=m), out=indptr[1:])
    matrix = sp.csr_matrix((cw, cv.astype(np.int32), indptr), shape=(m, m))
    return Core(position, matrix, cl, starts)


def arc_lengths(core: Core, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The length of each core arc ``u[i] -> v[i]`` (every pair must be an arc of the core).

    A core's arcs are sorted by tail, then head (`core_of_arcs`), so ``tail * m + head`` is sorted
    and each arc is found by bisection.
    """
    mat = core.matrix
    m = mat.shape[0]
    keys = np.repeat(np.arange(m, dtype=np.int64), np.diff(mat.indptr)) * m + mat.indices
    want = np.asarray(u, dtype=np.int64) * m + np.asarray(v, dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    if len(want) and (len(keys) == 0 or not np.array_equal(keys[at], want)):
        msg = "arc_lengths: some (u, v) pairs are not arcs of the core"
        raise ValueError(msg)
    return np.asarray(core.arc_length[at], dtype=float)


def shortest_rows(
    core: Core,
    sources: np.ndarray,
    targets: np.ndarray,
    workers: int | None,
    on_rows: Callable[[int, int], None] | None = None,
    *,
    gather: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None] | None = None,
    width: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Times and lengths along the fastest paths from every source to every target (core ids).

    Rows are computed in blocks shared by up to ``workers`` threads (`search_blocks`; the result
    does not depend on it; ``on_rows`` as there). ``gather(times, lengths, out_times,
    out_lengths)``, where given, turns each block's columns (one per target) into the ``width``
    columns kept, written straight into that block's rows of the result (``out_*``: views, every
    cell to be written), so the block of all targets is never held whole and nothing is copied.
    """
    cols = len(targets) if gather is None else int(width or 0)
    times = np.empty((len(sources), cols))
    lengths = np.empty((len(sources), cols))

    def take(t: np.ndarray, ln: np.ndarray, block: slice) -> None:
        if gather is not None:
            gather(t, ln, times[block], lengths[block])
        else:
            times[block], lengths[block] = t, ln

    search_blocks(core, sources, targets, workers, on_rows, take=take)
    return times, lengths


def search_blocks(
    core: Core,
    sources: np.ndarray,
    targets: np.ndarray,
    workers: int | None,
    on_rows: Callable[[int, int], None] | None = None,
    *,
    take: Callable[[np.ndarray, np.ndarray, slice], None],
) -> None:
    """The fastest paths' times and lengths from every source to every target (core ids), block
    by block: ``take(times, lengths, rows)`` gets each block (``rows``: its sources' slice), so
    nothing of the size of all rows is made here.

    Blocks are shared by up to ``workers`` threads (None: the CPUs, at most 4), ``take`` called
    from them. ``on_rows(done, total)`` is called before each block and at the end, one call at a
    time; it may raise (a cancelled run) to stop the remaining blocks.
    """
    step = max(1, min(_CHUNK, _BLOCK_CELLS // max(1, core.matrix.shape[0])))
    lock, done = threading.Lock(), [0]

    def fill(start: int) -> None:
        block = slice(start, min(start + step, len(sources)))
        if on_rows is not None:
            with lock:
                on_rows(done[0], len(sources))
        t, ln = _rows(core, sources[block], targets)
        take(t, ln, block)
        with lock:
            done[0] += len(t)

    starts = range(0, len(sources), step)
    threads = threads_for(workers)
    if threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(fill, starts))
    else:
        for start in starts:
            fill(start)
    if on_rows is not None:
        on_rows(len(sources), len(sources))


def _rows(core: Core, chunk: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Times and lengths (along the fastest paths) from ``chunk`` to ``targets`` (core ids)."""
    mat = core.matrix
    return search_rows(mat.indptr, mat.indices, mat.data, core.arc_length, chunk, targets)


def _hop_or_path(csr: GraphCsr, a: int, b: int) -> list[int]:
    """``[a, b]`` where an edge joins them (a driven path node by node), else the fastest path.

    ``csr`` is the travel-time CSR of the network (fetched once by the caller: fetching it checks
    the graph's size, which walks every node, and a route has thousands of hops).
    """
    pa, pb = csr.index.get(int(a)), csr.index.get(int(b))
    if pa is not None and pb is not None and pa != pb:
        pos = _entry(csr, pa, pb)
        n = len(csr.node_ids)
        if pos < len(csr.pair_keys) and csr.pair_keys[pos] == pa * n + pb:
            return [int(a), int(b)]
    return _csr_path(csr, a, b)


def _node_path(network: RoadNetwork, a: int, b: int, weight: str) -> list[int]:
    return _csr_path(graph_csr(network, weight), a, b)


def _csr_path(csr: GraphCsr, a: int, b: int) -> list[int]:
    """The fastest path from node ``a`` to node ``b`` on ``csr``, as graph nodes."""
    pa, pb = node_positions(csr, [a, b])
    _, pred = dijkstra(csr.matrix, directed=True, indices=int(pa), return_predecessors=True)
    if pa != pb and pred[pb] < 0:
        msg = f"no path from node {a} to node {b} on the road network"
        raise ValueError(msg)
    path = [int(pb)]
    while path[-1] != pa:
        path.append(int(pred[path[-1]]))
    return [int(csr.node_ids[p]) for p in reversed(path)]


def _concat(pieces: list[list[tuple[float, ...]]]) -> list[tuple[float, ...]]:
    coords: list[tuple[float, ...]] = []
    for piece in pieces:
        coords.extend(piece[1:] if coords and coords[-1] == piece[0] else piece)
    return coords


def _to_wgs84_line(network: RoadNetwork, coords: Sequence[tuple[float, ...]]) -> LineString:
    xs = np.array([c[0] for c in coords])
    ys = np.array([c[1] for c in coords])
    lon, lat = network.to_wgs84(xs, ys)
    return LineString(np.column_stack([lon, lat]))


def _steps(edges: list[dict[str, Any]]) -> list[Step]:
    """Turn-by-turn steps: consecutive edges of one street merged, turns from bearings."""
    steps: list[Step] = []
    prev_end: float | None = None
    for data in edges:
        coords = list(data["geometry"].coords)
        start = bearing_deg(*coords[0][:2], *coords[1][:2]) if len(coords) > 1 else 0.0
        street = str(data.get("name") or "")
        if prev_end is None:
            steps.append(Step(street, float(data["length"]), "depart"))
        else:
            turn = classify_turn(heading_change_deg(prev_end, start))
            same = street == steps[-1].street and (street != "" or turn == "straight")
            if same and turn != "uturn":
                steps[-1].distance_m += float(data["length"])
            else:
                steps.append(Step(street, float(data["length"]), turn))
        if len(coords) > 1:
            prev_end = bearing_deg(*coords[-2][:2], *coords[-1][:2])
    steps.append(Step(steps[-1].street if steps else "", 0.0, "arrive"))
    return steps
