"""The one turn classifier: bands stated once, used by legs and directions alike."""

from __future__ import annotations

import pytest

from routing.geometry import bearing_deg, classify_turn, heading_change_deg


@pytest.mark.parametrize(
    ("angle", "turn"),
    [
        (0, "straight"),
        (15, "straight"),
        (-30, "slight_left"),
        (60, "right"),  # the legs used to call this slight (60° bands): one classifier now
        (130, "right"),
        (30, "slight_right"),
        (90, "right"),
        (-90, "left"),
        (150, "sharp_right"),
        (-150, "sharp_left"),
        (178, "uturn"),
        (270, "left"),  # headings wrap around
    ],
)
def test_turns_are_classified_by_the_change_of_heading(angle: float, turn: str) -> None:
    assert classify_turn(angle) == turn


def test_bearings_and_heading_changes_wrap() -> None:
    assert bearing_deg(0, 0, 1, 0) == pytest.approx(90.0)
    assert bearing_deg(0, 0, 0, -1) == pytest.approx(180.0)
    assert heading_change_deg(350.0, 10.0) == pytest.approx(20.0)
    assert heading_change_deg(10.0, 350.0) == pytest.approx(-20.0)
