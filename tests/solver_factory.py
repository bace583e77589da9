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
