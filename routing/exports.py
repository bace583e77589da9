"""Route files for phones and GIS: GPX (OsmAnd, Organic Maps), KML and GeoJSON, one per vehicle-day.

Each file holds the day's path along the streets (one track segment / line per trip, WGS84) and a
waypoint for every stop in driving order: numbered collection stops, landfill visits and the depot.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import gpxpy
import gpxpy.gpx

from routing.atomic import atomic_write
from routing.i18n import format_clock
from routing.translit import transliterate

if TYPE_CHECKING:
    from routing.plan import Plan, Stop, VehicleDay


def slug(text: str) -> str:
    """An ASCII file-name part for a name in any script (``"Трактор 1"`` → ``"traktor-1"``).

    Cyrillic (Kyrgyz and Russian letters) is transliterated so the file names survive phones,
    e-mail and Windows; anything else is reduced to ``a-z0-9-``.
    """
    lowered = transliterate(text.casefold(), system="bgn_pcgn_ru")
    ascii_text = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode().lower()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return out or "vehicle"


def file_stem(vehicle_day: VehicleDay) -> str:
    """``<day>-<vehicle-slug>``: the shared name of a vehicle-day's sheet, GPX, KML and GeoJSON."""
    return f"{vehicle_day.day}-{slug(vehicle_day.vehicle)}"


def numbered_stops(vehicle_day: VehicleDay) -> list[tuple[int, Stop]]:
    """The collection stops with the number a driver sees (1, 2, … in driving order).

    Maps, sheets and route files all use this numbering so that stop 7 is the same place everywhere.
    """
    return [(i, s) for i, s in enumerate(vehicle_day.collect_stops, start=1)]


def landfill_loads(vehicle_day: VehicleDay) -> list[tuple[Stop, float]]:
    """Each landfill visit with the load (kg) the vehicle brings there.

    That is its load after the previous stop (a lunch break changes nothing); a stop's own
    ``load_kg`` is the load after the visit, 0 at a landfill.
    """
    out = []
    previous: Stop | None = None
    for stop in vehicle_day.stops:
        if stop.kind == "landfill":
            out.append((stop, previous.load_kg if previous else 0.0))
        if stop.kind != "lunch":
            previous = stop
    return out


def _stop_name(vehicle_day: VehicleDay, stop: Stop, number: int | None) -> str:
    if stop.kind == "collect" and number is not None:
        return f"{number}. {stop.label or stop.street}"
    return stop.label or stop.kind


def _waypoints(vehicle_day: VehicleDay) -> list[tuple[str, str, Stop]]:
    """(name, description, stop) for every stop but the lunch break, in driving order."""
    numbers = {id(s): n for n, s in numbered_stops(vehicle_day)}
    out = []
    for stop in vehicle_day.stops:
        if stop.kind == "lunch":
            continue
        number = numbers.get(id(stop))
        desc = f"{stop.kind} {format_clock(stop.arrival_s)}"
        if stop.kind == "collect":
            desc += f", {stop.households} hh, {stop.demand_kg:.0f} kg"
        out.append((_stop_name(vehicle_day, stop, number), desc, stop))
    return out


def _title(plan: Plan, vehicle_day: VehicleDay) -> str:
    return f"{plan.scenario.name}: {vehicle_day.day} {vehicle_day.date} {vehicle_day.vehicle}"


def gpx_text(plan: Plan, vehicle_day: VehicleDay) -> str:
    """The GPX 1.1 document of one vehicle-day (a track with a segment per trip, and waypoints)."""
    gpx = gpxpy.gpx.GPX()
    gpx.name = _title(plan, vehicle_day)
    gpx.description = plan.attribution
    gpx.creator = "taza-routing"
    track = gpxpy.gpx.GPXTrack(name=f"{vehicle_day.day} {vehicle_day.vehicle}")
    for line in vehicle_day.trips:
        segment = gpxpy.gpx.GPXTrackSegment()
        for lon, lat, *_ in line.coords:
            segment.points.append(gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon))
        track.segments.append(segment)
    gpx.tracks.append(track)
    for name, desc, stop in _waypoints(vehicle_day):
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(
                latitude=stop.lat, longitude=stop.lon, name=name, description=desc, symbol=stop.kind
            )
        )
    return gpx.to_xml(version="1.1")


