"""The whole way through: scenario → network → households → points → matrix → week → :class:`Plan`.

This module only wires the stages together, in order; each stage is a function of what the stages
before it handed on, and hands on a frozen dataclass or a GeoDataFrame with a documented schema
(``docs/ARCHITECTURE.md``):

1. ``network``: :class:`~routing.network.RoadNetwork` (the roads any vehicle of the fleet may
   drive; each vehicle type then keeps its own, `routing.daymodel.RoadProfiles`);
2. ``households``: :class:`Located` (households located, each with its village or a reason);
3. ``snapping``: :class:`Snapped` (depot, landfills and containers on the graph, households on
   their street edges);
4. ``points``: CollectionPoints (`routing.demand`, per village with its days);
5. ``matrix``: :class:`Priced` (`routing.daymodel.Locations`, a heading pricer per routing
   profile of the fleet, the week's :class:`~routing.schedule.WeekSchedule`, which needs only
   the landfills' rows and columns, and each collection day's own matrices);
6. ``search``: a `routing.daymodel.SolvedDay` per collection day;
7. ``assembly``: :class:`~routing.plan.Plan` (`routing.plan.assemble_plan`).

It reports each stage to the run's :class:`~routing.progress.Reporter` and checks its cancel token
between stages, after each block of matrix rows and around each day's search. The public entry is
`routing.api.plan_week`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Polygon, box

from routing.area import inside_area
from routing.balance import balance_day
from routing.daymodel import (
    DayPriced,
    Locations,
    RoadProfiles,
    SolvedDay,
    active_fleet,
    build_day_model,
    headings_on,
    locate,
    own_roads,
    price_day,
    profile_groups,
    refused_points,
    round_trip_s,
)
from routing.demand import collection_points
from routing.errors import InputError, Localized
from routing.estimate import VillageFill, check_register
from routing.geocode import Gazetteer, geocode_households, read_aliases, read_corrections
from routing.i18n import day_name
from routing.network import RoadNetwork, default_cache_dir, load_network
from routing.places import SameNamePlaces, same_name_places
from routing.plan import Plan, assemble_plan
from routing.profile import TruckProfile, fleet_profiles, shared_profile, union_profile
from routing.progress import Reporter
from routing.register import read_containers, read_households
from routing.scenario import DAYS, Scenario, ScenarioError, VillageSpec
from routing.schedule import (
    WeekSchedule,
    assign_days,
    estimate_work,
    fleet_seconds_per_day,
    use_the_week,
)
from routing.snapping import check_sites, snap_points
from routing.solver.model import Model
from routing.solver.params import SolveParams
from routing.turns import HeadingPricer, heading_pricer

logger = logging.getLogger(__name__)

#: How the planner searches a day: the solver's defaults, and each PyVRP run also ends after 1,000
#: iterations without a better best (or at the time limit, whichever comes first), so a day that
#: has settled, or a balancing round whose tightened shifts admit no plan, stops early. Chosen on
#: the tuning set of ``python -m bench.stopping`` (the default and its three variants, 5 s a
#: search, one worker; BENCHMARKS.md, "Stopping rules of the day search"): against no plateau,
#: 1,000 served as many points or more (2,024 against 2,018 of 2,048) with the same vehicle-days,
#: the longest vehicle-days 0.5 % longer and 0.8 % fewer km, in 0.74 of the search time; 500 took
#: 0.49 of the time with 0.5 % more km, 250 0.23 with 2.5 % more, 2,000 0.91. On the test set (two
#: other synthetic valleys, a synthetic town, a real OSM area; one run each) it took 0.61 of the
#: time and served 6 points more with the same vehicle-days and 0.7 % more km. Its history stays
#: ``history_length`` on small days too (``small_history_length`` was chosen on a benchmark at
#: 30 s, not on the planner's days, whose plateau rule above was chosen with that history).
DAY_SEARCH = SolveParams(plateau_iterations=1000, small_history_length=SolveParams.history_length)


@dataclass(frozen=True)
class Located:
    """Stage 2: households (Households columns plus ``village_spec``, "" where no village is
    served, with ``ok`` False and the reason) and containers (or None); ``outside_area``
    households lay outside the scenario's ``[area]`` (not counted); ``warnings`` name villages
    whose data looks incomplete, with the figures."""

    households: gpd.GeoDataFrame
    containers: gpd.GeoDataFrame | None
    outside_area: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapped:
    """Stage 3: the network with the depot, landfills and containers as nodes.

    ``households`` gains ``u``, ``v``, ``key``, ``offset_m``, ``snap_m``, ``node`` (its street
    edge); ``containers`` gains ``node``, ``ok`` and ``reason``.
    """

    network: RoadNetwork
    depot_node: int
    landfill_nodes: tuple[int, ...]
    households: gpd.GeoDataFrame
    containers: gpd.GeoDataFrame | None


@dataclass(frozen=True)
class Priced:
    """Stage 5: the solver's locations and a heading pricer over them per routing profile
    (``matrix`` is profile 0's); ``days``: each collection day's own matrices, by weekday
    (`price_days`; a day whose points change is priced again when it is solved)."""

    locations: Locations
    matrix: HeadingPricer
    profiles: RoadProfiles | None = None
    days: Mapping[str, DayPriced] = dataclasses.field(default_factory=dict)


def run(
    scenario: Scenario,
    *,
    reporter: Reporter,
    workers: int | None = None,
    cache_dir: Path | None = None,
) -> Plan:
    """Plan the week, stage by stage; see `routing.api.plan_week` for the parameters."""
    timings: dict[str, float] = {}
    with reporter.stage("network", timings):
        network = load_network(scenario.osm, profile=network_profile(scenario), cache_dir=cache_dir)
        if scenario.synthetic:
            network.synthetic = True
    with reporter.stage("households", timings):
        located = locate_households(scenario, network, cache_dir=cache_dir)
    with reporter.stage("snapping", timings):
        snapped = snap(scenario, network, located)
    with reporter.stage("points", timings):
        points = village_points(scenario, snapped)
    with reporter.stage("matrix", timings, fractions=True):
        priced = price(scenario, snapped, points)
        schedule = week_schedule(scenario, points, priced)  # the landfills' rows and columns
        priced = price_days(priced, schedule, reporter=reporter, workers=workers)
    with reporter.stage("search", timings, fractions=True):
        days = search(scenario, points, priced, schedule, reporter=reporter, workers=workers)
        # a full day's left-out points go to allowed days with spare vehicles (routing.schedule)
        by_id = points.set_index("point_id")
        schedule, days, short = use_the_week(
            schedule, points, days, fleet=scenario.fleet,
            solve=lambda day, ids: solve_day(
                scenario, by_id, priced, day, ids, reporter=reporter, workers=workers
            ),
        )  # fmt: skip
    with reporter.stage("assembly", timings):
        plan = assemble_plan(
            scenario, network=snapped.network, households=snapped.households,
            containers=snapped.containers, points=points, locations=priced.locations,
            matrix=priced.matrix, schedule=schedule, days=days, profiles=priced.profiles,
        )  # fmt: skip
    plan.stats.update({f"seconds_{k}": round(v, 2) for k, v in timings.items()})
    plan.shortfall = short
    plan.stats["households_outside_area"] = float(located.outside_area)
    plan.warnings.extend(located.warnings)
    reporter.check()
    return plan


def vehicle_profiles(scenario: Scenario) -> dict[str, TruckProfile]:
    """Each vehicle type's own profile by name: the scenario's ``[network.profile]``, the
    vehicle's size and its road bans and allowances (`routing.profile.fleet_profiles`).

    Raises
    ------
    ScenarioError
        If ``[network.profile]`` holds an unknown key or a value out of range.
    """
    where = f"{scenario.path}: [network.profile]"
    try:
        _, by_vehicle = fleet_profiles(scenario.profile, scenario.fleet, where=where)
    except InputError as exc:  # the profile names the file, the key and what is allowed
        raise ScenarioError(
            exc.template, file=scenario.path, field="network.profile", **exc.params
        ) from exc
    return by_vehicle


def _active_profiles(scenario: Scenario) -> list[TruckProfile]:
    by_vehicle = vehicle_profiles(scenario)
    return [by_vehicle[v.name] for v in active_fleet(scenario)] or list(by_vehicle.values())


def truck_profile(scenario: Scenario) -> TruckProfile:
    """The roads every vehicle of the fleet may drive (`routing.profile.shared_profile`): the
    depot and landfills are placed on them, and households and containers where such a road is
    near enough."""
    return shared_profile(_active_profiles(scenario))


def network_profile(scenario: Scenario) -> TruckProfile:
    """The roads any vehicle of the fleet may drive (`routing.profile.union_profile`): the
    network is built (and cached) with it once, and each vehicle type keeps its own roads
    (`routing.network.restrict`). With one profile for the whole fleet it is
    `truck_profile`."""
    return union_profile(_active_profiles(scenario))


def locate_households(
    scenario: Scenario, network: RoadNetwork, *, cache_dir: Path | None
) -> Located:
    """Households located on the map, each with a village spec or a reason why not.

    Without a register they are estimated from the buildings, given the village nearest by
    road (same-name places told apart) and, where a village's buildings imply far fewer
    households than its ``population``, filled along its streets. A register's village name
    that the map holds twice is told apart by the row's municipality, else as the scenario
    means it (`routing.places.SameNamePlaces`). Households outside the scenario's ``[area]``
    are left out and counted apart.
    """
    renamed: dict[str, str] = {}
    fills: list[VillageFill] = []
    if scenario.households is None:
        gdf, renamed, fills = _estimate_households(scenario, network)
    else:
        frame = read_households(scenario.households, columns=scenario.households_columns)
        gazetteer = load_gazetteer(scenario, cache_dir=cache_dir)
        corrections = read_corrections(scenario.corrections) if scenario.corrections else None
        aliases = read_aliases(scenario.aliases) if scenario.aliases else None
        area = _service_area(network)
        same = _same_name_places(scenario, network, gazetteer)
        gdf = geocode_households(
            frame, gazetteer, service_area=area, corrections=corrections, aliases=aliases,
            choose_place=same.choose,
        )  # fmt: skip
        gdf["matched_village"] = [
            same.goes_by.get(v, v) if isinstance(v, str) else v for v in gdf["matched_village"]
        ]
        renamed = dict(same.renamed)
    gdf = gdf.reset_index(drop=True)
    inside = inside_area(gdf, scenario.area)
    gdf = gdf[inside].reset_index(drop=True)
    other = [_renamed_as(row, renamed) for row in gdf.itertuples()]  # a same-name place
    specs = [
        scenario.village("*") if o else _village_of(scenario, row)
        for o, row in zip(other, gdf.itertuples(), strict=True)
    ]
    gdf["village_spec"] = [s.name if s else "" for s in specs]
    no_village = np.array([s is None for s in specs], dtype=bool)
    gdf.loc[no_village, "reason"] = [
        f"village {o or v!r} is not served in this scenario (not in its [[village]] list)"
        + (f"; {renamed[o]}" if o else "")
        for o, v, no in zip(other, gdf["village"], no_village, strict=True)
        if no
    ]
    gdf.loc[no_village, "ok"] = False
    if scenario.households is not None:
        fills = check_register(gdf, scenario.villages, household_size=scenario.household_size)
    containers = read_containers(scenario.containers) if scenario.containers else None
    warnings = tuple(f.describe(language=scenario.language) for f in fills)
    return Located(gdf, containers, int((~inside).sum()), warnings)


def load_gazetteer(scenario: Scenario, *, cache_dir: Path | None = None) -> Gazetteer:
    """The scenario's OSM file as a gazetteer (`routing.geocode.Gazetteer.from_osm`), cached under
    ``gazetteers/`` beside the networks' cache (``cache_dir``: the networks' own, as in `run`)."""
    return Gazetteer.from_osm(
        scenario.osm, cache_dir=(cache_dir or default_cache_dir()).parent / "gazetteers"
    )


def _estimate_households(
    scenario: Scenario, network: RoadNetwork
) -> tuple[gpd.GeoDataFrame, dict[str, str], list[VillageFill]]:
    """Households from the buildings, their villages by road, villages filled from population."""
    from routing.estimate import estimate_households_from_buildings, fill_villages
    from routing.places import villages_by_road

    logger.info("no register: estimating households from residential buildings")
    gdf = estimate_households_from_buildings(
        scenario.osm, area=None, household_size=scenario.household_size
    )
    meant = {v.name: v.aiyl_aimak for v in scenario.villages}
    depot = (scenario.depot.lon, scenario.depot.lat)
    villages, renamed = villages_by_road(
        gdf, network, osm_path=scenario.osm, meant=meant, depot_lonlat=depot
    )
    gdf["village"] = villages
    gdf["matched_village"] = villages
    gdf, fills = fill_villages(
        gdf, network, scenario.villages, household_size=scenario.household_size, seed=scenario.seed
    )
    return gdf, renamed, fills


def _renamed_as(row: Any, renamed: Mapping[str, str]) -> str | None:
    """The name a household's place goes by when it is another place of a served name."""
    for attr in ("matched_village", "village"):
        name = getattr(row, attr, None)
        if isinstance(name, str) and name in renamed:
            return name
    return None


