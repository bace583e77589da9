"""One village (or one quarter of a town): an irregular street grid, communal sites and house slots.

Method, in the order the random stream is drawn (changing the order changes every file):

1. **Grid**: rows parallel to the valley road (the main street is row 0) and columns across it,
   spaced unevenly, slightly askew and gently bent, kept inside an ellipse sized to the households.
2. **Irregular blocks**: some cross links are removed while the grid stays connected (a few become
   footways); one interior cross link becomes one-way and, in the depot's village, one a bridge with
   ``maxweight=3.5``, each only where trucks can still reach every node both ways.
3. **Streets**: rows and columns become named streets with intermediate nodes; some rows get
   dead-end extensions, some columns streets or field tracks beyond the last row; a path leads down
   to the river.
4. **Sites**: the depot (garage beside the aiyl okmotu), market, schools, clinic or ФАП take pieces of
   street near the centre, each with a short service drive and a container by the street.
5. **Houses**: slots 20-25 m apart on both sides of every piece that takes houses, clear of streets,
   sites and each other, nearest the centre first, until the village's households are housed; sheds
   behind some houses.
6. **Ways**: consecutive pieces of a street with the same tags become one OSM way.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from routing.synthetic.geometry import (
    XY,
    SpatialHash,
    add,
    left,
    norm,
    point_at,
    polyline_length,
    square,
    sub,
    unit,
)
from routing.synthetic.names import AIMAK_KY, NamePool, StreetName
from routing.synthetic.osm import OsmModel, Tags
from routing.synthetic.places import Place

__all__ = ["House", "Site", "VillageBuild", "build_village"]

_HOUSE_STREET_M = 12.5  # street length per household: houses 20-25 m apart on both sides
_CLEAR_X = 28.0  # house clearance at an intersection

Key = tuple[int, int]  # (column, row) of a grid node
Seg = tuple[Key, Key]


@dataclass
class Piece:
    """A run of street between two nodes: its node indices, extra tags, whether houses line it."""

    nodes: list[int]
    extra: Tags
    houses: bool
    clear: tuple[float, float]


@dataclass
class Street:
    """A named street (or an unnamed track, path or drive) and its pieces in order."""

    name: StreetName | None
    tags: Tags
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class House:
    """A house slot taken: its street, side, position, direction and size; numbered later."""

    village: Place
    street: StreetName
    order: tuple[int, int, float]  # (street index, piece index, t) for numbering along the street
    side: int
    centre: XY
    direction: XY
    size: float
    number: str = ""
    as_node: bool = False


@dataclass
class Site:
    """A communal site with containers (a row of ``containers.csv``)."""

    kind: str  # school | clinic | market | flats
    name: str
    village: Place
    container: XY
    volume_m3: float
    count: int
    collections_per_week: int
    fill_rate: float | None = None  # None: drawn when the containers are written


@dataclass
class VillageBuild:
    """What :func:`build_village` made: its OSM, road entry and exit nodes, houses and sites."""

    osm: OsmModel
    entry: int
    exit: int
    houses: list[House]
    sites: list[Site]
    streets: int
    depot: XY | None = None


@dataclass
class _Grid:
    """The village's grid in its own (u along the road, v across) frame."""

    centre: XY
    e_u: XY
    e_v: XY
    rows: int
    r_up: int
    r_down: int
    row_ids: list[int]
    ncols: int
    a: float  # half-axes of the ellipse the grid fills
    b: float
    nodes: dict[Key, XY]
    row_segs: list[Seg]
    col_segs: list[Seg]


def _village_sizes(
    households: int, grow: float, rng: random.Random
) -> tuple[int, float, float, float]:
    """Rows (odd count incl. the main street), length along the road, row and column spacing."""
    d = rng.uniform(95.0, 115.0)
    s = rng.uniform(160.0, 210.0)
    target = households * _HOUSE_STREET_M * 1.15 * grow
    if target < 900:
        return 1, max(160.0, target), d, s
    best: tuple[float, int, float] | None = None
    for rows in range(3, 17, 2):
        width = (rows - 1) * d
        length = (target - width) / (rows + width / s)
        if length <= s:
            break
        score = abs(length / width - 1.8)
        if best is None or score < best[0]:
            best = (score, rows, length)
    if best is None:
        return 1, target, d, s
    return best[1], best[2] * 1.12, d, s


