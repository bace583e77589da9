"""Put points (households, containers, depot, landfill) on the road graph.

Each point goes to the nearest edge (not the nearest node) in the projected CRS, at its position
along that edge. With ``split=True`` the point becomes a node of a copy of the graph: the edge,
and its twin in the other direction on a two-way street, is cut there, with geometry, length and
times split in proportion. A point too far from any road, or on a part of the network from which
the truck cannot return to the depot, is flagged with the reason.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point

from routing.i18n import LANGUAGES, Translator, translator
from routing.network import RoadNetwork, restrict, strongly_connected_to
from routing.profile import TruckProfile

__all__ = [
    "ENDPOINT_TOLERANCE_M",
    "SiteCheck",
    "SnapResult",
    "check_sites",
    "network_bounds",
    "snap_points",
]

log = logging.getLogger(__name__)

#: A point this close (metres along the edge) to an edge's end is put on that end's node.
ENDPOINT_TOLERANCE_M = 0.5
# points this close along one edge share a node
_SAME_PLACE_M = 0.01

EdgeKey = tuple[int, int, int]


@dataclass
class SnapResult:
    """Points placed on the road network.

    Attributes
    ----------
    network
        The network with the snapped points inserted as nodes (``split=True``), else the input.
    points
        Aligned with the input index; columns ``node`` (int, -1 when not snapped), ``u``, ``v``,
        ``key`` (the original edge), ``offset_m`` (along the edge from ``u``), ``snap_m``
        (distance from the input point), ``ok``, ``reason`` and geometry (the snapped point,
        WGS84; None without a location).
    """

    network: RoadNetwork
    points: gpd.GeoDataFrame


def snap_points(
    network: RoadNetwork,
    points: gpd.GeoDataFrame,
    *,
    max_distance_m: float = 250.0,
    split: bool = True,
    anchor_node: int | None = None,
    profile: TruckProfile | None = None,
) -> SnapResult:
    """Snap WGS84 points to the nearest edge of the road network.

    Parameters
    ----------
    network
        The road network (not modified).
    points
        Points in WGS84 (another CRS is converted); empty or missing geometry is flagged.
    max_distance_m
        Points farther than this from every road are flagged "off the road network".
    split
        Insert the points as nodes, cutting their edges (both directions of a two-way street).
        Otherwise only report the edge, and set ``node`` to the edge end nearer along it.
    anchor_node
        A node of the network (e.g. the depot's): points the truck cannot reach from it and
        return from are flagged "unreachable from the depot".
    profile
        Only roads this profile may drive (`routing.network.restrict`) are snapped to and
        count for reaching ``anchor_node``; the points still split ``network`` itself (None:
        every road of the network).

    Returns
    -------
    SnapResult
    """
    _check_inputs(network, max_distance_m, anchor_node)
    if points.crs is not None and not points.crs.equals("EPSG:4326"):
        points = points.to_crs("EPSG:4326")
    own = restrict(network, profile) if profile is not None else network
    if own.graph.number_of_edges() == 0:
        msg = "the profile may drive none of the road network's edges"
        raise ValueError(msg)
    near = _nearest_edges(own, points, max_distance_m)
    _twin_cache(network)
    graph = network.graph
    node = np.full(len(points), -1, dtype=np.int64)
    if split:
        result_network = _split_edges(network, near.u, near.v, near.k, near.offset, near.ok, node)
    else:
        result_network = network
        for j in np.flatnonzero(near.ok):
            length = graph.edges[(near.u[j], near.v[j], near.k[j])]["length"]
            node[j] = near.u[j] if near.offset[j] <= length / 2 else near.v[j]
    if anchor_node is not None:
        reachable = restrict(result_network, profile) if profile else result_network
        reach = strongly_connected_to(reachable, anchor_node)
        for j in np.flatnonzero(near.ok):
            if int(node[j]) not in reach:
                near.ok[j] = False
                near.reason[j] = "unreachable from the depot"
    out = _result_frame(network, points, near, node)
    log.debug(
        "snapped %d of %d points (%d new nodes)",
        int(near.ok.sum()),
        len(points),
        result_network.graph.number_of_nodes() - graph.number_of_nodes(),
    )
    return SnapResult(result_network, out)


def _check_inputs(network: RoadNetwork, max_distance_m: float, anchor_node: int | None) -> None:
    if max_distance_m <= 0 or not math.isfinite(max_distance_m):
        msg = f"max_distance_m must be a positive number of metres, got {max_distance_m!r}"
        raise ValueError(msg)
    if anchor_node is not None and anchor_node not in network.graph:
        msg = f"anchor_node {anchor_node} is not a node of the road network"
        raise ValueError(msg)
    if network.graph.number_of_edges() == 0:
        msg = "the road network has no edges to snap to"
        raise ValueError(msg)


@dataclass
class _Nearest:
    """Each point's nearest edge ``(u, v, k)``, offset along it, distance, and whether usable."""

    u: np.ndarray
    v: np.ndarray
    k: np.ndarray
    offset: np.ndarray
    snap_m: np.ndarray
    ok: np.ndarray
    reason: list[str | None]
    xy: list[tuple[float, float] | None]


def _nearest_edges(
    network: RoadNetwork, points: gpd.GeoDataFrame, max_distance_m: float
) -> _Nearest:
    """The nearest edge of every located point (the snapped position on it, in metres)."""
    graph = network.graph
    edge_keys, tree = _edge_index(network)
    _twin_cache(network)
    n = len(points)
    near = _Nearest(
        u=np.full(n, -1, dtype=np.int64), v=np.full(n, -1, dtype=np.int64),
        k=np.full(n, -1, dtype=np.int64), offset=np.full(n, np.nan), snap_m=np.full(n, np.nan),
        ok=np.zeros(n, dtype=bool), reason=[None] * n, xy=[None] * n,
    )  # fmt: skip
    located = [i for i, g in enumerate(points.geometry) if g is not None and not g.is_empty]
    for i in set(range(n)) - set(located):
        near.reason[i] = "no location"
    if not located:
        return near
    geoms = [points.geometry.iloc[i] for i in located]
    lon = np.array([g.x if isinstance(g, Point) else g.representative_point().x for g in geoms])
    lat = np.array([g.y if isinstance(g, Point) else g.representative_point().y for g in geoms])
    xs, ys = network.from_wgs84(lon, lat)
    query = np.asarray(shapely.points(np.asarray(xs), np.asarray(ys)))
    pairs, dists = tree.query_nearest(query, return_distance=True, all_matches=True)
    candidates: dict[int, list[int]] = defaultdict(list)
    for qi, ei in zip(pairs[0], pairs[1], strict=True):
        candidates[int(qi)].append(int(ei))
    best_dist = dict(zip(pairs[0].tolist(), dists.tolist(), strict=True))
    for qi, i in enumerate(located):
        pt = query[qi]
        edge = _pick_edge(network, [edge_keys[e] for e in candidates[qi]], pt)
        geom = graph.edges[edge]["geometry"]
        along = float(geom.project(pt))
        fraction = along / geom.length if geom.length > 0 else 0.0
        near.u[i], near.v[i], near.k[i] = edge
        near.offset[i] = fraction * graph.edges[edge]["length"]
        near.snap_m[i] = best_dist[qi]
        at = geom.interpolate(along)
        near.xy[i] = (at.x, at.y)
        if near.snap_m[i] > max_distance_m:
            near.reason[i] = f"off the road network ({near.snap_m[i]:.0f} m from the nearest road)"
        else:
            near.ok[i] = True
    return near


def _result_frame(
    network: RoadNetwork, points: gpd.GeoDataFrame, near: _Nearest, node: np.ndarray
) -> gpd.GeoDataFrame:
    """The SnapResult table: one row per input point, geometry the snapped position (WGS84)."""
    geometry: list[Point | None] = [None] * len(points)
    have = [(row, xy) for row, xy in enumerate(near.xy) if xy is not None]
    if have:
        lons, lats = network.to_wgs84(
            np.array([xy[0] for _, xy in have]), np.array([xy[1] for _, xy in have])
        )
        for pos, (row, _) in enumerate(have):
            geometry[row] = Point(float(lons[pos]), float(lats[pos]))
    return gpd.GeoDataFrame(
        {
            "node": node, "u": near.u, "v": near.v, "key": near.k, "offset_m": near.offset,
            "snap_m": near.snap_m, "ok": near.ok,
            "reason": pd.Series(near.reason, dtype=object, index=points.index),
        },
        geometry=geometry,
        crs="EPSG:4326",
        index=points.index,
    )  # fmt: skip


def _edge_index(network: RoadNetwork) -> tuple[list[EdgeKey], shapely.STRtree]:
    """Return the edge keys and an STRtree of their geometries (cached on the network)."""
    graph = network.graph
    stamp = (graph.number_of_nodes(), graph.number_of_edges())
    cached = network._cache.get("edge_tree")
    if cached is None or cached[0] != stamp:
        keys: list[EdgeKey] = []
        geoms: list[LineString] = []
        for u, v, k, geom in graph.edges(keys=True, data="geometry"):
            keys.append((u, v, k))
            geoms.append(geom)
        cached = (stamp, keys, shapely.STRtree(geoms))
        network._cache["edge_tree"] = cached
    return cached[1], cached[2]


def _pick_edge(network: RoadNetwork, candidates: list[EdgeKey], pt: Point) -> EdgeKey:
    """Choose among equally near edges: the one with the point on its right (driving side)."""
    graph = network.graph
    # the twin of a two-way street is equally near, but float noise may hide it from the tree
    pool = set(candidates)
    for edge in candidates:
        twin = _twin(network, edge)
        if twin is not None:
            pool.add(twin)
    if len(pool) == 1:
        return candidates[0]
    scored = []
    for edge in sorted(pool):
        geom = graph.edges[edge]["geometry"]
        along = geom.project(pt)
        a = geom.interpolate(max(along - 0.5, 0.0))
        b = geom.interpolate(min(along + 0.5, geom.length))
        cross = (b.x - a.x) * (pt.y - a.y) - (b.y - a.y) * (pt.x - a.x)
        scored.append((cross > 0, edge))  # cross > 0: point on the left
    return min(scored)[1]


def _twin_cache(network: RoadNetwork) -> dict[EdgeKey, EdgeKey | None]:
    """Return the network's memo of edge twins (reset when the graph changed size)."""
    graph = network.graph
    stamp = (graph.number_of_nodes(), graph.number_of_edges())
    cached = network._cache.get("twins")
    if cached is None or cached[0] != stamp:
        cached = (stamp, {})
        network._cache["twins"] = cached
    return cached[1]


def _twin(network: RoadNetwork, edge: EdgeKey) -> EdgeKey | None:
    """Return the opposite-direction edge of a two-way street (memoised on the network)."""
    graph = network.graph
    twins: dict[EdgeKey, EdgeKey | None] = network._cache["twins"][1]
    if edge not in twins:
        twin = _find_twin(graph, edge)
        twins[edge] = twin
        if twin is not None:
            twins[twin] = edge
    return twins[edge]


def _find_twin(graph: nx.MultiDiGraph, edge: EdgeKey) -> EdgeKey | None:
    """Return the opposite-direction edge of a two-way street (same geometry reversed)."""
    u, v, _ = edge
    if not graph.has_edge(v, u):
        return None
    back = shapely.reverse(graph.edges[edge]["geometry"])
    for k2, data in graph[v][u].items():
        if (v, u, k2) != edge and back.equals_exact(data["geometry"], 1e-6):
            return (v, u, k2)
    return None


def _split_edges(
    network: RoadNetwork,
    u_col: np.ndarray,
    v_col: np.ndarray,
    k_col: np.ndarray,
    offset: np.ndarray,
    ok: np.ndarray,
    node: np.ndarray,
) -> RoadNetwork:
    """Insert the snapped points as nodes of a copy of the network; fill ``node`` in place."""
    graph = network.graph
    # cuts per canonical directed edge, as offsets in metres from its u, in input order
    cuts: dict[EdgeKey, list[tuple[float, int]]] = defaultdict(list)
    twins: dict[EdgeKey, EdgeKey | None] = {}
    for i in np.flatnonzero(ok):
        edge: EdgeKey = (int(u_col[i]), int(v_col[i]), int(k_col[i]))
        twin = twins[edge] = _twin(network, edge)
        length = graph.edges[edge]["length"]
        at = float(offset[i])
        if at <= ENDPOINT_TOLERANCE_M:
            node[i] = edge[0]
        elif at >= length - ENDPOINT_TOLERANCE_M:
            node[i] = edge[1]
        elif twin is not None and twin < edge:
            cuts[twin].append((length - at, int(i)))
        else:
            cuts[edge].append((at, int(i)))
    if not cuts:
        return RoadNetwork(
            graph.copy(), network.crs, network.source, network.synthetic, network.attribution
        )

    new_graph = graph.copy()
    next_id = max(int(n) for n in graph.nodes) + 1
    assigned: dict[EdgeKey, list[tuple[float, int]]] = {}
    # new node ids follow the input order of the points, so the same input gives the same ids
    for edge, items in sorted(cuts.items(), key=lambda kv: min(i for _, i in kv[1])):
        stops: list[tuple[float, int]] = []
        for at, row in sorted(items):
            if stops and at - stops[-1][0] <= _SAME_PLACE_M:
                node[row] = stops[-1][1]
                continue
            stops.append((at, next_id))
            node[row] = next_id
            next_id += 1
        assigned[edge] = stops
    by_input = sorted(assigned.items(), key=lambda kv: min(n for _, n in kv[1]))
    for edge, stops in by_input:
        data = graph.edges[edge]
        geom = data["geometry"]
        for at, new_node in stops:
            pt = geom.interpolate(at / data["length"] * geom.length)
            new_graph.add_node(new_node, x=pt.x, y=pt.y, street_count=2, snapped=True)
        _cut(new_graph, edge, data, stops)
        twin = _twin(network, edge)
        if twin is not None:
            length = data["length"]
            mirrored = [(length - at, new_node) for at, new_node in reversed(stops)]
            _cut(new_graph, twin, graph.edges[twin], mirrored)
    return RoadNetwork(
        new_graph, network.crs, network.source, network.synthetic, network.attribution
    )


def _cut(
    graph: nx.MultiDiGraph,
    edge: EdgeKey,
    data: dict[str, Any],
    stops: list[tuple[float, int]],
) -> None:
    """Replace ``edge`` by a chain through ``stops`` (offsets in metres from its u, sorted).

    Each piece keeps the edge's vertices between its ends and starts and ends exactly on its
    nodes; length and times are shared in proportion to the length along the edge.
    """
    u, v, _ = edge
    length = float(data["length"])
    coords = np.asarray(data["geometry"].coords)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    scale = along[-1] / length if length > 0 else 0.0
    graph.remove_edge(*edge)
    marks = [(0.0, u), *stops, (length, v)]
    for (a, na), (b, nb) in itertools.pairwise(marks):
        share = (b - a) / length if length > 0 else 0.0
        inside = coords[(along > a * scale) & (along < b * scale)]
        ends = [(graph.nodes[x]["x"], graph.nodes[x]["y"]) for x in (na, nb)]
        piece = dict(data)
        piece["geometry"] = LineString(np.vstack([ends[:1], inside, ends[1:]]))
        for attr in ("length", "travel_time", "collect_time"):
            piece[attr] = float(data[attr]) * share
        graph.add_edge(na, nb, **piece)


def network_bounds(network: RoadNetwork) -> tuple[float, float, float, float]:
    """Return ``(west, south, east, north)`` in degrees of the network's nodes."""
    graph = network.graph
    xs = np.fromiter((d["x"] for _, d in graph.nodes(data=True)), float, len(graph))
    ys = np.fromiter((d["y"] for _, d in graph.nodes(data=True)), float, len(graph))
    lon, lat = network.to_wgs84(xs, ys)
    return float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat))


