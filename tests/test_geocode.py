"""Offline geocoder: gazetteer from OSM, village-street-house matching, coordinates, corrections."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from routing.geocode import Gazetteer, geocode_households, read_corrections, write_geocoding_report
from tests.conftest import shared_file

# Two villages 3.3 km apart, both with a "Манас көчөсү"; Токтогул only in Терек-Суу, Ленин only in
# Чоң-Арык. On Манас in Терек-Суу the odd side has 1, 3, 7, 9 (5 missing), the even side 2, 4.
TEREK = (72.700, 41.880)
CHONG = (72.740, 41.880)
ODD_LAT, EVEN_LAT = 41.8803, 41.8797
ODD = {1: 72.6985, 3: 72.6990, 7: 72.7000, 9: 72.7005}


class _Osm:
    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.ways: list[str] = []
        self.next_id = 1

    def node(self, lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nid = self.next_id
        self.next_id += 1
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in (tags or {}).items())
        self.nodes.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}">{body}</node>')
        return nid

    def way(self, points: list[tuple[float, float]], tags: dict[str, str]) -> None:
        ids = [self.node(x, y) for x, y in points]
        if len(points) > 2 and points[0] == points[-1]:
            ids[-1] = ids[0]
        wid = self.next_id
        self.next_id += 1
        refs = "".join(f'<nd ref="{i}"/>' for i in ids)
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        self.ways.append(f'<way id="{wid}" version="1">{refs}{body}</way>')

    def write(self, path: Path) -> Path:
        text = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        text += "\n".join(self.nodes + self.ways) + "\n</osm>\n"
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture(scope="module")
def tiny_osm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    o = _Osm()
    o.node(*TEREK, {"place": "village", "name": "Терек-Суу", "name:en": "Terek-Suu"})
    o.node(*CHONG, {"place": "village", "name": "Чоң-Арык", "name:ru": "Чон-Арык",
                    "name:en": "Chong-Aryk"})  # fmt: skip
    street = {"highway": "residential", "name": "Манас көчөсү", "name:ru": "улица Манаса"}
    o.way([(72.698, 41.880), (72.702, 41.880)], street)
    o.way([(72.700, 41.880), (72.700, 41.883)], {"highway": "residential",
                                                 "name": "Токтогул көчөсү"})  # fmt: skip
    for n, lon in ODD.items():
        tags = {"addr:street": "Манас көчөсү", "addr:housenumber": str(n), "addr:city": "Терек-Суу"}
        if n == 9:  # a building outline instead of a node
            d = 0.00005
            ring = [(lon - d, ODD_LAT - d), (lon + d, ODD_LAT - d), (lon + d, ODD_LAT + d),
                    (lon - d, ODD_LAT + d), (lon - d, ODD_LAT - d)]  # fmt: skip
            o.way(ring, {"building": "house", **tags})
        else:
            o.node(lon, ODD_LAT, tags)
    for n, lon in {2: 72.6986, 4: 72.6991}.items():
        o.node(lon, EVEN_LAT, {"addr:street": "Манас көчөсү", "addr:housenumber": str(n)})
    # A lane of the same name beside the street: "Манас тыкыры" / "переулок Манаса", houses 1, 2.
    o.way([(72.702, 41.880), (72.702, 41.878)], {"highway": "residential",
                                                 "name": "Манас тыкыры",
                                                 "name:ru": "переулок Манаса"})  # fmt: skip
    for n, lon in {1: 72.7023, 2: 72.7017}.items():
        o.node(lon, 41.8790, {"addr:street": "Манас тыкыры", "addr:housenumber": str(n),
                              "addr:city": "Терек-Суу"})  # fmt: skip
    for n, lat in {1: 41.8815, 2: 41.8820}.items():
        o.node(72.7003, lat, {"addr:street": "Токтогул көчөсү", "addr:housenumber": str(n)})
    # Чоң-Арык: its own Манас and Ленин, addresses without any area tag (nearest place decides).
    o.way([(72.738, 41.880), (72.742, 41.880)], street)
    o.way([(72.740, 41.880), (72.740, 41.877)], {"highway": "residential", "name": "Ленин көчөсү",
                                                 "name:ru": "улица Ленина"})  # fmt: skip
    for n, lon in {1: 72.7385, 3: 72.7390, 5: 72.7395}.items():
        o.node(lon, ODD_LAT, {"addr:street": "Манас көчөсү", "addr:housenumber": str(n)})
    for n, lat in {2: 41.8790, 4: 41.8785}.items():
        o.node(72.7402, lat, {"addr:street": "Ленин көчөсү", "addr:housenumber": str(n)})
    return o.write(tmp_path_factory.mktemp("osm") / "tiny.osm")


@pytest.fixture(scope="module")
def gaz(tiny_osm: Path) -> Gazetteer:
    return Gazetteer.from_osm(tiny_osm)


def _register(rows: list[tuple]) -> pd.DataFrame:  # type: ignore[type-arg]
    recs = []
    for i, r in enumerate(rows):
        village, street, house = r[:3]
        lat, lon = (r[3], r[4]) if len(r) > 3 else (math.nan, math.nan)
        recs.append(
            {"household_id": f"h{i + 1}", "source_row": i + 2, "village": village,
             "street": street, "house": house, "head": None, "members": 4, "lat": lat, "lon": lon}
        )  # fmt: skip
    return pd.DataFrame(recs)


def _one(gaz: Gazetteer, *row: object, **kw: object) -> pd.Series:
    return geocode_households(_register([row]), gaz, **kw).iloc[0]  # type: ignore[arg-type]


def test_exact_house_in_the_right_village(gaz: Gazetteer) -> None:
    r = _one(gaz, "с. Терек-Суу", "ул. Манаса", "3")
    assert (r.match_level, r.ok, r.matched_village, r.matched_street) == (
        "house", True, "Терек-Суу", "Манас көчөсү",
    )  # fmt: skip
    assert r.geometry.x == pytest.approx(ODD[3], abs=1e-6)
    assert r.geometry.y == pytest.approx(ODD_LAT, abs=1e-6)


def test_same_street_name_in_the_other_village_goes_there(gaz: Gazetteer) -> None:
    r = _one(gaz, "Чон-Арык", "Манас көч.", "3")
    assert (r.match_level, r.matched_village) == ("house", "Чоң-Арык")
    assert r.geometry.x == pytest.approx(72.7390, abs=1e-6)


def test_building_outline_gives_its_centre(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Манас көчөсү", "9")
    assert r.match_level == "house"
    assert r.geometry.x == pytest.approx(ODD[9], abs=1e-6)


def test_missing_number_is_interpolated_on_its_side(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Манас көчөсү", "5")
    assert r.match_level == "interpolated" and r.ok
    # Halfway between 3 and 7, on the odd (north) side.
    assert r.geometry.x == pytest.approx((ODD[3] + ODD[7]) / 2, abs=2e-5)
    assert r.geometry.y == pytest.approx(ODD_LAT, abs=2e-5)


def test_number_just_beyond_the_last_is_extended_along_the_street(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Манас көчөсү", "11")
    assert r.match_level == "interpolated"
    assert "beyond number 9" in r.note
    # 7 and 9 are 0.0005° apart: 11 continues the spacing, on the odd side.
    assert r.geometry.x == pytest.approx(ODD[9] + (ODD[9] - ODD[7]), abs=2e-5)
    assert r.geometry.y == pytest.approx(ODD_LAT, abs=2e-5)


def test_letter_suffix_falls_back_to_the_number(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Манас", "7а")
    assert r.match_level == "house"
    assert "7" in r.note
    assert r.geometry.x == pytest.approx(ODD[7], abs=1e-6)


def test_unknown_number_beyond_the_street_stays_at_street_level(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Манас көчөсү", "51")
    assert r.match_level == "street" and r.ok
    assert "51" in r.note


def test_lane_and_street_of_one_name_are_told_apart(gaz: Gazetteer) -> None:
    lane = _one(gaz, "Терек-Суу", "пер. Манаса", "1")
    assert (lane.match_level, lane.matched_street) == ("house", "Манас тыкыры")
    assert lane.geometry.x == pytest.approx(72.7023, abs=1e-6)
    assert _one(gaz, "Терек-Суу", "Манас тык.", "2").matched_street == "Манас тыкыры"
    assert _one(gaz, "Терек-Суу", "ул. Манаса", "1").matched_street == "Манас көчөсү"
    # Bare "Манас": the house number decides when only one of them has it ...
    assert _one(gaz, "Терек-Суу", "Манас", "7").matched_street == "Манас көчөсү"
    # ... and when both have it, the row is not guessed.
    both = _one(gaz, "Терек-Суу", "Манас", "1")
    assert both.match_level == "village" and not both.ok and "ambiguous" in both.reason


def test_street_of_another_village_is_never_matched(gaz: Gazetteer) -> None:
    # Токтогул exists only in Терек-Суу: in Чоң-Арык it must not be found.
    r = _one(gaz, "Чоң-Арык", "Токтогул көчөсү", "1")
    assert r.match_level == "village"
    assert not r.ok
    assert r.matched_street is None
    assert "Токтогул" in r.reason
    assert r.geometry.x == pytest.approx(CHONG[0], abs=1e-6)


def test_latin_spellings(gaz: Gazetteer) -> None:
    r = _one(gaz, "Chong-Aryk", "Lenin kochosu", "4")
    assert (r.match_level, r.matched_village, r.matched_street) == (
        "house", "Чоң-Арык", "Ленин көчөсү",
    )  # fmt: skip


def test_misspelt_street_is_matched(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Токтоғулл", "2")
    assert (r.match_level, r.matched_street) == ("house", "Токтогул көчөсү")


def test_unknown_village_is_unmatched_with_reason(gaz: Gazetteer) -> None:
    r = _one(gaz, "Бишкек", "Манас", "3")
    assert r.match_level is None and not r.ok and r.geometry is None
    assert "Бишкек" in r.reason


def test_without_village_only_an_unambiguous_street_matches(gaz: Gazetteer) -> None:
    out = geocode_households(_register([(None, "ул. Ленина", "2"), (None, "Манас", "3")]), gaz)
    assert out.iloc[0].match_level == "house"
    assert out.iloc[0].matched_village == "Чоң-Арык"
    assert out.iloc[1].match_level is None
    assert "several" in out.iloc[1].reason


def test_given_coordinates_win(gaz: Gazetteer) -> None:
    r = _one(gaz, "с. Терек-Суу", "Манас", "3", 41.8811, 72.7011)
    assert r.match_level == "coordinates"
    assert (r.geometry.x, r.geometry.y) == pytest.approx((72.7011, 41.8811))
    assert r.matched_village == "Терек-Суу"  # the village as the gazetteer spells it
    near = _one(gaz, None, None, None, 41.8801, 72.7395)
    assert (near.match_level, near.matched_village) == ("coordinates", "Чоң-Арык")
    # A point in Чоң-Арык written as Терек-Суу (3.3 km away) is kept but reported.
    far = _one(gaz, "Терек-Суу", "Манас", "3", 41.8801, 72.7395)
    assert far.match_level == "coordinates" and "km from Терек-Суу" in far.note


def test_swapped_coordinates_are_corrected_with_a_note(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Манас", "3", 72.7011, 41.8811)
    assert r.match_level == "coordinates"
    assert (r.geometry.x, r.geometry.y) == pytest.approx((72.7011, 41.8811))
    assert "swapped" in r.note


def test_coordinates_outside_the_service_area_fall_back_to_the_address(gaz: Gazetteer) -> None:
    r = _one(gaz, "Терек-Суу", "Манас", "3", 42.87, 74.59)  # Bishkek
    assert r.match_level == "house"
    assert "outside the service area" in r.note
    assert r.geometry.x == pytest.approx(ODD[3], abs=1e-6)


def test_corrections_file_is_applied(gaz: Gazetteer, tmp_path: Path) -> None:
    reg = _register([("Терек-Суу", "Жаңы көчө", "1"), ("Терек-Суу", "Абдыкадыров", "8")])
    first = geocode_households(reg, gaz)
    assert not first["ok"].any()
    corr = tmp_path / "corrections.csv"
    corr.write_text(
        "source_row,household_id,lat,lon,street\n2,,41.8812,72.7012,\n,h2,,,Токтогул\n",
        encoding="utf-8",
    )
    second = geocode_households(reg, gaz, corrections=read_corrections(corr))
    a, b = second.iloc[0], second.iloc[1]
    assert a.match_level == "coordinates" and a.ok and "corrected by hand" in a.note
    assert (a.geometry.x, a.geometry.y) == pytest.approx((72.7012, 41.8812))
    assert b.matched_street == "Токтогул көчөсү" and b.ok and "corrected by hand" in b.note


def test_corrections_errors_name_row(tmp_path: Path) -> None:
    corr = tmp_path / "c.csv"
    corr.write_text("source_row,lat,lon\n2,41.88,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        read_corrections(corr)


def test_report_lists_every_row_below_house_level(gaz: Gazetteer, tmp_path: Path) -> None:
    reg = _register(
        [
            ("Терек-Суу", "Манас", "3"),  # house: not listed
            ("Терек-Суу", "Манас", "5"),  # interpolated
            ("Терек-Суу", "Нет такой", "1"),  # village level
            ("Бишкек", "Манас", "1"),  # unmatched
            ("Терек-Суу", "Манас", "3", 72.7011, 41.8811),  # swapped coordinates: listed too
        ]
    )
    out = geocode_households(reg, gaz)
    n = write_geocoding_report(out, tmp_path / "report.csv")
    rep = pd.read_csv(tmp_path / "report.csv")
    assert n == 4
    assert rep["source_row"].tolist() == [3, 4, 5, 6]
    assert "swapped" in rep["why"].iloc[3]
    assert rep["why"].notna().all()
    assert "Бишкек" in rep["why"].iloc[2]
    assert (tmp_path / "report.geojson").exists()


def test_gazetteer_cache_is_reused(tiny_osm: Path, tmp_path: Path) -> None:
    a = Gazetteer.from_osm(tiny_osm, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.pickle"))
    assert len(files) == 1
    b = Gazetteer.from_osm(tiny_osm, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(a.street_table(), b.street_table())


def test_offline_by_default_makes_no_request(
    gaz: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    r = _one(gaz, "Бишкек", "Манас", "3")
    assert r.match_level is None


def _bavaria_houses(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """Independent reading of the addressed objects (ElementTree, not osmium)."""
    root = ET.parse(path).getroot()
    loc = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}  # type: ignore[arg-type]
    out = {}
    for el in list(root.iter("node")) + list(root.iter("way")):
        tags = {t.get("k"): t.get("v") for t in el.iter("tag")}
        if "addr:housenumber" in tags and "addr:street" in tags:
            if el.tag == "node":
                pts = [loc[el.get("id")]]
            else:
                refs = [nd.get("ref") for nd in el.iter("nd")]
                if len(refs) > 1 and refs[0] == refs[-1]:
                    refs = refs[:-1]  # closed outline: the first corner once
                pts = [loc[r] for r in refs if r in loc]
            if not pts:
                continue
            x = sum(p[0] for p in pts) / len(pts)
            y = sum(p[1] for p in pts) / len(pts)
            out[(tags["addr:street"], tags["addr:housenumber"])] = (x, y)  # type: ignore[index]
    return out


def test_real_addresses_of_a_bavarian_village() -> None:
    path = shared_file("data", "osm", "bavaria-village-small.osm")
    houses = _bavaria_houses(path)
    g = Gazetteer.from_osm(path)
    reg = _register(
        [
            ("Kirchberg an der Iller", "Haydnstr.", "5"),
            ("Kirchberg an der Iller", "Goethe Strasse", "12"),
            ("Kirchberg an der Iller", "Haydnstraße", "3a"),
            ("Kirchberg an der Iller", "Goethestraße", "14"),
        ]
    )
    out = geocode_households(reg, g)
    assert out["match_level"].tolist() == ["house", "house", "house", "interpolated"]
    for i, key in enumerate([("Haydnstraße", "5"), ("Goethestraße", "12"), ("Haydnstraße", "3")]):
        x, y = houses[key]
        assert out.geometry.iloc[i].x == pytest.approx(x, abs=1e-6)
        assert out.geometry.iloc[i].y == pytest.approx(y, abs=1e-6)
    # 14 has no even neighbour above it: placed between its odd neighbours 13 and 15.
    assert out.iloc[3].matched_street == "Goethestraße"
    (x13, y13), (x15, y15) = houses[("Goethestraße", "13")], houses[("Goethestraße", "15")]
    p = out.geometry.iloc[3]
    assert min(x13, x15) - 1e-5 <= p.x <= max(x13, x15) + 1e-5
    assert min(y13, y15) - 1e-5 <= p.y <= max(y13, y15) + 1e-5


def test_nominatim_lookup_identifies_itself_waits_and_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The online lookup, exercised against a stand-in for the HTTP call (no network)."""
    import io
    import json
    import urllib.request

    import routing.geocode as gc

    calls: list[urllib.request.Request] = []
    sleeps: list[float] = []

    def fake_urlopen(req: urllib.request.Request, timeout: float) -> io.BytesIO:
        calls.append(req)
        body = [{"lat": "41.88", "lon": "72.70", "type": "house"}]
        return io.BytesIO(json.dumps(body).encode())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    monkeypatch.setattr(gc.time, "sleep", lambda s: sleeps.append(s))
    gc._LAST_REQUEST[0] = gc.time.monotonic()  # a request was just made
    a = gc.nominatim_lookup("Манас 3, Терек-Суу", user_agent="taza-test/1", cache_dir=tmp_path)
    assert a is not None and a["lat"] == "41.88"
    assert calls[0].get_header("User-agent") == "taza-test/1"
    assert sleeps and 0 < sleeps[0] <= 1.0  # waited for the 1 request/second policy
    b = gc.nominatim_lookup("Манас 3, Терек-Суу", user_agent="taza-test/1", cache_dir=tmp_path)
    assert b == a and len(calls) == 1  # second answer from the disk cache
    with pytest.raises(ValueError, match="User-Agent"):
        gc.nominatim_lookup("x", user_agent=" ")


