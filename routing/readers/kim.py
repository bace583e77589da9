"""Reader for the waste-collection VRPTW instances of Kim, Kim & Sahoo (2006).

The format (see ``../shared/data/bench/README.md`` and the authors' description): five header lines
(trip capacity in yd³, daily yardage, maximum stops per day, lunch duration in seconds, speed in MPH),
one line of column names, then one row per node::

    Stop_ID  X(feet)  Y(feet)  Early(HHMM)  Late(HHMM)  Service(s)  Load(yd³)  Type

with Type 0 = depot, 1 = regular stop, 2 = landfill. Distances are Manhattan in feet; travel time is
the distance at the header speed. The lunch break of the header duration starts between 11:00 and 12:00.

:func:`read_kim` returns the raw rows (:class:`KimInstance`); :func:`kim_to_model` builds the routing
:class:`~routing.solver.model.Model` from them. The two are kept apart so that the checker can verify a
solution against the raw rows without going through the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from routing.errors import InputError
from routing.solver.model import Lunch, Model

FEET_PER_MILE = 5280.0
METRES_PER_FOOT = 0.3048
M3_PER_YD3 = 0.764554857984
"""One cubic yard in cubic metres (exact by definition of the yard)."""

LUNCH_WINDOW_S = (11 * 3600, 12 * 3600)
"""Kim's rule: the lunch break starts between 11:00 and 12:00."""

DEPOT, STOP, LANDFILL = 0, 1, 2

_HEADER_LINES = 5
_FIELDS = ("Stop_ID", "X", "Y", "Early", "Late", "Service", "Load", "Type")


