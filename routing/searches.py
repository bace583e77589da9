"""Many shortest-path searches on a CSR graph, times and lengths summed together, compiled.

Why
---
The day matrices (`routing.turns`) and the node matrix (`routing.matrix`) need, from each of
many sources, the fastest time to a few target nodes and the length driven along that fastest
path. ``scipy.sparse.csgraph.dijkstra`` gives times and a predecessor tree; the lengths were then
summed up the tree by pointer jumping (``log2(depth)`` passes over every cell of the block) and
the targets' columns picked afterwards. At 28,298 households that was half the matrix stage
beside the searches themselves, and it grew with the rows times the whole graph.

How
---
`search_rows` runs Dijkstra (a binary heap with lazy deletion) from each source in turn,
compiled by numba (``nogil``, so the caller's threads share the sources), carrying the length
along with the time: a node's length is its predecessor's plus the arc's, summed in path order
as its time is. A search stops once every target is settled (their cells are final then) and
writes only the targets' cells; nothing of the size of the graph is kept per row.

Times are the same bit for bit as scipy's: with non-negative weights every exact label-setting
search gives each node the least over all paths of the time summed from the source in path
order (rounding is monotonic), whatever its heap. Where two paths are exactly as fast, the
length of the shorter one known when the node is settled is kept (scipy keeps the first found);
lengths are summed from the source, not in pointer-jumping order (equal to about 1e-12 m).
Unreached targets are ``inf`` in both.

`best_of` then turns each block's rows over target states into rows over headings (a leg ends
at the best of the states reaching its node, each at its price) in one compiled pass, where
numpy held a (rows, headings, states a node) temporary.
`BestVia` derives each heading's row from the rows searched at its start arcs' bases (the shared
searches of `routing.turns`), compiled, where numpy copied base rows per arc (at 1,474
Liechtenstein points a quarter of the heading matrix once the searches were compiled). It takes
each block of base rows as it is searched and adds it into the rows of the arcs leading there,
keeping which arc holds each cell (a byte) so that the first arc still wins a tie whatever order
the blocks come in: the bases' rows are never held together (bases x headings, 51 MB at 1,474
points beside the 130 MB result), and the result is never filled first. `derive_best_of` derives the bypassed leg ends' columns of a block
(`Derivation`: each the best of its ways in, pass by pass) and then does `best_of`, row by row
with one row of target columns held, straight into the result's rows: numpy held and copied
blocks of all target columns, a few temporaries the size of the block per pass.

The compiled functions are cached on disk (numba's ``cache=True``: beside this file, or in the
user's cache folder where that is not writable), so only the first run on a machine compiles them.

Evidence: ``tests/test_searches.py`` compares times with scipy bit for bit and lengths with a
plain Dijkstra on (time, length) pairs on random graphs with ties and unreachable parts, and
`best_of` with numpy's first least column. On the 28,298-household valley (seed 2022) the five
day matrices took 7.1 CPU s before and 4.1 after (one process each, shared machine), every time
the same float and every length within 5e-11 m (`BENCHMARKS.md`, "Growth curve"). The searches
are still a day's headings times its part of the valley: this makes each settled state cheaper
and drops the per-cell passes, it does not search fewer states.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["BestVia", "Derivation", "best_of", "derive_best_of", "search_rows", "threads_for"]


def search_rows(
    indptr: np.ndarray,
    indices: np.ndarray,
    weight: np.ndarray,
    length: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Fastest times from each source to each target and the lengths along those paths.

    Parameters
    ----------
    indptr, indices, weight
        The graph as CSR arrays (arc ``k`` leaves node ``i`` for ``indptr[i] <= k <
        indptr[i + 1]`` and reaches ``indices[k]`` in ``weight[k]``, >= 0).
    length
        Each arc's length, aligned with ``weight``.
    sources, targets
        Node numbers; targets may repeat (their columns are copies).

    Returns
    -------
    times, lengths
        Shape (sources, targets); ``inf`` in both where a target cannot be reached.
    """
    nodes = len(indptr) - 1
    uniq, inverse = np.unique(np.asarray(targets, dtype=np.int64), return_inverse=True)
    if len(uniq) and (uniq[0] < 0 or uniq[-1] >= nodes):
        msg = f"targets must be node numbers 0..{nodes - 1}, got {uniq[0]}..{uniq[-1]}"
        raise ValueError(msg)
    column = np.full(nodes, -1, dtype=np.int64)
    column[uniq] = np.arange(len(uniq))
    times = np.full((len(sources), len(uniq)), np.inf)
    lengths = np.full((len(sources), len(uniq)), np.inf)
    _search(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int32),
        np.asarray(weight, dtype=np.float64),
        np.asarray(length, dtype=np.float64),
        np.asarray(sources, dtype=np.int64),
        column,
        times,
        lengths,
    )
    if len(uniq) == len(targets) and np.array_equal(uniq, targets):
        return times, lengths
    return times[:, inverse], lengths[:, inverse]


