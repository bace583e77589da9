"""Exact travel matrices between graph nodes, and the street path of any leg.

How it is computed
------------------
The graph is turned once into a compressed sparse row (CSR) matrix of travel times, keeping the
fastest of parallel edges, and cached on the `RoadNetwork` object. ``scipy.sparse.csgraph.
dijkstra`` then runs from every distinct source node with predecessors: the durations are exact
shortest-path times (one-way streets are simply absent in the reverse direction). The distance of
each pair is the length **along the fastest path** (not the shortest distance): the lengths of
the predecessor-tree edges are summed from the root by pointer jumping (``log2(depth)`` vectorised
steps), so no path is walked in Python. Unreachable pairs are ``inf`` in both matrices.

U-turns
-------
A shortest path in a node-based graph is a simple path: it never drives ``x -> y -> x``, so a
single leg never contains a U-turn, whatever the penalty (this is tested). A truck can still have
to turn around *between* legs, at a stop halfway along a street, when it leaves back the way it
came; a node matrix cannot know from which side the truck arrived. That is measured where the
whole route is known: `route_uturns` counts them on a sequence of stops and `path_geometry` /
`leg` show them; ``TruckProfile.uturn_penalty_s`` is the price a caller adds per U-turn.
Street segments collected in one direction (``u`` -> ``v`` in the collection points) carry their
heading, so the solver can avoid most such turns by choosing the direction of each segment.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from routing.network import RoadNetwork

__all__ = [
    "Leg",
    "Step",
    "TravelMatrix",
    "leg",
    "path_geometry",
    "route_uturns",
    "travel_matrix",
]

log = logging.getLogger(__name__)

# rows of the predecessor matrix handled at once (bounds memory to a few tens of MB)
_CHUNK = 256


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
class _Csr:
    """The graph as a CSR matrix, one entry per ordered node pair (the fastest edge)."""

    node_ids: np.ndarray  # position -> graph node
    index: dict[int, int]  # graph node -> position
    matrix: sp.csr_matrix  # weights
    pair_keys: np.ndarray  # sorted u * n + v of every entry (same order as matrix.data)
    length: np.ndarray  # length of the chosen edge per entry
    edge_key: np.ndarray  # multigraph key of the chosen edge per entry


def travel_matrix(
    network: RoadNetwork, nodes: Sequence[int], *, weight: str = "travel_time"
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

    Returns
    -------
    TravelMatrix
        ``distance_m`` is the length along the path minimising ``weight``.
    """
    csr = _csr(network, weight)
    positions = _positions(csr, nodes)
    n = len(positions)
    duration = np.full((n, n), np.inf)
    distance = np.full((n, n), np.inf)
    if n == 0:
        return TravelMatrix([], duration, distance)
    sources, inverse = np.unique(positions, return_inverse=True)
    for start in range(0, len(sources), _CHUNK):
        chunk = sources[start : start + _CHUNK]
        time_rows, pred = dijkstra(
            csr.matrix, directed=True, indices=chunk, return_predecessors=True
        )
        length_rows = _lengths_along_tree(csr, pred, positions)
        rows = np.flatnonzero((inverse >= start) & (inverse < start + len(chunk)))
        duration[rows] = time_rows[inverse[rows] - start][:, positions]
        distance[rows] = length_rows[inverse[rows] - start]
    distance[~np.isfinite(duration)] = np.inf
    if weight == "length":
        distance = duration.copy()
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
    csr = _csr(network, weight)
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
    """Return the WGS84 line of a whole route through ``nodes`` (fastest legs in between)."""
    graph = network.graph
    csr = _csr(network, "travel_time")
    coords: list[tuple[float, float]] = []
    for a, b in itertools.pairwise(nodes):
        path = _node_path(network, a, b, "travel_time")
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
    return _to_wgs84_line(network, coords)


