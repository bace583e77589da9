"""Collection points and their demand: households grouped along street segments, and containers.

Door-to-door collection serves a street segment (one edge of the road graph) in one pass: the truck
drives it at collection speed and stops for each household. Village lanes are served from both sides in
one pass; on main roads (``main_road_highways``) each side is its own collection point, served in the
direction whose right-hand side it is (traffic drives on the right), so the crew never crosses the
road. A one-way main road is one pass with both sides (it cannot be driven back). Communal containers
are point clients with demand from their volume and fill rate.

Collection speed applies only where the houses are: from the first to the last house along the
segment (their snapped offsets); the rest of it is driven at driving speed (`collect_seconds`).
A lone house at the end of a 2 km road costs its stop and 2 km of driving, not 2 km at walking
pace (on the north-Bayreuth extract that was a 24-minute stop; figures in BENCHMARKS.md).
An unnamed street gets a description (`routing.names.road_name`) in the scenario's language.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import LineString, Point

from routing.names import road_name
from routing.normalize import parse_house

__all__ = ["COLLECTION_POINT_COLUMNS", "collect_seconds", "collection_points"]

COLLECTION_POINT_COLUMNS = (
    "point_id", "kind", "village", "street", "label", "households", "household_ids", "members",
    "demand_kg", "demand_m3", "service_s", "collect_s", "collect_m", "frequency", "days", "node", "u", "v", "key",
    "length_m", "reversible", "sides", "overflow_kg", "geometry",
)  # fmt: skip

# Households closer than this to the street's centre line cannot be given a side.
_SIDE_TOLERANCE_M = 0.01


def _highways(value: Any) -> set[str]:
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)} if value is not None else set()


def _edge_line(graph: nx.MultiDiGraph, u: int, v: int, data: dict[str, Any]) -> LineString:
    geom = data.get("geometry")
    if isinstance(geom, LineString):
        return geom
    nu, nv = graph.nodes[u], graph.nodes[v]
    return LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])


def _find_edge(
    graph: nx.MultiDiGraph, u: int, v: int, key: int
) -> tuple[int, int, int, dict[str, Any]]:
    if graph.has_edge(u, v, key):
        return u, v, key, graph.edges[u, v, key]
    if graph.has_edge(v, u, key):
        return v, u, key, graph.edges[v, u, key]
    msg = (
        f"edge ({u}, {v}, {key}) is not in the graph: pass the road graph the households were "
        "snapped to, before snapped points were inserted"
    )
    raise ValueError(msg)


def _has_reverse(graph: nx.MultiDiGraph, u: int, v: int, line: LineString) -> bool:
    """Whether the edge can be driven v -> u (a reverse edge with the same course)."""
    if not graph.has_edge(v, u):
        return False
    for _, data in graph.get_edge_data(v, u).items():
        rev = _edge_line(graph, v, u, data)
        if abs(rev.length - line.length) <= max(1.0, 0.02 * line.length):
            return True
    return False


def _house_sort_key(h: str) -> tuple[int, str]:
    m = re.match(r"\d+", h)
    return (int(m.group(0)) if m else 10**9, h)


def _label(street: str, houses: Iterable[Any]) -> str:
    # House numbers as typed ("д. 5", "№8") are shown in their normal form ("5", "8").
    nums = sorted(
        {parse_house(str(h)).key for h in houses if isinstance(h, str | int) and str(h).strip()}
        - {""}
    )
    nums.sort(key=_house_sort_key)
    if not nums:
        return street
    span = nums[0] if len(nums) == 1 else f"{nums[0]}–{nums[-1]}"
    return f"{street} {span}".strip()


def _mode(values: Sequence[Any]) -> Any:
    """Most frequent non-empty string (the first seen among equals), or None."""
    counts = Counter(v for v in values if isinstance(v, str) and v)
    return counts.most_common(1)[0][0] if counts else None


@dataclass
class _Columns:
    """The household columns the grouping needs, as plain sequences (fast positional access)."""

    ids: list[str]
    members: np.ndarray
    houses: list[Any]
    streets: list[Any]
    villages: list[Any]
    xs: np.ndarray
    ys: np.ndarray
    offsets: np.ndarray  # from the snapped edge's u (m)
    along: np.ndarray  # from the forward edge's u (m), set while grouping


def collection_points(
    households: gpd.GeoDataFrame,
    graph: nx.MultiDiGraph,
    *,
    kg_per_person_day: float,
    bulk_density_kg_m3: float,
    days_between: float,
    service_s_per_household: float,
    containers: gpd.GeoDataFrame | None = None,
    container_density_kg_m3: float | None = None,
    service_s_per_container: float = 60.0,
    main_road_highways: Sequence[str] = ("primary", "secondary", "trunk", "tertiary"),
    to_containers: bool | Collection[str] = False,
    max_container_distance_m: float = 300.0,
    language: str = "en",
) -> gpd.GeoDataFrame:
    """Group located households into street-segment collection points and add containers.

    Parameters
    ----------
    households
        Located households (rows with ``ok`` false are ignored) with the snapping columns ``u``, ``v``,
        ``key`` (the street edge), ``offset_m`` (from ``u``: where along the edge the house is) and
        ``node``; geometry: the household's own position (WGS84), used to tell the side of a main
        road. Columns ``members``, ``household_id`` and, when present,
        ``matched_street``/``street``, ``matched_village``/``village``, ``house``.
    graph
        The projected road graph (edge attributes ``length``, ``travel_time``, ``collect_time``,
        ``name``, ``highway``, ``oneway``, optional ``geometry``) the households were snapped to.
    kg_per_person_day, bulk_density_kg_m3, days_between
        Waste generated per person per day (kg), its bulk density in the truck (kg/m³) and the days
        between two collections: demand per visit = members × kg/person/day × days_between.
    service_s_per_household
        Stop time per household (seconds), added to the segment's driving time ``collect_s``.
    containers
        Communal containers (``read_containers`` output) with a snapped ``node`` column.
    container_density_kg_m3
        Density of waste in a container (kg/m³); default ``bulk_density_kg_m3``.
    service_s_per_container
        Time to empty one container (seconds).
    main_road_highways
        Highway values whose sides are collected separately.
    to_containers
        Households that bring their waste to the nearest container instead of door-to-door
        collection: True for all, or the names of the villages served so. A household farther than
        ``max_container_distance_m`` (straight line) from every container stays door-to-door.
        A container with households gets their waste as its demand (members × kg/person/day ×
        days_between); ``overflow_kg`` says how much of it exceeds the containers' volume. A
        container without households gets volume × count × fill rate.
    max_container_distance_m
        Farthest a household is expected to walk to a container (metres).
    language
        Language of the description of an unnamed road (`routing.names.road_name`).

    Returns
    -------
    geopandas.GeoDataFrame
        The CollectionPoints columns of docs/ARCHITECTURE.md plus ``collect_s`` (seconds to drive
        the segment: collection speed from the first to the last house, ``collect_m`` metres,
        driving speed over the rest), ``key`` and ``overflow_kg`` (containers: waste beyond their
        volume; 0 for segments); LineString (segments, in the forward direction) or
        Point (containers) geometry in WGS84.
    """
    _check_rates(kg_per_person_day, bulk_density_kg_m3, days_between, service_s_per_household)
    crs = graph.graph.get("crs")
    if crs is None:
        msg = "graph.graph['crs'] is missing: collection points need the projected road graph"
        raise ValueError(msg)
    cols, hh = _columns(households, crs)
    usable = None
    if containers is not None and len(containers):
        if "node" not in containers.columns:
            msg = "containers: column 'node' is missing (snap them with routing.snapping)"
            raise ValueError(msg)
        usable = containers[containers["node"].astype("int64") >= 0]
    at_container = _assign_to_containers(cols, usable, crs, to_containers, max_container_distance_m)
    groups, edge_of = _group_by_edge(graph, hh, cols, at_container)
    rates = _Rates(
        kg_per_person=kg_per_person_day * days_between,
        density=bulk_density_kg_m3,
        service_s=service_s_per_household,
        to_wgs=Transformer.from_crs(crs, 4326, always_xy=True),
        language=language,
    )
    rows: list[dict[str, Any]] = []
    for gk in sorted(groups):
        rows.extend(_edge_points(graph, cols, groups[gk], edge_of[gk], rates, main_road_highways))
    if usable is not None and len(usable):
        rows.extend(
            _container_rows(
                usable,
                cols,
                at_container,
                kg_per_person_day=kg_per_person_day,
                days_between=days_between,
                density=container_density_kg_m3 or bulk_density_kg_m3,
                service_s_per_container=service_s_per_container,
            )
        )
    return _frame(rows)


@dataclass(frozen=True)
class _Rates:
    """What turns a group of households into a point: demand, service, language, projection."""

    kg_per_person: float
    density: float
    service_s: float
    to_wgs: Transformer
    language: str


def _check_rates(kg_pp_day: float, density: float, days_between: float, service_s: float) -> None:
    for name, value in (
        ("kg_per_person_day", kg_pp_day),
        ("bulk_density_kg_m3", density),
        ("days_between", days_between),
    ):
        if not (value > 0 and math.isfinite(value)):
            msg = f"{name}: must be a positive number, got {value!r}"
            raise ValueError(msg)
    if service_s < 0:
        msg = f"service_s_per_household: must be >= 0, got {service_s!r}"
        raise ValueError(msg)


def _columns(households: gpd.GeoDataFrame, crs: Any) -> tuple[_Columns, gpd.GeoDataFrame]:
    """The located, snapped households and their columns as plain sequences."""
    hh = households
    if "ok" in hh.columns:
        hh = hh[hh["ok"].astype(bool)]
    if len(hh):
        for col in ("u", "v", "key", "members", "household_id"):
            if col not in hh.columns:
                msg = f"households: column {col!r} is missing (snap them with routing.snapping)"
                raise ValueError(msg)
        hh = hh[(hh["u"].notna()) & (hh["v"].notna())]
        if "node" in hh.columns:
            hh = hh[hh["node"].astype("int64") >= 0]
    pts_proj = hh.geometry.to_crs(crs) if len(hh) else gpd.GeoSeries([], crs=crs)
    street_col = "matched_street" if "matched_street" in hh.columns else "street"
    village_col = "matched_village" if "matched_village" in hh.columns else "village"
    n = len(hh)
    offsets = hh["offset_m"].to_numpy(dtype=float) if "offset_m" in hh.columns else np.zeros(n)
    cols = _Columns(
        ids=[str(h) for h in hh["household_id"]],
        members=hh["members"].to_numpy(dtype="int64") if n else np.zeros(0, "int64"),
        houses=hh["house"].tolist() if "house" in hh.columns else [None] * n,
        streets=hh[street_col].tolist() if street_col in hh.columns else [None] * n,
        villages=hh[village_col].tolist() if village_col in hh.columns else [None] * n,
        xs=pts_proj.x.to_numpy() if n else np.zeros(0),
        ys=pts_proj.y.to_numpy() if n else np.zeros(0),
        offsets=np.nan_to_num(offsets, nan=0.0),
        along=np.zeros(n),
    )
    return cols, hh


_EdgeRef = tuple[int, int, int, dict[str, Any]]


def _group_by_edge(
    graph: nx.MultiDiGraph, hh: gpd.GeoDataFrame, cols: _Columns, at_container: dict[int, int]
) -> tuple[dict[tuple[int, int, int], list[int]], dict[tuple[int, int, int], _EdgeRef]]:
    """Households by street (both directions of a two-way street are one), with their forward
    edge; sets ``cols.along``: each household's distance from the forward edge's start."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    edge_of: dict[tuple[int, int, int], _EdgeRef] = {}
    ukeys = zip(
        hh["u"].astype("int64"), hh["v"].astype("int64"), hh["key"].astype("int64"), strict=True
    )
    for pos, (u, v, k) in enumerate(ukeys):
        if pos in at_container:
            continue
        fu, fv, fk, data = _find_edge(graph, int(u), int(v), int(k))
        gk = (min(fu, fv), max(fu, fv), fk)
        if gk not in edge_of:
            # Forward is the direction from the smaller node id when it can be driven (stable ids).
            if (fu, fv) != gk[:2] and graph.has_edge(gk[0], gk[1], fk):
                fu, fv, data = gk[0], gk[1], graph.edges[gk[0], gk[1], fk]
            edge_of[gk] = (fu, fv, fk, data)
        length = float(edge_of[gk][3].get("length", 0.0))
        offset = min(max(float(cols.offsets[pos]), 0.0), length)
        # the snapped edge may run the other way than the forward one
        cols.along[pos] = offset if int(u) == edge_of[gk][0] else length - offset
        groups.setdefault(gk, []).append(pos)
    return groups, edge_of