def test_embedded_register_is_located_without_a_wrong_street(repo: Path) -> None:
    """The shipped synthetic register against its ground truth: no row on a wrong street."""
    osm = repo / "data" / "taza-aimak" / "taza-aimak.osm"
    reg_path = repo / "data" / "taza-aimak" / "households.csv"
    truth_path = repo / "data" / "taza-aimak" / "households_truth.csv"
    if not (osm.exists() and reg_path.exists() and truth_path.exists()):
        pytest.skip("embedded Taza Aimak data absent")
    from routing.register import read_households

    out = geocode_households(read_households(reg_path), Gazetteer.from_osm(osm))
    truth = pd.read_csv(truth_path, dtype={"house": str})
    t = truth.set_index(truth["№"].astype(str)).loc[out["household_id"]]
    named = out["match_level"].isin(["house", "interpolated", "street"]).to_numpy()
    same = (out["matched_village"].to_numpy() == t["village"].to_numpy()) & (
        out["matched_street"].to_numpy() == t["street"].to_numpy()
    )
    assert not (named & ~same).any(), out.loc[named & ~same, ["source_row", "street"]].head()
    by_coords = (out["match_level"] == "coordinates").to_numpy()
    assert (named & same | by_coords).mean() >= 0.98


def test_two_villages_of_one_name_are_kept_apart(tmp_path: Path) -> None:
    o = _Osm()
    west, east = (72.60, 41.90), (72.90, 41.90)  # 25 km apart, both "Ак-Суу"
    for lon, lat in (west, east):
        o.node(lon, lat, {"place": "village", "name": "Ак-Суу"})
        o.way([(lon - 0.002, lat), (lon + 0.002, lat)], {"highway": "residential",
                                                         "name": "Манас көчөсү"})  # fmt: skip
        o.node(lon + 0.001, lat + 0.0003, {"addr:street": "Манас көчөсү", "addr:housenumber": "1",
                                           "addr:city": "Ак-Суу"})  # fmt: skip
    g = Gazetteer.from_osm(o.write(tmp_path / "twins.osm"))
    table = g.street_table()
    assert len(table) == 2 and (table["houses"] == 1).all()
    assert table["village"].nunique() == 2  # each house went to its own Ак-Суу
    r = _one(g, "Ак-Суу", "Манас", "1")
    assert r.match_level is None and not r.ok
    assert "ambiguous" in r.reason


