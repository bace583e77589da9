"""Integer load units for the engines (PyVRP and OR-Tools count loads in integers).

Where every demand, trip capacity and daily limit of a dimension is a whole multiple of one
quantum (0.1 yd³ in Kim's files, 1 in the CVRP files), the unit divides that quantum and the
integers are exact: a trip filled exactly to capacity stays feasible. Plain rounding to millionths
broke such trips by a unit or two; on 444_stop, whose loads fill 99.8 % of the fleet's daily
yardage, that cost PyVRP about half its iterations and 4 % of distance (10 s runs on the same
ProblemData with exact and with rounded loads, seeds 1-3). Loads without a common quantum
(estimates from a register) are counted in millionths.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from routing.solver.model import Model

FINE_SCALE = 1e6
"""Integer units per model unit (kg or m³) when the loads have no common quantum."""

_REL_TOL = 1e-9
"""Relative tolerance of the float arithmetic (values are products like 7.3 yd³ × 0.764555)."""


def load_scales(model: Model, clients: Iterable[int] | None = None) -> tuple[float, float]:
    """Integer units per model unit for the (kg, m³) load dimensions.

    Parameters
    ----------
    model
        The model; its vehicle types' capacities and daily limits count.
    clients
        The clients whose demands count (default: all).

    Returns
    -------
    tuple of float
        Per dimension a whole multiple of ``1 / quantum`` near :data:`FINE_SCALE` where a quantum
        exists, otherwise :data:`FINE_SCALE`.
    """
    idx = range(len(model.clients)) if clients is None else clients
    demands = [model.clients[i].demand for i in idx]
    out = []
    for d in (0, 1):
        values = [dm[d] for dm in demands]
        for vt in model.vehicle_types:
            values += [vt.capacity[d], vt.max_load_per_day[d]]
        q = _quantum(values)
        # a whole number of units per quantum, about as fine as FINE_SCALE: PyVRP's penalty
        # bounds are per unit, and coarse units let it trade overload for distance (X-n200-k36:
        # 37 routes at 1 unit per demand unit, 36 at a million)
        out.append(FINE_SCALE if q is None else max(1, math.floor(FINE_SCALE * q)) / q)
    return out[0], out[1]


def _quantum(values: Iterable[float]) -> float | None:
    """The largest ``q`` that every finite positive value is a whole multiple of, or ``None``."""
    vals = sorted({v for v in values if math.isfinite(v) and v > 0})
    if not vals:
        return None
    tol = _REL_TOL * vals[-1]
    g = vals[0]
    for v in vals[1:]:
        g = _float_gcd(v, g, tol)
        if g <= tol * 1e3:  # no real quantum: the remainders ran down to rounding noise
            return None
    if any(abs(v / g - round(v / g)) > 1e-6 for v in vals):
        return None
    return g


def _float_gcd(a: float, b: float, tol: float) -> float:
    """Euclid's algorithm on floats, taking remainders within ``tol`` of 0 or ``b`` as 0."""
    while b > tol:
        r = math.fmod(a, b)
        if r <= tol or b - r <= tol:
            r = 0.0
        a, b = b, r
    return a


def to_units(x: float, scale: float) -> int:
    """``x`` in integer units, rounded to the nearest (exact where ``scale`` is a quantum's)."""
    return math.floor(x * scale + 0.5)
