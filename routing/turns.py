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
(states), and driving from one edge onto the next costs the next edge's time. A U-turn is only
ever worth making where a leg starts or ends: a U-turn *inside* a leg is never on a fastest path
(a walk ``t -> u -> v -> u -> s`` costs more than ``t -> u -> s``, which at worst turns at ``u``
for the same price; repeated, the turn moves back to where the leg starts, where the heading's
own price applies). So the graph has no U-turn arcs at all: each distinct heading ``(x, o)`` has
a start node of its own, joined to the states leaving ``x`` (the one towards ``o`` at
``uturn_penalty_s``), and a leg to heading ``(y, p)`` ends at the best state reaching ``y`` (the
one from ``p`` at the price). Two headings at one node also meet standing still: free, or the
price where both name the same ``other``. Every U-turn on a leg is paid, in seconds of duration
only (distance stays metres driven).

Cost: without U-turn arcs, states in dead ends that hold no heading lose their way out and are
dropped, and every state with one way on (a street between two junctions) is contracted into the
arcs that reach it (times and lengths summed; ``via`` and ``succ`` keep the chain, so `leg_nodes`
traces the leg state by state). Only the states reaching a heading's node stay as leg ends; a start
node has no way in, so no other row's search ever settles it.

Shared rows: a state with one way on reaches everything through its successor, so its row is its
successor's row plus the arc, except at the leg ends on that chain itself, which it reaches first.
Each start arc is therefore followed along such states to the first state with two or more ways on
(its *base*; `_Chains`), and the searches run from the distinct bases only: the headings of the
points along one street share the bases at its two ends (on Liechtenstein with 1,474 points, 1,234
searches instead of 2,858). A heading's row is then the best of its start arcs (the arc and chain
added to the base's row), and the leg ends met on a chain are set to the time along it (never later
than round by the base). The bases are searched on a smaller graph still: a leg-end state with one
way on is bypassed there like any other (`_Search`), and its column is the best of its ways in, taken
street by street in order (a column's ways in are final before it is read), so the searches run on
about the junction states only. The searches (`routing.searches.search_rows`, compiled, through
the shortest-path core `routing.matrix` makes public) run from the bases in blocks shared by
threads, each carrying the length along the fastest path beside its time and stopping once the
block's leg ends are settled, and each block is reduced to the headings' columns at once, row by
row in compiled code straight into the rows of the result (`routing.searches.derive_best_of`), so
the rows over all leg-end states are never held whole. Distinct headings are numbered in the
order they are first asked for, so where the headings are distinct (a plan's are) the rows and
columns come out in the caller's order and the matrix is never permuted afterwards (a copy of both
matrices, as large as the result). Memory new to the process is what the heading matrix paid
most for where earlier results are still held (`BENCHMARKS.md`, "Heading matrix"), so nothing of
the order of the result is made beside it: each block of the bases' rows goes into the rows of
the start arcs leading there as it is searched (`routing.searches.BestVia`) and is dropped, so the
bases' rows are never held together; the result is written cell by cell, never filled first,
by both threads at once (its rows cut in stripes, each with a lock). Times are the same shortest
times (sums in another order: equal to about 1e-12 s); where two paths are exactly as fast, the
shorter one's length is reported (as in `routing.matrix`).

By day: `heading_pricer` builds the contracted graph once for all of a plan's headings and
`HeadingPricer.take` prices the legs between some of them only (a collection day's: a search from
each of their starts to their leg ends, on the states between them only: the other days' start
nodes and the dead ends only they need are left out, node order kept, so each search settles the
same states in the same order and the cells are the same bit for bit), so the planner holds and
computes each day's cells, about a fifth of the week's, and never the week's matrix;
`durations_from` and `durations_to` give the times from and to a few headings (the landfills, for
the schedule; the columns searched backwards).

Evidence: `tests/test_turns.py` compares every time (and the length where the path is the same) with
Dijkstra on the edge-based graph written out plainly, U-turn arcs everywhere, on two real
extracts (Bayreuth, Liechtenstein); `bench/turns.py` gives the times beside the node matrix.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from routing.matrix import (
    Core,
    arc_lengths,
    core_of_arcs,
    graph_csr,
    node_positions,
    search_blocks,
    shortest_rows,
)
from routing.network import RoadNetwork
from routing.searches import BestVia, Derivation, best_of, derive_best_of

__all__ = [
    "Heading",
    "HeadingMatrix",
    "HeadingPricer",
    "heading_matrix",
    "heading_pricer",
    "leg_nodes",
]

log = logging.getLogger(__name__)

#: searches from the chains' ends only where they are at most this share of the starts: their rows
#: are held beside the result (bases x headings), worth it only where they save many searches (set
#: by that memory argument, not tuned; see BENCHMARKS.md "Heading matrix")
SHARED_BELOW = 0.6


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

    def take(
        self,
        rows: Sequence[int] | range,
        *,
        workers: int | None = None,
        on_rows: Callable[[int, int], None] | None = None,
    ) -> HeadingMatrix:
        """The matrix between some of its headings only (``rows``, in that order), as a copy.

        Legs stay traceable (`leg_nodes`) by the new row numbers. A day's model holds its own
        headings' matrix this way, not the week's: a fifth of the rows, a 25th of the cells.
        ``workers`` and ``on_rows`` are those of `HeadingPricer.take` (nothing to compute here).
        """
        at = np.asarray(rows, dtype=np.int64)
        line = self._line
        if line is not None:
            line = dataclasses.replace(line, row=line.row[at])
        return HeadingMatrix(
            [self.headings[i] for i in at],
            self.duration_s[np.ix_(at, at)],
            self.distance_m[np.ix_(at, at)],
            line,
        )

    def durations_from(self, rows: Sequence[int]) -> np.ndarray:
        """Times from ``headings[rows]`` to every heading, shape (rows, headings)."""
        return np.asarray(self.duration_s[np.asarray(rows, dtype=np.int64), :])

    def durations_to(self, columns: Sequence[int]) -> np.ndarray:
        """Times from every heading to ``headings[columns]``, shape (headings, columns)."""
        return np.asarray(self.duration_s[:, np.asarray(columns, dtype=np.int64)])


@dataclass
class _LineGraph:
    """The contracted edge-based graph, where each heading's legs start and how they end.

    Every distinct heading ``(x, o)`` has a start node of its own (nothing leads into it) joined
    to the edge states leaving ``x``, the one towards ``o`` at the U-turn price. A leg ends at
    one of the states reaching its end node (``ends``: core nodes, ``-1`` padded), at the price
    in ``end_extra`` (the U-turn price where that state comes from the heading's ``other``). A
    core arc standing for a contracted chain of edge states starts that chain at ``via`` (else
    0); each state of a chain has one successor, ``succ``.
    """

    core: Core
    state: np.ndarray  # core node -> edge state (start nodes: -1)
    via: sp.csr_matrix  # core arc (p, q) -> first contracted edge state + 1 (0: a direct arc)
    succ: np.ndarray  # edge state -> its one successor in a contracted chain (-1: none)
    tail: np.ndarray  # edge state -> graph node it leaves
    head: np.ndarray  # edge state -> graph node it reaches
    row: np.ndarray  # heading -> its distinct heading (the rows and columns computed)
    source: np.ndarray  # distinct heading -> its start node in the core
    ends: np.ndarray  # (distinct headings, k): core nodes a leg may end at
    end_extra: np.ndarray  # (distinct headings, k): price added there (inf: padding)
    at: np.ndarray  # distinct heading -> graph node position
    turn: np.ndarray  # distinct heading -> position of its ``other`` (-1: none)
    penalty: float  # the U-turn price


def heading_matrix(
    network: RoadNetwork,
    headings: Sequence[Heading],
    *,
    uturn_penalty_s: float = 60.0,
    weight: str = "travel_time",
    workers: int | None = None,
    on_rows: Callable[[int, int], None] | None = None,
    shared_below: float = SHARED_BELOW,
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
    shared_below
        Search only from the chain ends the starts lead to where they are at most this share of
        the starts (0: always a search per start); the results are the same either way.

    Returns
    -------
    HeadingMatrix
        Float64 matrices; where headings repeat, their rows and columns are copies.
    """
    pricer = heading_pricer(
        network, headings, uturn_penalty_s=uturn_penalty_s, weight=weight,
        shared_below=shared_below,
    )  # fmt: skip
    return pricer.take(range(len(pricer.headings)), workers=workers, on_rows=on_rows)


def heading_pricer(
    network: RoadNetwork,
    headings: Sequence[Heading],
    *,
    uturn_penalty_s: float = 60.0,
    weight: str = "travel_time",
    shared_below: float = SHARED_BELOW,
) -> HeadingPricer:
    """The edge-based graph of ``network`` built once for ``headings``, to price legs between
    any of them later (`HeadingPricer.take`); parameters as `heading_matrix`.

    Raises
    ------
    ValueError
        If ``uturn_penalty_s`` or ``shared_below`` is negative, or a heading's ``other`` is not
        a neighbour of its node.
    """
    if uturn_penalty_s < 0 or shared_below < 0:
        msg = (
            f"uturn_penalty_s and shared_below must be >= 0, got {uturn_penalty_s}, {shared_below}"
        )
        raise ValueError(msg)
    hs = tuple(headings)
    return HeadingPricer(hs, _line_graph(network, list(hs), weight, uturn_penalty_s), shared_below)


@dataclass(frozen=True)
class HeadingPricer:
    """Legs between some of a set of headings, priced on demand (a day's, not the week's).

    Made by `heading_pricer`: the contracted edge-based graph is built once for all
    ``headings`` (linear in the network); `take` then prices only the legs between the headings
    asked for, so a week's plan holds and computes each day's cells, about a fifth of the
    week's. Results equal `heading_matrix`'s between the same headings (the same searches on
    the same graph, from fewer starts to fewer ends).

    Attributes
    ----------
    headings
        The headings rows are taken from.
    shared_below
        As in `heading_matrix`.
    """

    headings: tuple[Heading, ...]
    _line: _LineGraph = field(repr=False)
    shared_below: float = SHARED_BELOW

    def take(
        self,
        rows: Sequence[int] | range,
        *,
        workers: int | None = None,
        on_rows: Callable[[int, int], None] | None = None,
    ) -> HeadingMatrix:
        """The matrix between ``headings[rows]`` (in that order), legs traceable (`leg_nodes`);
        ``workers`` and ``on_rows`` as in `heading_matrix`."""
        at = np.asarray(rows, dtype=np.int64)
        line = _sub_line(self._line, at)
        targets, where = _end_columns(line)
        chains = _chains(line.core, line.source, targets)
        # the shared searches read every leg end the graph was contracted for (`_search_graph`
        # bypasses the others), so only the whole set of headings may share them
        whole = len(line.source) == len(self._line.source)
        if whole and len(chains.bases) <= self.shared_below * len(line.source):
            duration, distance = _shared_rows(line, where, targets, chains, workers, on_rows)
        else:  # few share a street: a search from each start, nothing held beside the result

            def gather(
                times: np.ndarray, lengths: np.ndarray, out_t: np.ndarray, out_l: np.ndarray
            ) -> None:  # each leg: its best end state, into the result's rows
                best_of(times, lengths, where, line.end_extra, out=(out_t, out_l))

            # on the states between these starts and ends only (another day's dead ends and
            # starts left out): the same searches, node for node, on a smaller graph
            core, new = _between(line.core, line.source, targets)
            duration, distance = shortest_rows(
                core, new[line.source], new[targets], workers, on_rows, gather=gather,
                width=len(line.source),
            )  # fmt: skip
        _stand_still(line, duration, distance, line.penalty)
        if len(line.source) != len(at) or not np.array_equal(line.row, np.arange(len(at))):
            duration = duration[np.ix_(line.row, line.row)]
            distance = distance[np.ix_(line.row, line.row)]
        log.debug(
            "heading matrix %d × %d on %d core nodes, searched from %d of %d starts' chain ends",
            len(at), len(at), line.core.matrix.shape[0], len(chains.bases), len(line.source),
        )  # fmt: skip
        return HeadingMatrix([self.headings[i] for i in at], duration, distance, line)

    def durations_from(self, rows: Sequence[int]) -> np.ndarray:
        """Fastest times from ``headings[rows]`` to every heading, shape (rows, headings)."""
        line = self._line
        distinct = line.row[np.asarray(rows, dtype=np.int64)]
        targets, where = _end_columns(line)
        times = dijkstra(line.core.matrix, directed=True, indices=line.source[distinct])
        times = np.atleast_2d(times)[:, targets]
        pad = np.full((times.shape[0], 1), np.inf)
        dur = np.min(np.concatenate([times, pad], axis=1)[:, where] + line.end_extra, axis=2)
        _stand_still(line, dur, np.zeros_like(dur), line.penalty, sources=distinct)
        return np.asarray(dur[:, line.row])

    def durations_to(self, columns: Sequence[int]) -> np.ndarray:
        """Fastest times from every heading to ``headings[columns]``, shape (headings, columns):
        one search per column, backwards from the states that end a leg there."""
        line = self._line
        back = line.core.matrix.T.tocsr()
        out = np.empty((len(self.headings), len(columns)))
        for c, heading in enumerate(line.row[np.asarray(columns, dtype=np.int64)]):
            out[:, c] = _times_to(line, back, int(heading))[line.row]
        return out


def _between(core: Core, sources: np.ndarray, targets: np.ndarray) -> tuple[Core, np.ndarray]:
    """The part of ``core`` the searches from ``sources`` to ``targets`` can use, and each core
    node's position in it (-1: left out).

    Kept: the states reached from a source that reach a target, the targets and the sources (the
    other start nodes, e.g. another day's, and the dead ends of another day's streets go). No
    node left out lies on a way from a source to a kept node, and the kept ones stay in their
    order with every arc among them, so the searches settle them in the same order with the same
    predecessors: the times and lengths of `shortest_rows` are the same, bit for bit
    (`tests/test_turns.py`; every day of the 28,298-household valley), on a graph that is smaller
    where a day's headings are a few of the week's.
    """
    size = core.matrix.shape[0]
    if not len(sources) or not len(targets):
        return core, np.arange(size)
    ahead = np.isfinite(dijkstra(core.matrix, directed=True, indices=sources, min_only=True))
    back = core.matrix.T.tocsr()
    behind = np.isfinite(dijkstra(back, directed=True, indices=targets, min_only=True))
    keep = ahead & behind
    keep[sources] = keep[targets] = True
    if keep.all():
        return core, np.arange(size)
    m = size - core.starts
    new = np.full(size, -1, dtype=np.int64)
    new[keep] = np.arange(int(keep.sum()))
    arcs = core.matrix.tocoo()
    ok = keep[arcs.row] & keep[arcs.col]
    u, v = arcs.row[ok].astype(np.int64), arcs.col[ok].astype(np.int64)
    lengths = arc_lengths(core, u, v)
    starts = int(keep[m:].sum())  # still the last nodes: nothing leads into a start
    position = np.where(core.position >= 0, new[np.maximum(core.position, 0)], -1)
    sub = core_of_arcs(
        position, int(keep.sum()), new[u], new[v], arcs.data[ok], lengths, starts=starts
    )
    return sub, new


def _sub_line(line: _LineGraph, rows: np.ndarray) -> _LineGraph:
    """The same graph with only some headings' starts and ends (``rows``: into ``line.row``)."""
    distinct, row = _in_first_order(line.row[rows])
    return dataclasses.replace(
        line, row=row, source=line.source[distinct], ends=line.ends[distinct],
        end_extra=line.end_extra[distinct], at=line.at[distinct], turn=line.turn[distinct],
    )  # fmt: skip


def _in_first_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``values`` in the order they first occur, and each value's index among them.

    Distinct headings are numbered so: where the headings asked for are distinct (as a plan's
    are), their rows come out in the caller's order and the matrix is never permuted (a copy of
    both matrices, the size of the result, which was a third of the heading matrix's time).
    """
    uniq, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return uniq[order], rank[np.asarray(inverse).ravel()]


def _end_columns(line: _LineGraph) -> tuple[np.ndarray, np.ndarray]:
    """The end states searched for (core nodes) and, per (heading, end), its column among them
    (padding: one past the last, an ``inf`` column)."""
    targets, slot = np.unique(line.ends[line.ends >= 0], return_inverse=True)
    where = np.full(line.ends.shape, len(targets), dtype=np.int64)
    where[line.ends >= 0] = slot
    return targets, where


def _times_to(line: _LineGraph, back: sp.csr_matrix, heading: int) -> np.ndarray:
    """Fastest times from every distinct heading of ``line`` to ``heading``, searched backwards
    (``back``: the core's arcs reversed) from the states ending a leg there, at their prices."""
    ends, extra = line.ends[heading], line.end_extra[heading]
    best = np.full(back.shape[0], np.inf)
    for price in np.unique(extra[ends >= 0]):
        starts = ends[(ends >= 0) & (extra == price)]
        best = np.minimum(
            best, dijkstra(back, directed=True, indices=starts, min_only=True) + price
        )
    out = best[line.source]
    same = np.flatnonzero(line.at == line.at[heading])  # standing still, as `_stand_still`
    both = (line.turn[same] >= 0) & (line.turn[same] == line.turn[heading])
    out[same] = np.minimum(out[same], np.where(both, line.penalty, 0.0))
    return out


def _shared_rows(
    line: _LineGraph,
    where: np.ndarray,
    targets: np.ndarray,
    chains: _Chains,
    workers: int | None,
    on_rows: Callable[[int, int], None] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every start's row from the searches at its chains' ends (see the module notes): each block
    of bases' rows, once reduced to the headings' columns, goes into the rows of the start arcs
    leading there (`BestVia`) and is dropped; then the leg ends met on the chains themselves."""
    search = _search_graph(line.core, chains.bases, targets)
    heads = len(line.source)
    rows = BestVia(
        chains.arc_row, chains.arc_base, chains.arc_w, chains.arc_l, rows=heads, columns=heads
    )

    def take(times: np.ndarray, lengths: np.ndarray, bases: slice) -> None:
        # the bypassed leg ends' columns, then each leg its best end state
        base_t, base_l = derive_best_of(times, lengths, search.derivation, where, line.end_extra)
        rows.take(base_t, base_l, bases.start)

    search_blocks(search.core, search.sources, search.kept, workers, on_rows, take=take)
    dur, dist = rows.result()
    _apply_fixes(line, where, chains, dur, dist)
    return dur, dist


@dataclass(frozen=True)
class _Chains:
    """Where each start's arcs lead once every state with one way on is followed to its end.

    A core node with one way on reaches everything through its successor, so its row is that
    row plus the arc, except at the targets on the chain itself. Following every start arc along
    such a chain to its end (a state with two or more ways on: a base) leaves the searches to the
    bases, which headings on one street share. Per start arc (``arc_*``): its distinct heading,
    its base (index into ``bases``; -1: the chain ends nowhere further, or loops) and the time and
    length from the start to that base. ``fix_*``: the targets met on the chain, reached before
    the base: (start arc, target column, time, length).
    """

    bases: np.ndarray
    arc_row: np.ndarray
    arc_base: np.ndarray
    arc_w: np.ndarray
    arc_l: np.ndarray
    fix_arc: np.ndarray
    fix_target: np.ndarray
    fix_w: np.ndarray
    fix_l: np.ndarray


def _chains(core: Core, sources: np.ndarray, targets: np.ndarray) -> _Chains:
    """Follow every start arc along states with one way on (see `_Chains`), all arcs at once."""
    mat = core.matrix
    m = mat.shape[0]
    indptr = np.asarray(mat.indptr, dtype=np.int64)
    single = np.diff(indptr) == 1
    first = np.minimum(indptr[:-1], max(0, mat.nnz - 1))
    succ = np.where(single, mat.indices[first], -1).astype(np.int64)
    step_w = np.where(single, mat.data[first], 0.0)
    step_l = np.zeros(m)
    step_l[single] = arc_lengths(core, np.flatnonzero(single), succ[single])
    column = np.full(m, -1, dtype=np.int64)
    column[targets] = np.arange(len(targets))
    arc_row, arc = _fan_out(indptr, sources)
    cur = np.asarray(mat.indices[arc], dtype=np.int64)
    acc_w = np.asarray(mat.data[arc], dtype=float)
    acc_l = arc_lengths(core, sources[arc_row], cur)
    fixes: list[tuple[np.ndarray, ...]] = []
    live = np.arange(len(cur))
    for _ in range(int(single.sum()) + 1):  # a chain longer than that loops
        col = column[cur[live]]
        hit = col >= 0
        fixes.append((live[hit], col[hit], acc_w[live][hit], acc_l[live][hit]))
        live = live[single[cur[live]]]
        if not len(live):
            break
        at = cur[live]
        acc_w[live] += step_w[at]
        acc_l[live] += step_l[at]
        cur[live] = succ[at]
    ended = ~single[cur] & (np.diff(indptr)[cur] > 0)  # a loop or a dead end has no base
    ended[live] = False
    bases, arc_base = np.unique(cur[ended], return_inverse=True)
    base_of = np.full(len(cur), -1, dtype=np.int64)
    base_of[ended] = arc_base
    fa, ft, fw, fl = (np.concatenate(parts) for parts in zip(*fixes, strict=True))
    return _Chains(bases, arc_row, base_of, acc_w, acc_l, fa, ft, fw, fl)


@dataclass(frozen=True)
class _Search:
    """The graph the bases are searched on, and how each leg-end column follows from its rows.

    Leg ends with one way on (a state on a street, most of them) are bypassed like any such
    state, so the searches run on a graph of about the junction states only; a bypassed leg end's
    time is the best of its ways in (``derivation``: from a kept node's column or from another
    bypassed leg end's), taken in ``level`` order so one pass settles a street of them; arcs
    among bypassed leg ends on a closed loop are taken again until stable (usually none).
    """

    core: Core
    sources: np.ndarray  # the bases, as search-graph nodes
    kept: np.ndarray  # search-graph nodes whose rows are read (the columns of `shortest_rows`)
    derivation: Derivation  # the target columns from the kept ones' (direct: -1 where derived)


def _search_graph(core: Core, bases: np.ndarray, targets: np.ndarray) -> _Search:
    """Bypass the leg-end states with one way on; see `_Search`."""
    mat = core.matrix.tocoo()
    m = mat.shape[0] - core.starts
    real = mat.row < m  # arcs from start nodes: not searched from a base
    u, v = mat.row[real].astype(np.int64), mat.col[real].astype(np.int64)
    w = np.asarray(mat.data[real], dtype=float)
    ln = arc_lengths(core, u, v)
    terminal = np.bincount(u, minlength=m) != 1
    terminal[bases] = True
    small, _, _, _ = _contract(u, v, w, ln, terminal, m)
    pos = small.position
    column = np.full(m, -1, dtype=np.int64)
    column[targets] = np.arange(len(targets))
    derived = pos[targets] < 0
    keep_into = derived[column[v]] & (column[v] >= 0)
    into_u, into_v = u[keep_into], v[keep_into]
    from_kept = pos[into_u] >= 0
    from_derived = ~from_kept & (column[into_u] >= 0) & derived[np.maximum(column[into_u], 0)]
    ok = from_kept | from_derived
    into_u, into_v, from_kept = into_u[ok], into_v[ok], from_kept[ok]
    kept_nodes, kept_index = np.unique(
        np.concatenate([pos[targets[~derived]], pos[into_u[from_kept]]]), return_inverse=True
    )
    column_of_kept = np.full(len(targets), -1, dtype=np.int64)
    column_of_kept[~derived] = kept_index[: int((~derived).sum())]
    src = np.where(from_kept, 0, -1 - column[into_u])
    src[from_kept] = kept_index[int((~derived).sum()) :]
    dst = column[into_v]
    level, loop = _levels(src, dst, len(targets))
    arc_w, arc_l = w[keep_into][ok], ln[keep_into][ok]
    step = _steps(level, dst)
    order = np.argsort(step, kind="stable")  # the arcs in the order they are taken
    src, dst, arc_w, arc_l, step = src[order], dst[order], arc_w[order], arc_l[order], step[order]
    loop = np.argsort(order)[loop]
    loop_step = _steps(np.zeros(len(loop), dtype=np.int64), dst[loop])
    by_pass = np.argsort(loop_step, kind="stable")
    loop, loop_step = loop[by_pass], loop_step[by_pass]
    derivation = Derivation(
        column_of_kept, src, dst, arc_w, arc_l, _pass_starts(step), loop, _pass_starts(loop_step)
    )
    return _Search(small, pos[bases], kept_nodes, derivation)


def _pass_starts(step: np.ndarray) -> np.ndarray:
    """Where each pass starts among arcs sorted by pass (``step``), and their number at the end."""
    bounds = np.flatnonzero(np.diff(step)) + 1
    return np.asarray([0, *bounds.tolist(), len(step)], dtype=np.int64)


def _steps(level: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Pass numbers: by level, and arcs into one column of one level in separate passes."""
    order = np.lexsort((dst, level))
    rank = np.zeros(len(order), dtype=np.int64)
    same = (level[order][1:] == level[order][:-1]) & (dst[order][1:] == dst[order][:-1])
    for k in np.flatnonzero(same):
        rank[k + 1] = rank[k] + 1
    step = np.empty(len(order), dtype=np.int64)
    step[order] = level[order] * (int(rank.max(initial=0)) + 1) + rank
    return step


def _levels(src: np.ndarray, dst: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Per arc, the pass it is taken in: 0 from a kept node, else the pass after which its tail
    column is final (every arc into it taken). Arcs never final (closed loops) come back apart.
    """
    inner = src < 0
    tail = np.where(inner, -1 - src, 0)
    final = np.full(columns, -1, dtype=np.int64)  # the pass after which a column is final
    arc_level = np.where(inner, -1, 0)
    head = np.zeros(columns, dtype=bool)
    head[dst] = True  # the derived columns
    while True:
        waiting = np.bincount(dst[arc_level < 0], minlength=columns) > 0
        top = np.zeros(columns, dtype=np.int64)
        np.maximum.at(top, dst, arc_level)
        now = head & ~waiting & (final < 0)
        if not now.any():
            break
        final[now] = top[now] + 1
        arc_level = np.where(inner & (final[tail] >= 0), final[tail], arc_level)
    loop = np.flatnonzero(arc_level < 0)
    return np.maximum(arc_level, 0), loop


def _apply_fixes(
    line: _LineGraph, where: np.ndarray, chains: _Chains, dur: np.ndarray, dist: np.ndarray
) -> None:
    """Targets met on a start arc's chain, at the headings that end there (in place)."""
    h, k = np.nonzero(line.ends >= 0)  # every (heading, end state)
    order = np.argsort(where[h, k], kind="stable")
    h, k = h[order], k[order]
    keys = where[h, k]
    lo = np.searchsorted(keys, chains.fix_target, side="left")
    hi = np.searchsorted(keys, chains.fix_target, side="right")
    n = hi - lo
    fix = np.repeat(np.arange(len(lo)), n)
    pos = np.repeat(lo, n) + (np.arange(len(fix)) - np.repeat(np.cumsum(n) - n, n))
    row, col = chains.arc_row[chains.fix_arc[fix]], h[pos]
    t = chains.fix_w[fix] + line.end_extra[h[pos], k[pos]]
    ln = chains.fix_l[fix]
    # the best per cell first; then keep it where not slower than the way by the bases
    order = np.lexsort((t, col, row))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (row[order][1:] != row[order][:-1]) | (col[order][1:] != col[order][:-1])
    pick = order[first]
    row, col, t, ln = row[pick], col[pick], t[pick], ln[pick]
    keep = t <= dur[row, col]
    dur[row[keep], col[keep]] = t[keep]
    dist[row[keep], col[keep]] = ln[keep]


def _stand_still(
    line: _LineGraph,
    dur: np.ndarray,
    dist: np.ndarray,
    penalty: float,
    *,
    sources: np.ndarray | None = None,
) -> None:
    """Legs between two headings at one node may stand still: free, or the U-turn price where
    both name the same ``other``; a loop round the block wins only where faster (in place).
    ``sources``: the distinct headings of ``dur``'s rows (None: all, in order).
    """
    rows = np.arange(dur.shape[0]) if sources is None else np.asarray(sources, dtype=np.int64)
    i, j = _same_node_pairs(line, rows)
    if len(i):
        same_turn = (line.turn[rows[i]] >= 0) & (line.turn[rows[i]] == line.turn[j])
        still = np.where(same_turn, penalty, 0.0)
        better = still <= dur[i, j]
        dur[i[better], j[better]] = still[better]
        dist[i[better], j[better]] = 0.0
    for lo in range(0, len(dur), 256):  # a block of rows at a time: no mask the size of the result
        np.putmask(dist[lo : lo + 256], ~np.isfinite(dur[lo : lo + 256]), np.inf)


def _same_node_pairs(line: _LineGraph, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into ``rows``, column) of every pair of distinct headings at one node."""
    order = np.argsort(line.at, kind="stable")
    keys = line.at[order]
    start = np.searchsorted(keys, line.at[rows], side="left")
    stop = np.searchsorted(keys, line.at[rows], side="right")
    counts = stop - start
    i = np.repeat(np.arange(len(rows)), counts)
    offs = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    j = order[np.repeat(start, counts) + offs]
    return i, j


def leg_nodes(matrix: HeadingMatrix, i: int, j: int) -> list[int]:
    """The graph nodes of the leg from heading ``i`` to heading ``j``, as priced in ``matrix``.

    Consecutive nodes are adjacent on the road graph (a node repeated two apart is a U-turn).
    Empty where there is no way.
    """
    line = matrix._line
    if line is None:
        msg = "this HeadingMatrix carries no graph to trace legs on"
        raise ValueError(msg)
    if not np.isfinite(matrix.duration_s[i, j]):
        return []
    a, b = int(line.row[i]), int(line.row[j])
    if line.at[a] == line.at[b] and matrix.distance_m[i, j] == 0.0:
        same_turn = line.turn[a] >= 0 and line.turn[a] == line.turn[b]
        if float(matrix.duration_s[i, j]) == (line.penalty if same_turn else 0.0):
            return [matrix.headings[i].node]  # standing still (or turning where it stands)
    src = int(line.source[a])
    # nothing beyond the leg's own time needs settling
    limit = float(matrix.duration_s[i, j]) * (1 + 1e-9) + 1e-6
    dist, pred = dijkstra(
        line.core.matrix, directed=True, indices=src, return_predecessors=True, limit=limit
    )
    ok = line.ends[b] >= 0
    cost = np.full(len(ok), np.inf)
    cost[ok] = dist[line.ends[b][ok]] + line.end_extra[b][ok]
    dst = int(line.ends[b][int(np.argmin(cost))])
    chain = [dst]
    while chain[-1] != src:
        chain.append(int(pred[chain[-1]]))
    chain.reverse()
    states: list[int] = []
    for p, q in itertools.pairwise(chain):
        f = _via(line.via, p, q) - 1  # the contracted chain of edge states behind this arc
        while f >= 0 and line.succ[f] >= 0:
            states.append(f)
            f = int(line.succ[f])
        states.append(int(line.state[q]))
    nodes = [int(line.tail[states[0]])]
    nodes += [int(line.head[e]) for e in states]
    return nodes


def _via(via: sp.csr_matrix, p: int, q: int) -> int:
    """``via[p, q]`` (0: no entry), read from the CSR arrays: scipy's own indexing costs tens of
    microseconds a call, and a plan's legs look up every arc they take (at 28,298 households
    32,000 of them)."""
    lo, hi = int(via.indptr[p]), int(via.indptr[p + 1])
    at = np.flatnonzero(via.indices[lo:hi] == q)
    return int(via.data[lo + at[0]]) if len(at) else 0


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
    """The edge-based graph without U-turns, a start node per distinct heading, contracted."""
    csr = graph_csr(network, weight)
    n = len(csr.node_ids)
    tail = (csr.pair_keys // n).astype(np.int64)
    head = (csr.pair_keys % n).astype(np.int64)
    wt, ln = np.asarray(csr.matrix.data, dtype=float), np.asarray(csr.length, dtype=float)
    e = len(tail)  # edges are sorted by tail, so csr.matrix.indptr indexes the edges leaving a node
    indptr = np.asarray(csr.matrix.indptr, dtype=np.int64)
    pos = node_positions(csr, [h.node for h in hs])
    other = np.asarray([_other_position(network, csr.index, h) for h in hs], dtype=np.int64)
    keys, row = _in_first_order(pos * (n + 1) + other + 1)
    at, turn = keys // (n + 1), keys % (n + 1) - 1
    # edge -> next edge, never straight back: a U-turn is only ever worth it where a leg starts
    # or ends (see the module notes), and there the start and end prices below pay for it
    src, dst = _fan_out(indptr, head)
    keep = head[dst] != tail[src]
    src, dst = src[keep], dst[keep]
    s_src, s_dst = _fan_out(indptr, at)
    s_w = wt[s_dst] + np.where(head[s_dst] == turn[s_src], penalty, 0.0)
    arcs_src = np.concatenate([src, e + s_src])
    arcs_dst = np.concatenate([dst, s_dst])
    terminal = np.zeros(e + len(at), dtype=bool)
    terminal[e:] = True
    on_heading = np.zeros(n, dtype=bool)
    on_heading[at] = True
    terminal[:e] = on_heading[head]  # the states a leg may end at
    core, state, via, succ = _contract(
        arcs_src, arcs_dst, np.concatenate([wt[dst], s_w]), np.concatenate([ln[dst], ln[s_dst]]),
        terminal, e,
    )  # fmt: skip
    ends, extra = _end_states(core.position, tail, head, at, turn, n, penalty)
    return _LineGraph(
        core, state, via, succ, csr.node_ids[tail], csr.node_ids[head], row,
        core.position[e + np.arange(len(at))], ends, extra, at, turn, penalty,
    )  # fmt: skip


def _fan_out(indptr: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of ``nodes``, (entry, edge) for every edge leaving that node."""
    counts = np.diff(indptr)[nodes]
    src = np.repeat(np.arange(len(nodes)), counts)
    offs = np.arange(len(src)) - np.repeat(np.cumsum(counts) - counts, counts)
    return src, indptr[nodes][src] + offs


def _end_states(
    position: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    at: np.ndarray,
    turn: np.ndarray,
    n: int,
    penalty: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct heading, the core nodes of the states reaching its node and their prices."""
    by_head = np.argsort(head, kind="stable")
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(head, minlength=n), out=in_ptr[1:])
    counts = in_ptr[at + 1] - in_ptr[at]
    k = max(1, int(counts.max(initial=1)))
    ends = np.full((len(at), k), -1, dtype=np.int64)
    extra = np.full((len(at), k), np.inf)
    h = np.repeat(np.arange(len(at)), counts)
    slot = np.arange(len(h)) - np.repeat(np.cumsum(counts) - counts, counts)
    edge = by_head[in_ptr[at][h] + slot]
    core = position[edge]
    ok = core >= 0  # a state dropped as unreachable ends nothing
    ends[h[ok], slot[ok]] = core[ok]
    extra[h[ok], slot[ok]] = np.where(tail[edge[ok]] == turn[h[ok]], penalty, 0.0)
    return ends, extra


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
    """Drop dead ends, bypass every state with one way on (its ways in lead past it).

    Returns the core, core node -> state (-1 for sources and sinks), the ``via`` matrix and the
    successor of each contracted state (see `_LineGraph`).
    """
    m = len(terminal)
    alive = _prune(src, dst, terminal)
    live = alive[src] & alive[dst]
    src, dst, w, ln = src[live], dst[live], w[live], ln[live]
    outdeg = np.bincount(src, minlength=m)
    through = alive & ~terminal & (outdeg == 1)  # every way in goes on the same way
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
    starts = int(kept[edges:].sum())  # numbered last, and nothing leads into them
    core = core_of_arcs(position, size, cu, cv, a_w[pick], a_l[pick], starts=starts)
    via_m = sp.csr_matrix((via[pick] + 1, (cu, cv)), shape=(size, size), dtype=np.int64)
    state = np.flatnonzero(kept)
    state[state >= edges] = -1
    return core, state, via_m, succ