def _edge_points(
    graph: nx.MultiDiGraph,
    cols: _Columns,
    members_pos: list[int],
    edge: _EdgeRef,
    rates: _Rates,
    main_road_highways: Sequence[str],
) -> list[dict[str, Any]]:
    """The collection point(s) of one street edge: one, or one per side of a main road."""
    fu, fv, fk, data = edge
    line = _edge_line(graph, fu, fv, data)
    oneway = bool(data.get("oneway", False))
    reversible = not oneway and _has_reverse(graph, fu, fv, line)
    street = _mode([cols.streets[p] for p in members_pos]) or road_name(
        data, language=rates.language
    )
    village = _mode([cols.villages[p] for p in members_pos])
    is_main = bool(_highways(data.get("highway")) & set(main_road_highways))
    base = f"seg-{fu}-{fv}-{fk}"
    if not (is_main and reversible):
        seg = _Segment(fu, fv, fk, data, line, street, village, reversible, "both", base)
        return [_segment_row(cols, members_pos, seg, rates)]
    right, left = _split_sides(cols, members_pos, line)
    rows = []
    for ps, a, b, ln, tag in ((right, fu, fv, line, "r"), (left, fv, fu, _reverse(line), "l")):
        if ps:
            seg = _Segment(a, b, fk, data, ln, street, village, False, "one", f"{base}-{tag}")
            rows.append(_segment_row(cols, ps, seg, rates))
    return rows


