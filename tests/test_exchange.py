"""The parallel plain jobs' meeting: each hands over its best, all go on from the best of all
(routing/solver/_exchange.py)."""

from __future__ import annotations

import math
import multiprocessing as mp
import time

import pytest

from routing.solver._exchange import WAIT_S, Answer, Guest, Host, Offer
from routing.solver.control import Cancelled, Control

MINE = [(0, [(1, 0), (1, 1)])]
THEIRS = [(0, [(1, 1), (1, 0)])]


def test_the_host_answers_every_guest_with_the_cheapest_offer() -> None:
    ends = [mp.Pipe(duplex=True) for _ in range(2)]
    ends[0][1].send(Offer(90.0, THEIRS))
    ends[1][1].send(Offer(120.0, [(0, [])]))
    got = Host([here for here, _ in ends], Control(60.0, max_iterations=10))(Offer(100.0, MINE))
    assert got == THEIRS
    for _, there in ends:
        answer = there.recv()
        assert isinstance(answer, Answer) and answer.routes == THEIRS


def test_a_tie_goes_to_the_job_listed_first_and_an_infeasible_offer_never_wins() -> None:
    here, there = mp.Pipe(duplex=True)
    there.send(Offer(100.0, THEIRS))
    assert Host([here], Control(60.0, max_iterations=10))(Offer(100.0, MINE)) == MINE
    there.recv()
    there.send(Offer(math.inf, THEIRS))
    assert Host([here], Control(60.0, max_iterations=10))(Offer(5.0, MINE)) == MINE


def test_under_a_time_limit_the_host_leaves_out_a_guest_that_is_late_or_gone() -> None:
    late, _silent = mp.Pipe(duplex=True)
    gone, closed = mp.Pipe(duplex=True)
    closed.close()
    started = time.monotonic()
    assert Host([late, gone], Control(60.0))(Offer(100.0, MINE)) == MINE
    assert time.monotonic() - started < WAIT_S + 1.0


def test_a_guest_goes_on_from_the_answer_or_from_its_own_best_without_one() -> None:
    here, there = mp.Pipe(duplex=True)
    here.send(Answer(THEIRS))
    assert Guest(there, Control(60.0, max_iterations=10))(Offer(100.0, MINE)) == THEIRS
    assert here.recv() == Offer(100.0, MINE)
    started = time.monotonic()
    assert Guest(there, Control(60.0))(Offer(100.0, MINE)) == MINE  # no answer within WAIT_S
    assert WAIT_S <= time.monotonic() - started < WAIT_S + 1.0
    here.close()
    assert Guest(there, Control(60.0, max_iterations=10))(Offer(100.0, MINE)) == MINE


def test_a_cancel_stops_the_wait_at_the_meeting() -> None:
    here, _there = mp.Pipe(duplex=True)
    control = Control(60.0, max_iterations=10, cancel=lambda: True)
    with pytest.raises(Cancelled):
        Host([here], control)(Offer(100.0, MINE))
