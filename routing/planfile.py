"""The saved plan, ``plan.json``: a versioned file of a finished plan, and reading it back.

A plan's output folder holds its sheets, maps and route files, all drawn from one `routing.plan.Plan`
in one language. ``plan.json`` keeps that plan itself, so that the same routes can be drawn again
later without planning the week again: new driver sheets with new driver links after the old ones
were revoked (`routing.service`), or the sheets in another language (``taza-route sheets``).

The file is JSON (UTF-8), language independent (keys and reasons as the planner wrote them; each
writer translates when it draws). Its top-level fields, in format version :data:`VERSION`:

``format``
    ``"taza-route plan"`` (:data:`FORMAT`).
``version``
    :data:`VERSION`; a reader refuses a newer file (it may hold what it cannot draw).
``scenario``
    What the writers read of the scenario: ``name``, ``file`` (its file name), ``language``,
    ``week_start`` (ISO date or null), ``currency``, ``assumptions``, ``tariffs``, ``depot``,
    ``landfills``, ``fleet`` and ``villages`` (each as the scenario file gave it).
``attribution``, ``synthetic``, ``assumptions``, ``warnings``, ``stats``, ``shortfall``
    As in `routing.plan.Plan` (and ``summary.json``).
``network``
    The road graph every vehicle drives on: ``crs`` (projected, as text), ``source``, ``places``,
    ``nodes`` (``[id, x, y]``, metres) and ``edges`` (``[u, v, key, attributes]``, the attributes as
    the network carries them, ``geometry`` as a list of ``[x, y]``).
``vehicle_roads``
    Per vehicle label whose roads are not the whole network: the edges (``[u, v, key]``) its
    vehicle type may not drive (`routing.network.restrict`).
``vehicle_days``
    Each vehicle-day's totals, ``node_path``, ``trips`` (lines of ``[lon, lat]``) and ``stops`` in
    visiting order (the fields of `routing.plan.Stop`).
``points``
    Each collection point's ``point_id``, ``kind``, ``village``, ``street``, ``label``,
    ``households``, ``days_assigned`` and one point on it (``lon``, ``lat``: where maps label it).
``households``, ``unserved``
    Tables: ``columns`` (``{"name": [values]}``), and for households ``lonlat``, each one's
    ``[lon, lat]`` (null when not located); ``unserved`` has every household not on a route with
    its ``reason``.

What is read back is a `routing.plan.Plan` for the writers that draw routes (sheets, the week
map, ``stops.csv``, ``routes.geojson``, GPX, KML, GeoJSON, ``summary.json``). Its scenario carries
only the fields above (no register, no solver settings: a read-back plan is drawn, never planned
again), and its points only the columns above. A file that is not JSON, lacks a field, has one of
the wrong type, or is of a newer version is refused with an `routing.errors.InputError` naming
the file and the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
from shapely.geometry import LineString, Point

from routing.atomic import atomic_write
from routing.errors import InputError, library_text
from routing.network import RoadNetwork
from routing.outputs import PLAN_FILE
from routing.plan import Plan, Stop, VehicleDay
from routing.scenario import LandfillSpec, Scenario, Site, VehicleSpec, VillageSpec

__all__ = ["FORMAT", "PLAN_FILE", "VERSION", "plan_document", "read_plan_file", "write_plan_file"]

FORMAT = "taza-route plan"
"""The value of a plan file's ``format`` field."""

VERSION = 1
"""The format version this module writes, and the newest it reads."""

_DAY_FIELDS = (
    "day", "date", "vehicle", "vehicle_kind", "driver", "km", "hours", "landfill_trips", "load_kg",
    "load_m3", "start_s", "end_s", "uturns",
)  # fmt: skip
_POINT_FIELDS = ("point_id", "kind", "village", "street", "label", "households", "days_assigned")
_STOP_FIELDS = tuple(f.name for f in dataclasses.fields(Stop))
_NUMBER = "number"
_KINDS: Mapping[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), _NUMBER: (int, float),
    "integer": (int,), "boolean": (bool,),
}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# writing


