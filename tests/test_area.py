"""The area of a plan: bbox, GeoJSON polygon, named places; on a real extract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from routing.area import area_geometry, inside_area
from routing.estimate import estimate_households_from_buildings
from routing.scenario import AreaSpec
from tests.conftest import shared_file


@pytest.fixture(scope="module")
def households():  # type: ignore[no-untyped-def]
    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    return estimate_households_from_buildings(path, household_size=2.1)


def test_bbox_polygon_and_places_limit_the_households(households, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    west = AreaSpec(bbox=(11.53, 49.98, 11.57, 50.06))
    inside = inside_area(households, west)
    assert 0 < inside.sum() < len(households)
    assert (households.geometry.x[inside] <= 11.57).all()
    poly = tmp_path / "area.geojson"
    ring = [[11.53, 49.98], [11.57, 49.98], [11.57, 50.06], [11.53, 50.06], [11.53, 49.98]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    poly.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8"
    )
    assert np.array_equal(inside_area(households, AreaSpec(polygon=poly)), inside)
    village = households["village"].value_counts().index[0]
    named = inside_area(households, AreaSpec(places=(village,)))
    assert named.sum() == (households["village"] == village).sum()
    both = inside_area(households, AreaSpec(bbox=west.bbox, places=(village,)))
    assert both.sum() == (named & inside).sum()
    assert inside_area(households, AreaSpec()).all()


def test_a_bad_polygon_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "area.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"area\.geojson.*no Polygon"):
        area_geometry(AreaSpec(polygon=bad))
