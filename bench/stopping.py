"""When a day's search may stop: the plateau rule and the balancing resolution, tuned and tested.

``python -m bench.stopping`` (``--set tuning`` or ``--set test`` for one set) plans the collection
days of each scenario of the set once per setting, writes each plan's objective terms and search
seconds to ``bench/results/stopping-runs.json`` (``--output``) and the table to
``bench/results/stopping.md``; ``--report FILE...`` writes the table from such files (runs split
into processes side by side). A setting is ``PLATEAU:RESOLUTION``: PyVRP runs also stop after ``PLATEAU`` iterations
without a better best (``SolveParams.plateau_iterations``; 0 = never) and balancing stops when the
longest vehicle-day is within ``RESOLUTION`` hours of its lower bound (``balance_day``'s
``resolution_h``; 0 = after the scenario's rounds). ``0:0`` is the search as it was before.

Each day is searched as the planner does it (``routing.pipeline`` stages up to the day models,
then ``Model.solve`` and ``balance_day`` under the scenario's seed, time limit and balancing rounds,
one worker, as ``taza-route compare`` runs each scenario); the week's moves of left-out points to
other days (``routing.schedule.use_the_week``) are not made, so a day's figures are its own
search's. Objective terms, in the planner's order: required points served, vehicle-days, the
longest vehicle-day of each day (summed over the week, and the week's longest), then km and hours.

Sets: ``tuning`` is the default scenario and its three shipped variants (where the rule was
chosen, and what ``python -m bench.compare`` times); ``test`` is scenarios not looked at while
choosing: the synthetic valley at other seeds and scales, a synthetic town, and a real OSM area with
households estimated from buildings (``data/north-bayreuth``, skipped when ``../shared`` is absent).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench._files import write_text

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "stopping.md"
RUNS = RESULTS.with_name("stopping-runs.json")
DATA = ROOT / "data" / "taza-aimak"
PLACES = ROOT.parent / "shared" / "data" / "places" / "ketmen-dobo-cholpon-ata.csv"
LANDFILL = "«Таза Аймак» таштанды полигону"  # the default's landfill, moved to each valley's own
BAYREUTH = ROOT / "data" / "north-bayreuth" / "scenario.toml"
TUNING = (
    DATA / "scenario.toml",
    DATA / "variants" / "second-truck.toml",
    DATA / "variants" / "new-settlement.toml",
    DATA / "variants" / "terek-suu-twice.toml",
)
#: (name, generator call) of the synthetic test scenarios: the valley at other seeds and scales, a town.
SYNTHETIC_TEST = (
    ("valley seed 7", {"seed": 7, "scale": 1.0}),
    ("valley seed 31, scale 1.3", {"seed": 31, "scale": 1.3}),
    ("town of 1,500 households, seed 5", {"town": 1500, "seed": 5}),
)


#: The settings each set is run under by default: on the tuning set the candidates, on the test
#: set the search as it was and the chosen rule (``routing.pipeline.DAY_SEARCH``).
DEFAULT_SETTINGS = {"tuning": "0:0,250:0,500:0,1000:0,2000:0,500:0.25", "test": "0:0,1000:0"}


@dataclasses.dataclass(frozen=True)
class Setting:
    """One stopping rule under test."""

    plateau_iterations: int
    resolution_h: float

    @property
    def label(self) -> str:
        """``PLATEAU:RESOLUTION`` as given on the command line."""
        return f"{self.plateau_iterations}:{self.resolution_h:g}"


def parse_settings(text: str) -> list[Setting]:
    """``"0:0,1000:0.25"`` → the settings, in order."""
    out = []
    for item in text.split(","):
        plateau, _, resolution = item.strip().partition(":")
        out.append(Setting(int(plateau), float(resolution or 0)))
    return out


def day_models(path: Path) -> tuple[Any, list[tuple[str, Any]]]:
    """The scenario and its collection days' solver models, built as the planner builds them."""
    from routing import pipeline
    from routing.daymodel import build_day_model
    from routing.progress import Reporter
    from routing.scenario import DAYS, load_scenario

    scenario = load_scenario(path)
    reporter = Reporter()
    network = pipeline.load_network(scenario.osm, profile=pipeline.network_profile(scenario))
    located = pipeline.locate_households(scenario, network, cache_dir=None)
    snapped = pipeline.snap(scenario, network, located)
    points = pipeline.village_points(scenario, snapped)
    priced = pipeline.price(scenario, snapped, points)
    schedule = pipeline.week_schedule(scenario, points, priced)
    priced = pipeline.price_days(priced, schedule, reporter=reporter, workers=1)
    by_id = points.set_index("point_id")
    models = []
    for day in DAYS:
        ids = schedule.points_on(day)
        if ids:
            todo = by_id.loc[list(ids)].reset_index()
            built = build_day_model(
                scenario, day, todo, locations=priced.locations, matrix=priced.matrix,
                profiles=priced.profiles, priced=priced.days.get(day),
            )  # fmt: skip
            models.append((day, built.model))
    return scenario, models


