"""Progress events and the cancel token: order, numbering, language, and stopping."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading

import pytest

from routing.progress import (
    STAGES,
    Cancelled,
    CancelToken,
    Progress,
    Reporter,
    cancel_on_interrupt,
    stage_title,
)


def test_a_token_cancels_once_and_checks_raise() -> None:
    token = CancelToken()
    assert not token.cancelled
    token.check()
    token.cancel()
    assert token.cancelled
    with pytest.raises(Cancelled):
        token.check()


def _cancel_from_child(event: object) -> None:
    CancelToken(event).cancel()  # type: ignore[arg-type]


def test_a_token_on_a_multiprocessing_event_is_cancelled_from_another_process() -> None:
    ctx = mp.get_context("spawn")
    event = ctx.Event()
    token = CancelToken(event)
    proc = ctx.Process(target=_cancel_from_child, args=(event,))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    assert token.cancelled


def test_a_stage_announces_its_start_and_end_in_the_language() -> None:
    events: list[Progress] = []
    reporter = Reporter(events.append, None, "ky")
    timings: dict[str, float] = {}
    with reporter.stage("matrix", timings, fractions=True):
        reporter.emit("matrix", 0.5, "64/128")
    with reporter.stage("assembly", timings):
        pass
    assert [(e.stage, e.number, e.total, e.fraction) for e in events] == [
        ("matrix", 5, 8, 0.0),
        ("matrix", 5, 8, 0.5),
        ("matrix", 5, 8, 1.0),
        ("assembly", 7, 8, None),
        ("assembly", 7, 8, 1.0),
    ]
    assert events[0].message == "Жол убактысынын матрицасы"
    assert events[1].message == "Жол убактысынын матрицасы: 64/128"
    assert set(timings) == {"matrix", "assembly"} and all(t >= 0 for t in timings.values())


def test_a_cancelled_run_does_not_start_the_next_stage() -> None:
    events: list[Progress] = []
    token = CancelToken()
    reporter = Reporter(events.append, token, "en")
    token.cancel()
    ran = []
    with pytest.raises(Cancelled), reporter.stage("network", {}):
        ran.append(True)
    assert not ran and not events


def test_every_stage_has_a_title_in_every_language() -> None:
    for language in ("ky", "ru", "en"):
        titles = [stage_title(s, language) for s in STAGES]
        assert len(set(titles)) == len(STAGES)
    assert stage_title("search", "ru") == "Маршруты по дням"
    with pytest.raises(ValueError, match="network, households"):
        stage_title("solver", "en")


def test_the_first_ctrl_c_cancels_the_plan_the_second_interrupts() -> None:
    token = CancelToken()
    before = signal.getsignal(signal.SIGINT)
    with cancel_on_interrupt(token):
        os.kill(os.getpid(), signal.SIGINT)
        assert token.cancelled
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_handling_leaves_signals_alone_off_the_main_thread() -> None:
    token = CancelToken()
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def inside() -> None:
        with cancel_on_interrupt(token):
            seen.append(signal.getsignal(signal.SIGINT))

    worker = threading.Thread(target=inside)
    worker.start()
    worker.join()
    assert seen == [before]
    assert not token.cancelled
