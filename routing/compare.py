"""Scenarios side by side: plan each in its own process, then one report of their key figures.

:func:`compare_scenarios` plans a base and its variants in parallel (one process each, at most as
many as the machine has cores, ``concurrent.futures.ProcessPoolExecutor``), shows one progress line
per variant, reports a failing variant with its error while the others finish, and stops all of them
on ``Ctrl-C`` (a shared cancel flag each plan checks; a plan that does not stop within
``CANCEL_GRACE_S`` has its process ended). Each worker sends back only what the report needs
(:class:`VariantResult`: key figures and route lines), never the whole plan.

Every scenario is searched under the same limits (:class:`SearchLimits`: time per search of a
collection day, balancing rounds, seed, iteration limit): the base's ``[solver]`` unless the caller
gives others, so a difference in the report comes from the scenario, not from one variant searching
longer; the report states them. The search is bounded by the clock, so the comparison's time is
about the number of day searches times the limit, shared by the processes; what is not search is kept
short: this module imports the planner only in the worker processes (they start importing while the
parent goes on), and a worker skips the interpreter's clean-up at exit (its results are already sent).
Variants of one area share the road network and gazetteer caches on disk (`routing.network`).

:func:`compare_plans` does the same for plans already made (the web page's entry), and
:func:`write_report` writes the report itself (see :mod:`routing.report`).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routing.errors import error_texts
from routing.i18n import LANGUAGES, translator
from routing.progress import CancelToken, Progress, cancel_on_interrupt

if TYPE_CHECKING:  # the planner is imported in the worker processes only (see the docstring)
    from routing.costs import KeyFigures
    from routing.plan import Plan
    from routing.scenario import Scenario

__all__ = [
    "CANCEL_GRACE_S",
    "RouteLine",
    "SearchLimits",
    "Task",
    "VariantResult",
    "common_limits",
    "compare_plans",
    "compare_scenarios",
    "run_variants",
    "scenario_labels",
    "summarise_plan",
]

CANCEL_GRACE_S = 5.0
_SIMPLIFY_DEG = 0.00005  # about 5 m: route lines for the report's map, not for driving


@dataclass(frozen=True)
class RouteLine:
    """One vehicle-day's driven line (WGS84 (lon, lat) pairs) and a fingerprint of its visits."""

    day: str
    vehicle: str
    coords: tuple[tuple[tuple[float, float], ...], ...]
    fingerprint: str


@dataclass(frozen=True)
class Finished:
    """A variant's last progress event: how long its plan took, or why it failed (``error``, and
    in every language ``error_texts``, as :class:`VariantResult`)."""

    seconds: float = 0.0
    error: str | None = None
    error_texts: dict[str, str] | None = None

    def error_in(self, language: str) -> str | None:
        """The error in ``language`` where it was said in each, else as recorded."""
        return _said(self.error, self.error_texts, language)


@dataclass(frozen=True)
class SearchLimits:
    """The limits a plan's search ran under (the scenario's ``[solver]``), stated in the report."""

    time_limit_s: float
    balance_rounds: int
    seed: int
    max_iterations: int | None = None
    #: iterations without a better plan after which a day's search ends before its time (0: never);
    #: the planner's own rule (``routing.pipeline.DAY_SEARCH``), not a scenario key
    plateau_iterations: int = 0

    @classmethod
    def of(cls, scenario: Scenario, *, plateau_iterations: int = 0) -> SearchLimits:
        """The limits of a scenario (with the planner's plateau rule where given)."""
        return cls(
            time_limit_s=scenario.time_limit_s,
            balance_rounds=scenario.balance_rounds,
            seed=scenario.seed,
            max_iterations=scenario.max_iterations,
            plateau_iterations=plateau_iterations,
        )

    def overrides(self) -> dict[str, Any]:
        """These limits as scenario overrides (dotted keys of ``[solver]``)."""
        out: dict[str, Any] = {
            "solver.time_limit_s": self.time_limit_s,
            "solver.balance_rounds": self.balance_rounds,
            "solver.seed": self.seed,
        }
        if self.max_iterations is not None:
            out["solver.max_iterations"] = self.max_iterations
        return out


