"""Households where no register exists: estimated from building footprints or from a population figure.

Every row made here is an estimate and says so: ``estimate`` is True, ``match_level`` is
``"estimate"`` and ``note`` tells how it was made. Members are spread around the household size with a
seeded generator so that a village's total stays close to (buildings) or equal to (population) the
figure used; the same seed gives the same households.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon

__all__ = [
    "INCOMPLETE_SHARE",
    "RESIDENTIAL_BUILDINGS",
    "VillageFill",
    "check_register",
    "estimate_households_from_buildings",
    "estimate_households_from_population",
    "fill_from_population",
    "fill_villages",
    "streets_near",
]

# building=* values that are homes. building=yes counts when nothing says it is something else.
RESIDENTIAL_BUILDINGS = frozenset(
    {
        "house", "residential", "detached", "semidetached_house", "terrace", "bungalow", "cabin",
        "farm", "apartments", "dormitory", "yes",
    }
)  # fmt: skip
_NOT_HOME_TAGS = (
    "amenity", "shop", "office", "industrial", "craft", "man_made", "religion", "tourism",
    "leisure", "public_transport", "power", "military", "healthcare", "sport", "historic",
)  # fmt: skip
_M2_PER_FLAT = 70.0
_ESTIMATE_COLUMNS = [
    "household_id", "source_row", "village", "street", "house", "head", "members", "lat", "lon",
    "match_level", "match_score", "ok", "reason", "matched_village", "matched_street", "note",
    "estimate", "geometry",
]  # fmt: skip


def _spread_members(n: int, household_size: float, rng: np.random.Generator) -> np.ndarray:
    """Whole member counts with mean ``household_size``: floor or ceil, chosen at random."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    lo = math.floor(household_size)
    frac = household_size - lo
    members = lo + (rng.random(n) < frac).astype(np.int64)
    return np.maximum(members, 1)


def _local_area_m2(coords: list[tuple[float, float]]) -> float:
    lat0 = float(np.mean([c[1] for c in coords]))
    kx = 111_320.0 * math.cos(math.radians(lat0))
    poly = Polygon([(lon * kx, lat * 110_574.0) for lon, lat in coords])
    return float(poly.area) if poly.is_valid else float(poly.buffer(0).area)


def estimate_households_from_buildings(
    osm_path: str | Path,
    *,
    area: Polygon | None = None,
    household_size: float = 4.7,
    spread: bool = True,
    seed: int = 0,
    min_area_m2: float = 30.0,
    max_area_m2: float = 600.0,
) -> gpd.GeoDataFrame:
    """Estimate one household per residential building of an OSM file.

    Parameters
    ----------
    osm_path
        OSM file (.osm, .osm.bz2, .osm.pbf).
    area
        Only buildings whose centre lies inside this polygon (WGS84).
    household_size
        Mean persons per household.
    spread
        Members drawn as floor/ceil of ``household_size`` (mean preserved); else rounded.
    seed
        Seed of the generator that spreads members.
    min_area_m2, max_area_m2
        Footprint range for ``building=yes`` to count as a home (sheds and barns are smaller or larger).
        Apartment buildings get one household per 70 m² of floor.

    Returns
    -------
    geopandas.GeoDataFrame
        Households columns (see docs/ARCHITECTURE.md) with ``estimate`` True, ``match_level``
        "estimate", ``source_row`` 0 (no register row), ``village`` the nearest place node's name.
    """
    if household_size <= 0:
        msg = f"household_size: must be > 0, got {household_size!r}"
        raise ValueError(msg)
    path = Path(osm_path)
    if not path.exists():
        msg = f"{path}: OSM file not found"
        raise ValueError(msg)
    places, homes = _read_homes(path, area, min_area_m2, max_area_m2)
    rng = np.random.default_rng(seed)
    n_rows = sum(h[3] for h in homes)
    if spread:
        members = _spread_members(n_rows, household_size, rng)
    else:
        members = np.full(n_rows, max(1, round(household_size)), dtype=np.int64)
    place_xy = np.array([(p[1], p[2]) for p in places], dtype=float).reshape(-1, 2)
    note = f"estimate: one household per residential building (household size {household_size:g})"
    rows: list[dict[str, object]] = []
    for way_id, lon, lat, flats, street, house in homes:
        village = None
        if len(place_xy):
            kx = math.cos(math.radians(lat))
            d = np.hypot((place_xy[:, 0] - lon) * kx, place_xy[:, 1] - lat)
            village = places[int(np.argmin(d))][0]
        for f in range(flats):
            rows.append(
                {
                    "household_id": f"est-w{way_id}" + (f"-{f + 1}" if flats > 1 else ""),
                    "source_row": 0, "village": village, "street": street, "house": house,
                    "head": None, "members": int(members[len(rows)]), "lat": lat, "lon": lon,
                    "match_level": "estimate", "match_score": math.nan, "ok": True,
                    "reason": None, "matched_village": village, "matched_street": street,
                    "note": note, "estimate": True, "geometry": Point(lon, lat),
                }
            )  # fmt: skip
    return _frame(rows)


