"""Command line: ``taza-route plan SCENARIO`` plans the week and writes maps, sheets and tables."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from routing.scenario import LANGUAGES, ScenarioError, load_scenario

logger = logging.getLogger("routing")

DEFAULT_SCENARIO = Path("data/taza-aimak/scenario.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taza-route",
        description=(
            "Waste-collection route planning: reads a scenario file (TOML) naming the OpenStreetMap data, the "
            "household register, containers, depot, landfills, fleet and collection days; plans the week; writes "
            "maps, driver sheets and tables. Map data © OpenStreetMap contributors (ODbL)."
        ),
        epilog="Example: taza-route plan data/taza-aimak/scenario.toml --language ky",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step in detail")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="only warnings and the final table"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    plan = sub.add_parser(
        "plan",
        help="plan the week and write all outputs",
        description=(
            "Plan the week: locate households, build collection points, assign collection days, route each day with "
            "landfill trips, then write week.html, routes.geojson, stops.csv, summary.json, driver sheets (PDF) "
            "and GPX files into the output folder."
        ),
    )
    plan.add_argument(
        "scenario",
        nargs="?",
        type=Path,
        default=DEFAULT_SCENARIO,
        help="scenario file (default: %(default)s)",
    )
    plan.add_argument(
        "-o",
        "--out",
        type=Path,
        help="output folder (default: [output] dir of the scenario, or maps/)",
    )
    plan.add_argument(
        "--language",
        choices=LANGUAGES,
        help="language of maps and sheets (default: the scenario's)",
    )
    plan.add_argument(
        "--seed", type=int, help="random seed of the solver (default: the scenario's)"
    )
    plan.add_argument(
        "--time-limit", type=float, metavar="SECONDS", help="solver time per collection day"
    )
    plan.add_argument(
        "--max-iterations",
        type=int,
        metavar="N",
        help="deterministic search limit per day (same plan on any machine)",
    )
    plan.add_argument(
        "--offline", action="store_true", help="bundle the map's JavaScript/CSS beside week.html"
    )
    plan.add_argument(
        "--no-sheets",
        action="store_true",
        help="skip the driver sheets (PDF) and the GPX/KML/GeoJSON files per vehicle-day",
    )
    plan.add_argument("--no-map", action="store_true", help="skip week.html")
    plan.add_argument(
        "--screenshots",
        action="store_true",
        help="also keep PNG screenshots of the map and a sheet",
    )
    plan.add_argument("--cache-dir", type=Path, help="where built road networks are cached")

    check = sub.add_parser("check", help="validate a scenario file and report what it contains")
    check.add_argument(
        "scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO, help="scenario file"
    )
    check.add_argument(
        "--merged",
        action="store_true",
        help="print every value of the merged scenario (after extends) and the file it came from",
    )
    from routing.compare_cli import add_compare_parsers

    add_compare_parsers(sub)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.language:
        out["scenario.language"] = args.language
    if args.seed is not None:
        out["solver.seed"] = args.seed
    if args.time_limit is not None:
        out["solver.time_limit_s"] = args.time_limit
    if args.max_iterations is not None:
        out["solver.max_iterations"] = args.max_iterations
    return out


def _run_plan(args: argparse.Namespace) -> int:
    from routing.exports import write_geojson, write_gpx, write_kml
    from routing.maps import write_week_map
    from routing.outputs import table, write_outputs
    from routing.pipeline import plan_week
    from routing.sheets import write_driver_sheets

    started = time.perf_counter()
    scenario = load_scenario(args.scenario, overrides=_overrides(args))
    out_dir = args.out.resolve() if args.out else scenario.output_dir
    logger.info("scenario %s → %s", scenario.path, out_dir)
    plan = plan_week(scenario, cache_dir=args.cache_dir)
    written = write_outputs(plan, out_dir)
    if not args.no_map:
        written.append(
            write_week_map(
                plan, out_dir / "week.html", language=scenario.language, offline=args.offline
            )
        )
    if not args.no_sheets:
        written += write_driver_sheets(plan, out_dir / "sheets", language=scenario.language)
        written += write_gpx(plan, out_dir / "gpx")
        written += write_kml(plan, out_dir / "gpx")
        written += write_geojson(plan, out_dir / "gpx")
    if args.screenshots:
        from routing.screenshots import keep_screenshots

        written += keep_screenshots(out_dir)
    print(table(plan))
    print(f"wrote {len(written)} files to {out_dir} in {time.perf_counter() - started:.1f} s")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario)
    print(f"{sc.path}: OK — {sc.name}")
    print(f"  network: {sc.osm}{' (synthetic stand-in)' if sc.synthetic else ''}")
    print(
        f"  households: {sc.households or 'estimated from buildings'}; containers: {sc.containers or 'none'}"
    )
    print(f"  depot: {sc.depot.name}; landfills: {', '.join(lf.name for lf in sc.landfills)}")
    print(f"  fleet: {', '.join(f'{v.count} × {v.name}' for v in sc.fleet)}")
    for v in sc.villages:
        print(f"  village {v.name}: {v.frequency}×/week on {', '.join(v.days)}")
    for a in sc.assumptions:
        print(f"  assumption: {a}")
    if len(sc.files) > 1 or args.merged:
        from routing.compare_cli import print_merged

        print_merged(args.scenario)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``taza-route`` console script."""
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    try:
        if args.command == "plan":
            return _run_plan(args)
        if args.command in ("compare", "sweep"):
            from routing.compare_cli import run_compare_command

            return run_compare_command(args)
        return _run_check(args)
    except (ScenarioError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
