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

import numba
import numpy as np

__all__ = ["best_of", "search_rows"]


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


def best_of(
    times: np.ndarray, lengths: np.ndarray, columns: np.ndarray, price: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, each output column the best of a few input columns, each at a price.

    ``columns`` and ``price`` have shape (outputs, k): output ``i`` of row ``r`` takes the least of
    ``times[r, columns[i, j]] + price[i, j]`` over ``j`` (the first such ``j`` on a tie; a column
    of ``times.shape[1]`` or more is ``inf``, padding) and the length in ``lengths`` beside it.
    A leg to a heading ends at the best of the states reaching its node (`routing.turns`);
    compiled, so the (rows, outputs, k) cells are never held.
    """
    rows = times.shape[0]
    dur = np.empty((rows, columns.shape[0]))
    dist = np.empty((rows, columns.shape[0]))
    _best_of(
        np.ascontiguousarray(times, dtype=np.float64),
        np.ascontiguousarray(lengths, dtype=np.float64),
        np.ascontiguousarray(columns, dtype=np.int64),
        np.ascontiguousarray(price, dtype=np.float64),
        dur,
        dist,
    )
    return dur, dist


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
    width = times.shape[1]
    for r in range(times.shape[0]):
        for i in range(columns.shape[0]):
            best, best_l = np.inf, np.inf
            for j in range(columns.shape[1]):
                c = columns[i, j]
                t = (times[r, c] if c < width else np.inf) + price[i, j]
                if j == 0 or t < best:
                    best = t
                    best_l = lengths[r, c] if c < width else np.inf
            dur[r, i] = best
            dist[r, i] = best_l


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