def _same_name_places(
    scenario: Scenario, network: RoadNetwork, gazetteer: Gazetteer
) -> SameNamePlaces:
    """The gazetteer's places that share a name, told apart (`routing.places`)."""
    places = [
        (v.name, v.names[0], *gazetteer.to_wgs84(*v.point))
        for v in gazetteer.villages.values()
        if v.point is not None and v.names
    ]
    return same_name_places(
        places, network, osm_path=scenario.osm,
        meant={v.name: v.aiyl_aimak for v in scenario.villages},
        depot_lonlat=(scenario.depot.lon, scenario.depot.lat),
    )  # fmt: skip


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


def snap(scenario: Scenario, network: RoadNetwork, located: Located) -> Snapped:
    """Depot, landfills and containers become graph nodes; households find their street edge.

    Raises
    ------
    ScenarioError
        If the depot or a landfill is too far from a road the trucks may use.
    """
    sc = scenario
    sites = [(f"[depot] {sc.depot.name!r}", sc.depot.lon, sc.depot.lat)]
    sites += [(f"[[landfill]] {lf.name!r}", lf.lon, lf.lat) for lf in sc.landfills]
    # on roads every vehicle may drive, so each can start, unload and come back
    network, checks = check_sites(
        network, sites, max_snap_m=sc.max_snap_m, profile=truck_profile(sc)
    )
    bad = [c for c in checks if not c.ok]
    if bad:
        field = "depot" if not checks[0].ok else "landfill"
        msg = "{file}: {problems}"  # check_sites says each problem in every language
        problems = Localized(
            {lang: " ".join(c.problems[lang] for c in bad) for lang in bad[0].problems}
        )
        raise ScenarioError(msg, file=sc.path, field=field, problems=problems)
    depot_node = checks[0].node
    landfills = tuple(c.node for c in checks[1:])
    network, containers = _snap_containers(sc, network, depot_node, located.containers)
    households = _snap_households(sc, network, depot_node, located.households)
    return Snapped(network, depot_node, landfills, households, containers)


