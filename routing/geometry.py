"""Headings and turns on the projected road graph: the one turn classifier of the project.

A turn is named from the change of compass heading where one edge ends and the next begins,
measured on the graph's projected coordinates (metres), so angles are true angles. The bands
are stated once here (:data:`TURN_BANDS_DEG`) and used by the legs (`routing.matrix`), the
directions (`routing.directions`) and through them the driver sheets and maps.
"""

from __future__ import annotations

import math

__all__ = ["TURNS", "TURN_BANDS_DEG", "bearing_deg", "classify_turn", "heading_change_deg"]

#: Every turn name a step or an instruction may carry.
TURNS: tuple[str, ...] = (
    "depart",
    "straight",
    "slight_left",
    "left",
    "sharp_left",
    "slight_right",
    "right",
    "sharp_right",
    "uturn",
)

#: Upper bounds (degrees, exclusive) of the size of a heading change for each turn; at or above
#: the last bound the change is a U-turn. A slight turn under 45° is still announced by
#: directions when the street changes; 45° and more is always announced as a turn.
TURN_BANDS_DEG: tuple[tuple[str, float], ...] = (
    ("straight", 20.0),
    ("slight", 45.0),
    ("plain", 135.0),
    ("sharp", 170.0),
)


def bearing_deg(x0: float, y0: float, x1: float, y1: float) -> float:
    """Return the compass bearing of a projected vector in degrees (0 = north, 90 = east).

    Parameters
    ----------
    x0, y0, x1, y1
        Start and end of the vector in projected metres.

    Returns
    -------
    bearing
        In ``(-180, 180]``.
    """
    return math.degrees(math.atan2(x1 - x0, y1 - y0))


def heading_change_deg(before_deg: float, after_deg: float) -> float:
    """Return the change from one bearing to the next in ``[-180, 180)``, positive to the right."""
    return (after_deg - before_deg + 180.0) % 360.0 - 180.0


def classify_turn(change_deg: float) -> str:
    """Name a change of heading.

    Parameters
    ----------
    change_deg
        Degrees, clockwise positive (to the right); any value, wrapped to ``[-180, 180)``.

    Returns
    -------
    turn
        One of :data:`TURNS` except ``"depart"``.
    """
    a = (change_deg + 180.0) % 360.0 - 180.0
    size = abs(a)
    side = "right" if a > 0 else "left"
    for band, upper in TURN_BANDS_DEG:
        if size < upper:
            if band == "straight":
                return "straight"
            return side if band == "plain" else f"{band}_{side}"
    return "uturn"
