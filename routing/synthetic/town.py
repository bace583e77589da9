"""A seeded synthetic town of any size up to 30,000 households (invented: "Жаңы-Шаар").

Method:

1. **Centre**: a regular grid of 130 m blocks sized to the households in flats (an assumed 40 %).
   Its interior streets are one-way, alternating direction line by line (as town centres do); the
   boundary streets are two-way, so trucks still reach every corner. The middle block is the town
   square (market, town hall and the enterprise's garage set back from the street); every twelfth
   block a school; the others two five-storey blocks of flats (60 flats each).
2. **Container sites**: each block of flats is served by one container site by its southern street,
   sized to its flats' waste (2.1 kg per household per day, 120 kg/m³, three collections a week,
   1.1 m³ containers at most 85 % full). Households in flats are not in the register: they bring
   their waste to the site (``containers.csv``, kind ``flats``).
3. **Private houses**: quarters of at most 1,200 households, each laid out by the village generator
   (irregular grid, dead ends, a one-way link), in a spiral of cells around the centre; each
   quarter's two ends are joined by a road to the nearest node already built. Their households are
   served at the gate and are the register's rows.
4. **Landfill** 3 km beyond the town, reached by a gravel road; the register, its truth, the
   containers, the OSM file, a scenario file and a README say every part is synthetic.

Every random choice comes from a stream named after the seed and the part (``{seed}:town:...``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from routing.synthetic.area import address_houses, fit_village, write_containers
from routing.synthetic.geometry import XY, Frame, add, norm, square, sub, wiggle
from routing.synthetic.names import NamePool, base_names
from routing.synthetic.osm import NOTE, OsmModel, Tags, check_drivable, write_osm
from routing.synthetic.places import PERSONS_PER_HOUSEHOLD, Place
from routing.synthetic.register import write_register
from routing.synthetic.town_files import town_readme, town_scenario
from routing.synthetic.village import House, Site

__all__ = ["MAX_TOWN_HOUSEHOLDS", "SyntheticTown", "generate_town"]

#: Largest town :func:`generate_town` makes.
MAX_TOWN_HOUSEHOLDS = 30_000
FLATS_SHARE = 0.4  # assumption: share of households in blocks of flats
_FLATS_PER_BLOCK = 120  # two five-storey blocks of 60 flats
_BLOCK_M = 130.0
_QUARTER_HOUSES = 1_200
_KG_HOUSEHOLD_DAY = 0.45 * PERSONS_PER_HOUSEHOLD
_CONTAINER_KG_M3 = 120.0
_SITE_VISITS_PER_WEEK = 3
TOWN = Place(
    soate_code="synthetic-town",
    aiyl_aimak="Jangy-Shaar",
    name_ky="Жаңы-Шаар",
    name_ru="Жаны-Шаар",
    name_en="Jangy-Shaar",
    population=0,
    lat=41.874420,
    lon=72.941920,
    coordinate_quality="invented",
    road_km_to_toktogul=None,
    note="invented town (synthetic), placed at Toktogul's coordinates",
)


@dataclass(frozen=True)
class SyntheticTown:
    """What :func:`generate_town` wrote.

    Attributes
    ----------
    files
        Output kind ("osm", "households", "truth", "containers", "scenario", "readme") to its path.
    households
        All households: ``houses`` (register rows, served at the gate) plus ``flats`` (served at
        ``container_sites``).
    vehicles
        Compactor trucks in the scenario (an assumption sized to the households).
    """

    seed: int
    files: dict[str, Path]
    households: int
    houses: int
    flats: int
    blocks: int
    container_sites: int
    quarters: int
    streets: int
    vehicles: int
    depot: tuple[float, float]
    landfill: tuple[float, float]
    osm_nodes: int
    osm_ways: int


@dataclass
class _Centre:
    """The centre grid: street nodes by (column, row) and the blocks' contents."""

    nodes: dict[tuple[int, int], int]
    cols: int
    rows: int
    street_of_row: dict[int, str]
    sites: list[Site]
    depot: XY
    flats: int
    blocks: int
    streets: int


