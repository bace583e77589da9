"""The weekly schedule: allowed days, spread of repeated visits, same days per street, balance, work estimate."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from routing.daymodel import DayModel, SolvedDay
from routing.scenario import VehicleSpec, load_scenario
from routing.schedule import (
    WeekSchedule,
    WorkEstimate,
    approach_s,
    assign_days,
    day_patterns,
    estimate_work,
    fleet_seconds_per_day,
    move_unserved,
    point_work_s,
    shortfall,
    use_the_week,
)
from routing.solver.model import Model, Result, Route, Unserved, Visit
from tests.conftest import DATA

FULL_WEEK = {d: 8 * 3600.0 for d in ("mon", "tue", "wed", "thu", "fri")}


def _points(rows: list[tuple[str, str, str, int, tuple[str, ...], float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "point_id": p,
                "village": v,
                "street": s,
                "frequency": f,
                "days": d,
                "service_s": w,
                "demand_kg": 0.0,
            }
            for p, v, s, f, d, w in rows
        ]
    )


def test_twice_weekly_visits_are_spread_apart() -> None:
    patterns = day_patterns(("mon", "tue", "wed", "thu", "fri"), 2)
    assert ("mon", "thu") in patterns
    assert ("mon", "tue") not in patterns
    assert all(len(p) == 2 for p in patterns)


def test_pattern_needs_enough_allowed_days() -> None:
    with pytest.raises(ValueError, match="frequency 3"):
        day_patterns(("mon", "tue"), 3)


def test_points_only_get_allowed_days_and_their_frequency() -> None:
    pts = _points(
        [
            ("a", "V1", "S1", 1, ("mon", "tue"), 100.0),
            ("b", "V1", "S2", 2, ("mon", "tue", "wed", "thu", "fri"), 100.0),
            ("c", "V2", "S3", 1, ("fri",), 100.0),
        ]
    )
    week = assign_days(pts, capacity_s=FULL_WEEK)
    assert set(week.days_of["a"]) <= {"mon", "tue"} and len(week.days_of["a"]) == 1
    assert len(week.days_of["b"]) == 2
    assert week.days_of["c"] == ("fri",)


def test_points_of_one_street_share_their_days() -> None:
    pts = _points([(f"p{i}", "V", "Main", 1, ("mon", "tue", "wed"), 50.0) for i in range(6)])
    week = assign_days(pts, capacity_s=FULL_WEEK)
    assert len({week.days_of[f"p{i}"] for i in range(6)}) == 1


def test_work_is_balanced_across_allowed_days() -> None:
    pts = _points([(f"p{i}", "V", f"S{i}", 1, ("mon", "tue", "wed"), 1000.0) for i in range(9)])
    week = assign_days(pts, capacity_s=FULL_WEEK)
    per_day = {d: len(week.points_on(d)) for d in ("mon", "tue", "wed")}
    assert per_day == {"mon": 3, "tue": 3, "wed": 3}
    assert week.spread == pytest.approx(0.0)


def test_same_inputs_give_the_same_schedule() -> None:
    pts = _points(
        [
            (f"p{i}", "V", f"S{i % 4}", 1 + i % 2, ("mon", "wed", "thu", "fri"), 100.0 + i)
            for i in range(20)
        ]
    )
    first = assign_days(pts, capacity_s=FULL_WEEK)
    second = assign_days(pts.sample(frac=1.0, random_state=3), capacity_s=FULL_WEEK)
    assert dict(first.days_of) == dict(second.days_of)


def test_extra_work_of_far_points_is_balanced_too() -> None:
    # Two equal streets, but one lies far from the landfill (extra_s): they must not share a day with a third.
    pts = _points([(f"p{i}", "V", f"S{i}", 1, ("mon", "tue"), 1000.0) for i in range(3)])
    pts["extra_s"] = [5000.0, 0.0, 0.0]
    week = assign_days(pts, capacity_s=FULL_WEEK)
    far_day = week.days_of["p0"][0]
    assert week.points_on(far_day) == ["p0"]
    assert week.work_s[far_day] == pytest.approx(6000.0)


def test_the_fleet_works_its_shifts_less_lunch_every_day() -> None:

    fleet = load_scenario(DATA / "taza-aimak" / "scenario.toml").fleet
    per_day = fleet_seconds_per_day(fleet)
    want = sum(v.count * (v.shift_end_s - v.shift_start_s - v.lunch_s) for v in fleet)
    assert per_day == dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), want)
    assert want > 0


def test_far_points_weigh_more_by_their_share_of_landfill_trips() -> None:

    sc = load_scenario(DATA / "taza-aimak" / "scenario.toml")
    big = max(v.capacity_kg for v in sc.fleet)
    landfills = [replace(sc.landfills[0], unload_s=600), replace(sc.landfills[0], unload_s=900)]
    points = _points([("a", "V", "S", 1, ("mon",), 60.0)] * 3)
    points["demand_kg"] = [big / 2, big / 2, big]
    work = estimate_work(
        points, round_trip_s=[1200.0, 2400.0, float("nan")], depot_trip_s=[float("nan")] * 3,
        fleet=sc.fleet, landfills=landfills,
    )  # fmt: skip
    # half a load: half of (round trip + the quickest unloading); nothing where no landfill is reached
    assert list(work["extra_s"]) == [(1200 + 600) / 2, (2400 + 600) / 2, 0.0]
    assert list(work["collect_s"]) == [0.0, 0.0, 0.0]
    assert list(work["approach_s"]) == [0.0, 0.0, 0.0]  # the depot reached from none
    assert "extra_s" not in points  # the input is not modified


# --- the approach: the drive between the depot and an area, shared by its points (issue 21) -------


def _valley(*, far_trip_s: float, near_trip_s: float) -> pd.DataFrame:
    """A far village (4 streets of 1 h, Wednesday only) and a near one (6 streets of 1 h, Tuesday
    or Wednesday), with their points' depot round trips."""
    far = [(f"f{i}", "Far", f"F{i}", 1, ("wed",), 3600.0) for i in range(4)]
    near = [(f"n{i}", "Near", f"N{i}", 1, ("tue", "wed"), 3600.0) for i in range(6)]
    pts = _points(far + near)
    sc = load_scenario(DATA / "taza-aimak" / "scenario.toml")
    fleet = [replace(v, count=1) for v in sc.fleet[:1]]  # one vehicle: 8 h a day
    trips = [far_trip_s] * 4 + [near_trip_s] * 6
    return estimate_work(
        pts, round_trip_s=[0.0] * 10, depot_trip_s=trips, fleet=fleet, landfills=sc.landfills
    )


