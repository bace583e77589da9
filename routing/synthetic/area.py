"""The valley: villages along one road from the town, hamlets, the landfill, the register.

Phases, each drawing from its own seeded stream (``{seed}:village:{code}``, ``{seed}:road:{code}``,
``{seed}:hamlets``, ``{seed}:landfill``, ``{seed}:house-numbers:{code}``, ``{seed}:buildings:{code}``,
``{seed}:register``, ``{seed}:containers``), so changing one part leaves the others as they are:

1. the places table: the town where the road starts, the served villages in valley order;
2. each village (``village.build_village``, grown by a quarter and retried when its houses do not
   fit), then the valley road from the previous village to it, and its place node;
3. hamlets without people, the landfill off the road between the town and the first village;
4. house numbers and buildings, the trucks' connectivity check, then the files.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from routing.synthetic.geometry import XY, Frame, add, left, norm, square, sub, unit, wiggle
from routing.synthetic.names import NamePool, StreetName, base_names
from routing.synthetic.osm import NOTE, OsmModel, Tags, check_drivable, fmt, write_osm
from routing.synthetic.places import (
    PERSONS_PER_HOUSEHOLD,
    Place,
    assume_positions,
    default_places_path,
    read_places,
    select,
    valley_order,
)
from routing.synthetic.readme import valley_readme
from routing.synthetic.register import csv_text, number_houses, write_register
from routing.synthetic.village import House, Site, VillageBuild, build_village

__all__ = [
    "DEFAULT_SEED",
    "SyntheticArea",
    "VillageSummary",
    "fit_village",
    "generate",
    "write_containers",
]

#: Seed of the committed files in ``data/taza-aimak``.
DEFAULT_SEED = 2022
_ATTEMPTS = 12  # a village grows by a quarter per attempt: 1.25**11 = 11.6 times the street length


@dataclass(frozen=True)
class VillageSummary:
    """A village as generated: its place node, whether its position is assumed, its households."""

    name_ky: str
    name_ru: str
    name_en: str
    lat: float
    lon: float
    households: int
    position_assumed: bool
    streets: int


@dataclass(frozen=True)
class SyntheticArea:
    """What :func:`generate` wrote.

    Attributes
    ----------
    files
        Output kind ("osm", "households", "truth", "containers", "readme") to its path.
    villages
        Every place with a node in the OSM file, in valley order (Toktogul first).
    depot
        (lat, lon) of the enterprise's garage (building centroid; not on a road).
    landfill
        (lat, lon) of the landfill gate, at the end of its access road.
    landfill_centroid
        (lat, lon) of the landfill polygon's centroid.
    households
        Number of register rows.
    """

    seed: int
    files: dict[str, Path]
    villages: list[VillageSummary]
    depot: tuple[float, float]
    landfill: tuple[float, float]
    landfill_centroid: tuple[float, float]
    households: int
    osm_nodes: int
    osm_ways: int
    messy_rows: int
    coordinate_rows: int


@dataclass(frozen=True)
class _Valley:
    """The places the valley is made of, in the local frame anchored at the town."""

    path: Path
    town: Place
    served: list[Place]
    hamlets: list[Place]
    assumed: set[str]
    chain: list[Place]  # the town, then the served villages in valley order
    pts: list[XY]  # positions of ``chain``
    full_pts: dict[str, XY]  # every populated village, chosen or not
    neighbours: dict[str, tuple[Place, Place | None]]
    full_chain_end: Place  # the last village of the whole valley (the road is named after it)
    frame: Frame


@dataclass
class _Build:
    """The valley as it is being built."""

    osm: OsmModel
    start: int
    summaries: list[VillageSummary]
    houses: list[House] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    road_segments: list[list[int]] = field(default_factory=list)
    depot_xy: XY | None = None
    first_bulge: float = 0.0


def _read_valley(places: Path | str | None, villages: Sequence[str] | None) -> _Valley:
    """Phase 1: the town, the served villages and hamlets, their positions in metres."""
    places_path = Path(places) if places is not None else default_places_path()
    if not places_path.exists():
        msg = f"{places_path}: places table not found (pass --places PATH to the places CSV)"
        raise FileNotFoundError(msg)
    table = read_places(places_path)
    towns = [p for p in table if p.population > 0 and not p.aiyl_aimak]
    if not towns or towns[0].lat is None:
        msg = f"{places_path}: no town with coordinates and an empty aiyl_aimak (the road's start, Toktogul)"
        raise ValueError(msg)
    town = towns[0]
    positioned, assumed = assume_positions(table, town)
    populated = [p for p in positioned if p.population > 0 and p is not town and p.aiyl_aimak]
    served = select(populated, villages)
    hamlets = [p for p in table if p.population <= 0 and p.aiyl_aimak] if villages is None else []
    chain = [town, *valley_order(served)]
    assert town.lat is not None and town.lon is not None
    # the frame is anchored at the town, so a village comes out the same whatever else is generated
    frame = Frame(town.lat, town.lon)
    # a village lies along the road between its neighbours in the whole valley, chosen or not
    full_chain = [town, *valley_order(populated)]
    return _Valley(
        path=places_path,
        town=town,
        served=served,
        hamlets=hamlets,
        assumed=assumed,
        chain=chain,
        pts=[frame.xy(p.lat or 0.0, p.lon or 0.0) for p in chain],
        full_pts={p.soate_code: frame.xy(p.lat or 0.0, p.lon or 0.0) for p in full_chain},
        neighbours={
            p.soate_code: (
                full_chain[k - 1],
                full_chain[k + 1] if k + 1 < len(full_chain) else None,
            )
            for k, p in enumerate(full_chain)
            if k > 0
        },
        full_chain_end=full_chain[-1],
        frame=frame,
    )


def _start(valley: _Valley, road_tags: Tags) -> _Build:
    """The town's place node and the road's first node."""
    town, frame, pts = valley.town, valley.frame, valley.pts
    osm = OsmModel()
    osm.node(add(pts[0], (0.0, 40.0)), {
        "place": "town", "name": town.name_ky, "name:ky": town.name_ky, "name:ru": town.name_ru,
        "name:en": town.name_en.replace(" (town)", ""), "population": str(town.population), "note": NOTE,
    })  # fmt: skip
    start = osm.node(pts[0])
    summaries = [
        VillageSummary(town.name_ky, town.name_ru, town.name_en, *frame.latlon(pts[0]), 0, False, 0)
    ]
    return _Build(osm, start, summaries)


def fit_village(
    place: Place,
    *,
    households: int,
    centre: XY,
    axis: XY,
    main_road: Tags,
    rng: random.Random,
    names: Sequence[StreetName] | NamePool,
    depot: bool = False,
    market: bool = False,
) -> VillageBuild:
    """Build a village, growing its streets by a quarter until its households fit.

    Raises
    ------
    RuntimeError
        When even 11.6 times the street length cannot house them (a generator bug).
    """
    grow = 1.0
    for _attempt in range(_ATTEMPTS):
        build = build_village(
            place, households=households, centre=centre, axis=axis, main_road=main_road, rng=rng,
            names=names, depot=depot, market=market, grow=grow,
        )  # fmt: skip
        if len(build.houses) >= households:
            return build
        grow *= 1.25
    msg = f"{place.name_en}: could not fit {households} houses (generator bug)"
    raise RuntimeError(msg)


def _add_villages(
    valley: _Valley, build: _Build, road_tags: Tags, *, seed: int, scale: float
) -> None:
    """Phase 2: each village, the road to it from the previous one, and its place node."""
    names = base_names()
    depot_village = _depot_village(valley.served)
    village_tags = {k: v for k, v in road_tags.items() if k not in ("name", "name:ru")}
    prev_exit = build.start
    for k, place in enumerate(valley.chain[1:], start=1):
        here = valley.pts[k]
        before, after = valley.neighbours[place.soate_code]
        b_pt = valley.full_pts[before.soate_code]
        axis = unit(sub(valley.full_pts[after.soate_code], b_pt) if after else sub(here, b_pt))
        # one random stream per village and per road: changing one part leaves the others as they are
        village = fit_village(
            place, households=max(1, round(place.population / PERSONS_PER_HOUSEHOLD * scale)),
            centre=here, axis=axis, main_road=village_tags,
            rng=random.Random(f"{seed}:village:{place.soate_code}"), names=names,
            depot=place is depot_village, market=place is depot_village,
        )  # fmt: skip
        offset = build.osm.extend(village.osm)
        rrng = random.Random(f"{seed}:road:{place.soate_code}")
        _road_to(valley, build, k, prev_exit, village.entry + offset, rrng)
        prev_exit = village.exit + offset
        _place_node(valley, build, place, axis)
        build.houses.extend(village.houses)
        build.sites.extend(village.sites)
        if village.depot is not None:
            build.depot_xy = village.depot
        vlat, vlon = valley.frame.latlon(here)
        build.summaries.append(
            VillageSummary(
                place.name_ky, place.name_ru, place.name_en, vlat, vlon, len(village.houses),
                place.soate_code in valley.assumed, village.streets,
            )
        )  # fmt: skip
    for seg in build.road_segments:
        build.osm.way(seg, road_tags)


def _depot_village(served: list[Place]) -> Place | None:
    """The village whose note says it has the garage, else the largest."""
    noted = next((p for p in served if "garage" in p.note.lower()), None)
    return noted or max(served, key=lambda p: p.population, default=None)


def _road_to(
    valley: _Valley, build: _Build, k: int, prev_exit: int, entry: int, rng: random.Random
) -> None:
    """The valley road from the previous village's exit to this village's entry."""
    osm = build.osm
    p_from, p_to = osm.nodes[prev_exit][0], osm.nodes[entry][0]
    dist = norm(sub(p_to, p_from))
    span_k = norm(sub(valley.pts[k], valley.pts[k - 1]))
    bulge = (0.12 if k == 1 else 0.05) * span_k * rng.choice((1, -1))
    if k == 1:
        build.first_bulge = bulge
    mids = [
        osm.node(p)
        for p in wiggle(p_from, p_to, rng, bulge=bulge, ripple=0.015 * dist, step=(100.0, 200.0))
    ]
    build.road_segments.append([prev_exit, *mids, entry])


def _place_node(valley: _Valley, build: _Build, place: Place, axis: XY) -> None:
    """The village's place node (with a note where its position is assumed or suspect)."""
    tags = {
        "place": "village", "name": place.name_ky, "name:ky": place.name_ky,
        "name:ru": place.name_ru, "name:en": place.name_en, "population": str(place.population),
        "ref:soate": place.soate_code,
    }  # fmt: skip
    if place.soate_code in valley.assumed:
        tags["note"] = (
            "assumption: position unknown; placed a few km beyond the previous village on the road"
        )
    elif place.coordinate_quality == "suspect":
        tags["note"] = "published coordinates suspect (same longitude as another village)"
    here = valley.pts[valley.chain.index(place)]
    build.osm.node(add(here, left(axis), 3.0), tags)


