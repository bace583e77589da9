"""Growth curve: the whole plan of the valley stand-in at 1, 2, 4 and 8 times its households.

Each size is the synthetic valley (`routing.synthetic`, seed 2022) generated with ``--scale`` and the
default scenario with every vehicle count multiplied by the scale (1 compactor + 1 tractor at 1x,
8 + 8 at 8x). Each run is a fresh process (spawn) that plans the week through the public API
(`routing.api.plan_week`, ``workers=2``) and writes the default outputs (all but screenshots);
stage times come from ``plan.stats`` and the outputs' own clock. Memory: a thread samples the
process's resident memory every 50 ms and keeps the peak of each stage; the solver's worker
processes are counted apart (their peak, ``RUSAGE_CHILDREN``). Results: ``bench/results/growth.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import os
import platform
import resource
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench._files import write_text

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "results" / "growth.md"
PLACES = REPO.parent / "shared" / "data" / "places" / "ketmen-dobo-cholpon-ata.csv"
BASE_HOUSEHOLDS = 3538  # the valley at scale 1
STAGES = ("network", "households", "snapping", "points", "matrix", "search", "assembly", "outputs")
FORMATS = ("summary", "stops", "routes", "map", "sheets", "gpx", "kml", "geojson")
DEFAULT_SEED = 2022  # the default stand-in's; another seed is a held-out valley


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class _Sampler:
    """The peak resident memory of each stage, sampled every 50 ms by a thread."""

    def __init__(self) -> None:
        self.stage = "start"
        self.peak: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # the process's own CPU seconds per stage
        self._cpu_at = time.process_time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.note()

    def note(self) -> None:
        """Record the current resident memory for the current stage."""
        self.peak[self.stage] = max(self.peak.get(self.stage, 0.0), _rss_mb())

    def switch(self, stage: str) -> None:
        """The next stage starts: close the CPU account of this one."""
        self.note()
        now = time.process_time()
        self.cpu[self.stage] = self.cpu.get(self.stage, 0.0) + now - self._cpu_at
        self._cpu_at, self.stage = now, stage

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def scenario_file(
    folder: Path,
    scale: float,
    time_limit_s: float,
    *,
    sites: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> Path:
    """The default scenario for the valley in ``folder``; ``sites``: the (lat, lon) of the depot
    and the landfill where another seed put them (the default's are seed 2022's)."""
    text = (REPO / "data" / "taza-aimak" / "scenario.toml").read_text(encoding="utf-8")
    if sites is not None:
        for key, (lat, lon) in zip(("[depot]", "[[landfill]]"), sites, strict=True):
            head, _, tail = text.partition(f"\n{key}\n")
            lines = tail.split("\n")
            for i, line in enumerate(lines[:4]):
                if line.startswith("lat = "):
                    lines[i] = f"lat = {lat}"
                elif line.startswith("lon = "):
                    lines[i] = f"lon = {lon}"
            text = f"{head}\n{key}\n" + "\n".join(lines)
    count = max(1, round(scale))
    text = text.replace("\ncount = 1\n", f"\ncount = {count}\n")
    text = text.replace("time_limit_s = 5 ", f"time_limit_s = {time_limit_s:g} ")
    path = folder / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    # the enterprise's property register is written by hand, not by the generator
    prop = REPO / "data" / "taza-aimak" / "property.csv"
    if prop.exists():
        (folder / prop.name).write_bytes(prop.read_bytes())
    return path


def _run(folder: str, time_limit_s: float) -> dict[str, Any]:
    """One plan in this (fresh) process: stage seconds, stage peaks, counts."""
    from routing.api import plan_week, write_outputs
    from routing.scenario import load_scenario

    sampler = _Sampler()
    scenario = load_scenario(Path(folder) / "scenario.toml")

    def on_progress(event: Any) -> None:
        if event.stage != sampler.stage:
            sampler.switch(event.stage)

    started = time.perf_counter()
    plan = plan_week(scenario, on_progress=on_progress, workers=2)
    planned = time.perf_counter()
    write_outputs(plan, Path(folder) / "out", formats=FORMATS, on_progress=on_progress)
    ended = time.perf_counter()
    sampler.switch("end")
    sampler.stop()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = {s: float(plan.stats.get(f"seconds_{s}", math.nan)) for s in STAGES}
    seconds["outputs"] = ended - planned
    return {
        "households": plan.households_in,
        "served": plan.households_served,
        "unserved": plan.households_unserved,
        "points": len(plan.points),
        "vehicle_days": len(plan.vehicle_days),
        "seconds": seconds,
        "total_s": ended - started,
        "peak_mb": sampler.peak,
        "cpu_s": sampler.cpu,
        "children_cpu_s": children.ru_utime + children.ru_stime,
        "children_peak_mb": children.ru_maxrss / 1024,
    }


def _warm(folder: str) -> None:
    """Build the folder's road network and gazetteer into their caches (untimed): keyed by the
    files' contents, so the timed run of the same generated valley loads both."""
    from routing.network import load_network
    from routing.pipeline import load_gazetteer, network_profile
    from routing.scenario import load_scenario

    scenario = load_scenario(Path(folder) / "scenario.toml")
    load_network(scenario.osm, profile=network_profile(scenario))
    load_gazetteer(scenario)


