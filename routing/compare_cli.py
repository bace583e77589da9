"""The ``compare`` and ``sweep`` subcommands of ``taza-route``, and ``check``'s merged listing.

Kept apart from :mod:`routing.cli` so that the main command line only adds the parsers and calls
:func:`run_compare_command`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from routing.i18n import LANGUAGES, Translator, choose_language, translator


def add_compare_parsers(sub: Any, _: Translator) -> None:
    """Add ``compare`` and ``sweep`` to the subcommands of ``taza-route`` (texts through ``_``)."""
    compare = sub.add_parser(
        "compare",
        help=_("plan a base scenario and variants and write a side-by-side report"),
        description=_(
            "Plan BASE and each OTHER scenario in parallel (one process each, at most as many as cores), then "
            "write one report into DIR: report.html (self-contained, opens offline), report.md, figures.json and "
            "charts/. The report gives km, hours, fuel, CO2, costs, revenue, cost per household, the break-even "
            "tariff and coverage per scenario and aiyl aimak, with the differences from BASE, charts and a map "
            "of the routes that change. Ctrl-C stops every plan. Exit status 0 when every scenario was "
            "planned, 1 when one failed."
        ),
        epilog=_(
            "Example: {command}",
            command="taza-route compare data/taza-aimak/scenario.toml "
            "data/taza-aimak/variants/second-truck.toml -o maps/compare --language ru",
        ),
    )
    compare.set_defaults(run=run_compare_command)
    compare.add_argument("base", type=Path, metavar="BASE", help=_("the base scenario file"))
    compare.add_argument(
        "others", nargs="+", type=Path, metavar="OTHER",
        help=_("variant scenario files (one or more)"),
    )  # fmt: skip
    _common(compare, _)

    sweep = sub.add_parser(
        "sweep",
        help=_("plan every combination of some values and write the report"),
        description=_(
            "Plan BASE with every combination of the --vary values (in parallel) and write the comparison report "
            "with a chart of cost per household against coverage, the undominated combinations marked. "
            "A key through [[vehicle]] or [[village]] without [name] sets every entry (vehicle[Compactor truck].count "
            "sets one); village.days=N collects every village N times a week (days added after its listed ones)."
        ),
        epilog=_(
            "Example: {command}",
            command="taza-route sweep data/taza-aimak/scenario.toml --vary vehicle.count=1,2 "
            "--vary village.days=1,2",
        ),
    )
    sweep.set_defaults(run=run_compare_command)
    sweep.add_argument("base", type=Path, metavar="BASE", help=_("the base scenario file"))
    sweep.add_argument(
        "--vary", action="append", required=True, metavar="KEY=V1,V2",
        help=_("a dotted scenario key and its values, e.g. vehicle.count=1,2 (required; repeat "
               "for more keys)"),
    )  # fmt: skip
    _common(sweep, _)


def _common(parser: argparse.ArgumentParser, _: Translator) -> None:
    parser.add_argument(
        "-o", "--out", type=Path, required=True, metavar="DIR",
        help=_("report folder, replaced as a whole when the report is written (required)"),
    )  # fmt: skip
    parser.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the report and the lines printed: ky, ru or en (default: the base "
               "scenario's)"),
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, metavar="N",
        help=_("plans at once (default: one per scenario, at most the cores)"),
    )  # fmt: skip
    limits = parser.add_argument_group(
        _("search limits"),
        _(
            "Every scenario is searched under the same limits, stated in the report: the base's [solver] "
            "(time_limit_s, balance_rounds, seed, max_iterations) unless given here. A collection day takes "
            "up to (1 + balancing rounds) searches of the time limit, so these set how long a run takes."
        ),
    )
    limits.add_argument(
        "--time-limit", type=float, metavar="SECONDS",
        help=_("search time per collection day, in seconds, for every scenario (default: the base's "
               "[solver] time_limit_s)"),
    )  # fmt: skip
    limits.add_argument(
        "--balance-rounds", type=int, metavar="N",
        help=_("extra searches per day to shorten its longest vehicle-day, for every scenario "
               "(default: the base's [solver] balance_rounds; 0 = none)"),
    )  # fmt: skip


def run_compare_command(args: argparse.Namespace) -> int:
    """Run ``compare`` or ``sweep``; exit 0 when every scenario was planned, 1 when one failed."""
    from routing.compare import ProgressBoard, compare_scenarios, scenario_labels
    from routing.sweep import parse_vary, run_sweep, sweep_tasks

    base_language = _base_language(args.base)
    language = choose_language(args.language, base_language)
    # the report speaks the base's language; a base that cannot be read has none: then this one
    speak = args.language or (language if base_language is None else None)
    if args.command == "compare":
        board = ProgressBoard(scenario_labels([args.base, *args.others]), language=language)
        files, results = compare_scenarios(
            [args.base, *args.others],
            args.out,
            language=speak,
            workers=args.workers,
            on_progress=board,
            time_limit_s=args.time_limit,
            balance_rounds=args.balance_rounds,
        )
    else:
        varies = [parse_vary(v) for v in args.vary]
        labels = ["base", *(label for label, _ in sweep_tasks(args.base, varies))]
        board = ProgressBoard(labels, language=language)
        files, results = run_sweep(
            args.base,
            varies,
            args.out,
            language=speak,
            workers=args.workers,
            on_progress=board,
            time_limit_s=args.time_limit,
            balance_rounds=args.balance_rounds,
        )
    failed = [r for r in results if r.error]
    for r in failed:
        print(f"{r.label}: {r.error_in(language)}", file=sys.stderr)
    _ = translator(language)
    print(_("wrote {count} files to {folder} ({report})",
            count=len(files), folder=args.out, report=args.out / "report.html"))  # fmt: skip
    return 1 if failed else 0


def _base_language(path: Path) -> str | None:
    """The base scenario's language, or None when it cannot be read (its error is printed)."""
    from routing.errors import InputError
    from routing.scenario import load_scenario

    try:
        return load_scenario(path).language
    except InputError:
        return None


def print_merged(path: Path, *, language: str = "en") -> None:
    """Print the merged scenario, one value per line, with the file each came from."""
    from routing.scenario import describe, read_layers

    layers = read_layers(path)
    print("  " + translator(language)("merged scenario (value  <- file):"))
    for key, value, origin in describe(layers):
        shown = repr(value) if isinstance(value, str) else str(value)
        if len(shown) > 70:
            shown = shown[:67] + "..."
        print(f"    {key} = {shown}  <- {origin}")
