"""The routing model: building it step by step and rejecting inconsistent input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from routing.solver import Lunch, Model


def _model(n: int = 4) -> Model:
    m = Model()
    d = np.ones((n, n)) - np.eye(n)
    m.set_matrices(d, d * 100.0)
    return m


def test_add_methods_return_consecutive_indices() -> None:
    m = _model()
    assert m.add_depot(0) == 0
    assert m.add_landfill(1) == 0
    assert m.add_client(2, demand=(1.0, 0.1)) == 0
    assert m.add_segment_client(2, 3, traverse_s=60, traverse_m=50.0) == 1
    assert m.add_vehicle_type(num_available=2) == 0
    assert m.clients[1].is_segment and not m.clients[0].is_segment
    m.validate()


def test_matrices_must_be_square_and_alike() -> None:
    m = Model()
    with pytest.raises(ValueError, match="square"):
        m.set_matrices(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="same shape"):
        m.set_matrices(np.zeros((2, 2)), np.zeros((3, 3)))


def test_location_outside_the_matrices_is_named() -> None:
    m = _model()
    m.add_depot(0)
    m.add_landfill(1)
    m.add_client(9)
    with pytest.raises(ValueError, match=r"client 0: location 9 is outside the matrices"):
        m.validate()


def test_reversed_time_window_is_rejected() -> None:
    m = _model()
    m.add_depot(0)
    m.add_landfill(1)
    m.add_client(2, tw=(50_000, 40_000))
    with pytest.raises(ValueError, match="client 0: time window"):
        m.validate()


def test_demand_without_a_landfill_is_rejected() -> None:
    m = _model()
    m.add_depot(0)
    m.add_client(2, demand=(5.0, 0.0))
    m.add_vehicle_type()
    with pytest.raises(ValueError, match="landfill"):
        m.validate()


def test_vehicle_type_with_unknown_depot_is_rejected() -> None:
    m = _model()
    m.add_depot(0)
    m.add_landfill(1)
    m.add_vehicle_type(start_depot=3)
    with pytest.raises(ValueError, match="vehicle type 0: start_depot 3"):
        m.validate()


def test_lunch_window_must_be_ordered() -> None:
    m = _model()
    m.add_depot(0)
    m.add_landfill(1)
    m.add_vehicle_type(lunch=Lunch(window=(13 * 3600, 11 * 3600), duration_s=1800))
    with pytest.raises(ValueError, match="lunch window"):
        m.validate()


def test_nan_in_matrices_is_rejected() -> None:
    m = _model()
    assert m.duration_s is not None and m.distance_m is not None
    dur = m.duration_s.copy()
    dur[0, 1] = np.nan
    m.set_matrices(dur, m.distance_m)
    m.add_depot(0)
    with pytest.raises(ValueError, match="NaN"):
        m.validate()


def test_each_vehicle_type_names_a_routing_profile_with_its_own_matrices() -> None:
    m = Model()
    m.add_depot(0)
    m.add_client(1, profiles=frozenset({1}))
    near = np.array([[0.0, 5.0], [5.0, 0.0]])
    m.set_matrices(near, near)
    m.add_vehicle_type(profile=1)
    with pytest.raises(ValueError, match=r"client 0: profiles \[1\] not all in 0..0"):
        m.validate()
    m.clients[0] = dataclasses.replace(m.clients[0], profiles=None)
    with pytest.raises(ValueError, match=r"vehicle type 0: profile 1 is not in 0\.\.0"):
        m.validate()
    far = near * 10
    assert m.add_profile(far, far) == 1
    m.validate()
    assert m.matrices(1)[0][0, 1] == 50.0 and m.matrices(0)[0][0, 1] == 5.0
    with pytest.raises(ValueError, match="cover the same locations"):
        m.profiles[1] = (np.zeros((3, 3)), np.zeros((3, 3)))
        m.validate()


def test_a_client_limited_to_an_unknown_profile_is_rejected() -> None:
    m = Model()
    m.add_depot(0)
    m.add_client(1, profiles=frozenset({2}))
    m.add_vehicle_type()
    m.set_matrices(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"client 0: profiles \[2\] not all in 0..0"):
        m.validate()