def measure(
    scale: float, time_limit_s: float, tmp: Path, *, seed: int = DEFAULT_SEED, warm: bool = False
) -> dict[str, Any]:
    """Generate the valley at ``scale`` (from ``seed``) and plan it in a fresh process; ``warm``:
    first build its network and gazetteer caches in another process, so every size's network
    and households stages load them (like with like) whatever ran before."""
    from routing.synthetic import generate

    folder = tmp / f"x{scale:g}-s{seed}"
    area = generate(folder, scale=scale, places=PLACES, seed=seed)
    sites = None if seed == DEFAULT_SEED else (area.depot, area.landfill)
    scenario_file(folder, scale, time_limit_s, sites=sites)
    # a fresh process that may start its own (a Pool's daemonic workers may not)
    spawn = multiprocessing.get_context("spawn")
    if warm:
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            pool.submit(_warm, str(folder)).result()
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        result: dict[str, Any] = pool.submit(_run, *(str(folder), time_limit_s)).result()
    result["scale"] = scale
    result["seed"] = seed
    result["warm"] = warm
    return result


def _table(rows: list[dict[str, Any]]) -> list[str]:
    head = "| households | points | " + " | ".join(f"{s} s" for s in STAGES) + " | total s |"
    lines = [head, "|" + "---|" * (len(STAGES) + 3)]
    for r in rows:
        sec = r["seconds"]
        lines.append(
            f"| {r['households']:,} | {r['points']:,} | "
            + " | ".join(f"{sec[s]:.1f}" for s in STAGES)
            + f" | {r['total_s']:.1f} |"
        )
    lines += [
        "",
        "CPU seconds of the planning process per stage (the load stretches wall time, not these):",
    ]
    lines += ["", "| households | " + " | ".join(f"{s} CPU s" for s in STAGES) + " | total CPU s |"]
    lines.append("|" + "---|" * (len(STAGES) + 2))
    for r in rows:
        cpu = r["cpu_s"]
        lines.append(
            f"| {r['households']:,} | "
            + " | ".join(f"{cpu.get(s, math.nan):.1f}" for s in STAGES)
            + f" | {sum(cpu.get(s, 0.0) for s in STAGES):.1f} |"
        )
    lines += [
        "",
        "| households | " + " | ".join(f"{s} MB" for s in STAGES) + " | solver workers MB |",
    ]
    lines.append("|" + "---|" * (len(STAGES) + 2))
    for r in rows:
        peak = r["peak_mb"]
        lines.append(
            f"| {r['households']:,} | "
            + " | ".join(f"{peak.get(s, math.nan):.0f}" for s in STAGES)
            + f" | {r['children_peak_mb']:.0f} |"
        )
    return lines


def _checks(rows: list[dict[str, Any]]) -> list[str]:
    """The issue's goals, judged on these runs."""
    out = []
    for r in rows:
        sec = r["seconds"]
        peak = max(r["peak_mb"].values()) + r["children_peak_mb"]
        after = sec["assembly"] + sec["outputs"]
        out.append(
            f"- {r['households']:,} households: plan and outputs {r['total_s']:.0f} s (goal for 20,000: "
            f"< 240 s), peak {peak:,.0f} MB main + solver (goal < 3,000 MB); assembly + outputs "
            f"{after:.1f} s against search {sec['search']:.1f} s "
            f"({'less' if after < sec['search'] else 'NOT less'}); {r['unserved']:,} unserved."
        )
    for r in rows:
        cpu = r["cpu_s"]
        out.append(
            f"- {r['households']:,} households, CPU of the planning process: assembly + outputs "
            f"{cpu.get('assembly', 0.0) + cpu.get('outputs', 0.0):.1f} s, outside the search "
            f"{sum(cpu.get(s, 0.0) for s in STAGES if s != 'search'):.1f} s."
        )
    base = rows[0]
    for r in rows[1:]:
        n0, n1 = base["points"], r["points"]
        bound = n1 * math.log(n1) / (n0 * math.log(n0))
        rest0 = base["total_s"] - base["seconds"]["search"]
        rest1 = r["total_s"] - r["seconds"]["search"]
        out.append(
            f"- {base['households']:,} → {r['households']:,}: time outside the search x"
            f"{rest1 / rest0:.2f}, points x{n1 / n0:.2f}, n log n x{bound:.2f} "
            f"({'within' if rest1 / rest0 <= bound else 'ABOVE'} n log n)."
        )
    return out