def _add_hamlets(valley: _Valley, build: _Build, rng: random.Random) -> None:
    """Phase 3a: hamlets without people: a place node only, at an assumed position."""
    for h_i, hamlet in enumerate(valley.hamlets):
        anchor = next((p for p in valley.served if p.aiyl_aimak == hamlet.aiyl_aimak), None)
        base = valley.pts[valley.chain.index(anchor)] if anchor is not None else valley.pts[0]
        off = (rng.uniform(-800, 800), (2500 + 1200 * h_i) * (1 if h_i % 2 == 0 else -1))
        p = add(base, off)
        lat_h, lon_h = valley.frame.latlon(p)
        build.osm.node(p, {
            "place": "hamlet", "name": hamlet.name_ky, "name:ky": hamlet.name_ky, "name:ru": hamlet.name_ru,
            "name:en": hamlet.name_en, "population": "0", "ref:soate": hamlet.soate_code,
            "note": "assumption: position unknown; no population on 2023-01-01",
        })  # fmt: skip
        build.summaries.append(
            VillageSummary(hamlet.name_ky, hamlet.name_ru, hamlet.name_en, lat_h, lon_h, 0, True, 0)
        )


def _add_landfill(valley: _Valley, build: _Build, rng: random.Random) -> tuple[XY, list[XY]]:
    """Phase 3b: the landfill gate and polygon, about 4 km off the road's first section.

    An assumed site off the road between the town and the first village, on the side of the road's
    bend; a function of the places and the seed only.
    """
    pts, osm = valley.pts, build.osm
    along = unit(sub(pts[1], pts[0])) if len(pts) > 1 else (1.0, 0.0)
    span = norm(sub(pts[1], pts[0])) if len(pts) > 1 else 0.0
    foot = add(pts[0], along, 0.72 * span)
    lateral = build.first_bulge * math.sin(0.72 * math.pi) + math.copysign(
        rng.uniform(3500, 4500), build.first_bulge
    )
    gate_p = add(add(foot, left(along), lateral), along, rng.uniform(-600, 600))
    first_road = build.road_segments[0]
    junction = min(first_road[1:-1] or first_road, key=lambda r: norm(sub(osm.nodes[r][0], gate_p)))
    jp = osm.nodes[junction][0]
    bends = wiggle(jp, gate_p, rng, bulge=rng.uniform(-250, 250), ripple=60, step=(100.0, 200.0))
    access = [junction, *(osm.node(p) for p in bends)]
    access.append(osm.node(gate_p, {"barrier": "gate", "note": "assumption: landfill gate"}))
    osm.way(access, {
        "highway": "unclassified", "surface": "gravel", "name": "Таштанды полигонуна жол",
        "name:ru": "дорога к полигону ТБО", "note": "assumption: access road to an assumed landfill site",
    })  # fmt: skip
    fill_c = add(gate_p, unit(sub(gate_p, foot)), 120.0)
    ring = []
    for k in range(7):
        ang = 2 * math.pi * k / 7
        rad = rng.uniform(85, 115)
        ring.append(add(fill_c, (math.cos(ang) * rad * 1.3, math.sin(ang) * rad)))
    osm.polygon(ring, {
        "landuse": "landfill", "name": "«Таза Аймак» таштанды полигону", "name:ru": "Полигон ТБО «Таза Аймак»",
        "note": "assumption: no landfill location was found in any public source; position invented",
    })  # fmt: skip
    return gate_p, ring