def _snap_containers(
    sc: Scenario, network: RoadNetwork, depot_node: int, containers: gpd.GeoDataFrame | None
) -> tuple[RoadNetwork, gpd.GeoDataFrame | None]:
    """Containers as graph nodes (they keep ``node``, ``ok``, ``reason``)."""
    if containers is None or not len(containers):
        return network, containers
    fac = gpd.GeoDataFrame(
        {"i": range(len(containers))}, geometry=list(containers.geometry), crs=4326
    )
    network, pts = _snap_shared_first(sc, network, fac, depot_node, split=True)
    pts = pts.reset_index(drop=True)
    containers = containers.reset_index(drop=True)
    containers["node"] = pts["node"].astype(int).to_numpy()
    containers["ok"] = pts["ok"].astype(bool).to_numpy()
    containers["reason"] = pts["reason"].to_numpy()
    return network, containers


def _snap_shared_first(
    sc: Scenario, network: RoadNetwork, points: gpd.GeoDataFrame, depot_node: int, *, split: bool
) -> tuple[RoadNetwork, gpd.GeoDataFrame]:
    """Snap onto the roads every vehicle may drive; a point with none near enough (or none
    reachable) goes to the nearest road some vehicle may drive, and only those vehicles serve it.
    With one profile for the fleet the second pass finds nothing new."""
    shared = truck_profile(sc)
    first = snap_points(
        network, points, max_distance_m=sc.max_snap_m, split=split, anchor_node=depot_node,
        profile=shared,
    )  # fmt: skip
    pts, network = first.points, first.network
    again = pts.index[~pts["ok"].astype(bool) & points.geometry.notna().to_numpy()]
    if len(again) and shared != network_profile(sc):
        second = snap_points(
            network, points.loc[again], max_distance_m=sc.max_snap_m, split=split,
            anchor_node=depot_node,
        )  # fmt: skip
        took = second.points["ok"].astype(bool)
        pts = pts.copy()
        pts.loc[took.index[took]] = second.points.loc[took]
        network = second.network
    return network, pts


