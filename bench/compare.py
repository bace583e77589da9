"""Benchmark of ``taza-route compare``: the default and three variants side by side, report included.

``python -m bench.compare`` writes ``bench/results/compare.md``. Goal (issue 16, item 8): the base
and three variants of the default compare in under 2 minutes on this 2-core machine (median of 3).
Side by side in the same run: the same four plans one after another in one process (``--workers
1``), as a planner would make them without the comparison. Both write the same report.
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

from bench._files import write_text

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "compare.md"
DATA = ROOT / "data" / "taza-aimak"
SCENARIOS = (
    DATA / "scenario.toml",
    DATA / "variants" / "second-truck.toml",
    DATA / "variants" / "new-settlement.toml",
    DATA / "variants" / "terek-suu-twice.toml",
)
GOAL_S = 120.0


def _run(workers: int) -> tuple[float, list[str]]:
    from routing.compare import compare_scenarios

    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        started = time.perf_counter()
        _, results = compare_scenarios(list(SCENARIOS), Path(tmp) / "report", workers=workers)
        seconds = time.perf_counter() - started
    return seconds, [r.error for r in results if r.error]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its result file."""
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    series: dict[int, list[float]] = {2: [], 1: []}
    errors: list[str] = []
    loads = [os.getloadavg()[0]]
    for _ in range(args.repeats):
        for workers in (2, 1):  # alternate, so a busy spell of the machine hits both
            seconds, failed = _run(workers)
            series[workers].append(seconds)
            errors += failed
            loads.append(os.getloadavg()[0])
            print(f"workers={workers}: {seconds:.1f} s", flush=True)
    write_text(RESULTS, _markdown(series, errors, loads))
    print(f"wrote {RESULTS}")
    return 0


def _markdown(
    series: dict[int, list[float]], errors: list[str], loads: list[float] | None = None
) -> str:
    import matplotlib

    import routing.compare  # noqa: F401 - the versions below are those of this run

    med = {w: statistics.median(runs) for w, runs in series.items()}
    runs = {w: ", ".join(f"{s:.1f}" for s in r) for w, r in series.items()}
    met = "met" if med[2] < GOAL_S else "NOT met"
    names = ", ".join(p.relative_to(ROOT).as_posix() for p in SCENARIOS)
    return f"""# Scenario comparison (`taza-route compare`)

Command: `.venv/bin/python -m bench.compare` · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · Python {platform.python_version()}, matplotlib {matplotlib.__version__}, {platform.machine()} ({os.cpu_count()} shared cores; other engineers ran tests at the same time, so the figures are noisy{_load_text(loads)}). Median of {len(series[2])} runs each, the two modes alternating.

Goal (issue 16, item 8): the base and three variants of the default compare in under 2 minutes: **{met}** ({med[2]:.0f} s).

Scenarios: {names} (solver time limit 5 s per collection day, as in the default); each run plans all four and writes `report.html`, `report.md`, `figures.json` and the charts.

| mode | median | runs (s) | ratio |
|---|---:|---:|---:|
| in parallel, one process per variant (2 at a time) | **{med[2]:.1f} s** | {runs[2]} | 1.00 |
| one after another in one process (`--workers 1`) | {med[1]:.1f} s | {runs[1]} | {med[1] / med[2]:.2f}× |

Variants that failed: {len(errors)}{" (" + "; ".join(sorted(set(errors))) + ")" if errors else ""}.
"""


def _load_text(loads: list[float] | None) -> str:
    if not loads:
        return ""
    return f"; 1-minute load average {min(loads):.0f} to {max(loads):.0f} during the runs"


if __name__ == "__main__":
    raise SystemExit(main())
