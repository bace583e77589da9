"""The weekly schedule: which collection days each street and container gets.

Rules, in order: a point is collected ``frequency`` times a week on days it allows; a street keeps the same
weekday(s) every week (the schedule is a weekly pattern) and all its points share them; visits of twice-weekly
points are spread (Mon/Thu rather than Mon/Tue); **no day is short** if another allowed day has room; then the
work is balanced across days relative to what the fleet can do each day. Deterministic: a greedy assignment
(largest street first) followed by improving moves of one street at a time (:func:`assign_days`).

The work of a point (:func:`estimate_work`) is its service time, its collection driving, its share of
landfill trips (one round trip from the point to its nearest landfill, plus unloading, per full load of the
largest vehicle, so far villages weigh more) and its share of the **approach** (:func:`approach_s`): every
vehicle-day that works in an area (a village) first drives out from the depot and at the end home again,
so an area whose depot round trip is ``R`` and whose work is ``W`` needs ``W / (T - R)`` vehicle-days of
shift ``T`` and ``R`` for each; that approach, ``W R / (T - R)``, is spread over the area's points in
proportion to their work. ``R`` is the median of the area's points' depot round trips (the depot's row and
column of the travel matrix only, `routing.daymodel.round_trip_s`; the median point stands for the area's
centre), ``T`` the fleet's mean shift less lunch; the remaining time ``T - R`` is taken as at least
:attr:`WorkEstimate.least_work_share` of the shift (a labelled assumption) so that an area out at the
edge of a day's reach weighs much, not infinitely. It is linear in the points.

Why: without the approach, the 8-times valley (28,298 households, 16 vehicles; `bench.week`) was balanced at
74.6-78.9 estimated hours a day while its far days (the up-valley villages, allowed only Wednesday to
Friday) needed all 16 vehicles and left 1,495 households out for lack of time, and Monday needed 13: the
drive between the depot and the far villages, which only those days carry, was not in the estimate, so the
villages that may also go on Monday or Tuesday were not moved there. With it (2,000 iterations a solve)
Chong-Aryk goes wholly to Tuesday and 732 households are left out for lack of time (1,082 → 459 on a
held-out valley, seed 43): what remains is the villages' allowed days, and the shortfall says so.

Balancing those hours is not fewest vehicles: where no day is short it takes near work off the far days,
whose far villages need all of the fleet anyway, and loads the near days (4 times the valley of seed 43:
Monday 38.4 estimated hours and 7 vehicles, 38 vehicle-days, where balancing the work without the
approach had given it 35.9 and 6, 37). So the approach balances only a **short week**: when its balance
leaves a day above :attr:`WorkEstimate.full_share` of the day's fleet hours (0.68: on the seen valleys days up to 0.675 served every household, far days at
0.69 and more left some out), that balance is the schedule, as above; when every day fits, the work
*without* the approach is balanced instead, no move taking a day over that line. On the seen valleys
(`bench.week`, 2,000 iterations a solve) the short weeks (8 times) keep their schedule point for point;
at 4 times the vehicle-days are 37 and 37 (36 and 38 before), at 1 time 10 and 10 with 2.6 % fewer km.
Held out (seed 71, run once): 37 → 35 vehicle-days and 2.4 % fewer km at 4 times, the same 10 at 1 time
(one km more), the 8-times week and the synthetic town unchanged, the same households served everywhere.
What it does not give is the fewest vehicle-days as such: the estimate is too coarse to count vehicles
(at 4 times the far days took 7 or 8 anywhere from 38.8 to 42.8 estimated hours, Monday 6 or 7 between
37.4 and 38.4), so where no day is short the rule keeps near work with the far days' vehicles and
balances the rest. BENCHMARKS.md, "Week schedule at town size".

A day's capacity (:func:`fleet_seconds_per_day`) is what every vehicle of the fleet can work in a shift,
lunch taken out. Both are estimates for balancing only; each day's routes are then solved exactly
(`routing.daymodel`, `routing.solver`). What a solved day still leaves out moves to another allowed day
with time to spare (:func:`use_the_week`, :func:`move_unserved`), and the rest gets a :func:`shortfall`;
both read each point's estimated work (:func:`point_work_s`, the approach included).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from routing.scenario import DAYS, LandfillSpec, VehicleSpec

if TYPE_CHECKING:  # the days come back from the search, a later stage
    from routing.daymodel import SolvedDay

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WeekSchedule:
    """Collection days of every point and the estimated work per day.

    Attributes
    ----------
    days_of
        ``point_id`` → the weekdays it is collected on.
    work_s
        Estimated work per day in seconds (service, collection driving, landfill trips and
        unloading, the approach from the depot).
    capacity_s
        The fleet's working seconds per day, as used for balancing.
    """

    days_of: Mapping[str, tuple[str, ...]]
    work_s: Mapping[str, float]
    capacity_s: Mapping[str, float]

    def points_on(self, day: str) -> list[str]:
        """Point ids collected on ``day``, in a stable order."""
        return sorted(p for p, days in self.days_of.items() if day in days)

    @property
    def spread(self) -> float:
        """Largest minus smallest utilisation among the days that have work (0 = perfectly balanced)."""
        used = [
            w / self.capacity_s[d]
            for d, w in self.work_s.items()
            if w > 0 and self.capacity_s.get(d)
        ]
        return max(used) - min(used) if used else 0.0


def fleet_seconds_per_day(fleet: Sequence[VehicleSpec]) -> dict[str, float]:
    """The fleet's working seconds on each weekday: every vehicle's shift less its lunch break."""
    per_day = float(sum(v.count * (v.shift_end_s - v.shift_start_s - v.lunch_s) for v in fleet))
    return dict.fromkeys(DAYS, per_day)


@dataclass(frozen=True)
class WorkEstimate:
    """How :func:`estimate_work` weighs a point's approach and when :func:`assign_days` counts a
    day as short (estimates for balancing only).

    Attributes
    ----------
    area
        The column whose value is a point's area: the vehicle-days serving an area share one
        approach (``"village"``; points without the column form one area).
    least_work_share
        ASSUMPTION: the smallest share of a shift taken to be left for work in an area, however long
        its approach (0.25: an area whose depot round trip takes more than three quarters of a shift
        is counted as if it took three quarters, its approach three times its work). Not measured;
        it only keeps an area near the end of a day's reach finite. It binds nowhere measured: the
        farthest village of the 8-times valley (seed 2022) is 1.7 h out and back of an 8 h shift.
    full_share
        ASSUMPTION, tuned: the share of a day's fleet hours (shifts less lunch) that its estimated
        work (the approach included) may fill before the day counts as short. Routes take more
        than the estimate (1.2-1.45 times its hours, lunch left out). On the seen valleys (seeds
        2022 and 43, 1, 4 and 8 times; ``bench.week``, 2,000 iterations a solve) days estimated at
        up to 0.675 of their fleet's hours served every household, far days at 0.69 and more left
        some out; 0.68 lies between.
    """

    area: str = "village"
    least_work_share: float = 0.25
    full_share: float = 0.68


def estimate_work(
    points: pd.DataFrame,
    *,
    round_trip_s: Sequence[float],
    depot_trip_s: Sequence[float],
    fleet: Sequence[VehicleSpec],
    landfills: Sequence[LandfillSpec],
    params: WorkEstimate | None = None,
) -> pd.DataFrame:
    """Collection points with the work they cause beyond their own service, for :func:`assign_days`.

    Parameters
    ----------
    points
        Collection points (columns ``demand_kg``, optionally ``collect_s`` and the area column of
        ``params``).
    round_trip_s
        Per point, seconds from the point to its nearest landfill and back (``nan``: none reachable,
        no share counted); see `routing.daymodel.round_trip_s`.
    depot_trip_s
        Per point, seconds from the depot to the point and back (``nan``: not reachable), for the
        approach (:func:`approach_s`).
    fleet, landfills
        The scenario's vehicles (the largest capacity sets the loads per trip; their shifts the
        time a vehicle-day has) and landfills (the quickest unloading is counted).
    params
        How the approach is counted (default :class:`WorkEstimate`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``points`` with ``extra_s`` (the landfill share), ``approach_s`` (the approach
        share) and ``collect_s`` (0 where absent).
    """
    cap_kg = max(v.capacity_kg for v in fleet)
    unload = min(lf.unload_s for lf in landfills)
    work = points.copy()
    work["extra_s"] = [
        (trip + unload if math.isfinite(trip) else 0.0) * float(kg) / cap_kg
        for trip, kg in zip(round_trip_s, points["demand_kg"], strict=True)
    ]
    if "collect_s" not in work:
        work["collect_s"] = 0.0
    work["approach_s"] = approach_s(
        work, depot_trip_s=depot_trip_s, shift_s=mean_shift_s(fleet),
        params=params or WorkEstimate(),
    )  # fmt: skip
    return work


def mean_shift_s(fleet: Sequence[VehicleSpec]) -> float:
    """A vehicle-day's working seconds, the fleet's mean: shift less lunch, weighted by count."""
    vehicles = sum(v.count for v in fleet)
    return fleet_seconds_per_day(fleet)[DAYS[0]] / vehicles if vehicles else 0.0


def approach_s(
    points: pd.DataFrame,
    *,
    depot_trip_s: Sequence[float],
    shift_s: float,
    params: WorkEstimate,
) -> pd.Series:
    """Each point's share of its area's approach: the drive from the depot and home again.

    An area whose points' depot round trips have the median ``R`` and whose work (:func:`point_work_s`
    without the approach) is ``W`` needs ``W / (T - R)`` vehicle-days of ``shift_s`` ``T``, each
    driving ``R``; a point's share is its own work times ``R / (T - R)``, ``T - R`` at least
    ``params.least_work_share`` of ``T``. Linear in the points.

    Parameters
    ----------
    points
        Collection points with ``point_id``, the work columns and optionally ``params.area``.
    depot_trip_s
        Per point, the depot round trip in seconds (``nan`` where unreachable: not counted in the
        median; an area with none reachable gets no approach).
    shift_s
        A vehicle-day's working seconds (:func:`mean_shift_s`).
    params
        The area column and the least share of a shift left for work.

    Returns
    -------
    pandas.Series
        Seconds per point, aligned with ``points``.
    """
    if shift_s <= 0:  # no vehicle: nothing is served, no day is balanced
        return pd.Series(0.0, index=points.index)
    trip = pd.Series(np.asarray(depot_trip_s, dtype=float), index=points.index)
    area = points[params.area] if params.area in points else pd.Series("", index=points.index)
    centre = trip.groupby(area.astype(str).to_numpy()).transform("median")
    left = np.maximum(shift_s - centre, params.least_work_share * shift_s)
    own = _work_s(points.assign(approach_s=0.0))
    return (own * centre / left).fillna(0.0)


def day_patterns(allowed: Sequence[str], frequency: int) -> list[tuple[str, ...]]:
    """The best-spread choices of ``frequency`` days among ``allowed``.

    Patterns whose smallest gap between visits (around the week) is the largest possible are kept, so a
    twice-weekly street gets Mon/Thu rather than Mon/Tue when both are allowed.

    Parameters
    ----------
    allowed
        Allowed weekdays (``"mon"`` … ``"sun"``).
    frequency
        Visits per week.

    Returns
    -------
    list of tuple of str
    """
    order = [d for d in DAYS if d in set(allowed)]
    if not 1 <= frequency <= len(order):
        msg = f"frequency {frequency} needs at least as many allowed days, got {order}"
        raise ValueError(msg)
    combos = list(itertools.combinations(order, frequency))
    scored = [(_min_gap(c), c) for c in combos]
    best = max(s for s, _ in scored)
    return [c for s, c in scored if s == best]


def _min_gap(days: Sequence[str]) -> int:
    if len(days) == 1:
        return 7
    idx = sorted(DAYS.index(d) for d in days)
    gaps = [b - a for a, b in itertools.pairwise(idx)] + [idx[0] + 7 - idx[-1]]
    return min(gaps)


def assign_days(
    points: pd.DataFrame,
    *,
    capacity_s: Mapping[str, float],
    kg_to_s: float = 0.0,
    group_by: Sequence[str] = ("village", "street"),
    improve_rounds: int = 50,
    params: WorkEstimate | None = None,
) -> WeekSchedule:
    """Give every collection point its weekdays: no day short if it can be helped, then the work
    balanced.

    After the greedy start, one-street moves (:func:`_improve`, :class:`_Cost`) first lower the
    sum of squared utilisations of the estimated work, the approach included (the days of far
    areas weigh what they cost). If that leaves a day above the full line (``params.full_share``
    of its capacity) the week is short and this is the schedule. Otherwise every day fits, and
    more moves lower that sum for the work *without* the approach, none taking a day over the
    line: the approach then moves no work off the days whose far areas need their vehicles anyway.

    Parameters
    ----------
    points
        Collection points with columns ``point_id``, ``frequency``, ``days`` (allowed weekdays), ``service_s``,
        ``demand_kg`` and optionally ``collect_s`` (driving while collecting), ``extra_s`` and ``approach_s``
        (other work the point causes: its share of landfill trips and of the drive out from the depot
        and back, :func:`estimate_work`) and the ``group_by`` columns.
    capacity_s
        Working seconds the fleet has on each weekday (a day missing or at 0 gets no work).
    kg_to_s
        Seconds of landfill trips per kg collected (estimated), added to a point's work.
    group_by
        Points sharing these values share their days (a street keeps its weekday).
    improve_rounds
        Passes of improving moves, at most, in each of the two rounds after the greedy start.
    params
        The share of a day's capacity that counts as full (default :class:`WorkEstimate`).

    Returns
    -------
    WeekSchedule
        ``work_s``: the estimated work per day, the approach included.
    """
    units = _units(points, group_by=group_by, kg_to_s=kg_to_s)
    cap = {d: float(capacity_s.get(d, 0.0)) for d in DAYS}
    load = dict.fromkeys(DAYS, 0.0)
    own = dict.fromkeys(DAYS, 0.0)
    choice: dict[int, tuple[str, ...]] = {}
    # Largest first (LPT): big streets placed while the days are still empty balance best.
    for i in sorted(units, key=lambda i: (-units[i].work, units[i].key)):
        unit = units[i]
        best = min(unit.patterns, key=lambda p: (_score_after(load, cap, p, unit.work), p))
        choice[i] = best
        _shift(load, own, unit, (), best)
    # 1. the work with the approach balanced (squared utilisations: a line at 0)
    for _ in range(improve_rounds):
        if not _improve(units, choice, load, own, _Cost(cap, 0.0)):
            break
    # 2. if every day fits: the work without it, no day taken over the full line
    line = (params or WorkEstimate()).full_share
    if all(load[d] <= line * cap[d] for d in DAYS if cap[d] > 0):
        for _ in range(improve_rounds):
            if not _improve(units, choice, load, own, _Cost(cap, line)):
                break
    days_of = {pid: choice[i] for i, u in units.items() for pid in u.point_ids}
    logger.info(
        "schedule: %d points in %d groups over %s",
        len(days_of),
        len(units),
        ", ".join(f"{d} {load[d] / 3600:.1f} h" for d in DAYS if load[d] > 0),
    )
    return WeekSchedule(
        days_of=days_of,
        work_s={d: load[d] for d in DAYS if load[d] > 0 or cap[d] > 0},
        capacity_s={d: cap[d] for d in DAYS if load[d] > 0 or cap[d] > 0},
    )


@dataclass
class _Unit:
    key: str
    point_ids: list[str]
    work: float  # the approach included
    own: float  # the approach left out
    patterns: list[tuple[str, ...]]


def _units(points: pd.DataFrame, *, group_by: Sequence[str], kg_to_s: float) -> dict[int, _Unit]:
    missing = {"point_id", "frequency", "days", "service_s", "demand_kg"} - set(points.columns)
    if missing:
        msg = f"collection points lack columns: {sorted(missing)}"
        raise ValueError(msg)
    frame = points.copy()
    frame["_work"] = _work_s(frame) + frame["demand_kg"].astype(float) * kg_to_s
    approach = frame["approach_s"].fillna(0).astype(float) if "approach_s" in frame else 0.0
    frame["_own"] = frame["_work"] - approach
    frame["_days"] = frame["days"].map(lambda d: tuple(x for x in DAYS if x in set(d)))
    keys = [c for c in group_by if c in frame.columns]
    # A street's points share days only when they share frequency and allowed days.
    frame["_key"] = frame[keys].map(str).agg(" / ".join, axis=1) if keys else frame["point_id"]
    frame["_key"] = (
        frame["_key"]
        + " | "
        + frame["frequency"].astype(str)
        + " | "
        + frame["_days"].map(",".join)
    )
    units: dict[int, _Unit] = {}
    for i, (key, group) in enumerate(
        sorted(frame.groupby("_key", sort=True), key=lambda kv: str(kv[0]))
    ):
        first = group.iloc[0]
        if not first["_days"]:
            msg = f"collection point {first['point_id']} has no allowed collection day"
            raise ValueError(msg)
        units[i] = _Unit(
            key=str(key),
            point_ids=sorted(group["point_id"].astype(str)),
            work=float(group["_work"].sum()),
            own=float(group["_own"].sum()),
            patterns=day_patterns(first["_days"], int(first["frequency"])),
        )
    return units


@dataclass(frozen=True)
class _Cost:
    """What :func:`assign_days` lowers, in order: the estimated work (the approach included) above
    a line (utilisation above ``line``, squared and summed; a line at 0 balances that work), then
    the squared utilisations of the work without the approach. A day without capacity counts any
    work as a million times over."""

    cap: Mapping[str, float]
    line: float

    def over(self, load: Mapping[str, float], days: Sequence[str] = DAYS) -> float:
        """The days' utilisations above the line, squared and summed."""
        return sum(
            max(0.0, load[d] / self.cap[d] - self.line) ** 2 if self.cap[d] > 0 else load[d] * 1e6
            for d in days
        )

    def spread(self, own: Mapping[str, float], days: Sequence[str] = DAYS) -> float:
        """The days' utilisations (of the work ``own``) squared and summed."""
        return sum((own[d] / self.cap[d]) ** 2 for d in days if self.cap[d] > 0)

    def of(self, load: Mapping[str, float], own: Mapping[str, float]) -> tuple[float, float]:
        """Both aims: the work with the approach above the line, then the work without it."""
        return self.over(load), self.spread(own)