def test_each_vehicle_day_in_a_far_area_pays_its_approach() -> None:
    work = _valley(far_trip_s=3 * 3600.0, near_trip_s=0.0)
    # 4 h of work 3 h out (and back): 4 / (8 - 3) vehicle-days of 3 h each, shared by the 4 streets
    assert work.loc[work["village"] == "Far", "approach_s"].tolist() == pytest.approx(
        [3600.0 * 3 / 5] * 4
    )
    assert (work.loc[work["village"] == "Near", "approach_s"] == 0.0).all()
    assert point_work_s(work)["f0"] == pytest.approx(3600.0 * (1 + 3 / 5))


def test_the_far_days_weight_moves_a_flexible_village_off_them() -> None:
    # Without the approach (the old estimate) the week looks like 10 h of work: 5 h on Wednesday
    # (the far village and one near street), 5 h on Tuesday.
    old = assign_days(_valley(far_trip_s=0.0, near_trip_s=0.0), capacity_s=FULL_WEEK)
    assert len(old.points_on("wed")) == 5 and old.work_s["wed"] == pytest.approx(5 * 3600.0)
    # With it the far village alone is 6.4 h: every near street goes to Tuesday.
    new = assign_days(_valley(far_trip_s=3 * 3600.0, near_trip_s=600.0), capacity_s=FULL_WEEK)
    assert new.points_on("wed") == ["f0", "f1", "f2", "f3"]
    assert new.points_on("tue") == [f"n{i}" for i in range(6)]
    assert new.work_s["wed"] == pytest.approx(4 * 3600.0 * 8 / 5)
    assert new.work_s["tue"] == pytest.approx(6 * 3600.0 * (1 + 600 / (8 * 3600 - 600)))


