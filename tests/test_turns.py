"""Heading matrices: exact against an edge-based graph built apart, and every U-turn priced."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point

from routing import turns
from routing.matrix import travel_matrix
from routing.network import RoadNetwork, load_network
from routing.snapping import snap_points
from routing.turns import Heading, heading_matrix, heading_pricer, leg_nodes
from tests.conftest import shared_file
from tests.test_network import GRID_LAT, GRID_LON, write_grid_osm

PENALTY = 60.0


@pytest.fixture(scope="module")
def bayreuth(tmp_path_factory: pytest.TempPathFactory) -> tuple[RoadNetwork, list[Heading]]:
    """The real rural extract, 25 snapped points, each with every heading it has."""
    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    net = load_network(path, cache_dir=tmp_path_factory.mktemp("cache"))
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(11.54, 11.60, 25), rng.uniform(49.995, 50.045, 25)
    pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)], crs=4326)
    res = snap_points(net, pts, max_distance_m=500)
    g = res.network.graph
    heads = []
    for node in res.points.node[res.points.ok]:
        n = int(node)
        heads += [Heading(n), *_sided(g, n)]
    return res.network, heads


def _sided(g: nx.MultiDiGraph, node: int) -> list[Heading]:
    """Every heading a node has: one per neighbour it must not turn back to."""
    near = sorted((set(g.successors(node)) | set(g.predecessors(node))) - {node})
    return [Heading(node, o) for o in near]


def _with_stop(net: RoadNetwork) -> tuple[RoadNetwork, int]:
    """The network with a stop snapped halfway between nodes 1 and 3 (where node 2 was)."""
    pts = gpd.GeoDataFrame(geometry=[Point(GRID_LON + 0.001, GRID_LAT)], crs=4326)
    res = snap_points(net, pts)
    return res.network, int(res.points.node.iloc[0])


@pytest.fixture
def grid(tmp_path: Path) -> tuple[RoadNetwork, int]:
    """The hand-made village, a stop halfway along Манас көчөсү (1 - stop - 3)."""
    return _with_stop(load_network(write_grid_osm(tmp_path / "g.osm"), cache_dir=tmp_path / "c"))


@pytest.fixture
def lane(tmp_path: Path) -> tuple[RoadNetwork, int]:
    """A two-way lane 1 - stop - 3 that ends at 3: the only way back is a U-turn."""
    ways = [(201, [1, 2, 3], {"highway": "residential", "name": "Туюк көчөсү"})]
    net = load_network(write_grid_osm(tmp_path / "lane.osm", ways=ways), cache_dir=tmp_path / "c")
    return _with_stop(net)


def _fastest(g: nx.MultiDiGraph, a: int, b: int) -> tuple[float, float]:
    best = min(g[a][b].values(), key=lambda d: (d["travel_time"], d["length"]))
    return float(best["travel_time"]), float(best["length"])


def _edge_graph(g: nx.MultiDiGraph, heads: list[Heading], penalty: float) -> nx.DiGraph:
    """The same model written out plainly in networkx: states are directed edges."""
    out = nx.DiGraph()
    pairs = {(a, b) for a, b in g.edges() if a != b}
    for a, b in pairs:
        for c in g.successors(b):
            if c != b:
                out.add_edge((a, b), (b, c), w=_fastest(g, b, c)[0] + penalty * (c == a))
    for i, h in enumerate(heads):
        for w in g.successors(h.node):
            if w != h.node:
                cost = _fastest(g, h.node, w)[0] + penalty * (w == h.other)
                out.add_edge(("from", i), (h.node, w), w=cost)
        for p in g.predecessors(h.node):
            if p != h.node:
                out.add_edge((p, h.node), ("to", i), w=penalty * (p == h.other))
        for j, h2 in enumerate(heads):
            if h2.node == h.node:
                turn = h.other is not None and h.other == h2.other
                out.add_edge(("from", i), ("to", j), w=penalty * turn)
    return out


@pytest.mark.parametrize("shared_below", [0.0, 2.0], ids=["from each start", "from chain ends"])
def test_heading_matrix_equals_an_edge_based_graph_built_apart(
    bayreuth: tuple[RoadNetwork, list[Heading]],
    shared_below: float,
) -> None:
    # both ways of computing the rows: a search per start, or shared by the starts of a street
    net, heads = bayreuth
    m = heading_matrix(net, heads, uturn_penalty_s=PENALTY, shared_below=shared_below)
    ref = _edge_graph(net.graph, heads, PENALTY)
    compared = 0
    for i in range(0, len(heads), 3):
        times = nx.single_source_dijkstra_path_length(ref, ("from", i), weight="w")
        for j in range(len(heads)):
            want = times.get(("to", j), np.inf)
            assert m.duration_s[i, j] == pytest.approx(want, abs=1e-6), (heads[i], heads[j])
            compared += 1
    assert compared > 500


def test_legs_are_traced_as_priced_with_their_length(
    bayreuth: tuple[RoadNetwork, list[Heading]],
) -> None:
    net, heads = bayreuth
    g = net.graph
    m = heading_matrix(net, heads, uturn_penalty_s=PENALTY)
    for i, j in itertools.product(range(0, len(heads), 5), range(1, len(heads), 4)):
        nodes = leg_nodes(m, i, j)
        if not np.isfinite(m.duration_s[i, j]):
            assert nodes == []
            continue
        assert nodes[0] == heads[i].node and nodes[-1] == heads[j].node
        steps = list(itertools.pairwise(nodes))
        time = sum(_fastest(g, a, b)[0] for a, b in steps)
        length = sum(_fastest(g, a, b)[1] for a, b in steps)
        turns = sum(1 for k in range(2, len(nodes)) if nodes[k] == nodes[k - 2])
        if len(nodes) >= 2:
            turns += nodes[1] == heads[i].other
            turns += nodes[-2] == heads[j].other
        elif heads[i].other is not None and heads[i].other == heads[j].other:
            turns += 1
        assert m.duration_s[i, j] == pytest.approx(time + PENALTY * turns, abs=1e-6)
        assert m.distance_m[i, j] == pytest.approx(length, abs=1e-6)


def test_headings_that_do_not_turn_back_give_the_node_matrix(
    bayreuth: tuple[RoadNetwork, list[Heading]],
) -> None:
    net, heads = bayreuth
    free = [h for h in heads if h.other is None]
    m = heading_matrix(net, free, uturn_penalty_s=PENALTY)
    node = travel_matrix(net, [h.node for h in free])
    np.testing.assert_allclose(m.duration_s, node.duration_s)
    np.testing.assert_allclose(m.distance_m, node.distance_m)


def test_leaving_back_the_way_it_came_goes_round_the_block_when_turning_is_dear(
    grid: tuple[RoadNetwork, int],
) -> None:
    net, stop = grid
    heads = [Heading(stop, 1), Heading(1)]  # came along Манас көчөсү from 1, heading for 1 again
    cheap = heading_matrix(net, heads, uturn_penalty_s=0.0)
    assert leg_nodes(cheap, 0, 1) == [stop, 1]
    assert cheap.duration_s[0, 1] == pytest.approx(_fastest(net.graph, stop, 1)[0])
    dear = heading_matrix(net, heads, uturn_penalty_s=1e5)
    loop = leg_nodes(dear, 0, 1)
    assert loop[:2] == [stop, 3] and loop[-1] == 1
    assert all(loop[k] != loop[k - 2] for k in range(2, len(loop))), "no U-turn on the loop"
    assert dear.duration_s[0, 1] < 1e5
    assert dear.distance_m[0, 1] > cheap.distance_m[0, 1]


def test_a_dead_end_forces_one_uturn_at_its_price(lane: tuple[RoadNetwork, int]) -> None:
    net, stop = lane
    g = net.graph
    heads = [Heading(stop, 1), Heading(1)]  # came up the lane from 1, back to 1
    drive = _fastest(g, stop, 3)[0] + _fastest(g, 3, stop)[0] + _fastest(g, stop, 1)[0]
    for penalty in (0.0, 30.0, 500.0):
        m = heading_matrix(net, heads, uturn_penalty_s=penalty)
        # turning where it stands costs the same price as at the end of the lane, and is shorter
        assert m.duration_s[0, 1] == pytest.approx(_fastest(g, stop, 1)[0] + penalty)
        assert m.duration_s[0, 1] < drive + penalty
    assert leg_nodes(heading_matrix(net, heads, uturn_penalty_s=30.0), 0, 1) == [stop, 1]


def test_headings_at_one_node_cost_nothing_straight_on_and_the_price_to_turn(
    grid: tuple[RoadNetwork, int],
) -> None:
    net, stop = grid
    heads = [Heading(stop, 1), Heading(stop, 3), Heading(stop, 1)]
    m = heading_matrix(net, heads, uturn_penalty_s=PENALTY)
    assert m.duration_s[0, 1] == 0.0  # came from 1, on towards 3
    assert m.duration_s[0, 2] == pytest.approx(PENALTY)  # came from 1, leaves towards 1
    assert m.distance_m[0, 2] == 0.0


@pytest.mark.parametrize("shared_below", [0.0, 2.0], ids=["from each start", "from chain ends"])
def test_stops_along_one_street_share_their_searches_and_stay_exact(
    tmp_path: Path, shared_below: float
) -> None:
    """Several stops along a two-way street, a one-way street and a one-way dead end: the rows
    derived from the searches at the streets' ends equal the plain edge-based graph's, every pair.
    """
    net = load_network(write_grid_osm(tmp_path / "g.osm"), cache_dir=tmp_path / "c")
    lonlat = [(73.0 + f * 0.002, 41.0) for f in (0.15, 0.35, 0.65, 0.85)]  # Манас, two-way
    lonlat += [(73.0 + f * 0.002, 41.001) for f in (0.2, 0.4, 0.7)]  # Токтогул, one way
    lonlat += [(73.0025, 41.0025)]  # Туюк, the one-way dead end 9 -> 10
    pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in lonlat], crs=4326)
    res = snap_points(net, pts, max_distance_m=80)
    g = res.network.graph
    heads = [Heading(1), Heading(9)]
    for node in dict.fromkeys(int(n) for n in res.points.node[res.points.ok]):
        heads += [Heading(node), *_sided(g, node)]
    assert len(heads) > 20
    for penalty in (0.0, 5.0, PENALTY):
        m = heading_matrix(res.network, heads, uturn_penalty_s=penalty, shared_below=shared_below)
        ref = _edge_graph(g, heads, penalty)
        for i in range(len(heads)):
            times = nx.single_source_dijkstra_path_length(ref, ("from", i), weight="w")
            for j in range(len(heads)):
                want = times.get(("to", j), np.inf)
                assert m.duration_s[i, j] == pytest.approx(want, abs=1e-6), (heads[i], heads[j])


@pytest.mark.parametrize("shared_below", [0.0, 2.0], ids=["from each start", "from chain ends"])
def test_a_pricer_gives_the_cells_of_the_whole_matrix_for_some_headings(
    bayreuth: tuple[RoadNetwork, list[Heading]], shared_below: float
) -> None:
    """A day's matrix priced on its own (`HeadingPricer.take`) is the week's matrix between the
    same headings, time and length of every leg (bit for bit where the week's is searched from
    each start too); its legs trace the same nodes; the
    sites' rows and columns (`durations_from`, `durations_to`) are the week's times too."""
    net, heads = bayreuth
    whole = heading_matrix(net, heads, uturn_penalty_s=PENALTY, shared_below=shared_below)
    pricer = heading_pricer(net, heads, uturn_penalty_s=PENALTY, shared_below=shared_below)
    rng = np.random.default_rng(5)
    for size in (1, 7, len(heads) // 3):
        rows = [0, *rng.choice(np.arange(1, len(heads)), size=size, replace=False).tolist()]
        day, want = pricer.take(rows), whole.take(rows)
        assert day.headings == want.headings
        if shared_below == 0.0:  # the same searches: bit for bit
            np.testing.assert_array_equal(day.duration_s, want.duration_s)
            np.testing.assert_array_equal(day.distance_m, want.distance_m)
        # a day is searched from each start: against shared searches, sums in another order
        np.testing.assert_allclose(day.duration_s, want.duration_s, rtol=1e-12)
        np.testing.assert_allclose(day.distance_m, want.distance_m, rtol=1e-12)
        for i, j in itertools.product(range(len(rows)), repeat=2):
            assert leg_nodes(day, i, j) == leg_nodes(want, i, j)
    sites = [0, 3]
    # one search per site (backwards for the columns): the same times, summed in another order
    # than the rows derived from shared searches
    pairs = [
        (pricer.durations_from(sites), whole.duration_s[sites, :]),
        (pricer.durations_to(sites), whole.duration_s[:, sites]),
    ]
    for got_s, want_s in pairs:
        np.testing.assert_allclose(got_s, want_s, rtol=1e-12)
        assert np.array_equal(np.isfinite(got_s), np.isfinite(want_s))


def test_a_days_legs_are_searched_between_its_own_starts_and_ends(
    bayreuth: tuple[RoadNetwork, list[Heading]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some headings' legs are searched on the states between their starts and ends only (the
    other headings' starts and the dead ends only they need are left out): a smaller graph, and
    every time and length bit for bit as searched on the whole graph."""
    net, heads = bayreuth
    pricer = heading_pricer(net, heads, uturn_penalty_s=PENALTY, shared_below=0.0)
    searched: list[int] = []
    search = turns.shortest_rows

    def counted(core, *args, **kwargs):  # type: ignore[no-untyped-def]
        searched.append(core.matrix.shape[0])
        return search(core, *args, **kwargs)

    monkeypatch.setattr(turns, "shortest_rows", counted)
    whole = pricer.take(range(len(heads)))
    rows = list(range(0, len(heads), 6))
    day = pricer.take(rows)
    assert searched[1] < searched[0]
    np.testing.assert_array_equal(day.duration_s, whole.duration_s[np.ix_(rows, rows)])
    np.testing.assert_array_equal(day.distance_m, whole.distance_m[np.ix_(rows, rows)])


