"""From collection points to the solver: where each point sits in the travel matrix, one day's model.

Method
------
The solver works on *locations*, rows of the heading matrix (`routing.turns`). A street segment
``u -> v`` is entered at ``Heading(u, v)`` and left at ``Heading(v, u)``; reversed, it is entered
where it was left and left where it was entered, so reversing needs no new locations. A container
halfway along a street (a node with two neighbours) is passed through, so the truck never turns
around in the street; elsewhere a container, the depot and the landfills are plain nodes.
:func:`locate` gives every point its entry and exit and lists the distinct headings in a stable
order (depot, landfills, then the points in their order); :func:`build_day_model` turns one day's
points and the scenario's fleet into a :class:`routing.solver.model.Model`: a segment becomes a
segment client (its collection driving and service as traverse time), a passed-through container a
segment client of zero length, any other container a point client; each vehicle kind with a
``count`` above 0 becomes a vehicle type, in the scenario's order (:func:`active_fleet`).

Road profiles: each vehicle type drives on its own roads (`routing.profile.fleet_profiles`).
:func:`profile_groups` puts vehicle types whose profiles refuse the same edges of the network
in one routing profile (identical roads give one matrix, so a fleet that shares its roads plans as
before); :class:`RoadProfiles` holds each profile's roads and heading matrix, which vehicle drives
on which, and the points a profile may not serve (a street segment on a road it refuses: the
matrix cannot say so, since a segment is driven inside the client, not between locations). The
day's model gets a matrix per profile (`Model.add_profile`), each vehicle type its profile and
each such point the profiles that may serve it.

By day: :func:`price_day` gives one day its own locations (:func:`day_locations`) and, per
routing profile, the matrix between them only, from the week's matrix or, as the planner does,
from a `routing.turns.HeadingPricer` that computes only those cells; :func:`build_day_model` uses
it (or prices the day itself).

Evidence: ``tests/test_daymodel.py`` checks headings on a small grid (two-way and one-way streets, a
junction) and that a day's model holds exactly that day's points and the fleet's rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from routing.network import RoadNetwork, restrict
from routing.profile import TruckProfile
from routing.scenario import Scenario, VehicleSpec
from routing.solver.model import Lunch, Model, Result
from routing.turns import Heading, HeadingMatrix, HeadingPricer

#: where a day's legs are priced from: the week's matrix (`HeadingMatrix.take` copies the day's
#: cells) or a pricer (`HeadingPricer.take` computes only them)
Prices = HeadingMatrix | HeadingPricer

__all__ = [
    "DayModel",
    "DayPriced",
    "Locations",
    "PointHeadings",
    "RoadProfiles",
    "SolvedDay",
    "active_fleet",
    "build_day_model",
    "day_locations",
    "headings_on",
    "locate",
    "own_roads",
    "point_headings",
    "price_day",
    "profile_groups",
    "refused_points",
    "round_trip_s",
]


@dataclass(frozen=True)
class PointHeadings:
    """Where a collection point is entered and left (driven its own way), and whether it may be
    driven the other way (entered where it is left and left where it is entered)."""

    entry: Heading
    exit: Heading
    reversible: bool


@dataclass(frozen=True)
class Locations:
    """The solver's locations: the distinct headings, in matrix order, and who sits where.

    Attributes
    ----------
    headings
        The rows (and columns) of the heading matrix.
    index
        Heading → its row.
    depot
        The depot's row.
    landfills
        The landfills' rows, in the scenario's order.
    points
        ``point_id`` → its :class:`PointHeadings`.
    """

    headings: tuple[Heading, ...]
    index: Mapping[Heading, int]
    depot: int
    landfills: tuple[int, ...]
    points: Mapping[str, PointHeadings]

    def node_of(self, location: int) -> int:
        """The graph node of a location."""
        return self.headings[location].node


@dataclass(frozen=True)
class RoadProfiles:
    """The fleet's routing profiles over one network and one set of locations.

    Attributes
    ----------
    profiles
        One `TruckProfile` per routing profile (the first vehicle type's stands for its group).
    networks
        Each profile's roads (`routing.network.restrict` of the snapped network).
    matrices
        Each profile's heading matrix over the same `Locations.headings`, or its pricer (the
        planner's: each day's cells are computed on their own, `price_day`).
    of_vehicle
        Vehicle type name → its profile.
    refused
        ``point_id`` → the profiles whose vehicles may not serve it (its street is refused);
        points every profile may serve are absent.
    """

    profiles: tuple[TruckProfile, ...]
    networks: tuple[RoadNetwork, ...]
    matrices: tuple[Prices, ...]
    of_vehicle: Mapping[str, int]
    refused: Mapping[str, frozenset[int]]

    def of(self, vehicle: str) -> int:
        """The profile of a vehicle type (0 for one not listed)."""
        return self.of_vehicle.get(vehicle, 0)


@dataclass(frozen=True)
class DayModel:
    """One collection day's solver model; client ``i`` of ``model`` is ``point_ids[i]``.

    ``locations`` and ``matrices`` (one per routing profile, as `RoadProfiles.matrices`) are the
    day's own (`day_locations`): the model's locations are their rows (None: the week's, as given
    to `build_day_model`).
    """

    day: str
    model: Model
    point_ids: tuple[str, ...]
    locations: Locations | None = None
    matrices: tuple[HeadingMatrix, ...] | None = None


@dataclass(frozen=True)
class DayPriced:
    """One day's locations and heading matrices (one per routing profile), for ``point_ids``
    in that order (`price_day`)."""

    point_ids: tuple[str, ...]
    locations: Locations
    matrices: tuple[HeadingMatrix, ...]


@dataclass(frozen=True)
class SolvedDay:
    """A day's model and the solver's answer to it: what the search hands to the assembly."""

    day_model: DayModel
    result: Result


def point_headings(network: RoadNetwork, row: pd.Series) -> PointHeadings:
    """Where a collection point (a row of the CollectionPoints table) is entered and left.

    A street segment ``u -> v`` is entered at ``u`` not coming from ``v`` and left at ``v`` not
    going back to ``u``. A container halfway along a street (a node with two neighbours) is passed
    through, so the truck never turns around in the street; elsewhere it is a plain node.
    """
    if row["kind"] == "segment":
        u, v = int(row["u"]), int(row["v"])
        return PointHeadings(Heading(u, v), Heading(v, u), bool(row["reversible"]))
    x = int(row["node"])
    graph = network.graph
    near = sorted((set(graph.successors(x)) | set(graph.predecessors(x))) - {x})
    if len(near) != 2:
        return PointHeadings(Heading(x), Heading(x), False)
    a, b = near
    forward = graph.has_edge(a, x) and graph.has_edge(x, b)
    backward = graph.has_edge(b, x) and graph.has_edge(x, a)
    if not forward and not backward:
        return PointHeadings(Heading(x), Heading(x), False)
    if not forward:
        a, b = b, a
    # entered not coming from b (so from a), left not going back to a (so on to b)
    return PointHeadings(Heading(x, b), Heading(x, a), forward and backward)


def locate(
    network: RoadNetwork,
    points: gpd.GeoDataFrame,
    *,
    depot_node: int,
    landfill_nodes: Sequence[int],
) -> Locations:
    """Give the depot, the landfills and every collection point their rows in the matrix.

    Parameters
    ----------
    network
        The network the points were snapped to (their nodes are graph nodes).
    points
        CollectionPoints (see ``docs/ARCHITECTURE.md``).
    depot_node, landfill_nodes
        Graph nodes of the depot and the landfills.

    Returns
    -------
    Locations
        Headings in a stable order: depot, landfills, then each point's entry and exit.
    """
    heads = [Heading(depot_node), *(Heading(n) for n in landfill_nodes)]
    of_point: dict[str, PointHeadings] = {}
    for _, row in points.iterrows():
        ph = point_headings(network, row)
        of_point[str(row["point_id"])] = ph
        heads.extend((ph.entry, ph.exit))
    unique = tuple(dict.fromkeys(heads))
    index = {h: i for i, h in enumerate(unique)}
    return Locations(
        headings=unique,
        index=index,
        depot=index[Heading(depot_node)],
        landfills=tuple(index[Heading(n)] for n in landfill_nodes),
        points=of_point,
    )


def round_trip_s(
    points: pd.DataFrame, locations: Locations, *matrices: Prices, sites: Sequence[int]
) -> list[float]:
    """Per point, the quickest drive from its exit to one of ``sites`` and back to its entry (s).

    ``sites`` are locations: the landfills (`Locations.landfills`: a load taken to be unloaded) or
    the depot (``(Locations.depot,)``: the drive out to the point and home again). Each leg is the
    quickest of ``matrices`` (the fleet's routing profiles; an estimate of the work, not a route);
    only the sites' rows and columns are read, so a pricer computes those alone. ``nan`` where no
    site can be reached and left again.
    """
    sites = list(sites)
    to_site = np.fmin.reduce([m.durations_to(sites) for m in matrices])
    from_site = np.fmin.reduce([m.durations_from(sites) for m in matrices])
    out = []
    for pid in points["point_id"].astype(str):
        ph = locations.points[pid]
        entry, exit_ = locations.index[ph.entry], locations.index[ph.exit]
        trips = [to_site[exit_, k] + from_site[k, entry] for k in range(len(sites))]
        finite = [t for t in trips if math.isfinite(t)]
        out.append(min(finite) if finite else math.nan)
    return out


def profile_groups(
    network: RoadNetwork, by_vehicle: Mapping[str, TruckProfile], fleet: Sequence[VehicleSpec]
) -> tuple[tuple[TruckProfile, ...], dict[str, int]]:
    """Group vehicle types by the roads they may drive: one routing profile per distinct set of
    edges their profiles refuse (sizes that meet no limit of the extract change nothing).

    Parameters
    ----------
    network
        The snapped network (built with the union of the profiles).
    by_vehicle
        Each vehicle type's profile by name (`routing.profile.fleet_profiles`).
    fleet
        The vehicle types that take part, in order (:func:`active_fleet`); the first one's
        roads are profile 0.

    Returns
    -------
    profiles, of_vehicle
        One profile per group (its first vehicle's) and each vehicle type's group.
    """
    graph = network.graph
    groups: dict[frozenset[tuple[int, int, int]], int] = {}
    profiles: list[TruckProfile] = []
    of_vehicle: dict[str, int] = {}
    for v in fleet:
        prof = by_vehicle[v.name]
        refused = frozenset(
            (a, b, k) for a, b, k, d in graph.edges(keys=True, data=True) if not prof.usable(d)
        )
        if refused not in groups:
            groups[refused] = len(profiles)
            profiles.append(prof)
        of_vehicle[v.name] = groups[refused]
    return tuple(profiles), of_vehicle


def refused_points(
    network: RoadNetwork, points: pd.DataFrame, profiles: Sequence[TruckProfile]
) -> dict[str, frozenset[int]]:
    """Per street segment on a road some profiles refuse: those profiles (``point_id`` keyed).

    A container is a node: whether a profile reaches it is its matrix's business.
    """
    graph = network.graph
    out: dict[str, frozenset[int]] = {}
    segments = points[points["kind"] == "segment"]
    columns = (segments[c].tolist() for c in ("point_id", "u", "v", "key"))
    for pid, u, v, k in zip(*columns, strict=True):
        edge = (int(u), int(v), int(k))
        data = graph.edges[edge] if graph.has_edge(*edge) else graph.edges[edge[1], edge[0], k]
        no = frozenset(p for p, prof in enumerate(profiles) if not prof.usable(data))
        if no:
            out[str(pid)] = no
    return out


def own_roads(network: RoadNetwork, profiles: Sequence[TruckProfile]) -> tuple[RoadNetwork, ...]:
    """Each profile's roads: the network without the edges it refuses."""
    return tuple(restrict(network, p) for p in profiles)


def headings_on(network: RoadNetwork, headings: Sequence[Heading]) -> list[Heading]:
    """The headings as a vehicle on ``network`` (its own roads) has them: where the road to
    ``other`` is one it may not drive, it can neither come from nor turn back to it there, so
    the heading is its plain node (rows and columns keep their order)."""
    graph = network.graph
    return [
        h
        if h.other is None or graph.has_edge(h.node, h.other) or graph.has_edge(h.other, h.node)
        else Heading(h.node)
        for h in headings
    ]


def active_fleet(scenario: Scenario) -> list[VehicleSpec]:
    """The vehicle kinds that take part (``count`` above 0): the model's vehicle types, in order."""
    return [v for v in scenario.fleet if v.count > 0]


def build_day_model(
    scenario: Scenario,
    day: str,
    points: pd.DataFrame,
    *,
    locations: Locations,
    matrix: Prices,
    profiles: RoadProfiles | None = None,
    priced: DayPriced | None = None,
) -> DayModel:
    """The solver model of one collection day.

    Parameters
    ----------
    scenario
        Depot and landfill names and hours, and the fleet.
    day
        The weekday (``"mon"`` … ``"sun"``).
    points
        The day's collection points (CollectionPoints rows), in the order they become clients.
    locations, matrix
        From :func:`locate` and the heading matrix over ``locations.headings`` (or its pricer).
    profiles
        The fleet's routing profiles (None: every vehicle drives on ``matrix``); profile 0's
        matrix is then ``profiles.matrices[0]`` and ``matrix`` is not read.
    priced
        This day's matrices, priced before (`price_day`); used where they are for exactly
        these points, else the day is priced here.

    Returns
    -------
    DayModel
    """
    ids = tuple(points["point_id"].astype(str))
    if priced is None or priced.point_ids != ids:
        priced = price_day(locations, ids, profiles.matrices if profiles else (matrix,))
    locations, day_matrices = priced.locations, priced.matrices
    model = Model()
    fleet = scenario.fleet
    shift = (min(v.shift_start_s for v in fleet), max(v.shift_end_s for v in fleet))
    model.add_depot(locations.depot, name=scenario.depot.name, tw=shift)
    for lf, location in zip(scenario.landfills, locations.landfills, strict=True):
        model.add_landfill(location, name=lf.name, tw=(lf.open_s, lf.close_s), unload_s=lf.unload_s)
    n_profiles = len(profiles.matrices) if profiles is not None else 1
    for _, row in points.iterrows():
        no = profiles.refused.get(str(row["point_id"])) if profiles is not None else None
        allowed = frozenset(range(n_profiles)) - no if no else None
        _add_client(model, row, locations, allowed)
    for v in active_fleet(scenario):
        _add_vehicle_type(model, v, profiles.of(v.name) if profiles is not None else 0)
    first, *others = day_matrices
    model.set_matrices(first.duration_s, first.distance_m)
    for m in others:
        model.add_profile(m.duration_s, m.distance_m)
    return DayModel(day, model, ids, locations, tuple(day_matrices))


def price_day(
    locations: Locations,
    point_ids: Sequence[str],
    matrices: Sequence[Prices],
    *,
    workers: int | None = None,
    on_rows: Callable[[int, int], None] | None = None,
) -> DayPriced:
    """One day's locations (`day_locations`) and, per routing profile, the matrix between them
    only (``matrices``: the profiles' week matrices or pricers; ``workers`` and ``on_rows`` as
    in `routing.turns.heading_matrix`, ``on_rows`` counting over all profiles)."""
    ids = tuple(point_ids)
    day, rows = day_locations(locations, ids)
    out = []
    for p, m in enumerate(matrices):

        def rows_done(done: int, total: int, p: int = p) -> None:
            if on_rows is not None:
                on_rows(p * total + done, len(matrices) * total)

        out.append(m.take(rows, workers=workers, on_rows=rows_done))
    return DayPriced(ids, day, tuple(out))


def day_locations(locations: Locations, point_ids: Sequence[str]) -> tuple[Locations, list[int]]:
    """One day's locations: the depot, the landfills and those points' headings, renumbered.

    Returns the day's `Locations` (same order rules as `locate`) and, for each of its rows, the
    week's row it is: the day's matrix is ``matrix.take(rows)``, so a day's model (and every
    copy of it the solver's processes get) holds its own points' cells, not the week's.
    """
    heads = [locations.headings[locations.depot]]
    heads += [locations.headings[lf] for lf in locations.landfills]
    for pid in point_ids:
        ph = locations.points[pid]
        heads += [ph.entry, ph.exit]
    unique = tuple(dict.fromkeys(heads))
    index = {h: i for i, h in enumerate(unique)}
    day = Locations(
        headings=unique,
        index=index,
        depot=0,
        landfills=tuple(index[locations.headings[lf]] for lf in locations.landfills),
        points={pid: locations.points[pid] for pid in point_ids},
    )
    return day, [locations.index[h] for h in unique]


def _add_client(
    model: Model, row: pd.Series, locations: Locations, allowed: frozenset[int] | None
) -> None:
    """A collection point as a client: a segment or passed-through container, else a point;
    ``allowed``: the routing profiles that may serve it (None: all)."""
    pid = str(row["point_id"])
    demand = (float(row["demand_kg"]), float(row["demand_m3"]))
    ph = locations.points[pid]
    entry, exit_ = locations.index[ph.entry], locations.index[ph.exit]
    if row["kind"] == "segment" or ph.entry != ph.exit:
        segment = row["kind"] == "segment"
        # a container passed through has no length: only its service time, either way round
        collect_s = float(row.get("collect_s", 0.0)) if segment else 0.0
        model.add_segment_client(
            entry,
            exit_,
            traverse_s=round(collect_s + float(row["service_s"])),
            traverse_m=float(row["length_m"]) if segment else 0.0,
            demand=demand,
            reversible=ph.reversible,
            name=pid,
            profiles=allowed,
        )
    else:
        service_s = round(float(row["service_s"]))
        model.add_client(entry, demand=demand, service_s=service_s, name=pid, profiles=allowed)


def _add_vehicle_type(model: Model, v: VehicleSpec, profile: int) -> None:
    lunch = (
        Lunch(window=(v.lunch_earliest_s, v.lunch_latest_s), duration_s=v.lunch_s)
        if v.lunch_s
        else None
    )
    model.add_vehicle_type(
        num_available=v.count,
        capacity=(v.capacity_kg, v.capacity_m3 * v.compaction),
        max_load_per_day=(v.max_load_per_day_kg or math.inf, math.inf),
        max_stops=v.max_stops,
        shift=(v.shift_start_s, v.shift_end_s),
        lunch=lunch,
        cost_per_km=v.cost_per_km or 1.0,
        cost_per_hour=v.cost_per_hour,
        fixed_cost=v.fixed_cost,
        name=v.name,
        profile=profile,
    )