def test_a_hand_made_frame_with_nan_and_numbers_is_accepted(gaz: Gazetteer) -> None:
    reg = _register([("Терек-Суу", "Манас көчөсү", "3"), (None, None, None)])
    reg["house"] = pd.Series([3.0, math.nan], dtype=float)  # spreadsheet numbers
    reg["village"] = pd.Series(["Терек-Суу", math.nan], dtype=object)
    reg["street"] = pd.Series(["Манас көчөсү", math.nan], dtype=object)
    out = geocode_households(reg, gaz)
    assert out.iloc[0].match_level == "house"
    assert out.iloc[1].match_level is None and "no address" in out.iloc[1].reason


def test_real_compressed_and_pbf_extracts_build_a_gazetteer() -> None:
    bz2 = shared_file("data", "osm", "north-bayreuth-clip-landfill.osm.bz2")
    g = Gazetteer.from_osm(bz2)
    # Addresses of the hamlet Theta carry addr:city=Bindlach: found under either name.
    for village in ("Theta", "Bindlach"):
        r = _one(g, village, "Theta", "11")
        assert (r.match_level, r.matched_street) == ("house", "Theta")
    pbf = shared_file("data", "osm", "liechtenstein-2013-08-03.osm.pbf")
    table = Gazetteer.from_osm(pbf).street_table()
    assert table["houses"].sum() > 100
    assert "Schaan" in set(table["village"])


