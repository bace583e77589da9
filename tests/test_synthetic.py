"""The synthetic stand-in for Taza Aimak: deterministic, loadable, consistent with its truth."""

from __future__ import annotations

import csv
import hashlib
import math
from collections import Counter
from pathlib import Path

import networkx as nx
import osmium
import osmnx as ox
import pytest

from routing import synthetic
from tests.conftest import DATA, shared_file

AREA = DATA / "taza-aimak"
OSM = AREA / "taza-aimak.osm"
FILES = ("taza-aimak.osm", "households.csv", "households_truth.csv", "containers.csv", "README.md")
SMALL = {"scale": 0.05, "villages": ["Terek-Suu", "Kushchu-Suu"]}
TRUCK_HIGHWAYS = {
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "service",
    "track",
}


def _places() -> Path:
    return shared_file("data", "places", "ketmen-dobo-cholpon-ata.csv")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return ox.graph_from_xml(OSM, retain_all=True, simplify=False)


@pytest.fixture(scope="module")
def osm_elements() -> list[tuple[str, int, dict[str, str], tuple[float, float] | None]]:
    out = []
    for obj in osmium.FileProcessor(str(OSM)):
        loc = (obj.location.lat, obj.location.lon) if obj.type_str() == "n" else None
        out.append((obj.type_str(), obj.id, dict(obj.tags), loc))
    return out


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    places = _places()
    a = synthetic.generate(tmp_path / "a", seed=7, places=places, **SMALL)  # type: ignore[arg-type]
    b = synthetic.generate(tmp_path / "b", seed=7, places=places, **SMALL)  # type: ignore[arg-type]
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert a.households == b.households > 0


def test_different_seed_gives_different_streets_and_register(tmp_path: Path) -> None:
    places = _places()
    synthetic.generate(tmp_path / "a", seed=7, places=places, **SMALL)  # type: ignore[arg-type]
    synthetic.generate(tmp_path / "b", seed=8, places=places, **SMALL)  # type: ignore[arg-type]
    for name in ("taza-aimak.osm", "households.csv"):
        assert _sha(tmp_path / "a" / name) != _sha(tmp_path / "b" / name), name


def test_small_area_has_only_the_chosen_villages_sized_by_scale(tmp_path: Path) -> None:
    area = synthetic.generate(tmp_path, seed=3, places=_places(), **SMALL)  # type: ignore[arg-type]
    truth = _read_csv(area.files["truth"])
    counts = Counter(row["village"] for row in truth)
    assert set(counts) == {"Терек-Суу", "Кушчу-Суу"}
    assert counts["Терек-Суу"] == round(4520 / 4.7 * 0.05)
    assert counts["Кушчу-Суу"] == round(611 / 4.7 * 0.05)


def test_a_village_comes_out_the_same_whatever_else_is_generated(tmp_path: Path) -> None:
    places = _places()
    synthetic.generate(tmp_path / "a", seed=5, places=places, **SMALL)  # type: ignore[arg-type]
    more = {"scale": 0.05, "villages": ["Terek-Suu", "Mazar-Suu", "Kushchu-Suu"]}
    synthetic.generate(tmp_path / "b", seed=5, places=places, **more)  # type: ignore[arg-type]

    def houses(folder: Path) -> list[tuple[str, ...]]:
        rows = _read_csv(folder / "households_truth.csv")
        return sorted(
            (r["street"], r["house"], r["lat"], r["lon"])
            for r in rows
            if r["village"] == "Кушчу-Суу"
        )

    assert houses(tmp_path / "a") == houses(tmp_path / "b")
    assert houses(tmp_path / "a")


def test_unknown_village_is_refused_with_the_allowed_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"Bishkek.*allowed: .*Terek-Suu"):
        synthetic.generate(tmp_path, places=_places(), villages=["Bishkek"])


def test_missing_places_table_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.csv"):
        synthetic.generate(tmp_path, places=tmp_path / "nowhere.csv")


