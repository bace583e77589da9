"""The cost model, checked by hand on a tiny week: two streets, one truck, prices that make easy sums.

The week has one vehicle-day: 20 km, 08:00 to 17:00 (9 h, one hour past a 16:00 shift end), two
collect stops (street A: 3 households, 600 kg; street B: 2 households, 400 kg), one landfill visit.
Prices: diesel 100 som/l, 10 l/100 km, 0.5 l per stop, 1 l per landfill visit, CO₂ 2.5 kg/l, a crew
of 2 at 100 som/h, overtime at twice the wage, maintenance 2 som/km, landfill 100 som/t, overheads
1,000 som/month, one property item of 12,000 som over one year (1,000 som/month), half of the
households pay a tariff of 100 som.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from routing.costs import (
    WEEKS_PER_MONTH,
    depreciation_per_month,
    key_figures,
    vehicle_day_cost,
    vehicle_spec,
)
from routing.network import RoadNetwork
from routing.plan import Plan, Stop, VehicleDay
from routing.scenario import PropertyItem, load_scenario

TINY = """
[scenario]
name = "Tiny"
language = "en"
week_start = 2026-11-30

[network]
source = "roads.osm"

[waste]
kg_per_person_day = 0.5
bulk_density_kg_m3 = 150

[depot]
name = "Garage"
lat = 42.0
lon = 73.0

[[landfill]]
name = "Tip"
lat = 42.01
lon = 73.01
fee_som_per_t = { value = 100, assumption = "easy sums" }

[[vehicle]]
name = "Truck"
capacity_kg = 5000
capacity_m3 = 20
shift_start = "08:00"
shift_end = "16:00"
crew = 2
fuel_l_per_100km = { value = 10, source = "test" }
fuel_l_per_stop = 0.5
fuel_l_per_landfill = 1
maintenance_som_per_km = 2

[[village]]
name = "Айыл"
aiyl_aimak = "A"
days = ["mon"]

[tariff]
A = 100

[costs]
diesel_som_per_l = { value = 100, source = "test" }
co2_kg_per_l = 2.5
wage_som_per_hour = 100
overtime_factor = 2
overhead_som_per_month = 1000
collection_rate = { value = 0.5, assumption = "half pay" }

