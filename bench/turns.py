"""The U-turn-priced heading matrix beside the node matrix on the same points (Liechtenstein).

Each point (a building snapped into the street, so a node halfway along it) gives two headings, one per
neighbour, as a container passed through or a segment end does in the planner; the node matrix is the
peer run in the same process on the same snapped network. Medians of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy

from bench._files import write_text
from bench.matrix import PBF, SEED, _peak_mb, _snapped, sample_points
from routing.network import RoadNetwork
from routing.turns import Heading

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "results" / "turns.md"


def _headings(net: RoadNetwork, nodes: list[int]) -> list[Heading]:
    g = net.graph
    out = []
    for n in nodes:
        near = sorted((set(g.successors(n)) | set(g.predecessors(n))) - {n})
        out += [Heading(n, o) for o in near[:2]] if near else [Heading(n)]
    return out


def _row(n: int, repeats: int, cache: Path, *, seed: int = SEED) -> str:
    from routing.matrix import travel_matrix
    from routing.turns import heading_matrix

    net, nodes = _snapped(sample_points(n, seed=seed), cache)
    heads = _headings(net, nodes)
    t_node, t_head = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        node = travel_matrix(net, nodes)
        t_node.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        head = heading_matrix(net, heads, uturn_penalty_s=60.0)
        t_head.append(time.perf_counter() - t0)
    free = np.isfinite(node.duration_s).mean()
    finite = np.isfinite(head.duration_s).mean()
    mn, mh = statistics.median(t_node), statistics.median(t_head)
    return (
        f"| {len(nodes)} | {len(heads)} | {mn:.2f} | {mh:.2f} | {mh / mn:.1f}× | "
        f"{free:.3f} / {finite:.3f} | {_peak_mb():.0f} |"
    )


def main() -> None:
    """Run the benchmark and write ``bench/results/turns.md``."""
    parser = argparse.ArgumentParser(prog="python -m bench.turns", description=__doc__)
    parser.add_argument("--points", default="500,1500", help="comma-separated point counts")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--seed", type=int, default=SEED,
        help=f"seed of the sampled buildings (default {SEED}, the samples the method was timed on; "
        "another seed gives points the method was not developed on)",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=OUT, help=f"result file (default {OUT})")
    args = parser.parse_args()
    if not PBF.exists():
        msg = f"{PBF} is absent: ../shared must sit beside the repository"
        raise SystemExit(msg)
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        for n in (int(c) for c in args.points.split(",")):
            print(f"[{n} points] node matrix and heading matrix ...", flush=True)
            rows.append(_row(n, args.repeats, Path(tmp), seed=args.seed))
    ratios = " and ".join(r.split("|")[5].strip() for r in rows)
    text = [
        "# Heading matrix (U-turns priced) against the node matrix",
        "",
        f"Command: `python -m bench.turns --points {args.points} --repeats {args.repeats}"
        + (f" --seed {args.seed}`" if args.seed != SEED else "`"),
        f"Date: {started:%Y-%m-%d %H:%M} UTC. Machine: {platform.machine()}, 2 shared cores. "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}. "
        f"Load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (2 cores: above "
        "2 the times are stretched; the ratio, both in one process in turn, less so).",
        "Data: building centroids of `../shared/data/osm/liechtenstein-2013-08-03.osm.pbf` snapped into the "
        f"streets (seed {args.seed}); each point gives a heading per neighbour (at most two). Times are medians of "
        "the repeats, both matrices in the same process on the same network, in turn; peak memory is the "
        "process's.",
        "",
        "| points | headings | node matrix s | heading matrix s | ratio | reachable pairs node / heading | "
        "peak MB |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        "The heading matrix runs Dijkstra on the edge-based graph without U-turn arcs (a U-turn only "
        "pays where a leg starts or ends, and is priced there). Where the headings' start arcs lead along "
        "streets to few enough junction states (bases: at most 0.6 of the starts), it searches from the "
        "bases only, on a graph with the leg ends of one way on bypassed, and derives each heading's row "
        "from its bases' rows; else from a start node per distinct heading (`routing/turns.py`). It costs "
        f"{ratios} the node matrix here (goal: at most 3x). Results: equal to Dijkstra on the plain "
        "edge-based graph with U-turn arcs everywhere (`tests/test_turns.py`, Bayreuth and Liechtenstein "
        "extracts: every time, and the length wherever both take the same path).",
    ]
    write_text(args.output, "\n".join(text) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