def _split_sides(cols: _Columns, positions: list[int], line: LineString) -> tuple[list[int], ...]:
    """Households on the right and on the left of a line (served driving its way / the other)."""
    right: list[int] = []
    left: list[int] = []
    for p in positions:
        pt = Point(cols.xs[p], cols.ys[p])
        d = line.project(pt)
        a = line.interpolate(max(d - 1.0, 0.0))
        b = line.interpolate(min(d + 1.0, line.length))
        q = line.interpolate(d)
        cross = (b.x - a.x) * (pt.y - q.y) - (b.y - a.y) * (pt.x - q.x)
        # cross < 0: the household is on the right of u -> v (served driving u -> v).
        (left if cross > _SIDE_TOLERANCE_M else right).append(p)
    return right, left


def _container_rows(
    usable: gpd.GeoDataFrame,
    cols: _Columns,
    at_container: dict[int, int],
    *,
    kg_per_person_day: float,
    days_between: float,
    density: float,
    service_s_per_container: float,
) -> list[dict[str, Any]]:
    """One point per communal container: its users' waste, or its volume × fill rate."""
    c4326 = usable.to_crs(4326) if usable.crs is not None else usable
    users: dict[int, list[int]] = {}
    for pos, ci in at_container.items():
        users.setdefault(ci, []).append(pos)
    rows = []
    for i, rec in enumerate(c4326.to_dict("records")):
        node = int(rec["node"])
        count = int(rec.get("count", 1) or 1)
        volume = float(rec["volume_m3"]) * count
        mine = users.get(i, [])
        members = int(cols.members[mine].sum()) if mine else 0
        if mine:
            kg = members * kg_per_person_day * days_between
            m3 = kg / density
            overflow = max(0.0, kg - volume * density)
        else:
            m3 = volume * float(rec.get("fill_rate", 1.0) or 1.0)
            kg = m3 * density
            overflow = 0.0
        cpw = rec.get("collections_per_week")
        freq = int(cpw) if cpw is not None and not pd.isna(cpw) else 1
        rows.append(
            {
                "point_id": f"ctr-{i + 1}", "kind": "container", "village": rec.get("village"),
                "street": None, "label": str(rec.get("name") or f"container {i + 1}"),
                "households": len(mine), "household_ids": tuple(cols.ids[p] for p in mine),
                "members": members, "demand_kg": kg, "demand_m3": m3,
                "service_s": count * service_s_per_container, "collect_s": 0.0,
                "collect_m": 0.0, "frequency": freq, "days": (), "node": node, "u": node,
                "v": node, "key": 0, "length_m": 0.0, "reversible": True, "sides": "both",
                "overflow_kg": overflow, "geometry": rec["geometry"],
            }
        )  # fmt: skip
    return rows


