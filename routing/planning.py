"""Temporary adapter: the planning API of docs (``routing.api``/``routing.progress``) until it lands.

The engine issue brings ``routing.api.plan_week(scenario, *, on_progress, cancel, workers)`` with
:class:`Progress` events and a :class:`CancelToken`. Until then this module offers the same names
over :func:`routing.pipeline.plan_week`: one progress event before and after the plan, the cancel
flag checked before it starts. It is deleted once the real API is on main.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routing.plan import Plan
    from routing.scenario import Scenario

try:  # the real API, once it is on main
    from routing.api import plan_week as _api_plan_week  # type: ignore[import-not-found]
    from routing.progress import (  # type: ignore[import-not-found]
        Cancelled,
        CancelToken,
        Progress,
    )

    HAVE_API = True
except ImportError:  # pragma: no cover - until the engine issue lands
    HAVE_API = False

    @dataclass(frozen=True)
    class Progress:  # type: ignore[no-redef]
        """A step of a plan (the API's fields)."""

        stage: str
        number: int
        total: int
        fraction: float | None
        message: str

    class Cancelled(Exception):  # type: ignore[no-redef]
        """A plan stopped by its cancel token."""

    class CancelToken:  # type: ignore[no-redef]
        """A flag, shared with other processes when made from a multiprocessing Event."""

        def __init__(self, event: Any = None) -> None:
            if event is None:
                import threading

                event = threading.Event()
            self._event = event

        def cancel(self) -> None:
            """Ask every plan holding this token to stop."""
            self._event.set()

        @property
        def cancelled(self) -> bool:
            """True once cancelled."""
            return bool(self._event.is_set())

        def check(self) -> None:
            """Raise :class:`Cancelled` if cancelled."""
            if self.cancelled:
                raise Cancelled("cancelled")

    _api_plan_week = None

__all__ = ["HAVE_API", "CancelToken", "Cancelled", "Progress", "plan_week"]


def plan_week(
    scenario: Scenario,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
    cache_dir: Path | None = None,
) -> Plan:
    """Plan the week through the planning API (or the pipeline until the API lands)."""
    if _api_plan_week is not None:
        plan: Plan = _api_plan_week(
            scenario, on_progress=on_progress, cancel=cancel, workers=workers, cache_dir=cache_dir
        )
        return plan
    from routing.pipeline import plan_week as pipeline_plan_week

    if cancel is not None:
        cancel.check()
    if on_progress is not None:
        on_progress(Progress("search", 1, 2, None, "planning"))
    plan = pipeline_plan_week(scenario, cache_dir=cache_dir)
    if on_progress is not None:
        on_progress(Progress("outputs", 2, 2, 1.0, "planned"))
    return plan
