"""Command line: ``taza-route plan SCENARIO`` plans the week and writes maps, sheets and tables.

Each subcommand is registered by one small function (``_add_<name>(subparsers, _)``, listed in
:data:`SUBCOMMANDS`) that adds its parser, its texts through the translator ``_`` (catalogue
``taza-help.po``), and sets ``run`` to the function doing the work; a new subcommand is one such
function calling its own module. The help and argparse's own words speak the language
:func:`routing.cli_parser.help_language` reads off the command line and the environment before
parsing (`routing.cli_parser.LocalizedParser`). The plan goes through the public API
(`routing.api`), with a progress bar (or one line per stage where the output is not a terminal).
Only bad input (`routing.errors.InputError`) is caught: one line on stderr, in the command's language
(:func:`error_language`), and exit status 2.
Anything else is a bug and shows its traceback (exit 1). Ctrl-C cancels the plan cleanly (exit 130),
leaving the output folder as it was.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from routing.cli_parser import LocalizedParser, help_language
from routing.compare_cli import add_compare_parsers, print_merged
from routing.errors import InputError
from routing.i18n import Translator, choose_language, day_name, translator
from routing.outputs import FORMATS
from routing.progress import STAGES, Cancelled, CancelToken, Progress, cancel_on_interrupt
from routing.scenario import LANGUAGES, load_scenario

logger = logging.getLogger("routing")

DEFAULT_SCENARIO = Path("data/taza-aimak/scenario.toml")
# Written by default; screenshots need a browser and are asked for (make plan does).
DEFAULT_FORMATS = tuple(name for name in FORMATS if name != "screenshots")


#: The help of ``--driver-url`` (``plan``, ``sheets``): its braces are text, not placeholders.
DRIVER_URL_HELP = (
    "address of each vehicle-day's driver page, put in the driver sheet's QR code, with the fields "
    "{stem} (<day>-<vehicle>, the sheet's file name), {day}, {vehicle}, {date}; e.g. "
    "https://taza.example.kg/plans/12/driver/{stem} (default: the QR code names the day's GPX file)"
)
CACHE_DIR_HELP = (
    "where built road networks are cached (default: $TAZA_CACHE_DIR, else ~/.cache/taza-routing)"
)
PROGRESS_HELP = (
    "how progress is shown on stderr: bar, lines or none (default: a bar on a terminal, else one "
    "line per stage; none with -q)"
)
SCENARIO_HELP = "scenario file (default: %(default)s)"
EXAMPLE = "Example: {command}"


def build_parser(_: Translator) -> LocalizedParser:
    """The ``taza-route`` parser, every text of it in the language of ``_``."""
    parser = LocalizedParser(
        prog="taza-route",
        translate=_,
        description=_(
            "Waste-collection route planning: reads a scenario file (TOML) naming the OpenStreetMap data, the "
            "household register, containers, depot, landfills, fleet and collection days; plans the week; writes "
            "maps, driver sheets and tables. Map data © OpenStreetMap contributors (ODbL)."
        ),
        epilog=_(
            "Language: --language, given anywhere on the line, chooses it for this help and the command. "
            "Without it, a command reading a scenario or region file speaks that file's language; this help "
            "and the other commands speak $TAZA_LANGUAGE (ky, ru or en), else the locale's (LANGUAGE, "
            "LC_ALL, LC_MESSAGES, LANG), else English. Example: {command}",
            command="taza-route plan data/taza-aimak/scenario.toml --language ky",
        ),
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help=_("log every step in detail (default: off)")
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true",
        help=_("only warnings and the final table (default: off)"),
    )  # fmt: skip
    parser.add_argument(
        "--language", dest="main_language", choices=LANGUAGES,
        help=_("language of this help, the lines printed and the outputs: ky, ru or en, before or "
               "after the command (default: as said below)"),
    )  # fmt: skip
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True,
        help=_("what to do; taza-route COMMAND --help tells more"),
    )  # fmt: skip
    for add in SUBCOMMANDS:
        add(sub, _)
    return parser


def _add_plan(sub: Any, _: Translator) -> None:
    plan = sub.add_parser(
        "plan",
        help=_("plan the week and write all outputs"),
        description=_(
            "Plan the week: locate households, build collection points, assign collection days, route each day with "
            "landfill trips, then write the outputs into the output folder: week.html, routes.geojson, stops.csv, "
            "summary.json, driver sheets (PDF) and GPX/KML/GeoJSON files per vehicle-day. The folder is replaced "
            "as a whole at the end: an interrupted run (Ctrl-C) leaves the previous one as it was."
        ),
        epilog=_(EXAMPLE, command="taza-route plan data/taza-aimak/scenario.toml -o maps"),
    )
    plan.set_defaults(run=_run_plan)
    plan.add_argument(
        "scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO, help=_(SCENARIO_HELP)
    )
    plan.add_argument(
        "-o", "--out", type=Path, metavar="FOLDER",
        help=_("output folder (default: [output] dir of the scenario, else maps/)"),
    )  # fmt: skip
    plan.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the maps, sheets, tables and messages: ky, ru or en (default: the "
               "scenario's [scenario] language)"),
    )  # fmt: skip
    plan.add_argument(
        "--seed", type=int,
        help=_("random seed of the solver (default: the scenario's [solver] seed)"),
    )  # fmt: skip
    plan.add_argument(
        "--time-limit", type=float, metavar="SECONDS",
        help=_("solver time per collection day, in seconds (default: the scenario's [solver] "
               "time_limit_s)"),
    )  # fmt: skip
    plan.add_argument(
        "--max-iterations", type=int, metavar="N",
        help=_("search iterations per collection day: the same plan on any machine (default: the "
               "scenario's [solver] max_iterations, else none: the time limit alone)"),
    )  # fmt: skip
    plan.add_argument(
        "--workers", type=int, metavar="N",
        help=_("processes for each day's search (default: 2; the plan under --max-iterations does "
               "not depend on it)"),
    )  # fmt: skip
    plan.add_argument(
        "--offline", action="store_true",
        help=_("bundle the map's JavaScript and CSS beside week.html, so that it opens without a "
               "network (default: off, loaded from the web)"),
    )  # fmt: skip
    plan.add_argument("--driver-url", metavar="TEMPLATE", help=_(DRIVER_URL_HELP))
    _add_format_options(plan, _)
    plan.add_argument("--cache-dir", type=Path, metavar="FOLDER", help=_(CACHE_DIR_HELP))


def _add_format_options(plan: argparse.ArgumentParser, _: Translator) -> None:
    """``--formats`` and one ``--no-<format>`` switch per output (``--screenshots`` to add them)."""
    group = plan.add_argument_group(
        _("outputs"),
        _("Each output has its own switch; by default all but the screenshots are written."),
    )
    group.add_argument(
        "--formats", metavar="LIST",
        help=_("comma-separated outputs to write, any of: {names} (default: all but the "
               "screenshots)",
               names=", ".join(FORMATS)),
    )  # fmt: skip
    for name, fmt in FORMATS.items():
        about = _(fmt.about)  # the formats' own words, ids of taza-help.po
        if name == "screenshots":
            text = _("also write the screenshots: {files} ({about}; default: off)",
                     files=fmt.files, about=about)  # fmt: skip
            group.add_argument("--screenshots", action="store_true", help=text)
        else:
            text = _("skip {files} ({about})", files=fmt.files, about=about)
            group.add_argument(f"--no-{name}", dest=f"no_{name}", action="store_true", help=text)
    group.add_argument("--progress", choices=("bar", "lines", "none"), help=_(PROGRESS_HELP))


def _add_sheets(sub: Any, _: Translator) -> None:
    sheets = sub.add_parser(
        "sheets",
        help=_("draw a plan's driver sheets again from its saved plan, without planning"),
        description=_(
            "Draw the driver sheets of a plan again from the plan.json that taza-route plan wrote into its "
            "output folder: the same routes, stops and times, in another language or with another driver-page "
            "address in the QR codes. The week is not planned again. The sheets folder is replaced as a whole "
            "at the end (other files there are kept); Ctrl-C leaves it as it was. Plans written before "
            "plan.json existed cannot be drawn again: plan the week again."
        ),
        epilog=_(EXAMPLE, command="taza-route sheets maps/ --language ru -o maps/sheets-ru"),
    )
    sheets.set_defaults(run=_run_sheets)
    sheets.add_argument(
        "plan_dir", type=Path, metavar="PLAN_DIR",
        help=_("a plan's output folder (holding plan.json), or the plan.json file"),
    )  # fmt: skip
    sheets.add_argument(
        "-o", "--out", type=Path, metavar="FOLDER",
        help=_("folder of the sheets (default: PLAN_DIR/sheets)"),
    )  # fmt: skip
    sheets.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the sheets: ky, ru or en (default: the plan's scenario's)"),
    )  # fmt: skip
    sheets.add_argument("--driver-url", metavar="TEMPLATE", help=_(DRIVER_URL_HELP))
    sheets.add_argument("--progress", choices=("bar", "lines", "none"), help=_(PROGRESS_HELP))


def _run_sheets(args: argparse.Namespace) -> int:
    from routing.api import redraw_sheets
    from routing.links import check_driver_url

    if args.driver_url is not None:
        check_driver_url(args.driver_url, field="--driver-url")
    token = CancelToken()
    language = choose_language(args.language, None)
    _ = translator(language)
    out = args.out or (args.plan_dir if args.plan_dir.is_dir() else args.plan_dir.parent) / "sheets"
    try:
        with _progress_view(args) as show, cancel_on_interrupt(token):
            written = redraw_sheets(
                args.plan_dir, out_dir=args.out, language=args.language,
                driver_url=args.driver_url, on_progress=show, cancel=token,
            )  # fmt: skip
    except Cancelled:
        print(_("Cancelled: {folder} was left as it was.", folder=out), file=sys.stderr)
        return 130
    print(_("Driver sheets written to {folder}: {count}.", count=len(written), folder=out))
    return 0


def _add_check(sub: Any, _: Translator) -> None:
    check = sub.add_parser(
        "check",
        help=_("validate a scenario file and report what it contains"),
        description=_(
            "Read a scenario file (and the files it extends), name any wrong key with what is allowed, "
            "and list what it contains. Exit status 0 when it can be used, 2 when not."
        ),
        epilog=_(EXAMPLE, command="taza-route check --deep data/taza-aimak/scenario.toml"),
    )
    check.set_defaults(run=_run_check)
    check.add_argument(
        "scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO, help=_(SCENARIO_HELP)
    )
    check.add_argument(
        "--merged", action="store_true",
        help=_("list every value of the merged scenario and the file it came from (default: only "
               "for a scenario that extends another)"),
    )  # fmt: skip
    check.add_argument(
        "--deep", action="store_true",
        help=_("also build the road network and check the depot, landfills and containers on it, "
               "for every vehicle's roads (exit status 2 when one cannot be used; default: off)"),
    )  # fmt: skip
    check.add_argument("--cache-dir", type=Path, metavar="FOLDER", help=_(CACHE_DIR_HELP))
    check.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the lines printed: ky, ru or en (default: the scenario's)"),
    )  # fmt: skip


def _add_fetch(sub: Any, _: Translator) -> None:
    fetch = sub.add_parser(
        "fetch",
        help=_("download an area from OpenStreetMap and start a scenario for it (online)"),
        description=_(
            "Download the roads, buildings, named places and landfills of a bounding box from the "
            "Overpass API (osmnx's endpoint), write <out>/<name>.osm and a scenario.toml started from "
            "a template's fleet, depot, landfill hours and tariffs, with one [[village]] per place. "
            "Map data © OpenStreetMap contributors (ODbL)."
        ),
        epilog=_(
            EXAMPLE, command="taza-route fetch --bbox 72.45,41.85,72.98,42.02 --out data/valley/"
        ),
    )
    fetch.set_defaults(run=_run_fetch)
    fetch.add_argument(
        "--bbox", required=True, metavar="W,S,E,N",
        help=_("the area: west,south,east,north in degrees, longitude first (required)"),
    )  # fmt: skip
    fetch.add_argument(
        "--out", required=True, type=Path, metavar="FOLDER",
        help=_("folder for the extract and scenario.toml, made if missing (required)"),
    )  # fmt: skip
    fetch.add_argument(
        "--name", help=_("file name of the extract, without .osm (default: the folder's name)")
    )
    fetch.add_argument(
        "--template", type=Path, metavar="SCENARIO",
        help=_("scenario to start from (default: the embedded default, data/taza-aimak/scenario.toml)"),
    )  # fmt: skip
    fetch.add_argument(
        "--overpass-url", metavar="URL",
        help=_("Overpass API base URL (default: osmnx's settings.overpass_url)"),
    )  # fmt: skip
    fetch.add_argument(
        "--force", action="store_true",
        help=_("replace an existing scenario.toml (default: off: refuse to)"),
    )  # fmt: skip
    fetch.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the lines printed: ky, ru or en (default: the template's; without one, "
               "$TAZA_LANGUAGE, else the locale's, else English)"),
    )  # fmt: skip


def _add_region(sub: Any, _: Translator) -> None:
    from routing.region import add_region_parser  # the region command lives in its own module

    add_region_parser(sub, _)


def _add_serve(sub: Any, _: Translator) -> None:
    serve = sub.add_parser(
        "serve",
        help=_("start the web service (pages to upload, fix, plan and download)"),
        description=_(
            "Start the web service on this machine (http://127.0.0.1:PORT/) with the embedded default "
            "scenario. Data folder: $TAZA_DATA_DIR or the user's data directory. Off loopback it needs "
            "an administrator password (--set-password or $TAZA_ADMIN_PASSWORD). Each page speaks "
            "the language its user picks (Kyrgyz, Russian, English); the lines printed here speak "
            "the one of --language, else $TAZA_LANGUAGE, else the locale's, else English."
        ),
    )
    serve.set_defaults(run=_run_serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default: %(default)s)")
    )
    serve.add_argument("--port", type=int, default=8000, help=_("TCP port (default: %(default)s)"))
    serve.add_argument(
        "--plan-workers", type=int, metavar="N",
        help=_("plans run at once (default: 1 on a machine of up to 2 cores, else half the cores)"),
    )  # fmt: skip
    serve.add_argument(
        "--set-password", action="store_true",
        help=_("ask for a new administrator password on the terminal first (default: off)"),
    )  # fmt: skip
    serve.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the lines printed here: ky, ru or en (default: $TAZA_LANGUAGE, else "
               "the locale's, else English)"),
    )  # fmt: skip


def _run_serve(args: argparse.Namespace) -> int:
    from routing.service.server import serve

    return serve(
        host=args.host, port=args.port, plan_workers=args.plan_workers,
        prompt=args.set_password, language=args.language,
    )  # fmt: skip


def _add_geocode(sub: Any, _: Translator) -> None:
    geo = sub.add_parser(
        "geocode",
        help=_("locate a scenario's register and write the geocoding report"),
        description=_(
            "Locate every row of a scenario's household register as a plan does and write the "
            "geocoding report: every row not placed at a house, or whose position needs a look, with "
            "why; the spellings not placed go beside it as alias-file lines to complete."
        ),
        epilog=_(
            EXAMPLE, command="taza-route geocode data/taza-aimak/scenario.toml -o geocoding.csv"
        ),
    )
    geo.set_defaults(run=_run_geocode)
    geo.add_argument(
        "scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO, help=_(SCENARIO_HELP)
    )
    geo.add_argument(
        "-o", "--output", type=Path, default=Path("geocoding.csv"), metavar="CSV",
        help=_("report (default: %(default)s); alias suggestions go to <name>-aliases.csv beside it"),
    )  # fmt: skip
    geo.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the report and the line printed: ky, ru or en (default: the "
               "scenario's)"),
    )  # fmt: skip


def _run_geocode(args: argparse.Namespace) -> int:
    from routing.geocode import report_scenario

    overrides = {"scenario.language": args.language} if args.language else None
    scenario = load_scenario(args.scenario, overrides=overrides)
    rows, listed, offered = report_scenario(scenario, args.output)
    _ = translator(scenario.language)
    print(_("{rows} rows; {listed} below house level listed in {path}; {offered} alias lines",
            rows=rows, listed=listed, path=args.output, offered=offered))  # fmt: skip
    return 0


SUBCOMMANDS: tuple[Callable[[Any, Translator], None], ...] = (
    _add_plan,
    _add_sheets,
    _add_check,
    _add_serve,
    add_compare_parsers,
    _add_fetch,
    _add_region,
    _add_geocode,
)
"""Each adds one subcommand to the parser's subparsers (with the translator of its texts), in the
order ``--help`` lists them."""


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


def chosen_formats(args: argparse.Namespace) -> list[str]:
    """The outputs asked for: ``--formats`` or the default, less each ``--no-<format>``.

    Raises
    ------
    InputError
        If ``--formats`` names an unknown output.
    """
    if args.formats:
        wanted = [f.strip() for f in args.formats.split(",") if f.strip()]
        unknown = [f for f in wanted if f not in FORMATS]
        if unknown:
            msg = "{field}: unknown output(s) {unknown}; known: {known}"
            known = ", ".join(FORMATS)
            raise InputError(msg, field="--formats", unknown=", ".join(unknown), known=known)
    else:
        wanted = list(DEFAULT_FORMATS)
    if args.screenshots and "screenshots" not in wanted:
        wanted.append("screenshots")
    return [f for f in FORMATS if f in wanted and not getattr(args, f"no_{f}", False)]


def _run_plan(args: argparse.Namespace) -> int:
    from routing.api import plan_week, write_outputs
    from routing.links import check_driver_url
    from routing.outputs import table

    started = time.perf_counter()
    formats = chosen_formats(args)
    if args.driver_url is not None:  # before the plan, not after it
        check_driver_url(args.driver_url, field="--driver-url")
    scenario = load_scenario(args.scenario, overrides=_overrides(args))
    out_dir = args.out.resolve() if args.out else scenario.output_dir
    logger.info("scenario %s → %s", scenario.path, out_dir)
    _ = translator(scenario.language)
    token = CancelToken()
    try:
        with _progress_view(args) as show, cancel_on_interrupt(token):
            plan = plan_week(
                scenario, on_progress=show, cancel=token, workers=args.workers,
                cache_dir=args.cache_dir,
            )  # fmt: skip
            written = write_outputs(
                plan, out_dir, formats=formats, offline=args.offline, driver_url=args.driver_url,
                on_progress=show, cancel=token,
            )  # fmt: skip
    except Cancelled:
        print(_("Cancelled: {folder} was left as it was.", folder=out_dir), file=sys.stderr)
        return 130
    print(table(plan))
    seconds = f"{time.perf_counter() - started:.1f}"
    print(
        _(
            "Wrote {count} files to {folder} in {seconds} s.",
            count=len(written),
            folder=out_dir,
            seconds=seconds,
        )
    )
    return 0


@contextmanager
def _progress_view(args: argparse.Namespace) -> Iterator[Callable[[Progress], None] | None]:
    """A progress callback showing a tqdm bar over all stages, one line per stage, or nothing."""
    mode = args.progress or ("none" if args.quiet else "bar" if sys.stderr.isatty() else "lines")
    if mode == "none":
        yield None
        return
    if mode == "lines":
        seen: set[str] = set()

        def line(event: Progress) -> None:
            if event.stage not in seen:
                seen.add(event.stage)
                print(
                    f"[{event.number}/{event.total}] {event.message}", file=sys.stderr, flush=True
                )

        yield line
        return
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    layout = "{desc} {percentage:3.0f}%|{bar}| {elapsed}"
    with tqdm(total=len(STAGES), file=sys.stderr, leave=False, bar_format=layout) as bar:

        def update(event: Progress) -> None:
            bar.n = round(event.number - 1 + (event.fraction or 0.0), 2)
            bar.set_description_str(
                f"[{event.number}/{event.total}] {event.message}", refresh=False
            )
            bar.refresh()

        with logging_redirect_tqdm():
            yield update


def _run_check(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario)
    language = choose_language(args.language, sc.language)
    _ = translator(language)
    source = _("{source} (synthetic stand-in)", source=sc.osm) if sc.synthetic else sc.osm
    # weekdays are written small inside a sentence in Kyrgyz and Russian, not in English
    small = str if language == "en" else str.lower
    days = {v.name: ", ".join(small(day_name(d, language)) for d in v.days) for v in sc.villages}
    lines = [
        _("network: {source}", source=source),
        _("households: {households}; containers: {containers}",
          households=sc.households or _("estimated from buildings"),
          containers=sc.containers or _("none")),
        _("depot: {depot}; landfills: {landfills}",
          depot=sc.depot.name, landfills=", ".join(lf.name for lf in sc.landfills)),
        _("fleet: {fleet}", fleet=", ".join(f"{v.count} × {v.name}" for v in sc.fleet)),
        *(_("village {name}: {frequency}×/week on {days}",
            name=v.name, frequency=v.frequency, days=days[v.name]) for v in sc.villages),
        *(_("assumption: {text}", text=a) for a in sc.assumptions),
    ]  # fmt: skip
    print(_("{path}: OK — {name}", path=sc.path, name=sc.name))
    print("\n".join(f"  {line}" for line in lines))
    if len(sc.files) > 1 or args.merged:
        print_merged(args.scenario, language=language)
    if not getattr(args, "deep", False):
        return 0
    from routing.check import deep_check

    result = deep_check(sc, cache_dir=args.cache_dir, language=language)
    for line in result.lines:
        print(f"  {line}")
    for problem in result.problems:
        print("  " + _("PROBLEM: {problem}", problem=problem))
    return 0 if result.ok else 2


def _run_fetch(args: argparse.Namespace) -> int:
    from routing.fetch import COUNT_WORDS, DEFAULT_TEMPLATE, fetch_area, parse_bbox

    args.template = (
        args.template or DEFAULT_TEMPLATE
    )  # its language is the error's (error_language)
    result = fetch_area(
        parse_bbox(args.bbox), args.out, name=args.name, template=args.template,
        overpass_url=args.overpass_url, overwrite=args.force,
    )  # fmt: skip
    _ = translator(choose_language(args.language, result.language))
    counts = ", ".join(_(COUNT_WORDS[k], count=n) for k, n in result.counts.items())
    print(_("wrote {extract} ({counts}) and {scenario}",
            extract=result.osm_path, counts=counts, scenario=result.scenario_path))  # fmt: skip
    for note in result.notes:
        print("  " + _("assumption: {text}", text=_(note)))
    print(_("next: {command}", command=f"taza-route check --deep {result.scenario_path}"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``taza-route`` console script.

    Returns 0 on success, 2 on bad input (one line on stderr) and 130 when cancelled by Ctrl-C;
    any other error is a bug and raises with its traceback.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(translator(help_language(argv))).parse_args(argv)
    if getattr(args, "language", None) is None:  # --language given before the command
        args.language = args.main_language
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    try:
        return int(args.run(args))
    except InputError as exc:
        language = error_language(args)
        line = translator(language)("error: {error}", error=exc.text(language))
        print(line, file=sys.stderr)
        return 2


def error_language(args: argparse.Namespace, *, environ: Mapping[str, str] | None = None) -> str:
    """The language of a command's bad-input line, as :func:`routing.i18n.choose_language` picks.

    ``--language``, else the ``language`` of the file the command was given (a scenario's
    ``[scenario]``, its base's through ``extends``, ``fetch``'s template's, a region file's
    ``[region]``) where that file can be read, else the environment's, else English.
    """
    from routing.scenario import read_layers

    named = None
    files = (
        ("scenario", "scenario"),
        ("base", "scenario"),
        ("template", "scenario"),
        ("region", "region"),
    )
    for attr, table in files:
        path = getattr(args, attr, None)
        if isinstance(path, Path) and named is None:
            try:
                raw = read_layers(path).raw if table == "scenario" else _toml(path)
            except (InputError, OSError, ValueError):
                continue
            section = raw.get(table)
            named = section.get("language") if isinstance(section, dict) else None
    scenario = named if named in LANGUAGES else None
    given = getattr(args, "language", None)
    return choose_language(given if given in LANGUAGES else None, scenario, environ=environ)


def _toml(path: Path) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    sys.exit(main())