def write_plan_file(plan: Plan, path: Path) -> Path:
    """Write ``plan`` to ``path`` (``plan.json``; see the module's description), atomically."""
    doc = plan_document(plan)
    return atomic_write(path, lambda h: json.dump(doc, h, ensure_ascii=False, allow_nan=False))


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan file's content: plain JSON values (see the module's description)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": _scenario_doc(plan.scenario),
        "attribution": plan.attribution,
        "synthetic": bool(plan.synthetic),
        "assumptions": list(plan.assumptions),
        "warnings": list(plan.warnings),
        "stats": _plain(dict(plan.stats)),
        "shortfall": _plain(dict(plan.shortfall)),
        "network": _network_doc(plan.network),
        "vehicle_roads": {
            label: _refused(plan.network, roads) for label, roads in plan.vehicle_networks.items()
        },
        "vehicle_days": [_day_doc(vd) for vd in plan.vehicle_days],
        "points": _points_doc(plan.points),
        "households": _table_doc(plan.households, geometry=True),
        "unserved": _table_doc(plan.unserved, geometry=False),
    }


def _scenario_doc(sc: Scenario) -> dict[str, Any]:
    return _plain(
        {
            "name": sc.name, "file": sc.path.name, "language": sc.language,
            "week_start": sc.week_start.isoformat() if sc.week_start else None,
            "currency": sc.currency, "assumptions": list(sc.assumptions), "tariffs": dict(sc.tariffs),
            "depot": dataclasses.asdict(sc.depot),
            "landfills": [dataclasses.asdict(lf) for lf in sc.landfills],
            "fleet": [dataclasses.asdict(v) for v in sc.fleet],
            "villages": [dataclasses.asdict(v) for v in sc.villages],
        }
    )  # fmt: skip


def _network_doc(network: RoadNetwork) -> dict[str, Any]:
    import pyproj

    graph = network.graph
    edges = []
    for u, v, k, data in graph.edges(keys=True, data=True):
        attrs = {name: value for name, value in data.items() if name != "geometry"}
        geom = data.get("geometry")
        if geom is not None:
            attrs["geometry"] = [list(c[:2]) for c in geom.coords]
        edges.append([_plain(u), _plain(v), _plain(k), _plain(attrs)])
    return {
        "crs": pyproj.CRS.from_user_input(network.crs).to_wkt(),
        "source": str(network.source),
        "places": _plain([list(p) for p in network.places]),
        "nodes": [[_plain(n), float(d["x"]), float(d["y"])] for n, d in graph.nodes(data=True)],
        "edges": edges,
    }


def _refused(network: RoadNetwork, roads: RoadNetwork) -> list[list[Any]]:
    """The edges of ``network`` missing from a vehicle's ``roads`` (which never has others)."""
    own = set(roads.graph.edges(keys=True))
    extra = own - set(network.graph.edges(keys=True))
    if extra:
        msg = f"a vehicle's roads hold edges the network does not: {sorted(extra)[:3]}"
        raise ValueError(msg)
    return [_plain([u, v, k]) for u, v, k in network.graph.edges(keys=True) if (u, v, k) not in own]


def _day_doc(vd: VehicleDay) -> dict[str, Any]:
    doc = {name: getattr(vd, name) for name in _DAY_FIELDS}
    doc["node_path"] = list(vd.node_path)
    doc["trips"] = [[list(c[:2]) for c in line.coords] for line in vd.trips]
    doc["stops"] = [dataclasses.asdict(s) for s in vd.stops]
    return _plain(doc)


def _points_doc(points: pd.DataFrame) -> dict[str, list[Any]]:
    table = {
        name: _plain(points[name].tolist()) if name in points else [] for name in _POINT_FIELDS
    }
    if isinstance(points, gpd.GeoDataFrame) and len(points):
        spot = points.geometry.representative_point()
        table["lon"], table["lat"] = _plain(spot.x.tolist()), _plain(spot.y.tolist())
    else:
        table["lon"], table["lat"] = [], []
    return table


