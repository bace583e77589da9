"""Readers for benchmark instance files, kept apart from the solver (like PyVRP's ``read``).

Their bad-input messages (``routing.errors.InputError``, with literal templates like every other)
are for developers running the benchmarks and stay in English: they are not in ``taza-errors.po``,
so ``error.text(language)`` gives the English text.
"""

from routing.readers.kim import KimInstance, kim_to_model, read_kim
from routing.readers.kim_check import KimSummary, check_kim_solution, kim_solution_summary
from routing.readers.vrplib import (
    VrplibSolution,
    read_solomon,
    read_vrplib,
    read_vrplib_solution,
    solution_distance,
    vrplib_problem,
    vrplib_route_limit,
)

__all__ = [
    "KimInstance",
    "KimSummary",
    "VrplibSolution",
    "check_kim_solution",
    "kim_solution_summary",
    "kim_to_model",
    "read_kim",
    "read_solomon",
    "read_vrplib",
    "read_vrplib_solution",
    "solution_distance",
    "vrplib_problem",
    "vrplib_route_limit",
]
