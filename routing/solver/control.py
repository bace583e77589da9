"""Watching a running solve: cancellation, progress and the periodic log.

A :class:`Control` is made per solve and handed down to the engines, which call :meth:`Control.check`
where they can stop (PyVRP's stopping criterion, OR-Tools' search limit, the engine's wait for its
job processes, between clients of the repair). Nothing here is module state: two solves in one
process (or in two threads) each have their own.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from routing.progress import Cancelled

__all__ = ["Cancelled", "Control"]

logger = logging.getLogger(__name__)

LOG_EVERY_S = 2.0
"""Seconds between two lines of the periodic log (``progress=True``)."""

REPORT_EVERY_S = 0.25
"""Least seconds between two ``on_progress`` calls (a search calls :meth:`Control.searching` on
every iteration)."""


@dataclass
class Control:
    """The cancel and progress hooks of one solve and its budget.

    Parameters
    ----------
    time_limit_s
        The solve's wall-clock budget.
    max_iterations
        The iteration limit of each search run, when the solve is bounded by iterations.
    cancel
        Called often; True means stop now (the solve raises :class:`Cancelled`).
    on_progress
        Called with the fraction (0..1) of the budget used, at most every :data:`REPORT_EVERY_S`
        and never with a smaller fraction than before. Under an iteration limit the fraction is an
        estimate (the number of search runs depends on the instance).
    log
        Log the best cost every :data:`LOG_EVERY_S` seconds.
    """

    time_limit_s: float
    max_iterations: int | None = None
    cancel: Callable[[], bool] | None = None
    on_progress: Callable[[float], None] | None = None
    log: bool = False
    started: float = field(default_factory=time.monotonic)
    jobs: int = field(default=1, init=False)
    job: int = field(default=0, init=False)
    _iterations: int = field(default=0, init=False)
    _reported: float = field(default=-1.0, init=False)
    _last_report: float = field(default=-math.inf, init=False)
    _last_log: float = field(default_factory=time.monotonic, init=False)

    def check(self) -> None:
        """Raise :class:`Cancelled` if the caller asked to stop."""
        if self.cancel is not None and self.cancel():
            msg = "the solve was cancelled"
            raise Cancelled(msg)

    def start_job(self, job: int, jobs: int) -> None:
        """Count progress within search job ``job`` of ``jobs`` (run one after the other)."""
        self.job, self.jobs, self._iterations = job, max(1, jobs), 0

    def fraction(self) -> float:
        """The share of the budget used so far."""
        if self.max_iterations is None:
            spent = (time.monotonic() - self.started) / max(self.time_limit_s, 1e-9)
            return min(1.0, max(0.0, spent))
        # each job makes a few runs of max_iterations: approach the job's end geometrically
        within = 1.0 - 0.5 ** (self._iterations / max(1, self.max_iterations))
        return min(1.0, (self.job + within) / self.jobs)

    def searching(self, best_cost: float | None = None) -> None:
        """Called by a search on every iteration: check, report and log."""
        self.check()
        self._iterations += 1
        now = time.monotonic()
        if self.on_progress is not None and now - self._last_report >= REPORT_EVERY_S:
            self._last_report = now
            self.report(self.fraction())
        if self.log and best_cost is not None and now - self._last_log >= LOG_EVERY_S:
            self._last_log = now
            logger.info("search: best cost so far %s", best_cost)

    def report(self, fraction: float) -> None:
        """Pass ``fraction`` to ``on_progress`` unless it would go backwards."""
        if self.on_progress is None or fraction <= self._reported:
            return
        self._reported = fraction
        self.on_progress(fraction)

    def for_child(self) -> Control:
        """The control of a search run in a forked process: the cancel callable and the log stay
        (a process-safe callable then works there too; the parent stops the child anyway), the
        progress callback does not (it belongs to the parent process)."""
        return Control(
            time_limit_s=self.time_limit_s,
            max_iterations=self.max_iterations,
            cancel=self.cancel,
            log=self.log,
            started=self.started,
        )
