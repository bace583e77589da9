"""The waste-collection routing model: depots, landfills, clients and vehicle types.

A small PyVRP-like API. Locations are row/column indices of the duration and distance matrices given
with :meth:`Model.set_matrices`; every time is in integer seconds since midnight, every load is a pair
(kg, m³). The model knows nothing about maps or households: the pipeline builds it from collection points.

Routing profiles (as PyVRP's): each vehicle type drives on its own roads. Profile 0 holds the matrices
of :meth:`Model.set_matrices`; :meth:`Model.add_profile` adds another pair of matrices over the same
locations, a vehicle type names its ``profile``, and a client may be limited to the profiles whose
roads include it (``Client.profiles``: a street segment on a road a vehicle may not drive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from routing.solver.params import SolveParams

Load = tuple[float, float]
"""A load as (kg, m³)."""

TimeWindow = tuple[int, int]
"""Earliest and latest time, seconds since midnight."""

DAY_S = 24 * 3600


@dataclass(frozen=True)
class Depot:
    """Where vehicles start and end their day."""

    location: int
    name: str = ""
    tw: TimeWindow = (0, DAY_S)


@dataclass(frozen=True)
class Landfill:
    """An intermediate facility: a vehicle unloads here whenever needed and always before the depot."""

    location: int
    name: str = ""
    tw: TimeWindow = (0, DAY_S)
    unload_s: int = 0


@dataclass(frozen=True)
class Client:
    """A stop with demand.

    A point client (a container) is entered and left at ``location``. A street-segment client is driven
    from ``location`` to ``end_location`` while collecting (``traverse_s``/``traverse_m`` on top of the
    matrices); when ``reversible`` the solver may drive it the other way instead.
    """

    location: int
    demand: Load = (0.0, 0.0)
    service_s: int = 0
    tw: TimeWindow = (0, DAY_S)
    name: str = ""
    end_location: int | None = None
    traverse_m: float = 0.0
    reversible: bool = False
    required: bool = True
    prize: float = 0.0
    profiles: frozenset[int] | None = None
    """The routing profiles whose vehicles may serve it (None: every profile)."""

    @property
    def is_segment(self) -> bool:
        """Whether the client is a street segment driven while collecting."""
        return self.end_location is not None


@dataclass(frozen=True)
class Lunch:
    """A break of ``duration_s`` that must start inside ``window``.

    The solver records it as a ``Visit(kind="lunch")`` between two visits, taken at the location of
    the visit before it (travel is never split); a route that is back at its end depot before
    ``window[0]`` takes no lunch.
    """

    window: TimeWindow
    duration_s: int


@dataclass(frozen=True)
class VehicleType:
    """Identical vehicles sharing capacities, shift, costs and depots."""

    num_available: int = 1
    capacity: Load = (float("inf"), float("inf"))
    max_load_per_day: Load = (float("inf"), float("inf"))
    max_stops: int | None = None
    shift: TimeWindow = (0, DAY_S)
    lunch: Lunch | None = None
    start_depot: int = 0
    end_depot: int = 0
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    fixed_cost: float = 0.0
    name: str = ""
    profile: int = 0
    """The routing profile (matrices) its vehicles drive on."""


VisitKind = Literal["depot", "client", "landfill", "lunch"]


@dataclass(frozen=True)
class Visit:
    """One step of a route.

    ``index`` is the index into the model's depots, clients or landfills by ``kind`` (-1 for lunch).
    ``load`` is the load on board after the visit. ``reversed`` is True for a segment driven end→start.
    ``arrival_s`` is when the vehicle arrives (service starts at ``max(arrival_s, tw[0])``) and
    ``departure_s`` when it leaves; for a lunch they are the start and end of the break, taken at the
    place of the visit before it. ``trip`` counts the landfill visits made before this one.
    """

    kind: VisitKind
    index: int
    arrival_s: float
    departure_s: float
    load: Load
    trip: int
    reversed: bool = False


@dataclass
class Route:
    """The day of one vehicle: depot, clients, landfills and the lunch break, in order."""

    vehicle_type: int
    vehicle: int
    visits: list[Visit]
    distance_m: float = 0.0
    duration_s: float = 0.0

    @property
    def clients(self) -> list[int]:
        """Client indices in visiting order."""
        return [v.index for v in self.visits if v.kind == "client"]

    @property
    def landfill_visits(self) -> int:
        """How many times the vehicle unloads."""
        return sum(v.kind == "landfill" for v in self.visits)


@dataclass
class Unserved:
    """A client left out, with the reason in plain words."""

    client: int
    reason: str


@dataclass
class Result:
    """What :meth:`Model.solve` returns."""

    routes: list[Route]
    unserved: list[Unserved]
    cost: float
    runtime_s: float
    solver: str
    stats: dict[str, float] = field(default_factory=dict)
    """Figures of the run: clients screened out, the chosen plan's ``vehicles`` and ``cost``, and per
    engine and mode (``pyvrp-trips_cost``, ``pyvrp-day_vehicles``, ``ortools_unserved``, ...) the
    best plan its jobs gave."""

    @property
    def num_vehicles(self) -> int:
        """Vehicles that leave the depot."""
        return sum(1 for r in self.routes if r.clients)

    @property
    def distance_m(self) -> float:
        """Total distance of all routes."""
        return sum(r.distance_m for r in self.routes)


@dataclass
class Model:
    """A waste-collection routing problem, built step by step."""

    depots: list[Depot] = field(default_factory=list)
    landfills: list[Landfill] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    vehicle_types: list[VehicleType] = field(default_factory=list)
    duration_s: np.ndarray | None = None
    distance_m: np.ndarray | None = None
    profiles: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """Every routing profile's (duration_s, distance_m); profile 0 is ``duration_s``/``distance_m``."""
    vehicles_first: bool = True
    """The objective's order. True (the default): most required clients served, then fewest
    vehicles, then least cost. False: served, then least cost, vehicles counting only through their
    ``fixed_cost`` (the objective of the classic CVRP and DIMACS VRPTW benchmarks)."""

    def add_depot(self, location: int, *, name: str = "", tw: TimeWindow = (0, DAY_S)) -> int:
        """Add a depot and return its index."""
        self.depots.append(Depot(location=location, name=name, tw=tw))
        return len(self.depots) - 1

    def add_landfill(
        self, location: int, *, name: str = "", tw: TimeWindow = (0, DAY_S), unload_s: int = 0
    ) -> int:
        """Add a landfill (intermediate facility) and return its index."""
        self.landfills.append(Landfill(location=location, name=name, tw=tw, unload_s=unload_s))
        return len(self.landfills) - 1

    def add_client(
        self,
        location: int,
        *,
        demand: Load = (0.0, 0.0),
        service_s: int = 0,
        tw: TimeWindow = (0, DAY_S),
        name: str = "",
        required: bool = True,
        prize: float = 0.0,
        profiles: frozenset[int] | None = None,
    ) -> int:
        """Add a point client (a container, a gate) and return its index."""
        self.clients.append(
            Client(
                location=location,
                demand=demand,
                service_s=service_s,
                tw=tw,
                name=name,
                required=required,
                prize=prize,
                profiles=profiles,
            )
        )
        return len(self.clients) - 1

    def add_segment_client(
        self,
        start: int,
        end: int,
        *,
        traverse_s: int,
        traverse_m: float,
        demand: Load = (0.0, 0.0),
        reversible: bool = True,
        tw: TimeWindow = (0, DAY_S),
        name: str = "",
        required: bool = True,
        prize: float = 0.0,
        profiles: frozenset[int] | None = None,
    ) -> int:
        """Add a street segment collected while driving it from ``start`` to ``end``.

        ``traverse_s`` is the time to drive it at collection speed including stops at the gates;
        ``traverse_m`` its length. When ``reversible`` the solver may drive it end→start.
        ``profiles`` limits it to the vehicles of those routing profiles (None: any).
        """
        self.clients.append(
            Client(
                location=start,
                end_location=end,
                demand=demand,
                service_s=traverse_s,
                traverse_m=traverse_m,
                reversible=reversible,
                tw=tw,
                name=name,
                required=required,
                prize=prize,
                profiles=profiles,
            )
        )
        return len(self.clients) - 1

    def add_vehicle_type(self, **kwargs: object) -> int:
        """Add a vehicle type (see :class:`VehicleType` for the options) and return its index."""
        self.vehicle_types.append(VehicleType(**kwargs))  # type: ignore[arg-type]
        return len(self.vehicle_types) - 1

    def set_matrices(
        self, duration_s: npt.ArrayLike, distance_m: npt.ArrayLike, *, profile: int = 0
    ) -> None:
        """Set the travel time (s) and distance (m) between locations of a routing profile (0:
        the model's own ``duration_s``/``distance_m``); ``inf`` means unreachable."""
        dur = np.asarray(duration_s, dtype=float)
        dist = np.asarray(distance_m, dtype=float)
        if dur.ndim != 2 or dur.shape[0] != dur.shape[1] or dur.shape != dist.shape:
            msg = f"matrices must be square and of the same shape, got {dur.shape} and {dist.shape}"
            raise ValueError(msg)
        if not 0 <= profile <= max(len(self.profiles) - 1, 0):
            msg = f"profile {profile} does not exist (add_profile first)"
            raise ValueError(msg)
        if profile == 0:
            self.duration_s, self.distance_m = dur, dist
        if self.profiles:
            self.profiles[profile] = (dur, dist)
        else:
            self.profiles.append((dur, dist))

    def add_profile(self, duration_s: npt.ArrayLike, distance_m: npt.ArrayLike) -> int:
        """Add a routing profile with its matrices (over the same locations) and return its
        index; profile 0 is the one :meth:`set_matrices` sets."""
        if not self.profiles:
            msg = "Model: set_matrices (profile 0) must be called before add_profile"
            raise ValueError(msg)
        self.profiles.append(self.profiles[0])
        self.set_matrices(duration_s, distance_m, profile=len(self.profiles) - 1)
        return len(self.profiles) - 1

    def matrices(self, profile: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The (duration_s, distance_m) matrices of a routing profile."""
        if profile == 0 and self.duration_s is not None and self.distance_m is not None:
            return self.duration_s, self.distance_m  # set directly by older callers
        if not 0 <= profile < len(self.profiles):
            msg = f"profile {profile} has no matrices (set_matrices, add_profile)"
            raise ValueError(msg)
        return self.profiles[profile]

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad field; called by the solver before solving.

        Checks that the matrices are set and cover every location, that indices, time windows,
        demands, capacities and the lunch break make sense.
        """
        if self.duration_s is None or self.distance_m is None:
            msg = "Model: set_matrices(duration_s, distance_m) must be called before solving"
            raise ValueError(msg)
        size = self.duration_s.shape[0]
        pairs = [(self.duration_s, self.distance_m), *self.profiles[1:]]
        if any(d.shape != (size, size) for pair in pairs for d in pair):
            msg = "Model matrices: every profile's matrices must cover the same locations"
            raise ValueError(msg)
        if any(np.isnan(d).any() for pair in pairs for d in pair):
            msg = "Model matrices: NaN is not allowed (use inf for unreachable)"
            raise ValueError(msg)
        if any((d < 0).any() for pair in pairs for d in pair):
            msg = "Model matrices: negative travel time or distance is not allowed"
            raise ValueError(msg)
        if not self.depots:
            msg = "Model: at least one depot is needed (add_depot)"
            raise ValueError(msg)

        for i, d in enumerate(self.depots):
            _check_location(f"depot {i}", d.location, size)
            _check_window(f"depot {i}", d.tw)
        for i, lf in enumerate(self.landfills):
            _check_location(f"landfill {i}", lf.location, size)
            _check_window(f"landfill {i}", lf.tw)
            if lf.unload_s < 0:
                msg = f"landfill {i}: unload_s must be >= 0, got {lf.unload_s}"
                raise ValueError(msg)
        n_profiles = max(len(self.profiles), 1)
        for i, c in enumerate(self.clients):
            _check_client(i, c, size)
            if c.profiles is not None and not all(0 <= p < n_profiles for p in c.profiles):
                msg = f"client {i}: profiles {sorted(c.profiles)} not all in 0..{n_profiles - 1}"
                raise ValueError(msg)
        if any(c.demand != (0.0, 0.0) for c in self.clients) and not self.landfills:
            msg = "Model: clients with demand need at least one landfill (add_landfill)"
            raise ValueError(msg)
        for i, vt in enumerate(self.vehicle_types):
            _check_vehicle_type(i, vt, len(self.depots))
            if not 0 <= vt.profile < n_profiles:
                msg = f"vehicle type {i}: profile {vt.profile} is not in 0..{n_profiles - 1}"
                raise ValueError(msg)

    def solve(
        self,
        *,
        time_limit_s: float = 10.0,
        seed: int = 0,
        max_iterations: int | None = None,
        workers: int = 1,
        progress: bool = False,
        params: SolveParams | None = None,
        cancel: Callable[[], bool] | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> Result:
        """Solve the model; see :func:`routing.solver.engine.solve` for the options.

        ``params`` tunes the search (:class:`~routing.solver.params.SolveParams`); ``cancel`` is
        asked often and True stops the solve with :class:`~routing.solver.control.Cancelled`;
        ``on_progress`` receives the fraction of the budget used.
        """
        from routing.solver.engine import solve

        return solve(
            self,
            time_limit_s=time_limit_s,
            seed=seed,
            max_iterations=max_iterations,
            workers=workers,
            progress=progress,
            params=params,
            cancel=cancel,
            on_progress=on_progress,
        )


def _check_location(what: str, loc: int, size: int) -> None:
    if not 0 <= loc < size:
        msg = f"{what}: location {loc} is outside the matrices (0..{size - 1})"
        raise ValueError(msg)


def _check_window(what: str, tw: TimeWindow) -> None:
    if tw[0] > tw[1]:
        msg = f"{what}: time window {tw} opens after it closes"
        raise ValueError(msg)


def _check_client(i: int, c: Client, size: int) -> None:
    _check_location(f"client {i}", c.location, size)
    if c.end_location is not None:
        _check_location(f"client {i} (segment end)", c.end_location, size)
    _check_window(f"client {i}", c.tw)
    if min(c.demand) < 0 or c.service_s < 0 or c.traverse_m < 0:
        msg = f"client {i}: demand, service_s and traverse_m must be >= 0"
        raise ValueError(msg)


def _check_vehicle_type(i: int, vt: VehicleType, depots: int) -> None:
    for what, idx in (("start_depot", vt.start_depot), ("end_depot", vt.end_depot)):
        if not 0 <= idx < depots:
            msg = f"vehicle type {i}: {what} {idx} is not a depot index (0..{depots - 1})"
            raise ValueError(msg)
    _check_window(f"vehicle type {i} shift", vt.shift)
    if vt.num_available < 0:
        msg = f"vehicle type {i}: num_available must be >= 0, got {vt.num_available}"
        raise ValueError(msg)
    if min(vt.capacity) <= 0 or min(vt.max_load_per_day) <= 0:
        msg = f"vehicle type {i}: capacity and max_load_per_day must be > 0"
        raise ValueError(msg)
    if vt.max_stops is not None and vt.max_stops < 0:
        msg = f"vehicle type {i}: max_stops must be >= 0 or None, got {vt.max_stops}"
        raise ValueError(msg)
    if vt.lunch is not None:
        _check_window(f"vehicle type {i} lunch window", vt.lunch.window)
        if vt.lunch.duration_s < 0:
            msg = f"vehicle type {i}: lunch duration_s must be >= 0"
            raise ValueError(msg)
