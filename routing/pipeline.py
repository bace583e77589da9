"""The whole way through: scenario → network → households → points → matrix → week → :class:`Plan`.

Each stage is a function of the stage before it; this module only wires them together and keeps the
accounting that nothing is lost: every household read is either on a route on its days or in the
unserved list with its reason.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon, box

from routing.demand import collection_points
from routing.geocode import Gazetteer, geocode_households, read_corrections
from routing.matrix import path_geometry, route_uturns
from routing.network import RoadNetwork, default_cache_dir, load_network
from routing.plan import Plan, Stop, StopKind, VehicleDay
from routing.profile import TruckProfile
from routing.register import read_containers, read_households
from routing.scenario import DAYS, Scenario, ScenarioError, Site, VehicleSpec, VillageSpec
from routing.schedule import WeekSchedule, assign_days
from routing.snapping import snap_points
from routing.solver.model import Lunch, Model, Result, Route
from routing.turns import Heading, HeadingMatrix, heading_matrix, leg_nodes

logger = logging.getLogger(__name__)

HOUSEHOLD_COLUMNS = ["household_id", "source_row", "village", "street", "house", "members"]


@dataclass
class _Context:
    """What the stages hand forward; private to the pipeline."""

    scenario: Scenario
    network: RoadNetwork
    depot_node: int = -1
    landfill_nodes: list[int] = field(default_factory=list)
    households: gpd.GeoDataFrame | None = None
    containers: gpd.GeoDataFrame | None = None
    points: gpd.GeoDataFrame | None = None
    matrix: HeadingMatrix | None = None
    index: dict[Heading, int] = field(default_factory=dict)
    # point_id -> (entry, exit, reversible), see _point_headings
    headings: dict[str, tuple[Heading, Heading, bool]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def _stage(timings: dict[str, float], number: int, name: str) -> Iterator[None]:
    """Log the start and end of a stage and keep its time."""
    logger.info("[%d/7] %s …", number, name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    logger.info("[%d/7] %s done in %.1f s", number, name, timings[name])


def plan_week(scenario: Scenario, *, cache_dir: Path | None = None) -> Plan:
    """Plan the week for a scenario.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`routing.scenario.load_scenario`).
    cache_dir
        Where built road networks are cached (default: the network module's).

    Returns
    -------
    Plan
    """
    timings: dict[str, float] = {}
    with _stage(timings, 1, "road network"):
        network = load_network(scenario.osm, profile=_profile(scenario), cache_dir=cache_dir)
        if scenario.synthetic:
            network.synthetic = True
    ctx = _Context(scenario=scenario, network=network, timings=timings)
    with _stage(timings, 2, "households and containers"):
        ctx.households = _read_and_locate(scenario, network, cache_dir=cache_dir)
        ctx.containers = read_containers(scenario.containers) if scenario.containers else None
    with _stage(timings, 3, "snapping to the roads"):
        _snap(ctx)
    with _stage(timings, 4, "collection points"):
        ctx.points = _points(ctx)
    with _stage(timings, 5, "travel matrix"):
        _matrix(ctx)
    with _stage(timings, 6, "weekly schedule and routes"):
        schedule = _schedule(ctx)
        results = {day: _solve_day(ctx, schedule, day) for day in DAYS if schedule.points_on(day)}
    with _stage(timings, 7, "assembling the plan"):
        plan = _assemble(ctx, schedule, results)
    plan.stats.update({f"seconds_{k.replace(' ', '_')}": round(v, 2) for k, v in timings.items()})
    return plan


def _profile(scenario: Scenario) -> TruckProfile:
    """The truck profile: scenario overrides plus the largest vehicle's size, so every vehicle fits."""
    overrides = dict(scenario.profile)
    for attr in ("weight_t", "width_m", "height_m"):
        sizes = [getattr(v, attr) for v in scenario.fleet if getattr(v, attr) is not None]
        if sizes and attr not in overrides:
            overrides[attr] = max(sizes)
    return TruckProfile.from_mapping(overrides, where=f"{scenario.path}: [network.profile]")


def _read_and_locate(
    scenario: Scenario, network: RoadNetwork, *, cache_dir: Path | None
) -> gpd.GeoDataFrame:
    """Households located on the map, each with a village spec or a reason why not."""
    if scenario.households is None:
        from routing.estimate import estimate_households_from_buildings

        logger.info("no register: estimating households from residential buildings")
        gdf = estimate_households_from_buildings(
            scenario.osm, area=None, household_size=scenario.household_size
        )
    else:
        frame = read_households(scenario.households, columns=scenario.households_columns)
        gazetteer = Gazetteer.from_osm(
            scenario.osm, cache_dir=(cache_dir or default_cache_dir()).parent / "gazetteers"
        )
        corrections = read_corrections(scenario.corrections) if scenario.corrections else None
        area = _service_area(network)
        gdf = geocode_households(frame, gazetteer, service_area=area, corrections=corrections)
    gdf = gdf.reset_index(drop=True)
    specs = [_village_of(scenario, row) for row in gdf.itertuples()]
    gdf["village_spec"] = [s.name if s else "" for s in specs]
    no_village = np.array([s is None for s in specs], dtype=bool)
    gdf.loc[no_village, "reason"] = gdf.loc[no_village, "village"].map(
        lambda v: f"village {v!r} is not served in this scenario (not in its [[village]] list)"
    )
    gdf.loc[no_village, "ok"] = False
    return gdf


def _service_area(network: RoadNetwork) -> Polygon:
    nodes = network.nodes_gdf()
    minx, miny, maxx, maxy = nodes.total_bounds
    pad = 0.02  # about 2 km: houses just beyond the last road are still in the area
    return box(minx - pad, miny - pad, maxx + pad, maxy + pad)


def _village_of(scenario: Scenario, row: object) -> VillageSpec | None:
    for attr in ("matched_village", "village"):
        name = getattr(row, attr, None)
        if isinstance(name, str) and name:
            spec = scenario.village(name)
            if spec is not None:
                return spec
    return scenario.village("*")


def _snap(ctx: _Context) -> None:
    """Depot, landfills and containers become graph nodes; households find their street edge."""
    sc = ctx.scenario
    depot = gpd.GeoDataFrame(
        {"name": [sc.depot.name]}, geometry=[Point(sc.depot.lon, sc.depot.lat)], crs=4326
    )
    snapped = snap_points(ctx.network, depot, max_distance_m=sc.max_snap_m, split=True)
    row = snapped.points.iloc[0]
    if not bool(row["ok"]):
        msg = (
            f"{sc.path}: [depot] {sc.depot.name!r} at {sc.depot.lat}, {sc.depot.lon} cannot be used: {row['reason']}. "
            "Move the depot next to a road the trucks may use, or raise [network] max_snap_m."
        )
        raise ScenarioError(msg)
    ctx.network, ctx.depot_node = snapped.network, int(row["node"])
    sites = [(f"landfill {lf.name!r}", lf.lon, lf.lat) for lf in sc.landfills]
    cont = ctx.containers
    geoms = [Point(lon, lat) for _, lon, lat in sites]
    if cont is not None and len(cont):
        geoms += list(cont.geometry)
    fac = gpd.GeoDataFrame({"i": range(len(geoms))}, geometry=geoms, crs=4326)
    snapped = snap_points(
        ctx.network, fac, max_distance_m=sc.max_snap_m, split=True, anchor_node=ctx.depot_node
    )
    ctx.network = snapped.network
    pts = snapped.points.reset_index(drop=True)
    for i, (label, lon, lat) in enumerate(sites):
        if not bool(pts.loc[i, "ok"]):
            msg = f"{sc.path}: [[landfill]] {label} at {lat}, {lon} cannot be used: {pts.loc[i, 'reason']}"
            raise ScenarioError(msg)
        ctx.landfill_nodes.append(int(pts.loc[i, "node"]))
    if cont is not None and len(cont):
        tail = pts.iloc[len(sites) :].reset_index(drop=True)
        cont = cont.reset_index(drop=True)
        cont["node"] = tail["node"].astype(int).to_numpy()
        cont["ok"] = tail["ok"].astype(bool).to_numpy()
        cont["reason"] = tail["reason"].to_numpy()
        ctx.containers = cont
    hh = ctx.households
    assert hh is not None
    located = hh.index[hh["ok"].astype(bool) & hh.geometry.notna()]
    if len(located):
        snap_hh = snap_points(
            ctx.network,
            hh.loc[located, ["geometry"]],
            max_distance_m=sc.max_snap_m,
            split=False,
            anchor_node=ctx.depot_node,
        ).points
        for col in ("u", "v", "key", "offset_m", "snap_m", "node"):
            hh.loc[located, col] = snap_hh[col].to_numpy()
        bad = located[~snap_hh["ok"].astype(bool).to_numpy()]
        hh.loc[bad, "reason"] = snap_hh.loc[bad, "reason"].to_numpy()
        hh.loc[bad, "ok"] = False
    hh.loc[~hh["ok"].astype(bool) & hh["reason"].isna(), "reason"] = "not located"


def _points(ctx: _Context) -> gpd.GeoDataFrame:
    """Collection points per village, with demand for the days between collections."""
    sc, hh = ctx.scenario, ctx.households
    assert hh is not None
    frames: list[gpd.GeoDataFrame] = []
    for spec in sc.villages:
        mine = hh[hh["ok"].astype(bool) & (hh["village_spec"] == spec.name)].copy()
        cont = None
        if ctx.containers is not None and len(ctx.containers):
            c = ctx.containers
            in_village = c["village"].map(
                lambda v, s=spec: (sc.village(str(v)) or sc.village("*")) == s
            )
            cont = c[c["ok"].astype(bool) & in_village.astype(bool)]
        if mine.empty and (cont is None or cont.empty):
            continue
        for col in ("u", "v", "key", "node"):
            mine[col] = mine[col].astype("int64")
        pts = collection_points(
            mine,
            ctx.network.graph,
            kg_per_person_day=sc.kg_per_person_day,
            bulk_density_kg_m3=sc.bulk_density_kg_m3,
            days_between=7.0 / spec.frequency,
            service_s_per_household=sc.service_s_per_household,
            containers=cont if cont is not None and len(cont) else None,
            container_density_kg_m3=sc.container_density_kg_m3,
            language=sc.language,
        )
        pts["point_id"] = f"{len(frames) + 1:02d}-" + pts["point_id"].astype(str)
        pts["village_spec"] = spec.name
        pts["frequency"] = spec.frequency
        pts["days"] = [spec.days] * len(pts)
        frames.append(pts)
    if not frames:
        msg = f"{sc.path}: no household or container could be located on the road network"
        raise ScenarioError(msg)
    points = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    logger.info(
        "%d collection points (%d households)", len(points), int(points["households"].sum())
    )
    return points


def _point_headings(network: RoadNetwork, row: pd.Series) -> tuple[Heading, Heading, bool]:
    """Where a collection point is entered and left, driven its own way, and whether it may be
    driven the other way (entered where it is left and left where it is entered).

    A street segment ``u -> v`` is entered at ``u`` not coming from ``v`` and left at ``v`` not
    going back to ``u``. A container halfway along a street (a node with two neighbours) is passed
    through, so the truck never turns around in the street; elsewhere it is a plain node.
    """
    if row["kind"] == "segment":
        u, v = int(row["u"]), int(row["v"])
        return Heading(u, v), Heading(v, u), bool(row["reversible"])
    x = int(row["node"])
    graph = network.graph
    near = sorted((set(graph.successors(x)) | set(graph.predecessors(x))) - {x})
    if len(near) != 2:
        return Heading(x), Heading(x), False
    a, b = near
    forward = graph.has_edge(a, x) and graph.has_edge(x, b)
    backward = graph.has_edge(b, x) and graph.has_edge(x, a)
    if not forward and not backward:
        return Heading(x), Heading(x), False
    if not forward:
        a, b = b, a
    # entered not coming from b (so from a), left not going back to a (so on to b)
    return Heading(x, b), Heading(x, a), forward and backward


def _matrix(ctx: _Context) -> None:
    assert ctx.points is not None
    heads = [Heading(ctx.depot_node), *(Heading(n) for n in ctx.landfill_nodes)]
    for _, row in ctx.points.iterrows():
        entry, exit_, reversible = _point_headings(ctx.network, row)
        ctx.headings[str(row["point_id"])] = (entry, exit_, reversible)
        heads.extend((entry, exit_))
    unique = list(dict.fromkeys(heads))
    ctx.index = {h: i for i, h in enumerate(unique)}
    penalty = _profile(ctx.scenario).uturn_penalty_s
    ctx.matrix = heading_matrix(ctx.network, unique, uturn_penalty_s=penalty)
    logger.info(
        "travel matrix %d × %d (U-turns at stops: %.0f s each)", len(unique), len(unique), penalty
    )


def _schedule(ctx: _Context) -> WeekSchedule:
    sc, pts, m = ctx.scenario, ctx.points, ctx.matrix
    assert pts is not None and m is not None
    capacity = {}
    for day in DAYS:
        capacity[day] = float(
            sum(v.count * (v.shift_end_s - v.shift_start_s - v.lunch_s) for v in sc.fleet)
        )
    # Each point's share of landfill trips: a round trip from the point per truckload, so far villages weigh more.
    cap_kg = max(v.capacity_kg for v in sc.fleet)
    unload = min(lf.unload_s for lf in sc.landfills)
    lfs = [ctx.index[Heading(n)] for n in ctx.landfill_nodes]
    work = pts.copy()
    extra = []
    for _, row in pts.iterrows():
        here = [ctx.index[h] for h in ctx.headings[str(row["point_id"])][:2]]
        trips = [m.duration_s[here[-1], lf] + m.duration_s[lf, here[0]] for lf in lfs]
        finite = [t for t in trips if math.isfinite(t)]
        extra.append((min(finite) + unload if finite else 0.0) * float(row["demand_kg"]) / cap_kg)
    work["extra_s"] = extra
    if "collect_s" not in work:
        work["collect_s"] = 0.0
    return assign_days(work, capacity_s=capacity)


def _solve_day(ctx: _Context, schedule: WeekSchedule, day: str) -> tuple[Model, Result, list[str]]:
    """Route one day: a model of that day's points, solved under the scenario's limits."""
    sc, pts, m = ctx.scenario, ctx.points, ctx.matrix
    assert pts is not None and m is not None
    ids = schedule.points_on(day)
    todo = pts.set_index("point_id").loc[ids]
    model = Model()
    shift = (min(v.shift_start_s for v in sc.fleet), max(v.shift_end_s for v in sc.fleet))
    model.add_depot(ctx.index[Heading(ctx.depot_node)], name=sc.depot.name, tw=shift)
    for lf, node in zip(sc.landfills, ctx.landfill_nodes, strict=True):
        model.add_landfill(
            ctx.index[Heading(node)], name=lf.name, tw=(lf.open_s, lf.close_s), unload_s=lf.unload_s
        )
    for pid, row in todo.iterrows():
        demand = (float(row["demand_kg"]), float(row["demand_m3"]))
        entry, exit_, reversible = ctx.headings[str(pid)]
        if row["kind"] == "segment":
            model.add_segment_client(
                ctx.index[entry],
                ctx.index[exit_],
                traverse_s=round(float(row.get("collect_s", 0.0)) + float(row["service_s"])),
                traverse_m=float(row["length_m"]),
                demand=demand,
                reversible=reversible,
                name=str(pid),
            )
        elif entry != exit_:
            # a container passed through, in the direction the solver chooses
            model.add_segment_client(
                ctx.index[entry],
                ctx.index[exit_],
                traverse_s=round(float(row["service_s"])),
                traverse_m=0.0,
                demand=demand,
                reversible=reversible,
                name=str(pid),
            )
        else:
            model.add_client(
                ctx.index[entry],
                demand=demand,
                service_s=round(float(row["service_s"])),
                name=str(pid),
            )
    for v in sc.fleet:
        if v.count == 0:
            continue
        model.add_vehicle_type(
            num_available=v.count,
            capacity=(v.capacity_kg, v.capacity_m3 * v.compaction),
            max_load_per_day=(v.max_load_per_day_kg or math.inf, math.inf),
            max_stops=v.max_stops,
            shift=(v.shift_start_s, v.shift_end_s),
            lunch=Lunch(window=(v.lunch_earliest_s, v.lunch_latest_s), duration_s=v.lunch_s)
            if v.lunch_s
            else None,
            cost_per_km=v.cost_per_km or 1.0,
            cost_per_hour=v.cost_per_hour,
            fixed_cost=v.fixed_cost,
            name=v.name,
        )
    model.set_matrices(m.duration_s, m.distance_m)
    logger.info("%s: routing %d collection points", day, len(ids))
    result = model.solve(
        time_limit_s=sc.time_limit_s, seed=sc.seed, max_iterations=sc.max_iterations, workers=2
    )
    logger.info(
        "%s: %d vehicles, %.1f km, %d unserved (%s, %.1f s)",
        day,
        result.num_vehicles,
        result.distance_m / 1000,
        len(result.unserved),
        result.solver,
        result.runtime_s,
    )
    return model, result, list(todo.index)


def _assemble(
    ctx: _Context, schedule: WeekSchedule, results: dict[str, tuple[Model, Result, list[str]]]
) -> Plan:
    sc, pts, hh = ctx.scenario, ctx.points, ctx.households
    assert pts is not None and hh is not None
    by_id = pts.set_index("point_id")
    active_fleet = [v for v in sc.fleet if v.count > 0]  # the model's vehicle types, in order
    served_on: dict[str, set[str]] = defaultdict(set)
    missed: dict[str, str] = {}
    vehicle_days: list[VehicleDay] = []
    for day, (model, result, ids) in results.items():
        for u in result.unserved:
            missed.setdefault(ids[u.client], f"not collected on {day}: {u.reason}")
        for route in result.routes:
            if not route.clients:
                continue
            spec = active_fleet[route.vehicle_type]
            label = spec.name if spec.count == 1 else f"{spec.name} #{route.vehicle + 1}"
            vd = _vehicle_day(
                ctx, model, route, day=day, label=label, spec=spec, ids=ids, by_id=by_id
            )
            for s in vd.collect_stops:
                served_on[s.point_id].add(day)
            vehicle_days.append(vd)
    point_status = {}
    for pid, days in schedule.days_of.items():
        if pid in missed:
            point_status[pid] = missed[pid]
        elif set(days) - served_on[pid]:
            point_status[pid] = "not collected on " + ", ".join(sorted(set(days) - served_on[pid]))
        else:
            point_status[pid] = ""
    hh = hh.copy()
    hh["status"] = np.where(hh["ok"].astype(bool), "served", "unserved")
    hh["point_id"] = ""
    hh["days"] = ""
    hid_to_row = {h: i for i, h in enumerate(hh["household_id"].astype(str))}
    for pid, row in by_id.iterrows():
        if row["kind"] != "segment":
            continue
        for h in row["household_ids"]:
            i = hid_to_row[str(h)]
            hh.iat[i, hh.columns.get_loc("point_id")] = pid
            hh.iat[i, hh.columns.get_loc("days")] = " ".join(schedule.days_of.get(pid, ()))
            if point_status.get(pid):
                hh.iat[i, hh.columns.get_loc("status")] = "unserved"
                hh.iat[i, hh.columns.get_loc("reason")] = point_status[pid]
    orphan = (hh["status"] == "served") & (hh["point_id"] == "")
    hh.loc[orphan, "status"] = "unserved"
    hh.loc[orphan, "reason"] = "not assigned to any collection point"
    unserved = hh.loc[hh["status"] == "unserved", [*HOUSEHOLD_COLUMNS, "reason"]].reset_index(
        drop=True
    )
    assumptions = list(sc.assumptions)
    sites: list[Site | VehicleSpec] = [sc.depot, *sc.landfills, *sc.fleet]
    for site in sites:
        if site.assumption:
            assumptions.append(f"{site.name}: {site.assumption}")
    containers = ctx.containers
    stats: dict[str, float] = {
        "collection_points": float(len(pts)),
        "containers_unserved": float(
            0 if containers is None else (~containers["ok"].astype(bool)).sum()
        ),
    }
    return Plan(
        scenario=sc,
        network=ctx.network,
        households=hh,
        points=pts.assign(
            days_assigned=pts["point_id"].map(lambda p: " ".join(schedule.days_of.get(p, ())))
        ),
        vehicle_days=vehicle_days,
        unserved=unserved,
        depot=(sc.depot.lon, sc.depot.lat),
        landfills=[(lf.name, lf.lon, lf.lat) for lf in sc.landfills],
        attribution=ctx.network.attribution,
        synthetic=ctx.network.synthetic,
        assumptions=assumptions,
        stats=stats,
    )


def _vehicle_day(
    ctx: _Context,
    model: Model,
    route: Route,
    *,
    day: str,
    label: str,
    spec: VehicleSpec,
    ids: list[str],
    by_id: pd.DataFrame,
) -> VehicleDay:
    """Turn a solver route into stops with places and a path along the streets, trip by trip."""
    matrix = ctx.matrix
    assert matrix is not None
    node_of = [h.node for h in ctx.index]  # matrix location -> graph node
    lonlat = ctx.network.to_wgs84
    stops: list[Stop] = []
    trips: list[list[int]] = [[]]
    node_path: list[int] = []
    last_loc = model.depots[0].location
    for seq, visit in enumerate(route.visits):
        kind: StopKind
        kind, at, leave, pid, lbl, village, street, households, sides, demand = (
            "depot", last_loc, last_loc, "", ctx.scenario.depot.name, "", "", 0, "", 0.0,
        )  # fmt: skip
        if visit.kind == "depot":
            at = leave = model.depots[visit.index].location
        elif visit.kind == "landfill":
            lf = model.landfills[visit.index]
            kind, lbl = "landfill", lf.name
            at = leave = lf.location
        elif visit.kind == "lunch":
            kind, lbl = "lunch", "lunch"
        else:
            client = model.clients[visit.index]
            pid = ids[visit.index]
            row = by_id.loc[pid]
            assert isinstance(row, pd.Series), f"point id {pid} is not unique"
            kind, lbl, village, street = (
                "collect",
                _text(row["label"]),
                _text(row["village"]),
                _text(row["street"]),
            )
            households, sides, demand = (
                int(row["households"]),
                str(row.get("sides", "")),
                float(row["demand_kg"]),
            )
            a = client.location
            b = client.end_location if client.end_location is not None else a
            at, leave = (b, a) if visit.reversed else (a, b)
        entry, exit_ = node_of[at], node_of[leave]
        trip = visit.trip
        while len(trips) <= trip:
            trips.append([trips[-1][-1]] if trips[-1] else [])
        if kind != "lunch":
            # the leg here with its first and last hops, so the drawn path is the one priced
            for n in [*leg_nodes(matrix, last_loc, at), entry, exit_]:
                if not trips[trip] or trips[trip][-1] != n:
                    trips[trip].append(n)
                if not node_path or node_path[-1] != n:
                    node_path.append(n)
        lon, lat = lonlat(ctx.network.graph.nodes[entry]["x"], ctx.network.graph.nodes[entry]["y"])
        stops.append(
            Stop(
                day=day, vehicle=label, trip=trip, sequence=seq, kind=kind, point_id=pid, label=lbl,
                village=village, street=street, households=households, sides=sides,
                arrival_s=float(visit.arrival_s), departure_s=float(visit.departure_s), demand_kg=demand,
                load_kg=float(visit.load[0]), load_m3=float(visit.load[1]), lon=float(lon), lat=float(lat),
                node=int(entry), exit_node=int(exit_),
            )
        )  # fmt: skip
        last_loc = leave
    lines = [path_geometry(ctx.network, t) for t in trips if len(t) >= 2]
    start, end = route.visits[0].departure_s, route.visits[-1].arrival_s
    return VehicleDay(
        day=day,
        date=_date_of(ctx.scenario, day),
        vehicle=label,
        vehicle_kind=spec.kind,
        driver=spec.driver,
        stops=stops,
        trips=[ln for ln in lines if isinstance(ln, LineString)],
        node_path=node_path,
        km=route.distance_m / 1000.0,
        hours=(end - start) / 3600.0,
        landfill_trips=route.landfill_visits,
        load_kg=sum(model.clients[v.index].demand[0] for v in route.visits if v.kind == "client"),
        load_m3=sum(model.clients[v.index].demand[1] for v in route.visits if v.kind == "client"),
        start_s=float(start),
        end_s=float(end),
        uturns=route_uturns(ctx.network, node_path),
    )


def _text(value: object) -> str:
    """A table cell as text, with missing values as ""."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _date_of(scenario: Scenario, day: str) -> str:
    if scenario.week_start is None:
        return ""
    import datetime as dt

    monday = scenario.week_start - dt.timedelta(days=scenario.week_start.weekday())
    return (monday + dt.timedelta(days=DAYS.index(day))).isoformat()