def route_uturns(network: RoadNetwork, nodes: Sequence[int]) -> int:
    """Count the U-turns of a route through ``nodes`` driven along the fastest legs.

    A U-turn is leaving a node back to the node the truck just came from (``x -> y -> x``);
    a dead end forces one, a stop halfway along a street may.
    """
    full: list[int] = []
    for a, b in itertools.pairwise(nodes):
        path = _node_path(network, a, b, "travel_time")
        full.extend(path[1:] if full else path)
    return sum(1 for i in range(2, len(full)) if full[i] == full[i - 2] != full[i - 1])


# ----------------------------------------------------------------------------------------------
# internals


def _csr(network: RoadNetwork, weight: str) -> _Csr:
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
    built = _Csr(node_ids, index, matrix, pair, ls, ks)
    network._cache[cache_key] = (stamp, built)
    return built


def _positions(csr: _Csr, nodes: Sequence[int]) -> np.ndarray:
    out = np.empty(len(nodes), dtype=np.int64)
    for i, node in enumerate(nodes):
        try:
            out[i] = csr.index[int(node)]
        except KeyError:
            msg = f"node {node} (position {i}) is not in the road network"
            raise ValueError(msg) from None
    return out


def _entry(csr: _Csr, pu: int, pv: int) -> int:
    n = len(csr.node_ids)
    return int(np.searchsorted(csr.pair_keys, pu * n + pv))


def _lengths_along_tree(csr: _Csr, pred: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Sum edge lengths from each root along predecessor trees; return the target columns."""
    _rows, n = pred.shape
    child = np.broadcast_to(np.arange(n), pred.shape)
    root = pred < 0
    parent = np.where(root, child, pred)
    pos = np.searchsorted(csr.pair_keys, (parent * n + child).ravel())
    pos = np.minimum(pos, len(csr.pair_keys) - 1)
    acc = csr.length[pos].reshape(pred.shape)
    acc[root] = 0.0
    # pointer jumping: after step j, acc holds the length to the 2**j-th ancestor
    while True:
        grand = np.take_along_axis(parent, parent, axis=1)
        if np.array_equal(grand, parent):
            break
        acc += np.take_along_axis(acc, parent, axis=1)
        parent = grand
    return acc[:, targets]


def _node_path(network: RoadNetwork, a: int, b: int, weight: str) -> list[int]:
    csr = _csr(network, weight)
    pa, pb = _positions(csr, [a, b])
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


def _bearing(p: tuple[float, ...], q: tuple[float, ...]) -> float:
    """Compass bearing (degrees, 0 = north, clockwise) from p to q in projected metres."""
    return math.degrees(math.atan2(q[0] - p[0], q[1] - p[1])) % 360.0


def _turn(change: float) -> str:
    """Name a heading change in degrees (-180, 180], positive clockwise (to the right)."""
    size = abs(change)
    if size < 20:
        return "straight"
    if size >= 170:
        return "uturn"
    side = "right" if change > 0 else "left"
    if size < 60:
        return f"slight_{side}"
    if size < 120:
        return side
    return f"sharp_{side}"


def _steps(edges: list[dict[str, Any]]) -> list[Step]:
    """Turn-by-turn steps: consecutive edges of one street merged, turns from bearings."""
    steps: list[Step] = []
    prev_end: float | None = None
    for data in edges:
        coords = list(data["geometry"].coords)
        start = _bearing(coords[0], coords[1]) if len(coords) > 1 else 0.0
        street = str(data.get("name") or "")
        if prev_end is None:
            steps.append(Step(street, float(data["length"]), "depart"))
        else:
            change = (start - prev_end + 180.0) % 360.0 - 180.0
            turn = _turn(change)
            same = street == steps[-1].street and (street != "" or turn == "straight")
            if same and turn != "uturn":
                steps[-1].distance_m += float(data["length"])
            else:
                steps.append(Step(street, float(data["length"]), turn))
        if len(coords) > 1:
            prev_end = _bearing(coords[-2], coords[-1])
    steps.append(Step(steps[-1].street if steps else "", 0.0, "arrive"))
    return steps
