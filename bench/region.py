"""Region scaling: 16 service areas planned one after another, and on a local Dask cluster of 2 workers.

The areas are 16 synthetic towns (`routing.synthetic.generate_town`, seeds 1-16, ``--households``
each) written with their own scenario files; both runs plan the same region file
(`routing.region`) with the same deterministic iteration limit, so both do the same work. The
sequential run is a fresh process planning every area in turn (``sequential=True``, no Dask); the
cluster run is a fresh process starting a ``LocalCluster`` of 2 worker processes, one thread each.
Wall time is the whole run (the cluster's start included); peak memory per worker is the largest
resident size a worker process reached (``ru_maxrss`` at the end of each of its tasks). Results:
``bench/results/region.md``; the per-area figures feed ``docs/REGION.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench._files import write_text

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "results" / "region.md"


def make_region(root: Path, *, areas: int, households: int, iterations: int) -> Path:
    """Write ``areas`` synthetic towns and a region file listing them."""
    from routing.synthetic import generate_town

    lines = [
        "[region]",
        'name = "bench region"',
        f"max_iterations = {iterations}",
        'formats = ["summary", "stops", "routes"]',
    ]
    for k in range(1, areas + 1):
        generate_town(root / f"town{k:02d}", households=households, seed=k)
        lines += [
            "",
            "[[area]]",
            f'name = "town {k:02d}"',
            f'scenario = "town{k:02d}/scenario.toml"',
        ]
    path = root / "region.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(path: str, sequential: bool, workers: int) -> dict[str, Any]:
    from routing.region import load_region, plan_region

    started = time.perf_counter()
    report = plan_region(load_region(path), sequential=sequential, workers=workers)
    wall = time.perf_counter() - started
    per_worker: dict[str, float] = {}
    for a in report.areas:
        per_worker[a.worker] = max(per_worker.get(a.worker, 0.0), a.peak_mb)
    return {
        "wall_s": wall,
        "ok": sum(a.ok for a in report.areas),
        "errors": [a.error for a in report.areas if not a.ok],
        "area_s": [a.seconds for a in report.areas if a.ok],
        "households": [a.households_in for a in report.areas if a.ok],
        "peak_mb_per_worker": per_worker,
        "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cluster": report.cluster,
    }


def _fresh(path: Path, *, sequential: bool, workers: int) -> dict[str, Any]:
    # a fresh process that may start its own (a Pool's daemonic workers may not)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        result: dict[str, Any] = pool.submit(_run, *(str(path), sequential, workers)).result()
    return result


def main() -> None:
    """Run both ways and write ``bench/results/region.md``."""
    parser = argparse.ArgumentParser(prog="python -m bench.region", description=__doc__)
    parser.add_argument("--areas", type=int, default=16)
    parser.add_argument("--households", type=int, default=600, help="households per town")
    parser.add_argument("--iterations", type=int, default=300, help="solver iterations per day")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-region-") as tmp:
        path = make_region(
            Path(tmp), areas=args.areas, households=args.households, iterations=args.iterations
        )
        print("sequential ...", flush=True)
        seq = _fresh(path, sequential=True, workers=1)
        print(json.dumps(seq), flush=True)
        print(f"local cluster of {args.workers} ...", flush=True)
        par = _fresh(path, sequential=False, workers=args.workers)
        print(json.dumps(par), flush=True)
    import dask
    import distributed

    load_after = os.getloadavg()[0]
    area_s = statistics.median(seq["area_s"])
    worker_peaks = sorted(par["peak_mb_per_worker"].values())
    text = [
        f"# Region: {args.areas} service areas, one after another and on {args.workers} Dask workers",
        "",
        f"Command: `python -m bench.region --areas {args.areas} --households {args.households} "
        f"--iterations {args.iterations} --workers {args.workers}`",
        f"Date: {started:%Y-%m-%d %H:%M} UTC. Machine: {platform.machine()}, 2 shared cores (other "
        f"engineers' work may run at the same time unless the bench holds the CPU lock: see the load "
        f"average below). Python "
        f"{platform.python_version()}, dask {dask.__version__}, distributed {distributed.__version__}. "
        f"One run each way, each a fresh process. Load average {load_before:.1f} before, {load_after:.1f} "
        "after (2 cores: where it is above 2, other work takes the cores the workers would use).",
        f"Areas: {args.areas} synthetic towns of {args.households} households, 60 % of them in the register "
        f"(private houses, collected at the gate) and 40 % in flats at container sites (seeds 1-{args.areas}), "
        f"solver {args.iterations} iterations per day (the same work both ways), outputs summary, stops "
        "and routes per area.",
        "",
        "| run | wall s | areas planned | median s per area | peak MB per worker |",
        "|---|---|---|---|---|",
        f"| sequential (one process, no Dask) | {seq['wall_s']:.1f} | {seq['ok']} | {area_s:.1f} | "
        f"{seq['main_peak_mb']:.0f} |",
        f"| {par['cluster']} | {par['wall_s']:.1f} | {par['ok']} | "
        f"{statistics.median(par['area_s']):.1f} | {', '.join(f'{m:.0f}' for m in worker_peaks)} |",
        "",
        f"Ratio sequential / cluster: **{seq['wall_s'] / par['wall_s']:.2f}x** on {args.workers} "
        "workers (the cluster's start-up included).",
    ]
    write_text(OUT, "\n".join(text) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
