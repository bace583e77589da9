"""Household estimates from building footprints and from population: counted and labelled."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import Point, box

from routing.estimate import (
    estimate_households_from_buildings,
    estimate_households_from_population,
)
from tests.conftest import shared_file

LON0, LAT0 = 72.70, 41.88
D = 0.0001  # about 8-11 m


def _square(ids: list[int], lon: float, lat: float, size: float) -> tuple[list[str], list[str]]:
    nodes, refs = [], []
    corners = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)]
    for nid, (x, y) in zip(ids, corners, strict=True):
        nodes.append(f'<node id="{nid}" version="1" lat="{y}" lon="{x}"/>')
        refs.append(f'<nd ref="{nid}"/>')
    refs.append(refs[0])
    return nodes, refs


@pytest.fixture
def buildings_osm(tmp_path: Path) -> Path:
    """A house, a building=yes home, a shed, a school, a garage and a 3-storey apartment block."""
    specs = [
        ("house", 1.0, {}),
        ("yes", 1.0, {}),
        ("yes", 0.4, {}),  # about 15 m²: a shed, too small
        ("yes", 1.0, {"amenity": "school"}),
        ("garage", 1.0, {}),
        ("apartments", 3.0, {"building:levels": "3"}),
    ]
    nodes: list[str] = ['<node id="9000" version="1" lat="41.881" lon="72.701">'
                        '<tag k="place" v="village"/><tag k="name" v="Терек-Суу"/></node>']  # fmt: skip
    ways: list[str] = []
    for i, (btype, size, extra) in enumerate(specs):
        n, r = _square([i * 10 + k for k in range(1, 5)], LON0 + i * 0.001, LAT0, D * size)
        nodes += n
        tags = {"building": btype, **extra}
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        ways.append(f'<way id="{500 + i}" version="1">{"".join(r)}{body}</way>')
    p = tmp_path / "b.osm"
    p.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        + "\n".join(nodes + ways)
        + "\n</osm>\n",
        encoding="utf-8",
    )
    return p


def test_one_household_per_residential_building(buildings_osm: Path) -> None:
    est = estimate_households_from_buildings(buildings_osm, seed=1)
    ids = est["household_id"].tolist()
    assert "est-w500" in ids and "est-w501" in ids  # house and building=yes home
    assert not {"est-w502", "est-w503", "est-w504"} & set(ids)  # shed, school, garage
    # The apartment block (about 28 x 33 m, 3 storeys) holds several households.
    flats = [i for i in ids if i.startswith("est-w505")]
    assert len(flats) > 5
    assert len(ids) == 2 + len(flats)


def test_estimates_are_labelled(buildings_osm: Path) -> None:
    est = estimate_households_from_buildings(buildings_osm)
    assert est["estimate"].all()
    assert (est["match_level"] == "estimate").all()
    assert est["note"].str.contains("estimate").all()
    assert (est["village"] == "Терек-Суу").all()
    assert est["ok"].all()


def test_members_spread_around_the_household_size(buildings_osm: Path) -> None:
    est = estimate_households_from_buildings(buildings_osm, household_size=4.7, seed=3)
    assert set(est["members"]) <= {4, 5}
    rounded = estimate_households_from_buildings(buildings_osm, household_size=4.7, spread=False)
    assert set(rounded["members"]) == {5}


def test_area_limits_the_buildings(buildings_osm: Path) -> None:
    area = box(LON0 - 0.0005, LAT0 - 0.0005, LON0 + 0.0005, LAT0 + 0.0005)
    est = estimate_households_from_buildings(buildings_osm, area=area)
    assert est["household_id"].tolist() == ["est-w500"]


def test_real_buildings_give_a_plausible_count() -> None:
    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    est = estimate_households_from_buildings(path, seed=0)
    # 1,611 buildings, of which barns, garages and sheds are not homes.
    assert 500 < len(est) < 1611
    assert est["members"].mean() == pytest.approx(4.7, abs=0.15)
    assert est.geometry.notna().all()


def test_population_estimate_adds_up_exactly() -> None:
    est = estimate_households_from_population("Терек-Суу", 4520, (LON0, LAT0), seed=7)
    assert len(est) == round(4520 / 4.7)
    assert est["members"].sum() == 4520
    assert est["estimate"].all() and (est["match_level"] == "estimate").all()
    assert est["note"].iloc[0].startswith("estimate")
    # Scattered around the centre, within the default radius (800 m² per household).
    import geopandas as gpd

    centre = gpd.GeoSeries([Point(LON0, LAT0)], crs=4326).to_crs(32643).iloc[0]
    d = est.to_crs(32643).distance(centre)
    assert d.max() < (len(est) * 800 / 3.14159) ** 0.5 + 1


def test_population_estimate_is_reproducible_with_its_seed() -> None:
    a = estimate_households_from_population("A", 100, Point(LON0, LAT0), seed=5)
    b = estimate_households_from_population("A", 100, Point(LON0, LAT0), seed=5)
    c = estimate_households_from_population("A", 100, Point(LON0, LAT0), seed=6)
    assert a.geometry.equals(b.geometry)
    assert not a.geometry.equals(c.geometry)


def test_bad_population_is_refused() -> None:
    with pytest.raises(ValueError, match="population"):
        estimate_households_from_population("A", -5, (LON0, LAT0))
    with pytest.raises(ValueError, match="household_size"):
        estimate_households_from_population("A", 50, (LON0, LAT0), household_size=0)


def test_a_village_whose_buildings_are_missing_is_filled_from_its_population(
    tmp_path: Path,
) -> None:
    from shapely.geometry import LineString

    from routing.directions import edge_lines
    from routing.estimate import fill_from_population, streets_near
    from routing.network import load_network

    path = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    net = load_network(path, cache_dir=tmp_path)
    hh = estimate_households_from_buildings(path, household_size=2.1)
    centres = {name: net.to_wgs84(x, y) for name, _, x, y in net.places}
    counts = hh["village"].value_counts()
    small = next(v for v in counts.index if 0 < counts[v] < 40 and v in centres)
    complete = counts.index[0]  # the most buildings: its population fits them
    populations = {small: 500, complete: int(counts[complete] * 2.1)}
    expected = {v: round(p / 2.1) for v, p in populations.items()}
    edges = [(LineString(c), hw) for c, _, hw in edge_lines(net.graph, to_wgs84=True)]
    streets = streets_near(edges, {v: centres[v] for v in populations}, expected)
    out, fills = fill_from_population(hh, populations, centres, streets, household_size=2.1)
    (fill,) = fills
    assert (fill.village, fill.population, fill.expected, fill.mapped) == (
        small,
        500,
        238,
        int(counts[small]),
    )
    assert fill.added == 238 - int(counts[small])
    added = out.iloc[len(hh) :]
    assert len(added) == fill.added and added["estimate"].all()
    assert (added["village"] == small).all() and added["note"].str.contains("population 500").all()
    assert abs(added["members"].mean() - 2.1) < 0.2
    lon0, lat0 = centres[small]
    assert (abs(added.geometry.x - lon0) < 0.02).all() and (
        abs(added.geometry.y - lat0) < 0.02
    ).all()
    assert "population 500" in fill.describe() and "data looks incomplete" in fill.describe()
    # no place, no roads: warned, nothing placed
    _, (lost,) = fill_from_population(hh, {"Nowhere": 300}, {}, [], household_size=2.1)
    assert lost.added == 0 and "no households could be placed" in lost.describe()


def test_a_register_far_below_a_villages_population_is_warned() -> None:
    import geopandas as gpd

    from routing.estimate import check_register
    from routing.scenario import VillageSpec

    villages = [
        VillageSpec("Терек-Суу", "Ketmen-Dobo", ("mon",), 1, 4700),
        VillageSpec("Балыкты", "Cholpon-Ata", ("wed",), 1, 61),
        VillageSpec("*", "", ("fri",), 1, None),
    ]
    hh = gpd.GeoDataFrame({"village_spec": ["Терек-Суу"] * 300 + ["Балыкты"] * 12})
    (fill,) = check_register(hh, villages, household_size=4.7)
    assert (fill.village, fill.expected, fill.mapped, fill.added) == ("Терек-Суу", 1000, 300, 0)
    assert fill.describe(language="ru").endswith("в реестре 300: реестр полный?")
