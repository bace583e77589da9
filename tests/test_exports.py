"""GPX, KML and GeoJSON per vehicle-day: parseable, complete, in driving order."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import gpxpy
import pytest

from routing.exports import file_stem, slug, write_geojson, write_gpx, write_kml
from routing.plan import Plan
from tests.plan_factory import make_plan

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(days=("mon", "wed"), vehicles=2, stops_per_day=9)


def test_file_names_are_ascii_and_unique_per_vehicle_day(plan: Plan) -> None:
    assert slug("Трактор 1") == "traktor-1"
    assert slug("Үч-Терек ң") == "uch-terek-ng"
    assert slug("КамАЗ  №2 (сжатие)") == "kamaz-no2-szhatie"
    assert slug("???") == "vehicle"
    stems = [file_stem(vd) for vd in plan.vehicle_days]
    assert stems == ["mon-traktor-1", "mon-traktor-2", "wed-traktor-1", "wed-traktor-2"]
    assert all(s.isascii() for s in stems)


def test_gpx_holds_each_trip_as_a_segment_and_each_stop_as_a_waypoint(
    plan: Plan, tmp_path: Path
) -> None:
    paths = write_gpx(plan, tmp_path)
    assert [p.name for p in paths] == [f"{file_stem(vd)}.gpx" for vd in plan.vehicle_days]
    for path, vd in zip(paths, plan.vehicle_days, strict=True):
        # GPX 1.1, the version OsmAnd and Organic Maps import
        assert ET.parse(path).getroot().tag == "{http://www.topografix.com/GPX/1/1}gpx"
        gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
        assert len(gpx.tracks) == 1
        segments = gpx.tracks[0].segments
        assert len(segments) == len(vd.trips)
        for seg, line in zip(segments, vd.trips, strict=True):
            got = [(round(p.longitude, 6), round(p.latitude, 6)) for p in seg.points]
            assert got == [(round(x, 6), round(y, 6)) for x, y in line.coords]
        names = [w.name for w in gpx.waypoints]
        assert len(names) == len([s for s in vd.stops if s.kind != "lunch"])
        collect = [n for n in names if n[0].isdigit()]
        assert collect[0].startswith("1. ") and collect[-1].startswith(f"{len(vd.collect_stops)}. ")
        assert vd.collect_stops[0].label in collect[0]  # Kyrgyz text kept as written
        assert "©" in (gpx.description or "")


def test_kml_has_a_line_per_trip_and_a_placemark_per_stop(plan: Plan, tmp_path: Path) -> None:
    paths = write_kml(plan, tmp_path)
    for path, vd in zip(paths, plan.vehicle_days, strict=True):
        root = ET.parse(path).getroot()
        marks = root.iter(f"{KML}Placemark")
        lines = points = 0
        for mark in marks:
            if mark.find(f"{KML}LineString") is not None:
                lines += 1
            if mark.find(f"{KML}Point") is not None:
                points += 1
        assert lines == len(vd.trips)
        assert points == len([s for s in vd.stops if s.kind != "lunch"])


def test_geojson_lists_trips_then_stops_in_order(plan: Plan, tmp_path: Path) -> None:
    paths = write_geojson(plan, tmp_path)
    vd = plan.vehicle_days[1]
    data = json.loads(paths[1].read_text(encoding="utf-8"))
    kinds = [f["geometry"]["type"] for f in data["features"]]
    assert kinds == ["LineString"] * len(vd.trips) + ["Point"] * len(vd.stops)
    numbers = [f["properties"]["number"] for f in data["features"] if f["properties"].get("number")]
    assert numbers == list(range(1, len(vd.collect_stops) + 1))
    assert data["attribution"].startswith("© OpenStreetMap contributors")


def test_landfill_loads_add_up_to_what_was_collected(plan: Plan) -> None:
    from routing.exports import landfill_loads

    for vd in plan.vehicle_days:
        loads = landfill_loads(vd)
        assert len(loads) == vd.landfill_trips
        assert all(stop.kind == "landfill" for stop, _ in loads)
        # every trip ends at the landfill, so all that was collected is unloaded there
        assert sum(load for _, load in loads) == pytest.approx(vd.load_kg)