@dataclass(frozen=True)
class VariantResult:
    """What a planned variant hands to the report (or its error)."""

    label: str
    path: str
    figures: KeyFigures | None = None
    routes: tuple[RouteLine, ...] = ()
    depot: tuple[float, float] | None = None
    landfills: tuple[tuple[str, float, float], ...] = ()
    synthetic: bool = False
    attribution: str = "© OpenStreetMap contributors"
    #: why it failed, as Python names the error (English, for programs), and the same in every
    #: language (``{"ky": …, "ru": …, "en": …}``, `routing.errors.error_texts`)
    error: str | None = None
    error_texts: dict[str, str] | None = None
    seconds: float = 0.0
    limits: SearchLimits | None = None

    def error_in(self, language: str) -> str | None:
        """The error in ``language`` (also for a scenario that could not be read at all)."""
        return _said(self.error, self.error_texts, language)


def _said(error: str | None, texts: Mapping[str, str] | None, language: str) -> str | None:
    return None if error is None else (texts or {}).get(language) or error


def _failed(task: Task, exc: BaseException | None = None, *, seconds: float = 0.0) -> VariantResult:
    """A task that did not give a plan: ``exc`` in every language, or (None) cancelled."""
    if exc is None:
        texts = {language: translator(language)("cancelled") for language in LANGUAGES}
        error = "cancelled"
    else:
        texts, error = error_texts(exc), f"{type(exc).__name__}: {exc}"
    return VariantResult(
        task.label, str(task.path), error=error, error_texts=texts, seconds=seconds
    )


@dataclass(frozen=True)
class Task:
    """One variant to plan: a scenario file with optional dotted overrides."""

    label: str
    path: Path
    overrides: Mapping[str, Any] = field(default_factory=dict)


def summarise_plan(plan: Plan, *, label: str, seconds: float = 0.0) -> VariantResult:
    """The report's view of a plan: key figures, route lines, depot, landfills, search limits."""
    from routing.costs import key_figures
    from routing.pipeline import DAY_SEARCH

    routes = []
    for vd in plan.vehicle_days:
        lines = tuple(
            tuple((round(x, 6), round(y, 6)) for x, y in line.simplify(_SIMPLIFY_DEG).coords)
            for line in vd.trips
        )
        # the same streets and containers in the same order: the same route, whatever the path between
        visits = ",".join(s.point_id for s in vd.collect_stops)
        digest = hashlib.sha1(visits.encode()).hexdigest()[:12]
        routes.append(RouteLine(day=vd.day, vehicle=vd.vehicle, coords=lines, fingerprint=digest))
    return VariantResult(
        label=label,
        path=str(plan.scenario.path),
        figures=key_figures(plan),
        routes=tuple(routes),
        depot=plan.depot,
        landfills=tuple(plan.landfills),
        synthetic=plan.synthetic,
        attribution=plan.attribution,
        seconds=seconds,
        limits=SearchLimits.of(plan.scenario, plateau_iterations=DAY_SEARCH.plateau_iterations),
    )


def default_workers(n_tasks: int) -> int:
    """One process per variant, at most as many as the machine's cores."""
    return max(1, min(n_tasks, os.cpu_count() or 1))


def run_variants(
    tasks: Sequence[Task],
    *,
    workers: int | None = None,
    on_progress: Callable[[str, Progress | Finished], None] | None = None,
    cancel: CancelToken | None = None,
) -> list[VariantResult]:
    """Plan every task, in parallel processes, and return their results in task order.

    Parameters
    ----------
    tasks
        The variants.
    workers
        Processes (default: one per task, at most the number of cores).
    on_progress
        Called in this process with the task's label and a :class:`Progress` event, and last a
        :class:`Finished` one (the plan's seconds, or its error).
    cancel
        Set it (or press Ctrl-C) to stop every plan; each result then carries the error "cancelled".

    Returns
    -------
    list of VariantResult
        One per task; a failed task has ``error`` set and no figures.
    """
    ctx = multiprocessing.get_context("spawn")
    manager = ctx.Manager()
    events = manager.Queue()
    stop = manager.Event()
    token = cancel or CancelToken()
    n = workers or default_workers(len(tasks))
    results: dict[str, VariantResult] = {}
    pump = threading.Thread(target=_pump, args=(events, on_progress), daemon=True)
    pump.start()
    pool = cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_ignore_sigint)
    futures: dict[cf.Future[VariantResult], Task] = {}
    try:
        with cancel_on_interrupt(token):
            futures = {pool.submit(_run_task, t, events, stop, n > 1): t for t in tasks}
            _collect(futures, results, events, stop, token)
        if token.cancelled:
            _stop_all(pool, futures, results, events, stop)
    except KeyboardInterrupt:
        token.cancel()
        _stop_all(pool, futures, results, events, stop)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        events.put(None)
        pump.join(timeout=2)
        manager.shutdown()
    return [results.get(t.label) or _failed(t) for t in tasks]


