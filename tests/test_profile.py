"""The truck profile: which ways a garbage truck may use and how fast it drives them."""

from __future__ import annotations

import pytest

from routing.profile import (
    DEFAULT_SPEEDS_KMH,
    TruckProfile,
    parse_length_m,
    parse_speed_kmh,
    parse_weight_t,
)

TRUCK = TruckProfile(weight_t=16.0, width_m=2.55, height_m=3.6)


@pytest.mark.parametrize(
    "highway",
    [
        "footway",
        "path",
        "steps",
        "cycleway",
        "pedestrian",
        "bridleway",
        "corridor",
        "proposed",
        "construction",
    ],
)
def test_ways_for_people_not_trucks_are_refused(highway: str) -> None:
    assert not TRUCK.usable({"highway": highway})
    assert "not driven by trucks" in (TRUCK.refusal({"highway": highway}) or "")


@pytest.mark.parametrize("highway", ["residential", "track", "service", "primary", "unclassified"])
def test_ordinary_roads_are_usable(highway: str) -> None:
    assert TRUCK.usable({"highway": highway})


def test_a_way_without_highway_tag_is_not_a_road() -> None:
    assert not TRUCK.usable({"building": "yes"})


@pytest.mark.parametrize("key", ["access", "motor_vehicle", "vehicle", "hgv"])
@pytest.mark.parametrize("value", ["no", "private"])
def test_access_no_or_private_shuts_the_truck_out(key: str, value: str) -> None:
    assert not TRUCK.usable({"highway": "residential", key: value})


def test_the_most_specific_access_tag_decides() -> None:
    assert TRUCK.usable({"highway": "track", "access": "no", "motor_vehicle": "yes"})
    assert not TRUCK.usable({"highway": "track", "access": "yes", "motor_vehicle": "no"})
    assert TRUCK.usable({"highway": "service", "access": "private", "hgv": "destination"})


def test_agricultural_only_tracks_are_refused() -> None:
    assert not TRUCK.usable({"highway": "track", "motor_vehicle": "agricultural;forestry"})


@pytest.mark.parametrize(
    ("tags", "usable"),
    [
        ({"maxweight": "3.5 t"}, False),
        ({"maxweight": "7500 kg"}, False),
        ({"maxweight": "12"}, False),
        ({"maxweight": "20"}, True),
        ({"maxweight": "none"}, True),
        ({"maxwidth": "2.5 m"}, False),
        ({"maxwidth": "7'6\""}, False),
        ({"maxwidth": "3"}, True),
        ({"maxheight": "3.2"}, False),
        ({"maxheight": "12'"}, True),
        ({"maxheight": "default"}, True),
    ],
)
def test_limits_below_the_truck_are_refused(tags: dict[str, str], usable: bool) -> None:
    assert TRUCK.usable({"highway": "residential", **tags}) is usable


def test_a_lighter_truck_passes_a_weight_limit_the_heavy_one_does_not() -> None:
    small = TruckProfile(weight_t=3.0, width_m=2.0, height_m=2.5)
    tags = {"highway": "residential", "maxweight": "3.5 t", "maxwidth": "2.2", "maxheight": "2.8"}
    assert small.usable(tags)
    assert not TRUCK.usable(tags)


@pytest.mark.parametrize(
    ("text", "tonnes"),
    [("3.5", 3.5), ("3,5 t", 3.5), ("7500 kg", 7.5), ("10 st", 9.0718474), ("none", None)],
)
def test_weights_are_read_in_tonnes(text: str, tonnes: float | None) -> None:
    assert parse_weight_t(text) == (pytest.approx(tonnes) if tonnes is not None else None)


@pytest.mark.parametrize(
    ("text", "metres"),
    [("2.5", 2.5), ("2.5 m", 2.5), ("250 cm", 2.5), ("7'6\"", 2.286), ("8 ft", 2.4384)],
)
def test_widths_and_heights_are_read_in_metres(text: str, metres: float) -> None:
    assert parse_length_m(text) == pytest.approx(metres)