@dataclass
class KimInstance:
    """The raw content of one Kim instance file, row by row (file order).

    Attributes
    ----------
    name
        File name without extension, e.g. ``"102_stop"``.
    capacity_yd3, max_daily_yd3, max_stops, lunch_s, speed_mph
        The five header values.
    ids
        ``Stop_ID`` of each row.
    x, y
        Coordinates in feet.
    early, late
        Earliest and latest service start, seconds since midnight.
    service
        Service (or unloading) time in seconds.
    load
        Load in cubic yards (9999 on depot and landfill rows: not a demand).
    type
        0 depot, 1 regular stop, 2 landfill.
    lines
        1-based line number of each row in the file, for messages.
    """

    name: str
    path: Path
    capacity_yd3: float
    max_daily_yd3: float
    max_stops: int
    lunch_s: int
    speed_mph: float
    ids: list[int]
    x: np.ndarray
    y: np.ndarray
    early: np.ndarray
    late: np.ndarray
    service: np.ndarray
    load: np.ndarray
    type: np.ndarray
    lines: list[int]
    _row: dict[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._row = {sid: i for i, sid in enumerate(self.ids)}

    @property
    def depot(self) -> int:
        """Row index of the depot."""
        return int(np.flatnonzero(self.type == DEPOT)[0])

    @property
    def landfills(self) -> list[int]:
        """Row indices of the landfills, in file order."""
        return [int(i) for i in np.flatnonzero(self.type == LANDFILL)]

    @property
    def stops(self) -> list[int]:
        """Row indices of the regular stops, in file order."""
        return [int(i) for i in np.flatnonzero(self.type == STOP)]

    def row_of(self, stop_id: int) -> int:
        """Row index of a ``Stop_ID``; raises :class:`KeyError` when unknown."""
        return self._row[stop_id]

    def distance_ft(self, i: int, j: int) -> float:
        """Manhattan distance in feet between rows ``i`` and ``j``."""
        return float(abs(self.x[i] - self.x[j]) + abs(self.y[i] - self.y[j]))

    def travel_s(self, i: int, j: int) -> float:
        """Travel time in seconds between rows ``i`` and ``j`` at the header speed."""
        return self.distance_ft(i, j) / FEET_PER_MILE / self.speed_mph * 3600.0

    def distance_matrix_ft(self) -> np.ndarray:
        """All Manhattan distances in feet, rows × rows."""
        return np.abs(self.x[:, None] - self.x[None, :]) + np.abs(self.y[:, None] - self.y[None, :])

    @property
    def total_load_yd3(self) -> float:
        """Total yardage of the regular stops."""
        return float(self.load[self.type == STOP].sum())

    @property
    def vehicles_lower_bound(self) -> int:
        """``ceil(total load / daily yardage)``: no fewer vehicles can do the work."""
        return max(1, math.ceil(self.total_load_yd3 / self.max_daily_yd3 - 1e-9))


def hhmm_to_seconds(value: str) -> int:
    """Convert an ``HHMM`` field (``"0400"``, ``"400"``, ``"2400"``) to seconds since midnight.

    Minutes of 60 or more are carried into the hour (one landfill row of 2100_stop reads ``1675``,
    taken as 16:00 + 75 min = 17:15) rather than rejected, so the file stays usable.
    """
    text = value.strip()
    if not text.isdigit():
        msg = f"not an HHMM time: {value!r}"
        raise ValueError(msg)
    number = int(text)
    return (number // 100) * 3600 + (number % 100) * 60


def _header_value(line: str, path: Path, lineno: int, what: str) -> float:
    token = line.split()[0].strip('"') if line.split() else ""
    try:
        return float(token)
    except ValueError:
        msg = "{file}:{row}: expected the {what} as a number, got {line!r}"
        raise InputError(msg, file=path, row=lineno, what=what, line=line.strip()) from None


_Row = tuple[int, float, float, int, int, float, float, int]
"""A node row: Stop_ID, X, Y, Early (s), Late (s), Service (s), Load, Type."""


def _read_header(lines: list[str], path: Path) -> list[float]:
    """The five header values (each positive) after checking the column line follows them."""
    if len(lines) < _HEADER_LINES + 2:
        msg = "{file}: expected 5 header lines, a column line and node rows, got {count} lines"
        raise InputError(msg, file=path, count=len(lines))
    what = ("trip capacity", "daily yardage", "maximum stops per day", "lunch duration", "speed")
    header = [_header_value(lines[k], path, k + 1, what[k]) for k in range(_HEADER_LINES)]
    for k, value in enumerate(header):
        if not value > 0:
            msg = "{file}:{row}: the {what} must be positive, got {value}"
            raise InputError(msg, file=path, row=k + 1, what=what[k], value=value)
    if not lines[_HEADER_LINES].strip().startswith("Stop_ID"):
        msg = "{file}:{row}: expected the column line starting with 'Stop_ID'"
        raise InputError(msg, file=path, row=_HEADER_LINES + 1)
    return header


def _read_row(line: str, path: Path, lineno: int) -> _Row:
    """One node row, its fields checked (type, window order, no negative service or load)."""
    fields = line.split()
    if len(fields) != len(_FIELDS):
        msg = "{file}:{row}: expected {count} fields {names}, got {got}"
        raise InputError(
            msg, file=path, row=lineno, count=len(_FIELDS), names=_FIELDS, got=len(fields)
        )
    try:
        row = (
            int(fields[0]),
            float(fields[1]),
            float(fields[2]),
            hhmm_to_seconds(fields[3]),
            hhmm_to_seconds(fields[4]),
            float(fields[5]),
            float(fields[6]),
            int(fields[7]),
        )
    except ValueError as exc:
        msg = "{file}:{row}: cannot read the row {line!r}: {detail}"
        raise InputError(msg, file=path, row=lineno, line=line.strip(), detail=str(exc)) from None
    if row[7] not in (DEPOT, STOP, LANDFILL):
        msg = "{file}:{row}: Type must be 0 (depot), 1 (stop) or 2 (landfill), got {value}"
        raise InputError(msg, file=path, row=lineno, field="Type", value=row[7])
    if row[3] > row[4]:
        msg = "{file}:{row}: Early {early} is after Late {late}"
        raise InputError(msg, file=path, row=lineno, early=fields[3], late=fields[4])
    if row[5] < 0 or (row[7] == STOP and row[6] < 0):
        msg = "{file}:{row}: service time and load must not be negative"
        raise InputError(msg, file=path, row=lineno)
    return row


def read_kim(path: str | Path) -> KimInstance:
    """Read a Kim et al. (2006) waste-collection VRPTW instance file.

    Parameters
    ----------
    path
        The ``*_stop.txt`` file (CRLF or LF line ends, tabs or spaces, quoted header words).

    Returns
    -------
    KimInstance
        The header values and the raw rows.

    Raises
    ------
    ValueError
        Naming the file and line when a header value, a row field, the depot or a Stop_ID is wrong.
    """
    path = Path(path)
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.splitlines()
    capacity, daily, max_stops, lunch_s, speed = _read_header(lines, path)
    rows: list[_Row] = []
    linenos: list[int] = []
    seen: dict[int, int] = {}
    for lineno, line in enumerate(lines[_HEADER_LINES + 1 :], start=_HEADER_LINES + 2):
        if not line.split():
            continue
        row = _read_row(line, path, lineno)
        if row[0] in seen:
            msg = "{file}:{row}: Stop_ID {stop} already used on line {first}"
            raise InputError(
                msg, file=path, row=lineno, field="Stop_ID", stop=row[0], first=seen[row[0]]
            )
        seen[row[0]] = lineno
        rows.append(row)
        linenos.append(lineno)

    types = np.array([r[7] for r in rows], dtype=int)
    depots = np.flatnonzero(types == DEPOT)
    if len(depots) != 1:
        where = ", ".join(f"line {linenos[i]}" for i in depots) or "none"
        msg = "{file}: expected exactly one depot row (Type 0), found {count} ({where})"
        raise InputError(msg, file=path, count=len(depots), where=where)

    cols = list(zip(*rows, strict=True))
    return KimInstance(
        name=path.stem,
        path=path,
        capacity_yd3=capacity,
        max_daily_yd3=daily,
        max_stops=int(max_stops),
        lunch_s=int(lunch_s),
        speed_mph=speed,
        ids=[int(v) for v in cols[0]],
        x=np.array(cols[1], dtype=float),
        y=np.array(cols[2], dtype=float),
        early=np.array(cols[3], dtype=int),
        late=np.array(cols[4], dtype=int),
        service=np.array(cols[5], dtype=float),
        load=np.array(cols[6], dtype=float),
        type=types,
        lines=linenos,
    )


def default_fleet_size(inst: KimInstance) -> int:
    """A generous number of vehicles, ``3 * ceil(total load / daily yardage) + 5``.

    The solver minimises how many it uses; this only bounds the search.
    """
    return 3 * inst.vehicles_lower_bound + 5


def kim_to_model(
    inst: KimInstance, *, num_vehicles: int | None = None, fixed_cost: float = 10_000.0
) -> Model:
    """Build the routing model of a Kim instance.

    Locations are the file rows in file order (location ``k`` is row ``k``; ``inst.ids[k]`` is its
    Stop_ID), so the model's depot, landfill and client ``name`` fields hold the Stop_IDs as text.

    Units follow the model's conventions: distances in metres (feet × 0.3048), travel times in
    seconds at the header speed, loads as (kg, m³). The files give volumes only, so a load of
    ``L`` yd³ becomes ``(0.0, L × 0.764555)`` and the trip capacity and daily yardage become
    ``(inf, C × 0.764555)``: the weight dimension is unconstrained.

    Parameters
    ----------
    inst
        The raw instance from :func:`read_kim`.
    num_vehicles
        Vehicles available; default :func:`default_fleet_size` (generous, the solver minimises it).
    fixed_cost
        Cost per vehicle used, large against the cost per km so that fewer vehicles come first.

    Returns
    -------
    Model
        One depot (its window is also the shift), the landfills (window, unloading time), the stops
        as point clients, one vehicle type with trip capacity, daily load, maximum stops and the
        lunch break (header duration, starting 11:00-12:00), and the matrices.
    """
    landfills = inst.landfills
    if not landfills:
        msg = "{file}: no landfill row (Type 2): a vehicle must unload before the depot"
        raise InputError(msg, file=inst.path, field="Type")
    model = Model()
    d = inst.depot
    depot_tw = (int(inst.early[d]), int(inst.late[d]))
    model.add_depot(d, name=str(inst.ids[d]), tw=depot_tw)
    for r in landfills:
        model.add_landfill(
            r,
            name=str(inst.ids[r]),
            tw=(int(inst.early[r]), int(inst.late[r])),
            unload_s=round(inst.service[r]),
        )
    for r in inst.stops:
        model.add_client(
            r,
            demand=(0.0, float(inst.load[r]) * M3_PER_YD3),
            service_s=round(inst.service[r]),
            tw=(int(inst.early[r]), int(inst.late[r])),
            name=str(inst.ids[r]),
        )
    inf = float("inf")
    model.add_vehicle_type(
        num_available=num_vehicles if num_vehicles is not None else default_fleet_size(inst),
        capacity=(inf, inst.capacity_yd3 * M3_PER_YD3),
        max_load_per_day=(inf, inst.max_daily_yd3 * M3_PER_YD3),
        max_stops=inst.max_stops,
        shift=depot_tw,
        lunch=Lunch(window=LUNCH_WINDOW_S, duration_s=inst.lunch_s),
        start_depot=0,
        end_depot=0,
        cost_per_km=1.0,
        fixed_cost=fixed_cost,
        name="truck",
    )
    feet = inst.distance_matrix_ft()
    # set_matrices takes any 2-D array; its annotation says Sequence[Sequence[float]].
    model.set_matrices(
        duration_s=feet / FEET_PER_MILE / inst.speed_mph * 3600.0,
        distance_m=feet * METRES_PER_FOOT,
    )
    return model