@pytest.mark.parametrize("shared_below", [0.0, 2.0], ids=["from each start", "from chain ends"])
def test_headings_in_any_order_give_the_same_cells(
    bayreuth: tuple[RoadNetwork, list[Heading]], shared_below: float
) -> None:
    """The rows come out in the order asked for (computed so, not permuted afterwards): the
    headings shuffled, some twice, give the same legs, every time and length bit for bit."""
    net, heads = bayreuth
    m = heading_matrix(net, heads, uturn_penalty_s=PENALTY, shared_below=shared_below)
    order = np.random.default_rng(3).permutation(len(heads))
    order = np.concatenate([order, order[:4]])
    again = heading_matrix(
        net, [heads[i] for i in order], uturn_penalty_s=PENALTY, shared_below=shared_below
    )
    np.testing.assert_array_equal(again.duration_s, m.duration_s[np.ix_(order, order)])
    np.testing.assert_array_equal(again.distance_m, m.distance_m[np.ix_(order, order)])
    for i, j in itertools.product(range(0, len(order), 5), repeat=2):
        assert leg_nodes(again, i, j) == leg_nodes(m, order[i], order[j])


def test_negative_uturn_price_or_share_is_refused(grid: tuple[RoadNetwork, int]) -> None:
    with pytest.raises(ValueError, match=r"uturn_penalty_s .* got -1\.0, 0\.6"):
        heading_matrix(grid[0], [Heading(1)], uturn_penalty_s=-1.0)
    with pytest.raises(ValueError, match=re.escape("shared_below must be >= 0, got 60.0, -0.5")):
        heading_matrix(grid[0], [Heading(1)], shared_below=-0.5)


