"""A small, fully known :class:`~routing.plan.Plan` built by hand, for the writers' tests and benchmark.

The street grid sits near Toktogul (UTM 43N, metres), has Kyrgyz street names with ң ө ү, two villages,
a depot at one corner and a landfill at another. Each vehicle-day snakes along the east-west streets,
collecting every block it drives, goes to the landfill whenever its load passes a threshold and always
before returning to the depot. Everything the writers read is filled in as the pipeline would.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
from pyproj import Transformer
from shapely.geometry import LineString, Point

from routing.i18n import day_date
from routing.network import RoadNetwork
from routing.plan import Plan, Stop, VehicleDay
from routing.scenario import Scenario, load_scenario

CRS = "EPSG:32643"
ORIGIN_LONLAT = (72.94, 41.87)
SPACING_M = 110.0
EW_STREETS = (
    "Манас көчөсү",
    "Жеңиш көчөсү",
    "Өзгөрүү көчөсү",
    "Түштүк көчөсү",
    "Ынтымак көчөсү",
    "Үмүт көчөсү",
    "Көк-Жар көчөсү",
    "Эркиндик көчөсү",
    "Токтогул көчөсү",
    "Ысык-Көл көчөсү",
    "Чүй көчөсү",
    "Бүркүт көчөсү",
    "Аң-Суу көчөсү",
    "Ордо көчөсү",
)
NS_STREETS = ("Мектеп көчөсү", "Бакча көчөсү", "Суу-Башы көчөсү", "")
VILLAGES = ("Терек-Суу", "Үч-Терек")
DRIVERS = ("Асан Үсөнов", "Бакыт Өмүров", "Нурлан Жээнбеков")


def _scenario(language: str, synthetic: bool, vehicles: int) -> Scenario:
    tmp = Path(tempfile.mkdtemp(prefix="taza-plan-"))
    (tmp / "streets.osm").write_text("<osm/>", encoding="utf-8")
    fleet = "".join(
        f"""
[[vehicle]]
name = "Трактор {i + 1}"
kind = "tractor"
capacity_kg = 2500
capacity_m3 = 8
driver = "{DRIVERS[i % len(DRIVERS)]}"
shift_start = "07:30"
shift_end = "17:00"
"""
        for i in range(vehicles)
    )
    text = f"""
[scenario]
name = "Тест айыл өкмөтү"
language = "{language}"
week_start = 2026-11-30

[network]
source = "streets.osm"
synthetic = {"true" if synthetic else "false"}

[waste]
kg_per_person_day = 0.5
bulk_density_kg_m3 = 200

[depot]
name = "Гараж, Терек-Суу"
lat = {ORIGIN_LONLAT[1]}
lon = {ORIGIN_LONLAT[0]}

[[landfill]]
name = "Полигон Үч-Терек"
lat = 41.88
lon = 72.95
{fleet}
[[village]]
name = "{VILLAGES[0]}"
days = ["mon", "tue", "wed", "thu", "fri"]

[[village]]
name = "{VILLAGES[1]}"
days = ["mon", "tue", "wed", "thu", "fri"]
"""
    path = tmp / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    try:
        return load_scenario(path)
    finally:
        # the writers never read the scenario's files again
        shutil.rmtree(tmp, ignore_errors=True)


def _grid(rows: int, cols: int) -> nx.MultiDiGraph:
    to_utm = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    x0, y0 = to_utm.transform(*ORIGIN_LONLAT)
    graph = nx.MultiDiGraph(crs=CRS)
    for r in range(rows):
        for c in range(cols):
            # a gentle skew so that streets are not all exactly straight
            graph.add_node(
                r * cols + c,
                x=x0 + c * SPACING_M + 7.0 * (r % 3),
                y=y0 + r * SPACING_M + 5.0 * (c % 2),
            )

    def add(u: int, v: int, name: str, highway: str) -> None:
        a, b = graph.nodes[u], graph.nodes[v]
        length = ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5
        for s, t in ((u, v), (v, u)):
            graph.add_edge(
                s,
                t,
                length=length,
                travel_time=length / 8.0,
                collect_time=length / 1.5,
                name=name,
                highway=highway,
                oneway=False,
            )

    for r in range(rows):
        for c in range(cols - 1):
            add(r * cols + c, r * cols + c + 1, EW_STREETS[r % len(EW_STREETS)], "residential")
    for c in range(cols):
        for r in range(rows - 1):
            add(r * cols + c, (r + 1) * cols + c, NS_STREETS[c % len(NS_STREETS)], "unclassified")
    return graph


class _Route:
    """The day of one vehicle being built: path, trips, clock, load and stops."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        lonlat: Callable[[int], tuple[float, float]],
        day: str,
        vehicle: str,
        start_s: float,
        depot_node: int,
    ) -> None:
        self.graph = graph
        self.lonlat = lonlat
        self.day = day
        self.vehicle = vehicle
        self.t = start_s
        self.load = 0.0
        self.trip = 1
        self.path = [depot_node]
        self.trips = [[depot_node]]
        self.stops: list[Stop] = []

    def drive_to(self, node: int) -> None:
        leg = nx.shortest_path(self.graph, self.path[-1], node, weight="travel_time")[1:]
        hops = itertools.pairwise([self.path[-1], *leg])
        self.t += sum(self.graph.edges[a, b, 0]["travel_time"] for a, b in hops)
        self.path.extend(leg)
        self.trips[-1].extend(leg)

    def add_stop(self, kind: str, node: int, *, exit_node: int | None = None, **kw: Any) -> None:
        lon, lat = self.lonlat(node)
        values: dict[str, Any] = {
            "day": self.day,
            "vehicle": self.vehicle,
            "trip": self.trip,
            "sequence": len(self.stops),
            "kind": kind,
            "point_id": "",
            "label": "",
            "village": "",
            "street": "",
            "households": 0,
            "sides": "",
            "arrival_s": self.t,
            "departure_s": self.t,
            "demand_kg": 0.0,
            "load_kg": self.load,
            "load_m3": self.load / 200.0,
            "lon": lon,
            "lat": lat,
            "node": node,
            "exit_node": node if exit_node is None else exit_node,
        }
        values.update(kw)
        self.stops.append(Stop(**values))

    def unload(self, landfill_node: int, name: str) -> None:
        self.drive_to(landfill_node)
        self.load = 0.0
        self.add_stop("landfill", landfill_node, label=name, departure_s=self.t + 900)
        self.t += 900
        self.trip += 1
        self.trips.append([landfill_node])