def solve_week(scenario: Any, models: list[tuple[str, Any]], setting: Setting) -> dict[str, Any]:
    """Search every day under ``setting``; the week's objective terms and search seconds."""
    from routing.balance import balance_day, route_hours
    from routing.pipeline import DAY_SEARCH
    from routing.solver.model import Model

    # the planner's day search (its history on small days too) with the plateau under test
    params = dataclasses.replace(DAY_SEARCH, plateau_iterations=setting.plateau_iterations)
    searches = 0

    def solve(model: Model) -> Any:
        nonlocal searches
        searches += 1
        return model.solve(
            time_limit_s=scenario.time_limit_s, seed=scenario.seed,
            max_iterations=scenario.max_iterations, workers=1, params=params,
        )  # fmt: skip

    started = time.perf_counter()
    fig = {"required": 0, "served": 0, "vehicles": 0, "longest_sum_h": 0.0, "longest_h": 0.0}
    fig |= {"km": 0.0, "hours": 0.0}
    for _, model in models:
        result = solve(model)
        if scenario.balance_rounds:
            result, _ = balance_day(
                model, result, solve=solve, rounds=scenario.balance_rounds,
                resolution_h=setting.resolution_h,
            )  # fmt: skip
        hours = route_hours(result)
        required = sum(1 for c in model.clients if c.required)
        unserved = {u.client for u in result.unserved}
        fig["required"] += required
        fig["served"] += required - sum(1 for i in unserved if model.clients[i].required)
        fig["vehicles"] += result.num_vehicles
        fig["longest_sum_h"] += max(hours, default=0.0)
        fig["longest_h"] = max(fig["longest_h"], max(hours, default=0.0))
        fig["km"] += result.distance_m / 1000
        fig["hours"] += sum(hours)
    fig |= {"search_s": time.perf_counter() - started, "searches": searches}
    return fig


def synthetic_scenarios(tmp: Path) -> list[tuple[str, Path]]:
    """Generate the synthetic test scenarios under ``tmp``: each valley a variant of the default
    scenario reading its own streets and register, the town with its own scenario."""
    from routing.synthetic import generate
    from routing.synthetic.town import generate_town

    out = []
    for name, spec in SYNTHETIC_TEST:
        folder = tmp / name.replace(" ", "-").replace(",", "")
        if "town" in spec:
            generate_town(folder, households=int(spec["town"]), seed=int(spec["seed"]))
            out.append((name, folder / "scenario.toml"))
            continue
        area = generate(folder, seed=int(spec["seed"]), scale=float(spec["scale"]), places=PLACES)
        files = {k: Path(v).name for k, v in area.files.items()}
        # the default's fleet, prices and rules on this valley's streets, register, garage and landfill
        text = (
            f'extends = "{(DATA / "scenario.toml").as_posix()}"\n\n[scenario]\nname = "{name}"\n\n'
            f'[network]\nsource = "{files["osm"]}"\n\n[register]\nhouseholds = "{files["households"]}"\n'
            f'containers = "{files["containers"]}"\n\n[depot]\nlat = {area.depot[0]}\n'
            f"lon = {area.depot[1]}\n\n[[landfill]]\nname = {json.dumps(LANDFILL)}\n"
            f"lat = {area.landfill[0]}\nlon = {area.landfill[1]}\n"
        )
        (folder / "scenario.toml").write_text(text, encoding="utf-8")
        out.append((name, folder / "scenario.toml"))
    return out