def _connected(nodes: Iterable[Key], edges: Iterable[Seg]) -> bool:
    adj: dict[Key, list[Key]] = defaultdict(list)
    node_list = list(nodes)
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    if not node_list:
        return True
    seen = {node_list[0]}
    queue = deque([node_list[0]])
    while queue:
        for nb in adj[queue.popleft()]:
            if nb not in seen:
                seen.add(nb)
                queue.append(nb)
    return len(seen) == len(set(node_list))


def _strong(nodes: Iterable[Key], edges: Iterable[Seg], oneway: Iterable[Seg]) -> bool:
    g: nx.DiGraph = nx.DiGraph()
    g.add_nodes_from(nodes)
    ow = set(oneway)
    for a, b in edges:
        if (b, a) not in ow:
            g.add_edge(a, b)
        if (a, b) not in ow:
            g.add_edge(b, a)
    return g.number_of_nodes() == 0 or nx.is_strongly_connected(g)


def _lay_grid(households: int, grow: float, centre: XY, axis: XY, rng: random.Random) -> _Grid:
    """Phase 1: grid nodes inside an ellipse; the main street (row 0) spans every column."""
    e_u, e_v = axis, left(axis)
    rows, length, d, s = _village_sizes(households, grow, rng)
    r_down = (rows - 1) // 2
    r_up = rows - 1 - r_down
    if rows >= 5 and rng.random() < 0.4:
        r_up, r_down = r_up + 1, r_down - 1
    row_ids = list(range(-r_down, r_up + 1))
    # uneven spacing, rows slightly askew and the whole village gently bent: streets follow the
    # lie of the land, not a surveyor's grid
    row_v = {0: 0.0}
    for i in range(1, r_up + 1):
        row_v[i] = row_v[i - 1] + d * rng.uniform(0.85, 1.2)
    for i in range(-1, -r_down - 1, -1):
        row_v[i] = row_v[i + 1] - d * rng.uniform(0.85, 1.2)
    row_tilt = {i: 0.0 if i == 0 else rng.gauss(0, 0.03) for i in row_ids}
    ncols = max(2, round(length / s) + 1)
    steps = [rng.uniform(0.7, 1.3) for _ in range(ncols - 1)]
    col_u = [-length / 2 + length * sum(steps[:j]) / sum(steps) for j in range(ncols)]
    a = length / 2 * 1.08
    b = (max(r_up, r_down) + 0.7) * d
    bend = rng.uniform(-0.1, 0.1)
    nodes: dict[Key, XY] = {}
    for i in row_ids:
        for j, u in enumerate(col_u):
            v = row_v[i] + row_tilt[i] * u
            if i == 0 or (u / a) ** 2 + (v / b) ** 2 <= 1.0:
                ju = rng.gauss(0, 2.0 if i == 0 else 0.07 * s)
                jv = rng.gauss(0, 2.0 if i == 0 else 7.0)
                if j in (0, ncols - 1) and i == 0:
                    ju = 0.0
                uu, vv = u + ju, v + jv
                nodes[(j, i)] = add(add(centre, e_u, uu), e_v, vv + bend * uu * uu / (length / 2))
    grid = _Grid(centre, e_u, e_v, rows, r_up, r_down, row_ids, ncols, a, b, nodes, [], [])
    _link_grid(grid)
    return grid


def _link_grid(grid: _Grid) -> None:
    """Drop rows with one node (no street), then link neighbours along rows and columns."""
    nodes, row_ids, ncols = grid.nodes, grid.row_ids, grid.ncols
    for i in row_ids:
        present = [j for j in range(ncols) if (j, i) in nodes]
        if i != 0 and len(present) < 2:
            for j in present:
                del nodes[(j, i)]
    grid.row_segs = [
        ((j, i), (j2, i))
        for i in row_ids
        for j, j2 in zip(range(ncols), range(1, ncols), strict=False)
        if (j, i) in nodes and (j2, i) in nodes
    ]
    for j in range(ncols):
        present_rows = [i for i in row_ids if (j, i) in nodes]
        for i, i2 in itertools.pairwise(present_rows):
            if i2 == i + 1:
                grid.col_segs.append(((j, i), (j, i2)))


