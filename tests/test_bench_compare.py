"""The comparison benchmark's result file: medians, ratio and the goal."""

from __future__ import annotations

from bench.compare import _markdown


def test_result_names_medians_ratio_and_the_goal() -> None:
    text = _markdown({2: [100.0, 130.0, 110.0], 1: [200.0, 230.0, 220.0]}, [])
    assert "under 2 minutes: **met** (110 s)" in text
    assert "| **110.0 s** | 100.0, 130.0, 110.0 | 1.00 |" in text
    assert "| 220.0 s | 200.0, 230.0, 220.0 | 2.00× |" in text
    assert "shared cores" in text and "Variants that failed: 0." in text
    slow = _markdown({2: [150.0], 1: [300.0]}, ["second-truck: cancelled"])
    assert (
        "**NOT met** (150 s)" in slow
        and "Variants that failed: 1 (second-truck: cancelled)." in slow
    )
