"""Offline geocoding of household registers against a gazetteer built from the OSM file.

The gazetteer holds the places (villages, hamlets …), the named streets of each place, and the
addressed nodes and buildings with their house numbers. A register row is matched village first, then
the street *inside that village* (a street of the same name in another village is never used), then the
house: the exact number, the number without its letter or fraction, an interpolation between the
neighbouring numbers on the same side of the street, or else the street itself. Coordinates written in
the register win over the address; swapped latitude/longitude are detected and corrected; points outside
the service area are reported and located by their address instead.

Online lookup (Nominatim) exists for rows the offline geocoder cannot place; it is off by default and
follows the usage policy (a User-Agent, at most one request per second, results cached on disk).
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import re
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, Polygon
from shapely.ops import linemerge

from routing.atomic import atomic_write
from routing.errors import InputError
from routing.i18n import translator

if TYPE_CHECKING:
    from routing.plan import Plan
    from routing.scenario import Scenario
from routing.normalize import (
    KeyIndex,
    NameKey,
    house_numbers,
    name_key,
    name_similarity,
    parse_house,
    place_key,
)
from routing.register import HOUSE_DATE_NOTES, HOUSEHOLD_ALIASES, match_headers, read_table
from routing.translit import readings

__all__ = [
    "MESSAGES",
    "Gazetteer",
    "Street",
    "Village",
    "geocode_households",
    "nominatim_lookup",
    "read_aliases",
    "read_corrections",
    "report_scenario",
    "translate_reason",
    "write_geocoding_report",
    "write_plan_geocoding",
]

# The geocoder's reasons and notes. The English texts are the ids of the catalogue
# `locales/*/LC_MESSAGES/taza-geocode.po`: the households frame keeps them in English (summary.json
# groups the unserved by their words), and the geocoding report shows them in the user's language
# (`translate_reason`). A reason or note is one of these, or several joined by "; ".
NO_ADDRESS = "no address (village and street empty)"
VILLAGE_NOT_FOUND = "village {village} not found"
VILLAGE_AMBIGUOUS = "village {village} ambiguous: {names}"
NO_STREET = "no street given"
STREET_AMBIGUOUS = "street {street} ambiguous in {village}: {names}"
STREET_NOT_FOUND_IN = "street {street} not found in {village}"
STREET_NOT_FOUND = "street {street} not found"
STREET_IN_SEVERAL = "no village given and street {street} is in several: {where}"
STREET_ELSEWHERE = "street {street} is not in {village}, but {where} has it: check the village"
STREET_UNADDRESSED_HERE = (
    "street {street} has no addressed house in {village}, but {where} has it: check the village"
)
AT_VILLAGE_CENTRE = "located at the village centre"
ONLINE_FAILED = "online lookup failed ({error})"
ONLINE = "located online (Nominatim)"
NO_HOUSE_NUMBER = "no house number"
HOUSE_AT_NUMBER = "house {house} placed at number {number}"
HOUSE_NOT_ON_STREET = "house {house} not found on the street"
ON_THE_STREET = "placed on the street"
HOUSE_BEYOND = "house {number} placed beyond number {last}, the last known on its side"
HOUSE_BETWEEN_SIDES = "house {number} placed between numbers of both sides of the street"
BY_HAND = "corrected by hand"
FAR_FROM_VILLAGE = "coordinates lie {km} km from {village}, the village written"
SWAPPED = "latitude and longitude were swapped"
CORRECTED = "corrected"
OUTSIDE_AREA = "coordinates ({lat}, {lon}) lie outside the service area"
BY_ADDRESS = "located by address"
MATCHED_AT = "matched at {level} level"
MESSAGES: tuple[str, ...] = (
    NO_ADDRESS, VILLAGE_NOT_FOUND, VILLAGE_AMBIGUOUS, NO_STREET, STREET_AMBIGUOUS,
    STREET_NOT_FOUND_IN, STREET_NOT_FOUND, STREET_IN_SEVERAL, STREET_ELSEWHERE,
    STREET_UNADDRESSED_HERE, AT_VILLAGE_CENTRE, ONLINE_FAILED, ONLINE, NO_HOUSE_NUMBER,
    HOUSE_AT_NUMBER, HOUSE_NOT_ON_STREET, ON_THE_STREET, HOUSE_BEYOND, HOUSE_BETWEEN_SIDES,
    BY_HAND, FAR_FROM_VILLAGE, SWAPPED, CORRECTED, OUTSIDE_AREA, BY_ADDRESS, MATCHED_AT,
    *HOUSE_DATE_NOTES,
)  # fmt: skip
"""Every text the geocoder writes into ``reason`` and ``note`` (English catalogue ids)."""

_CACHE_VERSION = "gazetteer-3"


def _code_digest() -> str:
    """Digest of the code that builds a gazetteer: a cache made by other code is not reused."""
    from routing import normalize, translit

    h = hashlib.sha256(_CACHE_VERSION.encode())
    for mod_file in (__file__, normalize.__file__, translit.__file__):
        if mod_file:
            h.update(Path(mod_file).read_bytes())
    return h.hexdigest()[:12]


# Place kinds and their weight in the weighted nearest-place assignment of streets and houses:
# a street lies in the hamlet only when it is much closer to the hamlet than to the village.
PLACE_WEIGHTS: dict[str, float] = {
    "city": 4.0,
    "town": 3.0,
    "village": 2.0,
    "suburb": 1.5,
    "quarter": 1.0,
    "hamlet": 1.0,
    "neighbourhood": 0.8,
    "isolated_dwelling": 0.5,
    "farm": 0.5,
    "locality": 0.5,
}
# Places of one name closer than this are one place mapped twice (node and area).
_SAME_PLACE_M = 2_000.0
_AREA_TAGS = ("addr:place", "addr:village", "addr:hamlet", "addr:suburb", "addr:city")
_NAME_SUFFIXES = ("_name",)
_STREET_HIGHWAYS_EXCLUDED = frozenset(
    {"platform", "bus_stop", "elevator", "proposed", "construction"}
)
# A way belongs to a village's street when that village's houses of the same name lie this close;
# interpolation follows a way only when both neighbouring houses lie this close to it.
_LINK_RADIUS_M = 300.0
# Coordinates this far from the village written beside them are reported (they are still used).
_FAR_FROM_VILLAGE_KM = 3.0
_MATCH_LEVELS_OK = ("coordinates", "house", "interpolated", "street")


def _names(tags: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    for k, v in tags.items():
        if (k == "name" or k.startswith("name:") or k.endswith(_NAME_SUFFIXES)) and v.strip():
            for part in v.split(";"):
                part = part.strip()
                if part and part not in out:
                    out.append(part)
    if "name" in tags and tags["name"] in out:
        out.remove(tags["name"])
        out.insert(0, tags["name"])
    return out


class _Local:
    """Equirectangular metres around a reference latitude: enough for village-scale distances."""

    def __init__(self, lat0: float) -> None:
        self.kx = 111_320.0 * math.cos(math.radians(lat0))
        self.ky = 110_574.0

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * self.kx, lat * self.ky

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return x / self.kx, y / self.ky


@dataclass
class Street:
    """A named street inside one village.

    Attributes
    ----------
    name
        Display name (OSM ``name`` or the first address spelling seen).
    village
        Display name of the village it belongs to.
    names
        Every spelling known for it (name, name:ky, name:ru, alt_name, addr:street values).
    lines
        Its ways in local metres (see ``Gazetteer.local``).
    houses
        Normalised house number -> list of positions (x, y in local metres).
    """

    name: str
    village: str
    names: list[str] = field(default_factory=list)
    lines: list[LineString] = field(default_factory=list)
    houses: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    numbered: list[tuple[int, float, float]] = field(default_factory=list)
    keys: list[NameKey] = field(default_factory=list)

    def centre(self) -> tuple[float, float]:
        """A point on the street: middle of its longest way, else the middle house."""
        if self.lines:
            longest = max(self.lines, key=lambda ln: ln.length)
            p = longest.interpolate(0.5, normalized=True)
            return p.x, p.y
        pts = [p for ps in self.houses.values() for p in ps]
        xs = sorted(p[0] for p in pts)
        ys = sorted(p[1] for p in pts)
        return xs[len(xs) // 2], ys[len(ys) // 2]


@dataclass
class Village:
    """A place (village, hamlet, town) or an address area (``addr:city``) with its streets."""

    name: str
    names: list[str]
    kind: str
    point: tuple[float, float] | None  # local metres
    streets: dict[str, Street] = field(default_factory=dict)
    keys: list[NameKey] = field(default_factory=list)

    def centre(self) -> tuple[float, float]:
        if self.point is not None:
            return self.point
        pts = [s.centre() for s in self.streets.values()]
        return float(np.median([p[0] for p in pts])), float(np.median([p[1] for p in pts]))


@dataclass
class Gazetteer:
    """Offline address index built from an OSM file.

    Attributes
    ----------
    villages
        Village display name -> Village (with its streets and houses).
    local
        Conversion between WGS84 and the local metric plane used inside the gazetteer.
    extent
        Convex hull of everything indexed, buffered by 2 km (WGS84): the default service area.
    source
        The OSM file it was built from.
    """

    villages: dict[str, Village]
    local: _Local
    extent: Polygon
    source: str = ""

    @classmethod
    def from_osm(cls, path: str | Path, *, cache_dir: str | Path | None = None) -> Gazetteer:
        """Build the gazetteer from an OSM file (.osm, .osm.bz2, .osm.gz, .osm.pbf).

        Parameters
        ----------
        path
            The OSM file.
        cache_dir
            When given, the built gazetteer is pickled there under the file's SHA-256 and reused.
        """
        path = Path(path)
        if not path.exists():
            msg = "{file}: OSM file not found"
            raise InputError(msg, file=path)
        cache_file: Path | None = None
        if cache_dir is not None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
            cache_file = Path(cache_dir) / f"gazetteer-{digest}-{_code_digest()}.pickle"
            if cache_file.exists():
                try:
                    with cache_file.open("rb") as fh:
                        gaz = pickle.load(fh)
                except Exception:  # a damaged or foreign cache file is rebuilt, never trusted
                    gaz = None
                if isinstance(gaz, Gazetteer):
                    return gaz
        gaz = _build(path)
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(gaz, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache_file)
        return gaz

    def to_wgs84(self, x: float, y: float) -> tuple[float, float]:
        """Local metres -> (lon, lat)."""
        return self.local.lonlat(x, y)

    def street_table(self) -> pd.DataFrame:
        """One row per (village, street) with its number of addressed houses (for inspection)."""
        rows = [
            {"village": v.name, "street": s.name, "houses": len(s.houses), "ways": len(s.lines)}
            for v in self.villages.values()
            for s in v.streets.values()
        ]
        return pd.DataFrame(rows, columns=["village", "street", "houses", "ways"])


# --------------------------------------------------------------------------------------------------
# building


@dataclass
class _Raw:
    places: list[tuple[list[str], str, float, float]] = field(default_factory=list)
    ways: list[tuple[list[str], list[tuple[float, float]]]] = field(default_factory=list)
    houses: list[tuple[str | None, str, list[tuple[str, str]], float, float]] = field(
        default_factory=list
    )


def _read_osm(path: Path) -> _Raw:
    import osmium

    raw = _Raw()
    # Only objects with one of these keys are looked at (filtered in C); node locations are still
    # stored for every way.
    keys = osmium.filter.KeyFilter("place", "highway", "addr:housenumber")
    fp = osmium.FileProcessor(str(path)).with_locations().with_filter(keys)
    for obj in fp:
        if not isinstance(obj, osmium.osm.Node | osmium.osm.Way):
            continue
        tags = {t.k: t.v for t in obj.tags}
        if not tags:
            continue
        is_node = isinstance(obj, osmium.osm.Node)
        coords: list[tuple[float, float]] = []
        if isinstance(obj, osmium.osm.Node):
            loc = obj.location
            if not loc.valid():
                continue
            coords = [(loc.lon, loc.lat)]
        elif isinstance(obj, osmium.osm.Way):
            coords = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
            if not coords:
                continue
        else:
            continue
        place = tags.get("place")
        if place in PLACE_WEIGHTS and _names(tags):
            lon = float(np.mean([c[0] for c in coords]))
            lat = float(np.mean([c[1] for c in coords]))
            raw.places.append((_names(tags), place, lon, lat))
        hw = tags.get("highway")
        if (
            not is_node
            and hw
            and hw not in _STREET_HIGHWAYS_EXCLUDED
            and _names(tags)
            and (len(coords) >= 2)
        ):
            raw.ways.append((_names(tags), coords))
        hn = tags.get("addr:housenumber")
        if hn:
            pts = coords[:-1] if len(coords) > 3 and coords[0] == coords[-1] else coords
            lon = float(np.mean([c[0] for c in pts]))
            lat = float(np.mean([c[1] for c in pts]))
            street = tags.get("addr:street")
            # (tag, value) pairs; addr:city is always last (empty when absent).
            areas = [(k, tags[k]) for k in _AREA_TAGS[:-1] if tags.get(k)]
            areas.append(("addr:city", tags.get("addr:city", "")))
            raw.houses.append((street, hn, areas, lon, lat))
    return raw


def _build(path: Path) -> Gazetteer:
    raw = _read_osm(path)
    lats = [p[3] for p in raw.places] + [h[4] for h in raw.houses]
    lats += [c[1] for w in raw.ways for c in w[1][:1]]
    if not lats:
        msg = "{file}: no places, named streets or addresses found: cannot build a gazetteer"
        raise InputError(msg, file=path)
    b = _Builder(raw, _Local(float(np.median(lats))))
    b.add_places()
    b.add_street_ids()
    b.add_houses()
    b.add_ways()
    b.finish()
    pts_wgs = [(p[2], p[3]) for p in raw.places] + [(h[3], h[4]) for h in raw.houses]
    pts_wgs += [c for w in raw.ways for c in w[1]]
    hull = MultiPoint(pts_wgs).convex_hull
    extent = hull.buffer(0.02)  # about 2 km
    assert isinstance(extent, Polygon)
    return Gazetteer(villages=b.villages, local=b.local, extent=extent, source=str(path))


class _Builder:
    """The gazetteer built phase by phase: places, street ids, houses, ways, keys."""

    def __init__(self, raw: _Raw, local: _Local) -> None:
        self.raw, self.local = raw, local
        self.villages: dict[str, Village] = {}
        self.alias_to_village: dict[str, str] = {}
        self.place_keys: dict[str, list[str]] = defaultdict(list)
        self.street_id: dict[str, str] = {}
        self.street_names: dict[str, list[str]] = defaultdict(list)
        self.house_sites: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)

    def add_places(self) -> None:
        """Places that share a name (common for Kyrgyz villages) are told apart by their position;
        a register naming one of them without more is ambiguous, never matched to either. One place
        mapped twice (a node and an area of the same name, close together) is kept once: the first
        seen, and nodes come first in the file."""
        local = self.local
        distinct: list[tuple[list[str], str, float, float]] = []
        for names, kind, lon, lat in self.raw.places:
            x, y = local.xy(lon, lat)
            if any(
                d[0][0] == names[0]
                and math.hypot(*np.subtract(local.xy(d[2], d[3]), (x, y))) < _SAME_PLACE_M
                for d in distinct
            ):
                continue
            distinct.append((names, kind, lon, lat))
        seen: dict[str, int] = defaultdict(int)
        for names, _, _, _ in distinct:
            seen[names[0]] += 1
        for names, kind, lon, lat in distinct:
            display = names[0] if seen[names[0]] == 1 else f"{names[0]} ({lat:.3f}, {lon:.3f})"
            self.villages[display] = Village(display, names, kind, local.xy(lon, lat))
            for n in names:
                self.alias_to_village.setdefault(place_key(n), display)
        self.place_names = list(self.villages)
        self.place_xy = np.array(
            [self.villages[n].point for n in self.place_names], dtype=float
        ).reshape(-1, 2)
        self.place_w = np.array(
            [PLACE_WEIGHTS[self.villages[n].kind] for n in self.place_names], dtype=float
        )
        for v in self.villages.values():
            for n in v.names:
                if v.name not in self.place_keys[place_key(n)]:
                    self.place_keys[place_key(n)].append(v.name)

    def nearest_place(self, x: float, y: float) -> str | None:
        if not self.place_names:
            return None
        d = np.hypot(self.place_xy[:, 0] - x, self.place_xy[:, 1] - y) / self.place_w
        return self.place_names[int(np.argmin(d))]

    def area(self, name: str) -> Village:
        key = place_key(name)
        if key in self.alias_to_village:
            return self.villages[self.alias_to_village[key]]
        v = Village(name, [name], "address area", None)
        self.villages[name] = v
        self.alias_to_village[key] = name
        return v

    def named_place(self, value: str, x: float, y: float) -> str | None:
        """The place a tag value names; of several places of that name, the nearest."""
        cands = self.place_keys.get(place_key(value))
        if not cands:
            return None
        return min(
            cands,
            key=lambda n: math.hypot(*np.subtract(self.villages[n].point or (x, y), (x, y))),
        )

    def add_street_ids(self) -> None:
        """Street spellings that denote the same street (name, name:ru, name:ky …) share one id."""
        for names, _ in self.raw.ways:
            keys = [name_key(n).ident for n in names]
            sid = next((self.street_id[k] for k in keys if k in self.street_id), keys[0])
            for n, k in zip(names, keys, strict=True):
                self.street_id.setdefault(k, sid)
                if n not in self.street_names[sid]:
                    self.street_names[sid].append(n)

    def get_street(self, v: Village, sid: str, display: str) -> Street:
        st = v.streets.get(sid)
        if st is None:
            names = self.street_names.get(sid) or [display]
            st = Street(names[0], v.name, list(names))
            v.streets[sid] = st
        elif display not in st.names:
            st.names.append(display)
        return st

    def house_targets(self, areas: list[tuple[str, str]], x: float, y: float) -> list[Village]:
        """addr:place/village/hamlet naming a place node decide. An addr:city naming a place adds
        the nearest place only when that is a smaller one inside it (a hamlet of a municipality).
        An addr:city that is no place node becomes an address area, beside the nearest place."""
        near = self.nearest_place(x, y)
        fine = [p for a in areas[:-1] if (p := self.named_place(a[1], x, y)) is not None]
        city = [p for a in areas[-1:] if a[1] and (p := self.named_place(a[1], x, y)) is not None]
        if fine:
            return [self.villages[fine[0]]]
        if city:
            targets = [self.villages[city[0]]]
            smaller = near is not None and PLACE_WEIGHTS.get(
                self.villages[near].kind, 0
            ) < PLACE_WEIGHTS.get(self.villages[city[0]].kind, 0)
            if near is not None and near != city[0] and smaller:
                targets.append(self.villages[near])
            return targets
        targets = [self.area(a[1]) for a in areas if a[1]]
        if near is not None and all(t.name != near for t in targets):
            targets.append(self.villages[near])
        return targets

    def add_houses(self) -> None:
        for street, hn, areas, lon, lat in self.raw.houses:
            x, y = self.local.xy(lon, lat)
            if street:
                k = name_key(street).ident
                sid, display = self.street_id.get(k, k), street
            else:  # an address with a place but no street: the place's own "street"
                sid, display = "", ""
            for v in self.house_targets(areas, x, y):
                st = self.get_street(v, sid, display)
                for h in house_numbers(hn):
                    st.houses.setdefault(h.key, []).append((x, y))
                    if h.number is not None:
                        st.numbered.append((h.number, x, y))
                self.house_sites[(v.name, sid)].append((x, y))

    def add_ways(self) -> None:
        """Ways: attached to each village whose houses on that street lie near the way; else to
        the nearest place."""
        by_sid: dict[str, list[tuple[str, MultiPoint]]] = defaultdict(list)
        for (vname, sid), pts in self.house_sites.items():
            by_sid[sid].append((vname, MultiPoint(pts)))
        for names, coords in self.raw.ways:
            sid = self.street_id[name_key(names[0]).ident]
            line = LineString([self.local.xy(lon, lat) for lon, lat in coords])
            linked = [v for v, mp in by_sid.get(sid, []) if line.distance(mp) <= _LINK_RADIUS_M]
            if not linked:
                mid = line.interpolate(0.5, normalized=True)
                near = self.nearest_place(mid.x, mid.y)
                linked = [near] if near is not None else [self.area("").name]
            for vname in linked:
                self.get_street(self.villages[vname], sid, names[0]).lines.append(line)

    def finish(self) -> None:
        for v in self.villages.values():
            v.keys = [name_key(n, place=True) for n in v.names]
            for st in v.streets.values():
                st.keys = [name_key(n) for n in st.names if n]
                st.numbered.sort()
                if len(st.lines) > 1:
                    # A street is split into ways at every junction: join them so that
                    # interpolation between two houses follows one line.
                    merged = linemerge(MultiLineString(st.lines))
                    st.lines = list(merged.geoms) if hasattr(merged, "geoms") else [merged]


# --------------------------------------------------------------------------------------------------
# matching


@dataclass
class _Match:
    level: str | None
    score: float
    xy: tuple[float, float] | None
    village: str | None = None
    street: str | None = None
    reason: str | None = None
    note: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class _Pool:
    """Candidates (villages or streets) with their name keys laid out for `shortlist`."""

    objs: tuple[Any, ...]
    owner: tuple[int, ...]  # for each key, the position of its candidate in objs
    index: KeyIndex

    @classmethod
    def of(cls, candidates: Iterable[tuple[Any, list[NameKey]]]) -> _Pool:
        objs: list[Any] = []
        owner: list[int] = []
        keys: list[NameKey] = []
        for obj, obj_keys in candidates:
            for k in obj_keys:
                owner.append(len(objs))
                keys.append(k)
            objs.append(obj)
        return cls(tuple(objs), tuple(owner), KeyIndex(keys))


def _best(query: NameKey, pool: _Pool, *, min_score: float) -> tuple[list[Any], float]:
    """Return the candidates tied (within 3 points) for the best score >= min_score, and the score."""
    best: dict[int, float] = {}
    for i in pool.index.shortlist(query):
        s = name_similarity(query, pool.index.keys[i])
        if s >= min_score and s > best.get(pool.owner[i], 0.0):
            best[pool.owner[i]] = s
    if not best:
        return [], 0.0
    top = max(best.values())
    ranked = sorted(best.items(), key=lambda t: (-t[1], t[0]))
    return [pool.objs[o] for o, s in ranked if s >= top - 3.0], top


def _min_score_for(key: NameKey, min_score: float) -> float:
    # Short names differ by one letter from unrelated names ("Ак-Суу"/"Ак-Жол"): demand more.
    return max(min_score, 92.0) if len(key.key) <= 4 else min_score


class _Matcher:
    def __init__(
        self,
        gaz: Gazetteer,
        min_score: float,
        aliases: Mapping[str, str] | None = None,
        choose_place: PlaceChooser | None = None,
    ) -> None:
        self.gaz = gaz
        self.choose_place = choose_place
        self.min_score = min_score
        # A user's alias file: the key of a name as written -> the name on the map.
        self.aliases = {name_key(k).loose: v for k, v in (aliases or {}).items()}
        self._village_cache: dict[str, tuple[list[Village], float]] = {}
        self._street_cache: dict[tuple[str, str], tuple[list[Street], float]] = {}
        self._any_street_cache: dict[str, tuple[list[Street], float]] = {}
        self._village_pool = _Pool.of((v, v.keys) for v in gaz.villages.values())
        self._street_pools = {
            v.name: _Pool.of((s, s.keys) for s in v.streets.values() if s.keys)
            for v in gaz.villages.values()
        }
        self._all_streets = _Pool.of(
            (s, s.keys) for v in gaz.villages.values() for s in v.streets.values()
        )
        # Whether the map has addresses at all (many real extracts have none).
        self._addressed = any(s.houses for v in gaz.villages.values() for s in v.streets.values())

    def _alias(self, text: str) -> str:
        return self.aliases.get(name_key(text).loose, text) if self.aliases else text

    def _read(self, text: str, pool: _Pool, *, place: bool = False) -> tuple[list[Any], float]:
        """The best candidates for a name as written, else for its other readings.

        A reading (`routing.translit.readings`: wrong keyboard layout, a Latin c as ч or ж, w as
        ш) is tried only when the name as written matches nothing, scores a point less, and
        readings that reach different candidates within the tie window make the name ambiguous.
        """
        q = name_key(self._alias(text), place=place)
        found, score = _best(q, pool, min_score=_min_score_for(q, self.min_score))
        if found:
            return found, score
        hits: list[tuple[list[Any], float]] = []
        for alt in readings(text):
            qa = name_key(alt, place=place)
            got = _best(qa, pool, min_score=_min_score_for(qa, self.min_score))
            if got[0]:
                hits.append(got)
        if not hits:
            return [], 0.0
        top = max(sc for _, sc in hits)
        tied = [o for objs, sc in hits if sc >= top - 3.0 for o in objs]
        return list({id(o): o for o in tied}.values()), top - 1.0

    def villages(self, text: str) -> tuple[list[Village], float]:
        hit = self._village_cache.get(text)
        if hit is None:
            hit = self._read(text, self._village_pool, place=True)
            self._village_cache[text] = hit
        return hit

    def streets(self, village: Village, text: str) -> tuple[list[Street], float]:
        ck = (village.name, text)
        hit = self._street_cache.get(ck)
        if hit is None:
            q = name_key(self._alias(text))
            found, score = self._read(text, self._street_pools[village.name])
            if (
                not found
                and village.streets.get("") is not None
                and q.loose in {k.loose for k in village.keys}
            ):
                found, score = [village.streets[""]], 100.0  # street written as the village name
            hit = (found, score)
            self._street_cache[ck] = hit
        return hit

    def village_name(self, text: str | None) -> str | None:
        """The gazetteer name of a village as written, when it is found unambiguously."""
        if not text:
            return None
        found, _ = self.villages(text)
        return found[0].name if len(found) == 1 else None

    def nearest_village(self, xy: tuple[float, float]) -> str | None:
        """The place (not an address area) nearest to a point, by the weights of place kinds."""
        best, best_d = None, math.inf
        for v in self.gaz.villages.values():
            if v.point is None or v.kind not in PLACE_WEIGHTS:
                continue
            d = math.hypot(v.point[0] - xy[0], v.point[1] - xy[1]) / PLACE_WEIGHTS[v.kind]
            if d < best_d:
                best, best_d = v.name, d
        return best

    def distance_km(self, village: str, xy: tuple[float, float]) -> float | None:
        v = self.gaz.villages.get(village)
        if v is None or v.point is None:
            return None
        return math.hypot(v.point[0] - xy[0], v.point[1] - xy[1]) / 1000.0

    def any_street(self, text: str) -> tuple[list[Street], float]:
        hit = self._any_street_cache.get(text)
        if hit is None:
            hit = self._read(text, self._all_streets)
            self._any_street_cache[text] = hit
        return hit

    def match(
        self,
        village_text: str | None,
        street_text: str | None,
        house: str | None,
        municipality: str | None = None,
    ) -> _Match:
        if not village_text and not street_text:
            return _Match(None, 0.0, None, reason=NO_ADDRESS)
        if not village_text:
            assert street_text is not None
            return self._without_village(street_text, house)
        found_v, vscore = self.villages(village_text)
        if not found_v:
            return _Match(
                None, 0.0, None, reason=VILLAGE_NOT_FOUND.format(village=repr(village_text))
            )
        chosen = None
        if len(found_v) > 1 and self.choose_place is not None:
            # places of one name told apart by the row's municipality or the scenario's
            chosen = self.choose_place([v.name for v in found_v], municipality)
        if len(found_v) > 1 and chosen is None:
            names = ", ".join(v.name for v in found_v[:4])
            why = VILLAGE_AMBIGUOUS.format(village=repr(village_text), names=names)
            return _Match(None, 0.0, None, reason=why)
        village = self.gaz.villages[chosen] if chosen is not None else found_v[0]
        if not street_text:
            if house and "" in village.streets:
                return self._house(village.streets[""], house, min(vscore, 100.0))
            return self._village_level(village, vscore, NO_STREET)
        found_s, sscore = self.streets(village, street_text)
        if len(found_s) > 1 and house:
            # "Манас" may be the street or the lane of that name: the house number can tell.
            h = parse_house(house)
            having = [s for s in found_s if h.key in s.houses or str(h.number) in s.houses]
            found_s = having if len(having) == 1 else found_s
        if len(found_s) > 1:
            names = ", ".join(s.name for s in found_s[:4])
            return self._village_level(
                village,
                vscore,
                STREET_AMBIGUOUS.format(
                    street=repr(street_text), village=village.name, names=names
                ),
            )
        elsewhere = self._elsewhere(village, street_text, found_s[0] if found_s else None)
        if elsewhere is not None:
            return elsewhere
        if not found_s:
            why = STREET_NOT_FOUND_IN.format(street=repr(street_text), village=village.name)
            return self._village_level(village, vscore, why)
        return self._house(found_s[0], house, min(vscore, sscore))

    def _without_village(self, street_text: str, house: str | None) -> _Match:
        found_s, sscore = self.any_street(street_text)
        if not found_s:
            return _Match(None, 0.0, None, reason=STREET_NOT_FOUND.format(street=repr(street_text)))
        if len(found_s) > 1:
            where = ", ".join(sorted({s.village for s in found_s}))
            why = STREET_IN_SEVERAL.format(street=repr(street_text), where=where)
            return _Match(None, 0.0, None, reason=why)
        return self._house(found_s[0], house, sscore)

    def _elsewhere(self, village: Village, text: str, found: Street | None) -> _Match | None:
        """A street written under a village that lacks it while another village has it.

        Lacking it: not found there, or found only as a way without one addressed house while
        another village has addressed houses on a street of that name. Flagged, never matched:
        the other village is the suggestion.
        """
        if found is not None and (found.houses or not self._addressed):
            return None
        others, score = self.any_street(text)
        others = [s for s in others if s.village != village.name and s.houses]
        if not others or score < 95:
            return None
        where = ", ".join(sorted({s.village for s in others}))
        template = STREET_UNADDRESSED_HERE if found is not None else STREET_ELSEWHERE
        why = template.format(street=repr(text), village=village.name, where=where)
        m = self._village_level(village, score, why)
        m.suggestion = f"{others[0].name} ({others[0].village})" if len(others) == 1 else where
        return m

    def _village_level(self, village: Village, score: float, why: str) -> _Match:
        return _Match(
            "village",
            score,
            village.centre(),
            village=village.name,
            reason=f"{why}; {AT_VILLAGE_CENTRE}",
        )

    def _house(self, street: Street, house: str | None, score: float) -> _Match:
        base = _Match(
            "street", score, street.centre(), village=street.village, street=street.name or None
        )
        if not house:
            base.note = NO_HOUSE_NUMBER
            return base
        h = parse_house(house)
        pts = street.houses.get(h.key)
        if pts:
            return _Match("house", score, pts[0], street.village, street.name or None)
        if h.number is not None:
            pts = street.houses.get(str(h.number))
            if pts:
                return _Match(
                    "house",
                    score - 5,
                    pts[0],
                    street.village,
                    street.name or None,
                    note=HOUSE_AT_NUMBER.format(house=house, number=h.number),
                )
            found = _interpolate(street, h.number)
            if found is not None:
                xy, note = found
                return _Match(
                    "interpolated", score - 10, xy, street.village, street.name or None, note=note
                )
        base.note = f"{HOUSE_NOT_ON_STREET.format(house=house)}; {ON_THE_STREET}"
        return base


_MAX_EXTRAPOLATION = 10  # house numbers beyond the last known one


def _along(street: Street, a: Point, b: Point, t: float) -> tuple[float, float] | None:
    """The point at fraction ``t`` from house a to house b (t may lie outside 0-1) along the street.

    Follows the way both houses front, keeping their side of the street; None when no way of the
    street runs past both.
    """
    if not street.lines:
        return None
    line = min(street.lines, key=lambda ln: ln.distance(a) + ln.distance(b))
    if line.distance(a) >= _LINK_RADIUS_M or line.distance(b) >= _LINK_RADIUS_M:
        return None
    da, db = line.project(a), line.project(b)
    if da == db:
        return None
    d = min(max(da + t * (db - da), 0.0), line.length)
    p = line.interpolate(d)
    # Keep the houses' side of the street: shift by their offset from the centre line.
    pa, pb = line.interpolate(da), line.interpolate(db)
    w = min(max(t, 0.0), 1.0)
    ox = (a.x - pa.x) * (1 - w) + (b.x - pb.x) * w
    oy = (a.y - pa.y) * (1 - w) + (b.y - pb.y) * w
    return p.x + ox, p.y + oy


def _bracket(
    street: Street, side: list[tuple[int, float, float]], number: int
) -> tuple[float, float] | None:
    below = [t for t in side if t[0] < number]
    above = [t for t in side if t[0] > number]
    if not (below and above):
        return None
    lo, hi = below[-1], above[0]
    t = (number - lo[0]) / (hi[0] - lo[0])
    a, b = Point(lo[1], lo[2]), Point(hi[1], hi[2])
    xy = _along(street, a, b, t)
    return xy if xy is not None else (a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))


def _interpolate(street: Street, number: int) -> tuple[tuple[float, float], str | None] | None:
    """Position of ``number`` from the numbered houses of its street.

    Between the nearest numbers below and above on the same side (same parity); else beyond the
    last known number on its side (at most ``_MAX_EXTRAPOLATION`` away), extended along the street
    at the spacing of the last two; else, as a last resort, between neighbours of either side (the
    two sides of a street need not advance together). Returns (xy, note) or None.
    """
    if not street.numbered:
        return None
    side = [t for t in street.numbered if t[0] % 2 == number % 2]
    xy = _bracket(street, side, number)
    if xy is not None:
        return xy, None
    distinct = sorted({t[0] for t in side})
    if len(distinct) >= 2:
        if number > distinct[-1]:
            n1, n2 = distinct[-2], distinct[-1]
        else:
            n1, n2 = distinct[1], distinct[0]
        if abs(number - n2) <= _MAX_EXTRAPOLATION:
            p1 = next(t for t in side if t[0] == n1)
            p2 = next(t for t in side if t[0] == n2)
            t = (number - n1) / (n2 - n1)
            found = _along(street, Point(p1[1], p1[2]), Point(p2[1], p2[2]), t)
            if found is not None:
                return (
                    found,
                    HOUSE_BEYOND.format(number=number, last=n2),
                )
    xy = _bracket(street, street.numbered, number)
    if xy is not None:
        return xy, HOUSE_BETWEEN_SIDES.format(number=number)
    return None


# --------------------------------------------------------------------------------------------------
# coordinates, corrections, report


def _text_or_none(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    return text or None


def _valid_lonlat(lon: float, lat: float) -> bool:
    return -180 <= lon <= 180 and -90 <= lat <= 90 and not (lon == 0 and lat == 0)


def read_corrections(path: str | Path) -> pd.DataFrame:
    """Read a corrections file filled in by hand.

    CSV with ``household_id`` or ``source_row`` (either identifies the register row) and either
    ``lat``, ``lon`` (the household's position) or ``street`` (optionally ``village``, ``house``): the
    address to use instead of the register's. Headers may be in Kyrgyz, Russian or English.

    Returns
    -------
    pandas.DataFrame
        Columns household_id (str or None), source_row (Int64), lat, lon (float), village, street,
        house (str or None), row (the correction's own row in its file).
    """
    path = Path(path)
    if not path.exists():
        msg = "{file}: corrections file not found"
        raise InputError(msg, file=path)
    table, numbers = read_table(path)
    aliases = dict(HOUSEHOLD_ALIASES)
    aliases["source_row"] = ("source_row", "row", "строка", "катар", "row number")
    found = match_headers(table[0], aliases, None, path=path)
    if "household_id" not in found and "source_row" not in found:
        msg = (
            "{file}: a corrections file needs a 'household_id' or 'source_row' column; "
            "the header row has {headers}"
        )
        raise InputError(msg, file=path, row=1, field="household_id", headers=table[0])
    if not ({"lat", "lon"} <= found.keys() or "street" in found):
        msg = "{file}: a corrections file needs 'lat' and 'lon' or 'street'; header: {headers}"
        raise InputError(msg, file=path, row=1, field="street", headers=table[0])
    out = [
        _correction(r, i, found, path)
        for i, r in zip(numbers[1:], table[1:], strict=True)
        if any(c.strip() for c in r)
    ]
    df = pd.DataFrame(
        out,
        columns=["household_id", "source_row", "lat", "lon", "village", "street", "house", "row"],
    )
    df["source_row"] = df["source_row"].astype("Int64")
    return df


def read_aliases(path: str | Path) -> dict[str, str]:
    """Read a user's alias file: two columns, a name as written and the name on the map.

    A CSV or Excel file; its first row is a header (any words), each other row one alias, e.g.
    ``ул. Ленина;Манас көчөсү`` for a renamed street, or ``Кетмень-Тюбе;Кетмен-Төбө`` for a
    village. The geocoding report writes suggestions in this form (`write_geocoding_report`).

    Raises
    ------
    routing.errors.InputError
        A row with one of the two names empty, or a file that cannot be read.
    """
    path = Path(path)
    if not path.exists():
        msg = "{file}: alias file not found"
        raise InputError(msg, file=path)
    table, numbers = read_table(path)
    aliases: dict[str, str] = {}
    for row, n in zip(table[1:], numbers[1:], strict=True):
        cells = [c.strip() for c in row[:2]] + ["", ""]
        if not any(cells):
            continue
        if not (cells[0] and cells[1]):
            field = "written" if not cells[0] else "on the map"
            msg = (
                "{file}: row {row}, field {field!r}: empty; give the name as written and on the map"
            )
            raise InputError(msg, file=path, row=n, field=field)
        aliases[cells[0]] = cells[1]
    return aliases


def _correction(r: list[str], i: int, found: dict[str, int], path: Path) -> dict[str, Any]:
    """One row of a corrections file (its row number in the file is ``i``)."""

    def get(k: str) -> str | None:
        pos = found.get(k)
        if pos is None or pos >= len(r):
            return None
        return r[pos].strip() or None

    def num(k: str) -> float:
        v = get(k)
        if v is None:
            return math.nan
        try:
            return float(v.replace(",", "."))
        except ValueError:
            msg = "{file}: row {row}, field {field!r}: {value!r} is not a number"
            raise InputError(msg, file=path, row=i, field=k, value=v) from None

    sr = get("source_row")
    if sr is not None and not sr.isdigit():
        msg = "{file}: row {row}, field {field!r}: {value!r} is not a row number"
        raise InputError(msg, file=path, row=i, field="source_row", value=sr)
    lat_c, lon_c = num("lat"), num("lon")
    rec: dict[str, Any] = {
        "household_id": get("household_id"),
        "source_row": int(sr) if sr else None,
        "lat": lat_c,
        "lon": lon_c,
        "village": get("village"),
        "street": get("street"),
        "house": get("house"),
        "row": i,
    }
    if rec["household_id"] is None and rec["source_row"] is None:
        msg = "{file}: row {row}: give household_id or source_row"
        raise InputError(msg, file=path, row=i)
    if math.isnan(lat_c) != math.isnan(lon_c) or (math.isnan(lat_c) and rec["street"] is None):
        msg = "{file}: row {row}: give both lat and lon, or a street"
        raise InputError(msg, file=path, row=i, field="lat")
    return rec


def _correction_index(corrections: pd.DataFrame | None) -> tuple[dict[str, Any], dict[int, Any]]:
    by_id: dict[str, Any] = {}
    by_row: dict[int, Any] = {}
    if corrections is None:
        return by_id, by_row
    for rec in corrections.to_dict("records"):
        hid = rec.get("household_id")
        if hid is not None and not (isinstance(hid, float) and math.isnan(hid)):
            by_id[str(hid)] = rec
            continue
        sr = rec.get("source_row")
        if sr is not None and not pd.isna(sr):
            by_row[int(sr)] = rec
    return by_id, by_row


PlaceChooser = Callable[[Sequence[str], str | None], str | None]
"""Of several gazetteer places a register names, the one meant (given the row's municipality,
None where the register has none), or None when that cannot be told (`routing.places`)."""


def geocode_households(
    df: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    choose_place: PlaceChooser | None = None,
    service_area: Polygon | None = None,
    corrections: pd.DataFrame | None = None,
    online: bool = False,
    aliases: Mapping[str, str] | None = None,
    min_score: float = 85.0,
    accept_village_level: bool = False,
    online_cache_dir: str | Path | None = None,
    user_agent: str = "taza-routing/0.1 (municipal waste-collection planning)",
) -> gpd.GeoDataFrame:
    """Locate the households of a register.

    Parameters
    ----------
    df
        Output of `routing.register.read_households`.
    gazetteer
        Built with `Gazetteer.from_osm`.
    choose_place
        Tells apart places of one name (`routing.places.SameNamePlaces.choose`); without it a
        village name the map holds twice is ambiguous and the row is not placed.
    service_area
        Polygon (WGS84) where households may lie; default: the gazetteer's extent.
    corrections
        Output of `read_corrections`: coordinates or streets given by hand, applied first.
    online
        Try Nominatim for rows the offline geocoder cannot place (off by default; needs internet).
    aliases
        Names as written -> names on the map (streets or villages), from `read_aliases`: a
        user's own spellings, renamed streets ("ул. Ленина" -> "Манас көчөсү").
    min_score
        Lowest fuzzy score (0-100) for a village or street name to count as a match.
    accept_village_level
        Whether a row located only at its village centre counts as ``ok``.
    online_cache_dir, user_agent
        For the online lookup.

    Returns
    -------
    geopandas.GeoDataFrame
        The register's columns plus ``match_level`` ("coordinates", "house", "interpolated",
        "street", "village" or None), ``match_score``, ``ok``, ``reason``, ``matched_village``,
        ``matched_street``, ``note``, ``suggestion`` (for a street written under a village that
        lacks it: the village that has it) and Point geometry (WGS84, None when unmatched).
        A ``house_note`` of the register (a house number recovered from a date) leads the note.
    """
    area = service_area if service_area is not None else gazetteer.extent
    from shapely import prepared

    area_p = prepared.prep(area)
    matcher = _Matcher(gazetteer, min_score, aliases, choose_place)
    by_id, by_row = _correction_index(corrections)
    online_args = (area, gazetteer.local, online_cache_dir, user_agent) if online else None

    cols = {c: df[c].tolist() for c in ("household_id", "source_row")}
    for c in ("village", "street", "house", "house_note", "municipality"):
        # A frame made by hand may hold NaN or numbers (house 12) where the reader gives str/None.
        cols[c] = [_text_or_none(v) for v in df[c]] if c in df else [None] * len(df)
    lats = df["lat"].to_numpy(dtype=float) if "lat" in df else np.full(len(df), np.nan)
    lons = df["lon"].to_numpy(dtype=float) if "lon" in df else np.full(len(df), np.nan)
    rows = []
    for i in range(len(df)):
        corr = by_id.get(str(cols["household_id"][i])) or by_row.get(int(cols["source_row"][i]))
        row = {c: cols[c][i] for c in ("village", "street", "house", "municipality")}
        m, note_parts = _locate(
            row, float(lats[i]), float(lons[i]), corr, matcher, area_p, online_args
        )
        if cols["house_note"][i]:
            note_parts.insert(0, cols["house_note"][i])
        ok = m.level in _MATCH_LEVELS_OK or (m.level == "village" and accept_village_level)
        reason = m.reason
        if not ok and reason is None:
            reason = "located at the village centre only"
        geom = Point(*gazetteer.local.lonlat(*m.xy)) if m.xy is not None else None
        rows.append(
            (m.level, round(float(m.score), 1), bool(ok), reason, m.village, m.street,
             "; ".join(note_parts) or None, m.suggestion, geom)
        )  # fmt: skip
    return _frame(df, rows)


_OUT_COLUMNS = (
    "match_level", "match_score", "ok", "reason", "matched_village", "matched_street", "note",
    "suggestion",
)  # fmt: skip


def _frame(df: pd.DataFrame, rows: list[tuple[Any, ...]]) -> gpd.GeoDataFrame:
    out = df.copy()
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(_OUT_COLUMNS) + 1)
    for name, values in zip(_OUT_COLUMNS, columns, strict=False):
        if name == "match_score":
            out[name] = np.asarray(values, dtype=float)
        elif name == "ok":
            out[name] = np.asarray(values, dtype=bool)
        else:
            out[name] = pd.Series(list(values), index=df.index, dtype=object)
    return gpd.GeoDataFrame(out, geometry=list(columns[-1]), crs="EPSG:4326")


def _locate(
    row: dict[str, str | None],
    lat: float,
    lon: float,
    corr: Mapping[str, Any] | None,
    matcher: _Matcher,
    area_p: Any,
    online_args: tuple[Polygon, _Local, str | Path | None, str] | None,
) -> tuple[_Match, list[str]]:
    """One register row: its correction, else its coordinates, else its address."""
    village, street, house = row["village"], row["street"], row["house"]
    local = matcher.gaz.local
    note_parts: list[str] = []
    m: _Match | None = None
    if corr is not None:
        if not math.isnan(corr["lat"]):
            lat, lon = float(corr["lat"]), float(corr["lon"])
            if _valid_lonlat(lon, lat):
                m = _Match("coordinates", 100.0, local.xy(lon, lat), note=BY_HAND)
        else:
            street = _text_or_none(corr.get("street"))
            village = _text_or_none(corr.get("village")) or village
            house = _text_or_none(corr.get("house")) or house
            note_parts.append(BY_HAND)
            lat = lon = math.nan
    if m is None and not (math.isnan(lat) or math.isnan(lon)):
        m = _by_coordinates(lat, lon, area_p, local, note_parts)
    if m is None:
        m = matcher.match(village, street, house, row["municipality"])
        if m.level is None and online_args is not None:
            m = _online(m, village, street, house, *online_args)
    elif m.level == "coordinates" and m.village is None and m.xy is not None:
        # Say which village the point belongs to: the one named, if known, else the nearest.
        named = matcher.village_name(village)
        nearest = matcher.nearest_village(m.xy)
        m.village = named or nearest
        far = matcher.distance_km(named, m.xy) if named and named != nearest else None
        if far is not None and far > _FAR_FROM_VILLAGE_KM:
            note_parts.append(FAR_FROM_VILLAGE.format(km=f"{far:.1f}", village=named))
    if m.note == BY_HAND:
        note_parts.insert(0, m.note)
    elif m.note:
        note_parts.append(m.note)
    return m, note_parts


def _by_coordinates(
    lat: float, lon: float, area_p: Any, local: _Local, note_parts: list[str]
) -> _Match | None:
    if _valid_lonlat(lon, lat) and area_p.contains(Point(lon, lat)):
        return _Match("coordinates", 100.0, local.xy(lon, lat))
    if _valid_lonlat(lat, lon) and area_p.contains(Point(lat, lon)):
        note = f"{SWAPPED}; {CORRECTED}"
        return _Match("coordinates", 95.0, local.xy(lat, lon), note=note)
    note_parts.append(f"{OUTSIDE_AREA.format(lat=lat, lon=lon)}; {BY_ADDRESS}")
    return None


@lru_cache(maxsize=1)
def _message_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for text in MESSAGES:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(text))
        out.append((re.compile(pattern), text))
    return tuple(out)


def translate_reason(text: object, *, language: str) -> str:
    """A reason or note of the geocoder (one of `MESSAGES`, or several joined by "; ") in a language.

    Parameters
    ----------
    text
        The ``reason`` or ``note`` as the households frame holds it (None or NaN: "").
    language
        "ky", "ru" or "en".

    Returns
    -------
    str
        Each part translated with its values (names, numbers) kept; a part that is no message of
        the geocoder (another stage's reason) is kept as it is.

    Examples
    --------
    >>> translate_reason("street 'Манас' not found in Терек-Суу; located at the village centre",
    ...                  language="ru")
    "улица 'Манас' не найдена в селе Терек-Суу; поставлено в центр села"
    """
    if not isinstance(text, str) or not text:
        return ""
    _ = translator(language)
    parts = []
    for part in text.split("; "):
        for pattern, msgid in _message_patterns():
            m = pattern.fullmatch(part)
            if m is not None:
                part = _(msgid, **m.groupdict())
                break
        parts.append(part)
    return "; ".join(parts)


def write_geocoding_report(gdf: gpd.GeoDataFrame, path: str | Path, *, language: str = "en") -> int:
    """Write a CSV of every row located below house level or not at all, with its row and why.

    Rows whose coordinates were swapped, lay outside the service area or far from the village
    written beside them are listed too, and rows whose house number was recovered from the date a
    spreadsheet made of it. The ``why`` column is in ``language`` (the other columns are codes
    and names as read).

    Also writes a GeoJSON layer beside it (same name, ``.geojson``) with the rows that have a position,
    for the map, and ``<name>-aliases.csv``: the street spellings that were not placed, as lines of
    an alias file (`read_aliases`) to complete and add to one's own. Every file is written whole
    (`routing.atomic.atomic_write`). Returns the number of rows listed.
    """
    return _write_report(gdf, Path(path), language=language)[0]


def write_plan_geocoding(plan: Plan, folder: Path, *, language: str) -> list[Path]:
    """The geocoding report of a plan's register in its output folder (the "geocoding" output).

    ``geocoding.csv`` (rows to fix, with why), ``geocoding.geojson`` (those with a position) and
    ``geocoding-aliases.csv`` (spellings not placed, as alias lines), as `write_geocoding_report`
    writes them; in the plan, a row the planner could not serve also says why. Nothing is written
    when the households were estimated from buildings (there is no register to fix).
    """
    households = plan.households
    if plan.scenario.households is None or "match_level" not in households.columns:
        return []
    return _write_report(households, folder / "geocoding.csv", language=language)[1]


def _write_report(gdf: gpd.GeoDataFrame, path: Path, *, language: str) -> tuple[int, list[Path]]:
    good = gdf["match_level"].isin(["coordinates", "house"]) & gdf["ok"].astype(bool)
    # Coordinates that had to be swapped or were outside the area are also worth a look.
    notes = gdf["note"].fillna("").astype(str)
    flagged = notes.str.contains(
        "swapped|outside the service area|km from|a date made by a spreadsheet", regex=True
    )
    rep = gdf.loc[~good | flagged].copy()
    why = []
    for rec in rep.to_dict("records"):
        parts = [p for p in (rec.get("reason"), rec.get("note")) if isinstance(p, str) and p]
        if not parts:
            parts = [MATCHED_AT.format(level=rec.get("match_level"))]
        why.append(translate_reason("; ".join(parts), language=language))
    rep["why"] = why
    rep["lat"] = [g.y if g is not None else math.nan for g in rep.geometry]
    rep["lon"] = [g.x if g is not None else math.nan for g in rep.geometry]
    cols = [
        "source_row", "household_id", "village", "street", "house", "match_level", "match_score",
        "ok", "matched_village", "matched_street", "suggestion", "why", "lat", "lon",
    ]  # fmt: skip
    cols = [c for c in cols if c in rep.columns]
    table = pd.DataFrame(rep[cols])
    written = [atomic_write(path, lambda h: table.to_csv(h, index=False))]
    aliases = _write_alias_suggestions(rep, path.with_name(path.stem + "-aliases.csv"))
    written += [aliases] if aliases is not None else []
    located = rep[rep.geometry.notna()]
    geo = path.with_suffix(".geojson")
    if len(located):
        layer = gpd.GeoDataFrame(located[cols], geometry=located.geometry, crs=gdf.crs)
        written.append(atomic_write(geo, lambda h: h.write(layer.to_json(drop_id=True))))
    elif geo.exists():
        geo.unlink()
    return len(rep), written


def report_scenario(
    scenario: Scenario, out: str | Path, *, cache_dir: str | Path | None = None
) -> tuple[int, int, int]:
    """Locate a scenario's register and write its geocoding report (`write_geocoding_report`).

    Uses the scenario's OSM source, register, corrections and alias file, as a plan does (the
    service area is the gazetteer's extent). The report lists every row below house level with
    why; ``<out>-aliases.csv`` beside it offers the spellings not placed as alias lines.

    Returns
    -------
    tuple of int
        Rows in the register, rows listed in the report, alias lines offered.

    Raises
    ------
    routing.errors.InputError
        When the scenario has no register, or a file cannot be read.
    """
    from routing.register import read_households

    if scenario.households is None:
        msg = "{file}: [register] households is not set: there is no register to locate"
        raise InputError(msg, file=scenario.path, field="register.households")
    frame = read_households(scenario.households, columns=scenario.households_columns)
    gaz = Gazetteer.from_osm(scenario.osm, cache_dir=cache_dir)
    corrections = read_corrections(scenario.corrections) if scenario.corrections else None
    aliases = read_aliases(scenario.aliases) if scenario.aliases else None
    gdf = geocode_households(frame, gaz, corrections=corrections, aliases=aliases)
    listed = write_geocoding_report(gdf, out, language=scenario.language)
    offered = Path(out).with_name(Path(out).stem + "-aliases.csv")
    lines = len(pd.read_csv(offered)) if offered.exists() else 0
    return len(gdf), listed, lines


def _write_alias_suggestions(rep: pd.DataFrame, path: Path) -> Path | None:
    """Offer the spellings the geocoder could not place as lines for the user's alias file.

    One line per street spelling not found (most rows first), in the two columns of
    `read_aliases`: the second column holds the suggestion where there is one (a street of that
    name in another village) and is empty otherwise, for the user to fill in or delete.
    Returns the file, or None when there is no line (and no file).
    """
    if "street" not in rep.columns:
        return None
    unplaced = rep[rep["matched_street"].isna() & rep["street"].notna()]
    lines: dict[str, list[Any]] = {}
    for rec in unplaced.to_dict("records"):
        written = str(rec["street"])
        entry = lines.setdefault(written, [written, "", 0, rec.get("village") or ""])
        entry[2] += 1
        sug = rec.get("suggestion")
        if isinstance(sug, str) and sug and not entry[1]:
            entry[1] = sug.split(" (")[0]
    rows = sorted(lines.values(), key=lambda e: -int(e[2]))
    if not lines:
        if path.exists():
            path.unlink()
        return None
    table = pd.DataFrame(
        rows,
        columns=["written", "on the map", "rows", "village (first row)"],
    )
    return atomic_write(path, lambda h: table.to_csv(h, index=False))


# --------------------------------------------------------------------------------------------------
# online (off by default)

_LAST_REQUEST = [0.0]
NOMINATIM_URL = "https://nominatim.openstreetmap.org/search"


def nominatim_lookup(
    query: str,
    *,
    user_agent: str,
    cache_dir: str | Path | None = None,
    viewbox: tuple[float, float, float, float] | None = None,
    base_url: str = NOMINATIM_URL,
    timeout_s: float = 10.0,
) -> dict[str, Any] | None:
    """Look an address up with Nominatim (online; respects the 1 request per second policy).

    Parameters
    ----------
    query
        Free-form address, e.g. "Манас көчөсү 12, Терек-Суу".
    user_agent
        Identifies the application, as the usage policy requires.
    cache_dir
        Results are cached on disk here (one JSON file per query) and never requested twice.
    viewbox
        (min_lon, min_lat, max_lon, max_lat): results restricted to it.

    Returns
    -------
    dict or None
        The first result (``lat``, ``lon``, ``class``, ``type``, ``display_name`` …) or None.
    """
    if not user_agent.strip():
        msg = "user_agent: Nominatim requires an identifying User-Agent"
        raise ValueError(msg)
    params = {"q": query, "format": "jsonv2", "limit": "1", "addressdetails": "0"}
    if viewbox is not None:
        params["viewbox"] = ",".join(f"{v:.6f}" for v in viewbox)
        params["bounded"] = "1"
    url = base_url + "?" + urllib.parse.urlencode(params)
    cache_file = None
    if cache_dir is not None:
        cache_file = Path(cache_dir) / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")
        if cache_file.exists():
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
            return cached or None
    wait = 1.0 - (time.monotonic() - _LAST_REQUEST[0])
    if wait > 0:
        time.sleep(wait)
    req = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            data = json.loads(resp.read().decode("utf-8"))
    finally:
        _LAST_REQUEST[0] = time.monotonic()
    result = data[0] if data else None
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(result or {}, ensure_ascii=False), encoding="utf-8")
    return result


def _online(
    m: _Match,
    village: str | None,
    street: str | None,
    house: str | None,
    area: Polygon,
    local: _Local,
    cache_dir: str | Path | None,
    user_agent: str,
) -> _Match:
    parts = [" ".join(p for p in (street, house) if p), village or ""]
    query = ", ".join(p for p in parts if p)
    if not query:
        return m
    try:
        res = nominatim_lookup(
            query, user_agent=user_agent, cache_dir=cache_dir, viewbox=area.bounds
        )
    except OSError as exc:
        m.reason = f"{m.reason}; {ONLINE_FAILED.format(error=exc)}"
        return m
    if not res:
        return m
    lon, lat = float(res["lon"]), float(res["lat"])
    if not area.contains(Point(lon, lat)):
        return m
    level = "house" if res.get("type") in ("house", "building") else "street"
    return _Match(level, 80.0, local.xy(lon, lat), village, street, note=ONLINE)
