"""Benchmark: OSM file to travel matrix on Liechtenstein, ours against networkx, pandana, igraph.

Run with ``.venv/bin/python -m bench.matrix`` (``--help`` for options). Points are building
centroids sampled (seeded) from the PBF, so they lie in the built-up areas. Every method runs in
its own fresh process (spawn) so its peak memory (``ru_maxrss``) is its own; times are medians
over the repeats. The peers get exactly our snapped graph (same nodes, edges and travel times):
their "file to matrix" time is our parse + snap plus their own graph conversion and matrix.
Results go to ``bench/results/matrix.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import resource
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from bench._files import write_text

REPO = Path(__file__).resolve().parents[1]
PBF = REPO.parent / "shared" / "data" / "osm" / "liechtenstein-2013-08-03.osm.pbf"
OUT = REPO / "bench" / "results" / "matrix.md"
SEED = 20130803
MAX_SNAP_M = 250.0
# pandana reports an unreachable pair as the largest unsigned int / 1000
_PANDANA_UNREACHABLE = 4_294_967.0


def building_centroids(path: Path) -> np.ndarray:
    """Return ``(lon, lat)`` of every building way's centroid (node mean), ordered by way id."""
    import osmium

    found: list[tuple[int, float, float]] = []
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("building"))
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    )
    for way in processor:
        coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
        if len(coords) > 1 and coords[0] == coords[-1]:
            coords = coords[:-1]
        if coords:
            lon, lat = np.mean(coords, axis=0)
            found.append((way.id, float(lon), float(lat)))
    found.sort()
    return np.array([(lon, lat) for _, lon, lat in found])


def sample_points(n: int, *, seed: int = SEED) -> np.ndarray:
    """Return ``n`` building centroids drawn without replacement with ``seed`` (the fixed one)."""
    centroids = building_centroids(PBF)
    rng = np.random.default_rng(seed)
    return centroids[np.sort(rng.choice(len(centroids), size=n, replace=False))]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _snapped(lonlat: np.ndarray, cache_dir: Path) -> tuple[Any, list[int]]:
    import geopandas as gpd
    from shapely.geometry import Point

    from routing.network import load_network
    from routing.snapping import snap_points

    net = load_network(PBF, cache_dir=cache_dir)
    pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in lonlat], crs=4326)
    res = snap_points(net, pts, max_distance_m=MAX_SNAP_M)
    # points sharing a node (same building corner, an intersection) are one row
    return res.network, list(dict.fromkeys(int(n) for n in res.points.node[res.points.ok]))


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


Record = Callable[[str, float], None]


def _ours_from_file(
    kind: str, lonlat: np.ndarray, repeats: int, cache: Path, record: Record
) -> tuple[np.ndarray | None, dict[str, Any]]:
    """Ours from the file (a fresh cache each run) or from the cached network: load, snap, matrix."""
    import geopandas as gpd
    from shapely.geometry import Point

    from routing.matrix import travel_matrix
    from routing.network import load_network
    from routing.snapping import snap_points

    sample: np.ndarray | None = None
    info: dict[str, Any] = {}
    pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in lonlat], crs=4326)
    for r in range(repeats):
        where = Path(tempfile.mkdtemp(dir=cache)) if kind == "ours_file" else cache
        t0 = time.perf_counter()
        t_load, net = _timed(lambda w=where: load_network(PBF, cache_dir=w))
        t_snap, res = _timed(lambda n=net: snap_points(n, pts, max_distance_m=MAX_SNAP_M))
        nodes = list(dict.fromkeys(int(n) for n in res.points.node[res.points.ok]))
        t_mat, m = _timed(lambda r_=res, n_=nodes: travel_matrix(r_.network, n_))
        record("total", time.perf_counter() - t0)
        record("load", t_load)
        record("snap", t_snap)
        record("matrix", t_mat)
        sample = m.duration_s[:5]
        info = {"graph_nodes": res.network.graph.number_of_nodes(), "points": len(nodes)}
        info["unreachable_pairs"] = int(np.isinf(m.duration_s).sum())
        del r
    return sample, info