def _collect(
    futures: dict[cf.Future[VariantResult], Task],
    results: dict[str, VariantResult],
    events: Any,
    stop: Any,
    token: CancelToken,
) -> None:
    pending = set(futures)
    while pending:
        if token.cancelled:
            return  # run_variants stops them all
        done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
        for fut in done:
            task = futures[fut]
            try:
                res = fut.result()
            except cf.CancelledError:
                res = _failed(task)
            except Exception as exc:  # a crashed worker process: reported, the others go on
                res = _failed(task, exc)
            results[task.label] = res
            finished = Finished(seconds=res.seconds, error=res.error, error_texts=res.error_texts)
            events.put((task.label, finished))


def _stop_all(
    pool: cf.ProcessPoolExecutor,
    futures: dict[cf.Future[VariantResult], Task],
    results: dict[str, VariantResult],
    events: Any,
    stop: Any,
) -> None:
    """Cancelled: set the shared flag (each running plan stops at its next check, within about
    2 s), never start the others, wait up to ``CANCEL_GRACE_S`` and end the processes still busy
    (a stage that does not check the flag)."""
    stop.set()
    for fut in futures:
        fut.cancel()
    running = [f for f in futures if not f.done()]
    cf.wait(running, timeout=CANCEL_GRACE_S)
    # the pool's own worker processes (not the manager's), for plans that did not stop in time
    for proc in list(getattr(pool, "_processes", {}).values()):
        if proc.is_alive():
            proc.terminate()
    for task in futures.values():
        if task.label not in results:
            res = results[task.label] = _failed(task)
            events.put((task.label, Finished(error=res.error, error_texts=res.error_texts)))


