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

Evidence: ``tests/test_daymodel.py`` checks headings on a small grid (two-way and one-way streets, a
junction) and that a day's model holds exactly that day's points and the fleet's rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from routing.network import RoadNetwork
from routing.scenario import Scenario, VehicleSpec
from routing.solver.model import Lunch, Model, Result
from routing.turns import Heading, HeadingMatrix

__all__ = [
    "DayModel",
    "Locations",
    "PointHeadings",
    "SolvedDay",
    "active_fleet",
    "build_day_model",
    "day_locations",
    "landfill_round_trip_s",
    "locate",
    "point_headings",
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
class DayModel:
    """One collection day's solver model; client ``i`` of ``model`` is ``point_ids[i]``.

    ``locations`` and ``matrix`` are the day's own (`day_locations`): the model's locations are
    their rows (None: the week's, as given to `build_day_model`).
    """

    day: str
    model: Model
    point_ids: tuple[str, ...]
    locations: Locations | None = None
    matrix: HeadingMatrix | None = None


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


def landfill_round_trip_s(
    points: pd.DataFrame, locations: Locations, matrix: HeadingMatrix
) -> list[float]:
    """Per point, the quickest drive from its exit to a landfill and back to its entry (s).

    ``nan`` where no landfill can be reached and left again.
    """
    out = []
    for pid in points["point_id"].astype(str):
        ph = locations.points[pid]
        entry, exit_ = locations.index[ph.entry], locations.index[ph.exit]
        trips = [
            matrix.duration_s[exit_, lf] + matrix.duration_s[lf, entry]
            for lf in locations.landfills
        ]
        finite = [t for t in trips if math.isfinite(t)]
        out.append(min(finite) if finite else math.nan)
    return out


def active_fleet(scenario: Scenario) -> list[VehicleSpec]:
    """The vehicle kinds that take part (``count`` above 0): the model's vehicle types, in order."""
    return [v for v in scenario.fleet if v.count > 0]


def build_day_model(
    scenario: Scenario,
    day: str,
    points: pd.DataFrame,
    *,
    locations: Locations,
    matrix: HeadingMatrix,
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
        From :func:`locate` and the heading matrix over ``locations.headings``.

    Returns
    -------
    DayModel
    """
    ids = tuple(points["point_id"].astype(str))
    locations, rows = day_locations(locations, ids)
    matrix = matrix.take(rows)
    model = Model()
    fleet = scenario.fleet
    shift = (min(v.shift_start_s for v in fleet), max(v.shift_end_s for v in fleet))
    model.add_depot(locations.depot, name=scenario.depot.name, tw=shift)
    for lf, location in zip(scenario.landfills, locations.landfills, strict=True):
        model.add_landfill(location, name=lf.name, tw=(lf.open_s, lf.close_s), unload_s=lf.unload_s)
    for _, row in points.iterrows():
        _add_client(model, row, locations)
    for v in active_fleet(scenario):
        _add_vehicle_type(model, v)
    model.set_matrices(matrix.duration_s, matrix.distance_m)
    return DayModel(day, model, ids, locations, matrix)


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


def _add_client(model: Model, row: pd.Series, locations: Locations) -> None:
    """A collection point as a client: a segment or passed-through container, else a point."""
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
        )
    else:
        model.add_client(entry, demand=demand, service_s=round(float(row["service_s"])), name=pid)


def _add_vehicle_type(model: Model, v: VehicleSpec) -> None:
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
    )
