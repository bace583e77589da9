"""One scenario file (TOML) holds every input of a plan; this module reads and validates it.

A manager edits the file by hand, so every wrong value gets an error that names the file, the key and
what is allowed. Paths inside a file are relative to that file.

A scenario may be a small change to another: ``extends = "../taza-aimak/scenario.toml"`` at the top
reads that file first and lays this one over it (see :func:`read_layers` for the rules). Every value
keeps the file it came from, so ``taza-route check`` can show the merged scenario key by key and an
error names the file that wrote the wrong value.

Prices (``[costs]``, the cost keys of ``[[vehicle]]`` and ``[[landfill]]``, ``[[property]]``) are
written either as a number or as ``{ value = 68, source = "..." }`` / ``{ value = 0.8, assumption =
"..." }``: each price carries its evidence beside it, so one edit changes a price and its label.
Prices marked as assumptions (or given without a source) join :attr:`Scenario.assumptions`, which
``summary.json`` repeats.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from routing.errors import InputError, Localized, library_text
from routing.normalize import place_key
from routing.profile import DENIED_ACCESS, check_names

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGES: tuple[str, ...] = ("ky", "ru", "en")
#: A vehicle's road rules in ``[[vehicle]]``: lists of ``highway`` values / access values.
VEHICLE_ROAD_KEYS = ("roads_banned", "roads_allowed", "access_allowed")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# arrays of tables whose entries an extending file overrides, adds or removes by `name`
NAMED_ARRAYS: tuple[str, ...] = ("landfill", "vehicle", "village", "settlement", "property")
# keys holding a path, made absolute against the file that wrote them (so a base keeps its files)
_PATH_KEYS: dict[str, tuple[str, ...]] = {
    "network": ("source",),
    "register": ("households", "containers", "corrections", "aliases"),
    "costs": ("property_register",),
    "output": ("dir",),
    "settlement": ("register",),
    "area": ("polygon",),
}
_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)(?:\[([^\]]+)\])?$")
OVERRIDE = "override"
HOUSEHOLDS_FROM: tuple[str, ...] = ("register", "buildings", "population")


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
    """A landfill with opening hours (seconds since midnight), unloading time and gate fee."""

    open_s: int = 0
    close_s: int = 24 * 3600
    unload_s: int = 900
    fee_som_per_t: float = 0.0


@dataclass(frozen=True)
class VehicleSpec:
    """A kind of vehicle in the fleet; ``count`` identical ones.

    The cost keys (``fuel_l_per_100km`` … ``crew``) are read by :mod:`routing.costs` only; the
    solver's objective uses ``cost_per_km``, ``cost_per_hour`` and ``fixed_cost``.
    """

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
    fuel_l_per_100km: float = 0.0
    fuel_l_per_stop: float = 0.0
    fuel_l_per_landfill: float = 0.0
    maintenance_som_per_km: float = 0.0
    crew: int = 1
    roads_banned: tuple[str, ...] = ()
    roads_allowed: tuple[str, ...] = ()
    access_allowed: tuple[str, ...] = ()


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
class SettlementSpec:
    """A settlement added by a scenario: where it is and where its households come from.

    Exactly one of ``place`` (an OSM place name), ``polygon`` ((lon, lat) corners) or
    ``lat``/``lon`` says where; ``households_from`` is ``"register"`` (``register`` file),
    ``"buildings"`` (residential buildings of the OSM file inside the polygon, or within ``radius_m``
    of the place) or ``"population"`` (``population / household_size`` households spread within
    ``radius_m``). Its collection days are those of the village of the same name.
    """

    name: str
    aiyl_aimak: str
    households_from: str
    place: str | None = None
    polygon: tuple[tuple[float, float], ...] | None = None
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    register: Path | None = None
    household_size: float = 4.7
    radius_m: float | None = None
    assumption: str = ""


@dataclass(frozen=True)
class Prices:
    """Market prices and rates of the cost model (som), with the month depreciation is counted for."""

    diesel_som_per_l: float
    co2_kg_per_l: float
    wage_som_per_hour: float
    overtime_factor: float
    overhead_som_per_month: float
    collection_rate: float
    as_of: dt.date


@dataclass(frozen=True)
class PropertyItem:
    """One line of the property register: depreciated straight-line over its life."""

    name: str
    price_som: float
    purchased: dt.date
    life_months: int
    salvage_som: float = 0.0
    note: str = ""
    where: str = ""


@dataclass(frozen=True)
class Layers:
    """A scenario file merged over the files it extends.

    ``raw`` is the merged TOML; ``origins`` maps each dotted key (``vehicle[Truck].count``) to the
    file that set it (or ``"override"``); ``files`` lists the file, then what it extends, base last.
    """

    raw: dict[str, Any]
    origins: dict[str, str]
    files: tuple[Path, ...]


@dataclass(frozen=True)
class AreaSpec:
    """``[area]`` of a scenario.

    Attributes
    ----------
    bbox
        ``(west, south, east, north)`` in degrees, or None.
    polygon
        A GeoJSON (or any file geopandas reads) whose features together are the area, or None.
    places
        Names of the places (villages) the plan covers; empty for no limit by name.
    """

    bbox: tuple[float, float, float, float] | None = None
    polygon: Path | None = None
    places: tuple[str, ...] = ()

    @property
    def limited(self) -> bool:
        """True when the area limits anything."""
        return self.bbox is not None or self.polygon is not None or bool(self.places)


@dataclass(frozen=True)
class Scenario:
    """Everything a plan needs, read from one TOML file (and the files it extends)."""

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
    prices: Prices | None = None
    property_items: tuple[PropertyItem, ...] = ()
    price_labels: Mapping[str, str] = field(default_factory=dict)
    settlements: tuple[SettlementSpec, ...] = ()
    base_households: Path | None = None
    origins: Mapping[str, str] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    aliases: Path | None = None  # [register] aliases: a user's alias file (routing.geocode)
    area: AreaSpec = field(default_factory=lambda: AreaSpec())
    #: extra searches per day to shorten its longest vehicle-day (`routing.balance`); 0 = off
    balance_rounds: int = 2

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
    """Read and validate a scenario file, following its ``extends`` chain.

    Parameters
    ----------
    path
        The TOML file.
    overrides
        Values that replace those of the file, by dotted key (``{"solver.time_limit_s": 5}``;
        ``vehicle.count`` sets every vehicle, ``vehicle[Compactor truck].count`` one of them).

    Returns
    -------
    Scenario
        With ``settlements`` added, its ``households`` is a derived register (see
        :mod:`routing.settlements`); ``base_households`` is the register the file names.

    Raises
    ------
    ScenarioError
        Naming the file, the key and what is allowed.
    """
    layers = apply_overrides(read_layers(path), overrides or {})
    scenario = _Reader(Path(path), layers).scenario()
    if scenario.settlements:
        from routing.settlements import with_settlements  # reads the OSM file: only when needed

        scenario = with_settlements(scenario)
    return scenario


def parse_time(text: str, *, where: str) -> int:
    """Parse ``"HH:MM"`` into seconds since midnight."""
    m = _TIME_RE.match(str(text).strip())
    if not m:
        msg = '{where}: {text!r} is not a time of day; write it as HH:MM, e.g. "08:00"'
        raise ScenarioError(msg, where=where, text=text)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


# --- extends: layers, merge rules and where each value came from -------------------------------


def read_layers(path: str | Path, *, _chain: tuple[Path, ...] = ()) -> Layers:
    """Read a scenario file and the files it ``extends``, merged base first.

    Merge rules: tables merge key by key; a value (number, text, list, date) replaces the base's;
    a labelled price (``{ value = …, source = … }``) is one value and may be replaced by a number;
    ``[[landfill]]``, ``[[vehicle]]``, ``[[village]]``, ``[[settlement]]`` and ``[[property]]``
    entries match the base's by ``name``: a known name overrides those keys of that entry, a new
    name adds an entry, ``remove = true`` drops it. Paths are relative to the file that wrote them.

    Parameters
    ----------
    path
        The scenario file.

    Returns
    -------
    Layers

    Raises
    ------
    ScenarioError
        A missing or invalid file, a cycle of ``extends``, or an override that does not fit the
        base (a table replaced by a value, an entry without a name, removing an unknown name).
    """
    path = Path(path)
    raw = _read_toml(path)
    _absolute_paths(raw, path)
    extends = raw.pop("extends", None)
    if extends is None:
        return Layers(raw=raw, origins=dict.fromkeys(_leaves(raw), str(path)), files=(path,))
    if not isinstance(extends, str) or not extends:
        msg = "{file}: [top level] extends = {extends!r} must be the path of a scenario file"
        raise ScenarioError(msg, file=path, field="extends", extends=extends)
    base_path = (path.parent / extends).resolve()
    seen = [p.resolve() for p in (*_chain, path)]
    if base_path in seen:
        loop = " -> ".join(str(p) for p in (*seen[seen.index(base_path) :], base_path))
        msg = "{file}: [top level] extends = {extends!r} makes a cycle: {loop}"
        raise ScenarioError(msg, file=path, field="extends", extends=extends, loop=loop)
    if not base_path.exists():
        msg = "{file}: [top level] extends = {extends!r}: file not found ({base_path})"
        raise ScenarioError(msg, file=path, field="extends", extends=extends, base_path=base_path)
    base = read_layers(base_path, _chain=(*_chain, path))
    origins = dict(base.origins)
    merged = _merge(base.raw, raw, file=str(path), origins=origins, prefix="")
    return Layers(raw=merged, origins=origins, files=(path, *base.files))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = "scenario file not found: {file}"
        raise ScenarioError(msg, file=path) from None
    except tomllib.TOMLDecodeError as exc:
        msg = "{file}: not valid TOML: {detail}"
        raise ScenarioError(msg, file=path, detail=library_text(exc)) from None


def _absolute_paths(raw: dict[str, Any], path: Path) -> None:
    """Relative paths of a file become absolute, so a file extending it from elsewhere keeps them."""
    for table_key, names in _PATH_KEYS.items():
        tables = raw.get(table_key)
        for table in tables if isinstance(tables, list) else [tables]:
            if not isinstance(table, dict):
                continue
            for name in names:
                value = table.get(name)
                if isinstance(value, str) and value and not _is_remote(value):
                    table[name] = str((path.parent / value).resolve())


def _is_remote(source: str) -> bool:
    return "://" in source or source.startswith(("place:", "bbox:"))


def _is_labelled(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value


def _items(raw: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every value with its dotted key; named array entries as ``vehicle[Truck].count``."""
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if not prefix and key in NAMED_ARRAYS and isinstance(value, list):
            for i, entry in enumerate(value, 1):
                if isinstance(entry, dict):
                    yield from _items(entry, f"{_entry_key(key, entry, i)}.")
        elif isinstance(value, dict) and not _is_labelled(value):
            yield from _items(value, f"{dotted}.")
        else:
            yield dotted, value