def _pump(events: Any, on_progress: Callable[[str, Progress | Finished], None] | None) -> None:
    while True:
        try:
            item = events.get()
        except (EOFError, OSError):
            return
        if item is None:
            return
        if on_progress is not None:
            on_progress(*item)


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops them through the shared flag; at exit they
    skip the interpreter's clean-up of every module (seconds on a loaded machine), as everything
    they had to say has been sent by then (`_exit_now`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    atexit.register(_exit_now)


def _exit_now() -> None:
    """The last step of a worker process's exit: flush its output and end it."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _run_task(task: Task, events: Any, stop: Any, parallel: bool) -> VariantResult:
    """In a worker process: load, plan and summarise one variant; any error is returned, not raised
    (said in every language, so that a scenario that cannot be read is told in the report's)."""
    from routing.api import plan_week
    from routing.scenario import load_scenario

    started = time.perf_counter()
    token = CancelToken(stop)
    try:
        scenario = load_scenario(task.path, overrides=task.overrides)
        plan = plan_week(
            scenario,
            on_progress=lambda p: events.put((task.label, p)),
            cancel=token,
            workers=1 if parallel else None,
        )
        token.check()
        return summarise_plan(plan, label=task.label, seconds=time.perf_counter() - started)
    except Exception as exc:
        seconds = time.perf_counter() - started
        return _failed(task, None if token.cancelled else exc, seconds=seconds)


class ProgressBoard:
    """One line per variant on a terminal (redrawn in place); elsewhere one line per change, in
    ``language`` (the stages' own messages come in the scenario's)."""

    def __init__(self, labels: Sequence[str], *, language: str = "en", stream: Any = None) -> None:
        self._ = translator(language)
        self.labels = list(labels)
        self.lines = dict.fromkeys(self.labels, self._("waiting"))
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = max((len(x) for x in self.labels), default=0)
        self._drawn = False
        self._lock = threading.Lock()

    def __call__(self, label: str, event: Progress | Finished) -> None:
        """Show an event of a variant."""
        if isinstance(event, Finished):
            text = (
                self._("error: {error}", error=event.error_in(self._.language))
                if event.error
                else self._("done in {seconds} s", seconds=f"{event.seconds:.0f}")
            )
        else:
            share = f" {event.fraction:4.0%}" if event.fraction is not None else ""
            text = f"[{event.number}/{event.total}] {event.message}{share}"
        with self._lock:
            if self.lines.get(label) == text:
                return
            self.lines[label] = text
            if self.tty:
                self._redraw()
            else:
                print(f"{label:<{self.width}}  {text}", file=self.stream, flush=True)

    def _redraw(self) -> None:
        if self._drawn:
            self.stream.write(f"\x1b[{len(self.labels)}F")
        for label in self.labels:
            self.stream.write(f"\x1b[2K{label:<{self.width}}  {self.lines[label]}\n")
        self.stream.flush()
        self._drawn = True


def compare_scenarios(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    language: str | None = None,
    workers: int | None = None,
    on_progress: Callable[[str, Progress | Finished], None] | None = None,
    cancel: CancelToken | None = None,
    title: str | None = None,
    time_limit_s: float | None = None,
    balance_rounds: int | None = None,
) -> tuple[list[Path], list[VariantResult]]:
    """Plan a base scenario and its variants and write the comparison report.

    Every scenario is searched under the same limits: the base's ``[solver]`` (time limit,
    balancing rounds, seed, iteration limit), with ``time_limit_s`` and ``balance_rounds`` in
    their place when given; the report states them.

    Parameters
    ----------
    paths
        Scenario files; the first is the base the others are compared with.
    out_dir
        The report's folder (``report.html``, ``report.md``, ``figures.json``, ``charts/``).
    language
        ``"ky"``, ``"ru"`` or ``"en"`` (default: the base scenario's).
    workers, on_progress, cancel
        See :func:`run_variants`.
    title
        The report's heading.
    time_limit_s, balance_rounds
        Search time per collection day and balancing rounds for every scenario (default: the
        base's).

    Returns
    -------
    (files written, results)

    Raises
    ------
    routing.progress.Cancelled
        If cancelled (Ctrl-C or ``cancel``): the plans stop and no report is written.
    """
    from routing.report import write_report

    speak = {"scenario.language": language} if language else {}  # progress messages too
    limits = common_limits(Path(paths[0]), time_limit_s=time_limit_s, balance_rounds=balance_rounds)
    tasks = [
        Task(label=n, path=Path(p), overrides={**limits, **speak})
        for n, p in zip(scenario_labels(paths), paths, strict=True)
    ]
    token = cancel or CancelToken()
    results = run_variants(tasks, workers=workers, on_progress=on_progress, cancel=token)
    token.check()  # cancelled: no report, the folder stays as it was
    return write_report(results, out_dir, language=language, title=title), results


def common_limits(
    base: Path, *, time_limit_s: float | None = None, balance_rounds: int | None = None
) -> dict[str, Any]:
    """The search limits every scenario of a comparison gets, as overrides: the base's
    ``[solver]``, with ``time_limit_s`` and ``balance_rounds`` in their place when given.

    A base that cannot be read gives only the values given (its own plan then reports the error).
    """
    from routing.errors import InputError
    from routing.scenario import load_scenario

    given: dict[str, Any] = {}
    if time_limit_s is not None:
        given["solver.time_limit_s"] = time_limit_s
    if balance_rounds is not None:
        given["solver.balance_rounds"] = balance_rounds
    try:
        scenario = load_scenario(base, overrides=given)
    except InputError:
        return given
    return SearchLimits.of(scenario).overrides()


def compare_plans(
    plans: Sequence[Plan],
    out_dir: Path,
    *,
    labels: Sequence[str] | None = None,
    language: str | None = None,
    title: str | None = None,
) -> list[Path]:
    """Write the comparison report of plans already made; the first is the base.

    Returns
    -------
    list of Path
        The files written (see :func:`routing.report.write_report`).
    """
    from routing.report import write_report

    names = list(labels) if labels else scenario_labels([p.scenario.path for p in plans])
    results = [summarise_plan(p, label=n) for p, n in zip(plans, names, strict=True)]
    return write_report(results, out_dir, language=language, title=title)


def scenario_labels(paths: Sequence[Path | str]) -> list[str]:
    """Short unique names for scenario files: the file's stem (its folder's for ``scenario.toml``)."""
    out: list[str] = []
    for i, path in enumerate(paths):
        p = Path(path)
        name = p.stem if p.stem != "scenario" else (p.parent.name or f"#{i + 1}")
        out.append(name if name not in out else f"{name} #{i + 1}")
    return out