def _snap_households(
    sc: Scenario, network: RoadNetwork, depot_node: int, households: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Located households on their street edge; the others keep (or get) their reason."""
    hh = households.copy()
    located = hh.index[hh["ok"].astype(bool) & hh.geometry.notna()]
    if len(located):
        _, snap_hh = _snap_shared_first(
            sc, network, hh.loc[located, ["geometry"]], depot_node, split=False
        )
        for col in ("u", "v", "key", "offset_m", "snap_m", "node"):
            hh.loc[located, col] = snap_hh[col].to_numpy()
        bad = located[~snap_hh["ok"].astype(bool).to_numpy()]
        hh.loc[bad, "reason"] = snap_hh.loc[bad, "reason"].to_numpy()
        hh.loc[bad, "ok"] = False
    hh.loc[~hh["ok"].astype(bool) & hh["reason"].isna(), "reason"] = "not located"
    return hh


def village_points(scenario: Scenario, snapped: Snapped) -> gpd.GeoDataFrame:
    """Collection points per village, with demand for the days between collections.

    Raises
    ------
    ScenarioError
        If no household or container could be placed on the network.
    """
    sc, hh = scenario, snapped.households
    frames: list[gpd.GeoDataFrame] = []
    for spec in sc.villages:
        mine = hh[hh["ok"].astype(bool) & (hh["village_spec"] == spec.name)].copy()
        cont = _village_containers(sc, spec, snapped.containers)
        if mine.empty and (cont is None or cont.empty):
            continue
        for col in ("u", "v", "key", "node"):
            mine[col] = mine[col].astype("int64")
        pts = collection_points(
            mine,
            snapped.network.graph,
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
        msg = "{file}: no household or container could be located on the road network"
        raise ScenarioError(msg, file=sc.path)
    points = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    logger.info(
        "%d collection points (%d households)", len(points), int(points["households"].sum())
    )
    return points


def _village_containers(
    sc: Scenario, spec: VillageSpec, containers: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame | None:
    """The snapped containers of a village (by name, or the catch-all ``*`` village)."""
    if containers is None or not len(containers):
        return None
    in_village = containers["village"].map(
        lambda v: (sc.village(str(v)) or sc.village("*")) == spec
    )
    return containers[containers["ok"].astype(bool) & in_village.astype(bool)]


def price(scenario: Scenario, snapped: Snapped, points: gpd.GeoDataFrame) -> Priced:
    """The solver's locations and, per routing profile of the fleet (`profile_groups`: the
    vehicle types that may drive the same roads share one), a heading pricer between them on
    its own roads (every U-turn priced): the edge-based graph built once, legs priced on
    demand (`routing.turns.HeadingPricer`), so no week's matrix is ever computed."""
    network = snapped.network
    locations = locate(
        network, points, depot_node=snapped.depot_node, landfill_nodes=snapped.landfill_nodes
    )
    profiles, of_vehicle = profile_groups(
        network, vehicle_profiles(scenario), active_fleet(scenario)
    )
    roads = own_roads(network, profiles)
    pricers = tuple(
        heading_pricer(
            own, headings_on(own, locations.headings), uturn_penalty_s=prof.uturn_penalty_s
        )
        for prof, own in zip(profiles, roads, strict=True)
    )
    refused = refused_points(network, points, profiles)
    road_profiles = RoadProfiles(profiles, roads, pricers, of_vehicle, refused)
    return Priced(locations, pricers[0], road_profiles)