def address_houses(osm: OsmModel, houses: list[House], *, seed: int) -> None:
    """Number the houses and draw their buildings, each village from its own two streams."""
    by_village: dict[str, list[House]] = defaultdict(list)
    for h in houses:
        by_village[h.village.soate_code].append(h)
    for code, group in by_village.items():
        number_houses(group, random.Random(f"{seed}:house-numbers:{code}"))
    for code, group in by_village.items():
        brng = random.Random(f"{seed}:buildings:{code}")
        for h in group:
            _emit_house(osm, h, brng)


def _emit_house(osm: OsmModel, h: House, rng: random.Random) -> None:
    """A house as a closed building way with its address; a few as an address node only."""
    tags = {
        "addr:street": h.street.ky,
        "addr:housenumber": h.number,
        "addr:city": h.village.name_ky,
    }
    if rng.random() < 0.03:
        h.as_node = True
        osm.node(h.centre, tags)
    else:
        corners = square(h.centre, h.direction, h.size, h.size * rng.uniform(0.85, 1.0))
        osm.polygon(corners, {"building": "house", **tags})


_CONTAINER_HEADER = [
    "name", "village", "kind", "lat", "lon", "volume_m3", "count", "fill_rate", "collections_per_week",
]  # fmt: skip


def write_containers(path: Path, sites: list[Site], frame: Frame, rng: random.Random) -> int:
    """Write ``containers.csv`` (a fill rate drawn where the site has none); return its rows."""
    rows = []
    for site in sites:
        lat, lon = frame.latlon(site.container)
        fill = site.fill_rate if site.fill_rate is not None else round(rng.uniform(0.6, 0.9), 2)
        rows.append([
            site.name, site.village.name_ky, site.kind, fmt(lat, 6), fmt(lon, 6), site.volume_m3,
            site.count, fill, site.collections_per_week,
        ])  # fmt: skip
    path.write_text(csv_text(_CONTAINER_HEADER, rows), encoding="utf-8", newline="\n")
    return len(rows)