def _leaves(raw: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    return (key for key, _ in _items(raw, prefix))


def _entry_key(array: str, entry: Mapping[str, Any], index: int) -> str:
    name = entry.get("name")
    return f"{array}[{name}]" if isinstance(name, str) else f"{array}[#{index}]"


def _drop_origins(origins: dict[str, str], prefix: str) -> None:
    for old in [k for k in origins if k == prefix or k.startswith(f"{prefix}.")]:
        del origins[old]


def _set_origins(origins: dict[str, str], prefix: str, value: Any, file: str) -> None:
    _drop_origins(origins, prefix)
    if isinstance(value, dict) and not _is_labelled(value):
        origins.update(dict.fromkeys((f"{prefix}.{k}" for k in _leaves(value)), file))
    else:
        origins[prefix] = file


def _merge(
    base: Mapping[str, Any],
    child: Mapping[str, Any],
    *,
    file: str,
    origins: dict[str, str],
    prefix: str,
) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in child.items():
        dotted = f"{prefix}{key}"
        old = out.get(key)
        if not prefix and key in NAMED_ARRAYS:
            out[key] = _merge_array(old or [], value, key=key, file=file, origins=origins)
        elif isinstance(old, dict) and not _is_labelled(old):
            if not isinstance(value, dict) or _is_labelled(value):
                first = next((k for k in origins if k.startswith(f"{dotted}.")), "")
                msg = (
                    "{file}: [{key}] = {value!r} replaces a table of {base}; "
                    "override its keys one by one ([{key}] key = value)"
                )
                if first not in origins:  # an empty table in the base
                    msg = "{file}: [{key}] = {value!r} replaces a table; write it as a table"
                raise ScenarioError(
                    msg, file=Path(file), key=dotted, value=value, base=origins.get(first)
                )
            out[key] = _merge(old, value, file=file, origins=origins, prefix=f"{dotted}.")
        else:
            out[key] = copy.deepcopy(value)
            _set_origins(origins, dotted, value, file)
    return out


def _merge_array(
    base: Any, child: Any, *, key: str, file: str, origins: dict[str, str]
) -> list[dict[str, Any]]:
    if not isinstance(child, list) or not isinstance(base, list):
        msg = "{file}: [{key}] must be written as [[{key}]] entries"
        raise ScenarioError(msg, file=Path(file), key=key)
    entries = {_entry_key(key, e, i): copy.deepcopy(e) for i, e in enumerate(base, 1)}
    for i, item in enumerate(child, 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            msg = (
                "{file}: [{key} #{number}] needs a name: an entry overrides the {key} of that "
                "name in the file it extends, or adds a new one"
            )
            raise ScenarioError(msg, file=Path(file), key=key, number=i)
        where = _entry_key(key, item, i)
        if "remove" in item:
            if item["remove"] is not True or where not in entries:
                known = ", ".join(repr(k[len(key) + 1 : -1]) for k in entries) or "—"
                msg = "{file}: [{where}] remove = {remove!r} needs remove = true and a name of the base's {key} entries ({known})"
                raise ScenarioError(
                    msg, file=Path(file), where=where, remove=item["remove"], key=key, known=known
                )
            del entries[where]
            _drop_origins(origins, where)
        elif where in entries:
            entries[where] = _merge(
                entries[where], item, file=file, origins=origins, prefix=f"{where}."
            )
        else:
            entries[where] = copy.deepcopy(item)
            _set_origins(origins, where, item, file)
    return list(entries.values())


def apply_overrides(
    layers: Layers, overrides: Mapping[str, Any], *, origin: str = OVERRIDE
) -> Layers:
    """Layers with values replaced by dotted key (see :func:`load_scenario`).

    Raises
    ------
    ScenarioError
        A key that names an entry the scenario does not have, or goes through a value.
    """
    raw = copy.deepcopy(layers.raw)
    origins = dict(layers.origins)
    for dotted, value in overrides.items():
        for where, node, last in _targets(raw, dotted):
            node[last] = value
            _set_origins(origins, where, value, origin)
    return Layers(raw=raw, origins=origins, files=layers.files)


def _targets(raw: dict[str, Any], dotted: str) -> list[tuple[str, dict[str, Any], str]]:
    """The tables an override key writes into, with its dotted origin key and the last name."""
    *parents, last = dotted.split(".")
    nodes: list[tuple[str, dict[str, Any]]] = [("", raw)]
    for part in parents:
        m = _KEY_RE.match(part)
        if m is None:
            msg = "override {dotted!r}: {part!r} is not a key (write e.g. vehicle[Truck].count)"
            raise ScenarioError(msg, dotted=dotted, part=part)
        name, selector = m.groups()
        step: list[tuple[str, dict[str, Any]]] = []
        for where, node in nodes:
            child = node.setdefault(name, [] if name in NAMED_ARRAYS and not where else {})
            if isinstance(child, list):
                picked = [
                    (_entry_key(name, e, i), e)
                    for i, e in enumerate(child, 1)
                    if isinstance(e, dict) and selector in (None, e.get("name"))
                ]
                if not picked:
                    msg = "override {dotted!r}: no [[{name}]] entry named {selector!r}"
                    raise ScenarioError(msg, dotted=dotted, name=name, selector=selector)
                step += picked
            elif isinstance(child, dict) and selector is None:
                step.append((f"{where}{name}" if not where else f"{where}.{name}", child))
            else:
                msg = "override {dotted!r}: [{name}] is not a table"
                raise ScenarioError(msg, dotted=dotted, name=name)
        nodes = step
    return [(f"{w}.{last}" if w else last, node, last) for w, node in nodes]


def describe(layers: Layers) -> list[tuple[str, Any, str]]:
    """The merged scenario as ``(dotted key, value, file it came from)``, in file order."""
    return [(key, value, layers.origins.get(key, "")) for key, value in _items(layers.raw)]


class _Reader:
    """Pulls typed values out of the merged TOML, naming the file and key in every error."""

    def __init__(self, path: Path, layers: Layers) -> None:
        self.path = path
        self.raw = layers.raw
        self.layers = layers
        self.labels: dict[str, str] = {}
        self.label_notes: list[str] = []
        # each table's dotted key, found by identity, so an error can name the file that set a value
        self._keys: dict[int, str] = {}
        self._index(self.raw, "")

    def _index(self, raw: Mapping[str, Any], prefix: str) -> None:
        for key, value in raw.items():
            if not prefix and key in NAMED_ARRAYS and isinstance(value, list):
                for i, entry in enumerate(value, 1):
                    if isinstance(entry, dict):
                        self._keys[id(entry)] = _entry_key(key, entry, i)
                        self._index(entry, f"{_entry_key(key, entry, i)}.")
            elif isinstance(value, dict) and not _is_labelled(value):
                self._keys[id(value)] = f"{prefix}{key}"
                self._index(value, f"{prefix}{key}.")

    def _file_of(self, table: Mapping[str, Any] | None, name: str | None) -> str:
        if table is None or len(self.layers.files) == 1:
            return str(self.path)
        dotted = self._keys.get(id(table), "")
        origins = self.layers.origins
        if name is not None and f"{dotted}.{name}" in origins:
            return origins[f"{dotted}.{name}"]
        inner = [v for k, v in origins.items() if not dotted or k.startswith(f"{dotted}.")]
        return inner[-1] if inner else str(self.path)

    def _fail(
        self,
        key: str,
        template: str,
        *,
        table: Mapping[str, Any] | None = None,
        name: str | None = None,
        **params: Any,
    ) -> ScenarioError:
        """The error of ``[key] name``: ``template`` filled with ``{origin}`` (the file that wrote
        the value, or "override"), ``{field}`` (the key), ``{name}`` and ``params``."""
        origin = self._file_of(table, name)
        where = self.path if origin == OVERRIDE else Path(origin)
        return ScenarioError(template, file=where, field=key, origin=origin, name=name, **params)

    def _table(self, key: str, *, required: bool = True) -> dict[str, Any]:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise self._fail(
                    key,
                    "{origin}: [{field}] is missing; see data/taza-aimak/scenario.toml for an example",
                )
            return {}
        if not isinstance(value, dict):
            raise self._fail(key, "{origin}: [{field}] must be a table")
        return value

    def _known(self, key: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self._fail(
                key,
                "{origin}: [{field}] unknown key {name!r}; allowed: {allowed}",
                table=table,
                name=unknown[0],
                allowed=", ".join(sorted(allowed)),
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
            raise self._fail(
                key, "{origin}: [{field}] {name} is missing (a number)", table=table, name=name
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = "{origin}: [{field}] {name} = {value!r} must be a number"
            raise self._fail(key, msg, table=table, name=name, value=value)
        if positive and value <= 0:
            msg = "{origin}: [{field}] {name} = {value!r} must be greater than 0"
            raise self._fail(key, msg, table=table, name=name, value=value)
        if value < minimum:
            msg = "{origin}: [{field}] {name} = {value!r} must be at least {minimum:g}"
            raise self._fail(key, msg, table=table, name=name, value=value, minimum=minimum)
        return float(value)

    def _opt_num(self, key: str, table: Mapping[str, Any], name: str) -> float | None:
        if table.get(name) is None:
            return None
        return self._num(key, table, name, positive=True)

    def _int(
        self, key: str, table: Mapping[str, Any], name: str, default: int, *, minimum: int
    ) -> int:
        value = table.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._fail(
                key,
                "{origin}: [{field}] {name} = {value!r} must be a whole number, {minimum} or more",
                table=table,
                name=name,
                value=value,
                minimum=minimum,
            )
        return value

    def _str(
        self, key: str, table: Mapping[str, Any], name: str, default: str | None = None
    ) -> str:
        value = table.get(name, default)
        if value is None:
            raise self._fail(
                key, "{origin}: [{field}] {name} is missing (text)", table=table, name=name
            )
        if not isinstance(value, str):
            msg = "{origin}: [{field}] {name} = {value!r} must be text in quotes"
            raise self._fail(key, msg, table=table, name=name, value=value)
        return value

    def _choice(
        self, key: str, table: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str
    ) -> str:
        value = self._str(key, table, name, default)
        if value not in allowed:
            raise self._fail(
                key,
                "{origin}: [{field}] {name} = {value!r} is not one of: {allowed}",
                table=table,
                name=name,
                value=value,
                allowed=", ".join(allowed),
            )
        return value

    def _time(self, key: str, table: Mapping[str, Any], name: str, default: str) -> int:
        where = f"{self._file_of(table, name)}: [{key}] {name}"
        return parse_time(self._str(key, table, name, default), where=where)

    def _date(self, key: str, table: Mapping[str, Any], name: str) -> dt.date | None:
        value = table.get(name)
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            raise self._fail(
                key,
                "{origin}: [{field}] {name} = {value!r} must be a date like 2026-11-30 (no quotes)",
                table=table,
                name=name,
                value=value,
            )
        return value

    def _str_list(self, key: str, table: Mapping[str, Any], name: str) -> tuple[str, ...]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            msg = "{origin}: [{field}] {name} must be a list of text"
            raise self._fail(key, msg, table=table, name=name)
        return tuple(value)

    def _file(
        self, key: str, table: Mapping[str, Any], name: str, *, required: bool
    ) -> Path | None:
        value = table.get(name)
        if value is None or value == "":
            if required:
                msg = "{origin}: [{field}] {name} is missing (a path relative to the scenario file)"
                raise self._fail(key, msg, table=table, name=name)
            return None
        if not isinstance(value, str):
            msg = "{origin}: [{field}] {name} = {value!r} must be a path in quotes"
            raise self._fail(key, msg, table=table, name=name, value=value)
        origin = self._file_of(table, name)
        file = self.path if origin == OVERRIDE else Path(origin)
        path = (file.parent / value).resolve()
        if not path.exists():
            shown = Path(value).name if Path(value).is_absolute() else value
            msg = "{origin}: [{field}] {name} = {value!r}: file not found ({path})"
            raise self._fail(key, msg, table=table, name=name, value=shown, path=path)
        return path

    def _site(self, key: str, table: Mapping[str, Any]) -> tuple[str, float, float, str]:
        name = self._str(key, table, "name")
        lat = self._num(key, table, "lat", minimum=-90)
        lon = self._num(key, table, "lon", minimum=-180)
        if lat > 90 or lon > 180:
            msg = "{origin}: [{field}] lat/lon = {lat}, {lon} are not WGS84 degrees"
            raise self._fail(key, msg, table=table, name="lat", lat=lat, lon=lon)
        return name, lat, lon, self._str(key, table, "assumption", "")

    def _priced(
        self,
        key: str,
        table: Mapping[str, Any],
        name: str,
        *,
        required: bool,
        maximum: float | None = None,
    ) -> float:
        """A price or rate: a number or ``{ value, source | assumption }``; its label is kept."""
        value = table.get(name)
        dotted = f"{self._keys.get(id(table), key)}.{name}"
        if value is None and not required:
            self._label(dotted, 0.0, "assumption", "not given in the scenario: 0")
            return 0.0
        if isinstance(value, dict):
            allowed = {"value", "source", "assumption"}
            if set(value) - allowed or len(set(value) & {"source", "assumption"}) != 1:
                raise self._fail(
                    key,
                    '{origin}: [{field}] {name} = {value!r}: write {{ value = …, source = "…" }} or {{ value = …, assumption = "…" }}',
                    table=table,
                    name=name,
                    value=value,
                )
            kind = "source" if "source" in value else "assumption"
            number = self._num(key, value, "value")
            self._label(dotted, number, kind, self._str(key, value, kind))
        else:
            number = self._num(key, table, name)
            self._label(
                dotted,
                number,
                "assumption",
                f"given in {Path(self._file_of(table, name)).name} without a source",
            )
        if maximum is not None and number > maximum:
            msg = "{origin}: [{field}] {name} = {value:g} must be at most {maximum:g}"
            raise self._fail(key, msg, table=table, name=name, value=number, maximum=maximum)
        return number

    def _label(self, dotted: str, value: float, kind: str, text: str) -> None:
        self.labels[dotted] = f"{kind}: {text}"
        if kind == "assumption":
            shown = f"{value:,.0f}" if value == int(value) else f"{value:g}"
            self.label_notes.append(f"{dotted} = {shown}: {text}")

    # --- the scenario, section by section ---------------------------------------------------

    def scenario(self) -> Scenario:
        self._known("top level", self.raw, {
            "scenario", "network", "register", "waste", "solver", "depot", "landfill", "vehicle",
            "village", "tariff", "output", "costs", "property", "settlement", "area",
        })  # fmt: skip
        head = {**self._head(), **self._register()}
        settlements, extra_villages = self._settlements(head["household_size"])
        villages = self._villages() + extra_villages
        names = [v.name for v in villages]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise self._fail(
                "settlement",
                "{origin}: [{field}] {village!r} is already a [[village]]; give the settlement its own name",
                village=twice,
            )
        parts: dict[str, Any] = {
            **self._network(),
            **self._waste(),
            "depot": self._depot(),
            "landfills": self._landfills(),
            "fleet": self._fleet(),
            "villages": villages,
            "tariffs": self._tariffs(),
            "settlements": settlements,
        }
        prices, items = self._costs(head["week_start"])
        assumptions = (*head.pop("assumptions"), *self.label_notes)
        return Scenario(
            **head,
            **parts,
            prices=prices,
            property_items=items,
            price_labels=dict(self.labels),
            base_households=head["households"],
            origins=dict(self.layers.origins),
            files=tuple(p.resolve() for p in self.layers.files),
            assumptions=assumptions,
            area=self._area(),
        )

    def _area(self) -> AreaSpec:
        """``[area]``: the plan's bbox, polygon file and/or place names (all optional)."""
        table = self._table("area", required=False)
        self._known("area", table, {"bbox", "polygon", "places"})
        bbox = table.get("bbox")
        if bbox is not None:
            ok = isinstance(bbox, list) and len(bbox) == 4
            ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in bbox)
            if not ok or not (-180 <= bbox[0] < bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90):
                raise self._fail(
                    "area",
                    "{origin}: [{field}] bbox = {value!r} must be [west, south, east, north] in "
                    "degrees, e.g. [72.45, 41.85, 72.98, 42.02]",
                    table=table,
                    name="bbox",
                    value=bbox,
                )
            bbox = tuple(float(v) for v in bbox)
        places = table.get("places", [])
        if not isinstance(places, list) or not all(isinstance(p, str) and p for p in places):
            raise self._fail(
                "area",
                "{origin}: [{field}] places = {value!r} must be a list of place names",
                table=table,
                name="places",
                value=places,
            )
        polygon = self._file("area", table, "polygon", required=False)
        return AreaSpec(bbox=bbox, polygon=polygon, places=tuple(places))

    def _head(self) -> dict[str, Any]:
        sc = self._table("scenario")
        self._known("scenario", sc, {"name", "language", "week_start", "assumptions", "currency"})
        solver = self._table("solver", required=False)
        self._known("solver", solver, {"seed", "time_limit_s", "max_iterations", "balance_rounds"})
        max_it = solver.get("max_iterations")
        if max_it is not None and (not isinstance(max_it, int) or max_it <= 0):
            raise self._fail(
                "solver",
                "{origin}: [{field}] {name} = {value!r} must be a positive whole number",
                table=solver,
                name="max_iterations",
                value=max_it,
            )
        out = self._table("output", required=False)
        self._known("output", out, {"dir"})
        return {
            "path": self.path.resolve(),
            "name": self._str("scenario", sc, "name"),
            "language": self._choice("scenario", sc, "language", LANGUAGES, "ru"),
            "seed": int(self._num("solver", solver, "seed", 1)),
            "time_limit_s": self._num("solver", solver, "time_limit_s", 10.0, positive=True),
            "max_iterations": max_it,
            "balance_rounds": int(self._num("solver", solver, "balance_rounds", 2)),
            "week_start": self._date("scenario", sc, "week_start"),
            "currency": self._str("scenario", sc, "currency", "som"),
            "output_dir": (self.path.parent / self._str("output", out, "dir")).resolve()
            if "dir" in out
            else Path("maps").resolve(),
            "assumptions": self._str_list("scenario", sc, "assumptions"),
        }

    def _network(self) -> dict[str, Any]:
        net = self._table("network")
        self._known("network", net, {"source", "synthetic", "max_snap_m", "profile"})
        source = self._str("network", net, "source")
        if not _is_remote(source):
            source = str(self._file("network", net, "source", required=True))
        synthetic = net.get("synthetic", False)
        if not isinstance(synthetic, bool):
            raise self._fail(
                "network",
                "{origin}: [{field}] {name} = {value!r} must be true or false",
                table=net,
                name="synthetic",
                value=synthetic,
            )
        profile = net.get("profile", {})
        if not isinstance(profile, dict):
            msg = "{origin}: [{field}] must be a table"
            raise self._fail("network.profile", msg, table=net, name="profile")
        return {
            "osm": source,
            "synthetic": synthetic,
            "max_snap_m": self._num("network", net, "max_snap_m", 250.0, positive=True),
            "profile": profile,
        }

    def _register(self) -> dict[str, Any]:
        reg = self._table("register", required=False)
        self._known(
            "register",
            reg,
            {"households", "containers", "corrections", "aliases", "columns", "household_size"},
        )
        columns = reg.get("columns", {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise self._fail(
                "register.columns",
                "{origin}: [{field}] must map canonical names to the file's headers, as text",
                table=reg,
                name="columns",
            )
        return {
            "households": self._file("register", reg, "households", required=False),
            "households_columns": columns,
            "containers": self._file("register", reg, "containers", required=False),
            "corrections": self._file("register", reg, "corrections", required=False),
            "aliases": self._file("register", reg, "aliases", required=False),
            "household_size": self._num("register", reg, "household_size", 4.7, positive=True),
        }

    def _waste(self) -> dict[str, float]:
        waste = self._table("waste")
        self._known("waste", waste, {
            "kg_per_person_day", "bulk_density_kg_m3", "container_density_kg_m3",
            "service_s_per_household", "service_s_per_container",
        })  # fmt: skip
        return {
            "kg_per_person_day": self._num("waste", waste, "kg_per_person_day", positive=True),
            "bulk_density_kg_m3": self._num("waste", waste, "bulk_density_kg_m3", positive=True),
            "container_density_kg_m3": self._num(
                "waste", waste, "container_density_kg_m3", 150.0, positive=True
            ),
            "service_s_per_household": self._num("waste", waste, "service_s_per_household", 20.0),
            "service_s_per_container": self._num("waste", waste, "service_s_per_container", 120.0),
        }

    def _depot(self) -> Site:
        table = self._table("depot")
        self._known("depot", table, {"name", "lat", "lon", "assumption"})
        name, lat, lon, assumption = self._site("depot", table)
        return Site(name=name, lat=lat, lon=lon, assumption=assumption)

    def _entries(self, array: str, hint: str) -> list[tuple[str, dict[str, Any]]]:
        items = self.raw.get(array)
        if not isinstance(items, list) or not items or not all(isinstance(t, dict) for t in items):
            msg = "{origin}: [{field}] at least one [[{field}]] is needed ({hint})"
            raise self._fail(array, msg, hint=hint)
        return [(f"{array} #{i}", table) for i, table in enumerate(items, 1)]

    def _landfills(self) -> tuple[LandfillSpec, ...]:
        out = []
        for key, table in self._entries("landfill", "name, lat, lon, open, close, unload_min"):
            self._known(key, table, {
                "name", "lat", "lon", "assumption", "open", "close", "unload_min", "fee_som_per_t",
            })  # fmt: skip
            name, lat, lon, assumption = self._site(key, table)
            open_s = self._time(key, table, "open", "00:00")
            close_s = self._time(key, table, "close", "23:59")
            if close_s <= open_s:
                msg = "{origin}: [{field}] close must be later than open"
                raise self._fail(key, msg, table=table, name="close")
            out.append(
                LandfillSpec(
                    name=name,
                    lat=lat,
                    lon=lon,
                    assumption=assumption,
                    open_s=open_s,
                    close_s=close_s,
                    unload_s=int(self._num(key, table, "unload_min", 15) * 60),
                    fee_som_per_t=self._priced(key, table, "fee_som_per_t", required=False)
                    if "costs" in self.raw
                    else 0.0,
                )
            )
        return tuple(out)

    def _fleet(self) -> tuple[VehicleSpec, ...]:
        allowed = {
            "name", "kind", "count", "capacity_kg", "capacity_m3", "compaction", "shift_start", "shift_end",
            "lunch_earliest", "lunch_latest", "lunch_min", "max_stops", "max_load_per_day_kg", "weight_t",
            "width_m", "height_m", "cost_per_km", "cost_per_hour", "fixed_cost", "driver", "assumption",
            "fuel_l_per_100km", "fuel_l_per_stop", "fuel_l_per_landfill", "maintenance_som_per_km", "crew",
            *VEHICLE_ROAD_KEYS,
        }  # fmt: skip
        out = []
        names = set()
        for key, table in self._entries("vehicle", "name, capacity_kg, capacity_m3"):
            self._known(key, table, allowed)
            name = self._str(key, table, "name")
            if name in names:
                raise self._fail(
                    key,
                    "{origin}: [{field}] name {vehicle!r} is used twice; each vehicle needs its own name",
                    table=table,
                    name="name",
                    vehicle=name,
                )
            names.add(name)
            start = self._time(key, table, "shift_start", "08:00")
            end = self._time(key, table, "shift_end", "17:00")
            if end <= start:
                msg = "{origin}: [{field}] shift_end must be later than shift_start"
                raise self._fail(key, msg, table=table, name="shift_end")
            max_stops = table.get("max_stops")
            if max_stops is not None and (not isinstance(max_stops, int) or max_stops <= 0):
                raise self._fail(
                    key,
                    "{origin}: [{field}] {name} = {value!r} must be a positive whole number",
                    table=table,
                    name="max_stops",
                    value=max_stops,
                )
            out.append(
                VehicleSpec(
                    name=name,
                    kind=self._str(key, table, "kind", "truck"),
                    count=self._int(key, table, "count", 1, minimum=0),
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
                    **self._vehicle_costs(key, table),
                    **self._vehicle_roads(key, table),
                )
            )
        return tuple(out)

    def _vehicle_roads(self, key: str, table: Mapping[str, Any]) -> dict[str, Any]:
        """A vehicle's own road rules: highway types banned or allowed, access values allowed."""
        out: dict[str, tuple[str, ...]] = {}
        for name in VEHICLE_ROAD_KEYS:
            if name not in table:
                continue
            allowed = DENIED_ACCESS if name == "access_allowed" else None
            try:
                out[name] = check_names(table[name], name, allowed=allowed)
            except InputError as exc:  # it names the key and what is allowed, in each language
                msg = "{origin}: [{field}] {detail}"
                detail = Localized(exc.texts())
                raise self._fail(key, msg, table=table, name=name, detail=detail) from None
        return out

    def _vehicle_costs(self, key: str, table: Mapping[str, Any]) -> dict[str, Any]:
        """The cost model's keys of a vehicle, once the scenario has a [costs] table.

        A key not given counts as 0 and is listed among the assumptions ("not given in the scenario"),
        so a fleet written without them still plans and the report says what is missing.
        """
        if "costs" not in self.raw:
            return {"crew": self._int(key, table, "crew", 1, minimum=1)}
        return {
            "fuel_l_per_100km": self._priced(key, table, "fuel_l_per_100km", required=False),
            "fuel_l_per_stop": self._priced(key, table, "fuel_l_per_stop", required=False),
            "fuel_l_per_landfill": self._priced(key, table, "fuel_l_per_landfill", required=False),
            "maintenance_som_per_km": self._priced(
                key, table, "maintenance_som_per_km", required=False
            ),
            "crew": self._int(key, table, "crew", 1, minimum=1),
        }

    def _villages(self) -> tuple[VillageSpec, ...]:
        out = []
        for key, table in self._entries("village", "name, aiyl_aimak, days"):
            self._known(
                key, table, {"name", "aiyl_aimak", "days", "frequency", "population", "aliases"}
            )
            out.append(self._village(key, table))
        return tuple(out)

    def _village(self, key: str, table: Mapping[str, Any]) -> VillageSpec:
        days = table.get("days")
        if not isinstance(days, list) or not days or not all(d in DAYS for d in days):
            raise self._fail(
                key,
                "{origin}: [{field}] {name} = {value!r} must be a list of: {allowed}",
                table=table,
                name="days",
                value=days,
                allowed=", ".join(DAYS),
            )
        frequency = table.get("frequency", 1)
        if not isinstance(frequency, int) or not 1 <= frequency <= len(days):
            raise self._fail(
                key,
                "{origin}: [{field}] {name} = {value!r} must be a whole number from 1 to the number of days listed ({days})",
                table=table,
                name="frequency",
                value=frequency,
                days=len(days),
            )
        pop = table.get("population")
        if pop is not None and (not isinstance(pop, int) or pop < 0):
            msg = "{origin}: [{field}] {name} = {value!r} must be a whole number"
            raise self._fail(key, msg, table=table, name="population", value=pop)
        return VillageSpec(
            name=self._str(key, table, "name"),
            aiyl_aimak=self._str(key, table, "aiyl_aimak", ""),
            days=tuple(d for d in DAYS if d in days),
            frequency=frequency,
            population=pop,
            aliases=self._str_list(key, table, "aliases"),
        )

    def _tariffs(self) -> dict[str, float]:
        table = self._table("tariff", required=False)
        return {aimak: self._num("tariff", table, aimak, positive=True) for aimak in table}

    def _costs(self, week_start: dt.date | None) -> tuple[Prices | None, tuple[PropertyItem, ...]]:
        table = self._table("costs", required=False)
        if not table:
            if self.raw.get("property"):
                msg = "{origin}: [{field}] needs a [costs] table with the prices"
                raise self._fail("property", msg)
            return None, ()
        self._known("costs", table, {
            "as_of", "property_register", "diesel_som_per_l", "co2_kg_per_l", "wage_som_per_hour",
            "overtime_factor", "overhead_som_per_month", "collection_rate",
        })  # fmt: skip
        as_of = self._date("costs", table, "as_of") or week_start
        if as_of is None:
            raise self._fail(
                "costs",
                "{origin}: [{field}] as_of is missing: the date whose month's depreciation is counted (or set [scenario] week_start)",
            )
        prices = Prices(
            diesel_som_per_l=self._priced("costs", table, "diesel_som_per_l", required=True),
            co2_kg_per_l=self._priced("costs", table, "co2_kg_per_l", required=True),
            wage_som_per_hour=self._priced("costs", table, "wage_som_per_hour", required=True),
            overtime_factor=self._priced("costs", table, "overtime_factor", required=True),
            overhead_som_per_month=self._priced(
                "costs", table, "overhead_som_per_month", required=True
            ),
            collection_rate=self._priced(
                "costs", table, "collection_rate", required=True, maximum=1.0
            ),
            as_of=as_of,
        )
        register = self._file("costs", table, "property_register", required=False)
        items = read_property_register(register) if register else ()
        for item in items:
            kind, _, text = item.note.partition(": ")
            if kind not in ("source", "assumption") or not text:
                kind, text = "assumption", item.note or f"{item.where}: no source given"
            self._label(f"property[{item.name}].price_som", item.price_som, kind, text)
        return prices, (*items, *self._property())

    def _property(self) -> tuple[PropertyItem, ...]:
        items = self.raw.get("property", [])
        out = []
        for i, table in enumerate(items if isinstance(items, list) else [items], 1):
            key = f"property #{i}"
            if not isinstance(table, dict):
                raise self._fail(key, "{origin}: [{field}] must be a [[property]] table")
            self._known(
                key,
                table,
                {
                    "name",
                    "price_som",
                    "purchased",
                    "life_years",
                    "salvage_som",
                    "source",
                    "assumption",
                },
            )
            purchased = self._date(key, table, "purchased")
            if purchased is None:
                msg = "{origin}: [{field}] purchased is missing (a date like 2022-05-01)"
                raise self._fail(key, msg, table=table)
            note = table.get("assumption") or table.get("source") or ""
            kind = "assumption" if "assumption" in table or not note else "source"
            name = self._str(key, table, "name")
            price = self._num(key, table, "price_som", positive=True)
            self._label(f"property[{name}].price_som", price, kind, str(note) or "no source given")
            out.append(
                PropertyItem(
                    name=name,
                    price_som=price,
                    purchased=purchased,
                    life_months=round(12 * self._num(key, table, "life_years", positive=True)),
                    salvage_som=self._num(key, table, "salvage_som", 0.0),
                    note=f"{kind}: {note}",
                    where=f"{self._file_of(table, 'name')} [{key}]",
                )
            )
        return tuple(out)

    def _settlements(
        self, household_size: float
    ) -> tuple[tuple[SettlementSpec, ...], tuple[VillageSpec, ...]]:
        items = self.raw.get("settlement", [])
        specs, villages = [], []
        for i, table in enumerate(items if isinstance(items, list) else [items], 1):
            key = f"settlement #{i}"
            if not isinstance(table, dict):
                raise self._fail(key, "{origin}: [{field}] must be a [[settlement]] table")
            self._known(key, table, {
                "name", "aiyl_aimak", "days", "frequency", "aliases", "place", "polygon", "lat", "lon",
                "population", "households", "register", "household_size", "radius_m", "assumption",
            })  # fmt: skip
            village = self._village(key, table)
            specs.append(self._settlement(key, table, village, household_size))
            villages.append(village)
        return tuple(specs), tuple(villages)

    def _settlement(
        self, key: str, table: Mapping[str, Any], village: VillageSpec, household_size: float
    ) -> SettlementSpec:
        where = [k for k in ("place", "polygon", "lat") if k in table]
        if len(where) != 1:
            raise self._fail(
                key,
                "{origin}: [{field}] say where it is with exactly one of: place (an OSM place name), polygon, lat and lon",
                table=table,
            )
        polygon = None
        if "polygon" in table:
            corners = table["polygon"]
            ok = (
                isinstance(corners, list)
                and len(corners) >= 3
                and all(
                    isinstance(c, list)
                    and len(c) == 2
                    and all(isinstance(x, int | float) for x in c)
                    for c in corners
                )
            )
            if not ok:
                raise self._fail(
                    key,
                    "{origin}: [{field}] polygon must be a list of at least three [lon, lat] corners",
                    table=table,
                    name="polygon",
                )
            polygon = tuple((float(c[0]), float(c[1])) for c in corners)
        lat = lon = None
        if "lat" in table:
            _, lat, lon, _ = self._site(key, table)
        source = self._choice(key, table, "households", HOUSEHOLDS_FROM, "population")
        population = village.population
        if source == "population" and population is None:
            raise self._fail(
                key,
                '{origin}: [{field}] households = "population" needs population (residents, a whole number)',
                table=table,
            )
        if source == "buildings" and lat is not None and "radius_m" not in table:
            msg = '{origin}: [{field}] households = "buildings" around a point needs radius_m'
            raise self._fail(key, msg, table=table)
        return SettlementSpec(
            name=village.name,
            aiyl_aimak=village.aiyl_aimak,
            households_from=source,
            place=self._str(key, table, "place") if "place" in table else None,
            polygon=polygon,
            lat=lat,
            lon=lon,
            population=population,
            register=self._file(key, table, "register", required=source == "register"),
            household_size=self._num(key, table, "household_size", household_size, positive=True),
            radius_m=self._opt_num(key, table, "radius_m"),
            assumption=self._str(key, table, "assumption", ""),
        )


def read_property_register(path: Path) -> tuple[PropertyItem, ...]:
    """Read a property register (CSV): ``name, price_som, purchased, life_years[, salvage_som, note]``.

    Each row is depreciated straight-line per month from the month after ``purchased`` (a date
    ``YYYY-MM-DD``) over ``life_years``, down to ``salvage_som``, as an enterprise's own register does.

    Raises
    ------
    ScenarioError
        Naming the file, the row (the header is row 1) and the field, and how to fix it.
    """
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    need = ("name", "price_som", "purchased", "life_years")
    header = list(reader.fieldnames or [])
    missing = [n for n in need if n not in header]
    if missing:
        msg = "{file}: the header needs the columns {need} (missing: {missing})"
        raise ScenarioError(msg, file=path, need=", ".join(need), missing=", ".join(missing))
    return tuple(_property_row(path, n, row) for n, row in enumerate(rows, 2))


def _property_row(path: Path, rownum: int, row: Mapping[str, str | None]) -> PropertyItem:
    def number(field_name: str, default: str | None = None) -> float:
        text = (row.get(field_name) or default or "").strip()
        try:
            value = float(text.replace(" ", "").replace(",", "."))
        except ValueError:
            value = -1.0
        if value < 0:
            msg = "{file}: row {row}, {field} = {value!r}: write a number of 0 or more"
            raise ScenarioError(msg, file=path, row=rownum, field=field_name, value=text)
        return value

    try:
        purchased = dt.date.fromisoformat((row.get("purchased") or "").strip())
    except ValueError:
        msg = "{file}: row {row}, {field} = {value!r}: write a date as 2022-05-01"
        raise ScenarioError(
            msg, file=path, row=rownum, field="purchased", value=row.get("purchased")
        ) from None
    life = number("life_years")
    if life <= 0:
        msg = "{file}: row {row}, {field} = {value:g}: the useful life must be longer than 0"
        raise ScenarioError(msg, file=path, row=rownum, field="life_years", value=life)
    return PropertyItem(
        name=(row.get("name") or "").strip() or f"row {rownum}",
        price_som=number("price_som"),
        purchased=purchased,
        life_months=round(12 * life),
        salvage_som=number("salvage_som", "0"),
        note=(row.get("note") or "").strip(),
        where=f"{path.name} row {rownum}",
    )