def test_a_place_mapped_as_node_and_area_is_one_village(tmp_path: Path) -> None:
    o = _Osm()
    o.node(72.700, 41.880, {"place": "village", "name": "Ак-Суу"})
    d = 0.004
    ring = [(72.700 - d, 41.880 - d), (72.700 + d, 41.880 - d), (72.700 + d, 41.880 + d),
            (72.700 - d, 41.880 + d), (72.700 - d, 41.880 - d)]  # fmt: skip
    o.way(ring, {"place": "village", "name": "Ак-Суу", "landuse": "residential"})
    o.way([(72.698, 41.880), (72.702, 41.880)], {"highway": "residential", "name": "Манас көчөсү"})
    o.node(72.701, 41.8803, {"addr:street": "Манас көчөсү", "addr:housenumber": "1"})
    g = Gazetteer.from_osm(o.write(tmp_path / "twice.osm"))
    assert list(g.villages) == ["Ак-Суу"]
    r = _one(g, "Ак-Суу", "Манас", "1")
    assert (r.match_level, r.matched_village) == ("house", "Ак-Суу")


def test_alias_file_maps_a_renamed_street(gaz: Gazetteer, tmp_path: Path) -> None:
    from routing.geocode import read_aliases

    f = tmp_path / "aliases.csv"
    f.write_text("written;on the map\nул. Ленина;Манас көчөсү\n", encoding="utf-8")
    aliases = read_aliases(f)
    assert aliases == {"ул. Ленина": "Манас көчөсү"}
    reg = _register([("Терек-Суу", "ул. Ленина", "3")])
    assert geocode_households(reg, gaz)["matched_street"].iloc[0] is None
    out = geocode_households(reg, gaz, aliases=aliases)
    assert out["matched_street"].iloc[0] == "Манас көчөсү"