def _table_doc(table: pd.DataFrame, *, geometry: bool) -> dict[str, Any]:
    columns = [c for c in table.columns if c != "geometry"]
    doc: dict[str, Any] = {"columns": {str(c): _plain(table[c].tolist()) for c in columns}}
    if geometry and isinstance(table, gpd.GeoDataFrame):
        doc["lonlat"] = [None if g is None or g.is_empty else [g.x, g.y] for g in table.geometry]
    return doc


def _plain(value: Any) -> Any:
    """``value`` as JSON values: numpy scalars unwrapped, tuples as lists, NaN as null, dates and
    other objects as text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# reading


def read_plan_file(path: str | Path) -> Plan:
    """Read a plan file back as the `routing.plan.Plan` the writers take.

    Parameters
    ----------
    path
        A ``plan.json``, or an output folder holding one.

    Returns
    -------
    Plan
        The plan as written: vehicle-days with their stops in order, lines and node paths, the
        road graph, households, unserved households with reasons, labels. Its scenario carries what
        the writers read (see the module's description).

    Raises
    ------
    InputError
        If the file is missing, is not JSON, is not a plan file, is of a newer format version,
        or a field is missing or of the wrong type (the message names the file and the field).
    """
    path = Path(path)
    if path.is_dir():
        path = path / PLAN_FILE
    doc = _load(path)
    check = _Checker(path)
    check.value(doc, "format", "string")
    if doc["format"] != FORMAT:
        msg = "{file}: field format is {found!r}, not {expected!r}: this is not a plan file of taza-route"
        raise InputError(msg, file=path, field="format", found=doc["format"], expected=FORMAT)
    check.value(doc, "version", "integer")
    if doc["version"] > VERSION:
        msg = (
            "{file}: format version {version} is newer than this taza-route reads ({supported});"
            " update taza-route, or plan the week again"
        )
        raise InputError(msg, file=path, field="version", version=doc["version"], supported=VERSION)
    return _plan_of(doc, check)


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        msg = (
            "{file}: no saved plan; a plan made before taza-route saved its plan cannot be drawn"
            " again: plan the week again"
        )
        raise InputError(msg, file=path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = "{file}: not a plan file ({problem}); write it again with taza-route plan"
        raise InputError(msg, file=path, problem=library_text(exc)) from exc
    if not isinstance(doc, dict):
        msg = "{file}: field {field} should be {expected}, not {found!r}; the file is damaged or was edited by hand"
        raise InputError(
            msg, file=path, field="(top level)", expected="object", found=type(doc).__name__
        )
    return doc


class _Checker:
    """Checks fields of one plan file; each refusal names the file and the field's dotted path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def value(
        self, doc: Mapping[str, Any], key: str, kind: str, *, where: str = "", null: bool = False
    ) -> Any:
        field = f"{where}.{key}" if where else key
        if key not in doc:
            msg = "{file}: field {field} is missing; the file is damaged or not a plan file written by taza-route"
            raise InputError(msg, file=self.path, field=field)
        value = doc[key]
        if value is None and null:
            return None
        if not isinstance(value, _KINDS[kind]) or (isinstance(value, bool) and kind != "boolean"):
            msg = "{file}: field {field} should be {expected}, not {found!r}; the file is damaged or was edited by hand"
            raise InputError(msg, file=self.path, field=field, expected=kind, found=_short(value))
        return value

    def items(self, doc: Mapping[str, Any], key: str, kind: str, *, where: str = "") -> list[Any]:
        """An array whose every item is of ``kind``."""
        values: list[Any] = self.value(doc, key, "array", where=where)
        for i, item in enumerate(values):
            self.value({f"{key}[{i}]": item}, f"{key}[{i}]", kind, where=where)
        return values

    def build(self, field: str, make: Callable[[], Any]) -> Any:
        """``make()``, a refusal naming ``field`` if its values do not fit together."""
        try:
            return make()
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            if isinstance(exc, InputError):
                raise
            msg = "{file}: field {field} cannot be read ({problem}); the file is damaged or was edited by hand"
            problem = library_text(exc)
            raise InputError(msg, file=self.path, field=field, problem=problem) from exc


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _plan_of(doc: Mapping[str, Any], check: _Checker) -> Plan:
    scenario = _scenario_of(check.value(doc, "scenario", "object"), check)
    network = _network_of(check.value(doc, "network", "object"), check, doc)
    roads = check.value(doc, "vehicle_roads", "object")
    vehicle_networks = {
        str(label): check.build(f"vehicle_roads.{label}", partial(_restricted, network, edges))
        for label, edges in roads.items()
    }
    days = check.items(doc, "vehicle_days", "object")
    vehicle_days = [_day_of(d, check, f"vehicle_days[{i}]") for i, d in enumerate(days)]
    points = _points_of(check.value(doc, "points", "object"), check)
    households = _households_of(check.value(doc, "households", "object"), check)
    unserved = _columns_of(check.value(doc, "unserved", "object"), check, "unserved")
    return Plan(
        scenario=scenario,
        network=network,
        households=households,
        points=points,
        vehicle_days=vehicle_days,
        unserved=unserved,
        depot=(scenario.depot.lon, scenario.depot.lat),
        landfills=[(lf.name, lf.lon, lf.lat) for lf in scenario.landfills],
        attribution=check.value(doc, "attribution", "string"),
        synthetic=check.value(doc, "synthetic", "boolean"),
        assumptions=check.items(doc, "assumptions", "string"),
        stats=check.value(doc, "stats", "object"),
        warnings=check.items(doc, "warnings", "string"),
        shortfall=check.value(doc, "shortfall", "object"),
        vehicle_networks=vehicle_networks,
    )


