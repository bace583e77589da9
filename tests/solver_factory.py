"""Small hand-made solver models shared by the solver's test modules."""

from __future__ import annotations

import numpy as np

from routing.solver import Model


def line_model(xs: list[float], *, speed: float = 10.0) -> Model:
    """Locations on a line (x in km); distance in m, time at ``speed`` m/s, symmetric."""
    m = Model()
    d = np.abs(np.subtract.outer(xs, xs)) * 1000.0
    m.set_matrices(d / speed, d)
    return m


def two_profile_model(tractors: int = 1) -> Model:
    """A compactor (profile 0) and a tractor (profile 1): container B lies on a track only the
    tractor may drive (profile 0 has no way to it), and the street 4-5 is a track itself."""
    pos = np.array([0.0, 100.0, 10.0, 20.0, 30.0, 40.0])
    d = np.abs(pos[:, None] - pos[None, :])
    compactor = d.copy()
    compactor[3, :] = compactor[:, 3] = np.inf
    compactor[3, 3] = 0.0
    m = Model()
    m.add_depot(0)
    m.add_landfill(1, unload_s=30)
    m.add_client(2, demand=(1.0, 0.0), service_s=5, name="A")
    m.add_client(3, demand=(1.0, 0.0), service_s=5, name="B on a track")
    m.add_segment_client(
        4, 5, traverse_s=20, traverse_m=10.0, demand=(1.0, 0.0), name="track street",
        profiles=frozenset({1}),
    )  # fmt: skip
    m.set_matrices(compactor, compactor)
    m.add_profile(d, d)
    m.add_vehicle_type(num_available=1, capacity=(10.0, 10.0), shift=(0, 10_000), profile=0)
    m.add_vehicle_type(
        num_available=tractors, capacity=(10.0, 10.0), shift=(0, 10_000), profile=1,
        cost_per_km=5.0,
    )  # fmt: skip
    return m