def write_gpx(plan: Plan, out_dir: str | Path) -> list[Path]:
    """Write ``<day>-<vehicle>.gpx`` for every vehicle-day into ``out_dir``.

    Parameters
    ----------
    plan
        The week's plan.
    out_dir
        Folder to write into (created if needed).

    Returns
    -------
    list of Path
        The files written, in the plan's vehicle-day order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for vd in plan.vehicle_days:
        path = out / f"{file_stem(vd)}.gpx"
        paths.append(_write_text(path, gpx_text(plan, vd)))
    return paths


def _write_text(path: Path, text: str) -> Path:
    """Write a route file whole or not at all (`routing.atomic.atomic_write`)."""
    return atomic_write(path, lambda handle: handle.write(text))


def _kml_coords(coords: Any) -> str:
    return " ".join(f"{c[0]:.6f},{c[1]:.6f}" for c in coords)


def kml_text(plan: Plan, vehicle_day: VehicleDay) -> str:
    """The KML document of one vehicle-day: a line per trip and a placemark per stop."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
        f"<name>{escape(_title(plan, vehicle_day))}</name>",
        f"<description>{escape(plan.attribution)}</description>",
        '<Style id="route"><LineStyle><color>ff0000cc</color><width>4</width></LineStyle></Style>',
    ]
    for i, line in enumerate(vehicle_day.trips, start=1):
        parts.append(
            f"<Placemark><name>trip {i}</name><styleUrl>#route</styleUrl><LineString>"
            f"<tessellate>1</tessellate><coordinates>{_kml_coords(line.coords)}</coordinates>"
            "</LineString></Placemark>"
        )
    for name, desc, stop in _waypoints(vehicle_day):
        parts.append(
            f"<Placemark><name>{escape(name)}</name><description>{escape(desc)}</description>"
            f"<Point><coordinates>{stop.lon:.6f},{stop.lat:.6f}</coordinates></Point></Placemark>"
        )
    parts.append("</Document></kml>")
    return "\n".join(parts) + "\n"


def write_kml(plan: Plan, out_dir: str | Path) -> list[Path]:
    """Write ``<day>-<vehicle>.kml`` for every vehicle-day into ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for vd in plan.vehicle_days:
        path = out / f"{file_stem(vd)}.kml"
        paths.append(_write_text(path, kml_text(plan, vd)))
    return paths


def geojson_dict(plan: Plan, vehicle_day: VehicleDay) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of one vehicle-day (trip lines, then stops in order)."""
    features: list[dict[str, Any]] = []
    for i, line in enumerate(vehicle_day.trips, start=1):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [list(c[:2]) for c in line.coords],
                },
                "properties": {"day": vehicle_day.day, "vehicle": vehicle_day.vehicle, "trip": i},
            }
        )
    numbers = {id(s): n for n, s in numbered_stops(vehicle_day)}
    for stop in vehicle_day.stops:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                "properties": {
                    "day": stop.day,
                    "vehicle": stop.vehicle,
                    "trip": stop.trip,
                    "number": numbers.get(id(stop)),
                    "kind": stop.kind,
                    "point_id": stop.point_id,
                    "label": stop.label,
                    "households": stop.households,
                    "arrival": format_clock(stop.arrival_s),
                    "demand_kg": round(stop.demand_kg, 1),
                    "load_kg": round(stop.load_kg, 1),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": _title(plan, vehicle_day),
        "attribution": plan.attribution,
        "features": features,
    }


def write_geojson(plan: Plan, out_dir: str | Path) -> list[Path]:
    """Write ``<day>-<vehicle>.geojson`` for every vehicle-day into ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for vd in plan.vehicle_days:
        path = out / f"{file_stem(vd)}.geojson"
        paths.append(_write_text(path, json.dumps(geojson_dict(plan, vd), ensure_ascii=False)))
    return paths