@dataclass(frozen=True)
class SiteCheck:
    """Whether a fixed place (depot, landfill, container) can be used, and if not, why.

    Attributes
    ----------
    label
        What the place is, as the user named it (``"[depot] 'Garage'"``).
    ok
        True when it snapped within the limit onto roads reachable from and to the depot.
    node
        Its graph node in the snapped network (-1 when not ok).
    problem
        One sentence saying what is wrong and how to fix it ("" when ok), in the language asked.
    problems
        The same sentence in every language, ``{"ky": …, "ru": …, "en": …}`` (empty when ok), for
        an error that each reader sees in their own.
    """

    label: str
    ok: bool
    node: int
    problem: str
    problems: Mapping[str, str] = field(default_factory=dict)


def check_sites(
    network: RoadNetwork,
    sites: list[tuple[str, float, float]],
    *,
    max_snap_m: float,
    depot_first: bool = True,
    profile: TruckProfile | None = None,
    language: str = "en",
) -> tuple[RoadNetwork, list[SiteCheck]]:
    """Snap fixed places and say in clear words what is wrong with those that cannot be used.

    Parameters
    ----------
    network
        The road network the trucks may drive.
    sites
        ``(label, lon, lat)`` each; with ``depot_first`` the first is the depot, and every
        other site must be reachable from it and back.
    max_snap_m
        The scenario's ``[network] max_snap_m``.
    depot_first
        Check reachability from the first site.
    profile
        Only roads this profile may drive count (e.g. those every vehicle may drive); None:
        every road of the network.
    language
        The language of the problems (ky, ru or en; catalogue ``taza-cli.po``).

    Returns
    -------
    network, checks
        The network with the usable sites inserted as nodes, and one check per site in order.
        A site outside the data says so with the extract's bounds (lat and lon swapped is
        named when swapping them would fit); one off the roads gets its distance and the advice
        to move it or raise ``max_snap_m``; one on roads cut off from the depot says that.
    """
    points = gpd.GeoDataFrame(
        {"label": [s[0] for s in sites]},
        geometry=[Point(lon, lat) for _, lon, lat in sites],
        crs="EPSG:4326",
    )
    first = snap_points(
        network, points.iloc[:1], max_distance_m=max_snap_m, split=True, profile=profile
    )
    anchor = int(first.points["node"].iloc[0]) if bool(first.points["ok"].iloc[0]) else None
    if not depot_first:
        anchor = None
    rest = first
    if len(points) > 1:
        rest = snap_points(
            first.network, points.iloc[1:], max_distance_m=max_snap_m, split=True,
            anchor_node=anchor, profile=profile,
        )  # fmt: skip
    rows = pd.concat([first.points, rest.points]) if rest is not first else first.points
    bounds = network_bounds(network)
    translator(language)  # refuses a language that is not one of LANGUAGES
    checks = []
    for (label, lon, lat), (_, row) in zip(sites, rows.iterrows(), strict=True):
        problems = {} if bool(row["ok"]) else {
            lang: _site_problem(label, lon, lat, row, bounds, max_snap_m, translator(lang))
            for lang in LANGUAGES
        }  # fmt: skip
        node = int(row["node"]) if bool(row["ok"]) else -1
        problem = problems.get(language, "")
        checks.append(SiteCheck(label, bool(row["ok"]), node, problem, problems))
    return rest.network, checks


