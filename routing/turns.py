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
Shortest paths run on the edge-based graph of the streets: its nodes are the directed edges
(states), and driving from one edge onto the next costs the next edge's time, plus
``uturn_penalty_s`` where the next edge leads straight back. A heading ``(x, o)`` starts at the
state ``o -> x`` (the truck has just come from ``o``) and ends at the state ``x -> o`` less that
edge's own time (it is about to drive it); a heading without ``other`` (or whose state does not
exist, on a one-way street) gets a source joined to the edges leaving its node and a sink joined
from those reaching it, priced against ``other`` the same way. So every U-turn on a leg is paid, in
seconds of duration only (distance stays metres driven).

Cost: a U-turn *inside* a leg is never on a fastest path (a walk ``t -> u -> v -> u -> s`` costs
more than ``t -> u -> s``, which at worst turns at ``u`` for the same price; repeated, the turn
moves back to where the leg starts, where the heading's own price applies), so U-turn arcs are
kept only at nodes where a heading stands; the legs' times are unchanged. Without them, states in
dead ends that hold no heading lose their way out and are dropped, and a state with one way in
and one way out is contracted into the arc that reaches it (times and lengths summed; ``via`` and
``succ`` keep the chain, so `leg_nodes` traces the leg state by state). On Liechtenstein with 1,474
points (2,858 headings; a simplified graph of 10,125 states) the core has 9,656 nodes where it
had 13,528 with a source and a sink per heading (`bench/turns.py` gives the times). ``scipy.sparse.csgraph.dijkstra`` then runs from every heading's start in blocks shared by
threads, and the length along each fastest path is summed as in `routing.matrix` (pointer
jumping on the tree), through the shortest-path core `routing.matrix` makes public.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from routing.matrix import (
    Core,
    GraphCsr,
    core_of_arcs,
    graph_csr,
    node_positions,
    shortest_rows,
)
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
    """The contracted edge-based graph and where each heading starts and ends on it.

    A heading ``(x, o)`` starts at the edge state ``o -> x`` (the truck has just come from ``o``)
    and ends at ``x -> o`` less that edge's own time and length (it is about to drive it); a
    heading without ``other``, or whose state does not exist (a one-way street), has a node of
    its own. A core arc that stands for a contracted chain of edge states starts that chain at
    ``via`` (else 0); each state of a chain has one successor, ``succ``.
    """

    core: Core
    state: np.ndarray  # core node -> edge state (own heading nodes: -1)
    via: sp.csr_matrix  # core arc (p, q) -> first contracted edge state + 1 (0: a direct arc)
    succ: np.ndarray  # edge state -> its one successor in a contracted chain (-1: none)
    tail: np.ndarray  # edge state -> graph node it leaves
    head: np.ndarray  # edge state -> graph node it reaches
    source: np.ndarray  # heading -> core node its legs start from
    sink: np.ndarray  # heading -> core node its legs end at
    sink_w: np.ndarray  # heading -> time to take off at its sink (the state's own edge)
    sink_l: np.ndarray  # heading -> length to take off at its sink


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
    duration, distance = shortest_rows(line.core, line.source, line.sink, workers, on_rows)
    duration -= line.sink_w
    distance -= line.sink_l
    distance[~np.isfinite(duration)] = np.inf
    log.debug(
        "heading matrix %d × %d on %d core nodes", len(hs), len(hs), line.core.matrix.shape[0]
    )
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
    src, dst = int(line.source[i]), int(line.sink[j])
    if not np.isfinite(matrix.duration_s[i, j]):
        return []
    # nothing beyond the leg's own time needs settling
    limit = (float(matrix.duration_s[i, j]) + float(line.sink_w[j])) * (1 + 1e-9) + 1e-6
    _, pred = dijkstra(
        line.core.matrix, directed=True, indices=src, return_predecessors=True, limit=limit
    )
    if src != dst and pred[dst] < 0:
        return []
    chain = [dst]
    while chain[-1] != src:
        chain.append(int(pred[chain[-1]]))
    chain.reverse()
    states: list[int] = []
    for p, q in itertools.pairwise(chain):
        f = int(line.via[p, q]) - 1  # the contracted chain of edge states behind this arc
        while f >= 0 and line.succ[f] >= 0:
            states.append(f)
            f = int(line.succ[f])
        if line.state[q] >= 0:
            states.append(int(line.state[q]))
    if line.state[dst] >= 0:  # the sink's own edge is not driven
        states.pop()
    if not states:  # straight from the source to the sink: both at one node
        return [matrix.headings[i].node]
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
    """The edge-based graph, U-turn arcs only where a heading stands, contracted."""
    csr = graph_csr(network, weight)
    n = len(csr.node_ids)
    tail = (csr.pair_keys // n).astype(np.int64)
    head = (csr.pair_keys % n).astype(np.int64)
    wt, ln = np.asarray(csr.matrix.data, dtype=float), np.asarray(csr.length, dtype=float)
    e = len(tail)  # edges are sorted by tail, so csr.matrix.indptr indexes the edges leaving a node
    indptr = np.asarray(csr.matrix.indptr, dtype=np.int64)
    outdeg = np.diff(indptr)
    pos = node_positions(csr, [h.node for h in hs])
    other = np.asarray([_other_position(network, csr.index, h) for h in hs], dtype=np.int64)
    # edge -> next edge: every edge leaving the head of the first; straight back only where a
    # heading stands (elsewhere a U-turn is never on a fastest leg: see the module notes)
    counts = outdeg[head]
    src = np.repeat(np.arange(e), counts)
    offs = np.arange(len(src)) - np.repeat(np.cumsum(counts) - counts, counts)
    dst = indptr[head][src] + offs
    turn_at = np.zeros(n, dtype=bool)
    turn_at[pos[other >= 0]] = True
    keep = (head[dst] != tail[src]) | turn_at[head[src]]
    src, dst = src[keep], dst[keep]
    uturn = np.where(head[dst] == tail[src], penalty, 0.0)
    ends = _heading_ends(csr, hs, pos, other, tail, head, penalty)
    arcs = [(src, dst, wt[dst] + uturn, ln[dst]), *ends.arcs]
    all_src = np.concatenate([a[0] for a in arcs]).astype(np.int64)
    all_dst = np.concatenate([a[1] for a in arcs]).astype(np.int64)
    all_w = np.concatenate([a[2] for a in arcs]).astype(float)
    all_l = np.concatenate([a[3] for a in arcs]).astype(float)
    terminal = np.zeros(e + ends.extra, dtype=bool)
    terminal[ends.source] = terminal[ends.sink] = True
    core, state, via, succ = _contract(all_src, all_dst, all_w, all_l, terminal, e)
    at = core.position
    return _LineGraph(
        core, state, via, succ, csr.node_ids[tail], csr.node_ids[head],
        at[ends.source], at[ends.sink], ends.sink_w, ends.sink_l,
    )  # fmt: skip


_Arcs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass
class _Ends:
    """Where headings start and end (edge states or nodes of their own) and those nodes' arcs."""

    source: np.ndarray
    sink: np.ndarray
    sink_w: np.ndarray
    sink_l: np.ndarray
    extra: int  # nodes of their own, numbered after the edge states
    arcs: list[_Arcs]


def _heading_ends(
    csr: GraphCsr,
    hs: list[Heading],
    pos: np.ndarray,
    other: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    penalty: float,
) -> _Ends:
    """A heading ``(x, o)`` starts at the state ``o -> x`` and ends at ``x -> o`` where they
    exist; else a source (arcs to the edges leaving ``x``) or sink (from those reaching it) of
    its own, priced against ``o``."""
    e, s, n = len(tail), len(hs), len(csr.node_ids)
    wt, ln = np.asarray(csr.matrix.data, dtype=float), np.asarray(csr.length, dtype=float)
    keys = csr.pair_keys
    source, sink = np.empty(s, dtype=np.int64), np.empty(s, dtype=np.int64)
    sink_w, sink_l = np.zeros(s), np.zeros(s)
    arcs: list[_Arcs] = []
    indptr = np.asarray(csr.matrix.indptr, dtype=np.int64)
    by_head = np.argsort(head, kind="stable")
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(head, minlength=n), out=in_ptr[1:])
    extra = e
    own: dict[int, list[int]] = {}  # node -> headings with a source of their own there
    own_sink: dict[int, list[int]] = {}
    for k in range(s):
        x, o = int(pos[k]), int(other[k])
        into = _state(keys, o * n + x) if o >= 0 else -1
        if into >= 0:
            source[k] = into
        else:
            source[k], extra = extra, extra + 1
            own.setdefault(x, []).append(k)
            leave = np.arange(indptr[x], indptr[x + 1])
            priced = wt[leave] + np.where(head[leave] == o, penalty, 0.0)
            arcs.append((np.full(len(leave), source[k]), leave, priced, ln[leave]))
    starts = set(source.tolist())
    for k in range(s):
        x, o = int(pos[k]), int(other[k])
        out = _state(keys, x * n + o) if o >= 0 else -1
        reach = by_head[in_ptr[x] : in_ptr[x + 1]]
        if out >= 0 and out not in starts:
            sink[k], sink_w[k], sink_l[k] = out, wt[out], ln[out]
            continue
        # a sink of its own: from the edges reaching x; where its state is also a start (a
        # segment's exit and entry), a copy of that state, so the leg drives round to it
        sink[k], extra = extra, extra + 1
        own_sink.setdefault(x, []).append(k)
        if out >= 0:
            sink_w[k], sink_l[k] = wt[out], ln[out]
        priced = sink_w[k] + np.where(tail[reach] == o, penalty, 0.0)
        arcs.append((reach, np.full(len(reach), sink[k]), priced, np.full(len(reach), sink_l[k])))
    arcs += _same_node(hs, source, sink, own, own_sink, penalty, sink_w, sink_l)
    return _Ends(source, sink, sink_w, sink_l, extra - e, arcs)


def _state(keys: np.ndarray, key: int) -> int:
    """The edge state of a node pair (``u * n + v``), or -1 where no edge joins them."""
    at = int(np.searchsorted(keys, key))
    return at if at < len(keys) and keys[at] == key else -1


def _same_node(
    hs: list[Heading],
    source: np.ndarray,
    sink: np.ndarray,
    own: dict[int, list[int]],
    own_sink: dict[int, list[int]],
    penalty: float,
    sink_w: np.ndarray,
    sink_l: np.ndarray,
) -> list[_Arcs]:
    """Legs from a source of its own to a sink of its own at one node: on, or a U-turn in place
    (and, to a copied state, its edge). Every other pair at one node meets through an edge state
    (see `_heading_ends`)."""
    pairs = [(a, b) for x, starts in own.items() for a in starts for b in own_sink.get(x, [])]
    if not pairs:
        return []
    pa = np.asarray([a for a, _ in pairs], dtype=np.int64)
    pb = np.asarray([b for _, b in pairs], dtype=np.int64)
    turn = np.asarray([hs[a].other is not None and hs[a].other == hs[b].other for a, b in pairs])
    return [(source[pa], sink[pb], sink_w[pb] + np.where(turn, penalty, 0.0), sink_l[pb])]


def _prune(src: np.ndarray, dst: np.ndarray, terminal: np.ndarray) -> np.ndarray:
    """Nodes that can lie on a path from a terminal to a terminal (dead ends dropped)."""
    m = len(terminal)
    alive = np.ones(m, dtype=bool)
    while True:
        live = alive[src] & alive[dst]
        indeg = np.bincount(dst[live], minlength=m)
        outdeg = np.bincount(src[live], minlength=m)
        dead = alive & ~terminal & ((indeg == 0) | (outdeg == 0))
        if not dead.any():
            return alive
        alive &= ~dead


def _contract(
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    ln: np.ndarray,
    terminal: np.ndarray,
    edges: int,
) -> tuple[Core, np.ndarray, sp.csr_matrix, np.ndarray]:
    """Drop dead ends, replace chains of states with one way in and out by one arc.

    Returns the core, core node -> state (-1 for sources and sinks), the ``via`` matrix and the
    successor of each contracted state (see `_LineGraph`).
    """
    m = len(terminal)
    alive = _prune(src, dst, terminal)
    live = alive[src] & alive[dst]
    src, dst, w, ln = src[live], dst[live], w[live], ln[live]
    indeg, outdeg = np.bincount(dst, minlength=m), np.bincount(src, minlength=m)
    through = alive & ~terminal & (indeg == 1) & (outdeg == 1)
    succ = np.full(m, -1, dtype=np.int64)
    nxt, acc_w, acc_l = np.arange(m), np.zeros(m), np.zeros(m)
    inner = through[src]
    succ[src[inner]] = nxt[src[inner]] = dst[inner]
    acc_w[src[inner]], acc_l[src[inner]] = w[inner], ln[inner]
    # pointer jumping to each chain's end; a chain still pointing into one after log2(m) doublings
    # is a closed loop no arc enters from outside (unreachable: dropped)
    for _ in range(max(1, int(m).bit_length() + 1)):
        if not through[nxt].any():
            break
        acc_w, acc_l, nxt = acc_w + acc_w[nxt], acc_l + acc_l[nxt], nxt[nxt]
    outer = ~inner
    a_src, first = src[outer], dst[outer]
    a_dst = nxt[first]
    a_w, a_l = w[outer] + acc_w[first], ln[outer] + acc_l[first]
    via = np.where(through[first], first, -1)
    ok = ~through[a_dst] & (a_src != a_dst)
    a_src, a_dst, a_w, a_l, via = a_src[ok], a_dst[ok], a_w[ok], a_l[ok], via[ok]
    pair = a_src * m + a_dst
    order = np.lexsort((a_l, a_w, pair))  # by pair, then fastest, then shortest
    first_of = np.ones(len(order), dtype=bool)
    first_of[1:] = pair[order][1:] != pair[order][:-1]
    pick = order[first_of]
    kept = alive & ~through
    position = np.full(m, -1, dtype=np.int64)
    position[kept] = np.arange(int(kept.sum()))
    cu, cv = position[a_src[pick]], position[a_dst[pick]]
    size = int(kept.sum())
    core = core_of_arcs(position, size, cu, cv, a_w[pick], a_l[pick])
    via_m = sp.csr_matrix((via[pick] + 1, (cu, cv)), shape=(size, size), dtype=np.int64)
    state = np.flatnonzero(kept)
    state[state >= edges] = -1
    return core, state, via_m, succ
