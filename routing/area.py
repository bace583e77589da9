"""The area of a plan: a bounding box, a polygon (GeoJSON) or named places.

An extract is usually larger than the area an enterprise serves. With ``[area]`` in the
scenario, households outside the area are not households of the plan at all: they are not
counted in ``households_in`` nor listed as unserved, only reported apart in one line (how many,
and that they are outside). Given several of ``bbox``, ``polygon`` and ``places``, a household
must be inside each. A household without a position (not located) is inside a bbox or polygon
(nothing says it is outside) and is judged by its village for ``places``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from routing.errors import InputError, library_text
from routing.normalize import place_key
from routing.scenario import AreaSpec

__all__ = ["area_geometry", "inside_area"]


def area_geometry(spec: AreaSpec) -> BaseGeometry | None:
    """Return the area's shape in WGS84 (bbox and polygon intersected), None when not limited.

    Raises
    ------
    routing.errors.InputError
        When the polygon file cannot be read or holds no polygon (naming the file).
    """
    shape: BaseGeometry | None = box(*spec.bbox) if spec.bbox is not None else None
    if spec.polygon is not None:
        try:
            frame = gpd.read_file(spec.polygon)
        except Exception as exc:  # fiona/pyogrio raise their own errors for unreadable files
            msg = "{file}: cannot read it as GeoJSON ({detail}); [area] polygon must be a GeoJSON file"
            detail = library_text(exc)
            raise InputError(msg, file=spec.polygon, field="area.polygon", detail=detail) from exc
        if frame.crs is not None:
            frame = frame.to_crs(4326)
        polygons = [
            g
            for g in frame.geometry
            if g is not None and g.geom_type in ("Polygon", "MultiPolygon")
        ]
        if not polygons:
            msg = "{file}: no Polygon or MultiPolygon feature; [area] polygon needs the area's outline"
            raise InputError(msg, file=spec.polygon, field="area.polygon")
        outline = shapely.union_all(polygons)
        shape = outline if shape is None else shape.intersection(outline)
    return shape


def _villages(households: gpd.GeoDataFrame) -> list[str]:
    """The matched village of each household, else the village it was written with."""
    out: list[str] = []
    for col in ("matched_village", "village"):
        if col not in households.columns:
            continue
        values = [v if isinstance(v, str) else "" for v in households[col]]
        out = values if not out else [a or b for a, b in zip(out, values, strict=True)]
    return out or [""] * len(households)


def inside_area(
    households: gpd.GeoDataFrame, spec: AreaSpec, *, shape: BaseGeometry | None = None
) -> np.ndarray:
    """Return, per household, whether it lies in the plan's area.

    Parameters
    ----------
    households
        With geometry (WGS84, may be None) and ``village`` / ``matched_village`` columns.
    spec
        The scenario's ``[area]``.
    shape
        `area_geometry` of ``spec`` when already made.

    Returns
    -------
    numpy.ndarray of bool
    """
    n = len(households)
    inside = np.ones(n, dtype=bool)
    if not spec.limited or n == 0:
        return inside
    shape = shape if shape is not None else area_geometry(spec)
    if shape is not None:
        geoms = households.geometry
        have = geoms.notna().to_numpy() & ~geoms.is_empty.fillna(True).to_numpy()
        hit = np.asarray(shapely.covers(shape, np.asarray(geoms.to_numpy()[have])), dtype=bool)
        inside[have] = hit
    if spec.places:
        wanted = {place_key(p) for p in spec.places}
        inside &= np.array([place_key(name) in wanted for name in _villages(households)], bool)
    return inside