def _score_after(
    load: Mapping[str, float], cap: Mapping[str, float], pattern: Sequence[str], work: float
) -> tuple[float, float]:
    """Utilisation of the fullest day touched, then of the pattern's days, after adding ``work``."""
    util = [(load[d] + work) / cap[d] if cap[d] > 0 else float("inf") for d in pattern]
    return max(util), sum(util)


def _shift(
    load: dict[str, float], own: dict[str, float], unit: _Unit,
    old: Sequence[str], new: Sequence[str],
) -> None:  # fmt: skip
    """Move ``unit``'s work from the days ``old`` to the days ``new``."""
    for d in old:
        load[d] -= unit.work
        own[d] -= unit.own
    for d in new:
        load[d] += unit.work
        own[d] += unit.own


def _better(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """``a`` lower than ``b`` in order (each aim with a tolerance for rounding)."""
    if a[0] < b[0] - 1e-12:
        return True
    return abs(a[0] - b[0]) <= 1e-12 and a[1] < b[1] - 1e-12


def _improve(
    units: Mapping[int, _Unit],
    choice: dict[int, tuple[str, ...]],
    load: dict[str, float],
    own: dict[str, float],
    cost: _Cost,
) -> bool:
    """Move single units to a better pattern while that lowers the cost (:class:`_Cost`)."""
    improved = False
    for i in sorted(units):
        unit, current = units[i], choice[i]
        base = cost.of(load, own)
        for pattern in unit.patterns:
            if pattern == current:
                continue
            trial_load, trial_own = dict(load), dict(own)
            _shift(trial_load, trial_own, unit, current, pattern)
            trial = cost.of(trial_load, trial_own)
            if _better(trial, base):
                load.update(trial_load)
                own.update(trial_own)
                choice[i] = pattern
                current, base, improved = pattern, trial, True
    return improved


@dataclass(frozen=True)
class Moves:
    """Points moved off a day they could not be served on, to another allowed day.

    Attributes
    ----------
    schedule
        The schedule with the moves made.
    moved
        ``point_id`` → (day it left, day it went to).
    """

    schedule: WeekSchedule
    moved: Mapping[str, tuple[str, str]]

    @property
    def days(self) -> list[str]:
        """The days that gained points (to be routed again), in weekday order."""
        gained = {to for _, to in self.moved.values()}
        return [d for d in DAYS if d in gained]


#: The columns of a point's estimated work besides ``service_s`` (:func:`estimate_work`).
WORK_COLUMNS = ("collect_s", "extra_s", "approach_s")


def point_work_s(points: pd.DataFrame) -> dict[str, float]:
    """Each point's estimated work in seconds (service, collection driving, landfill share and
    approach share)."""
    return dict(zip(points["point_id"].astype(str), _work_s(points), strict=True))


def _work_s(points: pd.DataFrame) -> pd.Series:
    work = points["service_s"].astype(float).copy()
    for extra in WORK_COLUMNS:
        if extra in points:
            work += points[extra].fillna(0).astype(float)
    return work


def move_unserved(
    schedule: WeekSchedule,
    points: pd.DataFrame,
    *,
    unserved: Mapping[str, Sequence[str]],
    used_s: Mapping[str, float],
    capacity_s: Mapping[str, float],
    margin: float = 1.25,
) -> Moves:
    """Move points left unserved on a day to another allowed day with spare time in the fleet.

    Parameters
    ----------
    schedule
        The week as first assigned.
    points
        Collection points with ``point_id``, ``days`` (allowed) and the work columns of
        :func:`point_work_s`.
    unserved
        Day → points the day's routes left out.
    used_s
        Day → working seconds the day's routes use (shift time of the vehicles that drove, their
        lunch breaks left out as in ``capacity_s``).
    capacity_s
        Day → the fleet's working seconds.
    margin
        A point moves only to a day whose spare time is at least ``margin`` times its work.

    Returns
    -------
    Moves
        Largest points first, each to the allowed day (not already one of its days) with the most
        spare time, which then has that much less.
    """
    work = point_work_s(points)
    allowed = dict(zip(points["point_id"].astype(str), points["days"], strict=True))
    spare = {d: capacity_s.get(d, 0.0) - used_s.get(d, 0.0) for d in DAYS}
    days_of = dict(schedule.days_of)
    moved: dict[str, tuple[str, str]] = {}
    todo = sorted(((p, d) for d, ps in unserved.items() for p in ps), key=lambda x: -work[x[0]])
    for pid, day in todo:
        if pid in moved:
            continue
        options = [d for d in DAYS if d in set(allowed[pid]) and d not in days_of[pid]]
        # a day that left work of its own out has no time to spare, whatever its routes' hours say
        options = [d for d in options if spare[d] >= margin * work[pid] and not unserved.get(d)]
        if not options:
            continue
        to = max(options, key=lambda d: (spare[d], -DAYS.index(d)))
        spare[to] -= work[pid]
        days_of[pid] = tuple(d for d in DAYS if d in (set(days_of[pid]) - {day}) | {to})
        moved[pid] = (day, to)
    new = WeekSchedule(days_of, schedule.work_s, schedule.capacity_s)
    if moved:
        logger.info("schedule: %d points left out moved to days with spare time", len(moved))
    return Moves(new, moved)


def shortfall(
    points: pd.DataFrame,
    *,
    unserved: Mapping[str, Sequence[str]],
    used_s: Mapping[str, float],
    capacity_s: Mapping[str, float],
    fleet: Sequence[VehicleSpec],
) -> dict[str, object]:
    """What would serve the points still left out: hours short, villages to move, more vehicles.

    Returns
    -------
    dict
        ``hours_short`` (day → estimated vehicle-hours of the work left out), ``moves`` (a village's
        work left out on a day, and the working days that left nothing out and whose spare time
        could take all of it: ``to``, its allowed days first, and ``allowed``, those among them it
        may use now; the others need its ``[[village]] days`` changed) and
        ``more_vehicles`` (day → vehicles of the largest type that would cover the hours short).
    """
    work = point_work_s(points)
    info = points.set_index(points["point_id"].astype(str))
    spare = {d: capacity_s.get(d, 0.0) - used_s.get(d, 0.0) for d in DAYS}
    working = [d for d in DAYS if d in used_s]
    biggest = max(fleet, key=lambda v: (v.capacity_kg, v.name))
    shift_s = biggest.shift_end_s - biggest.shift_start_s - biggest.lunch_s
    hours: dict[str, float] = {}
    more: dict[str, dict[str, object]] = {}
    moves: list[dict[str, object]] = []
    for day, ids in unserved.items():
        if not ids:
            continue
        short = sum(work[p] for p in ids)
        hours[day] = round(short / 3600, 2)
        more[day] = {"vehicle": biggest.name, "count": math.ceil(short / shift_s)}
        by_village: dict[str, list[str]] = {}
        for p in ids:
            by_village.setdefault(str(info.at[p, "village"]), []).append(p)
        for village, vids in sorted(by_village.items()):
            need = sum(work[p] for p in vids)
            allowed = set(info.loc[vids[0], "days"])  # type: ignore[arg-type]
            # working days (with routes) that left nothing out and have the time: the village's
            # allowed days first, then others its [[village]] days could be changed to
            to = [d for d in working if d != day and not unserved.get(d) and spare[d] >= need]
            to.sort(key=lambda d: (d not in allowed, DAYS.index(d)))
            moves.append(
                {
                    "village": village, "from": day, "hours": round(need / 3600, 2), "to": to,
                    "allowed": [d for d in to if d in allowed],
                }
            )  # fmt: skip
    return {"hours_short": hours, "moves": moves, "more_vehicles": more}


def use_the_week(
    schedule: WeekSchedule,
    points: pd.DataFrame,
    days: Sequence[SolvedDay],
    *,
    fleet: Sequence[VehicleSpec],
    solve: Callable[[str, Sequence[str]], SolvedDay],
) -> tuple[WeekSchedule, list[SolvedDay], dict[str, object]]:
    """Serve on another allowed day what a full day left out; say what would serve the rest.

    Points a day's routes left out move (:func:`move_unserved`) to allowed days with spare time
    in the fleet; each such day is routed again (``solve(day, point_ids)``) and kept only if it
    then leaves out no more of its own points than before; the day a point left drops it from
    its unserved list. What is still left out gets a :func:`shortfall`.

    Returns
    -------
    tuple
        The schedule, the solved days (weekday order) and the shortfall (empty when all fit).
    """
    capacity = fleet_seconds_per_day(fleet)
    solved = {s.day_model.day: s for s in days}
    moves = move_unserved(
        schedule, points, unserved=_left_out(solved), used_s=_used_s(solved), capacity_s=capacity
    )
    kept: dict[str, tuple[str, str]] = {}
    for day in moves.days:
        ids = moves.schedule.points_on(day)
        again = solve(day, ids)
        before = len(solved[day].result.unserved) if day in solved else 0
        newly = {p: m for p, m in moves.moved.items() if m[1] == day}
        left = {again.day_model.point_ids[u.client] for u in again.result.unserved}
        if len(left - set(newly)) <= before and len(left & set(newly)) < len(newly):
            solved[day] = again
            kept.update({p: m for p, m in newly.items() if p not in left})
    days_of = dict(schedule.days_of)
    for pid in kept:
        days_of[pid] = moves.schedule.days_of[pid]
    for pid, (origin, _) in kept.items():  # the day it left no longer counts it as left out
        s = solved[origin]
        rest = [u for u in s.result.unserved if s.day_model.point_ids[u.client] != pid]
        solved[origin] = type(s)(s.day_model, dataclasses.replace(s.result, unserved=rest))
    if kept:
        logger.info("schedule: %d points left out on a full day served on another", len(kept))
    final = WeekSchedule(days_of, schedule.work_s, schedule.capacity_s)
    out = [solved[d] for d in DAYS if d in solved]
    left_out = _left_out(solved)
    advice = (
        shortfall(
            points, unserved=left_out, used_s=_used_s(solved), capacity_s=capacity, fleet=fleet
        )
        if any(left_out.values())
        else {}
    )
    return final, out, advice


def _left_out(solved: Mapping[str, SolvedDay]) -> dict[str, list[str]]:
    return {
        d: [s.day_model.point_ids[u.client] for u in s.result.unserved] for d, s in solved.items()
    }


def _used_s(solved: Mapping[str, SolvedDay]) -> dict[str, float]:
    """Working seconds of each day's routes: their durations less their lunch breaks, as the
    capacity (:func:`fleet_seconds_per_day`) counts shifts less lunch."""
    return {
        d: float(
            sum(
                r.duration_s
                - sum(v.departure_s - v.arrival_s for v in r.visits if v.kind == "lunch")
                for r in s.result.routes
                if r.clients
            )
        )
        for d, s in solved.items()
    }