def _ours_matrix(net: Any, nodes: list[int], repeats: int, record: Record, **_: Any) -> Any:
    """Ours on the snapped network, the CSR built again each time."""
    from routing.matrix import travel_matrix

    sample = None
    for _ in range(repeats):
        net._cache.clear()  # include building the CSR every time
        t, m = _timed(lambda: travel_matrix(net, nodes))
        record("matrix", t)
        sample = m.duration_s[:5]
    return sample


def _ours_time_only(net: Any, nodes: list[int], repeats: int, record: Record, **_: Any) -> Any:
    """Ours reduced to the travel-time CSR and scipy's Dijkstra (no distances, no legs)."""
    from scipy.sparse.csgraph import dijkstra

    from routing.matrix import graph_csr

    sample = None
    for _ in range(repeats):
        net._cache.clear()
        t0 = time.perf_counter()
        csr = graph_csr(net, "travel_time")
        pos = np.array([csr.index[n] for n in nodes])
        d = dijkstra(csr.matrix, indices=pos)[:, pos]
        record("matrix", time.perf_counter() - t0)
        sample = d[:5]
    return sample


def _igraph(net: Any, nodes: list[int], repeats: int, record: Record, **_: Any) -> Any:
    """igraph: our graph converted, then its distances between the points."""
    import igraph as ig

    sample = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        index = {n: i for i, n in enumerate(net.graph.nodes)}
        edges = [(index[u], index[v]) for u, v in net.graph.edges()]
        weights = [w for *_, w in net.graph.edges(data="travel_time")]
        g = ig.Graph(n=len(index), edges=edges, directed=True)
        g.es["w"] = weights
        pos = [index[n] for n in nodes]
        t1 = time.perf_counter()
        d = np.array(g.distances(source=pos, target=pos, weights="w", mode="out"))
        t2 = time.perf_counter()
        record("convert", t1 - t0)
        record("query", t2 - t1)
        record("matrix", t2 - t0)
        sample = d[:5]
    return sample


def _pandana(net: Any, nodes: list[int], repeats: int, record: Record, **_: Any) -> Any:
    """pandana: our graph converted, its contraction hierarchy built, then every pair asked."""
    import pandana
    import pandas as pd

    sample = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        index = {n: i for i, n in enumerate(net.graph.nodes)}
        xs = pd.Series([d["x"] for _, d in net.graph.nodes(data=True)])
        ys = pd.Series([d["y"] for _, d in net.graph.nodes(data=True)])
        us = pd.Series([index[u] for u, _ in net.graph.edges()])
        vs = pd.Series([index[v] for _, v in net.graph.edges()])
        w = pd.DataFrame({"t": [w for *_, w in net.graph.edges(data="travel_time")]})
        t1 = time.perf_counter()
        network = pandana.Network(xs, ys, us, vs, w, twoway=False)  # builds the CH
        t2 = time.perf_counter()
        pos = np.array([index[n] for n in nodes])
        a, b = np.repeat(pos, len(pos)), np.tile(pos, len(pos))
        with warnings.catch_warnings():  # it warns, listing every unreachable pair
            warnings.simplefilter("ignore")
            d = np.asarray(network.shortest_path_lengths(a, b, imp_name="t"), dtype=float)
        d[d >= _PANDANA_UNREACHABLE] = np.inf
        d = d.reshape(len(pos), len(pos))
        t3 = time.perf_counter()
        record("convert", t1 - t0)
        record("ch_build", t2 - t1)
        record("query", t3 - t2)
        record("matrix", t3 - t0)
        sample = d[:5]
    return sample


def _networkx(
    net: Any, nodes: list[int], repeats: int, record: Record, *, kind: str, extra: int
) -> Any:
    """networkx: ``extra`` random pairs (``networkx_pairs``) or rows (``networkx_rows``), timed
    and scaled to the whole matrix; the sample is two full rows."""
    import networkx as nx

    rng = np.random.default_rng(SEED)
    g = net.graph
    n = len(nodes)
    for _ in range(repeats):
        if kind == "networkx_pairs":
            picks = rng.integers(0, n, size=(extra, 2))
            t0 = time.perf_counter()
            for i, j in picks:
                with contextlib.suppress(nx.NetworkXNoPath):
                    nx.shortest_path_length(g, nodes[i], nodes[j], weight="travel_time")
            per = (time.perf_counter() - t0) / extra
            record("per_pair", per)
            record("matrix", per * n * n)
        else:
            rows = rng.choice(n, size=min(extra, n), replace=False)
            t0 = time.perf_counter()
            for i in rows:
                nx.single_source_dijkstra_path_length(g, nodes[i], weight="travel_time")
            per = (time.perf_counter() - t0) / len(rows)
            record("per_row", per)
            record("matrix", per * n)
    rows_sample = []
    for i in range(2):
        reach = nx.single_source_dijkstra_path_length(g, nodes[i], weight="travel_time")
        rows_sample.append([reach.get(t, np.inf) for t in nodes])
    return np.array(rows_sample)