def _frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(rows, columns=list(COLLECTION_POINT_COLUMNS), geometry="geometry")
    out = out.set_crs(4326, allow_override=True)
    for col in ("households", "members", "frequency", "node", "u", "v", "key"):
        out[col] = out[col].astype("int64")
    for col in (
        "demand_kg", "demand_m3", "service_s", "collect_s", "collect_m", "length_m", "overflow_kg",
    ):  # fmt: skip
        out[col] = out[col].astype("float64")
    out["reversible"] = out["reversible"].astype(bool)
    return out


def _assign_to_containers(
    cols: _Columns,
    containers: gpd.GeoDataFrame | None,
    crs: Any,
    which: bool | Collection[str],
    max_distance_m: float,
) -> dict[int, int]:
    """Household position -> container position, for households served at a container."""
    if containers is None or not len(containers) or which is False or not len(cols.ids):
        return {}
    villages = None if which is True else set(which)  # type: ignore[arg-type]
    cxy = containers.geometry.to_crs(crs)
    cx, cy = cxy.x.to_numpy(), cxy.y.to_numpy()
    out: dict[int, int] = {}
    for p in range(len(cols.ids)):
        if villages is not None and cols.villages[p] not in villages:
            continue
        d = np.hypot(cx - cols.xs[p], cy - cols.ys[p])
        j = int(np.argmin(d))
        if d[j] <= max_distance_m:
            out[p] = j
    return out


