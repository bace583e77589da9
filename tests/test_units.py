"""Load units (routing/solver/_units.py): whole numbers where the loads share a quantum."""

from __future__ import annotations

from routing.solver._units import FINE_SCALE, load_scales, to_units
from tests.solver_factory import line_model


def test_loads_are_whole_units_when_they_share_a_quantum_and_millionths_otherwise() -> None:
    yd3 = 0.764554857984
    m = line_model([0, 1, 2, 3])
    m.add_depot(0)
    m.add_landfill(1)
    m.add_client(2, demand=(12.5, 3.2 * yd3))
    m.add_client(3, demand=(2**0.5, 3.4 * yd3))
    m.add_vehicle_type(num_available=1, capacity=(100.0, 10 * yd3))
    kg, m3 = load_scales(m)
    assert kg == FINE_SCALE  # 12.5, √2 and 100 share no quantum
    for x in (3.2 * yd3, 3.4 * yd3, 10 * yd3):
        assert abs(x * m3 - round(x * m3)) < 1e-6
    assert to_units(3.2 * yd3, m3) + 2 * to_units(3.4 * yd3, m3) == to_units(10 * yd3, m3)
