"""Real OpenStreetMap areas: what collecting only where the houses are changes (issue 18, item 3).

On each shipped real extract (``../shared/data/osm``) households are estimated from the residential
buildings, snapped to the roads and grouped into street-segment collection points, as a plan does.
*Before* is the old rule (the whole segment at collection speed); *after* is the rule of
`routing.demand.collect_seconds` (collection speed from the first to the last house, driving
speed over the rest). Both add the same per-household service. The figures are arithmetic on the
same points, so they do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench._files import write_text

REPO = Path(__file__).resolve().parents[1]
OSM = REPO.parent / "shared" / "data" / "osm"
OUT = REPO / "bench" / "results" / "osm.md"
#: (label, file, scenario whose profile and waste settings are used)
AREAS = (
    (
        "north of Bayreuth",
        "north-bayreuth-clip-landfill.osm.bz2",
        REPO / "data" / "north-bayreuth" / "scenario.toml",
    ),
    (
        "Liechtenstein",
        "liechtenstein-2013-08-03.osm.pbf",
        REPO / "data" / "north-bayreuth" / "scenario.toml",
    ),
)


#: Scenarios planned with balancing off and on.
BALANCE = (
    ("embedded default (synthetic)", REPO / "data" / "taza-aimak" / "scenario.toml"),
    ("north of Bayreuth (real)", REPO / "data" / "north-bayreuth" / "scenario.toml"),
)


def collection_figures(osm: Path, scenario_path: Path, cache: Path) -> dict[str, Any]:
    """Collection minutes per household before and after, and the worst single stop."""
    from routing.demand import collection_points
    from routing.estimate import estimate_households_from_buildings
    from routing.network import load_network
    from routing.profile import TruckProfile
    from routing.scenario import load_scenario
    from routing.snapping import snap_points

    sc = load_scenario(scenario_path, overrides={"network.source": str(osm)})
    profile = TruckProfile.from_mapping(dict(sc.profile), where=str(scenario_path))
    net = load_network(osm, profile=profile, cache_dir=cache)
    hh = estimate_households_from_buildings(osm, household_size=sc.household_size)
    snapped = snap_points(net, hh[["geometry"]], max_distance_m=sc.max_snap_m, split=False).points
    for col in ("u", "v", "key", "offset_m", "node", "ok"):
        hh[col] = snapped[col].to_numpy()
    pts = collection_points(
        hh, net.graph, kg_per_person_day=sc.kg_per_person_day,
        bulk_density_kg_m3=sc.bulk_density_kg_m3, days_between=7.0,
        service_s_per_household=sc.service_s_per_household,
    )  # fmt: skip
    whole = [
        float(net.graph.edges[int(u), int(v), int(k)]["collect_time"])
        for u, v, k in zip(pts["u"], pts["v"], pts["key"], strict=True)
    ]
    before = [w + s for w, s in zip(whole, pts["service_s"], strict=True)]
    after = list(pts["collect_s"] + pts["service_s"])
    n_hh = int(pts["households"].sum())
    small = (pts["households"] <= 2).to_numpy()
    worst_b = max(range(len(before)), key=before.__getitem__)
    worst_a = max(range(len(after)), key=after.__getitem__)
    return {
        "households": n_hh,
        "points": len(pts),
        "per_hh_before": sum(before) / 60 / n_hh,
        "per_hh_after": sum(after) / 60 / n_hh,
        "total_before": sum(before) / 60,
        "total_after": sum(after) / 60,
        "small_before": sum(b for b, s in zip(before, small, strict=True) if s) / 60,
        "small_after": sum(a for a, s in zip(after, small, strict=True) if s) / 60,
        "worst_before": (before[worst_b] / 60, int(pts["households"].iloc[worst_b])),
        "worst_after": (after[worst_a] / 60, int(pts["households"].iloc[worst_a])),
        "worst_label": (str(pts["label"].iloc[worst_b]), str(pts["label"].iloc[worst_a])),
    }


def balance_figures(scenario_path: Path, cache: Path, *, rounds: int) -> dict[str, Any]:
    """Plan a scenario with ``rounds`` balancing searches per day; the spread of its vehicle-days."""
    from routing.api import plan_week
    from routing.scenario import load_scenario

    sc = load_scenario(scenario_path, overrides={"solver.balance_rounds": rounds})
    plan = plan_week(sc, cache_dir=cache)
    per_day: dict[str, list[float]] = {}
    for vd in plan.vehicle_days:
        per_day.setdefault(vd.day, []).append(vd.hours)
    hours = [h for hs in per_day.values() for h in hs]
    return {
        "served": plan.households_served,
        "vehicle_days": len(plan.vehicle_days),
        "days": {d: (max(h), min(h), len(h)) for d, h in per_day.items()},
        "longest": max(hours, default=0.0),
        "shortest": min(hours, default=0.0),
        "hours": sum(hours),
        "km": sum(vd.km for vd in plan.vehicle_days),
        "search_s": plan.stats.get("seconds_search", 0.0),
    }


def _balance_section(rows: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> str:
    lines = [
        "",
        "## Balanced vehicle-days (objective: served, fewest vehicles, longest vehicle-day, cost)",
        "",
        "One plan each with balancing off (`[solver] balance_rounds = 0`, *before*) and on (2 rounds, "
        "*after*), the scenario's own seed and time limit, one run each: the solver is time-limited "
        "and the machine shared, so single figures are noisy. Per day: longest / shortest vehicle-day "
        "in hours (number of vehicle-days).",
        "",
        "| scenario | | served | vehicle-days | longest h | shortest h | total h | km | search s | per day |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, before, after in rows:
        for tag, f in (("before", before), ("after", after)):
            days = "; ".join(
                f"{d} {mx:.1f} / {mn:.1f} ({n})" for d, (mx, mn, n) in f["days"].items()
            )
            lines.append(
                f"| {label} | {tag} | {f['served']:,} | {f['vehicle_days']} | {f['longest']:.2f} | "
                f"{f['shortest']:.2f} | {f['hours']:.1f} | {f['km']:.1f} | {f['search_s']:.0f} | {days} |"
            )
    return "\n".join(lines) + "\n"


def _section(rows: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "# Real OSM areas (issue 18)",
        "",
        "- command: `.venv/bin/python -m bench.osm`",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()}; "
        f"osmnx {version('osmnx')}, osmium {version('osmium')}, shapely {version('shapely')}",
        "- data: `../shared/data/osm/` (© OpenStreetMap contributors, ODbL); households estimated from "
        "residential buildings; profile, waste and service (15 s per household) of "
        "`data/north-bayreuth/scenario.toml`; no peer: this is our rule against our old rule on the same points",
        "",
        "## Collection only where the houses are",
        "",
        "Collection minutes = driving the collected segments plus the stops, summed over the points. "
        "*Before*: the whole segment at collection speed; *after*: collection speed from the first to the "
        "last house, driving speed over the rest.",
        "",
        "| area | households | points | min per household before | after | all collection min before | after "
        "| stops of 1-2 households, min before | after | worst stop before | worst stop after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for label, f in rows:
        wb, wa = f["worst_before"], f["worst_after"]
        lines.append(
            f"| {label} | {f['households']:,} | {f['points']:,} | {f['per_hh_before']:.2f} | "
            f"**{f['per_hh_after']:.2f}** | {f['total_before']:,.0f} | {f['total_after']:,.0f} | "
            f"{f['small_before']:,.0f} | {f['small_after']:,.0f} | "
            f"{wb[0]:.1f} min, {wb[1]} households ({f['worst_label'][0]}) | "
            f"{wa[0]:.1f} min, {wa[1]} households ({f['worst_label'][1]}) |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the real-area figures and write ``bench/results/osm.md``."""
    parser = argparse.ArgumentParser(prog="python -m bench.osm", description=__doc__)
    parser.add_argument("--no-balance", action="store_true", help="skip the balance plans")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-osm-") as tmp:
        for label, name, scenario in AREAS:
            path = OSM / name
            if not path.exists():
                print(f"skipping {label}: {path} is absent")
                continue
            rows.append((label, collection_figures(path, scenario, Path(tmp))))
            print(label, rows[-1][1])
        balance = []
        for label, scenario in BALANCE if not args.no_balance else ():
            before = balance_figures(scenario, Path(tmp), rounds=0)
            after = balance_figures(scenario, Path(tmp), rounds=2)
            balance.append((label, before, after))
            print(label, before, after)
    write_text(OUT, _section(rows) + (_balance_section(balance) if balance else ""))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