def price_days(
    priced: Priced, schedule: WeekSchedule, *, reporter: Reporter, workers: int | None = None
) -> Priced:
    """Each collection day's matrices between its own points (`routing.daymodel.price_day`):
    about a fifth of the week's cells, each day held apart. Reports the share of the days'
    rows done and checks the cancel token before each block of rows."""
    days = [d for d in DAYS if schedule.points_on(d)]
    matrices = priced.profiles.matrices if priced.profiles is not None else (priced.matrix,)
    out: dict[str, DayPriced] = {}
    for k, day in enumerate(days):

        def rows(done: int, total: int, k: int = k) -> None:
            reporter.check()
            if done < total:  # the stage's own last event says it is done
                reporter.emit("matrix", (k + done / total) / len(days), f"{done}/{total}")

        ids = schedule.points_on(day)
        out[day] = price_day(priced.locations, ids, matrices, workers=workers, on_rows=rows)
        n = len(out[day].locations.headings)
        logger.info("%s: travel matrix %d × %d per routing profile", day, n, n)
    return dataclasses.replace(priced, days=out)


def week_schedule(scenario: Scenario, points: gpd.GeoDataFrame, priced: Priced) -> WeekSchedule:
    """Each point's collection days, balancing the estimated work (`routing.schedule`): from the
    depot's and the landfills' rows and columns only."""
    matrices = priced.profiles.matrices if priced.profiles is not None else (priced.matrix,)
    where = priced.locations
    # the quickest of the profiles: an estimate of the work, not a route
    work = estimate_work(
        points,
        round_trip_s=round_trip_s(points, where, *matrices, sites=where.landfills),
        depot_trip_s=round_trip_s(points, where, *matrices, sites=(where.depot,)),
        fleet=scenario.fleet,
        landfills=scenario.landfills,
    )
    return assign_days(work, capacity_s=fleet_seconds_per_day(scenario.fleet))