def test_places_table_without_a_column_is_refused_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "places.csv"
    bad.write_text("soate_code,name_ky\n1,Терек-Суу\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"places\.csv: missing column\(s\) aiyl_aimak"):
        synthetic.generate(tmp_path / "out", places=bad)


def test_committed_osm_loads_with_osmnx_as_one_drivable_network(graph: nx.MultiDiGraph) -> None:
    truck = [
        (u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
        if d.get("highway") in TRUCK_HIGHWAYS and "maxweight" not in d
    ]  # fmt: skip
    drivable = graph.edge_subgraph(truck)
    assert drivable.number_of_nodes() > 1000
    assert nx.is_strongly_connected(drivable)
    names = {d["name"] for _, _, d in drivable.edges(data=True) if d.get("name")}
    assert len(names) >= 30
    assert any(
        d.get("oneway") is True
        for _, _, d in graph.edges(data=True)
        if d.get("highway") == "residential" or d.get("highway") == "unclassified"
    )
    footways = [d for _, _, d in graph.edges(data=True) if d.get("highway") in {"footway", "path"}]
    assert footways


def test_every_element_is_tagged_source_synthetic(
    osm_elements: list[tuple[str, int, dict[str, str], tuple[float, float] | None]],
) -> None:
    untagged = [
        (kind, oid) for kind, oid, tags, _ in osm_elements if tags.get("source") != "synthetic"
    ]
    assert untagged == []
    assert "stand-in" in osm_elements[0][2].get("note", "")
    head = OSM.read_text(encoding="utf-8")[:300]
    assert 'version="0.6"' in head
    assert 'generator="taza-routing synthetic"' in head


def test_osm_carries_depot_landfill_sites_and_tagged_houses(
    osm_elements: list[tuple[str, int, dict[str, str], tuple[float, float] | None]],
) -> None:
    tags = [t for _, _, t, _ in osm_elements]
    assert sum(t.get("amenity") == "townhall" for t in tags) == 1
    assert any(t.get("building") == "garage" for t in tags)
    landfill = [t for t in tags if t.get("landuse") == "landfill"]
    assert len(landfill) == 1
    assert "assumption" in landfill[0]["note"]
    assert {"school", "clinic", "doctors", "marketplace"} <= {t.get("amenity") for t in tags}
    assert any(t.get("maxweight") and t.get("bridge") == "yes" for t in tags)
    houses = [t for t in tags if t.get("building") == "house"]
    assert houses
    assert all({"addr:street", "addr:housenumber", "addr:city"} <= set(t) for t in houses)
    assert any(t.get("building") == "shed" and "addr:housenumber" not in t for t in tags)
    surfaces = {t.get("surface") for t in tags if "highway" in t}
    assert {"asphalt", "gravel", "dirt"} <= surfaces
    chong = next(t for t in tags if t.get("name:en") == "Chong-Aryk")
    assert "assumption" in chong["note"]


def test_house_numbers_are_odd_on_one_side_and_increase_along_the_street() -> None:
    truth = _read_csv(AREA / "households_truth.csv")
    numbers = [int(row["house"].split("/")[0].rstrip("А")) for row in truth]
    assert any(n % 2 for n in numbers)
    assert any(n % 2 == 0 for n in numbers)
    assert any(row["house"].endswith("А") for row in truth)
    assert any("/" in row["house"] for row in truth)
    keys = Counter((r["village"], r["street"], r["house"]) for r in truth)
    assert max(keys.values()) == 1  # every address names exactly one house


def test_household_counts_per_village_follow_population() -> None:
    places = synthetic.read_places(_places())
    counts = Counter(row["village"] for row in _read_csv(AREA / "households_truth.csv"))
    for place in places:
        if place.population > 0 and place.aiyl_aimak:
            assert counts[place.name_ky] == round(
                place.population / synthetic.PERSONS_PER_HOUSEHOLD
            )
    assert "Токтогул" not in counts
    assert 3450 <= sum(counts.values()) <= 3600


def test_every_truth_row_is_a_house_of_the_osm(
    osm_elements: list[tuple[str, int, dict[str, str], tuple[float, float] | None]],
) -> None:
    street_names = {t["name"] for _, _, t, _ in osm_elements if "highway" in t and "name" in t}
    addresses = {
        (t["addr:city"], t["addr:street"], t["addr:housenumber"])
        for _, _, t, _ in osm_elements
        if "addr:housenumber" in t
    }
    truth = _read_csv(AREA / "households_truth.csv")
    for row in truth:
        assert row["street"] in street_names, row
        assert (row["village"], row["street"], row["house"]) in addresses, row


def test_register_is_typed_like_a_clerk_with_known_truth() -> None:
    with (AREA / "households.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [
        "№",
        "Село",
        "Улица",
        "Дом",
        "ФИО главы семьи",
        "Кол-во членов семьи",
        "Широта",
        "Долгота",
    ]
    register = _read_csv(AREA / "households.csv")
    truth = {row["№"]: row for row in _read_csv(AREA / "households_truth.csv")}
    assert len(register) == len(truth)
    messy = [
        r
        for r in register
        if (r["Село"], r["Улица"]) != (truth[r["№"]]["village"], truth[r["№"]]["street"])
    ]
    assert len(messy) >= 400
    members = [int(r["Кол-во членов семьи"]) for r in register]
    assert min(members) >= 1 and max(members) <= 11
    assert 4.4 <= sum(members) / len(members) <= 5.0
    with_coords = [r for r in register if r["Широта"]]
    assert 0.08 <= len(with_coords) / len(register) <= 0.12
    swapped = [r for r in with_coords if truth[r["№"]]["coordinates"] == "swapped"]
    assert swapped and all(float(r["Широта"]) > 70 for r in swapped)
    for r in with_coords:
        t = truth[r["№"]]
        if t["coordinates"] == "ok":
            dlat = (float(r["Широта"]) - float(t["lat"])) * 111_000
            dlon = (float(r["Долгота"]) - float(t["lon"])) * 111_000 * math.cos(math.radians(41.9))
            assert math.hypot(dlat, dlon) < 30
    unlocatable = [t for t in truth.values() if t["locatable"] == "False"]
    assert 0.005 <= len(unlocatable) / len(truth) <= 0.02


def test_containers_list_communal_sites() -> None:
    with (AREA / "containers.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [
        "name",
        "village",
        "kind",
        "lat",
        "lon",
        "volume_m3",
        "count",
        "fill_rate",
        "collections_per_week",
    ]
    rows = _read_csv(AREA / "containers.csv")
    assert 10 <= len(rows) <= 16
    assert {r["kind"] for r in rows} == {"school", "clinic", "market"}
    assert all(0 < float(r["fill_rate"]) <= 1 and float(r["volume_m3"]) > 0 for r in rows)


def test_depot_garage_is_set_back_from_the_road(graph: nx.MultiDiGraph) -> None:
    area_readme = (AREA / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in area_readme and "assumption" in area_readme
    line = next(x for x in area_readme.splitlines() if x.startswith("- Depot"))
    lat, lon = (float(v) for v in line.split(":")[1].split(","))
    road_nodes = {u for u, v, d in graph.edges(data=True) if d.get("highway") in TRUCK_HIGHWAYS}
    nearest = min(
        math.hypot((graph.nodes[n]["y"] - lat) * 111_000, (graph.nodes[n]["x"] - lon) * 82_700)
        for n in road_nodes
    )
    assert 15 < nearest < 150


def test_committed_files_match_the_generator_for_the_default_seed(tmp_path: Path) -> None:
    places = _places()
    synthetic.generate(tmp_path, seed=synthetic.DEFAULT_SEED, places=places)
    for name in FILES:
        assert _sha(tmp_path / name) == _sha(AREA / name), (
            f"{name} differs: rerun python -m routing.synthetic"
        )


def test_a_village_ten_times_its_size_generates_with_unique_street_names(tmp_path: Path) -> None:
    area = synthetic.generate(tmp_path, seed=3, places=_places(), scale=10, villages=["Terek-Suu"])
    assert area.households == round(4520 / 4.7 * 10)
    truth = _read_csv(area.files["truth"])
    streets = {row["street"] for row in truth}
    assert len(streets) > 38  # more than the table of names: numbered names took over
    assert any(s.startswith("2-") for s in streets)