_Home = tuple[int, float, float, int, str | None, str | None]


def _read_homes(
    path: Path, area: Polygon | None, min_area_m2: float, max_area_m2: float
) -> tuple[list[tuple[str, float, float]], list[_Home]]:
    """The named places and the homes (way id, lon, lat, flats, street, house) of an OSM file."""
    import osmium

    places: list[tuple[str, float, float]] = []
    homes: list[_Home] = []
    keys = osmium.filter.KeyFilter("building", "place")  # only these objects are looked at
    for obj in osmium.FileProcessor(str(path)).with_locations().with_filter(keys):
        if isinstance(obj, osmium.osm.Node):
            if obj.tags.get("place") in ("village", "town", "hamlet", "city", "isolated_dwelling"):
                name = obj.tags.get("name")
                if name:
                    places.append((name, obj.location.lon, obj.location.lat))
            continue
        if not isinstance(obj, osmium.osm.Way):
            continue
        home = _home(obj, min_area_m2, max_area_m2)
        if home is not None and (area is None or area.contains(Point(home[1], home[2]))):
            homes.append(home)
    return places, homes


def _home(way: Any, min_area_m2: float, max_area_m2: float) -> _Home | None:
    """A residential building's centre and flats, or None when the way is not a home."""
    btype = way.tags.get("building")
    if btype not in RESIDENTIAL_BUILDINGS or not way.is_closed():
        return None
    if any(k in way.tags for k in _NOT_HOME_TAGS):
        return None
    coords = [(n.location.lon, n.location.lat) for n in way.nodes if n.location.valid()]
    if len(coords) < 4:
        return None
    m2 = _local_area_m2(coords)
    if btype == "yes" and not (min_area_m2 <= m2 <= max_area_m2):
        return None
    flats = 1
    if btype in ("apartments", "dormitory"):
        levels = way.tags.get("building:levels") or "1"
        try:
            lv = max(1, int(float(levels)))
        except ValueError:
            lv = 1
        flats = max(1, round(m2 * lv / _M2_PER_FLAT))
    lon = float(np.mean([c[0] for c in coords[:-1]]))
    lat = float(np.mean([c[1] for c in coords[:-1]]))
    tags = way.tags
    return (way.id, lon, lat, flats, tags.get("addr:street"), tags.get("addr:housenumber"))


def _frame(rows: Sequence[Mapping[str, object]]) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(rows, columns=_ESTIMATE_COLUMNS, geometry="geometry", crs="EPSG:4326")
    gdf["members"] = gdf["members"].astype("int64")
    gdf["source_row"] = gdf["source_row"].astype("int64")
    gdf["ok"] = gdf["ok"].astype(bool)
    gdf["estimate"] = gdf["estimate"].astype(bool)
    gdf["match_score"] = gdf["match_score"].astype("float64")
    return gdf


