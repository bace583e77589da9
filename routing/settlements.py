"""New settlements of a scenario (``[[settlement]]``): their households, added to the register.

A planner asks what covering a new settlement would cost. It is placed by an OSM place name, a
polygon or a point, and its households come from its own register file, from the residential
buildings of the OSM file, or from its population divided by the household size
(:mod:`routing.estimate`, marked as estimates). The pipeline reads one register, so the scenario's
register and the settlements' households are written into a **derived register** (CSV, UTF-8) in
the cache folder, named by a hash of what it is made from; the scenario's own files are never
changed. The base register's rows come first, in its order and with its household ids; the
settlement's rows follow with ids ``<settlement>-<n>`` and their coordinates, so the geocoder
places them by coordinates. ``Scenario.base_households`` keeps the register the file names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import Point, Polygon

from routing.estimate import estimate_households_from_buildings, estimate_households_from_population
from routing.normalize import place_key
from routing.outputs import atomic_write
from routing.register import read_households
from routing.scenario import Scenario, ScenarioError, SettlementSpec

__all__ = ["find_place", "settlement_households", "with_settlements"]

_COLUMNS = ("household_id", "village", "street", "house", "head", "members", "lat", "lon")


def with_settlements(scenario: Scenario, *, cache_dir: Path | None = None) -> Scenario:
    """The scenario with its settlements' households added to a derived register.

    Parameters
    ----------
    scenario
        A scenario with ``settlements`` and a household register.
    cache_dir
        Where derived registers are written (default: ``registers/`` beside the network cache).

    Returns
    -------
    Scenario
        ``households`` is the derived register; everything else is unchanged.

    Raises
    ------
    ScenarioError
        No register to add to, a place name not in the OSM file, or a settlement without households.
    """
    if scenario.base_households is None:
        msg = (
            "{file}: [[settlement]] needs a household register ([register] households) "
            "to add its households to"
        )
        raise ScenarioError(msg, file=scenario.path, field="settlement")
    base = read_households(scenario.base_households, columns=scenario.households_columns)
    frames = [settlement_households(scenario, spec) for spec in scenario.settlements]
    rows = _rows(base, frames)
    text = _csv_text(rows)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    if cache_dir is None:
        from routing.network import default_cache_dir

        cache_dir = default_cache_dir().parent / "registers"
    path = cache_dir / f"{scenario.base_households.stem}-settlements-{digest}.csv"
    if not path.exists():
        atomic_write(path, lambda handle: handle.write(text))
    return replace(scenario, households=path, households_columns={})


def settlement_households(scenario: Scenario, spec: SettlementSpec) -> pd.DataFrame:
    """The households of one settlement (register columns, with ``lat``/``lon`` where known).

    Raises
    ------
    ScenarioError
        The place is not in the OSM file, or the settlement has no households.
    """
    where = f"{scenario.path}: [settlement {spec.name!r}]"
    if spec.households_from == "register":
        assert spec.register is not None  # the reader requires it
        frame = read_households(spec.register)
        frame["village"] = spec.name
    else:
        area, centre = _area(scenario, spec, where=where)
        if spec.households_from == "buildings":
            frame = estimate_households_from_buildings(
                scenario.osm, area=area, household_size=spec.household_size, seed=scenario.seed
            )
        else:
            assert spec.population is not None  # the reader requires it
            radius = spec.radius_m if spec.radius_m is not None else _radius(area)
            frame = estimate_households_from_population(
                spec.name,
                spec.population,
                centre,
                household_size=spec.household_size,
                seed=scenario.seed,
                radius_m=radius,
            )
        frame = pd.DataFrame(frame.drop(columns="geometry"))
        frame["village"] = spec.name
    if frame.empty:
        msg = "{where} has no households ({source}); check where it is and its data"
        raise ScenarioError(
            msg, file=scenario.path, field="settlement", where=where, source=spec.households_from
        )
    return frame


def _area(scenario: Scenario, spec: SettlementSpec, *, where: str) -> tuple[Polygon | None, Point]:
    """The settlement's polygon (if it has one, else a disc of ``radius_m``) and its centre."""
    if spec.polygon is not None:
        polygon = Polygon(spec.polygon)
        return polygon, polygon.representative_point()
    if spec.place is not None:
        lon, lat = find_place(scenario.osm, spec.place, where=where)
    else:
        assert spec.lon is not None and spec.lat is not None
        lon, lat = spec.lon, spec.lat
    centre = Point(lon, lat)
    if spec.radius_m is None:
        return None, centre
    kx = 111_320.0 * math.cos(math.radians(lat))
    t = np.linspace(0, 2 * math.pi, 65)[:-1]
    ring = [
        (lon + spec.radius_m * math.cos(a) / kx, lat + spec.radius_m * math.sin(a) / 110_574.0)
        for a in t
    ]
    return Polygon(ring), centre


def _radius(area: Polygon | None) -> float | None:
    """The radius of a disc as large as the polygon (households of a polygon by population)."""
    if area is None:
        return None
    kx = 111_320.0 * math.cos(math.radians(area.centroid.y))
    local = Polygon([(x * kx, y * 110_574.0) for x, y in area.exterior.coords])
    return math.sqrt(local.area / math.pi)


def find_place(osm: str, name: str, *, where: str = "") -> tuple[float, float]:
    """(lon, lat) of the OSM place node whose name (any language) is ``name``.

    Raises
    ------
    ScenarioError
        No place of that name, naming the places the file has.
    """
    import osmium

    wanted = place_key(name)
    seen: list[str] = []
    for obj in osmium.FileProcessor(osm).with_filter(osmium.filter.KeyFilter("place")):
        if not isinstance(obj, osmium.osm.Node):
            continue
        names = [v for k, v in obj.tags if k == "name" or k.startswith("name:")]
        if any(place_key(n) == wanted for n in names):
            return obj.location.lon, obj.location.lat
        seen.append(obj.tags.get("name") or "")
    msg = "{where} place = {name!r} is not a place in {osm}; it has: {places}"
    places = ", ".join(s for s in seen if s)
    raise ScenarioError(msg, field="place", where=where, name=name, osm=osm, places=places)


def _rows(base: pd.DataFrame, frames: list[pd.DataFrame]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [{c: base.at[i, c] for c in _COLUMNS} for i in base.index]
    used = {str(r["household_id"]) for r in rows}
    for frame in frames:
        for n, rec in enumerate(frame.to_dict(orient="records"), 1):
            hid = f"{rec['village']}-{n}"
            if hid in used:
                hid = f"{hid}-{len(used)}"
            used.add(hid)
            rows.append({**{c: rec.get(c) for c in _COLUMNS}, "household_id": hid})
    return rows


def _csv_text(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.7f}"
    return value