def make_plan(
    *,
    days: tuple[str, ...] = ("mon", "tue"),
    vehicles: int = 1,
    stops_per_day: int = 12,
    rows: int = 5,
    cols: int = 6,
    language: str = "ky",
    synthetic: bool = True,
    unserved: int = 6,
    low_confidence: int = 4,
    trip_load_kg: float = 600.0,
    waypoints_only: bool = False,
    lunch_at_s: float | None = None,
) -> Plan:
    """A consistent plan on a ``rows`` × ``cols`` street grid.

    Each vehicle-day collects ``stops_per_day`` blocks (at most the number of east-west blocks).
    ``node_path`` is the full walk along the streets, or with ``waypoints_only`` only the stops'
    entry and exit nodes (as the pipeline records it; the fastest paths join them). With
    ``lunch_at_s`` a one-hour lunch break follows the first collection ending after that time.
    """
    scenario = _scenario(language, synthetic, vehicles)
    graph = _grid(rows, cols)
    to_wgs = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

    def lonlat(n: int) -> tuple[float, float]:
        lon, lat = to_wgs.transform(graph.nodes[n]["x"], graph.nodes[n]["y"])
        return float(lon), float(lat)

    attribution = "© OpenStreetMap contributors" + (", synthetic stand-in" if synthetic else "")
    network = RoadNetwork(graph, CRS, "streets.osm", synthetic, attribution)
    depot_node, landfill_node = 0, rows * cols - 1
    # the snake over the east-west blocks: row 0 left to right, row 1 right to left, ...
    snake: list[tuple[int, int]] = []
    for r in range(rows):
        cs = range(cols - 1) if r % 2 == 0 else range(cols - 1, 0, -1)
        for c in cs:
            u = r * cols + c
            snake.append((u, u + 1) if r % 2 == 0 else (u, u - 1))
    stops_per_day = min(stops_per_day, len(snake))

    point_rows: list[dict[str, object]] = []
    point_ids: dict[tuple[int, int], str] = {}
    for i, (u, v) in enumerate(snake):
        a, b = sorted((u, v))
        village = VILLAGES[0] if (a // cols) < rows / 2 else VILLAGES[1]
        street = graph.edges[u, v, 0]["name"]
        first = 1 + 2 * (a % cols) * 5
        pid = f"seg-{a}-{b}"
        point_ids[(u, v)] = pid
        point_rows.append(
            {
                "point_id": pid,
                "kind": "segment",
                "village": village,
                "street": street,
                "label": f"{street} {first}–{first + 9}",
                "households": 3 + i % 5,
                "demand_kg": 40.0 + 10 * (i % 5),
                "sides": "both" if i % 3 else "one",
                "u": u,
                "v": v,
                "geometry": LineString([lonlat(u), lonlat(v)]),
            }
        )
    points = gpd.GeoDataFrame(point_rows, geometry="geometry", crs="EPSG:4326")
    by_id = points.set_index("point_id")

    vehicle_days: list[VehicleDay] = []
    served_points: set[str] = set()
    for d_i, day in enumerate(days):
        for k in range(vehicles):
            spec = scenario.fleet[k]
            offset = (d_i * vehicles + k) * 3 % max(1, len(snake) - stops_per_day + 1)
            route = _Route(graph, lonlat, day, spec.name, float(spec.shift_start_s), depot_node)
            route.add_stop("depot", depot_node, label=scenario.depot.name)
            lunch_due = lunch_at_s
            for u, v in snake[offset : offset + stops_per_day]:
                route.drive_to(u)
                pid = point_ids[(u, v)]
                row = by_id.loc[pid]
                service = graph.edges[u, v, 0]["collect_time"]
                route.load += float(row["demand_kg"])
                route.path.append(v)
                route.trips[-1].append(v)
                served_points.add(pid)
                route.add_stop(
                    "collect",
                    u,
                    exit_node=v,
                    point_id=pid,
                    label=row["label"],
                    village=row["village"],
                    street=row["street"],
                    households=int(row["households"]),
                    sides=row["sides"],
                    departure_s=route.t + service,
                    demand_kg=float(row["demand_kg"]),
                )
                route.t += service
                if lunch_due is not None and route.t >= lunch_due:
                    lunch_due = None
                    route.add_stop("lunch", v, label="lunch", departure_s=route.t + 3600)
                    route.t += 3600
                if route.load >= trip_load_kg:
                    route.unload(landfill_node, scenario.landfills[0].name)
            if route.load > 0:
                route.unload(landfill_node, scenario.landfills[0].name)
            route.drive_to(depot_node)
            route.add_stop("depot", depot_node, label=scenario.depot.name)
            path, stops = route.path, route.stops
            node_path = path
            if waypoints_only:
                node_path = []
                for s in stops:
                    for n in (s.node, s.exit_node):
                        if not node_path or node_path[-1] != n:
                            node_path.append(n)
            km = sum(graph.edges[a, b, 0]["length"] for a, b in itertools.pairwise(path)) / 1000
            start = float(spec.shift_start_s)
            collected = sum(s.demand_kg for s in stops)
            vehicle_days.append(
                VehicleDay(
                    day=day,
                    date=str(day_date(scenario.week_start, day) or ""),
                    vehicle=spec.name,
                    vehicle_kind=spec.kind,
                    driver=spec.driver,
                    stops=stops,
                    trips=[
                        LineString([lonlat(n) for n in nodes])
                        for nodes in route.trips
                        if len(nodes) > 1
                    ],
                    node_path=node_path,
                    km=km,
                    hours=(route.t - start) / 3600,
                    landfill_trips=sum(1 for s in stops if s.kind == "landfill"),
                    load_kg=collected,
                    load_m3=collected / 200.0,
                    start_s=start,
                    end_s=route.t,
                )
            )

    house_rows: list[dict[str, object]] = []
    for _, p in points.iterrows():
        line = p.geometry
        for h in range(int(p["households"])):
            pt = line.interpolate((h + 0.5) / p["households"], normalized=True)
            house_rows.append(
                {
                    "household_id": f"{p['point_id']}-{h}",
                    "village": p["village"],
                    "street": p["street"],
                    "house": str(h + 1),
                    "members": 4,
                    "match_level": "house",
                    "status": "served" if p["point_id"] in served_points else "unserved",
                    "reason": None if p["point_id"] in served_points else "not on a collection day",
                    "geometry": Point(pt.x, pt.y + 0.0001),
                }
            )
    for i in range(min(low_confidence, len(house_rows))):
        house_rows[i]["match_level"] = "street" if i % 2 == 0 else "village"
    lon0, lat0 = lonlat(depot_node)
    for i in range(unserved):
        house_rows.append(
            {
                "household_id": f"far-{i}",
                "village": VILLAGES[1],
                "street": "Алыскы көчө",
                "house": str(i + 1),
                "members": 5,
                "match_level": "village" if i % 2 else None,
                "status": "unserved",
                "reason": "unreachable" if i % 2 else "not geocoded",
                "geometry": Point(lon0 - 0.004, lat0 - 0.002 * (i + 1)) if i % 2 else None,
            }
        )
    households = gpd.GeoDataFrame(house_rows, geometry="geometry", crs="EPSG:4326")
    unserved_df = pd.DataFrame(
        households.loc[households["status"] == "unserved", ["household_id", "village", "reason"]]
    ).reset_index(drop=True)
    return Plan(
        scenario=scenario,
        network=network,
        households=households,
        points=points,
        vehicle_days=vehicle_days,
        unserved=unserved_df,
        depot=(lon0, lat0),
        landfills=[(scenario.landfills[0].name, *lonlat(landfill_node))],
        attribution=attribution,
        synthetic=synthetic,
    )