def estimate_households_from_population(
    village: str,
    population: int,
    centre: Point | tuple[float, float],
    *,
    household_size: float = 4.7,
    seed: int = 0,
    radius_m: float | None = None,
    m2_per_household: float = 800.0,
) -> gpd.GeoDataFrame:
    """Estimate a village's households from its population and a household size.

    Parameters
    ----------
    village
        The village's name.
    population
        Residents; the members of the estimated households add up to exactly this.
    centre
        The village centre, a Point or (lon, lat) in WGS84.
    household_size
        Mean persons per household: ``round(population / household_size)`` households are made.
    seed
        Seed of the generator placing households and spreading members.
    radius_m
        Radius of the disc the households are scattered in; default from ``m2_per_household``.
    m2_per_household
        Land per household (plot and its share of lanes) used for the default radius.

    Returns
    -------
    geopandas.GeoDataFrame
        Households columns with ``estimate`` True and ``match_level`` "estimate".
    """
    if population < 0 or int(population) != population:
        msg = f"population: must be a whole number >= 0, got {population!r}"
        raise ValueError(msg)
    if household_size <= 0:
        msg = f"household_size: must be > 0, got {household_size!r}"
        raise ValueError(msg)
    lon0, lat0 = (centre.x, centre.y) if isinstance(centre, Point) else centre
    n = round(population / household_size)
    n = max(n, 1) if population > 0 else 0
    rng = np.random.default_rng(seed)
    members = np.full(n, population // n if n else 0, dtype=np.int64)
    if n:
        extra = population - int(members.sum())
        members[rng.choice(n, size=extra, replace=False)] += 1
    radius = radius_m if radius_m is not None else math.sqrt(n * m2_per_household / math.pi)
    r = radius * np.sqrt(rng.random(n))
    t = rng.random(n) * 2 * math.pi
    kx = 111_320.0 * math.cos(math.radians(lat0))
    lons = lon0 + r * np.cos(t) / kx
    lats = lat0 + r * np.sin(t) / 110_574.0
    note = (
        f"estimate: {population} residents / household size {household_size:g}, "
        f"scattered within {radius:.0f} m of the centre"
    )
    rows = [
        {
            "household_id": f"est-{village}-{i + 1}",
            "source_row": 0,
            "village": village,
            "street": None,
            "house": None,
            "head": None,
            "members": int(members[i]),
            "lat": float(lats[i]),
            "lon": float(lons[i]),
            "match_level": "estimate",
            "match_score": math.nan,
            "ok": True,
            "reason": None,
            "matched_village": village,
            "matched_street": None,
            "note": note,
            "estimate": True,
            "geometry": Point(float(lons[i]), float(lats[i])),
        }
        for i in range(n)
    ]
    return _frame(rows)


#: A village whose mapped buildings give fewer than this share of the households its population
#: implies is filled from its population (and warned about).
INCOMPLETE_SHARE = 0.5


@dataclass(frozen=True)
class VillageFill:
    """A village whose mapped buildings imply far fewer households than its population.

    Attributes
    ----------
    village
        The scenario's name of the village.
    population
        Its ``population`` in the scenario.
    expected
        Households the population implies (population / household size).
    mapped
        Households estimated from its mapped buildings.
    added
        Households added along its streets (0 when it could not be placed: no place node or
        no road near it).
    """

    village: str
    population: int
    expected: int
    mapped: int
    added: int
    register: bool = False

    def describe(self, *, language: str = "en") -> str:
        """One line for the run table and ``summary.json``, in a language."""
        from routing.i18n import translator

        _ = translator(language)
        figures = {
            "village": self.village, "population": self.population,
            "expected": self.expected, "mapped": self.mapped, "added": self.added,
        }  # fmt: skip
        if self.register:
            return _(
                "{village}: population {population} implies about {expected} households, the "
                "register has {mapped}: is it complete?",
                **figures,
            )
        if self.added:
            return _(
                "{village}: population {population} implies about {expected} households, the map "
                "has buildings for {mapped}: data looks incomplete; {added} estimated households "
                "placed along its streets",
                **figures,
            )
        return _(
            "{village}: population {population} implies about {expected} households, the map has "
            "buildings for {mapped}: data looks incomplete; no households could be placed (no "
            "mapped place or road near it)",
            **figures,
        )


def fill_from_population(
    households: gpd.GeoDataFrame,
    populations: Mapping[str, int],
    centres: Mapping[str, tuple[float, float]],
    streets: Sequence[tuple[str, LineString]],
    *,
    household_size: float,
    seed: int = 0,
    share: float = INCOMPLETE_SHARE,
) -> tuple[gpd.GeoDataFrame, list[VillageFill]]:
    """Add estimated households to villages whose buildings imply far fewer than their population.

    Parameters
    ----------
    households
        Households estimated from buildings, with ``village`` (the scenario's village name).
    populations
        The scenario's ``population`` per village name.
    centres
        ``(lon, lat)`` of each village's place node, where known.
    streets
        ``(village, line)`` of the roads each village's households may be put along (WGS84;
        `streets_near`), nearest first.
    household_size
        Persons per household.
    seed
        Seed of the member spread.
    share
        A village is filled when its buildings give fewer than ``share`` × expected households.

    Returns
    -------
    households, fills
        The households with the added rows (``estimate`` True, ``match_level`` "estimate", a
        ``note`` with the figures) and one `VillageFill` per village found incomplete.
    """
    counts = households["village"].value_counts() if len(households) else {}
    rows: list[dict[str, object]] = []
    fills: list[VillageFill] = []
    rng = np.random.default_rng(seed)
    for village, population in populations.items():
        expected = round(population / household_size)
        mapped = int(counts.get(village, 0))
        if expected == 0 or mapped >= share * expected:
            continue
        lines = [line for name, line in streets if name == village]
        missing = expected - mapped
        spots = _along(lines, missing) if lines else []
        members = _spread_members(len(spots), household_size, rng)
        note = (
            f"estimate: population {population} / household size {household_size:g} = "
            f"{expected} households; the map has buildings for {mapped}: placed along its streets"
        )
        for i, (lon, lat) in enumerate(spots):
            rows.append(_population_row(village, i, lon, lat, int(members[i]), note))
        fills.append(VillageFill(village, int(population), expected, mapped, len(spots)))
    if not rows:
        return households, fills
    added = _frame(rows)
    both = gpd.GeoDataFrame(
        pd.concat([households, added], ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    return both, fills


def _population_row(
    village: str, i: int, lon: float, lat: float, members: int, note: str
) -> dict[str, object]:
    return {
        "household_id": f"est-pop-{village}-{i + 1}", "source_row": 0, "village": village,
        "street": None, "house": None, "head": None, "members": members, "lat": lat, "lon": lon,
        "match_level": "estimate", "match_score": math.nan, "ok": True, "reason": None,
        "matched_village": village, "matched_street": None, "note": note, "estimate": True,
        "geometry": Point(lon, lat),
    }  # fmt: skip


def _along(lines: Sequence[LineString], n: int) -> list[tuple[float, float]]:
    """``n`` points spread evenly along the lines (one after another), in WGS84 degrees."""
    if n <= 0:
        return []
    lengths = np.array([line.length for line in lines])
    total = float(lengths.sum())
    if total <= 0:
        return []
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    out = []
    for k in range(n):
        at = (k + 0.5) * total / n
        i = min(int(np.searchsorted(cum, at, side="right")) - 1, len(lines) - 1)
        p = lines[i].interpolate(at - cum[i])
        out.append((float(p.x), float(p.y)))
    return out


def streets_near(
    edges: Sequence[tuple[LineString, str]],
    centres: Mapping[str, tuple[float, float]],
    expected: Mapping[str, int],
    *,
    m2_per_household: float = 800.0,
    min_radius_m: float = 300.0,
) -> list[tuple[str, LineString]]:
    """The roads each village's missing households are put along: those near its centre.

    Parameters
    ----------
    edges
        ``(line, highway)`` of the road network in WGS84 (each street once).
    centres
        ``(lon, lat)`` of each village's place node.
    expected
        Households each village should have (sets the radius: ``m2_per_household`` each).
    m2_per_household, min_radius_m
        Land per household and the smallest radius searched.

    Returns
    -------
    list of (village, line)
        Residential-type roads (else any road) whose midpoint is within the radius.
    """
    homes = {"residential", "living_street", "unclassified", "service", "road", "tertiary"}
    out: list[tuple[str, LineString]] = []
    for village, (lon0, lat0) in centres.items():
        n = expected.get(village, 0)
        radius = max(min_radius_m, math.sqrt(n * m2_per_household / math.pi))
        kx = 111_320.0 * math.cos(math.radians(lat0))
        near: list[tuple[float, LineString, bool]] = []
        for line, highway in edges:
            mid = line.interpolate(0.5, normalized=True)
            d = math.hypot((mid.x - lon0) * kx, (mid.y - lat0) * 110_574.0)
            if d <= radius:
                near.append((d, line, highway in homes))
        chosen = [x for x in near if x[2]] or near
        out += [(village, line) for _, line, _ in sorted(chosen, key=lambda x: x[0])]
    return out


def check_register(
    households: gpd.GeoDataFrame,
    villages: Sequence[Any],
    *,
    household_size: float,
    share: float = INCOMPLETE_SHARE,
) -> list[VillageFill]:
    """Villages whose register lists fewer than ``share`` of the households their population implies.

    Parameters
    ----------
    households
        The register's households with ``village_spec`` (the scenario's village of each).
    villages
        `routing.scenario.VillageSpec` items; those with a ``population`` are checked.
    household_size, share
        As in `fill_from_population`; nothing is added (the register is the truth), only warned.
    """
    counts = households["village_spec"].value_counts() if len(households) else {}
    out = []
    for v in villages:
        if not v.population or v.name == "*":
            continue
        expected = round(v.population / household_size)
        listed = int(counts.get(v.name, 0))
        if expected and listed < share * expected:
            out.append(VillageFill(v.name, int(v.population), expected, listed, 0, register=True))
    return out


def fill_villages(
    households: gpd.GeoDataFrame,
    network: Any,
    villages: Sequence[Any],
    *,
    household_size: float,
    seed: int = 0,
) -> tuple[gpd.GeoDataFrame, list[VillageFill]]:
    """`fill_from_population` for a scenario's villages on a road network.

    Parameters
    ----------
    households
        Households estimated from buildings, ``village`` the scenario's village name.
    network
        The `routing.network.RoadNetwork` (its ``places`` give the villages' centres).
    villages
        `routing.scenario.VillageSpec` items; those with a ``population`` are checked.
    household_size, seed
        As in `fill_from_population`.
    """
    from routing.directions import edge_lines
    from routing.normalize import place_key

    populations = {v.name: int(v.population) for v in villages if v.population and v.name != "*"}
    if not populations:
        return households, []
    keys = {place_key(v.name): v.name for v in villages if v.name in populations}
    for v in villages:
        for alias in getattr(v, "aliases", ()):
            keys.setdefault(place_key(alias), v.name)
    centres: dict[str, tuple[float, float]] = {}
    for name, _, x, y in network.places:
        village = keys.get(place_key(name))
        if village and village not in centres:
            lon, lat = network.to_wgs84(x, y)
            centres[village] = (float(lon), float(lat))
    expected = {v: round(p / household_size) for v, p in populations.items()}
    lines = [(LineString(c), hw) for c, _, hw in edge_lines(network.graph, to_wgs84=True)]
    streets = streets_near(lines, centres, expected)
    return fill_from_population(
        households, populations, centres, streets, household_size=household_size, seed=seed
    )
