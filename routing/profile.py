"""A garbage truck's view of the roads: which ways it may use and how fast it drives them.

The profile is applied to OSM way tags (or the edge attributes osmnx makes from them) before the
graph is simplified, so every decision is taken on the tags of one real way.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from routing.errors import InputError

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "DEFAULT_SURFACE_FACTOR",
    "DENIED_ACCESS",
    "NEVER_DRIVABLE",
    "TruckProfile",
    "check_names",
    "fleet_profiles",
    "parse_length_m",
    "parse_speed_kmh",
    "parse_weight_t",
    "shared_profile",
    "union_profile",
]

#: Rural truck speeds (km/h) per ``highway`` value; a type absent here is not driven at all.
DEFAULT_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 80.0,
        "motorway_link": 50.0,
        "trunk": 70.0,
        "trunk_link": 45.0,
        "primary": 60.0,
        "primary_link": 40.0,
        "secondary": 50.0,
        "secondary_link": 35.0,
        "tertiary": 40.0,
        "tertiary_link": 30.0,
        "unclassified": 30.0,
        "residential": 25.0,
        "living_street": 10.0,
        "service": 15.0,
        "road": 25.0,
        "track": 15.0,
        "busway": 30.0,
    }
)

#: Multipliers of the speed per ``surface`` value; a surface absent here keeps full speed.
DEFAULT_SURFACE_FACTOR: Mapping[str, float] = MappingProxyType(
    {
        "sett": 0.8,
        "paving_stones": 0.9,
        "cobblestone": 0.7,
        "unhewn_cobblestone": 0.6,
        "compacted": 0.75,
        "fine_gravel": 0.65,
        "gravel": 0.6,
        "pebblestone": 0.6,
        "unpaved": 0.6,
        "dirt": 0.5,
        "earth": 0.5,
        "ground": 0.5,
        "grass": 0.4,
        "sand": 0.4,
        "mud": 0.3,
    }
)

#: ``highway`` values a truck never drives, whatever the scenario says.
NEVER_DRIVABLE: frozenset[str] = frozenset(
    {
        "footway",
        "path",
        "steps",
        "cycleway",
        "pedestrian",
        "bridleway",
        "corridor",
        "proposed",
        "construction",
        "platform",
        "elevator",
        "via_ferrata",
        "abandoned",
        "disused",
        "raceway",
        "bus_guideway",
        "escape",
    }
)

#: Access values that shut a garbage truck out; the most specific key present decides. A
#: vehicle's ``access_allowed`` may lift any of them (``agricultural`` for a tractor).
DENIED_ACCESS = frozenset({"no", "private", "agricultural", "forestry", "military", "emergency"})
_DENIED = DENIED_ACCESS
_ACCESS_KEYS = ("hgv", "motor_vehicle", "vehicle", "access")
_NO_LIMIT = frozenset({"none", "default", "unsigned", "no", "signals", "variable", ""})
_NUMBER = r"(\d+(?:[.,]\d+)?)"


def _first(value: Any) -> Any:
    """Return the first element of a list value (osmnx merges tags into lists), else the value."""
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _values(value: Any) -> list[str]:
    """Return every value of a tag as lower-case strings (lists and ``a;b`` both allowed)."""
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        if item is None or (isinstance(item, float) and math.isnan(item)):
            continue
        out.extend(part.strip().lower() for part in str(item).split(";"))
    return out


def parse_weight_t(value: Any) -> float | None:
    """Parse an OSM ``maxweight`` value to tonnes.

    Parameters
    ----------
    value
        e.g. ``"3.5"``, ``"3.5 t"``, ``"7500 kg"``, ``"10 st"`` (short tons), ``"8000 lbs"``.

    Returns
    -------
    tonnes
        The limit, or None when there is none or the value cannot be read.
    """
    text = str(value).strip().lower().replace(",", ".")
    if text in _NO_LIMIT:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(t|kg|st|lbs?|tons?)?", text)
    if not m:
        return None
    number = float(m.group(1))
    unit = m.group(2) or "t"
    scale = {"t": 1.0, "ton": 1.0, "tons": 1.0, "kg": 0.001, "st": 0.90718474}
    return number * scale.get(unit, 0.00045359237)


def parse_length_m(value: Any) -> float | None:
    """Parse an OSM ``maxwidth``/``maxheight`` value to metres.

    Parameters
    ----------
    value
        e.g. ``"2.5"``, ``"2.5 m"``, ``"250 cm"``, ``"7'6\\""``, ``"8 ft"``.

    Returns
    -------
    metres
        The limit, or None when there is none or the value cannot be read.
    """
    text = str(value).strip().lower().replace(",", ".")
    if text in _NO_LIMIT or text.startswith("below_default"):
        return None
    feet = re.fullmatch(
        r"(\d+(?:\.\d+)?)\s*(?:'|ft|feet)\s*(?:(\d+(?:\.\d+)?)\s*(?:\"|in|''))?", text
    )
    if feet:
        inches = float(feet.group(2) or 0.0)
        return float(feet.group(1)) * 0.3048 + inches * 0.0254
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(m|cm|mm)?", text)
    if not m:
        return None
    return float(m.group(1)) * {"m": 1.0, "cm": 0.01, "mm": 0.001}[m.group(2) or "m"]


def parse_speed_kmh(value: Any) -> float | None:
    """Parse an OSM ``maxspeed`` value (``"50"``, ``"30 mph"``, ``"20 knots"``) to km/h."""
    text = str(value).strip().lower().replace(",", ".")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?", text)
    if not m:
        return None
    number = float(m.group(1))
    scale = {"mph": 1.609344, "knots": 1.852}
    return number * scale.get(m.group(2) or "", 1.0) or None


@dataclass(frozen=True)
class TruckProfile:
    """How a garbage truck uses the roads.

    Attributes
    ----------
    weight_t, width_m, height_m
        The loaded vehicle, checked against ``maxweight``, ``maxwidth`` and ``maxheight``.
    speeds_kmh
        Driving speed per ``highway`` value; types absent here are not driven.
    surface_factor
        Speed multiplier per ``surface`` value (unpaved, gravel, dirt ... much slower).
    collect_speed_kmh
        Speed while driving a street and collecting from it.
    uturn_penalty_s
        Seconds a U-turn costs a leg of the planned routes (``routing.turns``): where going round
        the block is quicker, routes do that instead.
    banned_highways
        ``highway`` values this vehicle never drives although they have a speed (e.g. ``track``
        for a compactor whose overhang scrapes).
    allowed_access
        Access values that shut trucks out by default but not this vehicle (e.g.
        ``agricultural`` and ``forestry`` for a tractor with a trailer).
    """

    weight_t: float = 16.0
    width_m: float = 2.55
    height_m: float = 3.6
    speeds_kmh: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_SPEEDS_KMH), hash=False
    )
    surface_factor: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_SURFACE_FACTOR), hash=False
    )
    collect_speed_kmh: float = 8.0
    uturn_penalty_s: float = 60.0
    banned_highways: frozenset[str] = frozenset()
    allowed_access: frozenset[str] = frozenset()

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any], *, where: str) -> TruckProfile:
        """Build a profile from scenario overrides, validating every key and value.

        ``speeds_kmh`` and ``surface_factor`` are merged into the defaults, so a scenario names
        only what it changes.

        Parameters
        ----------
        d
            Overrides, e.g. ``{"weight_t": 12, "speeds_kmh": {"track": 10}}``.
        where
            Where the mapping came from (e.g. ``"scenario.toml [truck]"``), used in errors.

        Returns
        -------
        profile

        Raises
        ------
        routing.errors.InputError
            On an unknown key or a value that is not allowed.
        """
        allowed = [f.name for f in fields(cls)]
        kwargs: dict[str, Any] = {}
        for key, value in d.items():
            if key not in allowed:
                msg = "{where}: unknown key {key!r}; allowed keys: {allowed}"
                raise InputError(msg, field=key, where=where, key=key, allowed=", ".join(allowed))
            if key == "speeds_kmh":
                kwargs[key] = {**DEFAULT_SPEEDS_KMH, **_check_table(value, where, key, speeds=True)}
            elif key == "surface_factor":
                kwargs[key] = {**DEFAULT_SURFACE_FACTOR, **_check_table(value, where, key)}
            elif key == "banned_highways":
                kwargs[key] = frozenset(check_names(value, f"{where}: {key}"))
            elif key == "allowed_access":
                kwargs[key] = frozenset(check_names(value, f"{where}: {key}", allowed=_DENIED))
            else:
                low = 0.0 if key == "uturn_penalty_s" else None
                kwargs[key] = _check_number(value, f"{where}: {key}", low=low)
        return cls(**kwargs)

    def cache_key(self) -> str:
        """Return a stable hash of every setting (used to key cached networks)."""
        data = asdict(self)
        data["speeds_kmh"] = dict(sorted(self.speeds_kmh.items()))
        data["surface_factor"] = dict(sorted(self.surface_factor.items()))
        data["banned_highways"] = sorted(self.banned_highways)
        data["allowed_access"] = sorted(self.allowed_access)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def refusal(self, edge_data: Mapping[str, Any]) -> str | None:
        """Return why a truck may not use a way (None when it may).

        Parameters
        ----------
        edge_data
            OSM way tags or osmnx edge attributes (list values allowed).
        """
        highway = _first(edge_data.get("highway"))
        if highway is None:
            return "not a road"
        highway = str(highway)
        if highway in NEVER_DRIVABLE or highway not in self.speeds_kmh:
            return f"highway={highway} is not driven by trucks"
        if highway in self.banned_highways:
            return f"highway={highway} is banned for this vehicle"
        denied = _DENIED - self.allowed_access
        for key in _ACCESS_KEYS:
            values = _values(edge_data.get(key))
            if values:
                if any(v in denied for v in values):
                    return f"{key}={';'.join(values)}"
                break  # the most specific key present decides
        limits = (
            ("maxweight", parse_weight_t, self.weight_t),
            ("maxwidth", parse_length_m, self.width_m),
            ("maxheight", parse_length_m, self.height_m),
        )
        for key, parse, ours in limits:
            for value in _values(edge_data.get(key)):
                limit = parse(value)
                if limit is not None and limit < ours:
                    return f"{key}={value} is below the truck ({ours:g})"
        return None

    def for_vehicle(
        self,
        *,
        weight_t: float | None = None,
        width_m: float | None = None,
        height_m: float | None = None,
        roads_banned: Iterable[str] = (),
        roads_allowed: Iterable[str] = (),
        access_allowed: Iterable[str] = (),
    ) -> TruckProfile:
        """Return this profile fitted to one vehicle type.

        Parameters
        ----------
        weight_t, width_m, height_m
            The vehicle's size (None keeps this profile's).
        roads_banned
            ``highway`` values the vehicle may not drive, added to this profile's bans.
        roads_allowed
            ``highway`` values it may drive although this profile bans them; a type without a
            speed gets the slowest speed of the table.
        access_allowed
            Access values (``agricultural``, ``forestry`` ...) that do not shut it out.

        Returns
        -------
        profile
        """
        allowed = set(roads_allowed)
        speeds = dict(self.speeds_kmh)
        slowest = min(speeds.values())
        for name in sorted(allowed - set(speeds)):
            speeds[name] = slowest
        return replace(
            self,
            weight_t=self.weight_t if weight_t is None else weight_t,
            width_m=self.width_m if width_m is None else width_m,
            height_m=self.height_m if height_m is None else height_m,
            speeds_kmh=speeds,
            banned_highways=frozenset((set(self.banned_highways) | set(roads_banned)) - allowed),
            allowed_access=self.allowed_access | frozenset(access_allowed),
        )

    def usable(self, edge_data: Mapping[str, Any]) -> bool:
        """Return True when the truck may drive this way (see `refusal` for the reason)."""
        return self.refusal(edge_data) is None

    def speed_kmh(self, edge_data: Mapping[str, Any]) -> float:
        """Return the truck's driving speed on a way: highway type, ``maxspeed``, ``surface``.

        A highway type the profile does not know gets the slowest speed in the table.
        """
        highway = str(_first(edge_data.get("highway")))
        speed = self.speeds_kmh.get(highway, min(self.speeds_kmh.values()))
        for value in _values(edge_data.get("maxspeed")):
            limit = parse_speed_kmh(value)
            if limit is not None:
                speed = min(speed, limit)
        factors = [self.surface_factor.get(s, 1.0) for s in _values(edge_data.get("surface"))]
        if factors:
            speed *= min(factors)
        return speed

    def collect_speed(self, edge_data: Mapping[str, Any]) -> float:
        """Return the speed while collecting along a way (never above the driving speed)."""
        return min(self.collect_speed_kmh, self.speed_kmh(edge_data))


def union_profile(profiles: Sequence[TruckProfile]) -> TruckProfile:
    """Return the profile that drives every road any of ``profiles`` drives.

    The road network is built once with it; each vehicle then keeps the roads its own profile
    allows (`routing.network.restrict`). Sizes are the smallest, bans those all share, access
    allowances and speed tables merged (the fastest speed of each type), the collection speed
    and U-turn penalty of the first profile.
    """
    if not profiles:
        msg = "union_profile needs at least one profile"
        raise ValueError(msg)
    first = profiles[0]
    speeds: dict[str, float] = {}
    for p in profiles:
        for name, kmh in p.speeds_kmh.items():
            speeds[name] = max(kmh, speeds.get(name, 0.0))
    return replace(
        first,
        weight_t=min(p.weight_t for p in profiles),
        width_m=min(p.width_m for p in profiles),
        height_m=min(p.height_m for p in profiles),
        speeds_kmh=speeds,
        banned_highways=frozenset.intersection(*(p.banned_highways for p in profiles)),
        allowed_access=frozenset.union(*(p.allowed_access for p in profiles)),
    )


def shared_profile(profiles: Sequence[TruckProfile]) -> TruckProfile:
    """Return the profile of the roads every one of ``profiles`` may drive.

    Sizes are the largest, bans all of them, access allowances only those all share, speeds the
    slowest of each type every profile drives. A plan on this network never sends a vehicle
    down a road its own profile refuses.
    """
    if not profiles:
        msg = "shared_profile needs at least one profile"
        raise ValueError(msg)
    first = profiles[0]
    common = set.intersection(*(set(p.speeds_kmh) for p in profiles))
    speeds = {name: min(p.speeds_kmh[name] for p in profiles) for name in sorted(common)}
    return replace(
        first,
        weight_t=max(p.weight_t for p in profiles),
        width_m=max(p.width_m for p in profiles),
        height_m=max(p.height_m for p in profiles),
        speeds_kmh=speeds,
        banned_highways=frozenset.union(*(p.banned_highways for p in profiles)),
        allowed_access=frozenset.intersection(*(p.allowed_access for p in profiles)),
    )


def fleet_profiles(
    overrides: Mapping[str, Any], fleet: Sequence[Any], *, where: str
) -> tuple[TruckProfile, dict[str, TruckProfile]]:
    """Return the network's profile and each vehicle type's own.

    Parameters
    ----------
    overrides
        The scenario's ``[network.profile]`` table (applies to every vehicle).
    fleet
        Vehicle types with ``name``, ``count``, ``weight_t``, ``width_m``, ``height_m`` (None:
        the profile's), ``roads_banned``, ``roads_allowed`` and ``access_allowed``
        (`routing.scenario.VehicleSpec`).
    where
        Where ``overrides`` came from, for errors.

    Returns
    -------
    network_profile, by_vehicle
        `union_profile` of the vehicles' profiles (the roads any of them may drive: the network
        is built once with it), and each vehicle type's profile by name.
    """
    base = TruckProfile.from_mapping(overrides, where=where)
    by_vehicle = {}
    for v in fleet:
        sizes = {
            attr: None if attr in overrides else getattr(v, attr)
            for attr in ("weight_t", "width_m", "height_m")
        }
        by_vehicle[v.name] = base.for_vehicle(
            **sizes,
            roads_banned=v.roads_banned,
            roads_allowed=v.roads_allowed,
            access_allowed=v.access_allowed,
        )
    active = [by_vehicle[v.name] for v in fleet if v.count > 0] or list(by_vehicle.values())
    return (union_profile(active) if active else base), by_vehicle


def check_names(
    value: Any, what: str, *, allowed: Collection[str] | None = None
) -> tuple[str, ...]:
    """Return a list of tag values from a scenario, else raise naming ``what``.

    Parameters
    ----------
    value
        The scenario's value: a list of text.
    what
        Where it came from, for the error (e.g. ``"scenario.toml [vehicle #2] roads_banned"``).
    allowed
        The values allowed (None: any value except a ``highway`` no truck drives).

    Returns
    -------
    names

    Raises
    ------
    routing.errors.InputError
        On a value that is not a list of text, or a name not allowed.
    """
    if not isinstance(value, list | tuple | set | frozenset) or not all(
        isinstance(v, str) for v in value
    ):
        msg = '{what}: {value!r} is not allowed; expected a list of text, e.g. ["track"]'
        raise InputError(msg, what=what, value=value)
    for name in value:
        if allowed is not None and name not in allowed:
            msg = "{what}: {name!r} is not allowed; expected one of: {allowed}"
            raise InputError(msg, what=what, name=name, allowed=", ".join(sorted(allowed)))
        if allowed is None and name in NEVER_DRIVABLE:
            msg = (
                "{what}: {name!r} is not allowed: highway={name} is never driven by trucks "
                "(never drivable: {never})"
            )
            raise InputError(msg, what=what, name=name, never=", ".join(sorted(NEVER_DRIVABLE)))
    return tuple(value)


def _check_number(value: Any, what: str, *, low: float | None = None) -> float:
    """Return a finite number > 0 (or >= ``low``), else raise naming ``what``."""
    ok_type = isinstance(value, int | float) and not isinstance(value, bool)
    if ok_type and math.isfinite(value) and (value >= low if low is not None else value > 0):
        return float(value)
    msg = "{what}: {value!r} is not allowed; expected a positive number"
    if low is not None:
        msg = "{what}: {value!r} is not allowed; expected a number >= {low:g}"
    raise InputError(msg, what=what, value=value, low=low)


def _check_table(value: Any, where: str, key: str, *, speeds: bool = False) -> dict[str, float]:
    """Validate a ``{name: number}`` table of the profile."""
    if not isinstance(value, Mapping):
        msg = "{where}: {key} must be a table of name = number, got {value!r}"
        raise InputError(msg, field=key, where=where, key=key, value=value)
    out: dict[str, float] = {}
    for name, number in value.items():
        if speeds and name in NEVER_DRIVABLE:
            msg = (
                "{where}: {key}.{name} is not allowed: highway={name} is never driven by trucks "
                "(never drivable: {never})"
            )
            never = ", ".join(sorted(NEVER_DRIVABLE))
            raise InputError(msg, field=key, where=where, key=key, name=name, never=never)
        checked = _check_number(number, f"{where}: {key}.{name}")
        if not speeds and checked > 1.0:
            msg = "{where}: {key}.{name}: {value!r} is not allowed; expected a factor in (0, 1]"
            raise InputError(msg, field=key, where=where, key=key, name=name, value=number)
        out[str(name)] = checked
    return out
