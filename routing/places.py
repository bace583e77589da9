"""Which place a house belongs to, by road, with places of the same name told apart.

Households estimated from buildings used to take the name of the nearest place node in a
straight line: across a ridge or a reservoir that is a village the truck reaches through a
tunnel, and where two places share a name (common: "Кара-Суу", "Neudorf") the houses of
both were planned on one village's days. Here each house goes to the place nearest **along
the roads** (one multi-source Dijkstra over the undirected road graph from every place), and
places of the same name are told apart: each gets the municipality whose administrative
boundary (``boundary=administrative``) holds it, where the extract has boundaries. The one the
scenario means keeps the plain name: the one in the village's ``aiyl_aimak`` when that matches a
boundary, else the one nearest the depot by road. The others are named "<name> (<municipality>)"
(or "<name> (2)"), so the scenario does not serve them by mistake.

A register names its village in words, and a name the map holds twice is told apart the same way
(:class:`SameNamePlaces`): the row's own municipality column picks the place inside that
boundary; without one the place the scenario means (as above) is taken, and a row whose street
is not in it is not placed at a house, never at the other place of that name.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from routing.network import RoadNetwork
from routing.normalize import place_key

__all__ = [
    "PlaceAssignment",
    "SameNamePlaces",
    "assign_places",
    "municipalities",
    "read_boundaries",
    "same_name_places",
    "villages_by_road",
]


def read_boundaries(path: str | Path) -> list[tuple[str, int, BaseGeometry]]:
    """Return the named administrative boundaries of an OSM file: ``(name, admin_level, area)``.

    Areas are WGS84 (multi)polygons assembled by osmium from closed ways and multipolygon
    relations; a boundary cut by the extract's edge cannot be assembled and is left out.
    """
    import osmium
    from osmium.geom import WKBFactory

    factory = WKBFactory()
    out: list[tuple[str, int, BaseGeometry]] = []
    for obj in osmium.FileProcessor(str(path)).with_areas():
        if not isinstance(obj, osmium.osm.Area):
            continue
        if obj.tags.get("boundary") != "administrative" or not obj.tags.get("name"):
            continue
        try:
            level = int(obj.tags.get("admin_level") or "99")
            geom = shapely.from_wkb(factory.create_multipolygon(obj))
        except (RuntimeError, ValueError):
            continue
        out.append((obj.tags["name"], level, geom))
    return out


def municipalities(
    places: Sequence[tuple[str, str, float, float]],
    boundaries: Sequence[tuple[str, int, BaseGeometry]],
    network: RoadNetwork,
) -> list[str]:
    """The most local boundary holding each place ("" where none does).

    ``places`` are ``RoadNetwork.places`` (projected); boundaries as `read_boundaries` gives them.
    """
    if not places or not boundaries:
        return [""] * len(places)
    lon, lat = network.to_wgs84([p[2] for p in places], [p[3] for p in places])
    out = []
    for x, y in zip(lon, lat, strict=True):
        point = shapely.Point(float(x), float(y))
        holding = [(level, name) for name, level, geom in boundaries if geom.contains(point)]
        # the highest admin_level is the most local; a place's own boundary has its name
        out.append(max(holding)[1] if holding else "")
    return out


@dataclass(frozen=True)
class PlaceAssignment:
    """Where each household belongs.

    Attributes
    ----------
    villages
        The place name per household, in input order (same-name places told apart; the
        nearest in a straight line where no place is reachable by road).
    renamed
        ``{new name: why}`` for each place renamed because another of its name is meant.
    """

    villages: list[str]
    renamed: Mapping[str, str]


def assign_places(
    xy: np.ndarray,
    network: RoadNetwork,
    *,
    meant: Mapping[str, str] | None = None,
    place_municipality: Sequence[str] | None = None,
    depot_node: int | None = None,
) -> PlaceAssignment:
    """Give each position the place nearest by road, same-name places told apart.

    Parameters
    ----------
    xy
        ``(n, 2)`` projected positions (the network's CRS) of the households.
    network
        The road network with its ``places``.
    meant
        ``{village name: aiyl_aimak}`` of the scenario: which municipality a name means.
    place_municipality
        The municipality of each of ``network.places`` (`municipalities`), else none known.
    depot_node
        Where distances to tell same-name places apart are measured from, when boundaries do not.

    Returns
    -------
    PlaceAssignment
    """
    places = list(network.places)
    if not places or not len(xy):
        return PlaceAssignment([""] * len(xy), {})
    graph = network.graph
    nodes = list(graph.nodes)
    pos = {n: i for i, n in enumerate(nodes)}
    coords = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in nodes])
    tree = cKDTree(coords)
    _, place_at = tree.query(np.array([(p[2], p[3]) for p in places]))
    _, house_at = tree.query(np.asarray(xy, dtype=float))
    csr = _undirected_lengths(network, pos)
    _, _, origin = dijkstra(
        csr, directed=False, indices=np.unique(place_at), min_only=True, return_predecessors=True
    )
    place_of_node = {int(n): i for i, n in reversed(list(enumerate(place_at)))}
    names, renamed = _told_apart(
        places, place_at, csr, meant or {}, place_municipality, pos, depot_node
    )
    # a house on a piece of road joined to no place: the nearest place in a straight line
    _, straight = cKDTree(np.array([(p[2], p[3]) for p in places])).query(np.asarray(xy, float))
    villages = []
    for h, s in zip(house_at, straight, strict=True):
        o = int(origin[int(h)])
        villages.append(names[place_of_node[o]] if o >= 0 else names[int(s)])
    return PlaceAssignment(villages, renamed)


def _undirected_lengths(network: RoadNetwork, pos: Mapping[int, int]) -> sp.csr_matrix:
    rows, cols, lengths = [], [], []
    for u, v, data in network.graph.edges(data=True):
        rows.append(pos[u])
        cols.append(pos[v])
        lengths.append(max(float(data["length"]), 1e-3))
    n = len(pos)
    return sp.coo_matrix((lengths, (rows, cols)), shape=(n, n)).tocsr()


def _told_apart(
    places: Sequence[tuple[str, str, float, float]],
    place_at: np.ndarray,
    csr: sp.csr_matrix,
    meant: Mapping[str, str],
    place_municipality: Sequence[str] | None,
    pos: Mapping[int, int],
    depot_node: int | None,
) -> tuple[list[str], dict[str, str]]:
    """The name each place goes by: same-name places other than the one meant get a suffix."""
    names = [p[0] for p in places]
    towns = list(place_municipality or [""] * len(places))
    groups: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        groups[place_key(name)].append(i)
    meant_key = {place_key(k): place_key(v) for k, v in meant.items() if v}
    from_depot = None
    if depot_node is not None and depot_node in pos:
        from_depot = dijkstra(csr, directed=False, indices=pos[depot_node])
    renamed: dict[str, str] = {}
    for key, members in groups.items():
        if len(members) < 2:
            continue
        want = meant_key.get(key, "")
        by_town = [i for i in members if want and want in place_key(towns[i])]
        if len(by_town) == 1:
            home, why = by_town[0], f"not in {meant[names[by_town[0]]]!r}"
        else:
            dist = [
                from_depot[int(place_at[i])] if from_depot is not None else math.inf
                for i in members
            ]
            home, why = members[int(np.argmin(dist))], "farther by road from the depot"
        for k, i in enumerate(m for m in members if m != home):
            suffix = towns[i] if towns[i] and towns[i] != towns[home] else str(k + 2)
            names[i] = f"{names[i]} ({suffix})"
            renamed[names[i]] = f"another place named {places[home][0]!r}: this one is {why}"
    return names, renamed


def villages_by_road(
    households: gpd.GeoDataFrame,
    network: RoadNetwork,
    *,
    osm_path: str | Path,
    meant: Mapping[str, str],
    depot_lonlat: tuple[float, float],
) -> tuple[list[str], dict[str, str]]:
    """The village of each household (WGS84 points) by road, same-name places told apart.

    Reads the administrative boundaries of ``osm_path`` (when it is a file) for the places'
    municipalities, and measures from the road node nearest the depot otherwise; see
    `assign_places`. Households without a position keep their ``village``.
    """
    have = households.geometry.notna().to_numpy()
    villages = [v if isinstance(v, str) else "" for v in households["village"]]
    if not have.any() or not network.places:
        return villages, {}
    path = Path(osm_path)
    towns = None
    if path.is_file():
        towns = municipalities(network.places, read_boundaries(path), network)
    x, y = network.from_wgs84(
        households.geometry.x.to_numpy()[have], households.geometry.y.to_numpy()[have]
    )
    dx, dy = network.from_wgs84(*depot_lonlat)
    nodes = list(network.graph.nodes)
    coords = np.array([(network.graph.nodes[n]["x"], network.graph.nodes[n]["y"]) for n in nodes])
    depot_node = nodes[int(cKDTree(coords).query((float(dx), float(dy)))[1])]
    got = assign_places(
        np.column_stack([x, y]),
        network,
        meant=meant,
        place_municipality=towns,
        depot_node=depot_node,
    )
    for i, name in zip(np.flatnonzero(have), got.villages, strict=True):
        villages[int(i)] = name
    return villages, dict(got.renamed)


@dataclass(frozen=True)
class SameNamePlaces:
    """Places that share a name, each with the name it goes by and its municipality.

    Attributes
    ----------
    goes_by
        Place label (as the gazetteer writes it) -> the name it goes by: the plain name for
        the place the scenario means, "<name> (<municipality>)" (or "(2)") for the others.
    town
        Place label -> the municipality whose boundary holds it ("" where none is known).
    renamed
        ``{name it goes by: why}`` for each place not meant.
    meant
        ``{village name: aiyl_aimak}`` of the scenario (compared by `place_key`).
    """

    goes_by: Mapping[str, str]
    town: Mapping[str, str]
    renamed: Mapping[str, str]
    meant: Mapping[str, str] = field(default_factory=dict)

    def choose(self, labels: Sequence[str], municipality: str | None) -> str | None:
        """The place a register row means among ``labels`` (places of one name): the one in
        the row's ``municipality`` where boundaries tell; without a municipality the one the
        scenario means; None when it cannot be told (the row stays unplaced, "ambiguous")."""
        if not labels or any(lb not in self.goes_by for lb in labels):
            return None
        home = [lb for lb in labels if self.goes_by[lb] not in self.renamed]
        if not municipality:
            return home[0] if len(home) == 1 else None
        want = place_key(municipality)
        inside = [lb for lb in labels if self.town[lb] and want in place_key(self.town[lb])]
        if len(inside) == 1 or any(self.town[lb] for lb in labels):
            return inside[0] if len(inside) == 1 else None
        # no boundaries: the scenario's municipality for the name tells home from the other
        name = place_key(self.goes_by[home[0]]) if len(home) == 1 else ""
        meant = {place_key(k): place_key(v) for k, v in self.meant.items() if v}
        if name in meant and meant[name] == want:
            return home[0]
        others = [lb for lb in labels if lb not in home]
        return others[0] if name in meant and len(others) == 1 else None


def same_name_places(
    places: Sequence[tuple[str, str, float, float]],
    network: RoadNetwork,
    *,
    osm_path: str | Path,
    meant: Mapping[str, str],
    depot_lonlat: tuple[float, float],
) -> SameNamePlaces:
    """Tell apart places of the same name as `villages_by_road` does for estimated households.

    Parameters
    ----------
    places
        ``(label, name, lon, lat)`` of a gazetteer's places (the label is unique, the name
        may repeat); only those whose name repeats are told apart.
    network
        The road network (distances from the depot where no boundary tells).
    osm_path
        The extract, read for its administrative boundaries.
    meant
        ``{village name: aiyl_aimak}`` of the scenario.
    depot_lonlat
        The depot (WGS84).

    Returns
    -------
    SameNamePlaces
    """
    counts: dict[str, int] = defaultdict(int)
    for _, name, _, _ in places:
        counts[place_key(name)] += 1
    twice = [p for p in places if counts[place_key(p[1])] > 1]
    if not twice or not network.graph.number_of_nodes():
        return SameNamePlaces({}, {}, {}, dict(meant))
    xs, ys = network.from_wgs84([p[2] for p in twice], [p[3] for p in twice])
    projected = [(p[1], "", float(x), float(y)) for p, x, y in zip(twice, xs, ys, strict=True)]
    path = Path(osm_path)
    towns = municipalities(projected, read_boundaries(path), network) if path.is_file() else None
    nodes = list(network.graph.nodes)
    pos = {n: i for i, n in enumerate(nodes)}
    tree = cKDTree(
        np.array([(network.graph.nodes[n]["x"], network.graph.nodes[n]["y"]) for n in nodes])
    )
    _, place_at = tree.query(np.array([(p[2], p[3]) for p in projected]))
    depot_node = nodes[int(tree.query(network.from_wgs84(*depot_lonlat))[1])]
    names, renamed = _told_apart(
        projected, place_at, _undirected_lengths(network, pos), meant, towns, pos, depot_node
    )
    labels = [p[0] for p in twice]
    town = dict(zip(labels, towns or [""] * len(labels), strict=True))
    return SameNamePlaces(dict(zip(labels, names, strict=True)), town, renamed, dict(meant))
