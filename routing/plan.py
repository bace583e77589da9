"""The assembled week: what every writer (tables, maps, driver sheets, exports) reads.

A :class:`Plan` is the last boundary object of the pipeline. Writers only read it; they never go back to the
solver or the network loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from shapely.geometry import LineString

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from routing.network import RoadNetwork
    from routing.scenario import Scenario

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
