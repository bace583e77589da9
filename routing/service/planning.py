"""The planning API as a job uses it: plan the week with progress and cancellation, write outputs.

This is a thin adapter over :func:`routing.pipeline.plan_week` and the writers, shaped like the
planning API the engine is landing (``routing.api.plan_week`` / ``routing.api.write_outputs`` with
``on_progress`` and ``cancel``); it goes when that lands. Until then the pipeline's stages are
followed through its log records ("[n/7] stage …"), which it already writes at the start of each.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.plan import Plan
from routing.scenario import Scenario

STAGES: tuple[str, ...] = (
    "network", "households", "snapping", "points", "matrix", "search", "assembly", "outputs",
)  # fmt: skip
# The pipeline's log names of its stages, in order (routing/pipeline.py: _stage).
_PIPELINE_NAMES = {
    "road network": "network",
    "households and containers": "households",
    "snapping to the roads": "snapping",
    "collection points": "points",
    "travel matrix": "matrix",
    "weekly schedule and routes": "search",
    "assembling the plan": "assembly",
}
STAGE_TITLES: dict[str, str] = {
    "network": "Road network",
    "households": "Households and containers",
    "snapping": "Snapping to the roads",
    "points": "Collection points",
    "matrix": "Travel matrix",
    "search": "Weekly schedule and routes",
    "assembly": "Assembling the plan",
    "outputs": "Maps, sheets and files",
}


@dataclass(frozen=True)
class Progress:
    """Where a plan is: stage key, its number of ``total``, fraction within it if known, a message."""

    stage: str
    number: int
    total: int
    fraction: float | None
    message: str


ProgressCallback = Callable[[Progress], None]


class Cancelled(Exception):
    """Raised inside a plan that was cancelled."""


class CancelToken:
    """A flag a plan checks between stages; ``event`` may be a ``multiprocessing.Event``."""

    def __init__(self, event: Any | None = None) -> None:
        import threading

        self._event = event if event is not None else threading.Event()

    def cancel(self) -> None:
        """Ask the plan to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return bool(self._event.is_set())

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancelled."""
        if self.cancelled:
            raise Cancelled("cancelled")


def _progress(stage: str, fraction: float | None = None) -> Progress:
    number = STAGES.index(stage) + 1
    return Progress(stage, number, len(STAGES), fraction, STAGE_TITLES[stage])


class _StageHandler(logging.Handler):
    """Turns the pipeline's stage log records into progress and cancellation checks."""

    def __init__(self, on_progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
        super().__init__(logging.INFO)
        self.on_progress = on_progress
        self.cancel = cancel

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) != 2 or not str(record.msg).startswith("[%d/7] %s …"):
            return
        if self.cancel is not None:
            self.cancel.check()  # raised here on purpose: it stops the pipeline between stages
        stage = _PIPELINE_NAMES.get(str(args[1]))
        if stage and self.on_progress is not None:
            self.on_progress(_progress(stage))


def plan_week(
    scenario: Scenario,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    cache_dir: Path | None = None,
) -> Plan:
    """Plan the week, reporting each stage and stopping between stages when cancelled.

    Raises
    ------
    Cancelled
        If ``cancel`` was set before a stage started.
    """
    from routing import pipeline

    logger = logging.getLogger(pipeline.__name__)
    handler = _StageHandler(on_progress, cancel)
    saved = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        plan = pipeline.plan_week(scenario, cache_dir=cache_dir)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)
    if cancel is not None:
        cancel.check()
    return plan


def write_outputs(
    plan: Plan,
    out_dir: Path,
    *,
    language: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Write summary, stops, routes, the offline week map, driver sheets and GPX/KML/GeoJSON.

    Everything is written into a temporary folder beside ``out_dir`` that is renamed into place at
    the end, so ``out_dir`` is either whole or absent.
    """
    from routing.exports import write_geojson, write_gpx, write_kml
    from routing.maps import write_week_map
    from routing.outputs import write_outputs as write_tables
    from routing.sheets import write_driver_sheets

    lang = language or plan.scenario.language
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        steps: list[Callable[[], object]] = [
            lambda: write_tables(plan, tmp),
            lambda: write_week_map(plan, tmp / "week.html", language=lang, offline=True),
            lambda: write_driver_sheets(plan, tmp / "sheets", language=lang),
            lambda: (write_gpx(plan, tmp / "gpx"), write_kml(plan, tmp / "gpx")),
            lambda: write_geojson(plan, tmp / "gpx"),
        ]
        for i, step in enumerate(steps):
            if cancel is not None:
                cancel.check()
            if on_progress is not None:
                on_progress(_progress("outputs", i / len(steps)))
            step()
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(p for p in out_dir.rglob("*") if p.is_file())
