"""Plan many service areas at once, each a task on a Dask distributed cluster.

A region file (TOML) lists the areas, each a scenario file (optionally with the villages of that
scenario it covers). Every area is planned by the same planning API as one scenario
(`routing.api.plan_week` and `write_outputs`), in a task of its own on a Dask cluster: a local
cluster of worker processes on this machine's cores by default, or a running scheduler
(``tcp://host:8786``) for a real cluster; the code is the same either way. Each area writes its own
outputs into ``<out>/<area>/``; the region report (``region.json``, ``region.csv`` and a table)
gives per area its households, vehicles, km, hours, and, where the scenario has ``[costs]``, the
cost per household per month and the break-even tariff (`routing.costs`); where the area failed,
its error.

Why tasks per area: areas share nothing (each has its own network, register and fleet), so they
spread across workers without communication; inside a task the solver runs its jobs in one process
(``workers=1``; its answer does not depend on it), as a Dask worker process may not start its own.

Failure: an area whose plan raises is reported with its error and the others finish. A worker
that dies mid-task (killed, out of memory) loses its task; the scheduler gives it to another
worker (Dask's ``allowed-failures``, 3 by default), so the area is planned again from its start.

Progress: each task sends the planner's progress events to the client through Dask's event log
(``log_event`` on the worker, ``subscribe_topic`` on the client), so the caller sees every area's
stage as it runs.

Example region file::

    [region]
    name = "Toktogul district"
    out = "region-out"            # relative to this file; default: <name of this file>-out

    [[area]]
    name = "Taza Aimak"
    scenario = "taza-aimak/scenario.toml"

    [[area]]
    name = "Jangy-Shaar"
    scenario = "town/scenario.toml"
    villages = ["Жаңы-Шаар"]      # optional: only these villages of the scenario
"""

from __future__ import annotations

import dataclasses
import os
import re
import resource
import time
import tomllib
import traceback
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routing.errors import InputError, error_texts, library_text
from routing.i18n import LANGUAGES, Translator, choose_language, translator
from routing.progress import Progress

__all__ = [
    "AreaResult",
    "AreaSpec",
    "Region",
    "RegionEvent",
    "RegionReport",
    "failed_area",
    "load_region",
    "plan_area",
    "plan_region",
    "region_table",
    "write_report",
]

#: Outputs each area writes unless the region asks otherwise (no PDFs: hundreds of areas).
DEFAULT_AREA_FORMATS: tuple[str, ...] = ("summary", "stops", "routes", "map")
_TOPIC = "taza-region"
#: What ``taza-route region`` prints for an area's status (English ids of ``taza-cli.po``).
STATUS_TEXT = {"started": "area started", "done": "area planned", "failed": "area failed"}


@dataclass(frozen=True)
class AreaSpec:
    """One service area of a region: its name, scenario file and (optionally) villages."""

    name: str
    scenario: Path
    villages: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Region:
    """A region file, validated: its areas, the output folder and the planner's limits."""

    name: str
    path: Path
    out_dir: Path
    areas: tuple[AreaSpec, ...]
    time_limit_s: float | None = None
    max_iterations: int | None = None
    formats: tuple[str, ...] = DEFAULT_AREA_FORMATS
    language: str | None = None


@dataclass(frozen=True)
class AreaResult:
    """What planning one area gave (``error`` is None when it was planned).

    ``error`` is the exception as Python names it (English, for programs), ``error_texts`` the
    same error said in each language (``{"ky": …, "ru": …, "en": …}``, as the web service keeps a
    failed plan's). ``peak_mb`` is the worker process's peak resident memory when the task ended
    (all its tasks so far), ``worker`` the process that ran it and ``seconds`` the task's own time.
    """

    name: str
    error: str | None = None
    error_texts: dict[str, str] | None = None
    households_in: int = 0
    households_served: int = 0
    households_unserved: int = 0
    vehicles: int = 0
    vehicle_days: int = 0
    km: float = 0.0
    hours: float = 0.0
    cost_per_household_month: float | None = None  # routing.costs, where the scenario has [costs]
    break_even_tariff: float | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0
    worker: str = ""
    out_dir: str = ""
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the area was planned."""
        return self.error is None


@dataclass(frozen=True)
class RegionEvent:
    """A progress event of one area: its stage, or ``status`` "done" / "failed" at the end."""

    area: str
    index: int  # 1-based, in the region file's order
    total: int
    progress: Progress | None = None
    status: str = "running"
    pid: int = 0  # the process planning it


@dataclass(frozen=True)
class RegionReport:
    """Every area's result in the region file's order, the wall time and the cluster used."""

    region: Region
    areas: list[AreaResult]
    wall_s: float
    cluster: str

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON values."""
        return {
            "region": self.region.name,
            "cluster": self.cluster,
            "wall_s": round(self.wall_s, 2),
            "areas_ok": sum(a.ok for a in self.areas),
            "areas_failed": sum(not a.ok for a in self.areas),
            "areas": [dataclasses.asdict(a) for a in self.areas],
        }


