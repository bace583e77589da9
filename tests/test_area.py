"""The area of a plan: bbox, GeoJSON polygon, named places; on a real extract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from routing.area import area_geometry, inside_area
from routing.errors import InputError
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
    with pytest.raises(InputError, match=r"area\.geojson.*no Polygon") as empty:
        area_geometry(AreaSpec(polygon=bad))
    assert empty.value.field == "area.polygon"
    assert "бир да Polygon же MultiPolygon объекти жок" in empty.value.text("ky")
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read it as GeoJSON") as unreadable:
        area_geometry(AreaSpec(polygon=bad))
    russian = unreadable.value.text("ru")  # our frame; the reader's words quoted as its own
    assert russian.startswith(f"{bad}: не читается как GeoJSON (")
    assert "(его собственные слова, по-английски): " in russian


@pytest.mark.slow
def test_a_real_plan_counts_only_its_area_and_fills_a_sparse_village(tmp_path: Path) -> None:
    from routing.api import plan_week
    from routing.outputs import summary, table
    from routing.scenario import load_scenario
    from tests.conftest import DATA

    shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    text = (DATA / "north-bayreuth" / "scenario.toml").read_text(encoding="utf-8")
    text = text.replace("../../../shared", str(shared_file("data").parent))
    village = '[[village]]\nname = "Theta"\npopulation = 300\ndays = ["tue"]\nfrequency = 1\n\n'
    text = text.replace('[[village]]\nname = "*"', village + '[[village]]\nname = "*"')
    text += "\n[area]\nbbox = [11.53, 49.98, 11.58, 50.06]\n"
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    plan = plan_week(
        load_scenario(path, overrides={"solver.time_limit_s": 1.0}), cache_dir=tmp_path
    )
    hh = plan.households
    assert plan.households_in == plan.households_served + plan.households_unserved
    located = hh[hh.geometry.notna()]
    assert (located.geometry.x <= 11.58 + 1e-9).all()  # nothing outside is counted
    outside = int(plan.stats["households_outside_area"])
    assert outside > 100
    doc = summary(plan)
    assert doc["households_outside_area"] == outside
    assert f"Outside the plan area (not counted): {outside} households" in table(
        plan, language="en"
    )
    theta = hh[hh["village"] == "Theta"]
    assert len(theta) >= round(300 / 2.1) * 0.9  # filled from its population
    assert theta["note"].str.contains("population 300").sum() > 0
    assert any("Theta: population 300" in w for w in doc["warnings"])
    assert "data looks incomplete" in table(plan, language="en")