def test_the_area_centre_is_its_median_point_and_far_ends_stay_finite() -> None:
    pts = _points([(f"p{i}", "V", f"S{i}", 1, ("mon",), 3600.0) for i in range(3)])
    pts["extra_s"] = 0.0
    # the median of 1 h, 2 h and one unreachable (nan) point: 1.5 h for all three
    got = approach_s(
        pts, depot_trip_s=[3600.0, 7200.0, float("nan")], shift_s=8 * 3600.0,
        params=WorkEstimate(),
    )  # fmt: skip
    assert got.tolist() == pytest.approx([3600.0 * 1.5 / 6.5] * 3)
    # an area 7 h out of an 8 h shift: at least a quarter of the shift counted as left for work
    far = approach_s(pts, depot_trip_s=[7 * 3600.0] * 3, shift_s=8 * 3600.0, params=WorkEstimate())
    assert far.tolist() == pytest.approx([3600.0 * 7 / 2] * 3)
    loose = approach_s(
        pts, depot_trip_s=[7 * 3600.0] * 3, shift_s=8 * 3600.0,
        params=WorkEstimate(least_work_share=0.5),
    )  # fmt: skip
    assert loose.tolist() == pytest.approx([3600.0 * 7 / 4] * 3)


# --- a full day uses the week (issue 21 item 4) --------------------------------------------------


def _truck(count: int = 1) -> VehicleSpec:
    return VehicleSpec(
        name="Truck", kind="compactor", count=count, capacity_kg=5000.0, capacity_m3=12.0,
        compaction=3.0, shift_start_s=8 * 3600, shift_end_s=17 * 3600,
        lunch_earliest_s=12 * 3600, lunch_latest_s=13 * 3600, lunch_s=3600, max_stops=None,
        max_load_per_day_kg=None, weight_t=None, width_m=None, height_m=None, cost_per_km=1.0,
        cost_per_hour=1.0, fixed_cost=0.0, driver="",
    )  # fmt: skip


def _week_points() -> pd.DataFrame:
    # four points of 3 h each, all allowed mon-wed; a(+b, c) on mon, d on tue
    return pd.DataFrame(
        {
            "point_id": ["a", "b", "c", "d"],
            "village": ["Ak", "Ak", "Bel", "Bel"],
            "days": [("mon", "tue", "wed")] * 4,
            "service_s": [3 * 3600.0] * 4,
            "demand_kg": [100.0] * 4,
        }
    )


def _solved(day: str, ids: list[str], left: list[str], *, lunch_s: float = 0.0) -> SolvedDay:
    """A day whose one route served ``ids`` less ``left`` (3 h each), with a lunch break."""
    served = [i for i, p in enumerate(ids) if p not in left]
    visits = [
        Visit(kind="client", index=i, arrival_s=0.0, departure_s=0.0, load=(0.0, 0.0), trip=0)
        for i in served
    ]
    if lunch_s:
        visits.append(Visit("lunch", -1, 3600.0, 3600.0 + lunch_s, load=(0.0, 0.0), trip=0))
    duration = 3 * 3600.0 * len(served) + lunch_s
    route = Route(vehicle_type=0, vehicle=0, visits=visits, duration_s=duration)
    result = Result(
        routes=[route] if served else [],
        unserved=[Unserved(client=ids.index(p), reason="no time in the shift") for p in left],
        cost=0.0, runtime_s=0.0, solver="test",
    )  # fmt: skip
    return SolvedDay(DayModel(day, Model(), tuple(ids)), result)


def test_points_left_out_on_a_full_day_move_to_a_day_with_spare_time() -> None:
    points = _week_points()
    schedule = WeekSchedule({"a": ("mon",), "b": ("mon",), "c": ("mon",), "d": ("tue",)}, {}, {})
    cap = fleet_seconds_per_day([_truck()])  # 8 h a day
    moves = move_unserved(
        schedule, points, unserved={"mon": ["c"]}, used_s={"mon": 6 * 3600.0, "tue": 3 * 3600.0},
        capacity_s=cap,
    )  # fmt: skip
    assert moves.moved == {"c": ("mon", "wed")}  # wed is empty: the most spare time
    assert moves.schedule.days_of["c"] == ("wed",) and moves.days == ["wed"]