def generate(
    out_dir: Path | str,
    *,
    seed: int = DEFAULT_SEED,
    places: Path | str | None = None,
    scale: float = 1.0,
    villages: Sequence[str] | None = None,
) -> SyntheticArea:
    """Generate the synthetic stand-in and write it to ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write ``taza-aimak.osm``, ``households.csv``, ``households_truth.csv``,
        ``containers.csv`` and ``README.md`` to (created if missing; other files are left alone).
    seed
        Seed of the one random generator everything is drawn from.
    places
        The places table; default ``../shared/data/places/ketmen-dobo-cholpon-ata.csv``.
    scale
        Multiplies every village's household count (4.0 makes the valley four times as large);
        1.0 is population / 4.7.
    villages
        Only these villages (English, Kyrgyz or Russian names); Toktogul is always the road's start.

    Returns
    -------
    SyntheticArea
        Paths written and the positions of depot, landfill and villages.

    Raises
    ------
    ValueError
        A scale that is not positive, an unknown village, or a places table without the town.
    FileNotFoundError
        The places table is missing.
    """
    if not scale > 0:
        msg = f"scale={scale!r} is not allowed (allowed: a number > 0)"
        raise ValueError(msg)
    valley = _read_valley(places, villages)
    town, last = valley.town, valley.full_chain_end
    road_tags = {
        "highway": "secondary", "surface": "asphalt", "name": f"{town.name_ky} – {last.name_ky} жолу",
        "name:ru": f"автодорога {town.name_ru} – {last.name_ru}",
    }  # fmt: skip
    build = _start(valley, road_tags)
    _add_villages(valley, build, road_tags, seed=seed, scale=scale)
    _add_hamlets(valley, build, random.Random(f"{seed}:hamlets"))
    gate_p, ring = _add_landfill(valley, build, random.Random(f"{seed}:landfill"))
    address_houses(build.osm, build.houses, seed=seed)
    check_drivable(build.osm)
    return _write_files(Path(out_dir), valley, build, seed=seed, gate_p=gate_p, ring=ring)