def test_alias_file_rows_need_both_names(tmp_path: Path) -> None:
    from routing.errors import InputError
    from routing.geocode import read_aliases

    f = tmp_path / "aliases.csv"
    f.write_text("written;on the map\nул. Ленина;\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, field 'on the map'"):
        read_aliases(f)


def test_report_offers_alias_lines(gaz: Gazetteer, tmp_path: Path) -> None:
    reg = _register([("Терек-Суу", "Нет такой", "1"), ("Терек-Суу", "Нет такой", "2")])
    out = geocode_households(reg, gaz)
    write_geocoding_report(out, tmp_path / "report.csv")
    lines = pd.read_csv(tmp_path / "report-aliases.csv")
    assert lines["written"].tolist() == ["Нет такой"]
    assert lines["rows"].tolist() == [2]


def test_geocode_command_writes_the_report_and_alias_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from routing.cli import main

    data = Path(__file__).resolve().parents[1] / "data" / "taza-aimak"
    lines = (data / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    text = (data / "scenario.toml").read_text(encoding="utf-8")
    for f in data.iterdir():  # every file the scenario names, but the register
        if f.name != "households.csv":
            text = text.replace(f'"{f.name}"', f'"{f.as_posix()}"')
    (tmp_path / "households.csv").write_text(
        "\n".join([*lines[:40], "999,Терек-Суу,Нет такой көчөсү,1,,3,,"]) + "\n", encoding="utf-8"
    )
    (tmp_path / "scenario.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "report.csv"
    args = ["geocode", str(tmp_path / "scenario.toml"), "-o", str(out)]
    assert main([*args, "--language", "ru"]) == 0  # the line and the report in the one asked
    assert "40 строк" in capsys.readouterr().out
    assert "не найдена" in " ".join(pd.read_csv(out)["why"].dropna())
    assert main(args) == 0
    printed = capsys.readouterr().out  # in the scenario's language (ky)
    assert "40 сап" in printed and "rows" not in printed
    report = pd.read_csv(out)
    assert "Нет такой көчөсү" in set(report["street"])
    why = report.loc[report["street"] == "Нет такой көчөсү", "why"].iloc[0]
    assert (
        why == "Терек-Суу айылында 'Нет такой көчөсү' көчөсү табылган жок; айылдын борборуна коюлду"
    )
    assert set(report["match_level"]) <= {
        "coordinates",
        "house",
        "interpolated",
        "street",
        "village",
    }
    assert "Нет такой көчөсү" in set(pd.read_csv(tmp_path / "report-aliases.csv")["written"])


def test_report_lists_house_numbers_recovered_from_dates(gaz: Gazetteer, tmp_path: Path) -> None:
    reg = _register([("Терек-Суу", "Манас", "3")])
    reg["house_note"] = ["house number '2026-01-03' was a date made by a spreadsheet; read as 3/1"]
    out = geocode_households(reg, gaz)
    assert out["note"].iloc[0].startswith("house number '2026-01-03'")
    assert write_geocoding_report(out, tmp_path / "r.csv") == 1


def test_names_typed_with_the_wrong_keyboard_layout(gaz: Gazetteer) -> None:
    # "Терек-Суу", "Токтогул көчөсү" typed on the Russian layout's keys while Latin was on
    r = _one(gaz, "Nthtr-Ceee", "Njrnjuek rjxjce", "2")
    assert (r.match_level, r.matched_village, r.matched_street) == (
        "house", "Терек-Суу", "Токтогул көчөсү",
    )  # fmt: skip
    # a garbled name that no reading places stays for a person
    assert _one(gaz, "Терек-Суу", "Qwerty", "2").match_level == "village"


def test_report_speaks_the_language_asked(gaz: Gazetteer, tmp_path: Path) -> None:
    reg = _register([("Терек-Суу", "Нет такой", "1"), ("Бишкек", "Манас", "1"),
                     ("Терек-Суу", "Манас", "3", 72.7011, 41.8811)])  # fmt: skip
    out = geocode_households(reg, gaz)
    assert "not found" in out["reason"].iloc[0]  # the data keep the English text
    for lang, words in (("ru", ("не найдена", "не найдено", "перепутаны")),
                        ("ky", ("табылган жок", "табылган жок", "алмашып"))):  # fmt: skip
        write_geocoding_report(out, tmp_path / f"{lang}.csv", language=lang)
        why = pd.read_csv(tmp_path / f"{lang}.csv")["why"].tolist()
        assert all(w in text for w, text in zip(words, why, strict=True)), why
        assert "'Нет такой'" in why[0] and "'Бишкек'" in why[1]  # names kept as written


def test_every_geocoder_message_is_in_the_catalogues() -> None:
    from routing.geocode import MESSAGES
    from routing.i18n import messages

    for lang in ("ky", "ru", "en"):
        assert not set(MESSAGES) - set(messages(lang)), lang


def test_the_plan_output_holds_the_rows_to_fix(gaz: Gazetteer, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from routing.outputs import FORMATS, OutputOptions

    reg = _register([("Терек-Суу", "Манас", "3"), ("Терек-Суу", "Нет такой", "1")])
    households = geocode_households(reg, gaz)
    plan = SimpleNamespace(scenario=SimpleNamespace(households=Path("register.csv")),
                           households=households)  # fmt: skip
    written = FORMATS["geocoding"].writer(plan, tmp_path, OutputOptions(language="ru"))  # type: ignore[arg-type]
    assert {p.name for p in written} == set(FORMATS["geocoding"].owns)
    rep = pd.read_csv(tmp_path / "geocoding.csv")
    assert rep["street"].tolist() == ["Нет такой"]
    assert "не найдена в селе Терек-Суу" in rep["why"].iloc[0]
    # households estimated from buildings: no register, nothing to fix, nothing written
    plan.scenario.households = None
    assert FORMATS["geocoding"].writer(plan, tmp_path / "est", OutputOptions(language="ru")) == []  # type: ignore[arg-type]
