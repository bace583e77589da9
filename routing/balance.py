"""Balanced vehicle-days: after the fewest vehicles, the longest vehicle-day as short as possible.

The day's search (`routing.solver`) minimises, in order, required clients unserved, vehicles and
cost (km and hours). Cost alone is indifferent to how the hours are shared, so one truck could
drive 7 hours while the other drove 2. The objective of a day is therefore stated as:

1. every required client served (as many as the search served);
2. the fewest vehicles;
3. the longest vehicle-day as short as possible;
4. the least cost.

`balance_day` keeps to it by tightening, a bisection on the longest vehicle-day: between the
day's mean route (which no split can beat) and its longest, every vehicle's shift is cut to the
middle and the day is searched again with the same seed and limits; the new answer replaces the
old one only when it serves as many clients with no more vehicles and its longest route is
shorter (then the upper end moves to it), else the lower end moves up to the middle. This
repeats ``rounds`` times, or until the interval between the lower end and the longest
vehicle-day is under ``resolution_h`` (no further round could shorten the longest day by more
than that). Where a day needs one vehicle, the first answer stands. Each round costs one more
search of the day.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace

from routing.solver.model import Model, Result

__all__ = ["TIGHTEN", "BalanceNote", "balance_day", "route_hours"]

#: The first round asks for the middle between the mean and the longest vehicle-day; at least
#: this much shorter than the longest (a smaller step is not worth a search).
TIGHTEN = 0.97


@dataclass(frozen=True)
class BalanceNote:
    """What balancing did to one day: the longest and shortest vehicle-day before and after."""

    longest_before_h: float
    shortest_before_h: float
    longest_after_h: float
    shortest_after_h: float
    rounds: int
    kept: int


def route_hours(result: Result) -> list[float]:
    """Hours of each route that leaves the depot (first departure to last arrival)."""
    out = []
    for route in result.routes:
        if route.clients and route.visits:
            out.append((route.visits[-1].arrival_s - route.visits[0].departure_s) / 3600.0)
    return out


def _better(new: Result, old: Result) -> bool:
    if len(new.unserved) > len(old.unserved) or new.num_vehicles > old.num_vehicles:
        return False
    return max(route_hours(new), default=0.0) < max(route_hours(old), default=0.0) - 1e-9


def balance_day(
    model: Model,
    result: Result,
    *,
    solve: Callable[[Model], Result],
    rounds: int = 2,
    resolution_h: float = 0.0,
) -> tuple[Result, BalanceNote]:
    """Shorten the longest vehicle-day of a solved day, keeping served clients and vehicles.

    Parameters
    ----------
    model
        The day's model (not modified).
    result
        The search's answer to it.
    solve
        Searches a model with the day's seed and limits (e.g. ``lambda m: m.solve(**options)``).
    rounds
        Most extra searches.
    resolution_h
        Stop when the longest vehicle-day is within this many hours of the lower end (the mean
        route, raised by each round that found nothing): a gain smaller than this is not worth a
        search. 0 stops only after ``rounds``.

    Returns
    -------
    result, note
        The most balanced answer found that keeps the objective's first two terms, and the
        longest and shortest vehicle-day before and after.
    """
    hours = route_hours(result)
    best, tried, kept = result, 0, 0
    low = sum(hours) / len(hours) if hours else 0.0
    while tried < rounds and len(hours) >= 2:
        high = max(route_hours(best))
        if high - low < resolution_h:
            break
        target_h = min((low + high) / 2, TIGHTEN * high)
        if target_h <= low:
            break
        tighter = copy.copy(model)
        tighter.vehicle_types = [
            replace(vt, shift=(vt.shift[0], min(vt.shift[1], vt.shift[0] + int(target_h * 3600))))
            for vt in model.vehicle_types
        ]
        tried += 1
        answer = solve(tighter)
        if _better(answer, best):
            best, kept = answer, kept + 1
        else:
            low = target_h
    after = route_hours(best)
    note = BalanceNote(
        max(hours, default=0.0), min(hours, default=0.0),
        max(after, default=0.0), min(after, default=0.0), tried, kept,
    )  # fmt: skip
    return best, note