def _thin_links(grid: _Grid, rng: random.Random) -> list[Seg]:
    """Phase 2a: remove some cross links while staying connected; return the new footways."""
    removed: list[Seg] = []
    order = list(grid.col_segs)
    rng.shuffle(order)
    for seg in order:
        if rng.random() < 0.22:
            trial = [c for c in grid.col_segs if c != seg]
            if _connected(grid.nodes, grid.row_segs + trial):
                grid.col_segs = trial
                removed.append(seg)
    return [seg for seg in removed if rng.random() < 0.4][:2]


def _oneway_and_bridge(
    grid: _Grid, *, depot: bool, rng: random.Random
) -> tuple[list[Seg], Seg | None]:
    """Phase 2b: an interior cross link made one-way, and the depot village's weak bridge."""
    degree: dict[Key, int] = defaultdict(int)
    for ka, kb in grid.row_segs + grid.col_segs:
        degree[ka] += 1
        degree[kb] += 1
    interior = [c for c in grid.col_segs if degree[c[0]] >= 3 and degree[c[1]] >= 3]
    oneway: list[Seg] = []
    if grid.rows >= 5:
        for seg in rng.sample(interior, len(interior)):
            directed = seg if rng.random() < 0.5 else (seg[1], seg[0])
            if _strong(grid.nodes, grid.row_segs + grid.col_segs, [*oneway, directed]):
                oneway.append(directed)
                break
    bridge: Seg | None = None
    if depot and grid.rows >= 3:
        for seg in rng.sample(interior, len(interior)):
            if seg in oneway or (seg[1], seg[0]) in oneway:
                continue
            rest = [c for c in grid.col_segs if c != seg]
            if _strong(grid.nodes, grid.row_segs + rest, oneway):
                bridge = seg
                break
    return oneway, bridge


class _Drawer:
    """Draws street pieces into the village's OSM model from its random stream."""

    def __init__(self, osm: OsmModel, grid: _Grid, rng: random.Random) -> None:
        self.osm, self.grid, self.rng = osm, grid, rng
        self.nid = {key: osm.node(p) for key, p in sorted(grid.nodes.items())}

    def chain(self, p: XY, q: XY, *, spacing: float = 45.0, wobble: float = 2.5) -> list[int]:
        """New intermediate nodes between p and q (exclusive)."""
        dist = norm(sub(q, p))
        n = max(0, round(dist / spacing) - 1)
        dd, nn = unit(sub(q, p)), left(unit(sub(q, p)))
        return [
            self.osm.node(add(add(p, dd, dist * k / (n + 1)), nn, self.rng.gauss(0, wobble)))
            for k in range(1, n + 1)
        ]

    def surface(self, inner: bool) -> str:
        """Asphalt for half the inner streets, else gravel, unpaved or dirt."""
        if inner and self.rng.random() < 0.5:
            return "asphalt"
        return self.rng.choices(("gravel", "unpaved", "dirt"), weights=(5, 3, 2))[0]

    def piece(self, a: Key, b: Key, *, wobble: float = 2.5) -> list[int]:
        """Node indices of a piece from grid node a to grid node b."""
        grid = self.grid.nodes
        return [self.nid[a], *self.chain(grid[a], grid[b], wobble=wobble), self.nid[b]]


