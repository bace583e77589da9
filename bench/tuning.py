"""Benchmark of one search setting, by default PyVRP's granular neighbourhood: ours (25) against its
default (50).

Run ``.venv/bin/python -m bench.tuning`` (options: ``--param neighbours``, ``--seeds 1,3``,
``--values 25,50``, ``--kim 1051_stop``, ``--kim-time-limit 60``, ``--cvrp X-n1001-k43``,
``--cvrp-time-limit 30``). Each run is the whole engine (``Model.solve``, both cores) with the
field ``--param`` of :class:`routing.solver.params.SolveParams` set to the value under test (passed
to the solve, never written into a module); the values alternate within a seed so that both see
the same load on this shared machine. Kim plans are judged by
:func:`routing.readers.kim_check.check_kim_solution` and measured in Manhattan miles from the solution;
CVRP plans by :func:`routing.solver.checker.check` against the model. Writes
``bench/results/tuning.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import platform
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench._files import write_text
from bench.solver import BENCH_DATA, CVRP, _git_state, _versions, result_to_kim_json
from routing.readers import (
    check_kim_solution,
    kim_solution_summary,
    kim_to_model,
    read_kim,
    read_vrplib,
)
from routing.solver.checker import check
from routing.solver.params import SolveParams

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "tuning.md"


@dataclass(frozen=True)
class Run:
    """One solve: the setting, the seed and what came out."""

    instance: str
    value: float
    seed: int
    vehicles: int
    distance: float
    feasible: bool


def _kim_run(name: str, params: SolveParams, value: float, seed: int, time_limit_s: float) -> Run:
    inst = read_kim(BENCH_DATA / "wcvrptw" / f"{name}.txt")
    model = kim_to_model(inst, fixed_cost=10_000.0)
    result = model.solve(time_limit_s=time_limit_s, seed=seed, workers=2, params=params)
    solution = result_to_kim_json(inst, model, result, "this project")
    summary = kim_solution_summary(inst, solution)
    ok = not check_kim_solution(inst, solution) and not result.unserved
    return Run(name, value, seed, summary.vehicles, summary.miles, ok)


def _cvrp_run(name: str, params: SolveParams, value: float, seed: int, time_limit_s: float) -> Run:
    model = read_vrplib(BENCH_DATA / "cvrp" / f"{name}.vrp")
    result = model.solve(time_limit_s=time_limit_s, seed=seed, workers=2, params=params)
    ok = not check(model, result) and not result.unserved
    return Run(name, value, seed, result.num_vehicles, result.distance_m, ok)


def _series(
    name: str,
    path: Path,
    run: Callable[[str, SolveParams, float, int, float], Run],
    seeds: list[int],
    field: str,
    values: list[float],
    time_limit_s: float,
) -> list[Run]:
    """Every value under every seed, the order alternating by seed; none when ``path`` is absent."""
    if not path.exists():
        return []
    runs = []
    for seed in seeds:
        for v in values if seed % 2 else values[::-1]:
            print(f"[{name}] {field} {v}, seed {seed} ...", file=sys.stderr, flush=True)
            params = dataclasses.replace(SolveParams(), **{field: v})
            runs.append(run(name, params, v, seed, time_limit_s))
    return runs


def _table(
    runs: list[Run], field: str, unit: str, values: list[float], ref: float | None = None
) -> list[str]:
    lines = [
        f"| instance | {field} | seed | vehicles | {unit} | checker |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.instance} | {r.value} | {r.seed} | {r.vehicles} | {r.distance:,.1f} "
            f"| {'yes' if r.feasible else '**no**'} |"
        )
    lines.append("")
    medians = {}
    for v in values:
        mine = [r.distance for r in runs if r.value == v]
        if mine:
            medians[v] = statistics.median(mine)
            gap = f" ({100 * (medians[v] - ref) / ref:+.2f} % over the best known)" if ref else ""
            lines.append(f"- {field} {v}: median {medians[v]:,.1f} {unit}{gap}")
    if len(medians) >= 2:
        first, *rest = values
        for v in rest:
            lines.append(f"- ratio {first} / {v}: {medians[first] / medians[v]:.3f}")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Run the neighbourhood comparison and write ``bench/results/tuning.md``."""
    parser = argparse.ArgumentParser(prog="python -m bench.tuning", description=__doc__)
    # the engine's two searches use seeds s and s + 1: odd seeds keep the runs apart
    parser.add_argument("--seeds", default="1,3")
    names = [f.name for f in dataclasses.fields(SolveParams)]
    parser.add_argument("--param", default="neighbours", choices=names)
    parser.add_argument("--values", default=None, help="comma list; default: ours, then 50")
    parser.add_argument("--kim", default="1051_stop")
    parser.add_argument("--kim-time-limit", type=float, default=60.0)
    parser.add_argument("--cvrp", default="X-n1001-k43")
    parser.add_argument("--cvrp-time-limit", type=float, default=30.0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    kept = getattr(SolveParams(), args.param)
    kind = type(kept)
    values = [kind(v) for v in (args.values or f"{kept},50").split(",") if v.strip()]
    lines = [
        f"## Search setting: `SolveParams.{args.param}`",
        "",
        "Command: `"
        + f".venv/bin/python -m bench.tuning {' '.join(argv or sys.argv[1:])}".rstrip()
        + "`",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {platform.machine()}, "
        f"2 shared cores. Python {platform.python_version()}; {_versions()}. Code: {_git_state()}.",
        f"The whole engine (both cores) with `SolveParams.{args.param}` set to each value in turn; "
        f"the default is {kept}. A run with seed s searches with seeds s and s + 1 (one per "
        "core) and keeps the better plan. Kim: vehicles first, Manhattan miles from the solution file; CVRP: "
        "distance alone.",
        "",
    ]
    field = args.param
    for name in [n for n in args.kim.split(",") if n]:
        path = BENCH_DATA / "wcvrptw" / f"{name}.txt"
        runs = _series(name, path, _kim_run, seeds, field, values, args.kim_time_limit)
        lines += [f"### {name}, {args.kim_time_limit:g} s", ""]
        lines += (
            [*_table(runs, field, "miles", values), ""] if runs else [f"skipped: no {path}", ""]
        )
    for name in [n for n in args.cvrp.split(",") if n]:
        path = BENCH_DATA / "cvrp" / f"{name}.vrp"
        runs = _series(name, path, _cvrp_run, seeds, field, values, args.cvrp_time_limit)
        ref = CVRP.get(name)
        lines += [f"### {name}, {args.cvrp_time_limit:g} s", ""]
        if runs:
            lines += [*_table(runs, field, "distance", values, float(ref) if ref else None), ""]
        else:
            lines += [f"skipped: no {path}", ""]
    write_text(args.output, "\n".join(lines) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
