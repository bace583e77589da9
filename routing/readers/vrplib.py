"""Readers for the classic CVRP and VRPTW benchmark files: VRPLIB (``.vrp``/``.sol``) and Solomon text.

The files carry no units; they are kept as given in the model's "metre" and "second" slots (a cost of
1 per unit of distance reproduces the published objective). Demands go to the first (kg) slot of the
model's (kg, m³) load pair, with an unlimited second slot. The depot doubles as the only landfill
(zero unloading time) and the daily load equals the capacity, so every route is a single
depot → clients → depot trip, exactly as in CVRP/VRPTW (the zero-length depot "dump" adds nothing).

Distance conventions differ between benchmark families, so each reader takes ``rounding``:

- ``"round"``: nearest integer (TSPLIB ``nint``; the Uchoa et al. X instances);
- ``"trunc1"``: truncated to one decimal (the DIMACS convention for Gehring & Homberger, Solomon);
- ``"exact"``: unrounded Euclidean.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from routing.errors import InputError
from routing.solver.model import DAY_S, Model

Rounding = Literal["round", "trunc1", "exact"]
_ROUNDINGS = ("round", "trunc1", "exact")


VRPLIB_TYPES = {"CVRP": "CVRP", "VRPTW": "VRPTW", "CVRPTW": "VRPTW"}
"""The ``TYPE`` values read, and the problem each names: files of the same Gehring-Homberger
family are written ``VRPTW`` (1,000 customers in PyVRP/Instances) or ``CVRPTW`` (its 200-800
customer ones)."""


@dataclass
class VrplibSolution:
    """A published solution: routes of client indices (0-based, as in the model) and the cost."""

    routes: list[list[int]]
    cost: float


def _euclidean(coords: np.ndarray, rounding: str, path: Path) -> np.ndarray:
    if rounding not in _ROUNDINGS:
        msg = "{file}: rounding must be one of {allowed}, got {rounding!r}"
        raise InputError(msg, file=path, allowed=_ROUNDINGS, rounding=rounding)
    diff = coords[:, None, :] - coords[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=-1))
    if rounding == "round":
        return np.floor(dist + 0.5)
    if rounding == "trunc1":
        # The small epsilon keeps exact decimals (e.g. 5.0 computed as 4.999999) from dropping a tenth.
        return np.floor(dist * 10.0 + 1e-9) / 10.0
    return dist


def _read(path: Path, instance_format: str) -> dict[str, Any]:
    import vrplib

    if not path.exists():
        msg = f"{path}: no such file"
        raise FileNotFoundError(msg)
    try:
        return vrplib.read_instance(
            path, instance_format=instance_format, compute_edge_weights=False
        )
    except Exception as exc:  # the parser's own errors carry no file name
        msg = "{file}: cannot read as {kind} instance: {detail}"
        raise InputError(msg, file=path, kind=instance_format, detail=str(exc)) from exc


def _build(
    data: dict[str, Any],
    path: Path,
    *,
    rounding: str,
    depot: int,
    time_windows: np.ndarray | None,
    service: np.ndarray | None,
    num_vehicles: int,
    vehicles_first: bool,
    route_limit: int | None = None,
) -> Model:
    if "node_coord" not in data:
        msg = "{file}: only instances with NODE_COORD_SECTION (EUC_2D) are supported"
        raise InputError(msg, file=path)
    coords = np.asarray(data["node_coord"], dtype=float)
    n = len(coords)
    demand = np.asarray(data.get("demand", np.zeros(n)), dtype=float)
    if len(demand) != n:
        msg = "{file}: {demands} demands for {nodes} nodes"
        raise InputError(msg, file=path, demands=len(demand), nodes=n)
    if "capacity" not in data:
        msg = "{file}: no CAPACITY given"
        raise InputError(msg, file=path)
    capacity = float(data["capacity"])
    if (demand > capacity).any():
        node = int(np.argmax(demand > capacity)) + 1
        msg = "{file}: node {node} has demand {demand} above the capacity {capacity}"
        raise InputError(msg, file=path, node=node, demand=demand[node - 1], capacity=capacity)
    dist = _euclidean(coords, rounding, path)
    model = Model(vehicles_first=vehicles_first)
    if time_windows is None and route_limit is not None:
        # A route-length limit (Christofides' DISTANCE): a route's distance plus its service
        # times, written as durations equal to distances within a working day of that length.
        dur = dist
        horizon = (0, route_limit)
        tws = [horizon] * n
    elif time_windows is None:
        # No time dimension: durations are zero and the day is unbounded.
        dur = np.zeros_like(dist)
        horizon = (0, DAY_S)
        tws = [horizon] * n
    else:
        dur = dist
        tws = [(int(a), int(b)) for a, b in time_windows]
        horizon = tws[depot]
    svc = np.zeros(n) if service is None else np.broadcast_to(np.asarray(service, float), (n,))
    model.add_depot(depot, name="depot", tw=horizon)
    # Returning to the depot empties the vehicle: a landfill at the depot with no unloading time, and
    # one trip a day (daily load = capacity), makes every route depot → clients → depot as in CVRP.
    model.add_landfill(depot, name="depot", tw=horizon, unload_s=0)
    for i in range(n):
        if i == depot:
            continue
        model.add_client(
            i, demand=(float(demand[i]), 0.0), service_s=round(svc[i]), tw=tws[i], name=str(i)
        )
    model.add_vehicle_type(
        num_available=num_vehicles,
        capacity=(capacity, float("inf")),
        max_load_per_day=(capacity, float("inf")),
        shift=horizon,
        cost_per_km=1000.0,  # one cost unit per unit of distance (the model's "metres")
        name="vehicle",
    )
    # set_matrices takes any 2-D array; its annotation says Sequence[Sequence[float]].
    model.set_matrices(duration_s=dur, distance_m=dist)
    return model


def read_vrplib(path: str | Path, *, rounding: Rounding | None = None) -> Model:
    """Read a VRPLIB CVRP or VRPTW instance (``.vrp``) into a :class:`Model`.

    Parameters
    ----------
    path
        The ``.vrp`` file; one depot, ``EUC_2D`` coordinates; ``TYPE`` ``CVRP``, ``VRPTW`` or
        ``CVRPTW`` (read as ``VRPTW``); a ``SERVICE_TIME`` line or section. A CVRP file may carry
        a route-length limit, ``DISTANCE`` (Christofides et al.'s CMT6-10, 13, 14 and Golden et
        al.'s 1-8): a route's distance plus its clients' service times stays within it. A file
        with a rule the model would drop (``VEHICLES_MAX_DISTANCE``, ``VEHICLES_MAX_DURATION``,
        ``RELEASE_TIME``, ``PRIZE``, ``BACKHAUL``) is refused.
    rounding
        Distance convention (see the module docstring); default ``"round"`` for CVRP and
        ``"trunc1"`` for VRPTW (the DIMACS convention of the Gehring & Homberger files).

    Returns
    -------
    Model
        Location ``k`` is node ``k + 1`` of the file (and client number ``k`` of a ``.sol`` file,
        also its ``name``); client ``i`` is location ``i + 1`` when the depot is node 1.
        Durations equal distances for VRPTW and for CVRP with ``DISTANCE`` (whose working day is
        the limit, rounded down), and are zero for other CVRP; the fleet is the file's
        ``VEHICLES`` or, when absent, one vehicle per client (unlimited). The objective is the
        distance alone (``vehicles_first=False``), as for the X and DIMACS best known costs.
    """
    path = Path(path)
    data = _read(path, "vrplib")
    kind = _problem(str(data.get("type", "CVRP")), path)
    depots = np.atleast_1d(np.asarray(data.get("depot", [0]), dtype=int))
    if len(depots) != 1:
        msg = "{file}: exactly one depot is supported, got {count}"
        raise InputError(msg, file=path, count=len(depots))
    n = int(data.get("dimension", len(data["node_coord"])))
    tw = np.asarray(data["time_window"]) if kind == "VRPTW" else None
    if kind == "VRPTW" and tw is None:
        msg = "{file}: a VRPTW instance needs TIME_WINDOW_SECTION"
        raise InputError(msg, file=path)
    limit = _route_limit(data, kind, path)
    service = data.get("service_time") if kind == "VRPTW" or limit is not None else None
    if service is not None and np.ndim(service) == 0:
        # A scalar SERVICE_TIME applies to the clients, never to the depot.
        arr = np.full(n, float(service))
        arr[int(depots[0])] = 0.0
        service = arr
    return _build(
        data,
        path,
        rounding=rounding or ("trunc1" if kind == "VRPTW" else "round"),
        depot=int(depots[0]),
        time_windows=tw,
        service=service,
        num_vehicles=int(data.get("vehicles", n - 1)),
        vehicles_first=False,
        route_limit=limit,
    )


_UNREAD_RULES = (
    "vehicles_max_distance",
    "vehicles_max_duration",
    "release_time",
    "prize",
    "backhaul",
)
"""Keys of the extended VRPLIB format whose rules the model of :func:`read_vrplib` would drop: a
file with any of them is refused rather than solved without its rule."""


def _route_limit(data: dict[str, Any], kind: str, path: Path) -> int | None:
    """The route-length limit of a CVRP file's ``DISTANCE`` line (rounded down, so a route within
    it is within the file's), ``None`` without one; an error for a rule the model would drop."""
    unread = [key.upper() for key in _UNREAD_RULES if key in data]
    if unread:
        msg = "{file}: {keys} is not read, and solving without it would break the file's rules"
        raise InputError(msg, file=path, keys=", ".join(unread))
    if "distance" not in data:
        return None
    if kind != "CVRP":
        msg = "{file}: DISTANCE (a route-length limit) is read in CVRP files only, got TYPE {kind}"
        raise InputError(msg, file=path, kind=kind)
    try:
        value = float(data["distance"])
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        msg = "{file}: DISTANCE must be a positive number, got {value}"
        raise InputError(msg, file=path, value=data["distance"])
    return math.floor(value)


def read_solomon(path: str | Path, *, rounding: Rounding = "exact") -> Model:
    """Read a Solomon VRPTW text file (``R101.txt``) into a :class:`Model`.

    Parameters
    ----------
    path
        The Solomon text file (VEHICLE NUMBER/CAPACITY, then the CUSTOMER table; node 0 is the depot).
    rounding
        Distance convention; default ``"exact"`` (the literature reports distances to two decimals).

    Returns
    -------
    Model
        Location ``k`` is customer number ``k`` of the file (0 the depot); client ``i`` is location
        ``i + 1``. Durations equal distances; the fleet is the file's vehicle number. Vehicles come
        first, then distance, as in Solomon's literature.
    """
    path = Path(path)
    data = _read(path, "solomon")
    return _build(
        data,
        path,
        rounding=rounding,
        depot=0,
        time_windows=np.asarray(data["time_window"]),
        service=np.asarray(data["service_time"]),
        num_vehicles=int(data["vehicles"]),
        vehicles_first=True,
    )


def vrplib_problem(path: str | Path) -> str:
    """The problem a VRPLIB file states in its ``TYPE`` line, ``"CVRP"`` or ``"VRPTW"``, read
    from its header alone (``"CVRP"`` when the line is absent, as :func:`read_vrplib` reads it)."""
    path = Path(path)
    with path.open(encoding="utf-8", errors="replace") as fh:
        for row, line in enumerate(fh, start=1):
            key, sep, value = line.partition(":")
            if key.strip().upper() == "TYPE" and sep:
                return _problem(value, path, row=row)
            if key.strip().upper().endswith("_SECTION"):
                break
    return "CVRP"


def vrplib_route_limit(path: str | Path) -> int | None:
    """The route-length limit (distance plus service) of a CVRP file's ``DISTANCE`` line, as
    :func:`read_vrplib` keeps it (rounded down); ``None`` without one. For a peer reading the file
    its own way, which would drop the limit."""
    path = Path(path)
    data = _read(path, "vrplib")
    return _route_limit(data, _problem(str(data.get("type", "CVRP")), path), path)


def _problem(value: str, path: Path, *, row: int | None = None) -> str:
    """The problem a ``TYPE`` value names (:data:`VRPLIB_TYPES`); an error naming the file (and
    row) for any other."""
    kind = VRPLIB_TYPES.get(value.strip().upper())
    if kind is None:
        msg = "{file}: TYPE must be one of {allowed}, got {kind}"
        if row is not None:
            msg = "{file}, row {row}: TYPE must be one of {allowed}, got {kind}"
        raise InputError(msg, file=path, row=row, allowed=sorted(VRPLIB_TYPES), kind=value.strip())
    return kind


def read_vrplib_solution(path: str | Path) -> VrplibSolution:
    """Read a VRPLIB solution file (``Route #k: ...`` lines and ``Cost``).

    The file numbers clients 1..n (the depot, node 1 of the instance, is 0), so client ``k`` of the
    file is client index ``k - 1`` of the model built by :func:`read_vrplib`.
    """
    import vrplib

    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise FileNotFoundError(msg)
    try:
        data = vrplib.read_solution(path)
    except Exception as exc:
        msg = "{file}: cannot read as a VRPLIB solution: {detail}"
        raise InputError(msg, file=path, detail=str(exc)) from exc
    if "cost" not in data:
        msg = "{file}: no 'Cost' line"
        raise InputError(msg, file=path)
    routes = [[int(k) - 1 for k in route] for route in data.get("routes", [])]
    if any(k < 0 for route in routes for k in route):
        msg = "{file}: client numbers must start at 1"
        raise InputError(msg, file=path)
    return VrplibSolution(routes=routes, cost=float(data["cost"]))


def solution_distance(model: Model, routes: list[list[int]]) -> float:
    """Distance of depot-to-depot routes of client indices under the model's distance matrix."""
    if model.distance_m is None:
        msg = "the model has no matrices"
        raise ValueError(msg)
    depot = model.depots[0].location
    total = 0.0
    for route in routes:
        locs = [depot, *(model.clients[c].location for c in route), depot]
        total += float(sum(model.distance_m[a, b] for a, b in itertools.pairwise(locs)))
    return total if math.isfinite(total) else math.inf