def _row_streets(draw: _Drawer, pool: NamePool, main_road: Tags) -> list[Street]:
    """Phase 3a: the main street and the rows, with dead-end extensions beyond the last crossing."""
    grid, rng = draw.grid, draw.rng
    main = Street(pool.take(), dict(main_road))
    streets = [main]
    for i in grid.row_ids:
        js = [j for j in range(grid.ncols) if (j, i) in grid.nodes]
        if not js:
            continue
        street = main
        if i != 0:
            outer = abs(i) == max(grid.r_up, grid.r_down) and rng.random() < 0.3
            highway = "unclassified" if outer else "residential"
            street = Street(pool.take(), {"highway": highway, "surface": draw.surface(abs(i) <= 1)})
            streets.append(street)
        for j, j2 in itertools.pairwise(js):
            refs = draw.piece((j, i), (j2, i), wobble=1.0 if i == 0 else 2.5)
            street.pieces.append(Piece(refs, {}, True, (_CLEAR_X, _CLEAR_X)))
        if i != 0:
            for end, prev, at_start in ((js[0], js[1], True), (js[-1], js[-2], False)):
                if rng.random() < 0.35:
                    _dead_end(draw, street, (end, i), (prev, i), at_start=at_start)
    return streets


def _dead_end(draw: _Drawer, street: Street, end: Key, prev: Key, *, at_start: bool) -> None:
    """A dead-end extension of a row beyond its last crossing."""
    rng, grid = draw.rng, draw.grid.nodes
    p = grid[end]
    dd = unit(sub(p, grid[prev]))
    tip = add(add(p, dd, rng.uniform(45, 110)), left(dd), rng.gauss(0, 6))
    tip_id = draw.osm.node(tip)
    mids = draw.chain(p, tip)
    if at_start:
        refs = [tip_id, *reversed(mids), draw.nid[end]]
        street.pieces.insert(0, Piece(refs, {}, True, (10.0, _CLEAR_X)))
    else:
        street.pieces.append(Piece([draw.nid[end], *mids, tip_id], {}, True, (_CLEAR_X, 10.0)))


def _column_streets(
    draw: _Drawer, pool: NamePool, streets: list[Street], oneway: list[Seg], bridge: Seg | None
) -> None:
    """Phase 3b: each column a named street (a lane if one block), with stubs beyond the rows."""
    grid, rng = draw.grid, draw.rng
    for j in range(grid.ncols):
        segs = [c for c in grid.col_segs if c[0][0] == j]
        present_rows = [i for i in grid.row_ids if (j, i) in grid.nodes]
        stubs: list[tuple[int, int]] = []  # (row, outward sign) of outward-pointing ends
        if present_rows and present_rows[-1] > 0:
            stubs.append((present_rows[-1], 1))
        if present_rows and present_rows[0] < 0:
            stubs.append((present_rows[0], -1))
        stub_kind = {
            st: rng.choices(("none", "street", "track"), weights=(5, 3, 2))[0] for st in stubs
        }
        n_pieces = len(segs) + sum(k == "street" for k in stub_kind.values())
        named = None
        if n_pieces:
            name = pool.take()
            if n_pieces == 1 and rng.random() < 0.7:  # a one-block lane: "тыкыр" / "переулок"
                name = pool.take_lane(name)
            named = Street(name, {
                "highway": rng.choices(("residential", "unclassified"), weights=(3, 1))[0],
                "surface": draw.surface(False),
            })  # fmt: skip
            streets.append(named)
        low = [st for st in stubs if st[1] < 0]
        high = [st for st in stubs if st[1] > 0]
        for st in low:
            _stub(draw, j, st, stub_kind[st], named, streets)
        if named is not None:
            _cross_pieces(draw, named, segs, oneway, bridge)
        for st in high:
            _stub(draw, j, st, stub_kind[st], named, streets)