def test_a_side_that_is_not_a_neighbour_is_a_clear_error(grid: tuple[RoadNetwork, int]) -> None:
    net, stop = grid
    with pytest.raises(ValueError, match="not a neighbour of node"):
        heading_matrix(net, [Heading(stop, 9)], uturn_penalty_s=PENALTY)


@pytest.mark.slow
@pytest.mark.parametrize("shared_below", [0.0, 2.0], ids=["from each start", "from chain ends"])
def test_heading_matrix_is_exact_on_liechtenstein(tmp_path: Path, shared_below: float) -> None:
    """Item 3's check on a real extract: every time and length as the plain edge-based graph says.

    120 points snapped into the streets of Vaduz and Schaan, each with every heading it has (a
    node halfway along a street has two), against Dijkstra on the edge-based graph written out
    plainly in networkx (`_edge_graph`: every state, every U-turn arc), rows sampled.
    """
    path = shared_file("data", "osm", "liechtenstein-2013-08-03.osm.pbf")
    net = load_network(path, cache_dir=tmp_path / "cache")
    rng = np.random.default_rng(2013)
    lon, lat = rng.uniform(9.50, 9.54, 120), rng.uniform(47.13, 47.20, 120)
    pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)], crs=4326)
    res = snap_points(net, pts, max_distance_m=300)
    g = res.network.graph
    heads = []
    for node in sorted({int(n) for n in res.points.node[res.points.ok]}):
        heads += _sided(g, node) or [Heading(node)]
    m = heading_matrix(res.network, heads, uturn_penalty_s=PENALTY, shared_below=shared_below)
    ref = _edge_graph(g, heads, PENALTY)
    compared = lengths = 0
    for i in range(0, len(heads), 7):
        times, paths = nx.single_source_dijkstra(ref, ("from", i), weight="w")
        for j in range(len(heads)):
            want = times.get(("to", j), np.inf)
            assert m.duration_s[i, j] == pytest.approx(want, rel=1e-12, abs=1e-9), (i, j)
            if np.isfinite(want):
                # the length of the reference's path, where no other path is as fast
                states = [s for s in paths[("to", j)] if isinstance(s[0], int | np.integer)]
                length = sum(_fastest(g, a, b)[1] for a, b in states)
                nodes = leg_nodes(m, i, j)
                if len(nodes) > 1 and [tuple(p) for p in itertools.pairwise(nodes)] == states:
                    assert m.distance_m[i, j] == pytest.approx(length, rel=1e-12)
                    lengths += 1
            compared += 1
    assert len(heads) > 150 and compared > 6000 and lengths > 3000