def test_speeds_are_read_in_kmh() -> None:
    assert parse_speed_kmh("50") == 50
    assert parse_speed_kmh("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_speed_kmh("walk") is None


def test_speed_follows_highway_type() -> None:
    assert TRUCK.speed_kmh({"highway": "primary"}) > TRUCK.speed_kmh({"highway": "residential"})
    assert TRUCK.speed_kmh({"highway": "residential"}) == DEFAULT_SPEEDS_KMH["residential"]


@pytest.mark.parametrize("surface", ["unpaved", "gravel", "dirt", "ground"])
def test_unpaved_surfaces_are_much_slower(surface: str) -> None:
    paved = TRUCK.speed_kmh({"highway": "track", "surface": "asphalt"})
    assert TRUCK.speed_kmh({"highway": "track", "surface": surface}) <= 0.6 * paved


def test_maxspeed_caps_the_speed() -> None:
    assert TRUCK.speed_kmh({"highway": "primary", "maxspeed": "30"}) == 30


def test_collecting_is_slower_than_driving_and_never_faster() -> None:
    tags = {"highway": "residential"}
    assert TRUCK.collect_speed(tags) == TRUCK.collect_speed_kmh < TRUCK.speed_kmh(tags)
    crawl = {"highway": "track", "surface": "mud"}  # 15 * 0.3 = 4.5 km/h
    assert TRUCK.collect_speed(crawl) == TRUCK.speed_kmh(crawl) < TRUCK.collect_speed_kmh


def test_scenario_overrides_merge_into_the_defaults() -> None:
    p = TruckProfile.from_mapping(
        {"weight_t": 12, "speeds_kmh": {"track": 10}, "surface_factor": {"gravel": 0.3}},
        where="scenario.toml [truck]",
    )
    assert p.weight_t == 12.0
    assert p.speeds_kmh["track"] == 10.0
    assert p.speeds_kmh["residential"] == DEFAULT_SPEEDS_KMH["residential"]
    assert p.surface_factor["gravel"] == 0.3


def test_unknown_key_names_where_the_key_and_what_is_allowed() -> None:
    with pytest.raises(ValueError, match=r"scenario.toml \[truck\].*'weigth_t'.*weight_t"):
        TruckProfile.from_mapping({"weigth_t": 12}, where="scenario.toml [truck]")


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        ({"weight_t": -1}, "weight_t.*positive number"),
        ({"width_m": "wide"}, "width_m.*positive number"),
        ({"uturn_penalty_s": -5}, "uturn_penalty_s.*>= 0"),
        ({"speeds_kmh": {"footway": 5}}, "speeds_kmh.footway.*never driven"),
        ({"speeds_kmh": {"track": 0}}, "speeds_kmh.track.*positive"),
        ({"speeds_kmh": 30}, "speeds_kmh must be a table"),
        ({"surface_factor": {"gravel": 2}}, r"surface_factor.gravel.*\(0, 1\]"),
    ],
)
def test_bad_values_are_refused_with_the_key(overrides: dict, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern) as err:
        TruckProfile.from_mapping(overrides, where="fleet.toml")
    assert "fleet.toml" in str(err.value)


def test_cache_key_changes_with_any_setting() -> None:
    base = TruckProfile()
    assert base.cache_key() == TruckProfile().cache_key()
    assert base.cache_key() != TruckProfile(weight_t=10).cache_key()
    faster = TruckProfile.from_mapping({"speeds_kmh": {"track": 20}}, where="t")
    assert base.cache_key() != faster.cache_key()


def test_a_vehicle_may_ban_road_types_and_be_allowed_access() -> None:
    from routing.profile import TruckProfile, union_profile

    base = TruckProfile.from_mapping({"banned_highways": ["track"]}, where="t")
    assert base.refusal({"highway": "track"}) == "highway=track is banned for this vehicle"
    tractor = base.for_vehicle(weight_t=7, roads_allowed=["track"], access_allowed=["agricultural"])
    assert tractor.usable({"highway": "track", "access": "agricultural"})
    assert not base.usable({"highway": "residential", "access": "agricultural"})
    compactor = TruckProfile().for_vehicle(weight_t=18, roads_banned=["track", "service"])
    assert not compactor.usable({"highway": "service"})
    assert compactor.cache_key() != tractor.cache_key() != TruckProfile().cache_key()
    both = union_profile([compactor, tractor])
    assert both.usable({"highway": "track", "access": "agricultural"})
    assert both.weight_t == 7 and not both.banned_highways
    with pytest.raises(ValueError, match=r"footway.*never driven"):
        TruckProfile.from_mapping({"banned_highways": ["footway"]}, where="t")
    with pytest.raises(ValueError, match=r"allowed_access.*'yes' is not allowed"):
        TruckProfile.from_mapping({"allowed_access": ["yes"]}, where="t")
    with pytest.raises(ValueError, match="expected a list of text"):
        TruckProfile.from_mapping({"banned_highways": "track"}, where="t")