def _cross_pieces(
    draw: _Drawer, named: Street, segs: list[Seg], oneway: list[Seg], bridge: Seg | None
) -> None:
    """The column's pieces between rows: one may be one-way, one a weight-limited bridge."""
    grid = draw.grid.nodes
    for p_key, q_key in segs:
        p, q = grid[p_key], grid[q_key]
        if bridge == (p_key, q_key):
            dist = norm(sub(q, p))
            dd = unit(sub(q, p))
            b1 = draw.osm.node(add(p, dd, dist / 2 - 7))
            b2 = draw.osm.node(add(p, dd, dist / 2 + 7))
            before = [draw.nid[p_key], *draw.chain(p, add(p, dd, dist / 2 - 7)), b1]
            named.pieces.append(Piece(before, {}, False, (0, 0)))
            deck = {"bridge": "yes", "layer": "1", "maxweight": "3.5"}
            named.pieces.append(Piece([b1, b2], deck, False, (0, 0)))
            after = [b2, *draw.chain(add(p, dd, dist / 2 + 7), q), draw.nid[q_key]]
            named.pieces.append(Piece(after, {}, False, (0, 0)))
            continue
        refs = [draw.nid[p_key], *draw.chain(p, q), draw.nid[q_key]]
        extra: Tags = {}
        if (q_key, p_key) in oneway:
            refs.reverse()
            extra = {"oneway": "yes"}
        elif (p_key, q_key) in oneway:
            extra = {"oneway": "yes"}
        named.pieces.append(Piece(refs, extra, True, (_CLEAR_X, _CLEAR_X)))


def _stub(
    draw: _Drawer,
    j: int,
    st: tuple[int, int],
    kind: str,
    named: Street | None,
    streets: list[Street],
) -> None:
    """A column's outward end: nothing, a short street with houses, or a track to the fields."""
    if kind == "none":
        return
    grid, rng = draw.grid, draw.rng
    root = grid.nodes[(j, st[0])]
    out = unit(sub(root, grid.centre)) if grid.rows == 1 else grid.e_v
    direction = unit(add((out[0] * st[1], out[1] * st[1]), grid.e_u, rng.gauss(0, 0.12)))
    reach = rng.uniform(50, 120) if kind == "street" else rng.uniform(150, 350)
    tip = add(root, direction, reach)
    mids = draw.chain(root, tip, wobble=3.0)
    refs = [draw.nid[(j, st[0])], *mids, draw.osm.node(tip)]
    if st[1] < 0:
        refs.reverse()
    if kind == "street":
        assert named is not None
        clear = (10.0, _CLEAR_X) if st[1] < 0 else (_CLEAR_X, 10.0)
        named.pieces.append(Piece(refs, {}, True, clear))
        return
    track = Street(None, {"highway": "track", "surface": "dirt", "tracktype": "grade4"})
    track.pieces.append(Piece(refs, {}, False, (0, 0)))
    streets.append(track)


def _paths(draw: _Drawer, footways: list[Seg], streets: list[Street]) -> None:
    """Phase 3c: footways where cross links were removed, and a path down to the river."""
    grid, rng = draw.grid, draw.rng
    for p_key, q_key in footways:
        path = Street(None, {"highway": "footway", "surface": "unpaved"})
        path.pieces.append(Piece(draw.piece(p_key, q_key, wobble=4.0), {}, False, (0, 0)))
        streets.append(path)
    if grid.rows >= 3:  # a path down to the river from an outer corner
        key = min(grid.nodes, key=lambda k: (k[1], k[0]))
        root = grid.nodes[key]
        tip = add(add(root, grid.e_v, -rng.uniform(120, 200)), grid.e_u, rng.gauss(0, 20))
        path = Street(None, {"highway": "path", "surface": "dirt"})
        refs = [draw.nid[key], *draw.chain(root, tip, wobble=5.0), draw.osm.node(tip)]
        path.pieces.append(Piece(refs, {}, False, (0, 0)))
        streets.append(path)


def piece_points(osm: OsmModel, piece: Piece) -> list[XY]:
    """Positions of a piece's nodes."""
    return [osm.nodes[r][0] for r in piece.nodes]