def threads_for(workers: int | None) -> int:
    """Threads to share searches or rows among: ``workers``, or None for the CPUs, at most 4."""
    return max(1, workers) if workers is not None else min(4, os.cpu_count() or 1)


def best_of(
    times: np.ndarray,
    lengths: np.ndarray,
    columns: np.ndarray,
    price: np.ndarray,
    *,
    out: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, each output column the best of a few input columns, each at a price.

    ``columns`` and ``price`` have shape (outputs, k): output ``i`` of row ``r`` takes the least of
    ``times[r, columns[i, j]] + price[i, j]`` over ``j`` (the first such ``j`` on a tie; a column
    of ``times.shape[1]`` or more is ``inf``, padding) and the length in ``lengths`` beside it.
    A leg to a heading ends at the best of the states reaching its node (`routing.turns`);
    compiled, so the (rows, outputs, k) cells are never held. ``out``: two float64 arrays of
    shape (rows, outputs) to write into (e.g. a block of the result's rows), else new ones.
    """
    rows = times.shape[0]
    dur, dist = _out_pair(out, (rows, columns.shape[0]))
    _best_of(
        np.ascontiguousarray(times, dtype=np.float64),
        np.ascontiguousarray(lengths, dtype=np.float64),
        np.ascontiguousarray(columns, dtype=np.int64),
        np.ascontiguousarray(price, dtype=np.float64),
        dur,
        dist,
    )
    return dur, dist


@dataclass(frozen=True)
class Derivation:
    """How target columns follow from the columns searched (`derive_best_of`).

    Column ``c`` starts as the searched column ``direct[c]`` (-1: ``inf``); then each arc ``a``,
    in order, offers its tail (``src[a] >= 0``: searched column ``src[a]``; else target column
    ``-1 - src[a]``) plus ``w[a]`` (length ``ln[a]``) to target column ``dst[a]``, taken where
    strictly faster. Arcs form passes (``passes``: where each starts, and the end): every arc of
    a pass reads the columns as they were before it. ``loop``: arcs (indices) taken again, pass
    by pass (``loop_passes``), until a round changes nothing, at most ``len(loop)`` rounds.
    """

    direct: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    w: np.ndarray
    ln: np.ndarray
    passes: np.ndarray
    loop: np.ndarray
    loop_passes: np.ndarray


def derive_best_of(
    times: np.ndarray,
    lengths: np.ndarray,
    derivation: Derivation,
    columns: np.ndarray,
    price: np.ndarray,
    *,
    out: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The target columns of each row derived (`Derivation`), then `best_of` over them.

    Row by row in one compiled pass: a row's target columns are held once (one row, reused),
    never a block of them, and the result goes straight into ``out`` where given (as `best_of`).
    The bypassed leg ends of `routing.turns` are such derived columns.
    """
    d = derivation
    dur, dist = _out_pair(out, (times.shape[0], columns.shape[0]))
    _derive_best_of(
        np.ascontiguousarray(times, dtype=np.float64),
        np.ascontiguousarray(lengths, dtype=np.float64),
        d.direct, d.src, d.dst, d.w, d.ln, d.passes, d.loop, d.loop_passes,
        np.ascontiguousarray(columns, dtype=np.int64),
        np.ascontiguousarray(price, dtype=np.float64),
        dur, dist,
    )  # fmt: skip
    return dur, dist


def _out_pair(
    out: tuple[np.ndarray, np.ndarray] | None, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """``out`` checked (float64, C-contiguous rows, ``shape``), or two new uninitialised arrays."""
    if out is None:
        return np.empty(shape), np.empty(shape)
    for a in out:
        if a.shape != shape or a.dtype != np.float64 or not a.flags.c_contiguous:
            msg = f"out must be two C-contiguous float64 arrays of shape {shape}"
            raise ValueError(msg)
    return out


class BestVia:
    """Rows each the best of its arcs to base rows, taken block by block as the bases come.

    Arc ``a`` leads row ``arc_row[a]`` to base ``arc_base[a]`` (-1: nowhere, skipped) in
    ``arc_w[a]`` (length ``arc_l[a]``); arcs are sorted by ``arc_row``, and of a row's arcs as
    fast as each other the first wins (its length is kept). A heading's row from its start arcs'
    bases (`routing.turns`): `take` is given each block of base rows as it is searched, in any
    order and from any thread, and adds it into the rows of the arcs leading there, so the bases'
    rows are never held together (bases x columns, a third of the result's size on
    Liechtenstein). Which arc holds each cell is kept (one byte a cell) so that blocks coming out
    of order give the same cells as the arcs taken in order; `result` gives the rows (``inf``
    where a row has no arc), every cell written by the arcs, never filled first.

    The rows are cut into ``stripes``, each with a lock: threads add their blocks into different
    stripes at once, so the result's pages, written here for the first time, are touched by
    every thread (on this machine memory new to the process costs about 2 ms a MB from one
    thread and half that from two; `BENCHMARKS.md`, "Heading matrix").
    """

    def __init__(
        self,
        arc_row: np.ndarray,
        arc_base: np.ndarray,
        arc_w: np.ndarray,
        arc_l: np.ndarray,
        *,
        rows: int,
        columns: int,
        stripes: int = 16,
    ) -> None:
        arc_row = np.asarray(arc_row, dtype=np.int64)
        arc_base = np.asarray(arc_base, dtype=np.int64)
        rank = np.arange(len(arc_row)) - np.searchsorted(arc_row, arc_row)  # place in its row
        dtype = np.uint8 if rank.max(initial=0) < 255 else np.int64
        bases = int(arc_base.max(initial=-1)) + 1
        ok = np.flatnonzero(arc_base >= 0)
        order = ok[np.argsort(arc_base[ok], kind="stable")]
        self._base_ptr = np.searchsorted(arc_base[order], np.arange(bases + 1)).astype(np.int64)
        self._row = np.ascontiguousarray(arc_row[order])
        self._base = np.ascontiguousarray(arc_base[order])
        self._rank = np.ascontiguousarray(rank[order], dtype=dtype)
        self._w = np.ascontiguousarray(np.asarray(arc_w, dtype=np.float64)[order])
        self._l = np.ascontiguousarray(np.asarray(arc_l, dtype=np.float64)[order])
        self.dur = np.empty((rows, columns))
        self.dist = np.empty((rows, columns))
        self._held = np.empty((rows, columns), dtype=dtype)
        self._seen = np.zeros(rows, dtype=np.bool_)
        self._stripe_rows = max(1, -(-rows // max(1, stripes)))
        self._locks = [threading.Lock() for _ in range(-(-rows // self._stripe_rows))]

    def take(self, base_t: np.ndarray, base_l: np.ndarray, first: int) -> None:
        """Add the rows of bases ``first, first + 1, ...`` (``base_t``, ``base_l``: one row each).

        Stripe by stripe, each under its lock; a stripe another thread holds is taken later.
        """
        stop = min(first + base_t.shape[0], len(self._base_ptr) - 1)
        if stop <= first:
            return
        base_t = np.ascontiguousarray(base_t, dtype=np.float64)
        base_l = np.ascontiguousarray(base_l, dtype=np.float64)
        lo, hi = int(self._base_ptr[first]), int(self._base_ptr[stop])
        if hi <= lo:
            return
        arcs = lo + np.argsort(self._row[lo:hi] // self._stripe_rows, kind="stable")
        stripe = self._row[arcs] // self._stripe_rows
        cuts = np.flatnonzero(np.diff(stripe)) + 1
        pending = list(zip(stripe[np.r_[0, cuts]].tolist(), np.split(arcs, cuts), strict=True))
        while pending:
            left = [
                (k, part) for k, part in pending if not self._add(k, part, base_t, base_l, first)
            ]
            if len(left) == len(pending):  # every stripe left is another thread's: wait for one
                k, part = left.pop(0)
                self._add(k, part, base_t, base_l, first, wait=True)
            pending = left

    def _add(
        self,
        stripe: int,
        arcs: np.ndarray,
        base_t: np.ndarray,
        base_l: np.ndarray,
        first: int,
        *,
        wait: bool = False,
    ) -> bool:
        """Take ``arcs`` (all into ``stripe``) if its lock is free or ``wait``; True if taken."""
        lock = self._locks[stripe]
        if not lock.acquire(blocking=wait):
            return False
        try:
            _best_via(
                base_t, base_l, arcs, self._base[arcs] - first, self._row, self._rank, self._w,
                self._l, self.dur, self.dist, self._held, self._seen,
            )  # fmt: skip
        finally:
            lock.release()
        return True

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows (``inf`` where no arc leads anywhere); call once every base is taken."""
        none = ~self._seen
        self.dur[none] = np.inf
        self.dist[none] = np.inf
        return self.dur, self.dist


@numba.njit(cache=True, nogil=True)
def _best_via(
    base_t: np.ndarray,
    base_l: np.ndarray,
    arcs: np.ndarray,
    at: np.ndarray,
    arc_row: np.ndarray,
    arc_rank: np.ndarray,
    arc_w: np.ndarray,
    arc_l: np.ndarray,
    dur: np.ndarray,
    dist: np.ndarray,
    held: np.ndarray,
    seen: np.ndarray,
) -> None:
    """Take ``arcs`` into ``dur`` and ``dist`` (see `BestVia`): arc ``arcs[i]`` reads row
    ``at[i]`` of the block ``base_t``, ``base_l``."""
    for i in range(len(arcs)):
        a, b = arcs[i], at[i]
        r, k, w, ln = arc_row[a], arc_rank[a], arc_w[a], arc_l[a]
        if not seen[r]:  # the row's first arc taken: every cell
            for c in range(dur.shape[1]):
                dur[r, c] = base_t[b, c] + w
                dist[r, c] = base_l[b, c] + ln
                held[r, c] = k
            seen[r] = True
            continue
        for c in range(dur.shape[1]):
            cand = base_t[b, c] + w
            if cand < dur[r, c] or (cand == dur[r, c] and k < held[r, c]):
                dur[r, c] = cand
                dist[r, c] = base_l[b, c] + ln
                held[r, c] = k


@numba.njit(cache=True, nogil=True)
def _derive_best_of(
    times: np.ndarray,
    lengths: np.ndarray,
    direct: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    ln: np.ndarray,
    passes: np.ndarray,
    loop: np.ndarray,
    loop_passes: np.ndarray,
    columns: np.ndarray,
    price: np.ndarray,
    dur: np.ndarray,
    dist: np.ndarray,
) -> None:
    """Fill ``dur`` and ``dist`` (see `derive_best_of`)."""
    width = len(direct)
    col_t = np.empty(width)
    col_l = np.empty(width)
    every = np.arange(len(src))
    most = 0
    for p in range(len(passes) - 1):
        most = max(most, passes[p + 1] - passes[p])
    for p in range(len(loop_passes) - 1):
        most = max(most, loop_passes[p + 1] - loop_passes[p])
    cand_t = np.empty(most)
    cand_l = np.empty(most)
    for r in range(times.shape[0]):
        for c in range(width):
            k = direct[c]
            col_t[c] = times[r, k] if k >= 0 else np.inf
            col_l[c] = lengths[r, k] if k >= 0 else np.inf
        _take_passes(
            times, lengths, r, src, dst, w, ln, every, passes, col_t, col_l, cand_t, cand_l
        )
        for _ in range(len(loop)):
            if not _take_passes(
                times, lengths, r, src, dst, w, ln, loop, loop_passes, col_t, col_l, cand_t,
                cand_l,
            ):  # fmt: skip
                break
        _best_of_row(col_t, col_l, columns, price, dur[r], dist[r])


@numba.njit(cache=True, nogil=True, inline="always")
def _take_passes(
    times: np.ndarray,
    lengths: np.ndarray,
    r: int,
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    ln: np.ndarray,
    arcs: np.ndarray,
    passes: np.ndarray,
    col_t: np.ndarray,
    col_l: np.ndarray,
    cand_t: np.ndarray,
    cand_l: np.ndarray,
) -> bool:
    """Take ``arcs`` pass by pass into row ``r``'s columns; True if any column improved."""
    changed = False
    for p in range(len(passes) - 1):
        lo, hi = passes[p], passes[p + 1]
        for i in range(lo, hi):  # every arc of a pass reads the columns before the pass
            a = arcs[i]
            s = src[a]
            t0 = times[r, s] if s >= 0 else col_t[-1 - s]
            l0 = lengths[r, s] if s >= 0 else col_l[-1 - s]
            cand_t[i - lo] = t0 + w[a]
            cand_l[i - lo] = l0 + ln[a]
        for i in range(lo, hi):
            d = dst[arcs[i]]
            if cand_t[i - lo] < col_t[d]:
                col_t[d] = cand_t[i - lo]
                col_l[d] = cand_l[i - lo]
                changed = True
    return changed


@numba.njit(cache=True, nogil=True)
def _best_of(
    times: np.ndarray,
    lengths: np.ndarray,
    columns: np.ndarray,
    price: np.ndarray,
    dur: np.ndarray,
    dist: np.ndarray,
) -> None:
    """Fill ``dur`` and ``dist`` (see `best_of`)."""
    for r in range(times.shape[0]):
        _best_of_row(times[r], lengths[r], columns, price, dur[r], dist[r])


@numba.njit(cache=True, nogil=True, inline="always")
def _best_of_row(
    row_t: np.ndarray,
    row_l: np.ndarray,
    columns: np.ndarray,
    price: np.ndarray,
    dur: np.ndarray,
    dist: np.ndarray,
) -> None:
    """One row of `best_of`: ``dur[i]``, ``dist[i]`` from ``row_t``, ``row_l``."""
    width = len(row_t)
    for i in range(columns.shape[0]):
        best, best_l = np.inf, np.inf
        for j in range(columns.shape[1]):
            c = columns[i, j]
            t = (row_t[c] if c < width else np.inf) + price[i, j]
            if j == 0 or t < best:
                best = t
                best_l = row_l[c] if c < width else np.inf
        dur[i] = best
        dist[i] = best_l


@numba.njit(cache=True, nogil=True)
def _search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weight: np.ndarray,
    length: np.ndarray,
    sources: np.ndarray,
    column: np.ndarray,
    times: np.ndarray,
    lengths: np.ndarray,
) -> None:
    """Fill ``times`` and ``lengths`` (rows: sources; columns: ``column`` of the targets)."""
    nodes = len(indptr) - 1
    wanted = 0
    for v in range(nodes):
        if column[v] >= 0:
            wanted += 1
    dist = np.full(nodes, np.inf)
    dlen = np.zeros(nodes)
    done = np.zeros(nodes, dtype=np.bool_)
    touched = np.empty(nodes, dtype=np.int32)
    heap_t = np.empty(len(indices) + 1)
    heap_v = np.empty(len(indices) + 1, dtype=np.int32)
    for r in range(len(sources)):
        s = np.int32(sources[r])
        n_touched = 0
        dist[s] = 0.0
        dlen[s] = 0.0
        touched[n_touched] = s
        n_touched += 1
        heap_t[0] = 0.0
        heap_v[0] = s
        size = 1
        left = wanted
        while size > 0 and left > 0:
            t, u = heap_t[0], heap_v[0]
            size -= 1
            _sift_down(heap_t, heap_v, size)
            if done[u] or t > dist[u]:
                continue
            done[u] = True
            if column[u] >= 0:
                times[r, column[u]] = t
                lengths[r, column[u]] = dlen[u]
                left -= 1
            for k in range(indptr[u], indptr[u + 1]):
                v = indices[k]
                if done[v]:
                    continue
                cand = t + weight[k]
                if cand < dist[v]:
                    if dist[v] == np.inf:
                        touched[n_touched] = v
                        n_touched += 1
                    dist[v] = cand
                    dlen[v] = dlen[u] + length[k]
                    _sift_up(heap_t, heap_v, size, cand, v)
                    size += 1
                elif cand == dist[v] and dlen[u] + length[k] < dlen[v]:
                    dlen[v] = dlen[u] + length[k]  # as fast and shorter
        for i in range(n_touched):
            v = touched[i]
            dist[v] = np.inf
            done[v] = False


@numba.njit(cache=True, nogil=True, inline="always")
def _sift_up(heap_t: np.ndarray, heap_v: np.ndarray, size: int, t: float, v: int) -> None:
    """Put (t, v) into the heap of ``size`` entries (it becomes size + 1 long)."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if heap_t[parent] <= t:
            break
        heap_t[i], heap_v[i] = heap_t[parent], heap_v[parent]
        i = parent
    heap_t[i], heap_v[i] = t, v


@numba.njit(cache=True, nogil=True, inline="always")
def _sift_down(heap_t: np.ndarray, heap_v: np.ndarray, size: int) -> None:
    """After the top was taken: move the last entry (now at ``size``) down from the top."""
    if size == 0:
        return
    t, v = heap_t[size], heap_v[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and heap_t[child + 1] < heap_t[child]:
            child += 1
        if heap_t[child] >= t:
            break
        heap_t[i], heap_v[i] = heap_t[child], heap_v[child]
        i = child
    heap_t[i], heap_v[i] = t, v