def test_nothing_moves_where_no_allowed_day_has_room() -> None:
    points = _week_points().assign(days=[("mon",)] * 4)
    schedule = WeekSchedule({p: ("mon",) for p in "abcd"}, {}, {})
    moves = move_unserved(
        schedule, points, unserved={"mon": ["c", "d"]}, used_s={"mon": 6 * 3600.0},
        capacity_s=fleet_seconds_per_day([_truck()]),
    )  # fmt: skip
    assert moves.moved == {}


def test_the_week_is_used_then_what_is_left_says_what_would_serve_it() -> None:
    points = _week_points().assign(days=[("mon", "tue")] * 4)
    schedule = WeekSchedule({"a": ("mon",), "b": ("mon",), "c": ("mon",), "d": ("tue",)}, {}, {})
    days = [_solved("mon", ["a", "b", "c"], ["c"]), _solved("tue", ["d"], [])]
    calls: list[tuple[str, tuple[str, ...]]] = []

    def solve(day: str, ids: object) -> SolvedDay:
        calls.append((day, tuple(ids)))  # type: ignore[arg-type]
        return _solved(day, list(ids), [])  # type: ignore[call-overload]

    final, solved, short = use_the_week(schedule, points, days, fleet=[_truck()], solve=solve)
    assert calls == [("tue", ("c", "d"))]
    assert final.days_of["c"] == ("tue",)
    assert [len(s.result.unserved) for s in solved] == [0, 0] and short == {}


def test_a_shortfall_gives_hours_villages_to_move_and_vehicles() -> None:
    points = _week_points()
    used = {"mon": 6 * 3600.0, "tue": 2 * 3600.0, "wed": 7 * 3600.0, "thu": 1 * 3600.0}
    short = shortfall(
        points, unserved={"mon": ["c"], "wed": []}, used_s=used,
        capacity_s=dict.fromkeys(("mon", "tue", "wed", "thu"), 8 * 3600.0), fleet=[_truck()],
    )  # fmt: skip
    assert short["hours_short"] == {"mon": 3.0}
    assert short["more_vehicles"] == {"mon": {"vehicle": "Truck", "count": 1}}
    # tue (allowed) and thu (not allowed: its days would change) have 3 h spare; wed has 1 h
    assert short["moves"] == [
        {"village": "Bel", "from": "mon", "hours": 3.0, "to": ["tue", "thu"], "allowed": ["tue"]}
    ]


def test_moves_and_the_shortfall_count_a_far_points_approach() -> None:
    # c (3 h of service) lies far out: 1.5 h of approach is its share; tue has 5 h spare (enough
    # for 1.25 x 3 h, not for 1.25 x 4.5 h), wed 6 h (enough for both)
    points = _week_points().assign(approach_s=[0.0, 0.0, 1.5 * 3600.0, 0.0])
    schedule = WeekSchedule({"a": ("mon",), "b": ("mon",), "c": ("mon",), "d": ("tue",)}, {}, {})
    used = {"mon": 6 * 3600.0, "tue": 3 * 3600.0, "wed": 2 * 3600.0}
    cap = fleet_seconds_per_day([_truck()])
    moves = move_unserved(
        schedule, points.assign(days=[("mon", "tue")] * 4), unserved={"mon": ["c"]},
        used_s=used, capacity_s=cap,
    )  # fmt: skip
    assert moves.moved == {}  # without its approach it would have gone to tue
    moves = move_unserved(schedule, points, unserved={"mon": ["c"]}, used_s=used, capacity_s=cap)
    assert moves.moved == {"c": ("mon", "wed")}
    short = shortfall(
        points, unserved={"mon": ["c"]}, used_s=used, capacity_s=cap, fleet=[_truck()]
    )
    assert short["hours_short"] == {"mon": 4.5}
    assert short["moves"] == [
        {"village": "Bel", "from": "mon", "hours": 4.5, "to": ["tue", "wed"],
         "allowed": ["tue", "wed"]}
    ]  # fmt: skip