def _clearance(osm: OsmModel, streets: list[Street]) -> SpatialHash:
    """Phase 4: every street centreline sampled every 4 m, for house clearance."""
    lines = SpatialHash()
    for street in streets:
        for piece in street.pieces:
            pts = piece_points(osm, piece)
            for k in range(int(polyline_length(pts) // 4) + 1):
                lines.add(point_at(pts, 4.0 * k)[0])
    return lines


def _site_plan(*, households: int, depot: bool, market: bool) -> list[tuple[str, float, float]]:
    """The village's sites: kind, width along the street and depth (metres)."""
    plan: list[tuple[str, float, float]] = []
    if depot:
        plan.append(("depot", 30.0, 14.0))
    if market:
        plan.append(("market", 46.0, 34.0))
    if households >= 150:
        plan += [("school", 38.0, 18.0)] * (2 if households >= 900 else 1)
    if households >= 700:
        plan.append(("clinic", 22.0, 12.0))
    elif households >= 60:
        plan.append(("doctors", 14.0, 10.0))
    return plan


def _place_sites(
    place: Place,
    build: VillageBuild,
    streets: list[Street],
    obstacles: SpatialHash,
    *,
    plan: list[tuple[str, float, float]],
    centre: XY,
    rng: random.Random,
) -> None:
    """Phase 5: each planned site on a piece near the centre (the depot on the main street)."""
    osm = build.osm
    candidates = [
        (sk, pk)
        for sk, street in enumerate(streets)
        if street.name is not None
        for pk, piece in enumerate(street.pieces)
        if piece.houses
    ]
    candidates.sort(
        key=lambda c: norm(
            sub(point_at(piece_points(osm, streets[c[0]].pieces[c[1]]), 0)[0], centre)
        )
    )
    used: set[tuple[int, int]] = set()
    schools = 0
    for kind, width, depth in plan:
        choice = None
        # the depot faces the main street where it can; other sites take a piece near the centre
        ranked = sorted(candidates, key=lambda c: c[0] != 0) if kind == "depot" else candidates
        for cand in ranked[: 6 + len(used)]:
            pts = piece_points(osm, streets[cand[0]].pieces[cand[1]])
            if cand not in used and polyline_length(pts) >= width + 40:
                choice = cand
                if rng.random() < 0.6:
                    break
        if choice is None:
            continue
        used.add(choice)
        street, piece = streets[choice[0]], streets[choice[0]].pieces[choice[1]]
        pts = piece_points(osm, piece)
        mid, dd = point_at(pts, polyline_length(pts) / 2)
        side = rng.choice((1, -1))
        nn = left(dd)
        nn = (nn[0] * side, nn[1] * side)
        if kind == "depot":
            _emit_depot(place, build, street, obstacles, mid=mid, dd=dd, nn=nn, size=(width, depth))
            continue
        schools += kind == "school"
        obstacles.add(add(mid, nn, 9.0 + depth / 2), 0.5 * math.hypot(width, depth) + 1.0)
        corners = square(add(mid, nn, 9.0 + depth / 2), dd, width, depth)
        tags, site = _site(kind, place, container=add(mid, nn, 7.0), school_no=schools)
        build.sites.append(site)
        assert street.name is not None
        osm.polygon(corners, {**tags, "addr:street": street.name.ky, "addr:city": place.name_ky})
        # a short service drive from the street to the site
        drive_from = min(piece.nodes, key=lambda r: norm(sub(osm.nodes[r][0], mid)))
        drive = Street(None, {"highway": "service", "service": "driveway", "surface": "gravel"})
        drive.pieces.append(Piece([drive_from, osm.node(add(mid, nn, 9.0))], {}, False, (0, 0)))
        streets.append(drive)


def _emit_depot(
    place: Place,
    build: VillageBuild,
    street: Street,
    obstacles: SpatialHash,
    *,
    mid: XY,
    dd: XY,
    nn: XY,
    size: tuple[float, float],
) -> None:
    """The aiyl okmotu beside the street and the enterprise's garage behind it (off the road)."""
    assert street.name is not None
    hall = add(mid, nn, 20.0)
    aimak_ky, aimak_ru = AIMAK_KY.get(place.aiyl_aimak, (place.aiyl_aimak, place.aiyl_aimak))
    build.osm.node(hall, {
        "amenity": "townhall", "townhall:type": "village",
        "name": f"{aimak_ky} айыл өкмөтү", "name:ru": f"{aimak_ru} айыл окмоту",
        "addr:street": street.name.ky, "addr:city": place.name_ky,
    })  # fmt: skip
    garage = add(hall, nn, 30.0)
    build.osm.polygon(square(garage, dd, *size), {
        "building": "garage", "name": "«Таза Аймак» МИ гаражы",
        "name:ru": "Гараж МП «Таза Аймак»", "operator": "МИ «Таза Аймак»",
    })  # fmt: skip
    obstacles.add(hall, 14.0)
    obstacles.add(garage, 18.0)
    build.depot = garage


def _site(kind: str, place: Place, *, container: XY, school_no: int) -> tuple[Tags, Site]:
    """Tags of a school, clinic, ФАП or market and its row of containers."""
    vname = place.name_ky
    if kind == "school":
        tags = {
            "building": "school", "amenity": "school",
            "name": f"{vname} №{school_no} орто мектеби",
            "name:ru": f"Средняя школа №{school_no} с. {place.name_ru}",
        }  # fmt: skip
        return tags, Site("school", tags["name"], place, container, 1.1, 2, 2)
    if kind == "clinic":
        tags = {
            "building": "yes", "amenity": "clinic", "healthcare": "clinic",
            "name": f"{vname} үй-бүлөлүк дарыгерлер тобу", "name:ru": f"ГСВ с. {place.name_ru}",
        }  # fmt: skip
        return tags, Site("clinic", tags["name"], place, container, 0.75, 1, 1)
    if kind == "doctors":
        tags = {
            "building": "yes", "amenity": "doctors", "healthcare": "doctor",
            "name": f"{vname} ФАП", "name:ru": f"ФАП с. {place.name_ru}",
        }  # fmt: skip
        return tags, Site("clinic", tags["name"], place, container, 0.75, 1, 1)
    tags = {
        "amenity": "marketplace",
        "name": f"{vname} базары",
        "name:ru": f"Рынок с. {place.name_ru}",
    }
    return tags, Site("market", tags["name"], place, container, 1.1, 3, 3)


def _house_slots(
    place: Place, osm: OsmModel, streets: list[Street], grid: _Grid, rng: random.Random
) -> list[tuple[float, House]]:
    """Phase 6a: slots on both sides of every piece with houses, with their priority."""
    slots: list[tuple[float, House]] = []
    for sk, street in enumerate(streets):
        if street.name is None:
            continue
        for pk, piece in enumerate(street.pieces):
            if not piece.houses:
                continue
            pts = piece_points(osm, piece)
            plen = polyline_length(pts)
            for side in (1, -1):
                t = piece.clear[0] + rng.uniform(0, 6)
                while t <= plen - piece.clear[1]:
                    p, dd = point_at(pts, t)
                    size = rng.uniform(8.0, 12.0)
                    offset = rng.uniform(14.0, 18.0) + (size - 8.0) / 2
                    c = add(p, left(dd), side * offset)
                    ang = rng.gauss(0, 0.06)
                    hd = (
                        dd[0] * math.cos(ang) - dd[1] * math.sin(ang),
                        dd[0] * math.sin(ang) + dd[1] * math.cos(ang),
                    )
                    rel = sub(c, grid.centre)
                    u = rel[0] * grid.e_u[0] + rel[1] * grid.e_u[1]
                    v = rel[0] * grid.e_v[0] + rel[1] * grid.e_v[1]
                    prio = (u / grid.a) ** 2 + (v / max(grid.b, 60.0)) ** 2 + rng.uniform(0, 0.15)
                    slots.append((prio, House(place, street.name, (sk, pk, t), side, c, hd, size)))
                    t += rng.uniform(20.0, 25.0)
    slots.sort(key=lambda s_: s_[0])
    return slots


def _take_houses(
    slots: list[tuple[float, House]], households: int, lines: SpatialHash, obstacles: SpatialHash
) -> tuple[list[House], SpatialHash]:
    """Phase 6b: the best slots clear of streets, sites and each other, up to ``households``."""
    taken = SpatialHash()
    houses: list[House] = []
    for _prio, house in slots:
        if len(houses) >= households:
            break
        r = 0.72 * house.size
        if not lines.clear_of(house.centre, r + 4.0) or not obstacles.clear_of(
            house.centre, r, reach=1
        ):
            continue
        if not taken.clear_of(house.centre, r + 1.5):
            continue
        taken.add(house.centre, r)
        houses.append(house)
    return houses, taken


def _sheds(
    osm: OsmModel, houses: list[House], lines: SpatialHash, taken: SpatialHash, rng: random.Random
) -> None:
    """Phase 6c: sheds behind some houses, away from their street (buildings without address)."""
    for house in houses:
        if rng.random() < 0.12:
            nn = left(house.direction)
            shed = add(house.centre, nn, house.side * (house.size / 2 + 6.0))
            if lines.clear_of(shed, 8.0) and taken.clear_of(shed, 3.5):
                taken.add(shed, 3.0)
                osm.polygon(square(shed, house.direction, 4.5, 4.0), {"building": "shed"})


def emit_ways(osm: OsmModel, streets: list[Street]) -> None:
    """Phase 7: consecutive pieces of a street with the same extra tags become one way."""
    for street in streets:
        base = dict(street.tags)
        if street.name is not None:
            base["name"] = street.name.ky
            base["name:ru"] = street.name.ru_full
        current: list[int] = []
        current_extra: Tags | None = None
        for piece in street.pieces:
            if current and current[-1] == piece.nodes[0] and piece.extra == current_extra:
                current.extend(piece.nodes[1:])
                continue
            if current:
                osm.way(current, {**base, **(current_extra or {})})
            current, current_extra = list(piece.nodes), piece.extra
        if current:
            osm.way(current, {**base, **(current_extra or {})})


def build_village(
    place: Place,
    *,
    households: int,
    centre: XY,
    axis: XY,
    main_road: Tags,
    rng: random.Random,
    names: Sequence[StreetName] | NamePool,
    depot: bool,
    market: bool,
    grow: float,
) -> VillageBuild:
    """Lay out one village: an irregular grid around the valley road, sites and house slots.

    Parameters
    ----------
    place
        The village (its names go on the sites and addresses).
    households
        Houses wanted; fewer may fit (the caller grows the village and tries again).
    centre, axis
        Centre of the village and the valley road's unit direction there (metres, local frame).
    main_road
        Tags of the main street (part of the valley road).
    rng
        The village's own random stream.
    names
        Street names to shuffle (a village) or a pool shared by several quarters (a town).
    depot, market
        Whether the depot and the market are in this village.
    grow
        Factor on the street length the households need (1.0 first, more on a retry).

    Returns
    -------
    VillageBuild
        The village's OSM (indices from 0), entry and exit of its main street, houses and sites.
    """
    grid = _lay_grid(households, grow, centre, axis, rng)
    footways = _thin_links(grid, rng)
    oneway, bridge = _oneway_and_bridge(grid, depot=depot, rng=rng)
    osm = OsmModel()
    draw = _Drawer(osm, grid, rng)
    pool = names if isinstance(names, NamePool) else NamePool(names, rng)
    streets = _row_streets(draw, pool, main_road)
    _column_streets(draw, pool, streets, oneway, bridge)
    _paths(draw, footways, streets)
    lines = _clearance(osm, streets)
    obstacles = SpatialHash(cell=40.0)
    build = VillageBuild(osm, draw.nid[(0, 0)], draw.nid[(grid.ncols - 1, 0)], [], [], 0)
    plan = _site_plan(households=households, depot=depot, market=market)
    _place_sites(place, build, streets, obstacles, plan=plan, centre=centre, rng=rng)
    slots = _house_slots(place, osm, streets, grid, rng)
    build.houses, taken = _take_houses(slots, households, lines, obstacles)
    build.streets = len({st.name.ky for st in streets if st.name is not None})
    _sheds(osm, build.houses, lines, taken, rng)
    emit_ways(osm, streets)
    if not build.houses and households:
        msg = f"{place.name_en}: no room for houses"
        raise RuntimeError(msg)
    return build