def _scenario_of(doc: Mapping[str, Any], check: _Checker) -> Scenario:
    where = "scenario"
    week = check.value(doc, "week_start", "string", where=where, null=True)
    depot = check.value(doc, "depot", "object", where=where)
    landfills = check.items(doc, "landfills", "object", where=where)
    fleet = check.items(doc, "fleet", "object", where=where)
    villages = check.items(doc, "villages", "object", where=where)
    return check.build(
        where,
        lambda: Scenario(
            path=Path(check.value(doc, "file", "string", where=where)),
            name=check.value(doc, "name", "string", where=where),
            language=check.value(doc, "language", "string", where=where),
            seed=0, time_limit_s=0.0, max_iterations=None,
            week_start=dt.date.fromisoformat(week) if week else None,
            osm="", synthetic=False, max_snap_m=0.0, profile={}, households=None, households_columns={},
            containers=None, corrections=None, kg_per_person_day=0.0, bulk_density_kg_m3=0.0,
            container_density_kg_m3=0.0, service_s_per_household=0.0, service_s_per_container=0.0,
            household_size=0.0, depot=Site(**depot),
            landfills=tuple(LandfillSpec(**lf) for lf in landfills),
            fleet=tuple(VehicleSpec(**_tuples(v)) for v in fleet),
            villages=tuple(VillageSpec(**_tuples(v)) for v in villages),
            tariffs=dict(check.value(doc, "tariffs", "object", where=where)),
            currency=check.value(doc, "currency", "string", where=where),
            output_dir=check.path.parent,
            assumptions=tuple(check.items(doc, "assumptions", "string", where=where)),
        ),
    )  # fmt: skip