def test_a_days_spare_time_leaves_its_lunch_breaks_out() -> None:
    # c (3 h + 1.5 h approach) is left out on mon; tue's one route works 3 h and lunches 1 h: of
    # its 8 h (shift less lunch) 5 h are spare, enough for c's 4.5 h (not for 1.25 times them)
    points = _week_points().assign(
        days=[("mon", "tue")] * 4, approach_s=[0.0, 0.0, 1.5 * 3600.0, 0.0]
    )
    schedule = WeekSchedule({"a": ("mon",), "b": ("mon",), "c": ("mon",), "d": ("tue",)}, {}, {})
    days = [
        _solved("mon", ["a", "b", "c"], ["c"], lunch_s=3600.0),
        _solved("tue", ["d"], [], lunch_s=3600.0),
    ]

    def solve(day: str, ids: object) -> SolvedDay:
        raise AssertionError(f"nothing has the margin to move, yet {day} was routed again")

    _, _, short = use_the_week(schedule, points, days, fleet=[_truck()], solve=solve)
    assert short["hours_short"] == {"mon": 4.5}
    assert short["moves"] == [
        {"village": "Bel", "from": "mon", "hours": 4.5, "to": ["tue"], "allowed": ["tue"]}
    ]


# --- balance only when a day would otherwise be short (issue 21, item 4) --------------------------


def _far_and_near(*, far_street_s: float) -> pd.DataFrame:
    """Two vehicles (8 h each a day): a near village on Monday only (5 streets of 1.5 h), a far
    village 3 h out and back on Wednesday only (4 streets of ``far_street_s``), and one near street
    of 1 h that may go on either day."""
    mon = [(f"m{i}", "Mon", f"M{i}", 1, ("mon",), 1.5 * 3600.0) for i in range(5)]
    far = [(f"f{i}", "Far", f"F{i}", 1, ("wed",), far_street_s) for i in range(4)]
    pts = _points([*mon, *far, ("x", "Either", "X", 1, ("mon", "wed"), 3600.0)])
    sc = load_scenario(DATA / "taza-aimak" / "scenario.toml")
    trips = [0.0] * 5 + [3 * 3600.0] * 4 + [0.0]
    return estimate_work(
        pts, round_trip_s=[0.0] * 10, depot_trip_s=trips, fleet=_two_trucks(),
        landfills=sc.landfills,
    )  # fmt: skip


def _two_trucks() -> list[VehicleSpec]:
    sc = load_scenario(DATA / "taza-aimak" / "scenario.toml")
    return [replace(v, count=2) for v in sc.fleet[:1]]


def test_where_every_day_fits_the_approach_adds_no_vehicle_day() -> None:
    # Far village: 6 h of work needing 6 / (8 - 3) = 1.2 vehicle-days, so two vehicles drive out on
    # Wednesday anyway; with its approach (3.6 h) Wednesday holds 9.6 h, Monday 7.5 h. Balancing
    # those hours (the fifth session's rule) put the 1 h street on Monday: 8.5 h, more than one
    # vehicle's 8 h shift, a second vehicle-day. Both days fit either way (10.6 h of 16 h on
    # Wednesday is under the full line, 0.68 of them), so it stays with the far village's vehicles.
    work = _far_and_near(far_street_s=1.5 * 3600.0)
    cap = fleet_seconds_per_day(_two_trucks())
    week = assign_days(work, capacity_s=cap)
    assert week.days_of["x"] == ("wed",)
    assert week.work_s["mon"] == pytest.approx(7.5 * 3600.0)  # one vehicle-day
    assert week.work_s["wed"] == pytest.approx((6 + 3.6 + 1) * 3600.0)
    assert week.work_s["wed"] <= WorkEstimate().full_share * cap["wed"]


def test_a_day_over_the_full_line_still_sheds_work() -> None:
    # Far village: 8 h of work and 4.8 h of approach, 0.8 of Wednesday's 16 h: short; the street
    # that may go elsewhere goes to Monday (8.5 h), which has room.
    work = _far_and_near(far_street_s=2 * 3600.0)
    cap = fleet_seconds_per_day(_two_trucks())
    week = assign_days(work, capacity_s=cap)
    assert week.days_of["x"] == ("mon",)
    assert week.work_s["wed"] == pytest.approx((8 + 4.8) * 3600.0)
    # the same week whose Wednesday counts as full at a lower line sheds the street too
    fits = _far_and_near(far_street_s=1.5 * 3600.0)
    low = assign_days(fits, capacity_s=cap, params=WorkEstimate(full_share=0.6))
    assert low.days_of["x"] == ("mon",)
