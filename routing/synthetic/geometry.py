"""Plane geometry of the synthetic generator: a local metric frame, vectors, polylines, clearance.

Everything is laid out in metres in a local equirectangular frame around the road's start and turned
into latitude and longitude only when the OSM file is written.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Sequence

__all__ = [
    "XY",
    "Frame",
    "SpatialHash",
    "add",
    "left",
    "norm",
    "point_at",
    "polyline_length",
    "square",
    "sub",
    "unit",
    "wiggle",
]

XY = tuple[float, float]


class Frame:
    """Local equirectangular frame in metres around (lat0, lon0): scale error < 0.3 % within 60 km."""

    def __init__(self, lat0: float, lon0: float) -> None:
        phi = math.radians(lat0)
        self.lat0, self.lon0 = lat0, lon0
        self.k_lat = 111_132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
        self.k_lon = 111_412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)

    def xy(self, lat: float, lon: float) -> XY:
        """Metres east and north of the frame's origin."""
        return ((lon - self.lon0) * self.k_lon, (lat - self.lat0) * self.k_lat)

    def latlon(self, p: XY) -> tuple[float, float]:
        """Latitude and longitude of a point, rounded to 7 decimals (about 1 cm)."""
        return (round(self.lat0 + p[1] / self.k_lat, 7), round(self.lon0 + p[0] / self.k_lon, 7))


def add(p: XY, q: XY, k: float = 1.0) -> XY:
    """``p + k * q``."""
    return (p[0] + k * q[0], p[1] + k * q[1])


def sub(p: XY, q: XY) -> XY:
    """``p - q``."""
    return (p[0] - q[0], p[1] - q[1])


def norm(p: XY) -> float:
    """Length of a vector."""
    return math.hypot(p[0], p[1])


def unit(p: XY) -> XY:
    """The vector scaled to length 1 (a zero vector stays zero)."""
    n = norm(p) or 1.0
    return (p[0] / n, p[1] / n)


def left(d: XY) -> XY:
    """The vector turned a quarter to the left."""
    return (-d[1], d[0])


def polyline_length(pts: Sequence[XY]) -> float:
    """Length of a polyline (metres)."""
    return sum(norm(sub(b, a)) for a, b in itertools.pairwise(pts))


def point_at(pts: Sequence[XY], t: float) -> tuple[XY, XY]:
    """Point at distance ``t`` along a polyline and the unit direction there."""
    for a, b in itertools.pairwise(pts):
        seg = norm(sub(b, a))
        if t <= seg or b is pts[-1]:
            d = unit(sub(b, a))
            return add(a, d, min(t, seg)), d
        t -= seg
    return pts[-1], unit(sub(pts[-1], pts[-2]))


def square(c: XY, d: XY, w: float, h: float) -> list[XY]:
    """Corners of a w (along d) x h rectangle centred on c, counter-clockwise."""
    n = left(d)
    return [
        add(add(c, d, -w / 2), n, -h / 2),
        add(add(c, d, w / 2), n, -h / 2),
        add(add(c, d, w / 2), n, h / 2),
        add(add(c, d, -w / 2), n, h / 2),
    ]


def wiggle(
    p: XY, q: XY, rng: random.Random, *, bulge: float, ripple: float, step: tuple[float, float]
) -> list[XY]:
    """Interior points of a gently wiggling road from p to q (nodes every ``step`` metres)."""
    length = norm(sub(q, p))
    d = unit(sub(q, p))
    n = left(d)
    phase = rng.uniform(0, math.pi)
    k = rng.choice((3, 4, 5))
    pts: list[XY] = []
    t = rng.uniform(*step)
    while t < length - step[0] * 0.6:
        s = t / length
        off = bulge * math.sin(math.pi * s) + ripple * math.sin(k * math.pi * s + phase) * math.sin(
            math.pi * s
        )
        pts.append(add(add(p, d, t), n, off + rng.gauss(0, 2.0)))
        t += rng.uniform(*step)
    return pts


class SpatialHash:
    """Spatial hash of points with a payload radius, for clearance checks."""

    def __init__(self, cell: float = 20.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, float]]] = defaultdict(list)

    def add(self, p: XY, r: float = 0.0) -> None:
        """Add a point with radius ``r``."""
        self.cells[(int(p[0] // self.cell), int(p[1] // self.cell))].append((p[0], p[1], r))

    def clear_of(self, p: XY, r: float, *, reach: int = 1) -> bool:
        """Whether a disc of radius ``r`` at ``p`` touches no point within ``reach`` cells."""
        cx, cy = int(p[0] // self.cell), int(p[1] // self.cell)
        for i in range(cx - reach, cx + reach + 1):
            for j in range(cy - reach, cy + reach + 1):
                for x, y, r2 in self.cells.get((i, j), ()):
                    if math.hypot(x - p[0], y - p[1]) < r + r2:
                        return False
        return True