def scenarios(which: str, tmp: Path) -> list[tuple[str, Path]]:
    """The named set's scenarios as (name, path)."""
    if which == "tuning":
        return [(p.relative_to(ROOT).as_posix(), p) for p in TUNING]
    found = synthetic_scenarios(tmp)
    if BAYREUTH.is_file() and (ROOT.parent / "shared" / "data" / "osm").is_dir():
        found.append(("data/north-bayreuth (real OSM, households from buildings)", BAYREUTH))
    else:
        print("skipped data/north-bayreuth: no ../shared/data/osm", file=sys.stderr)
    return found


def run(
    which: str, settings: list[Setting], only: list[int] | None, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Every setting on every scenario of the set (or the ``only`` ones, by index)."""
    records = []
    with tempfile.TemporaryDirectory(prefix="bench-stopping-") as tmp:
        for k, (name, path) in enumerate(scenarios(which, Path(tmp))):
            if only is not None and k not in only:
                continue
            scenario, models = day_models(path)
            for setting in settings:
                fig = solve_week(scenario, models, setting)
                load = os.getloadavg()[0]
                records.append(
                    {"set": which, "scenario": name, "setting": setting.label, "load": load, **fig}
                )
                log(
                    f"{name} {setting.label}: {fig['search_s']:.1f} s, {fig['searches']} searches, "
                    f"served {fig['served']}/{fig['required']}, {fig['vehicles']} vehicle-days, "
                    f"longest {fig['longest_h']:.2f} h, {fig['km']:.1f} km (load {load:.1f})"
                )
    return records


INTRO = """\
Each row is one plan of a scenario's collection days under one setting `PLATEAU:RESOLUTION`: PyVRP runs also
stop after PLATEAU iterations without a better best (0: only at the time limit, the search as it was), and
balancing stops when the longest vehicle-day is within RESOLUTION hours of its lower bound (0: after the
scenario's rounds). Every day is searched as the planner does it (its seed, time limit and balancing rounds, one
worker, as `taza-route compare` runs each scenario; without the week's moves of left-out points to other days),
the settings one after another in one process, two processes side by side under `flock -x CPU_LOCK`. The
objective's terms in the planner's order: points served, vehicle-days, the longest vehicle-day of each day
(summed over the days; then the week's longest), km and hours; then the seconds the day searches took. The
tuning set is the default and its three shipped variants (what `python -m bench.compare` times); the test set
was not run until the rule was chosen: the synthetic valley at seed 7 and at seed 31 × 1.3, a synthetic town of
1,500 households (seed 5) and a real OSM area with households estimated from buildings (`data/north-bayreuth`,
`../shared/data/osm`)."""

#: What was chosen on the tuning set and what the test set says (written after the runs).
NOTES = """\
Chosen on the tuning set: a plateau of **1,000 iterations** (`routing.pipeline.DAY_SEARCH`), no resolution rule.
Against the search as it was, 1,000 served as many points or more (2,024 against 2,018 of 2,048), the same
vehicle-days, the longest vehicle-days 0.5 % longer in sum and 0.8 % fewer km, in 0.74 of the search time; 500
took 0.49 of the time with 0.5 % more km (3.7 % more on new-settlement), 250 0.23 with 2.5 % more km, 2,000 0.91
(too slow for the compare goal). The resolution rule (0.25 h) changed no plan and saved nothing beside a
plateau: the rounds it would skip are the ones the plateau already ends early, so it is not used (it stays an
option of `balance_day`). Time is saved where a search settles before the clock and in balancing rounds whose
tightened shifts admit no plan (6 of the base's 13 searches, traced: before, they searched to the clock without
finding a feasible plan).

Test set, one run each, not re-run (verdict): with the rule, the day searches took **0.61** of the time; points
served 1,504 against 1,498 of 1,563 (more, where days are full), vehicle-days the same, the longest vehicle-days
0.5 % longer in sum (0.6 h in all, over the two valleys' days) and **0.7 % more km** (valley seed 7: +1.1 % at equal points served;
valley seed 31 × 1.3: +0.6 % with 6 points more served; the town and the real OSM area: the same plans). So the
faster default costs up to about 1 % in km on the valleys and nothing on the first two terms of the objective.
One run per plan: on the tuning set second-truck's km were 739.9, 736.3 and 707.5 with no plateau, 2,000 and
1,000 iterations, which suggests a 1 % difference is within the spread of single runs; more seeds were not
run."""

TERMS = (
    ("required", "points", "{:,.0f}"),
    ("served", "served", "{:,.0f}"),
    ("vehicles", "vehicle-days", "{:,.0f}"),
    ("longest_sum_h", "longest vehicle-day, sum over days (h)", "{:.2f}"),
    ("longest_h", "week's longest vehicle-day (h)", "{:.2f}"),
    ("km", "km", "{:,.1f}"),
    ("hours", "hours", "{:.2f}"),
    ("search_s", "search (s)", "{:.1f}"),
    ("searches", "searches", "{:,.0f}"),
)


def table(records: list[dict[str, Any]]) -> list[str]:
    """One row per scenario and setting, then each setting's totals and its ratios to ``0:0``."""
    head = "| scenario | setting | " + " | ".join(t[1] for t in TERMS) + " |"
    lines = [head, "|---|---|" + "---:|" * len(TERMS)]
    for r in records:
        cells = " | ".join(fmt.format(r[key]) for key, _, fmt in TERMS)
        lines.append(f"| {r['scenario']} | `{r['setting']}` | {cells} |")
    lines += ["", "| setting | " + " | ".join(t[1] for t in TERMS) + " |"]
    lines.append("|---|" + "---:|" * len(TERMS))
    settings = list(dict.fromkeys(r["setting"] for r in records))
    total = {
        s: {k: sum(r[k] for r in records if r["setting"] == s) for k, _, _ in TERMS}
        for s in settings
    }
    for s in settings:
        row: list[str] = []
        for key, _, form in TERMS:
            ref = total.get("0:0", {}).get(key)
            ratio = f" ({total[s][key] / ref:.3f}×)" if ref and s != "0:0" else ""
            row.append(form.format(total[s][key]) + ratio)
        lines.append(f"| `{s}` (all scenarios) | " + " | ".join(row) + " |")
    return lines


def report(files: list[Path]) -> str:
    """The Markdown of every run file given, set by set."""
    runs = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    lines = ["# Stopping rules of the day search (`python -m bench.stopping`)", "", INTRO, ""]
    for which in ("tuning", "test"):
        mine = [r for run_ in runs for r in run_["records"] if r["set"] == which]
        if not mine:
            continue
        heads = [run_ for run_ in runs if any(r["set"] == which for r in run_["records"])]
        lines += [f"## The {which} set", ""]
        for h in heads:
            # the run file's folder is this machine's: name the file only
            h = {**h, "command": re.sub(r"(--output )\S*/", r"\1", h["command"])}
            lines.append(
                f"- `{h['command']}` · {h['started']} to {h['ended']} · load {h['load_before']:.2f} → {h['load_after']:.2f} · {h['versions']} · commit {h['commit']}"
            )
        lines += ["", *table(mine), ""]
    return "\n".join([*lines, NOTES]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the sets under the given settings into ``--output``, then write the report from it (or,
    with ``--report``, only the report, from the files named)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.stopping",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--set", choices=("tuning", "test", "both"), default="both")
    parser.add_argument("--settings", default=None, help="PLATEAU:RESOLUTION,... (default: by set)")
    parser.add_argument("--only", default=None, help="indices of the set's scenarios, e.g. 0,2")
    parser.add_argument("--output", type=Path, default=RUNS, help="JSON file of this run's figures")
    parser.add_argument("--report", type=Path, nargs="+", help=f"JSON files → {RESULTS.name}")
    args = parser.parse_args(argv)
    if args.report:
        write_text(RESULTS, report(args.report))
        print(f"wrote {RESULTS}")
        return 0
    only = [int(k) for k in args.only.split(",")] if args.only else None
    given = argv if argv is not None else sys.argv[1:]
    head = {
        "command": " ".join(["python -m bench.stopping", *given]),
        "started": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "load_before": os.getloadavg()[0],
        "versions": f"Python {platform.python_version()}, pyvrp {version('pyvrp')}, "
        f"{platform.machine()}",
        "commit": _commit(),
    }
    records = []
    for which in ("tuning", "test") if args.set == "both" else (args.set,):
        settings = parse_settings(args.settings or DEFAULT_SETTINGS[which])
        records += run(which, settings, only, lambda m: print(m, flush=True))
    head |= {
        "ended": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "load_after": os.getloadavg()[0],
    }
    write_text(args.output, json.dumps({**head, "records": records}, indent=1, ensure_ascii=False))
    write_text(RESULTS, report([args.output]))
    print(f"wrote {args.output} and {RESULTS}")
    return 0


def _commit() -> str:
    import subprocess

    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
