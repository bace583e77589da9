"""Turn-by-turn directions and street geometry, read from the road graph of a plan.

A vehicle-day's ``node_path`` is the exact sequence of graph nodes it drives. Directions walk that
path edge by edge: a new instruction starts where the street name changes or the road turns more
than slightly (`routing.geometry.classify_turn`, the project's one turn classifier), and the stops (collect, landfill, depot, lunch) are interleaved where the path reaches
them. Angles come from the edge geometries in the projected CRS (metres), so they are true angles.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pyproj

from routing.geometry import bearing_deg, classify_turn, heading_change_deg
from routing.i18n import translator
from routing.names import road_name

if TYPE_CHECKING:
    from routing.plan import Stop, VehicleDay

Turn = str  # one of routing.geometry.TURNS
_TURN_TEXT = {
    "depart": "Depart on {street}",
    "straight": "Continue on {street}",
    "slight_left": "Bear left onto {street}",
    "left": "Turn left onto {street}",
    "sharp_left": "Turn sharp left onto {street}",
    "slight_right": "Bear right onto {street}",
    "right": "Turn right onto {street}",
    "sharp_right": "Turn sharp right onto {street}",
    "uturn": "Make a U-turn onto {street}",
}


@dataclass(frozen=True)
class Instruction:
    """One line of a driver's directions.

    ``kind`` is a turn (see `routing.geometry.TURNS`) or a stop kind (``"collect"``, ``"landfill"``,
    ``"depot"``, ``"lunch"``); ``distance_m`` is what is driven from here to the next line;
    ``number`` is the collection stop's number (1, 2, …) for ``"collect"``.
    """

    kind: str
    text: str
    street: str
    distance_m: float
    number: int | None = None
    stop: Stop | None = None


@dataclass(frozen=True)
class _Edge:
    name: str
    length: float
    start_bearing: float
    end_bearing: float


def _edge(graph: nx.MultiDiGraph, u: int, v: int, language: str) -> _Edge:
    """The shortest of the parallel edges u→v, with its name, length and end headings."""
    data: dict[str, Any] | None = None
    if graph.has_edge(u, v):
        data = min(graph[u][v].values(), key=lambda d: float(d.get("length", math.inf)))
    nu, nv = graph.nodes[u], graph.nodes[v]
    coords: list[tuple[float, float]]
    geom = data.get("geometry") if data else None
    if geom is not None and len(geom.coords) >= 2:
        coords = [(float(c[0]), float(c[1])) for c in geom.coords]
    else:
        coords = [(float(nu["x"]), float(nu["y"])), (float(nv["x"]), float(nv["y"]))]
    length = (
        float(data["length"])
        if data and data.get("length") is not None
        else math.dist(coords[0], coords[-1])
    )
    name = road_name(data or {}, language=language)
    return _Edge(
        name=name,
        length=length,
        start_bearing=bearing_deg(*coords[0], *coords[1]),
        end_bearing=bearing_deg(*coords[-2], *coords[-1]),
    )


def _street_name(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = next((v for v in value if v), "")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


@dataclass
class Walk:
    """A vehicle-day's drive as a walk on the graph.

    ``nodes`` is the walk (consecutive nodes joined by an edge, except where no path exists);
    ``positions[k]`` is where waypoint ``k`` of ``VehicleDay.node_path`` lies on it.
    """

    nodes: list[int]
    positions: list[int]
    waypoints: list[int]


LegCache = dict[tuple[int, int], list[int]]


def walk(
    graph: nx.MultiDiGraph,
    vehicle_day: VehicleDay,
    *,
    weight: str = "travel_time",
    cache: LegCache | None = None,
) -> Walk:
    """Expand ``vehicle_day.node_path`` into the walk the vehicle drives.

    ``node_path`` may already be a walk (every hop an edge) or only the waypoints (stop entry
    and exit nodes); between waypoints that are not adjacent the fastest path by ``weight`` is
    driven, as the matrix stage assumes. ``cache`` (shared across vehicle-days) keeps legs.
    """
    cache = {} if cache is None else cache
    nodes: list[int] = []
    positions: list[int] = []
    waypoints = [n for n in vehicle_day.node_path if n in graph]
    for n in waypoints:
        if nodes and n != nodes[-1]:
            a = nodes[-1]
            if graph.has_edge(a, n):
                nodes.append(n)
            else:
                if (a, n) not in cache:
                    try:
                        cache[(a, n)] = nx.bidirectional_dijkstra(graph, a, n, weight=weight)[1]
                    except nx.NetworkXNoPath:
                        cache[(a, n)] = [a, n]  # drawn as a gap-bridging straight line
                nodes.extend(cache[(a, n)][1:])
        elif not nodes:
            nodes.append(n)
        positions.append(len(nodes) - 1)
    return Walk(nodes, positions, waypoints)


def _locate_stops(route: Walk, stops: list[Stop]) -> list[tuple[int, int, Stop]]:
    """(start, end) walk indices of each stop, matched in order against the waypoints.

    A collect stop starts at its ``node`` and ends at its ``exit_node`` (the segment is driven in
    between); other stops are points. A stop whose node is not found keeps the current position
    so it is still listed.
    """
    out = []
    k = 0
    wps = route.waypoints
    for stop in stops:
        if stop.kind == "lunch":
            pos = route.positions[min(k, len(wps) - 1)] if wps else 0
            out.append((pos, pos, stop))
            continue
        i = next((j for j in range(k, len(wps)) if wps[j] == stop.node), None)
        if i is None:
            pos = route.positions[min(k, len(wps) - 1)] if wps else 0
            out.append((pos, pos, stop))
            continue
        end_i = i
        if stop.kind == "collect" and stop.exit_node != stop.node:
            end_i = next((j for j in range(i + 1, len(wps)) if wps[j] == stop.exit_node), i)
        out.append((route.positions[i], route.positions[end_i], stop))
        k = end_i
    return out


def directions(
    graph: nx.MultiDiGraph,
    vehicle_day: VehicleDay,
    *,
    language: str,
    route: Walk | None = None,
) -> list[Instruction]:
    """Turn-by-turn directions for one vehicle-day, stops included, in the language.

    Parameters
    ----------
    graph
        The plan's road graph (projected, as in ``RoadNetwork.graph``).
    vehicle_day
        Its ``node_path`` must be a walk on ``graph`` (consecutive nodes joined by an edge; a gap
        is bridged as a straight, unnamed line).
    language
        ``"ky"``, ``"ru"`` or ``"en"``.
    route
        The expanded walk when the caller has it already (see :func:`walk`).

    Returns
    -------
    list of Instruction
        Driving lines (``depart``, turns) with the distance to the next line, and stop lines.
    """
    route = route if route is not None else walk(graph, vehicle_day)
    edges = [_edge(graph, u, v, language) for u, v in itertools.pairwise(route.nodes)]
    cum = np.concatenate([[0.0], np.cumsum([e.length for e in edges])]) if edges else np.zeros(1)
    events = _events(edges, locate_stops(vehicle_day, graph, route=route))
    numbers = {id(s): n for n, s in enumerate(vehicle_day.collect_stops, start=1)}
    writer = _Writer(translator(language), edges, cum, len(route.nodes) - 1, numbers)
    skip_until = -1
    for k, (i, _order, kind, stop, end) in enumerate(events):
        next_i = events[k + 1][0] if k + 1 < len(events) else writer.last
        if stop is None:
            if i >= skip_until:  # a turn inside a collected segment: the stop line covers it
                writer.turn(kind, i, next_i)
            continue
        writer.stop(stop, i, end)
        if stop.kind == "collect":
            skip_until = end
            following = next((ev for ev in events[k + 1 :] if ev[0] >= end), None)
            if end < len(edges) and (following is None or following[0] > end):
                # driving on after the segment without a turn: say where
                writer.turn("straight", end, following[0] if following else writer.last)
    return writer.out


_Event = tuple[int, int, str, "Stop | None", int]


def _events(edges: list[_Edge], located: list[tuple[int, int, Stop]]) -> list[_Event]:
    """Turns and stops by walk index; at one index: arrivals, then the turn, then a collection.

    A turn at index ``i`` means "at node ``i``, onto edge ``i``"; it is announced where the street
    changes or the road turns more than slightly.
    """
    events: list[_Event] = []
    for i, e in enumerate(edges):
        if i == 0:
            events.append((i, 1, "depart", None, i))
            continue
        prev = edges[i - 1]
        turn = classify_turn(heading_change_deg(prev.end_bearing, e.start_bearing))
        if e.name != prev.name or turn not in ("straight", "slight_left", "slight_right"):
            events.append((i, 1, turn, None, i))
    for start, end, reached in located:
        order = 2 if reached.kind == "collect" else 0
        events.append((start, order, reached.kind, reached, end))
    events.sort(key=lambda ev: (ev[0], ev[1]))
    return events


@dataclass
class _Writer:
    """Appends the lines of the directions, in the language, with their distances."""

    tr: Any
    edges: list[_Edge]
    cum: np.ndarray
    last: int
    numbers: dict[int, int]
    out: list[Instruction] = field(default_factory=list)

    def dist(self, a: int, b: int) -> float:
        cum = self.cum
        return float(cum[min(b, len(cum) - 1)] - cum[min(a, len(cum) - 1)])

    def turn(self, kind: str, i: int, upto: int) -> None:
        street = self.edges[i].name if i < len(self.edges) else ""
        text = self.tr(_TURN_TEXT[kind], street=street)
        self.out.append(Instruction(kind, text, street, self.dist(i, upto)))

    def stop(self, stop: Stop, i: int, end: int) -> None:
        _ = self.tr
        if stop.kind == "collect":
            text = _("Collect: {label}", label=stop.label or stop.street)
            number = self.numbers.get(id(stop))
            self.out.append(
                Instruction("collect", text, stop.street, self.dist(i, end), number, stop)
            )
        elif stop.kind == "landfill":
            text = _("Unload at {place}", place=stop.label)
            self.out.append(Instruction("landfill", text, "", 0.0, None, stop))
        elif stop.kind == "depot":
            text = _("Return to {place}", place=stop.label)
            self.out.append(Instruction("depot", text, "", 0.0, None, stop))
        else:
            self.out.append(Instruction(stop.kind, _("Lunch break"), "", 0.0, None, stop))


def edge_lines(
    graph: nx.MultiDiGraph, *, to_wgs84: bool = False
) -> list[tuple[np.ndarray, str, str]]:
    """Every street once (u–v and v–u drawn once) as ``(coords[n, 2], name, highway)``.

    Coordinates are the graph's projected metres, or ``lon, lat`` when ``to_wgs84``.
    """
    seen: set[tuple[int, int]] = set()
    lines: list[tuple[np.ndarray, str, str]] = []
    for u, v, data in graph.edges(data=True):
        key = (u, v) if u <= v else (v, u)
        if key in seen:
            continue
        seen.add(key)
        geom = data.get("geometry")
        if geom is not None:
            coords = np.asarray(geom.coords, dtype=float)[:, :2]
        else:
            nu, nv = graph.nodes[u], graph.nodes[v]
            coords = np.array([[nu["x"], nu["y"]], [nv["x"], nv["y"]]], dtype=float)
        highway = data.get("highway", "")
        if isinstance(highway, list | tuple):
            highway = highway[0] if highway else ""
        lines.append((coords, _street_name(data.get("name")), str(highway or "")))
    if to_wgs84 and lines:
        crs = graph.graph.get("crs")
        if crs is None:
            msg = "the road graph has no 'crs' in graph.graph; cannot convert it to WGS84"
            raise ValueError(msg)
        tr = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        allc = np.vstack([c for c, _, _ in lines])
        lon, lat = tr.transform(allc[:, 0], allc[:, 1])
        flat = np.column_stack([lon, lat])
        out = []
        pos = 0
        for coords, name, hw in lines:
            out.append((flat[pos : pos + len(coords)], name, hw))
            pos += len(coords)
        lines = out
    return lines


def path_edges(graph: nx.MultiDiGraph, nodes: list[int]) -> list[np.ndarray]:
    """The projected coordinates of each edge driven along ``nodes`` (one array per hop).

    The shortest of parallel edges is taken, its geometry when it has one; a hop with no edge is
    a straight line between the two nodes.
    """
    out: list[np.ndarray] = []
    for u, v in itertools.pairwise(nodes):
        if u not in graph or v not in graph:
            continue
        geom = None
        if graph.has_edge(u, v):
            data = min(graph[u][v].values(), key=lambda d: float(d.get("length", math.inf)))
            geom = data.get("geometry")
        if geom is not None and len(geom.coords) >= 2:
            out.append(np.asarray(geom.coords, dtype=float)[:, :2])
        else:
            nu, nv = graph.nodes[u], graph.nodes[v]
            out.append(np.array([[nu["x"], nu["y"]], [nv["x"], nv["y"]]], dtype=float))
    return out


def locate_stops(
    vehicle_day: VehicleDay, graph: nx.MultiDiGraph, *, route: Walk | None = None
) -> list[tuple[int, int, Stop]]:
    """For each stop after the first depot: (start, end) indices on the walk where it is served.

    Indices refer to ``route.nodes`` (see :func:`walk`), the same walk that :func:`path_edges` and
    :func:`directions` use; edge ``i`` joins walk nodes ``i`` and ``i + 1``.
    """
    route = route if route is not None else walk(graph, vehicle_day)
    stops = list(vehicle_day.stops)
    if stops and stops[0].kind == "depot":
        stops = stops[1:]
    return _locate_stops(route, stops)
