"""Balancing a day: the longest vehicle-day shortened, never at the cost of clients or vehicles."""

from __future__ import annotations

from routing.balance import TIGHTEN, balance_day, route_hours
from routing.solver.model import Model, Result, Route, Unserved, Visit


def _route(vehicle: int, start_h: float, end_h: float) -> Route:
    visits = [
        Visit("depot", 0, start_h * 3600, start_h * 3600, (0.0, 0.0), 0),
        Visit("client", vehicle, (start_h + 1) * 3600, (start_h + 1) * 3600, (1.0, 0.0), 0),
        Visit("depot", 0, end_h * 3600, end_h * 3600, (0.0, 0.0), 0),
    ]
    return Route(0, vehicle, visits)


def _result(*spans: tuple[float, float], unserved: int = 0) -> Result:
    routes = [_route(i, a, b) for i, (a, b) in enumerate(spans)]
    return Result(routes, [Unserved(0, "x")] * unserved, cost=0.0, runtime_s=0.0, solver="test")


def _model() -> Model:
    model = Model()
    model.add_depot(0)
    model.add_vehicle_type(num_available=2, shift=(8 * 3600, 17 * 3600))
    return model


def test_a_more_balanced_answer_with_the_same_vehicles_replaces_the_first() -> None:
    first = _result((8, 15), (8, 10))  # 7 h and 2 h
    seen: list[Model] = []
    answers = iter([_result((8, 13), (8, 12.5)), _result((8, 13), (8, 12.9))])

    def solve(model: Model) -> Result:
        seen.append(model)
        return next(answers)

    model = _model()
    best, note = balance_day(model, first, solve=solve, rounds=2)
    assert route_hours(best) == [5.0, 4.5]
    assert (note.longest_before_h, note.shortest_before_h) == (7.0, 2.0)
    assert (note.longest_after_h, note.shortest_after_h) == (5.0, 4.5)
    assert (note.rounds, note.kept) == (2, 1)  # the second answer was not shorter: dropped
    # bisection between the 4.5 h mean and the 7 h longest, then between 4.5 h and 5 h
    assert seen[0].vehicle_types[0].shift == (8 * 3600, 8 * 3600 + int(5.75 * 3600))
    assert seen[1].vehicle_types[0].shift == (8 * 3600, 8 * 3600 + int(4.75 * 3600))
    assert TIGHTEN < 1
    assert model.vehicle_types[0].shift == (8 * 3600, 17 * 3600)  # the day's model unchanged


def test_an_answer_with_a_client_left_out_or_one_vehicle_more_is_refused() -> None:
    first = _result((8, 15), (8, 10))
    for worse in (_result((8, 12), (8, 12), unserved=1), _result((8, 11), (8, 11), (8, 11))):
        best, note = balance_day(_model(), first, solve=lambda m, w=worse: w, rounds=3)
        assert best is first and note.kept == 0 and note.rounds == 3  # the bisection moved up


def test_one_vehicle_is_left_alone() -> None:
    first = _result((8, 15))
    best, note = balance_day(_model(), first, solve=lambda m: first, rounds=2)
    assert best is first and note.rounds == 0


def test_balancing_stops_once_the_longest_day_is_within_the_resolution_of_its_lower_bound() -> None:
    first = _result((8, 15), (8, 10))  # 7 h and 2 h: the mean, 4.5 h, is the lower bound
    calls: list[Model] = []

    def solve(model: Model) -> Result:
        calls.append(model)
        return _result((8, 13), (8, 12.5))  # 5 h: then 0.5 h above the lower bound

    best, note = balance_day(_model(), first, solve=solve, rounds=5, resolution_h=1.0)
    assert route_hours(best) == [5.0, 4.5]
    assert (note.rounds, note.kept, len(calls)) == (1, 1, 1)
    # 2.5 h from the lower bound is within a resolution of 3 h: no search at all
    best, note = balance_day(_model(), first, solve=solve, rounds=5, resolution_h=3.0)
    assert best is first and note.rounds == 0 and len(calls) == 1
