"""Compiled many-source searches (`routing.searches`) against scipy and a plain Dijkstra."""

from __future__ import annotations

import heapq
import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from routing.searches import BestVia, Derivation, best_of, derive_best_of, search_rows


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


@pytest.mark.parametrize("seed", [6, 7])
def test_best_via_takes_each_rows_first_best_arc_whatever_order_the_bases_come_in(
    seed: int,
) -> None:
    """Each row the best of its arcs' base rows plus the arc, the first of a row's arcs on a tie
    (its length kept), the same cells whether the bases come in order, backwards or in blocks."""
    rng = np.random.default_rng(seed)
    base_t = rng.integers(0, 5, (6, 7)).astype(float)  # many ties
    base_t[0, 2] = np.inf
    base_l = np.where(np.isfinite(base_t), rng.uniform(0, 100, base_t.shape), np.inf)
    arc_row = np.array([0, 0, 0, 2, 2, 3, 4, 4, 4, 4])  # rows 1 and 5: no arc
    arc_base = np.array([1, 3, 0, -1, 5, -1, 2, 4, 2, 1])  # -1: leads nowhere
    arc_w = rng.integers(0, 2, len(arc_row)).astype(float)
    arc_l = rng.uniform(0, 10, len(arc_row))
    results = []
    for blocks in (
        [range(6)],
        [range(i, i + 1) for i in reversed(range(6))],
        [range(3, 6), range(3)],
    ):
        for stripes, threads in ((16, 1), (2, 3)):  # rows cut in stripes, blocks from threads
            via = BestVia(arc_row, arc_base, arc_w, arc_l, rows=6, columns=7, stripes=stripes)

            def take(b: range, via: BestVia = via) -> None:
                via.take(base_t[b.start : b.stop], base_l[b.start : b.stop], b.start)

            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(take, blocks))
            results.append(via.result())
    dur, dist = results[0]
    for r in range(6):
        for c in range(7):
            best, first = (np.inf, np.inf), True
            for a in np.flatnonzero((arc_row == r) & (arc_base >= 0)):
                t = base_t[arc_base[a], c] + arc_w[a]
                if first or t < best[0]:
                    best, first = (t, base_l[arc_base[a], c] + arc_l[a]), False
            assert (dur[r, c], dist[r, c]) == best
    assert np.isinf(dur[[1, 3, 5]]).all() and np.isinf(dist[[1, 3, 5]]).all()
    for other in results[1:]:
        assert np.array_equal(other[0], dur) and np.array_equal(other[1], dist)


def test_best_of_writes_into_the_rows_it_is_given() -> None:
    rng = np.random.default_rng(8)
    times = rng.integers(0, 4, (5, 6)).astype(float)
    lengths = rng.uniform(0, 100, times.shape)
    columns = rng.integers(0, 7, (4, 2))
    price = np.where(columns == 6, np.inf, 1.0)
    out = np.full((9, 4), -1.0), np.full((9, 4), -1.0)
    dur, dist = best_of(times, lengths, columns, price, out=(out[0][2:7], out[1][2:7]))
    assert np.shares_memory(dur, out[0]) and np.shares_memory(dist, out[1])
    want = best_of(times, lengths, columns, price)
    assert np.array_equal(out[0][2:7], want[0]) and np.array_equal(out[1][2:7], want[1])
    assert (out[0][[0, 1, 7, 8]] == -1.0).all()  # the other rows untouched
    with pytest.raises(ValueError, match="out must be"):
        best_of(times, lengths, columns, price, out=(out[0][:, :3], out[1][:, :3]))


def _derivation(rng: np.random.Generator, kept: int, width: int) -> Derivation:
    """Target columns, some searched, the others derived along arcs in passes (each column at
    most once a pass, as `routing.turns` builds them), some of them on a loop."""
    direct = np.where(rng.random(width) < 0.4, rng.integers(0, kept, width), -1)
    derived = np.flatnonzero(direct < 0)
    src, dst, passes = [], [], [0]
    for _ in range(6):  # passes
        for d in rng.choice(derived, size=min(3, len(derived)), replace=False):
            src.append(
                int(rng.integers(0, kept))
                if rng.random() < 0.5
                else -1 - int(rng.integers(0, width))
            )
            dst.append(int(d))
        passes.append(len(src))
    cycle = derived[:3]  # a closed loop among derived columns
    loop = []
    for a, b in zip(cycle, np.roll(cycle, -1), strict=True):
        src.append(-1 - int(a))
        dst.append(int(b))
        loop.append(len(src) - 1)
    passes.append(len(src))
    w = rng.integers(0, 3, len(src)).astype(float)  # ties
    return Derivation(
        direct.astype(np.int64), np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), w,
        rng.uniform(0, 50, len(src)), np.array(passes, dtype=np.int64),
        np.array(loop, dtype=np.int64), np.array([0, 1, 2, 3], dtype=np.int64),
    )  # fmt: skip


def _derived_columns(
    times: np.ndarray, lengths: np.ndarray, d: Derivation
) -> tuple[np.ndarray, np.ndarray]:
    """The derivation in numpy, a pass at a time over all rows (as `routing.turns` did it)."""
    t_out = np.full((times.shape[0], len(d.direct)), np.inf)
    l_out = np.full(t_out.shape, np.inf)
    ok = d.direct >= 0
    t_out[:, ok], l_out[:, ok] = times[:, d.direct[ok]], lengths[:, d.direct[ok]]

    def relax(arcs: np.ndarray) -> bool:
        src, dst = d.src[arcs], d.dst[arcs]
        kept = src >= 0
        t_src = np.where(kept, times[:, np.maximum(src, 0)], t_out[:, np.maximum(-1 - src, 0)])
        l_src = np.where(kept, lengths[:, np.maximum(src, 0)], l_out[:, np.maximum(-1 - src, 0)])
        cand = t_src + d.w[arcs]
        better = cand < t_out[:, dst]
        t_out[:, dst] = np.where(better, cand, t_out[:, dst])
        l_out[:, dst] = np.where(better, l_src + d.ln[arcs], l_out[:, dst])
        return bool(better.any())

    for lo, hi in itertools.pairwise(d.passes.tolist()):
        relax(np.arange(lo, hi))
    for _ in range(len(d.loop)):
        if not any([relax(d.loop[lo:hi]) for lo, hi in itertools.pairwise(d.loop_passes.tolist())]):
            break
    return t_out, l_out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_derived_columns_then_best_of_as_numpy_a_pass_at_a_time(seed: int) -> None:
    """Row by row, compiled, the same floats as the derivation pass by pass over a block (the
    bypassed leg ends of `routing.turns`), then `best_of` over them."""
    rng = np.random.default_rng(seed)
    kept, width = 7, 12
    times = rng.integers(0, 6, (9, kept)).astype(float)
    times[rng.random(times.shape) < 0.2] = np.inf
    lengths = np.where(np.isfinite(times), rng.uniform(0, 100, times.shape), np.inf)
    d = _derivation(rng, kept, width)
    columns = rng.integers(0, width + 1, (10, 3))  # width: padding
    price = np.where(columns == width, np.inf, rng.integers(0, 2, columns.shape) * 2.0)
    dur, dist = derive_best_of(times, lengths, d, columns, price)
    want = best_of(*_derived_columns(times, lengths, d), columns, price)
    assert np.array_equal(dur, want[0]) and np.array_equal(dist, want[1])
