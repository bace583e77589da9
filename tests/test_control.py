"""Watching a solve: cancellation and progress (routing/solver/control.py)."""

from __future__ import annotations

import pytest

from routing.progress import Cancelled
from routing.solver.control import Control


def test_check_raises_the_planning_apis_cancelled() -> None:
    flag = [False]
    control = Control(time_limit_s=10, cancel=lambda: flag[0])
    control.check()
    flag[0] = True
    with pytest.raises(Cancelled):
        control.check()


def test_reports_never_go_back() -> None:
    seen: list[float] = []
    control = Control(time_limit_s=10, on_progress=seen.append)
    for f in (0.1, 0.3, 0.2, 0.3, 1.0):
        control.report(f)
    assert seen == [0.1, 0.3, 1.0]


def test_under_an_iteration_limit_the_fraction_follows_the_jobs() -> None:
    control = Control(time_limit_s=1e9, max_iterations=100)
    control.start_job(0, 2)
    assert control.fraction() == 0.0
    for _ in range(100):
        control.searching()
    assert 0.2 < control.fraction() < 0.5
    control.start_job(1, 2)
    assert 0.5 <= control.fraction() < 1.0


def test_a_forked_search_keeps_the_cancel_but_not_the_progress_callback() -> None:
    control = Control(time_limit_s=5, cancel=lambda: False, on_progress=print, log=True)
    child = control.for_child()
    assert child.cancel is control.cancel and child.log
    assert child.on_progress is None
