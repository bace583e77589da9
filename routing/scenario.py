"""One scenario file (TOML) holds every input of a plan; this module reads and validates it.

A manager edits the file by hand, so every wrong value gets an error that names the file, the key and
what is allowed. Paths inside the file are relative to the file itself.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from routing.errors import InputError
from routing.normalize import place_key

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGES: tuple[str, ...] = ("ky", "ru", "en")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScenarioError(InputError):
    """A scenario file that cannot be used, with the file and key in the message (and attributes)."""


@dataclass(frozen=True)
class Site:
    """A fixed place: the depot or a landfill."""

    name: str
    lat: float
    lon: float
    assumption: str = ""


@dataclass(frozen=True)
class LandfillSpec(Site):
    """A landfill with opening hours (seconds since midnight) and unloading time."""

    open_s: int = 0
    close_s: int = 24 * 3600
    unload_s: int = 900


@dataclass(frozen=True)
class VehicleSpec:
    """A kind of vehicle in the fleet; ``count`` identical ones."""

    name: str
    kind: str
    count: int
    capacity_kg: float
    capacity_m3: float
    compaction: float
    shift_start_s: int
    shift_end_s: int
    lunch_earliest_s: int
    lunch_latest_s: int
    lunch_s: int
    max_stops: int | None
    max_load_per_day_kg: float | None
    weight_t: float | None
    width_m: float | None
    height_m: float | None
    cost_per_km: float
    cost_per_hour: float
    fixed_cost: float
    driver: str
    assumption: str = ""


@dataclass(frozen=True)
class VillageSpec:
    """A village served, as its name is written in the register, with its collection days."""

    name: str
    aiyl_aimak: str
    days: tuple[str, ...]
    frequency: int
    population: int | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """Everything a plan needs, read from one TOML file."""

    path: Path
    name: str
    language: str
    seed: int
    time_limit_s: float
    max_iterations: int | None
    week_start: dt.date | None
    osm: str
    synthetic: bool
    max_snap_m: float
    profile: Mapping[str, Any]
    households: Path | None
    households_columns: Mapping[str, str]
    containers: Path | None
    corrections: Path | None
    kg_per_person_day: float
    bulk_density_kg_m3: float
    container_density_kg_m3: float
    service_s_per_household: float
    service_s_per_container: float
    household_size: float
    depot: Site
    landfills: tuple[LandfillSpec, ...]
    fleet: tuple[VehicleSpec, ...]
    villages: tuple[VillageSpec, ...]
    tariffs: Mapping[str, float]
    currency: str
    output_dir: Path
    assumptions: tuple[str, ...] = field(default=())
    aliases: Path | None = None  # [register] aliases: a user's alias file (routing.geocode)

    @property
    def days(self) -> tuple[str, ...]:
        """Collection days in week order, as used by at least one village."""
        used = {d for v in self.villages for d in v.days}
        return tuple(d for d in DAYS if d in used)

    def village(self, name: str) -> VillageSpec | None:
        """The village spec for a name as written in the register (or an alias)."""
        key = name.strip().casefold()
        for v in self.villages:
            if key == v.name.casefold() or key in (a.casefold() for a in v.aliases):
                return v
        # Spellings as people write them: "с. Терек-Суу", "Чоң Арык", "Terek Suu".
        loose = place_key(name)
        keys = {
            v.name: {place_key(n) for n in (v.name, *v.aliases)}
            for v in self.villages
            if v.name != "*"
        }
        for v in self.villages:
            if loose and loose in keys.get(v.name, ()):
                return v
        # One typo ("Теек-Суу"): accept only when a single village is that close.
        close = [
            v
            for v in self.villages
            if max((fuzz.ratio(loose, k) for k in keys.get(v.name, ())), default=0) >= 80
        ]
        return close[0] if len(close) == 1 else None


def load_scenario(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        The TOML file.
    overrides
        Values that replace those of the file, by dotted key (``{"solver.time_limit_s": 5}``).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Naming the file, the key and what is allowed.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"scenario file not found: {path}"
        raise ScenarioError(msg, file=path) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML: {exc}"
        raise ScenarioError(msg, file=path) from None
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    return _Reader(path, raw).scenario()


def parse_time(text: str, *, where: str) -> int:
    """Parse ``"HH:MM"`` into seconds since midnight."""
    m = _TIME_RE.match(str(text).strip())
    if not m:
        msg = f'{where}: {text!r} is not a time of day; write it as HH:MM, e.g. "08:00"'
        raise ScenarioError(msg)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    node = raw
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


class _Reader:
    """Pulls typed values out of the parsed TOML, naming the key in every error."""

    def __init__(self, path: Path, raw: dict[str, Any]) -> None:
        self.path = path
        self.raw = raw

    def _fail(self, key: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: [{key}] {problem}", file=self.path, field=key)

    def _table(self, key: str, *, required: bool = True) -> dict[str, Any]:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise self._fail(
                    key, "is missing; see data/taza-aimak/scenario.toml for an example"
                )
            return {}
        if not isinstance(value, dict):
            raise self._fail(key, "must be a table")
        return value

    def _known(self, key: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self._fail(
                key, f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
            )

    def _num(
        self,
        key: str,
        table: Mapping[str, Any],
        name: str,
        default: float | None = None,
        *,
        minimum: float = 0.0,
        positive: bool = False,
    ) -> float:
        value = table.get(name, default)
        if value is None:
            raise self._fail(key, f"{name} is missing (a number)")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, f"{name} = {value!r} must be a number")
        if value < minimum or (positive and value <= 0):
            bound = "greater than 0" if positive else f"at least {minimum:g}"
            raise self._fail(key, f"{name} = {value!r} must be {bound}")
        return float(value)

    def _opt_num(self, key: str, table: Mapping[str, Any], name: str) -> float | None:
        if table.get(name) is None:
            return None
        return self._num(key, table, name, positive=True)

    def _str(
        self, key: str, table: Mapping[str, Any], name: str, default: str | None = None
    ) -> str:
        value = table.get(name, default)
        if value is None:
            raise self._fail(key, f"{name} is missing (text)")
        if not isinstance(value, str):
            raise self._fail(key, f"{name} = {value!r} must be text in quotes")
        return value

    def _choice(
        self, key: str, table: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str
    ) -> str:
        value = self._str(key, table, name, default)
        if value not in allowed:
            raise self._fail(key, f"{name} = {value!r} is not one of: {', '.join(allowed)}")
        return value

    def _time(self, key: str, table: Mapping[str, Any], name: str, default: str) -> int:
        return parse_time(
            self._str(key, table, name, default), where=f"{self.path}: [{key}] {name}"
        )

    def _file(
        self, key: str, table: Mapping[str, Any], name: str, *, required: bool
    ) -> Path | None:
        value = table.get(name)
        if value is None or value == "":
            if required:
                raise self._fail(key, f"{name} is missing (a path relative to the scenario file)")
            return None
        if not isinstance(value, str):
            raise self._fail(key, f"{name} = {value!r} must be a path in quotes")
        path = (self.path.parent / value).resolve()
        if not path.exists():
            raise self._fail(key, f"{name} = {value!r}: file not found ({path})")
        return path

    def _site(self, key: str, table: Mapping[str, Any]) -> tuple[str, float, float, str]:
        name = self._str(key, table, "name")
        lat = self._num(key, table, "lat", minimum=-90)
        lon = self._num(key, table, "lon", minimum=-180)
        if lat > 90 or lon > 180:
            raise self._fail(key, f"lat/lon = {lat}, {lon} are not WGS84 degrees")
        return name, lat, lon, self._str(key, table, "assumption", "")

    def scenario(self) -> Scenario:
        self._known(
            "top level",
            self.raw,
            {
                "scenario",
                "network",
                "register",
                "waste",
                "solver",
                "depot",
                "landfill",
                "vehicle",
                "village",
                "tariff",
                "output",
            },
        )
        sc = self._table("scenario")
        self._known("scenario", sc, {"name", "language", "week_start", "assumptions", "currency"})
        net = self._table("network")
        self._known("network", net, {"source", "synthetic", "max_snap_m", "profile"})
        source = self._str("network", net, "source")
        if "://" not in source and not source.startswith(("place:", "bbox:")):
            source_path = self._file("network", net, "source", required=True)
            source = str(source_path)
        synthetic = net.get("synthetic", False)
        if not isinstance(synthetic, bool):
            raise self._fail("network", f"synthetic = {synthetic!r} must be true or false")
        profile = net.get("profile", {})
        if not isinstance(profile, dict):
            raise self._fail("network.profile", "must be a table")
        reg = self._table("register", required=False)
        self._known(
            "register",
            reg,
            {"households", "containers", "corrections", "aliases", "columns", "household_size"},
        )
        columns = reg.get("columns", {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise self._fail(
                "register.columns", "must map canonical names to the file's headers, as text"
            )
        waste = self._table("waste")
        self._known(
            "waste",
            waste,
            {
                "kg_per_person_day",
                "bulk_density_kg_m3",
                "container_density_kg_m3",
                "service_s_per_household",
                "service_s_per_container",
            },
        )
        solver = self._table("solver", required=False)
        self._known("solver", solver, {"seed", "time_limit_s", "max_iterations"})
        max_it = solver.get("max_iterations")
        if max_it is not None and (not isinstance(max_it, int) or max_it <= 0):
            raise self._fail(
                "solver", f"max_iterations = {max_it!r} must be a positive whole number"
            )
        week_start = sc.get("week_start")
        if week_start is not None and not isinstance(week_start, dt.date):
            raise self._fail(
                "scenario",
                f"week_start = {week_start!r} must be a date like 2026-11-30 (no quotes)",
            )
        out = self._table("output", required=False)
        self._known("output", out, {"dir"})
        assumptions = sc.get("assumptions", [])
        if not isinstance(assumptions, list) or not all(isinstance(a, str) for a in assumptions):
            raise self._fail("scenario", "assumptions must be a list of text")
        villages = self._villages()
        tariffs = self._tariffs()
        return Scenario(
            path=self.path.resolve(),
            name=self._str("scenario", sc, "name"),
            language=self._choice("scenario", sc, "language", LANGUAGES, "ru"),
            seed=int(self._num("solver", solver, "seed", 1)),
            time_limit_s=self._num("solver", solver, "time_limit_s", 10.0, positive=True),
            max_iterations=max_it,
            week_start=week_start,
            osm=source,
            synthetic=synthetic,
            max_snap_m=self._num("network", net, "max_snap_m", 250.0, positive=True),
            profile=profile,
            households=self._file("register", reg, "households", required=False),
            households_columns=columns,
            containers=self._file("register", reg, "containers", required=False),
            corrections=self._file("register", reg, "corrections", required=False),
            aliases=self._file("register", reg, "aliases", required=False),
            kg_per_person_day=self._num("waste", waste, "kg_per_person_day", positive=True),
            bulk_density_kg_m3=self._num("waste", waste, "bulk_density_kg_m3", positive=True),
            container_density_kg_m3=self._num(
                "waste", waste, "container_density_kg_m3", 150.0, positive=True
            ),
            service_s_per_household=self._num("waste", waste, "service_s_per_household", 20.0),
            service_s_per_container=self._num("waste", waste, "service_s_per_container", 120.0),
            household_size=self._num("register", reg, "household_size", 4.7, positive=True),
            depot=self._depot(),
            landfills=self._landfills(),
            fleet=self._fleet(),
            villages=villages,
            tariffs=tariffs,
            currency=self._str("scenario", sc, "currency", "som"),
            output_dir=(self.path.parent / self._str("output", out, "dir", "maps")).resolve()
            if "dir" in out
            else Path("maps").resolve(),
            assumptions=tuple(assumptions),
        )

    def _depot(self) -> Site:
        table = self._table("depot")
        self._known("depot", table, {"name", "lat", "lon", "assumption"})
        name, lat, lon, assumption = self._site("depot", table)
        return Site(name=name, lat=lat, lon=lon, assumption=assumption)

    def _landfills(self) -> tuple[LandfillSpec, ...]:
        items = self.raw.get("landfill")
        if not isinstance(items, list) or not items:
            raise self._fail(
                "landfill",
                "at least one [[landfill]] is needed (name, lat, lon, open, close, unload_min)",
            )
        out = []
        for i, table in enumerate(items, 1):
            key = f"landfill #{i}"
            self._known(
                key, table, {"name", "lat", "lon", "assumption", "open", "close", "unload_min"}
            )
            name, lat, lon, assumption = self._site(key, table)
            open_s = self._time(key, table, "open", "00:00")
            close_s = self._time(key, table, "close", "23:59")
            if close_s <= open_s:
                raise self._fail(key, "close must be later than open")
            out.append(
                LandfillSpec(
                    name=name,
                    lat=lat,
                    lon=lon,
                    assumption=assumption,
                    open_s=open_s,
                    close_s=close_s,
                    unload_s=int(self._num(key, table, "unload_min", 15) * 60),
                )
            )
        return tuple(out)

    def _fleet(self) -> tuple[VehicleSpec, ...]:
        items = self.raw.get("vehicle")
        if not isinstance(items, list) or not items:
            raise self._fail("vehicle", "at least one [[vehicle]] is needed")
        allowed = {
            "name", "kind", "count", "capacity_kg", "capacity_m3", "compaction", "shift_start", "shift_end",
            "lunch_earliest", "lunch_latest", "lunch_min", "max_stops", "max_load_per_day_kg", "weight_t",
            "width_m", "height_m", "cost_per_km", "cost_per_hour", "fixed_cost", "driver", "assumption",
        }  # fmt: skip
        out = []
        names = set()
        for i, table in enumerate(items, 1):
            key = f"vehicle #{i}"
            self._known(key, table, allowed)
            name = self._str(key, table, "name")
            if name in names:
                raise self._fail(
                    key, f"name {name!r} is used twice; each vehicle needs its own name"
                )
            names.add(name)
            start = self._time(key, table, "shift_start", "08:00")
            end = self._time(key, table, "shift_end", "17:00")
            if end <= start:
                raise self._fail(key, "shift_end must be later than shift_start")
            max_stops = table.get("max_stops")
            if max_stops is not None and (not isinstance(max_stops, int) or max_stops <= 0):
                raise self._fail(key, f"max_stops = {max_stops!r} must be a positive whole number")
            count = table.get("count", 1)
            if not isinstance(count, int) or count < 0:
                raise self._fail(key, f"count = {count!r} must be a whole number, 0 or more")
            out.append(
                VehicleSpec(
                    name=name,
                    kind=self._str(key, table, "kind", "truck"),
                    count=count,
                    capacity_kg=self._num(key, table, "capacity_kg", positive=True),
                    capacity_m3=self._num(key, table, "capacity_m3", positive=True),
                    compaction=self._num(key, table, "compaction", 1.0, minimum=1.0),
                    shift_start_s=start,
                    shift_end_s=end,
                    lunch_earliest_s=self._time(key, table, "lunch_earliest", "12:00"),
                    lunch_latest_s=self._time(key, table, "lunch_latest", "13:00"),
                    lunch_s=int(self._num(key, table, "lunch_min", 60) * 60),
                    max_stops=max_stops,
                    max_load_per_day_kg=self._opt_num(key, table, "max_load_per_day_kg"),
                    weight_t=self._opt_num(key, table, "weight_t"),
                    width_m=self._opt_num(key, table, "width_m"),
                    height_m=self._opt_num(key, table, "height_m"),
                    cost_per_km=self._num(key, table, "cost_per_km", 0.0),
                    cost_per_hour=self._num(key, table, "cost_per_hour", 0.0),
                    fixed_cost=self._num(key, table, "fixed_cost", 0.0),
                    driver=self._str(key, table, "driver", ""),
                    assumption=self._str(key, table, "assumption", ""),
                )
            )
        return tuple(out)

    def _villages(self) -> tuple[VillageSpec, ...]:
        items = self.raw.get("village")
        if not isinstance(items, list) or not items:
            raise self._fail(
                "village", "at least one [[village]] is needed (name, aiyl_aimak, days)"
            )
        out = []
        for i, table in enumerate(items, 1):
            key = f"village #{i}"
            self._known(
                key, table, {"name", "aiyl_aimak", "days", "frequency", "population", "aliases"}
            )
            days = table.get("days")
            if not isinstance(days, list) or not days or not all(d in DAYS for d in days):
                raise self._fail(key, f"days = {days!r} must be a list of: {', '.join(DAYS)}")
            frequency = table.get("frequency", 1)
            if not isinstance(frequency, int) or not 1 <= frequency <= len(days):
                raise self._fail(
                    key,
                    f"frequency = {frequency!r} must be a whole number from 1 to the number of days listed ({len(days)})",
                )
            aliases = table.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise self._fail(key, "aliases must be a list of text")
            pop = table.get("population")
            if pop is not None and (not isinstance(pop, int) or pop < 0):
                raise self._fail(key, f"population = {pop!r} must be a whole number")
            out.append(
                VillageSpec(
                    name=self._str(key, table, "name"),
                    aiyl_aimak=self._str(key, table, "aiyl_aimak", ""),
                    days=tuple(d for d in DAYS if d in days),
                    frequency=frequency,
                    population=pop,
                    aliases=tuple(aliases),
                )
            )
        return tuple(out)

    def _tariffs(self) -> dict[str, float]:
        table = self._table("tariff", required=False)
        out = {}
        for aimak in table:
            out[aimak] = self._num("tariff", table, aimak, positive=True)
        return out