_ON_SNAPPED: dict[str, Callable[..., Any]] = {
    "ours_matrix": _ours_matrix,
    "ours_matrix_time_only": _ours_time_only,
    "igraph": _igraph,
    "pandana": _pandana,
    "networkx_pairs": _networkx,
    "networkx_rows": _networkx,
}
"""The methods run on our snapped network, by job kind."""


def job(kind: str, lonlat: np.ndarray, repeats: int, cache_dir: str, extra: int) -> dict[str, Any]:
    """Run one method in this (fresh) process; return its timings, peak memory and a sample."""
    cache = Path(cache_dir)
    base = _peak_mb()
    times: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        times.setdefault(name, []).append(seconds)

    if kind in ("ours_file", "ours_cached"):
        sample, info = _ours_from_file(kind, lonlat, repeats, cache, record)
        base = min(base, _peak_mb())
        return {"times": times, "peak_mb": _peak_mb(), "base_mb": base, "sample": sample, **info}

    net, nodes = _snapped(lonlat, cache)
    base = _peak_mb()
    info = {"graph_nodes": net.graph.number_of_nodes(), "points": len(nodes)}
    method = _ON_SNAPPED.get(kind)
    if method is None:
        msg = f"unknown benchmark job {kind!r}"
        raise ValueError(msg)
    sample = method(net, nodes, repeats, record, kind=kind, extra=extra)
    return {"times": times, "peak_mb": _peak_mb(), "base_mb": base, "sample": sample, **info}


def _run(kind: str, lonlat: np.ndarray, repeats: int, cache: Path, extra: int = 0) -> dict:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(job, kind, lonlat, repeats, str(cache), extra).result()


def _med(result: dict, key: str) -> float:
    return statistics.median(result["times"][key])