def _write_files(
    out: Path, valley: _Valley, build: _Build, *, seed: int, gate_p: XY, ring: list[XY]
) -> SyntheticArea:
    """Phase 4: the OSM file, the register and its truth, the containers and the README."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "osm": out / "taza-aimak.osm",
        "households": out / "households.csv",
        "truth": out / "households_truth.csv",
        "containers": out / "containers.csv",
        "readme": out / "README.md",
    }
    frame = valley.frame
    write_osm(files["osm"], build.osm, frame)
    messy, with_coords = write_register(
        files["households"], files["truth"], build.houses, valley.served, frame,
        random.Random(f"{seed}:register"),
    )  # fmt: skip
    n_containers = write_containers(
        files["containers"], build.sites, frame, random.Random(f"{seed}:containers")
    )
    if build.depot_xy is None:
        msg = "no depot was placed (the depot village has no street long enough)"
        raise RuntimeError(msg)
    fill_centroid = (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    area = SyntheticArea(
        seed=seed,
        files=files,
        villages=build.summaries,
        depot=frame.latlon(build.depot_xy),
        landfill=frame.latlon(gate_p),
        landfill_centroid=frame.latlon(fill_centroid),
        households=len(build.houses),
        osm_nodes=len(build.osm.nodes),
        osm_ways=len(build.osm.ways),
        messy_rows=messy,
        coordinate_rows=with_coords,
    )
    readme = valley_readme(area, _depot_village(valley.served), valley.path, n_containers)
    files["readme"].write_text(readme, encoding="utf-8", newline="\n")
    return area