def _centre(osm: OsmModel, flats: int, pool: NamePool, rng: random.Random) -> _Centre:
    """Phase 1: the centre's grid of streets (interior ones one-way, alternating)."""
    n_blocks = math.ceil(flats / _FLATS_PER_BLOCK) + 1
    n_blocks += n_blocks // 11  # schools take every twelfth block
    cols = max(2, math.ceil(math.sqrt(n_blocks)))
    rows = max(1, math.ceil(n_blocks / cols))
    x0, y0 = -cols * _BLOCK_M / 2, -rows * _BLOCK_M / 2
    nodes = {
        (i, j): osm.node((x0 + i * _BLOCK_M + rng.gauss(0, 1.0), y0 + j * _BLOCK_M))
        for j in range(rows + 1)
        for i in range(cols + 1)
    }
    street_of_row: dict[int, str] = {}
    for j in range(rows + 1):
        name = pool.take()
        street_of_row[j] = name.ky
        refs = [nodes[(i, j)] for i in range(cols + 1)]
        _centre_way(osm, refs, name.ky, name.ru_full, interior=0 < j < rows, flip=j % 2 == 0)
    for i in range(cols + 1):
        name = pool.take()
        refs = [nodes[(i, j)] for j in range(rows + 1)]
        _centre_way(osm, refs, name.ky, name.ru_full, interior=0 < i < cols, flip=i % 2 == 0)
    centre = _Centre(nodes, cols, rows, street_of_row, [], (0.0, 0.0), 0, 0, rows + cols + 2)
    _fill_blocks(osm, centre, flats, rng)
    return centre


def _centre_way(
    osm: OsmModel, refs: list[int], ky: str, ru: str, *, interior: bool, flip: bool
) -> None:
    tags: Tags = {"highway": "residential", "surface": "asphalt", "name": ky, "name:ru": ru}
    if interior:
        tags["oneway"] = "yes"
        if flip:
            refs = refs[::-1]
    osm.way(refs, tags)