[[property]]
name = "Cart"
price_som = 12000
purchased = 2026-10-15
life_years = 1
assumption = "a test item"
"""
# local metres around (73.0, 42.0)
KX, KY = 111_320.0 * 0.7431448, 110_574.0


def _lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    return 73.0 + x_m / KX, 42.0 + y_m / KY


def _stop(kind: str, seq: int, *, households: int = 0, kg: float = 0.0, label: str = "") -> Stop:
    return Stop(
        day="mon", vehicle="Truck", trip=0, sequence=seq, kind=kind,  # type: ignore[arg-type]
        point_id=f"p{seq}" if kind == "collect" else "", label=label, village="Айыл" if kind == "collect" else "",
        street="A" if seq == 1 else "B", households=households, sides="both", arrival_s=0.0, departure_s=0.0,
        demand_kg=kg, load_kg=0.0, load_m3=0.0, lon=73.0, lat=42.0, node=0, exit_node=0,
    )  # fmt: skip


def tiny_plan(tmp_path: Path, *, served: bool = True) -> Plan:
    """The tiny week described in the module docstring (or one where nobody is served)."""
    (tmp_path / "roads.osm").write_text("<osm/>", encoding="utf-8")
    (tmp_path / "scenario.toml").write_text(TINY, encoding="utf-8")
    sc = load_scenario(tmp_path / "scenario.toml")
    stops = [
        _stop("depot", 0, label="Garage"),
        _stop("collect", 1, households=3, kg=600),
        _stop("collect", 2, households=2, kg=400),
        _stop("landfill", 3, label="Tip"),
        _stop("depot", 4, label="Garage"),
    ]
    vd = VehicleDay(
        day="mon", date="2026-11-30", vehicle="Truck", vehicle_kind="truck", driver="", stops=stops,
        trips=[LineString([(73.0, 42.0), (73.01, 42.01)])], node_path=[0, 1, 0], km=20.0, hours=9.0,
        landfill_trips=1, load_kg=1000.0, load_m3=6.7, start_s=8 * 3600, end_s=17 * 3600,
    )  # fmt: skip
    # six households: five served, 100 m and 200 m east of a container at the origin; one not located
    xs = [100, 100, 100, 200, 200, 0]
    status = ["served"] * 5 + ["unserved"]
    if not served:
        status = ["unserved"] * 6
    hh = gpd.GeoDataFrame(
        {
            "household_id": [str(i) for i in range(6)],
            "village_spec": ["Айыл"] * 6,
            "status": status,
            "match_level": ["coordinates"] * 6,
            "reason": [None] * 5 + ["not located"] if served else ["off network"] * 6,
        },
        geometry=[Point(*_lonlat(x, 0)) for x in xs[:5]] + [None],
        crs=4326,
    )
    points = gpd.GeoDataFrame(
        {"point_id": ["c1"], "kind": ["container"]}, geometry=[Point(73.0, 42.0)], crs=4326
    )
    unserved = hh.loc[hh["status"] == "unserved", ["household_id", "reason"]].reset_index(drop=True)
    network = RoadNetwork(graph=nx.MultiDiGraph(crs="EPSG:32643"), crs="EPSG:32643", source="test")
    return Plan(
        scenario=sc, network=network, households=hh, points=points,
        vehicle_days=[vd] if served else [], unserved=pd.DataFrame(unserved), depot=(73.0, 42.0),
        landfills=[("Tip", 73.01, 42.01)], attribution="© OpenStreetMap contributors", synthetic=False,
    )  # fmt: skip


def test_every_figure_of_the_tiny_week_by_hand(tmp_path: Path) -> None:
    plan = tiny_plan(tmp_path)
    c = vehicle_day_cost(plan.vehicle_days[0], plan.scenario)
    assert c.fuel_l == pytest.approx(20 * 10 / 100 + 2 * 0.5 + 1 * 1)  # 4 l
    assert c.fuel == pytest.approx(400)
    assert c.overtime_hours == pytest.approx(1)
    assert c.wages == pytest.approx(2 * 100 * (9 + 1 * 1))  # 2,000: the hour past 16:00 paid twice
    assert c.maintenance == pytest.approx(40)
    assert c.tonnes == pytest.approx(1.0)
    assert c.landfill_fees == pytest.approx(100)
    k = key_figures(plan)
    t = k.total
    m = WEEKS_PER_MONTH
    assert (t.households_in, t.households_served, t.households_unserved) == (6, 5, 1)
    assert t.km_week == 20 and t.hours_week == 9 and t.landfill_trips_week == 1
    assert t.fuel_l_week == pytest.approx(4) and t.co2_kg_week == pytest.approx(10)
    assert t.costs_month == pytest.approx(
        {"fuel": 400 * m, "wages": 2000 * m, "maintenance": 40 * m, "landfill_fees": 100 * m,
         "depreciation": 1000, "overheads": 1000}
    )  # fmt: skip
    total = 2540 * m + 2000
    assert t.cost_month == pytest.approx(total)
    assert t.paying_households == pytest.approx(2.5)
    assert t.revenue_month == pytest.approx(250)
    assert t.cost_per_household_month == pytest.approx(total / 5)
    assert t.break_even_tariff == pytest.approx(total / 2.5)
    assert t.break_even_tariff_without_depreciation == pytest.approx((total - 1000) / 2.5)
    assert t.surplus_month == pytest.approx(250 - total)
    assert t.tariff == pytest.approx(100)
    assert t.coverage == pytest.approx(5 / 6)
    assert t.near_container_share == pytest.approx(
        3 / 5
    )  # the three at 100 m, not the two at 200 m
    assert (
        k.vehicles_used,
        k.vehicles_available,
        k.vehicle_days_used,
        k.vehicle_days_available,
    ) == (1, 1, 1, 1)
    assert k.hours_used_week == 9 and k.hours_available_week == 8
    # one aiyl aimak: its figures are the whole's
    (a,) = k.by_aimak
    assert a.name == "A" and a.cost_month == pytest.approx(total) and a.tariff == 100


def test_price_labels_and_assumptions_are_kept(tmp_path: Path) -> None:
    sc = tiny_plan(tmp_path).scenario
    assert sc.price_labels["costs.diesel_som_per_l"] == "source: test"
    assert sc.price_labels["costs.collection_rate"] == "assumption: half pay"
    assert sc.price_labels["costs.co2_kg_per_l"].startswith("assumption: given in")
    assert "costs.collection_rate = 0.5: half pay" in sc.assumptions
    assert any(a.startswith("property[Cart].price_som = 12,000") for a in sc.assumptions)


def test_a_scenario_nobody_can_be_served_in_has_no_cost_per_household(tmp_path: Path) -> None:
    k = key_figures(tiny_plan(tmp_path, served=False))
    assert not k.servable
    assert k.total.cost_per_household_month is None and k.total.break_even_tariff is None
    assert k.total.surplus_month is None and k.total.coverage == 0
    assert k.unserved_by_reason == {"off network": 6}


def test_depreciation_is_straight_line_from_the_month_after_purchase() -> None:
    item = PropertyItem(
        name="x", price_som=1300, purchased=dt.date(2026, 1, 20), life_months=12, salvage_som=100
    )
    assert depreciation_per_month([item], dt.date(2026, 1, 31)) == 0  # bought this month
    assert depreciation_per_month([item], dt.date(2026, 2, 1)) == pytest.approx(100)
    assert depreciation_per_month([item], dt.date(2027, 1, 15)) == pytest.approx(
        100
    )  # the 12th month
    assert depreciation_per_month([item], dt.date(2027, 2, 15)) == 0  # fully depreciated


def test_vehicle_labels_of_a_fleet_of_several_map_to_their_spec(tmp_path: Path) -> None:
    sc = tiny_plan(tmp_path).scenario
    assert vehicle_spec(sc, "Truck #2").name == "Truck"
    with pytest.raises(ValueError, match="not in the scenario's fleet"):
        vehicle_spec(sc, "Bus")
