"""The meeting point of parallel search jobs: each hands over its best, all go on from the best of all.

With two or more workers on PyVRP's own search (the ``plain`` jobs, :mod:`routing.solver.engine`),
every job searches with its own seed for a share of its budget, then the jobs exchange their best
solutions here and each restarts from the best of all with a fresh seed, as many times as
``SolveParams.plain_meetings`` says, evenly spaced over the budget. The job in the engine's
process (:class:`Host`) collects the others' bests and answers each with the chosen one; a job in a
forked process (:class:`Guest`) sends its best and waits for the answer. Solutions travel as PyVRP
indices (:data:`Routes`), which mean the same in every process: each builds the same PyVRP data
from the same model.

The choice is the lowest cost, ties to the job listed first, so under an iteration limit (where every
job waits for all the others) the answer never depends on the clock. Under a time limit a job that is
late, failed or gone is left out of the meeting rather than waited for.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from routing.solver.control import Control

Routes = list[tuple[int, list[tuple[int, int]]]]
"""A solution in transit: per route its PyVRP vehicle type and its visits between the depots, each
as (activity type number, index)."""

WAIT_S = 1.0
"""Seconds past its own arrival a job waits, under a time limit, for the others at the meeting."""

POLL_S = 0.05
"""Seconds between two looks at the cancel callable while waiting."""


@dataclass(frozen=True)
class Offer:
    """A job's best at the meeting: its cost (``inf`` when infeasible) and its routes."""

    cost: float
    routes: Routes


@dataclass(frozen=True)
class Answer:
    """The best of all offers, sent back to every guest."""

    routes: Routes


def _wait(conn: Connection, until: float, control: Control) -> bool:
    """Whether ``conn`` has a message before ``until`` (``inf``: wait as long as it takes)."""
    while not conn.poll(POLL_S):
        control.check()
        if time.monotonic() > until:
            return False
    return True


class Host:
    """The meeting as the engine's own job holds it: one connection per forked job, in job order."""

    def __init__(self, conns: list[Connection], control: Control) -> None:
        self._conns = conns
        self._control = control

    def __call__(self, offer: Offer) -> Routes:
        """Collect the guests' offers, answer each with the best of all, return it."""
        until = math.inf if self._control.max_iterations is not None else time.monotonic() + WAIT_S
        offers = [offer]
        for conn in self._conns:
            try:
                got = conn.recv() if _wait(conn, until, self._control) else None
            except (EOFError, OSError):
                got = None
            if isinstance(got, Offer):
                offers.append(got)
        best = min(enumerate(offers), key=lambda k_o: (k_o[1].cost, k_o[0]))[1]
        for conn in self._conns:
            try:
                conn.send(Answer(best.routes))
            except OSError:  # a guest that is gone needs no answer
                continue
        return best.routes


class Guest:
    """The meeting as a forked job sees it: its connection to the engine's process."""

    def __init__(self, conn: Connection, control: Control) -> None:
        self._conn = conn
        self._control = control

    def __call__(self, offer: Offer) -> Routes:
        """Send this job's best, return the best of all (its own when no answer comes in time)."""
        try:
            self._conn.send(offer)
        except OSError:
            return offer.routes
        until = math.inf if self._control.max_iterations is not None else time.monotonic() + WAIT_S
        try:
            if _wait(self._conn, until, self._control):
                got = self._conn.recv()
                if isinstance(got, Answer):
                    return got.routes
        except (EOFError, OSError):
            pass
        return offer.routes