def _bad_key(path: Path, field_name: str, template: str, **params: Any) -> InputError:
    """The error of a region file's key: ``template`` (``{file}``, ``{field}`` and ``params``)."""
    return InputError(template, file=path, field=field_name, **params)


def load_region(path: Path | str) -> Region:
    """Read and validate a region file.

    Parameters
    ----------
    path
        The region file (TOML): a ``[region]`` table (``name``, optional ``out``,
        ``time_limit_s``, ``max_iterations``, ``formats``, ``language``) and ``[[area]]`` tables
        (``name``, ``scenario``, optional ``villages``); paths are relative to the file.

    Returns
    -------
    Region

    Raises
    ------
    routing.errors.InputError
        A missing or unreadable file, a missing or wrong key (named, with what is allowed), or a
        scenario file that does not exist.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = "{file}: region file not found"
        raise InputError(msg, file=path) from None
    except tomllib.TOMLDecodeError as exc:
        msg = "{file}: not valid TOML ({detail})"
        raise InputError(msg, file=path, detail=library_text(exc)) from None
    head = raw.get("region", {})
    if not isinstance(head, dict):
        raise _bad_key(path, "region", "{file}: {field}: must be a table ([region])")
    unknown = set(head) - {"name", "out", "time_limit_s", "max_iterations", "formats", "language"}
    if unknown:
        raise _bad_key(path, f"region.{sorted(unknown)[0]}", "{file}: {field}: unknown key")
    areas = tuple(_area(path, k, t) for k, t in enumerate(raw.get("area", []), start=1))
    if not areas:
        msg = "{file}: {field}: at least one [[area]] (name, scenario) is needed"
        raise _bad_key(path, "area", msg)
    names = [a.name for a in areas]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        msg = "{file}: {field}: {name!r} is used twice (each area needs its own name)"
        raise _bad_key(path, "area.name", msg, name=dup)
    out = head.get("out", f"{path.stem}-out")
    return Region(
        name=str(head.get("name", path.stem)),
        path=path,
        out_dir=(path.parent / str(out)).resolve(),
        areas=areas,
        time_limit_s=_number(path, "region.time_limit_s", head.get("time_limit_s")),
        max_iterations=_whole(path, "region.max_iterations", head.get("max_iterations")),
        formats=tuple(head.get("formats", DEFAULT_AREA_FORMATS)),
        language=head.get("language"),
    )


def _number(path: Path, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        msg = "{file}: {field}: {value!r} is not allowed (allowed: a number > 0)"
        raise _bad_key(path, key, msg, value=value)
    return float(value)


def _whole(path: Path, key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        msg = "{file}: {field}: {value!r} is not allowed (allowed: a whole number > 0)"
        raise _bad_key(path, key, msg, value=value)
    return value


def _area(path: Path, k: int, table: Any) -> AreaSpec:
    if not isinstance(table, dict):
        raise _bad_key(path, f"area #{k}", "{file}: {field}: must be a table ([[area]])")
    for key in ("name", "scenario"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            msg = "{file}: {field}: is missing (a text is needed)"
            raise _bad_key(path, f"area #{k}.{key}", msg)
    scenario = (path.parent / table["scenario"]).resolve()
    if not scenario.exists():
        msg = "{file}: {field}: {scenario} does not exist"
        raise _bad_key(path, f"area #{k}.scenario", msg, scenario=scenario)
    villages = table.get("villages")
    if villages is not None and (
        not isinstance(villages, list) or not all(isinstance(v, str) for v in villages)
    ):
        msg = "{file}: {field}: must be a list of village names"
        raise _bad_key(path, f"area #{k}.villages", msg)
    return AreaSpec(table["name"].strip(), scenario, tuple(villages) if villages else None)


def area_folder(region: Region, area: AreaSpec) -> Path:
    """``<out>/<area name as a file name>``."""
    slug = re.sub(r"[^\w.-]+", "-", area.name, flags=re.UNICODE).strip("-") or "area"
    return region.out_dir / slug


def plan_area(
    area: AreaSpec,
    out_dir: Path,
    *,
    formats: Collection[str] = DEFAULT_AREA_FORMATS,
    language: str | None = None,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> AreaResult:
    """Plan one area and write its outputs (runs in a worker; raises what the plan raises).

    Parameters
    ----------
    area
        The area.
    out_dir
        Its output folder (replaced as a whole at the end, as `routing.api.write_outputs` does).
    formats, language
        As `routing.api.write_outputs`.
    time_limit_s, max_iterations
        Override the scenario's solver limits.
    on_progress
        Receives the planner's progress events.

    Returns
    -------
    AreaResult
    """
    from routing.api import plan_week, write_outputs
    from routing.costs import key_figures
    from routing.scenario import load_scenario

    started = time.perf_counter()
    overrides: dict[str, Any] = {}
    if time_limit_s is not None:
        overrides["solver.time_limit_s"] = time_limit_s
    if max_iterations is not None:
        overrides["solver.max_iterations"] = max_iterations
    scenario = load_scenario(area.scenario, overrides=overrides)
    if area.villages is not None:
        scenario = _only_villages(scenario, area)
    plan = plan_week(scenario, on_progress=on_progress, workers=1)
    write_outputs(plan, out_dir, formats=formats, language=language, on_progress=on_progress)
    vds = plan.vehicle_days
    money = key_figures(plan)
    priced = money.priced
    return AreaResult(
        name=area.name,
        households_in=plan.households_in,
        households_served=plan.households_served,
        households_unserved=plan.households_unserved,
        vehicles=len({v.vehicle for v in vds}),
        vehicle_days=len(vds),
        km=round(sum(v.km for v in vds), 1),
        hours=round(sum(v.hours for v in vds), 1),
        cost_per_household_month=_money(money.total.cost_per_household_month if priced else None),
        break_even_tariff=_money(money.total.break_even_tariff if priced else None),
        seconds=round(time.perf_counter() - started, 2),
        peak_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        worker=f"pid {os.getpid()}",
        out_dir=str(out_dir),
        stats=dict(plan.stats),
    )


def _money(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _only_villages(scenario: Any, area: AreaSpec) -> Any:
    """The scenario with only the area's villages (each must be one of the scenario's)."""
    assert area.villages is not None
    known = {v.name: v for v in scenario.villages}
    missing = [v for v in area.villages if v not in known]
    if missing:
        msg = "{file}: area {area!r}: village(s) {missing} not in the scenario (allowed: {known})"
        raise InputError(
            msg,
            file=scenario.path,
            field="villages",
            area=area.name,
            missing=", ".join(missing),
            known=", ".join(known),
        )
    return dataclasses.replace(scenario, villages=tuple(known[v] for v in area.villages))


def _task(
    area: AreaSpec,
    out_dir: Path,
    region: Region,
    index: int,
    total: int,
    on_event: Callable[[RegionEvent], None] | None = None,
) -> AreaResult:
    """The Dask task: plan the area, telling its progress; an error becomes a result.

    Progress goes to ``on_event`` in a sequential run, else to the client through the worker's
    event log.
    """

    def send(event: RegionEvent) -> None:
        if on_event is not None:
            on_event(event)
            return
        from distributed import get_worker

        get_worker().log_event(_TOPIC, dataclasses.asdict(event))

    send(RegionEvent(area.name, index, total, status="started", pid=os.getpid()))
    try:
        result = plan_area(
            area, out_dir, formats=region.formats, language=region.language,
            time_limit_s=region.time_limit_s, max_iterations=region.max_iterations,
            on_progress=lambda p: send(RegionEvent(area.name, index, total, p)),
        )  # fmt: skip
    except Exception as exc:  # an area that fails is reported; the others go on
        send(RegionEvent(area.name, index, total, status="failed"))
        return failed_area(area.name, exc, worker=f"pid {os.getpid()}")
    send(RegionEvent(area.name, index, total, status="done"))
    return result


def failed_area(name: str, exc: BaseException, *, worker: str = "") -> AreaResult:
    """The result of an area whose planning raised ``exc``: its error as Python names it and in
    every language (`routing.errors.error_texts`)."""
    error = traceback.format_exception_only(exc)[-1].strip()
    return AreaResult(name=name, error=error, error_texts=error_texts(exc), worker=worker)


def plan_region(
    region: Region,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    sequential: bool = False,
    on_event: Callable[[RegionEvent], None] | None = None,
) -> RegionReport:
    """Plan every area of a region as Dask tasks and write each area's outputs.

    Parameters
    ----------
    region
        From :func:`load_region`.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); None starts a local cluster.
    workers
        Worker processes of the local cluster (default: this machine's cores), one thread each.
    sequential
        Plan the areas one after the other in this process, without Dask (the benchmark's peer).
    on_event
        Receives each area's progress (from the workers, as they run).

    Returns
    -------
    RegionReport
        The areas in the region file's order; a failed area carries its error.
    """
    started = time.perf_counter()
    total = len(region.areas)
    jobs = [(a, area_folder(region, a), region, k, total) for k, a in enumerate(region.areas, 1)]
    if sequential:
        quiet: Callable[[RegionEvent], None] = lambda event: None  # noqa: E731
        results = [_task(*job, on_event=on_event or quiet) for job in jobs]
        return RegionReport(region, results, time.perf_counter() - started, "sequential")
    results, cluster = _on_dask(jobs, scheduler=scheduler, workers=workers, on_event=on_event)
    return RegionReport(region, results, time.perf_counter() - started, cluster)


def _on_dask(
    jobs: Sequence[tuple[AreaSpec, Path, Region, int, int]],
    *,
    scheduler: str | None,
    workers: int | None,
    on_event: Callable[[RegionEvent], None] | None,
) -> tuple[list[AreaResult], str]:
    from distributed import Client, LocalCluster, as_completed

    local = None
    if scheduler is None:
        n = workers or os.cpu_count() or 1
        local = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with Client(local if local is not None else scheduler) as client:
            if on_event is not None:
                client.subscribe_topic(_TOPIC, lambda ev: on_event(_event(ev[1])))
            futures = {
                client.submit(_task, *job, key=f"area-{job[3]}-{job[0].name}", pure=False): job
                for job in jobs
            }
            by_name: dict[str, AreaResult] = {}
            for future in as_completed(futures):
                area = futures[future][0]
                try:
                    by_name[area.name] = future.result()
                except Exception as exc:  # the task died more often than allowed
                    by_name[area.name] = failed_area(area.name, exc)
            described = local.__class__.__name__ if local else scheduler
            workers_seen = len(client.scheduler_info().get("workers", {}))
    finally:
        if local is not None:
            local.close()
    return [by_name[job[0].name] for job in jobs], f"{described} ({workers_seen} workers)"


def _event(raw: dict[str, Any]) -> RegionEvent:
    progress = raw.get("progress")
    return RegionEvent(
        area=raw["area"],
        index=raw["index"],
        total=raw["total"],
        progress=Progress(**progress) if progress else None,
        status=raw["status"],
        pid=raw.get("pid", 0),
    )


def region_table(report: RegionReport, *, language: str = "en") -> str:
    """The region report as a text table in ``language`` (ky, ru or en)."""
    _ = translator(language)
    head = (
        f"{_('Area'):<24} {_('Households'):>10} {_('Served'):>8} {_('Vehicles'):>8} "
        f"{_('km'):>9} {_('hours'):>7} {_('per household'):>13} {_('break-even'):>10} "
        f"{_('seconds'):>8}"
    )
    lines = [head]
    for a in report.areas:
        if not a.ok:
            said = (a.error_texts or {}).get(language) or a.error
            lines.append(f"{a.name[:24]:<24} {_('failed')}: {said}")
            continue
        lines.append(
            f"{a.name[:24]:<24} {a.households_in:>10} {a.households_served:>8} {a.vehicles:>8} "
            f"{a.km:>9.1f} {a.hours:>7.1f} {_cell(a.cost_per_household_month):>13} "
            f"{_cell(a.break_even_tariff):>10} {a.seconds:>8.1f}"
        )
    ok = [a for a in report.areas if a.ok]
    lines.append(
        _(
            "{ok} of {total} areas planned in {seconds} s ({cluster})",
            ok=len(ok),
            total=len(report.areas),
            seconds=f"{report.wall_s:.1f}",
            cluster=report.cluster,
        )
    )
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def write_report(report: RegionReport) -> list[Path]:
    """Write ``region.json`` and ``region.csv`` into the region's output folder (atomically).

    A failed area's ``error_texts`` are ``region.json``'s as they are and ``region.csv``'s columns
    ``error_ky``, ``error_ru``, ``error_en`` (beside ``error``, the exception as Python names it).
    """
    import csv
    import io
    import json

    from routing.atomic import atomic_write

    out = report.region.out_dir
    out.mkdir(parents=True, exist_ok=True)
    data = report.to_dict()
    keys = [
        f.name for f in dataclasses.fields(AreaResult) if f.name not in ("stats", "error_texts")
    ]
    said = [f"error_{language}" for language in LANGUAGES]
    keys[keys.index("error") + 1 : keys.index("error") + 1] = said
    rows = [
        {**a, **{f"error_{lang}": t for lang, t in (a["error_texts"] or {}).items()}}
        for a in data["areas"]
    ]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return [
        atomic_write(out / "region.json", lambda fh: fh.write(text)),
        atomic_write(out / "region.csv", lambda fh: fh.write(buf.getvalue())),
    ]


def add_region_parser(sub: Any, _: Translator) -> None:
    """Add the ``region`` subcommand to the command line's subparsers (texts through ``_``)."""
    region = sub.add_parser(
        "region",
        help=_("plan many service areas on a Dask cluster and write a region report"),
        description=_(
            "Plan every service area listed in a region file (TOML: [region] name, out; [[area]] name, "
            "scenario, villages) as tasks on Dask distributed: a local cluster of worker processes on this "
            "machine by default, or --scheduler tcp://host:8786. Each area's outputs go to <out>/<area>/; "
            "region.json and region.csv give per area households, vehicles, km and hours, or its error. An area "
            "that fails does not stop the others; a worker that dies has its task rerun elsewhere. Exit status 0 "
            "when every area was planned, 4 when some failed, 2 for a bad region file."
        ),
        epilog=_("Example: {command}", command="taza-route region region.toml --workers 2"),
    )
    region.set_defaults(run=_run_region)
    region.add_argument("region", type=Path, metavar="REGION", help=_("region file (TOML)"))
    region.add_argument(
        "--scheduler", metavar="ADDRESS",
        help=_("a running Dask scheduler, e.g. tcp://host:8786 (default: a local cluster on this "
               "machine)"),
    )  # fmt: skip
    region.add_argument(
        "--workers", type=int, metavar="N",
        help=_("worker processes of the local cluster (default: the CPUs)"),
    )  # fmt: skip
    region.add_argument(
        "--sequential", action="store_true",
        help=_("plan the areas one after another in this process, without Dask (default: off)"),
    )  # fmt: skip
    region.add_argument(
        "--time-limit", type=float, metavar="SECONDS",
        help=_("solver time per collection day, in seconds (default: the region file's "
               "time_limit_s, else each scenario's)"),
    )  # fmt: skip
    region.add_argument(
        "--max-iterations", type=int, metavar="N",
        help=_("search iterations per collection day, the same plan on any machine (default: the "
               "region file's max_iterations, else each scenario's)"),
    )  # fmt: skip
    region.add_argument(
        "--language", choices=LANGUAGES,
        help=_("language of the report table and the lines printed: ky, ru or en (default: the "
               "region file's language; without one, $TAZA_LANGUAGE, else the locale's, else "
               "English); the areas' outputs speak it too, else each its scenario's"),
    )  # fmt: skip


def _run_region(args: Any) -> int:
    import sys

    region = load_region(args.region)
    changes: dict[str, Any] = {}
    if args.time_limit is not None:
        changes["time_limit_s"] = args.time_limit
    if args.max_iterations is not None:
        changes["max_iterations"] = args.max_iterations
    if args.language:
        changes["language"] = args.language
    region = dataclasses.replace(region, **changes)
    language = choose_language(region.language)
    _ = translator(language)

    def show(event: RegionEvent) -> None:
        where = f"[{event.index}/{event.total} {event.area}]"
        if event.progress is None:
            status = _(STATUS_TEXT.get(event.status, event.status))
            print(f"{where} {status}", file=sys.stderr, flush=True)
        elif not event.progress.fraction:
            p = event.progress
            print(f"{where} {p.number}/{p.total} {p.message}", file=sys.stderr, flush=True)

    report = plan_region(
        region, scheduler=args.scheduler, workers=args.workers, sequential=args.sequential,
        on_event=show,
    )  # fmt: skip
    paths = write_report(report)
    print(region_table(report, language=language))
    print(_("wrote {files}", files=", ".join(str(p) for p in paths)))
    return 0 if all(a.ok for a in report.areas) else 4