def _fill_blocks(osm: OsmModel, centre: _Centre, flats: int, rng: random.Random) -> None:
    """Phase 2: the square, schools and blocks of flats with their container sites."""
    left_flats, schools = flats, 0
    middle = (centre.cols // 2, centre.rows // 2)
    cells = sorted(
        ((i, j) for j in range(centre.rows) for i in range(centre.cols)),
        key=lambda c: (abs(c[0] - middle[0]) + abs(c[1] - middle[1]), c[1], c[0]),
    )
    for k, (i, j) in enumerate(cells):
        south = osm.nodes[centre.nodes[(i, j)]][0]
        mid = add(south, (_BLOCK_M / 2, 0.0))
        street = centre.street_of_row[j]
        if (i, j) == middle:
            centre.depot = _square_block(osm, centre, mid, street)
        elif k % 12 == 11 and left_flats > 0:
            schools += 1
            name = f"{TOWN.name_ky} №{schools} орто мектеби"
            osm.polygon(square(add(mid, (0.0, 40.0)), (1.0, 0.0), 60.0, 30.0), {
                "building": "school", "amenity": "school", "name": name,
                "addr:street": street, "addr:city": TOWN.name_ky,
            })  # fmt: skip
            centre.sites.append(Site("school", name, TOWN, add(mid, (0.0, 7.0)), 1.1, 2, 2))
        elif left_flats > 0:
            n = min(_FLATS_PER_BLOCK, left_flats)
            left_flats -= n
            centre.flats += n
            centre.blocks += 1
            _flats_block(osm, centre, mid, street, number=2 * i + 1, flats=n, rng=rng)


def _square_block(osm: OsmModel, centre: _Centre, mid: XY, street: str) -> XY:
    """The town square: market, town hall, and the garage set back from every street."""
    osm.polygon(square(add(mid, (-30.0, 35.0)), (1.0, 0.0), 50.0, 40.0), {
        "amenity": "marketplace", "name": f"{TOWN.name_ky} базары", "name:ru": f"Рынок {TOWN.name_ru}",
    })  # fmt: skip
    osm.node(add(mid, (35.0, 30.0)), {
        "amenity": "townhall", "name": f"{TOWN.name_ky} шаардык мэриясы",
        "addr:street": street, "addr:city": TOWN.name_ky,
    })  # fmt: skip
    garage = add(mid, (35.0, 70.0))
    osm.polygon(square(garage, (1.0, 0.0), 30.0, 14.0), {
        "building": "garage", "name": "«Таза Аймак» МИ гаражы", "operator": "МИ «Таза Аймак»",
    })  # fmt: skip
    market = Site("market", f"{TOWN.name_ky} базары", TOWN, add(mid, (-30.0, 7.0)), 1.1, 4, 6)
    centre.sites.append(market)
    return garage


def _flats_block(
    osm: OsmModel,
    centre: _Centre,
    mid: XY,
    street: str,
    *,
    number: int,
    flats: int,
    rng: random.Random,
) -> None:
    """Two blocks of flats and the container site by the southern street, sized to their waste."""
    for k, depth in enumerate((32.0, 98.0)):
        n = flats // 2 + (flats % 2 if k == 0 else 0)
        if n <= 0:
            continue
        osm.polygon(square(add(mid, (rng.gauss(0, 3.0), depth)), (1.0, 0.0), 80.0, 14.0), {
            "building": "apartments", "building:levels": "5", "building:flats": str(n),
            "addr:street": street, "addr:housenumber": f"{number + 2 * k}", "addr:city": TOWN.name_ky,
        })  # fmt: skip
    need_m3 = flats * _KG_HOUSEHOLD_DAY * 7 / _SITE_VISITS_PER_WEEK / _CONTAINER_KG_M3
    count = max(1, math.ceil(need_m3 / (1.1 * 0.85)))
    name = f"{street} {number} контейнер аянтчасы"
    site = Site("flats", name, TOWN, add(mid, (0.0, 7.0)), 1.1, count, _SITE_VISITS_PER_WEEK)
    site.fill_rate = round(need_m3 / (1.1 * count), 2)
    centre.sites.append(site)


def _spiral(n: int) -> list[tuple[int, int]]:
    """The first ``n`` cells around (0, 0), ring by ring, each ring anticlockwise from the east."""
    cells: list[tuple[int, int]] = []
    ring = 1
    while len(cells) < n:
        ring_cells = [
            (dx, dy)
            for dx in range(-ring, ring + 1)
            for dy in range(-ring, ring + 1)
            if max(abs(dx), abs(dy)) == ring
        ]
        ring_cells.sort(key=lambda c: math.atan2(c[1], c[0]) % (2 * math.pi))
        cells.extend(ring_cells)
        ring += 1
    return cells[:n]


def _quarters(
    osm: OsmModel, centre: _Centre, houses: int, pool: NamePool, *, seed: int
) -> tuple[list[House], int, list[int]]:
    """Phase 3: quarters of private houses around the centre, each end joined to the network."""
    n_q = math.ceil(houses / _QUARTER_HOUSES) if houses else 0
    cell = (max(2600.0, (centre.cols + 4) * _BLOCK_M), max(1900.0, (centre.rows + 4) * _BLOCK_M))
    connectors = [centre.nodes[key] for key in centre.nodes if 0 in key or key[0] == centre.cols]
    all_houses: list[House] = []
    streets = 0
    for k, (dx, dy) in enumerate(_spiral(n_q)):
        want = houses // n_q + (1 if k < houses % n_q else 0)
        rng = random.Random(f"{seed}:town:quarter:{k}")
        main_road = {"highway": "tertiary", "surface": "asphalt"}
        build = fit_village(
            TOWN, households=want, centre=(dx * cell[0], dy * cell[1]), axis=(1.0, 0.0),
            main_road=main_road, rng=rng, names=pool,
        )  # fmt: skip
        offset = osm.extend(build.osm)
        for end in (build.entry + offset, build.exit + offset):
            _join(osm, end, connectors, rng)
        connectors += [build.entry + offset, build.exit + offset]
        all_houses.extend(build.houses)
        streets += build.streets
    return all_houses, streets, connectors


def _join(osm: OsmModel, node: int, connectors: list[int], rng: random.Random) -> int:
    """A two-way road from ``node`` to the nearest connector; return that connector."""
    p = osm.nodes[node][0]
    target = min(connectors, key=lambda r: norm(sub(osm.nodes[r][0], p)))
    q = osm.nodes[target][0]
    dist = norm(sub(q, p))
    mids = [
        osm.node(m) for m in wiggle(p, q, rng, bulge=0.03 * dist, ripple=5.0, step=(80.0, 140.0))
    ]
    osm.way([node, *mids, target], {"highway": "tertiary", "surface": "asphalt"})
    return target


def _landfill(osm: OsmModel, connectors: list[int], rng: random.Random) -> XY:
    """Phase 4: the landfill 3 km west of the westernmost node, reached by a gravel road."""
    west = min(connectors, key=lambda r: osm.nodes[r][0][0])
    wp = osm.nodes[west][0]
    gate_p = (wp[0] - 3000.0, wp[1] + rng.uniform(-500, 500))
    mids = [
        osm.node(m) for m in wiggle(wp, gate_p, rng, bulge=150.0, ripple=40.0, step=(100.0, 200.0))
    ]
    gate = osm.node(gate_p, {"barrier": "gate", "note": "assumption: landfill gate"})
    osm.way([west, *mids, gate], {
        "highway": "unclassified", "surface": "gravel", "name": "Таштанды полигонуна жол",
        "note": "assumption: access road to an invented landfill",
    })  # fmt: skip
    ring = [
        add(
            gate_p,
            (-150 + 110 * math.cos(a / 7 * 2 * math.pi), 110 * math.sin(a / 7 * 2 * math.pi)),
        )
        for a in range(7)
    ]
    osm.polygon(ring, {"landuse": "landfill", "note": "assumption: invented landfill (synthetic)"})
    return gate_p


def generate_town(
    out_dir: Path | str,
    *,
    households: int,
    seed: int = 2022,
    flats_share: float = FLATS_SHARE,
) -> SyntheticTown:
    """Generate a synthetic town and write its OSM, register, containers, scenario and README.

    Parameters
    ----------
    out_dir
        Folder for ``town.osm``, ``households.csv``, ``households_truth.csv``, ``containers.csv``,
        ``scenario.toml`` and ``README.md`` (created if missing).
    households
        All households, 1 to 30,000: ``flats_share`` of them in blocks of flats (served at
        container sites), the rest in private houses (in the register, served at the gate).
    seed
        Seed of every random stream.
    flats_share
        Share of households in flats (0 to 1; an assumption, 0.4 by default).

    Returns
    -------
    SyntheticTown
        Paths written and counts.

    Raises
    ------
    ValueError
        A household count or share out of range.
    """
    if not 1 <= households <= MAX_TOWN_HOUSEHOLDS:
        msg = f"households={households!r} is not allowed (allowed: 1 to {MAX_TOWN_HOUSEHOLDS})"
        raise ValueError(msg)
    if not 0.0 <= flats_share <= 1.0:
        msg = f"flats_share={flats_share!r} is not allowed (allowed: 0 to 1)"
        raise ValueError(msg)
    flats = round(households * flats_share)
    osm = OsmModel()
    osm.node((0.0, 0.0), {"place": "town", "name": TOWN.name_ky, "name:ru": TOWN.name_ru,
                          "name:en": TOWN.name_en, "note": NOTE})  # fmt: skip
    pool = NamePool(base_names(), random.Random(f"{seed}:town:names"))
    centre = _centre(osm, flats, pool, random.Random(f"{seed}:town:centre"))
    houses, q_streets, connectors = _quarters(osm, centre, households - flats, pool, seed=seed)
    gate_p = _landfill(osm, connectors, random.Random(f"{seed}:town:landfill"))
    address_houses(osm, houses, seed=seed)
    check_drivable(osm)
    return _write_town(
        Path(out_dir),
        osm,
        centre,
        houses,
        seed=seed,
        gate_p=gate_p,
        streets=centre.streets + q_streets,
    )


def _write_town(
    out: Path,
    osm: OsmModel,
    centre: _Centre,
    houses: list[House],
    *,
    seed: int,
    gate_p: XY,
    streets: int,
) -> SyntheticTown:
    """Phase 5: the files."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        k: out / name
        for k, name in (
            ("osm", "town.osm"), ("households", "households.csv"), ("truth", "households_truth.csv"),
            ("containers", "containers.csv"), ("scenario", "scenario.toml"), ("readme", "README.md"),
        )
    }  # fmt: skip
    assert TOWN.lat is not None and TOWN.lon is not None
    frame = Frame(TOWN.lat, TOWN.lon)
    write_osm(files["osm"], osm, frame)
    write_register(
        files["households"], files["truth"], houses, [TOWN], frame,
        random.Random(f"{seed}:town:register"),
    )  # fmt: skip
    write_containers(
        files["containers"], centre.sites, frame, random.Random(f"{seed}:town:containers")
    )
    total = len(houses) + centre.flats
    town = SyntheticTown(
        seed=seed, files=files, households=total, houses=len(houses), flats=centre.flats,
        blocks=centre.blocks, container_sites=len(centre.sites), quarters=math.ceil(len(houses) / _QUARTER_HOUSES),
        streets=streets, vehicles=max(1, math.ceil(total / 2500)), depot=frame.latlon(centre.depot),
        landfill=frame.latlon(gate_p), osm_nodes=len(osm.nodes), osm_ways=len(osm.ways),
    )  # fmt: skip
    files["scenario"].write_text(town_scenario(town, TOWN), encoding="utf-8", newline="\n")
    files["readme"].write_text(town_readme(town, TOWN), encoding="utf-8", newline="\n")
    return town
