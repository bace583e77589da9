"""Readers for benchmark instance files, kept apart from the solver (like PyVRP's ``read``)."""

from routing.readers.kim import KimInstance, kim_to_model, read_kim
from routing.readers.kim_check import KimSummary, check_kim_solution, kim_solution_summary
from routing.readers.vrplib import (
    VrplibSolution,
    read_solomon,
    read_vrplib,
    read_vrplib_solution,
    solution_distance,
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
]
