"""Compiled many-source searches (`routing.searches`) against scipy and a plain Dijkstra."""

from __future__ import annotations

import heapq

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from routing.searches import best_of, search_rows


def _graph(seed: int, nodes: int, arcs: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """A random directed graph (one arc per ordered pair) with many equal times, and a length per
    arc aligned with the CSR data; the last tenth of the nodes has no way in."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, nodes, arcs)
    dst = rng.integers(0, nodes - nodes // 10, arcs)
    keep = src != dst
    pair = np.unique(src[keep] * nodes + dst[keep])
    u, v = pair // nodes, pair % nodes
    w = rng.integers(1, 6, len(u)).astype(float) * 0.1  # sums of 0.1: ties and rounding
    mat = sp.csr_matrix((w, v.astype(np.int32), np.r_[0, np.cumsum(np.bincount(u, minlength=nodes))]),
                        shape=(nodes, nodes))  # fmt: skip
    return mat, rng.uniform(5.0, 500.0, len(u))


def _plain(mat: sp.csr_matrix, length: np.ndarray, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Dijkstra on (time, length) pairs: the fastest time and the shortest of the fastest paths."""
    best = {s: (0.0, 0.0)}
    heap = [(0.0, 0.0, s)]
    done: set[int] = set()
    while heap:
        t, ln, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for k in range(mat.indptr[u], mat.indptr[u + 1]):
            v = int(mat.indices[k])
            cand = (t + mat.data[k], ln + length[k])
            if v not in done and cand < best.get(v, (np.inf, np.inf)):
                best[v] = cand
                heapq.heappush(heap, (*cand, v))
    times = np.full(mat.shape[0], np.inf)
    lengths = np.full(mat.shape[0], np.inf)
    for v, (t, ln) in best.items():
        times[v], lengths[v] = t, ln
    return times, lengths


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_times_as_scipy_bit_for_bit_and_lengths_of_the_shortest_fastest_path(seed: int) -> None:
    mat, length = _graph(seed, 300, 1200)
    sources = np.array([0, 5, 17, 299, 42, 5])
    targets = np.array([3, 0, 250, 299, 7, 3, 120, 280])  # repeated, unreachable and sources
    times, lengths = search_rows(mat.indptr, mat.indices, mat.data, length, sources, targets)
    ref = dijkstra(mat, directed=True, indices=sources)[:, targets]
    assert np.array_equal(times, ref)  # the same floats, inf where unreachable
    for r, s in enumerate(sources):
        t, ln = _plain(mat, length, int(s))
        assert np.array_equal(times[r], t[targets])
        assert np.array_equal(lengths[r], ln[targets])
    assert np.isinf(lengths[~np.isfinite(times)]).all()
    assert (times[sources[:, None] == targets[None, :]] == 0.0).all()


def test_lengths_follow_the_fastest_path_not_the_shortest() -> None:
    # 0 -> 1 -> 2 is faster (2 s) but longer (300 m) than 0 -> 2 (3 s, 100 m)
    mat = sp.csr_matrix(
        (np.array([1.0, 3.0, 1.0]), np.array([1, 2, 2], dtype=np.int32), np.array([0, 2, 3, 3])),
        shape=(3, 3),
    )
    times, lengths = search_rows(
        mat.indptr, mat.indices, mat.data, np.array([150.0, 100.0, 150.0]), np.array([0]),
        np.array([2]),
    )  # fmt: skip
    assert times.tolist() == [[2.0]] and lengths.tolist() == [[300.0]]


def test_target_outside_the_graph_is_an_error() -> None:
    mat, length = _graph(4, 20, 60)
    with pytest.raises(ValueError, match="targets must be node numbers"):
        search_rows(mat.indptr, mat.indices, mat.data, length, np.array([0]), np.array([20]))


def test_best_of_is_the_first_least_column_at_its_price() -> None:
    rng = np.random.default_rng(5)
    times = rng.integers(0, 4, (6, 9)).astype(float)  # many ties
    times[rng.random(times.shape) < 0.2] = np.inf
    lengths = rng.uniform(0, 100, times.shape)
    columns = rng.integers(0, 10, (7, 3))  # 9: padding
    price = np.where(rng.random((7, 3)) < 0.5, 0.0, 2.0)
    price[columns == 9] = np.inf
    dur, dist = best_of(times, lengths, columns, price)
    pad = np.full((6, 1), np.inf)
    t_all = np.concatenate([times, pad], axis=1)[:, columns] + price
    pick = np.argmin(t_all, axis=2)[..., None]
    l_all = np.concatenate([lengths, pad], axis=1)[:, columns]
    assert np.array_equal(dur, np.take_along_axis(t_all, pick, axis=2)[..., 0])
    assert np.array_equal(dist, np.take_along_axis(l_all, pick, axis=2)[..., 0])