def main() -> None:
    """Run the growth curve and write ``bench/results/growth.md``.

    With ``--json FILE`` each size's figures are also appended to FILE (one JSON line each), so
    that every size can run as its own command (e.g. under its own exclusive lock); ``--from-json
    FILE`` then writes the table from those lines without planning anything.
    """
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__)
    parser.add_argument("--scales", default="1,2,4,5.66,8", help="household multipliers")
    parser.add_argument("--time-limit", type=float, default=5.0, help="solver seconds per day")
    parser.add_argument("--json", type=Path, help="append each size's figures to this file")
    parser.add_argument("--from-json", type=Path, help="write the table from this file's runs")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="the generator's seed (another: held out)"
    )
    parser.add_argument("--output", type=Path, default=OUT, help="the results file to write")
    parser.add_argument(
        "--warm", action="store_true",
        help="build each size's network and gazetteer caches before its timed run",
    )  # fmt: skip
    args = parser.parse_args()
    if args.from_json is not None:
        rows = [json.loads(x) for x in args.from_json.read_text(encoding="utf-8").splitlines() if x]
        rows.sort(key=lambda r: r["households"])
        started = min(dt.datetime.fromisoformat(r["started"]) for r in rows)
        scales = ",".join(f"{r['scale']:g}" for r in rows)
        seed = int(rows[0].get("seed", DEFAULT_SEED))
        write_results(
            rows, scales=scales, time_limit_s=args.time_limit, started=started, seed=seed,
            out=args.output,
        )  # fmt: skip
        return
    started = dt.datetime.now(dt.UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
        for scale in (float(s) for s in args.scales.split(",")):
            print(f"[x{scale:g}] generate and plan ...", flush=True)
            load = os.getloadavg()[0]
            begun = dt.datetime.now(dt.UTC)
            rows.append(measure(scale, args.time_limit, Path(tmp), seed=args.seed, warm=args.warm))
            rows[-1].update(
                started=begun.isoformat(), load_before=load, load_after=os.getloadavg()[0]
            )
            print(json.dumps(rows[-1]), flush=True)
            if args.json is not None:
                with args.json.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(rows[-1]) + "\n")
    write_results(
        rows, scales=args.scales, time_limit_s=args.time_limit, started=started, seed=args.seed,
        out=args.output,
    )  # fmt: skip


def write_results(
    rows: list[dict[str, Any]],
    *,
    scales: str,
    time_limit_s: float,
    started: dt.datetime,
    seed: int = DEFAULT_SEED,
    out: Path = OUT,
) -> None:
    """Write the results file (``bench/results/growth.md`` unless ``out``) from the runs."""
    loads = ", ".join(
        f"{r['households']:,}: {r['load_before']:.1f} before, {r['load_after']:.1f} after"
        for r in rows
        if "load_before" in r
    )
    text = [
        "# Growth curve: one plan from 3,500 to 28,000 households",
        "",
        f"Command: `python -m bench.growth --scales {scales} --time-limit {time_limit_s:g}"
        + (f" --seed {seed}" if seed != DEFAULT_SEED else "")
        + (" --warm" if rows and all(r.get("warm") for r in rows) else "")
        + "` (or one "
        "`--scales S --json FILE` per size, then `--from-json FILE`)",
        f"Date: {started:%Y-%m-%d %H:%M} UTC. Machine: {platform.machine()}, 2 shared cores; 1-minute load "
        f"average per size: {loads or 'not recorded'} (2 cores: above 2, other work shared them and "
        "wall times are stretched; the CPU seconds are the planning process's own). Python "
        f"{platform.python_version()}, numpy {version('numpy')}, PyVRP {version('pyvrp')}. One run per "
        "size (each a fresh process).",
        f"Data: the synthetic valley (`python -m routing.synthetic --scale S`, seed {seed}"
        + (", held out: not the seed the code was developed on" if seed != DEFAULT_SEED else "")
        + ") with the default "
        f"scenario, vehicle counts x S, solver {time_limit_s:g} s per day, outputs: {', '.join(FORMATS)}. "
        "Peak memory per stage is the planning process's resident memory sampled every 50 ms; the solver's "
        "worker processes are counted apart (their peak; their CPU is not counted: they are not reaped "
        "before the end)."
        + (
            " Each size's road network and gazetteer were built into their caches (`--warm`) before "
            "its timed run, so the network and households stages load them at every size."
            if rows and all(r.get("warm") for r in rows)
            else ""
        ),
        "",
        *_table(rows),
        "",
        *_checks(rows),
    ]
    write_text(out, "\n".join(text) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