def _inside(lon: float, lat: float, bounds: tuple[float, float, float, float]) -> bool:
    west, south, east, north = bounds
    pad_lon, pad_lat = 0.02 * max(east - west, 0.01), 0.02 * max(north - south, 0.01)
    return west - pad_lon <= lon <= east + pad_lon and south - pad_lat <= lat <= north + pad_lat


def _site_problem(
    label: str,
    lon: float,
    lat: float,
    row: pd.Series,
    bounds: tuple[float, float, float, float],
    max_snap_m: float,
    _: Translator,
) -> str:
    west, south, east, north = bounds
    where = _("{label} at lat {lat}, lon {lon}", label=label, lat=f"{lat:.5f}", lon=f"{lon:.5f}")
    if not _inside(lon, lat, bounds):
        swapped = f" ({_('lat and lon look swapped')})" if _inside(lat, lon, bounds) else ""
        return _(
            "{where} lies outside the map data{swapped}: the extract's roads cover lon {west} to {east}, lat {south} to {north}. Correct its coordinates, or use an extract that covers it ([network] source).",
            where=where, swapped=swapped, west=f"{west:.4f}", east=f"{east:.4f}",
            south=f"{south:.4f}", north=f"{north:.4f}",
        )  # fmt: skip
    if str(row["reason"]).startswith("unreachable"):
        return _(
            "{where} is on roads the trucks cannot reach from the depot and come back from (a one-way street, a road they may not use, or a piece of road cut off by the extract's edge). Move it next to a road connected to the depot.",
            where=where,
        )
    snap = float(row["snap_m"]) if pd.notna(row["snap_m"]) else math.nan
    return _(
        "{where} is {metres} m from the nearest road the trucks may use (limit: [network] max_snap_m = {limit}). Move it next to such a road, or raise max_snap_m if the access road is missing from the map.",
        where=where, metres=f"{snap:,.0f}", limit=f"{max_snap_m:g}",
    )  # fmt: skip