def _tuples(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A dataclass's fields from JSON: arrays back to the tuples the dataclass holds."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in doc.items()}


def _network_of(doc: Mapping[str, Any], check: _Checker, plan: Mapping[str, Any]) -> RoadNetwork:
    where = "network"
    crs = check.value(doc, "crs", "string", where=where)
    nodes = check.items(doc, "nodes", "array", where=where)
    edges = check.items(doc, "edges", "array", where=where)
    places = check.items(doc, "places", "array", where=where)
    graph = nx.MultiDiGraph(crs=crs)
    check.build(
        f"{where}.nodes", lambda: graph.add_nodes_from((n, {"x": x, "y": y}) for n, x, y in nodes)
    )
    check.build(f"{where}.edges", lambda: graph.add_edges_from(_edge(*e) for e in edges))
    return RoadNetwork(
        graph,
        crs,
        check.value(doc, "source", "string", where=where),
        synthetic=check.value(plan, "synthetic", "boolean"),
        attribution=check.value(plan, "attribution", "string"),
        places=check.build(
            f"{where}.places",
            lambda: tuple((str(a), str(b), float(x), float(y)) for a, b, x, y in places),
        ),
    )


def _edge(
    u: int, v: int, key: int, attrs: Mapping[str, Any]
) -> tuple[int, int, int, dict[str, Any]]:
    data = dict(attrs)
    if "geometry" in data:
        data["geometry"] = LineString(data["geometry"])
    return u, v, key, data


def _restricted(network: RoadNetwork, refused: list[list[Any]]) -> RoadNetwork:
    graph = network.graph.copy()
    graph.remove_edges_from((u, v, k) for u, v, k in refused)
    return RoadNetwork(
        graph, network.crs, network.source, synthetic=network.synthetic,
        attribution=network.attribution, places=network.places,
    )  # fmt: skip


def _day_of(doc: Mapping[str, Any], check: _Checker, where: str) -> VehicleDay:
    for name in ("day", "date", "vehicle", "vehicle_kind", "driver"):
        check.value(doc, name, "string", where=where)
    for name in ("km", "hours", "load_kg", "load_m3", "start_s", "end_s"):
        check.value(doc, name, _NUMBER, where=where)
    for name in ("landfill_trips", "uturns"):
        check.value(doc, name, "integer", where=where)
    stops = check.items(doc, "stops", "object", where=where)
    trips = check.items(doc, "trips", "array", where=where)
    path = check.items(doc, "node_path", "integer", where=where)
    return VehicleDay(
        **{name: doc[name] for name in _DAY_FIELDS},
        stops=[_stop_of(s, check, f"{where}.stops[{i}]") for i, s in enumerate(stops)],
        trips=[
            check.build(f"{where}.trips[{i}]", partial(LineString, t)) for i, t in enumerate(trips)
        ],
        node_path=list(path),
    )


def _stop_of(doc: Mapping[str, Any], check: _Checker, where: str) -> Stop:
    kinds = {f.name: f.type for f in dataclasses.fields(Stop)}
    for name in _STOP_FIELDS:
        kind = {"int": "integer", "float": _NUMBER}.get(str(kinds[name]), "string")
        check.value(doc, name, kind, where=where)
    return Stop(**{name: doc[name] for name in _STOP_FIELDS})


def _points_of(doc: Mapping[str, Any], check: _Checker) -> gpd.GeoDataFrame:
    table = {
        name: check.value(doc, name, "array", where="points")
        for name in (*_POINT_FIELDS, "lon", "lat")
    }
    frame = check.build("points", lambda: pd.DataFrame(table))
    geometry = [Point(x, y) for x, y in zip(frame.pop("lon"), frame.pop("lat"), strict=True)]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def _columns_of(doc: Mapping[str, Any], check: _Checker, where: str) -> pd.DataFrame:
    columns = check.value(doc, "columns", "object", where=where)
    for name in columns:
        check.value(columns, name, "array", where=f"{where}.columns")
    frame: pd.DataFrame = check.build(where, lambda: pd.DataFrame(dict(columns)))
    return frame


def _households_of(doc: Mapping[str, Any], check: _Checker) -> gpd.GeoDataFrame:
    frame = _columns_of(doc, check, "households")
    spots = check.value(doc, "lonlat", "array", where="households")
    geometry = check.build(
        "households.lonlat", lambda: [None if p is None else Point(*p) for p in spots]
    )
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
