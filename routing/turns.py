"""Travel matrices between headings: legs priced for every U-turn they make.

Why
---
A node matrix (`routing.matrix.travel_matrix`) cannot know from which side a truck reached a stop:
after collecting a street segment ``u -> v`` the fastest leg onward may leave ``v`` straight back
to ``u``, which on the road is a U-turn at the end of the street; at a container halfway along a
lane the truck would turn around in the lane. A `Heading` is a node together with the neighbour
the truck must not turn back to: a leg leaving it towards ``other``, or reaching it from
``other``, turns back there. The same heading works in both roles, so a street segment
``u -> v`` is entered at ``Heading(u, v)`` and left at ``Heading(v, u)``, and driven the other way
it is entered at ``Heading(v, u)`` and left at ``Heading(u, v)``: reversing a segment needs no new
locations in the solver.

How
---
Shortest paths run on the edge-based graph of the streets: its nodes are the directed edges, and
driving from one edge onto the next costs the next edge's time, plus ``uturn_penalty_s`` where the
next edge leads straight back. Each heading adds a source (joined to the edges leaving its node,
priced the same way against ``other``) and a sink (joined from the edges reaching its node). So a
leg may still turn around, at a dead end or where going round the block takes longer than the
price, but every U-turn on it is paid, in seconds of duration only (distance stays metres driven).
``scipy.sparse.csgraph.dijkstra`` runs from every source in blocks shared by threads, and the
length along each fastest path is summed as in `routing.matrix` (pointer jumping on the tree).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.csgraph import dijkstra

from routing.matrix import _all_rows, _Core, _core_of_arcs, _csr, _positions
from routing.network import RoadNetwork

__all__ = ["Heading", "HeadingMatrix", "heading_matrix", "leg_nodes"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heading:
    """A graph node and the neighbour a route must not turn back to there (None: any way).

    Attributes
    ----------
    node
        The graph node.
    other
        A neighbour of ``node``: a leg starting here does not leave towards it and a leg ending
        here does not arrive from it, except by a U-turn (priced, see `heading_matrix`).
    """

    node: int
    other: int | None = None


@dataclass
class HeadingMatrix:
    """Travel times and distances between headings.

    Attributes
    ----------
    headings
        Rows and columns, in order.
    duration_s
        Fastest time of each leg including its U-turn prices (``inf``: no way).
    distance_m
        Length driven along that leg.
    """

    headings: list[Heading]
    duration_s: np.ndarray
    distance_m: np.ndarray
    _line: _LineGraph | None = field(default=None, repr=False)


@dataclass
class _LineGraph:
    """The edge-based graph with a source and a sink per heading (see the module notes)."""

    core: _Core
    tail: np.ndarray  # edge state -> graph node it leaves
    head: np.ndarray  # edge state -> graph node it reaches
    edges: int  # edge states come first, then sources, then sinks
    count: int  # headings


def heading_matrix(
    network: RoadNetwork,
    headings: Sequence[Heading],
    *,
    uturn_penalty_s: float = 60.0,
    weight: str = "travel_time",
    workers: int | None = None,
    on_rows: Callable[[int, int], None] | None = None,
) -> HeadingMatrix:
    """Compute travel times and distances between headings, every U-turn at a price.

    Parameters
    ----------
    network
        The road network (after snapping, so every heading's node is a graph node).
    headings
        The places; repeated headings are allowed (their rows are equal).
    uturn_penalty_s
        Seconds added to a leg for each U-turn on it; must be >= 0.
    weight
        Edge attribute minimised, as in `routing.matrix.travel_matrix`.
    workers
        Threads sharing the sources; None: up to the number of CPUs, at most 4. Results do not
        depend on it.
    on_rows
        Called as ``on_rows(rows_done, rows)`` before each block of rows and at the end (one call
        at a time, maybe from a worker thread); it may raise, e.g. a cancelled run, to stop.

    Returns
    -------
    HeadingMatrix
    """
    if uturn_penalty_s < 0:
        msg = f"uturn_penalty_s must be >= 0, got {uturn_penalty_s}"
        raise ValueError(msg)
    hs = list(headings)
    line = _line_graph(network, hs, weight, uturn_penalty_s)
    s = len(hs)
    sources = np.arange(line.edges, line.edges + s, dtype=np.int64)
    sinks = np.arange(line.edges + s, line.edges + 2 * s, dtype=np.int64)
    duration, distance = _all_rows(line.core, sources, sinks, workers, on_rows)
    distance[~np.isfinite(duration)] = np.inf
    log.debug("heading matrix %d × %d on %d edge states", s, s, line.edges)
    return HeadingMatrix(hs, duration, distance, line)


def leg_nodes(matrix: HeadingMatrix, i: int, j: int) -> list[int]:
    """The graph nodes of the leg from heading ``i`` to heading ``j``, as priced in ``matrix``.

    Consecutive nodes are adjacent on the road graph (a node repeated two apart is a U-turn).
    Empty where there is no way.
    """
    line = matrix._line
    if line is None:
        msg = "this HeadingMatrix carries no graph to trace legs on"
        raise ValueError(msg)
    src, dst = line.edges + i, line.edges + line.count + j
    if not np.isfinite(matrix.duration_s[i, j]):
        return []
    # nothing beyond the leg's own time needs settling
    limit = float(matrix.duration_s[i, j]) * (1 + 1e-9) + 1e-6
    _, pred = dijkstra(
        line.core.matrix, directed=True, indices=src, return_predecessors=True, limit=limit
    )
    if pred[dst] < 0:
        return []
    states: list[int] = []
    at = int(pred[dst])
    while at != src:
        states.append(at)
        at = int(pred[at])
    if not states:  # straight from the source to the sink: both at one node
        return [matrix.headings[i].node]
    states.reverse()
    nodes = [int(line.tail[states[0]])]
    nodes += [int(line.head[e]) for e in states]
    return nodes


def _other_position(network: RoadNetwork, index: dict[int, int], h: Heading) -> int:
    """The CSR position of a heading's ``other`` (-1: none); it must be a neighbour."""
    if h.other is None:
        return -1
    g = network.graph
    if not (g.has_edge(h.node, h.other) or g.has_edge(h.other, h.node)):
        msg = f"{h}: node {h.other} is not a neighbour of node {h.node} on the road network"
        raise ValueError(msg)
    return index[int(h.other)]


def _line_graph(network: RoadNetwork, hs: list[Heading], weight: str, penalty: float) -> _LineGraph:
    csr = _csr(network, weight)
    n = len(csr.node_ids)
    tail = (csr.pair_keys // n).astype(np.int64)
    head = (csr.pair_keys % n).astype(np.int64)
    wt, ln = np.asarray(csr.matrix.data, dtype=float), np.asarray(csr.length, dtype=float)
    e = len(tail)  # edges are sorted by tail, so csr.matrix.indptr indexes the edges leaving a node
    indptr = np.asarray(csr.matrix.indptr, dtype=np.int64)
    outdeg = np.diff(indptr)
    # edge -> next edge: every edge leaving the head of the first
    counts = outdeg[head]
    src = np.repeat(np.arange(e), counts)
    offs = np.arange(len(src)) - np.repeat(np.cumsum(counts) - counts, counts)
    dst = indptr[head][src] + offs
    arc_w = wt[dst] + np.where(head[dst] == tail[src], penalty, 0.0)
    arc_l = ln[dst]
    # sources and sinks of the headings
    s = len(hs)
    pos = _positions(csr, [h.node for h in hs])
    other = np.asarray([_other_position(network, csr.index, h) for h in hs], dtype=np.int64)
    by_head = np.argsort(head, kind="stable")
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(head, minlength=n), out=in_ptr[1:])
    r_src, r_dst, r_w, r_l = [], [], [], []
    for k in range(s):
        x, o = int(pos[k]), int(other[k])
        leave = np.arange(indptr[x], indptr[x + 1])
        r_src.append(np.full(len(leave), e + k))
        r_dst.append(leave)
        r_w.append(wt[leave] + np.where(head[leave] == o, penalty, 0.0))
        r_l.append(ln[leave])
        reach = by_head[in_ptr[x] : in_ptr[x + 1]]
        r_src.append(reach)
        r_dst.append(np.full(len(reach), e + s + k))
        r_w.append(np.where(tail[reach] == o, penalty, 0.0))
        r_l.append(np.zeros(len(reach)))
    # legs between headings at one node: straight on, or a U-turn in place
    at_node: dict[int, list[int]] = {}
    for k in range(s):
        at_node.setdefault(int(pos[k]), []).append(k)
    for group in at_node.values():
        for a in group:
            for b in group:
                turn = hs[a].other is not None and hs[a].other == hs[b].other
                r_src.append(np.asarray([e + a]))
                r_dst.append(np.asarray([e + s + b]))
                r_w.append(np.asarray([penalty if turn else 0.0]))
                r_l.append(np.zeros(1))
    all_src = np.concatenate([src, *r_src]).astype(np.int64)
    all_dst = np.concatenate([dst, *r_dst]).astype(np.int64)
    all_w = np.concatenate([arc_w, *r_w])
    all_l = np.concatenate([arc_l, *r_l])
    m = e + 2 * s
    core = _core_of_arcs(np.arange(m, dtype=np.int64), m, all_src, all_dst, all_w, all_l)
    return _LineGraph(core, csr.node_ids[tail], csr.node_ids[head], e, s)
