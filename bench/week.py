"""The week's schedule at town size: what each day gets, uses and leaves out.

One plan per case, each in a fresh process: the synthetic valley (`routing.synthetic`, a seed and a
``--scale``; the default scenario with every vehicle count times the scale, as `bench.growth`) or a
synthetic town (``--town HOUSEHOLDS``, its own scenario). The search is bounded by iterations
(``[solver] max_iterations``; the time limit is set far out of reach), so the counts do not depend on
the machine's load. Per weekday: the schedule's estimated work (its log line), the vehicles used,
their km and hours, the households collected and the households left out with their reasons; and
the plan's ``shortfall``. One JSON line per case (``--json``), a table from those lines
(``--from-json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import re
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.growth import DEFAULT_SEED, PLACES, scenario_file
from routing.scenario import DAYS

NO_TIME = "no time in the shift"


class _Lines(logging.Handler):
    """Keeps the messages of one logger."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def limit_search(path: Path, *, iterations: int) -> None:
    """Bound the scenario's search by ``iterations`` (the time limit set out of reach)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^time_limit_s = \d+", "time_limit_s = 3600", text, count=1)
    text = text.replace("\n[solver]\n", f"\n[solver]\nmax_iterations = {iterations}\n", 1)
    path.write_text(text, encoding="utf-8")


def _estimates(lines: list[str]) -> dict[str, float]:
    """Estimated hours per day from the schedule's log line (``mon 74.6 h, ...``)."""
    for line in lines:
        if line.startswith("schedule:") and " over " in line:
            return {d: float(h) for d, h in re.findall(r"(\w{3}) ([\d.]+) h", line)}
    return {}


def _plan(folder: str) -> dict[str, Any]:
    """Plan the week in ``folder`` (this fresh process) and count it per day."""
    from routing.api import plan_week
    from routing.scenario import load_scenario

    handler = _Lines()
    logging.getLogger("routing.schedule").addHandler(handler)
    logging.getLogger("routing.schedule").setLevel(logging.INFO)
    plan = plan_week(load_scenario(Path(folder) / "scenario.toml"), workers=1)
    days: dict[str, dict[str, Any]] = {}
    for vd in plan.vehicle_days:
        day = days.setdefault(vd.day, {"vehicles": 0, "km": 0.0, "hours": 0.0, "households": 0})
        day["vehicles"] += 1
        day["km"] += vd.km
        day["hours"] += vd.hours
        day["households"] += vd.households
    reasons = Counter(str(r) for r in plan.unserved["reason"])
    left_by_day: Counter[str] = Counter()
    for reason, n in reasons.items():
        if NO_TIME in reason:
            for day in re.findall(r"\b(mon|tue|wed|thu|fri|sat|sun)\b", reason.split(":")[0]):
                left_by_day[day] += n
    return {
        "households": plan.households_in,
        "served": plan.households_served,
        "unserved": plan.households_unserved,
        "unserved_no_time": sum(n for r, n in reasons.items() if NO_TIME in r),
        "reasons": dict(reasons.most_common()),
        "days": {d: days[d] for d in DAYS if d in days},
        "estimated_h": _estimates(handler.lines),
        "vehicle_days": len(plan.vehicle_days),
        "km": sum(vd.km for vd in plan.vehicle_days),
        "shortfall": plan.shortfall,
        "schedule_log": handler.lines,
    }


def measure(
    tmp: Path, *, scale: float = 1.0, seed: int = DEFAULT_SEED, town: int | None, iterations: int
) -> dict[str, Any]:
    """Generate the case (valley at ``scale`` from ``seed``, or a town of ``town`` households) and
    plan it in a fresh process."""
    from routing.synthetic import generate, generate_town

    if town is not None:
        folder = tmp / f"town{town}-s{seed}"
        generate_town(folder, households=town, seed=seed)
        path = folder / "scenario.toml"
    else:
        folder = tmp / f"x{scale:g}-s{seed}"
        area = generate(folder, scale=scale, places=PLACES, seed=seed)
        sites = None if seed == DEFAULT_SEED else (area.depot, area.landfill)
        path = scenario_file(folder, scale, 5.0, sites=sites)
    limit_search(path, iterations=iterations)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        result: dict[str, Any] = pool.submit(_plan, str(folder)).result()
    result.update(scale=scale, seed=seed, town=town, iterations=iterations)
    return result


def table(rows: list[dict[str, Any]]) -> list[str]:
    """Markdown lines: per case and day, estimated hours, vehicles, km and households left out."""
    lines = [
        "| case | code | households | unserved (no time) | vehicle-days | km | per day: est. h / vehicles / km / left out |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        case = f"town {r['town']:,}" if r.get("town") else f"valley x{r['scale']:g}"
        per_day = "; ".join(
            f"{d} {r['estimated_h'].get(d, 0):.1f} / {v['vehicles']} / {v['km']:.0f} / "
            f"{_left(r, d)}"
            for d, v in r["days"].items()
        )
        lines.append(
            f"| {case}, seed {r['seed']} | {r.get('code', '')} | {r['households']:,} | "
            f"{r['unserved']:,} ({r['unserved_no_time']:,}) | {r['vehicle_days']} | "
            f"{r['km']:,.0f} | {per_day} |"
        )
    return lines


def _left(row: dict[str, Any], day: str) -> int:
    return sum(
        n
        for reason, n in row["reasons"].items()
        if NO_TIME in reason and day in reason.split(":")[0]
    )


def main() -> None:
    """Plan each case and print (and append to ``--json``) its figures, or tabulate them."""
    parser = argparse.ArgumentParser(prog="python -m bench.week", description=__doc__)
    parser.add_argument("--scales", default="1,4,8", help="valley household multipliers")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the generator's seed")
    parser.add_argument("--town", type=int, help="plan a synthetic town of this many households")
    parser.add_argument("--iterations", type=int, default=2000, help="search iterations a day")
    parser.add_argument("--code", default="", help="a label for the code planned (e.g. a hash)")
    parser.add_argument("--json", type=Path, help="append each case's figures to this file")
    parser.add_argument("--from-json", type=Path, help="print the table of this file's cases")
    args = parser.parse_args()
    if args.from_json is not None:
        text = args.from_json.read_text(encoding="utf-8")
        print("\n".join(table([json.loads(x) for x in text.splitlines() if x])))
        return
    scales = [1.0] if args.town else [float(s) for s in args.scales.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-week-") as tmp:
        for scale in scales:
            load = os.getloadavg()[0]
            row = measure(
                Path(tmp), scale=scale, seed=args.seed, town=args.town, iterations=args.iterations
            )
            row.update(code=args.code, load_before=load, load_after=os.getloadavg()[0])
            print("\n".join(table([row])), flush=True)
            if args.json is not None:
                with args.json.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