def _fmt(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    """Run the benchmark and write ``bench/results/matrix.md``."""
    parser = argparse.ArgumentParser(prog="python -m bench.matrix", description=__doc__)
    parser.add_argument("--points", default="1000,3000", help="comma-separated point counts")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--nx-pairs", type=int, default=150, help="networkx pairs sampled")
    parser.add_argument("--nx-rows", type=int, default=20, help="networkx source rows sampled")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not PBF.exists():
        msg = f"{PBF} is absent: ../shared must sit beside the repository"
        raise SystemExit(msg)

    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    counts = [int(c) for c in args.points.split(",")]
    sections: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as tmp:
        cache = Path(tmp)
        for n in counts:
            lonlat = sample_points(n)
            print(f"[{n} points] ours: OSM file to matrix (no cache) ...", flush=True)
            fresh = _run("ours_file", lonlat, args.repeats, cache)
            cached = _run("ours_cached", lonlat, args.repeats, cache)
            results = {"ours (travel_matrix)": _run("ours_matrix", lonlat, args.repeats, cache)}
            results["ours, durations only"] = _run(
                "ours_matrix_time_only", lonlat, args.repeats, cache
            )
            for name, kind, extra in (
                ("igraph distances", "igraph", 0),
                ("pandana CH", "pandana", 0),
                ("networkx pair by pair (sampled)", "networkx_pairs", args.nx_pairs),
                ("networkx one source per row (sampled)", "networkx_rows", args.nx_rows),
            ):
                print(f"[{n} points] {name} ...", flush=True)
                results[name] = _run(kind, lonlat, max(1, args.repeats), cache, extra)
            sections.append(_section(n, fresh, cached, results))
    load = f"{load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    _write(args, started, sections, load)
    print(f"wrote {args.out}")


def _agree(sample: np.ndarray | None, reference: np.ndarray) -> str:
    if sample is None:
        return "-"
    rows = min(len(sample), len(reference))
    a, b = np.asarray(sample[:rows], dtype=float), reference[:rows]
    same_inf = np.array_equal(np.isinf(a), np.isinf(b))
    finite = np.isfinite(a) & np.isfinite(b)
    diff = float(np.max(np.abs(a[finite] - b[finite]))) if finite.any() else 0.0
    return f"{diff:.1e} s" + ("" if same_inf else " (unreachable pairs differ)")


def _section(n: int, fresh: dict, cached: dict, results: dict[str, dict]) -> str:
    ours = _med(results["ours (travel_matrix)"], "matrix")
    prep = _med(fresh, "load") + _med(fresh, "snap")
    reference = results["ours (travel_matrix)"]["sample"]
    lines = [
        f"### {n:,} points ({fresh['points']:,} distinct snapped nodes; graph of "
        f"{fresh['graph_nodes']:,} nodes after snapping; {fresh['unreachable_pairs']:,} "
        "unreachable pairs)",
        "",
        "| stage (ours) | median |",
        "|---|---:|",
        f"| parse PBF + build graph (no cache) | {_fmt(_med(fresh, 'load'))} |",
        f"| load cached graph | {_fmt(_med(cached, 'load'))} |",
        f"| snap points (split edges) | {_fmt(_med(fresh, 'snap'))} |",
        f"| matrix (time + distance) | {_fmt(_med(fresh, 'matrix'))} |",
        f"| **OSM file to matrix, no cache** | **{_fmt(_med(fresh, 'total'))}** |",
        f"| **OSM file to matrix, cached graph** | **{_fmt(_med(cached, 'total'))}** |",
        "",
        "| method | matrix alone (median) | vs ours | OSM file to matrix | peak RSS | "
        "max diff vs ours | details |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, res in results.items():
        m = _med(res, "matrix")
        details = ", ".join(
            f"{k} {_fmt(statistics.median(v))}"
            for k, v in res["times"].items()
            if k not in ("matrix",)
        )
        if "per_pair" in res["times"] or "per_row" in res["times"]:
            details += " (extrapolated to all pairs)"
        lines.append(
            f"| {name} | {_fmt(m)} | {m / ours:,.1f}x | {_fmt(prep + m)} | "
            f"{res['peak_mb']:,.0f} MB (+{res['peak_mb'] - res['base_mb']:,.0f}) | "
            f"{_agree(res['sample'], reference)} | {details} |"
        )
    lines.append("")
    return "\n".join(lines)


def _write(args: argparse.Namespace, started: dt.datetime, sections: list[str], load: str) -> None:
    packages = ["osmnx", "networkx", "scipy", "numpy", "igraph", "pandana", "osmium", "shapely"]
    versions = ", ".join(f"{p} {version(p)}" for p in packages)
    text = [
        "# Travel matrix benchmark (road network stage)",
        "",
        f"- command: `.venv/bin/python -m bench.matrix --points {args.points} "
        f"--repeats {args.repeats} --nx-pairs {args.nx_pairs} --nx-rows {args.nx_rows}`",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; Python {platform.python_version()} on "
        f"{platform.machine()}, {os.cpu_count()} cores shared with other work "
        f"(1-minute load average {load}): absolute times are inflated by that load, the "
        "methods ran one after another in the same conditions",
        f"- versions: {versions}",
        "- data: `../shared/data/osm/liechtenstein-2013-08-03.osm.pbf`; points: building "
        f"centroids sampled with seed {SEED}, snapped within {MAX_SNAP_M:.0f} m",
        "- every method in its own spawned process; times are medians over the repeats; "
        "peak RSS is the process maximum (`ru_maxrss`), in brackets what the method added "
        "to the prepared inputs",
        "- peers get our snapped graph; their *OSM file to matrix* = our parse + snap "
        "(no cache) + their conversion and matrix. networkx is timed on a sample of pairs "
        "(or source rows) and extrapolated; *max diff* compares the first rows of each "
        "duration matrix with ours",
        "",
        *sections,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, "\n".join(text))


if __name__ == "__main__":
    main()
