"""The assembled week: what every writer (tables, maps, driver sheets, exports) reads, and its assembly.

A :class:`Plan` is the last boundary object of the pipeline. Writers only read it; they never go back to the
solver or the network loader.

Assembly (:func:`assemble_plan`) turns each solver route into a :class:`VehicleDay`: stops with their places
and times, the path driven along the streets leg by leg exactly as the heading matrix priced it
(`routing.turns.leg_nodes`) on the vehicle's own roads and matrix (`routing.daymodel.RoadProfiles`),
one line per trip, and its U-turns. It keeps the accounting that nothing is
lost: a household is served when its collection point is collected on every one of its days, else it is
listed unserved with the reason (the solver's, or the days missed); households that were never located,
snapped or matched to a served village keep the reason found earlier.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from shapely.geometry import LineString

from routing.daymodel import Locations, RoadProfiles, SolvedDay, active_fleet
from routing.matrix import path_geometries, route_uturns
from routing.scenario import DAYS, Site, VehicleSpec
from routing.turns import HeadingMatrix, HeadingPricer, leg_nodes

if TYPE_CHECKING:
    import geopandas as gpd

    from routing.network import RoadNetwork
    from routing.scenario import Scenario
    from routing.schedule import WeekSchedule
    from routing.solver.model import Model, Route, Visit

HOUSEHOLD_COLUMNS = ["household_id", "source_row", "village", "street", "house", "members"]
"""The columns of ``Plan.unserved`` before its ``reason``."""

StopKind = Literal["depot", "collect", "landfill", "lunch"]


@dataclass(frozen=True)
class Stop:
    """One visit of a vehicle-day, in order (a row of ``stops.csv``)."""

    day: str
    vehicle: str
    trip: int
    sequence: int
    kind: StopKind
    point_id: str
    label: str
    village: str
    street: str
    households: int
    sides: str
    arrival_s: float
    departure_s: float
    demand_kg: float
    load_kg: float
    load_m3: float
    lon: float
    lat: float
    node: int
    exit_node: int


@dataclass
class VehicleDay:
    """The day of one vehicle: its stops, its path along the streets and its totals.

    ``trips`` are the driven lines (WGS84), one per trip ending at a landfill. ``node_path`` holds the
    graph nodes the vehicle drives through, in order (consecutive nodes are neighbours on the road
    graph). ``uturns`` counts where it turns back (``x -> y -> x``: at a dead end, or where going round
    the block costs more than the profile's ``uturn_penalty_s``). ``start_s``/``end_s`` are seconds since
    midnight.
    """

    day: str
    date: str
    vehicle: str
    vehicle_kind: str
    driver: str
    stops: list[Stop]
    trips: list[LineString]
    node_path: list[int]
    km: float
    hours: float
    landfill_trips: int
    load_kg: float
    load_m3: float
    start_s: float
    end_s: float
    uturns: int = 0

    @property
    def collect_stops(self) -> list[Stop]:
        """The stops where waste is collected."""
        return [s for s in self.stops if s.kind == "collect"]

    @property
    def households(self) -> int:
        """Households collected on this vehicle-day."""
        return sum(s.households for s in self.collect_stops)


@dataclass
class Plan:
    """The week's collection plan and everything needed to explain it.

    ``depot`` is (lon, lat); ``landfills`` are (name, lon, lat), all WGS84. ``unserved`` has one row per
    household not on a route, with its ``reason``.
    """

    scenario: Scenario
    network: RoadNetwork
    households: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    vehicle_days: list[VehicleDay]
    unserved: pd.DataFrame
    depot: tuple[float, float]
    landfills: list[tuple[str, float, float]]
    attribution: str
    synthetic: bool
    assumptions: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)
    #: things a user should look at: villages whose data looks incomplete, with the figures
    warnings: list[str] = field(default_factory=list)
    shortfall: dict[str, Any] = field(default_factory=dict)  # routing.schedule.shortfall
    #: each vehicle-day's own roads by its ``vehicle`` label, where they are not ``network``'s
    vehicle_networks: dict[str, RoadNetwork] = field(default_factory=dict)

    def network_of(self, vehicle_day: VehicleDay) -> RoadNetwork:
        """The roads a vehicle-day drives on (its vehicle type's profile)."""
        return self.vehicle_networks.get(vehicle_day.vehicle, self.network)

    @property
    def households_in(self) -> int:
        """Households read from the register (or estimated)."""
        return len(self.households)

    @property
    def households_served(self) -> int:
        """Households on a route."""
        return int((self.households["status"] == "served").sum())

    @property
    def households_unserved(self) -> int:
        """Households listed as unserved, each with its reason."""
        return len(self.unserved)


@dataclass(frozen=True)
class _Place:
    """Where a visit happens: matrix locations in and out, and what the stop shows."""

    kind: StopKind
    at: int
    leave: int
    point_id: str = ""
    label: str = ""
    village: str = ""
    street: str = ""
    households: int = 0
    sides: str = ""
    demand_kg: float = 0.0


def assemble_plan(
    scenario: Scenario,
    *,
    network: RoadNetwork,
    households: gpd.GeoDataFrame,
    containers: gpd.GeoDataFrame | None,
    points: gpd.GeoDataFrame,
    locations: Locations,
    matrix: HeadingMatrix | HeadingPricer,
    schedule: WeekSchedule,
    days: Sequence[SolvedDay],
    profiles: RoadProfiles | None = None,
) -> Plan:
    """Assemble the week from each day's solved routes.

    Parameters
    ----------
    scenario
        The scenario planned.
    network
        The network after snapping (depot, landfills and containers are nodes).
    households
        Households after snapping, with ``ok``, ``reason``, ``village_spec``.
    containers
        Containers after snapping (``ok``, ``reason``), or None.
    points
        CollectionPoints with ``village_spec``, ``frequency`` and ``days``.
    locations, matrix
        The solver's locations and the heading matrix over them (or its pricer: each day's
        legs are then traced on the day's own matrix, `routing.daymodel.DayModel.matrices`).
    schedule
        Each point's collection days.
    days
        The solved days, in weekday order.
    profiles
        The fleet's routing profiles: each vehicle's legs are traced on its own matrix and
        roads (None: every vehicle on ``matrix`` and ``network``).

    Returns
    -------
    Plan
        ``households`` gains ``status``, ``point_id`` and ``days``; ``points`` gains
        ``days_assigned``.
    """
    by_id = points.set_index("point_id")
    fleet = active_fleet(scenario)  # the model's vehicle types, in order
    served_on: dict[str, set[str]] = defaultdict(set)
    missed: dict[str, str] = {}
    vehicle_days: list[VehicleDay] = []
    own: dict[str, RoadNetwork] = {}
    for solved in days:
        day, model, ids = solved.day_model.day, solved.day_model.model, solved.day_model.point_ids
        for u in solved.result.unserved:
            why = f"not collected on {day}: {u.reason}{road_note(model, u.client)}"
            missed.setdefault(ids[u.client], why)
        for route in solved.result.routes:
            if not route.clients:
                continue
            spec = fleet[route.vehicle_type]
            label = spec.name if spec.count == 1 else f"{spec.name} #{route.vehicle + 1}"
            roads, priced, p = network, matrix, 0
            if profiles is not None:
                p = profiles.of(spec.name)
                roads, priced = profiles.networks[p], profiles.matrices[p]
            if solved.day_model.matrices is not None:  # the day's own rows (day_locations)
                priced = solved.day_model.matrices[p]
            if not isinstance(priced, HeadingMatrix):
                msg = f"{day}: the day's model holds no matrix to trace its legs on"
                raise TypeError(msg)
            if roads is not network:
                own[label] = roads
            vd = vehicle_day(
                scenario, roads, model, route, matrix=priced,
                locations=solved.day_model.locations or locations,
                day=day, label=label, spec=spec, point_ids=ids, points=by_id,
            )  # fmt: skip
            for s in vd.collect_stops:
                served_on[s.point_id].add(day)
            vehicle_days.append(vd)
    status = _point_status(schedule.days_of, served_on, missed)
    hh = _household_status(households, by_id, schedule.days_of, status)
    unserved = hh.loc[hh["status"] == "unserved", [*HOUSEHOLD_COLUMNS, "reason"]]
    stats = {
        "collection_points": float(len(points)),
        "containers_unserved": float(
            0 if containers is None else (~containers["ok"].astype(bool)).sum()
        ),
    }
    return Plan(
        scenario=scenario,
        network=network,
        households=hh,
        points=points.assign(
            days_assigned=points["point_id"].map(lambda p: " ".join(schedule.days_of.get(p, ())))
        ),
        vehicle_days=vehicle_days,
        unserved=unserved.reset_index(drop=True),
        depot=(scenario.depot.lon, scenario.depot.lat),
        landfills=[(lf.name, lf.lon, lf.lat) for lf in scenario.landfills],
        attribution=network.attribution,
        synthetic=network.synthetic,
        assumptions=assumptions(scenario),
        stats=stats,
        vehicle_networks=own,
    )


def road_note(model: Model, client: int) -> str:
    """ "; only <vehicles> may drive to it" where some vehicle types' roads do not reach a
    client (its street is refused, or no way leads there from the depot), else ""."""
    c = model.clients[client]
    able: list[str] = []
    unable: list[str] = []
    for vt in model.vehicle_types:
        if vt.num_available <= 0:
            continue
        dur = model.matrices(vt.profile)[0]
        start = model.depots[vt.start_depot].location
        on_roads = c.profiles is None or vt.profile in c.profiles
        (able if on_roads and math.isfinite(dur[start, c.location]) else unable).append(vt.name)
    if not unable:
        return ""
    if not able:
        return "; no vehicle of the fleet may drive to it"
    return f"; only {', '.join(able)} may drive to it"


def assumptions(scenario: Scenario) -> list[str]:
    """The scenario's assumptions, then each site's and vehicle's, named."""
    out = list(scenario.assumptions)
    sites: list[Site | VehicleSpec] = [scenario.depot, *scenario.landfills, *scenario.fleet]
    out += [f"{site.name}: {site.assumption}" for site in sites if site.assumption]
    return out


def _point_status(
    days_of: Mapping[str, tuple[str, ...]],
    served_on: Mapping[str, set[str]],
    missed: Mapping[str, str],
) -> dict[str, str]:
    """Per point, why it is not collected on all its days ("" when it is)."""
    status = {}
    for pid, days in days_of.items():
        left = set(days) - served_on.get(pid, set())
        if pid in missed:
            status[pid] = missed[pid]
        elif left:
            status[pid] = "not collected on " + ", ".join(sorted(left))
        else:
            status[pid] = ""
    return status


def _household_status(
    households: gpd.GeoDataFrame,
    by_id: pd.DataFrame,
    days_of: Mapping[str, tuple[str, ...]],
    point_status: Mapping[str, str],
) -> gpd.GeoDataFrame:
    """Households with ``status``, ``point_id`` and ``days``: served where their point is."""
    hh = households.copy()
    status = np.where(hh["ok"].astype(bool), "served", "unserved").astype(object)
    point_id = np.full(len(hh), "", dtype=object)
    days = np.full(len(hh), "", dtype=object)
    reason = hh["reason"].to_numpy(dtype=object, copy=True)
    row_of = {h: i for i, h in enumerate(hh["household_id"].astype(str))}
    # filled column by column: a cell set through pandas costs ~70 us, 2 s at 14,000 households
    segments = by_id[by_id["kind"] == "segment"]
    for pid, ids in zip(segments.index.astype(str), segments["household_ids"], strict=True):
        rows = [row_of[str(h)] for h in ids]
        point_id[rows] = pid
        days[rows] = " ".join(days_of.get(pid, ()))
        if point_status.get(pid):
            status[rows] = "unserved"
            reason[rows] = point_status[pid]
    hh["status"], hh["point_id"], hh["days"], hh["reason"] = status, point_id, days, reason
    orphan = (hh["status"] == "served") & (hh["point_id"] == "")
    hh.loc[orphan, "status"] = "unserved"
    hh.loc[orphan, "reason"] = "not assigned to any collection point"
    return hh


def vehicle_day(
    scenario: Scenario,
    network: RoadNetwork,
    model: Model,
    route: Route,
    *,
    matrix: HeadingMatrix,
    locations: Locations,
    day: str,
    label: str,
    spec: VehicleSpec,
    point_ids: Sequence[str],
    points: pd.DataFrame,
) -> VehicleDay:
    """Turn a solver route into stops with places and a path along the streets, trip by trip.

    ``points`` is the CollectionPoints table indexed by ``point_id``; client ``i`` of ``model`` is
    ``point_ids[i]``. Each leg is traced node by node as the matrix priced it, so the drawn path,
    its kilometres and its U-turns are those the solver chose.
    """
    stops: list[Stop] = []
    trips: list[list[int]] = [[]]
    node_path: list[int] = []
    last = model.depots[0].location
    for seq, visit in enumerate(route.visits):
        place = _place(model, visit, last, scenario.depot.name, point_ids, points)
        entry, exit_ = locations.node_of(place.at), locations.node_of(place.leave)
        while len(trips) <= visit.trip:
            trips.append([trips[-1][-1]] if trips[-1] else [])
        if place.kind != "lunch":
            # the leg here with its first and last hops, so the drawn path is the one priced
            for n in [*leg_nodes(matrix, last, place.at), entry, exit_]:
                if not trips[visit.trip] or trips[visit.trip][-1] != n:
                    trips[visit.trip].append(n)
                if not node_path or node_path[-1] != n:
                    node_path.append(n)
        node = network.graph.nodes[entry]
        lon, lat = network.to_wgs84(node["x"], node["y"])
        stops.append(
            Stop(
                day=day, vehicle=label, trip=visit.trip, sequence=seq, kind=place.kind,
                point_id=place.point_id, label=place.label, village=place.village,
                street=place.street, households=place.households, sides=place.sides,
                arrival_s=float(visit.arrival_s), departure_s=float(visit.departure_s),
                demand_kg=place.demand_kg, load_kg=float(visit.load[0]),
                load_m3=float(visit.load[1]), lon=float(lon), lat=float(lat), node=int(entry),
                exit_node=int(exit_),
            )
        )  # fmt: skip
        last = place.leave
    lines = path_geometries(network, [t for t in trips if len(t) >= 2])
    start, end = route.visits[0].departure_s, route.visits[-1].arrival_s
    collected = [model.clients[v.index].demand for v in route.visits if v.kind == "client"]
    return VehicleDay(
        day=day,
        date=date_of(scenario.week_start, day),
        vehicle=label,
        vehicle_kind=spec.kind,
        driver=spec.driver,
        stops=stops,
        trips=[ln for ln in lines if isinstance(ln, LineString)],
        node_path=node_path,
        km=route.distance_m / 1000.0,
        hours=(end - start) / 3600.0,
        landfill_trips=route.landfill_visits,
        load_kg=sum(d[0] for d in collected),
        load_m3=sum(d[1] for d in collected),
        start_s=float(start),
        end_s=float(end),
        uturns=route_uturns(network, node_path),
    )


def _place(
    model: Model,
    visit: Visit,
    last: int,
    depot_name: str,
    point_ids: Sequence[str],
    points: pd.DataFrame,
) -> _Place:
    """Where ``visit`` happens; ``last`` is the location the vehicle left before it."""
    if visit.kind == "depot":
        at = model.depots[visit.index].location
        return _Place("depot", at, at, label=depot_name)
    if visit.kind == "landfill":
        lf = model.landfills[visit.index]
        return _Place("landfill", lf.location, lf.location, label=lf.name)
    if visit.kind == "lunch":
        return _Place("lunch", last, last, label="lunch")
    client = model.clients[visit.index]
    pid = point_ids[visit.index]
    row = points.loc[pid]
    if not isinstance(row, pd.Series):
        msg = f"point id {pid} is not unique"
        raise TypeError(msg)
    a = client.location
    b = client.end_location if client.end_location is not None else a
    at, leave = (b, a) if visit.reversed else (a, b)
    return _Place(
        "collect", at, leave, point_id=pid, label=_text(row["label"]),
        village=_text(row["village"]), street=_text(row["street"]),
        households=int(row["households"]), sides=str(row.get("sides", "")),
        demand_kg=float(row["demand_kg"]),
    )  # fmt: skip


def _text(value: object) -> str:
    """A table cell as text, with missing values as ""."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def date_of(week_start: dt.date | None, day: str) -> str:
    """The ISO date of ``day`` in the week of ``week_start`` (its Monday on), or "" without one."""
    if week_start is None:
        return ""
    monday = week_start - dt.timedelta(days=week_start.weekday())
    return (monday + dt.timedelta(days=DAYS.index(day))).isoformat()