def search(
    scenario: Scenario,
    points: gpd.GeoDataFrame,
    priced: Priced,
    schedule: WeekSchedule,
    *,
    reporter: Reporter,
    workers: int | None = None,
) -> list[SolvedDay]:
    """Route every collection day: one solver model per day, solved under the scenario's limits.

    The search reports its share of the week (the days done plus the running day's share of its
    budget) and stops as soon as the run is cancelled (the solver asks ``reporter.cancelled``).
    """
    by_id = points.set_index("point_id")
    days = [d for d in DAYS if schedule.points_on(d)]
    solved = []
    for k, day in enumerate(days):
        reporter.check()
        detail = f"{day_name(day, reporter.language)} ({k + 1}/{len(days)})"
        reporter.emit("search", k / len(days), detail)

        def running(fraction: float, k: int = k, detail: str = detail) -> None:
            share = (k + fraction) / len(days)
            if share < 1.0:  # the stage's own last event says it is done
                reporter.emit("search", share, detail)

        ids = schedule.points_on(day)
        solved.append(
            solve_day(
                scenario, by_id, priced, day, ids, reporter=reporter, workers=workers,
                on_progress=running,
            )
        )  # fmt: skip
    reporter.check()
    return solved


def solve_day(
    scenario: Scenario,
    by_id: pd.DataFrame,
    priced: Priced,
    day: str,
    point_ids: Sequence[str],
    *,
    reporter: Reporter,
    workers: int | None,
    on_progress: Callable[[float], None] | None = None,
) -> SolvedDay:
    """Route (and balance) one collection day's points (``by_id``: the points by ``point_id``)."""
    todo = by_id.loc[list(point_ids)].reset_index()
    ids = tuple(todo["point_id"].astype(str))
    day_prices = priced.days.get(day)
    if day_prices is None or day_prices.point_ids != ids:  # e.g. points moved here
        started = time.perf_counter()
        matrices = priced.profiles.matrices if priced.profiles is not None else (priced.matrix,)
        day_prices = price_day(priced.locations, ids, matrices, workers=workers)
        logger.info("%s: priced again in %.1f s", day, time.perf_counter() - started)
    day_model = build_day_model(
        scenario, day, todo, locations=priced.locations, matrix=priced.matrix,
        profiles=priced.profiles, priced=day_prices,
    )  # fmt: skip
    logger.info("%s: routing %d collection points", day, len(todo))
    options: dict[str, Any] = {
        "time_limit_s": scenario.time_limit_s,
        "seed": scenario.seed,
        "max_iterations": scenario.max_iterations,
        "workers": 2 if workers is None else workers,
        "params": DAY_SEARCH,
        "cancel": reporter.cancelled,
    }
    result = day_model.model.solve(**options, on_progress=on_progress)
    if scenario.balance_rounds:
        result, note = balance_day(
            day_model.model, result, solve=functools.partial(Model.solve, **options),
            rounds=scenario.balance_rounds,
        )  # fmt: skip
        result.stats.update(
            balance_longest_before_h=note.longest_before_h,
            balance_shortest_before_h=note.shortest_before_h,
            balance_rounds_kept=float(note.kept),
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
    return SolvedDay(day_model, result)