def _to_wgs84(line: LineString, to_wgs: Transformer) -> LineString:
    xy = np.asarray(line.coords)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
    return LineString(np.column_stack([lon, lat]))


def _reverse(line: LineString) -> LineString:
    return LineString(list(line.coords)[::-1])


@dataclass(frozen=True)
class _Segment:
    """One collection point's edge, driven ``u -> v``, and what it is called."""

    u: int
    v: int
    key: int
    data: dict[str, Any]
    line: LineString
    street: str
    village: Any
    reversible: bool
    sides: str
    point_id: str


def collect_seconds(data: Mapping[str, Any], stretch_m: float) -> float:
    """Seconds to drive an edge collecting over ``stretch_m`` of it and driving the rest.

    Parameters
    ----------
    data
        The edge's attributes ``length`` (m), ``travel_time`` and ``collect_time`` (s).
    stretch_m
        Metres from the first to the last house along the edge (0 for a lone house).

    Returns
    -------
    seconds
        ``collect_time`` × share + ``travel_time`` × (1 - share), share = stretch / length:
        a lone house on a long road no longer makes the truck crawl the whole road.
    """
    length = float(data.get("length", 0.0) or 0.0)
    collect = float(data.get("collect_time", data.get("travel_time", 0.0)) or 0.0)
    travel = float(data.get("travel_time", collect) or 0.0)
    if length <= 0:
        return collect
    share = min(max(stretch_m / length, 0.0), 1.0)
    return collect * share + travel * (1.0 - share)


def _segment_row(
    cols: _Columns, positions: list[int], seg: _Segment, rates: _Rates
) -> dict[str, Any]:
    members = int(cols.members[positions].sum())
    kg = members * rates.kg_per_person
    houses = [cols.houses[p] for p in positions]
    along = cols.along[positions]
    stretch = float(along.max() - along.min()) if len(positions) else 0.0
    return {
        "point_id": seg.point_id,
        "kind": "segment",
        "village": seg.village,
        "street": seg.street or None,
        "label": _label(seg.street, houses),
        "households": len(positions),
        "household_ids": tuple(cols.ids[p] for p in positions),
        "members": members,
        "demand_kg": kg,
        "demand_m3": kg / rates.density,
        "service_s": len(positions) * rates.service_s,
        "collect_s": collect_seconds(seg.data, stretch),
        "collect_m": stretch,
        "frequency": 1,
        "days": (),
        "node": -1,
        "u": int(seg.u),
        "v": int(seg.v),
        "key": int(seg.key),
        "length_m": float(seg.data.get("length", seg.line.length)),
        "reversible": seg.reversible,
        "sides": seg.sides,
        "overflow_kg": 0.0,
        "geometry": _to_wgs84(seg.line, rates.to_wgs),
    }
