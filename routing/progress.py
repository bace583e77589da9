"""Progress and cancellation of a plan: the events a front end shows and the token that stops it.

A plan goes through eight stages, always in this order (:data:`STAGES`): the road network, the
households, snapping them to the roads, the collection points, the travel matrix, the search (one
solver run per collection day), assembling the plan and writing the outputs. For each stage the
planner sends a :class:`Progress` event when it starts (``fraction`` 0.0 where the stage can tell how
far it is, else None), events as it goes where it can tell (the matrix's rows, the solver's days and
the share of each day's budget used),
and one with ``fraction`` 1.0 when it ends. Events arrive in order, from the thread that runs the
plan or, inside the matrix, from one of its worker threads (never two at once).

Cancelling is cooperative: :class:`CancelToken` is a flag that the planner checks between stages and
inside the long ones (each block of matrix rows, throughout each day's search, before each output
format); the next check raises :class:`Cancelled`. The flag may be a :class:`multiprocessing.Event`, so a web server can
stop a plan running in another process.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Protocol

from routing.i18n import translator

__all__ = [
    "STAGES",
    "CancelToken",
    "Cancelled",
    "Progress",
    "ProgressCallback",
    "Reporter",
    "cancel_on_interrupt",
    "stage_title",
]

logger = logging.getLogger(__name__)

STAGES: tuple[str, ...] = (
    "network",
    "households",
    "snapping",
    "points",
    "matrix",
    "search",
    "assembly",
    "outputs",
)
"""The stable keys of the stages, in the order they run."""

_TITLES: dict[str, str] = {
    "network": "Loading the road network",
    "households": "Households and containers",
    "snapping": "Snapping to the roads",
    "points": "Collection points",
    "matrix": "Travel matrix",
    "search": "Routing the days",
    "assembly": "Assembling the plan",
    "outputs": "Writing the outputs",
}


@dataclass(frozen=True)
class Progress:
    """One progress event of a plan.

    Attributes
    ----------
    stage
        Stable key of the stage, one of :data:`STAGES`.
    number
        1-based number of the stage.
    total
        Number of stages (``len(STAGES)``).
    fraction
        How much of the stage is done, 0..1, where it can be known; else None.
    message
        What is being done, in the scenario's language.
    """

    stage: str
    number: int
    total: int
    fraction: float | None
    message: str


ProgressCallback = Callable[[Progress], None]
"""What a front end passes as ``on_progress``: called with every :class:`Progress` event."""


class Cancelled(Exception):
    """Raised by a plan whose :class:`CancelToken` was cancelled; nothing was written."""


class _Flag(Protocol):
    def set(self) -> None: ...

    def is_set(self) -> bool: ...


class CancelToken:
    """A thread- and process-safe flag asking a plan to stop.

    Parameters
    ----------
    event
        The flag to use: a :class:`threading.Event` (the default) or a
        :class:`multiprocessing.Event` shared with another process.

    Examples
    --------
    >>> token = CancelToken()
    >>> token.cancelled
    False
    >>> token.cancel()
    >>> token.check()
    Traceback (most recent call last):
    ...
    routing.progress.Cancelled: cancelled
    """

    def __init__(self, event: _Flag | None = None) -> None:
        self._event: _Flag = event if event is not None else threading.Event()

    def cancel(self) -> None:
        """Ask the plan to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the token was cancelled."""
        if self._event.is_set():
            msg = "cancelled"
            raise Cancelled(msg)


def stage_title(stage: str, language: str) -> str:
    """The title of a stage (a key of :data:`STAGES`) in a language."""
    if stage not in _TITLES:
        msg = f"stage {stage!r} is not one of: {', '.join(STAGES)}"
        raise ValueError(msg)
    return translator(language)(_TITLES[stage])


@dataclass(frozen=True)
class Reporter:
    """Sends the progress events of one run and checks its cancel token; used by the planner.

    Parameters
    ----------
    on_progress
        The front end's callback, or None.
    cancel
        The run's token, or None.
    language
        The language of the messages.
    """

    on_progress: ProgressCallback | None = None
    cancel: CancelToken | None = None
    language: str = "en"

    def check(self) -> None:
        """Raise :class:`Cancelled` if the run was cancelled."""
        if self.cancel is not None:
            self.cancel.check()

    def cancelled(self) -> bool:
        """Whether the run was cancelled (for code that stops on its own, e.g. the solver)."""
        return self.cancel is not None and self.cancel.cancelled

    def emit(self, stage: str, fraction: float | None, detail: str | None = None) -> None:
        """Send one event of ``stage``; ``detail`` (already translated) follows the title."""
        title = stage_title(stage, self.language)
        message = f"{title}: {detail}" if detail else title
        if self.on_progress is not None:
            event = Progress(stage, STAGES.index(stage) + 1, len(STAGES), fraction, message)
            self.on_progress(event)

    @contextmanager
    def stage(
        self, stage: str, timings: MutableMapping[str, float], *, fractions: bool = False
    ) -> Iterator[None]:
        """Run a stage: check the token, announce it, time it into ``timings``, announce its end.

        The token is checked before the stage, not after it: what a stage finished (an output
        folder renamed into place) is not undone by a late cancel.

        ``fractions`` says whether the stage reports how far it is (its first event then has
        ``fraction`` 0.0 rather than None).
        """
        self.check()
        number = STAGES.index(stage) + 1
        logger.debug("[%d/%d] %s …", number, len(STAGES), _TITLES[stage])
        self.emit(stage, 0.0 if fractions else None)
        start = time.perf_counter()
        yield
        timings[stage] = time.perf_counter() - start
        logger.info(
            "[%d/%d] %s done in %.1f s", number, len(STAGES), _TITLES[stage], timings[stage]
        )
        self.emit(stage, 1.0)


@contextmanager
def cancel_on_interrupt(token: CancelToken) -> Iterator[None]:
    """Let the first Ctrl-C cancel through ``token`` (the work stops at its next check).

    A second Ctrl-C interrupts at once. Signals reach only the main thread, so elsewhere (a web
    server's worker thread) this does nothing and the token is cancelled by its owner.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: FrameType | None) -> None:
        token.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
