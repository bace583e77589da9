"""What a plan costs and earns: the key figures a manager and the planners compare.

Method (every price from the scenario, see ``[costs]`` in ``data/taza-aimak/scenario.toml``):

- **fuel** per vehicle-day: ``km × fuel_l_per_100km / 100 + collect stops × fuel_l_per_stop +
  landfill visits × fuel_l_per_landfill`` litres at ``diesel_som_per_l``; **CO₂** is litres ×
  ``co2_kg_per_l``;
- **wages**: the crew of a vehicle is paid for the vehicle-day's hours (start to end at the depot,
  lunch included) at ``wage_som_per_hour`` each, and the hours beyond the shift
  (``shift_start``–``shift_end``) once more at ``overtime_factor - 1``;
- **maintenance**: ``km × maintenance_som_per_km``;
- **landfill fees**: each trip's collected tonnes × the ``fee_som_per_t`` of the landfill it unloads at;
- **depreciation**: straight-line per month over each property item's life, from the month after its
  purchase, down to its salvage value, for the month of ``[costs] as_of`` (default ``week_start``);
- **overheads**: ``overhead_som_per_month``.

A week's figures become a month's by ``WEEKS_PER_MONTH`` (52 / 12). **Revenue** is tariff ×
households served × ``collection_rate``; the **break-even tariff** is the month's cost divided by the
paying households (served × collection rate), with and without depreciation. Per aiyl aimak, a
vehicle-day's km, hours, fuel and costs are shared by the waste (kg) it collects in each, the fixed
costs (depreciation, overheads) by households served. Coverage is served ÷ households in; where the
plan has containers, the share of served households within ``NEAR_CONTAINER_M`` (straight line) of one.

A plan that serves nobody has no cost per household: :attr:`KeyFigures.servable` is False and the
per-household figures are ``None``, so a report says it cannot be served instead of printing a number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

if TYPE_CHECKING:
    from routing.plan import Plan, VehicleDay
    from routing.scenario import PropertyItem, Scenario, VehicleSpec

WEEKS_PER_MONTH = 52 / 12
NEAR_CONTAINER_M = 150.0
ALL = ""  # the key of the whole scenario among the aiyl aimaks
COST_ITEMS: tuple[str, ...] = (
    "fuel", "wages", "maintenance", "landfill_fees", "depreciation", "overheads",
)  # fmt: skip


@dataclass(frozen=True)
class VehicleDayCost:
    """One vehicle-day's work and variable cost (som)."""

    day: str
    vehicle: str
    km: float
    hours: float
    shift_hours: float
    overtime_hours: float
    stops: int
    landfill_trips: int
    tonnes: float
    fuel_l: float
    fuel: float
    wages: float
    maintenance: float
    landfill_fees: float
    kg_by_aimak: Mapping[str, float] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        """Variable cost of the vehicle-day."""
        return self.fuel + self.wages + self.maintenance + self.landfill_fees


@dataclass(frozen=True)
class AreaFigures:
    """Key figures of a scenario or one aiyl aimak; money in som, ``*_week`` and ``*_month``."""

    name: str
    households_in: int
    households_served: int
    households_unserved: int
    km_week: float
    hours_week: float
    landfill_trips_week: float
    fuel_l_week: float
    co2_kg_week: float
    costs_month: Mapping[str, float]
    tariff: float | None
    paying_households: float
    revenue_month: float
    cost_per_household_month: float | None
    break_even_tariff: float | None
    break_even_tariff_without_depreciation: float | None
    surplus_month: float | None
    coverage: float | None
    near_container_share: float | None

    @property
    def cost_month(self) -> float:
        """The month's total cost."""
        return sum(self.costs_month.values())

    def month(self, week_value: float) -> float:
        """A weekly figure per month."""
        return week_value * WEEKS_PER_MONTH


@dataclass(frozen=True)
class KeyFigures:
    """Everything the comparison report shows for one scenario."""

    scenario: str
    scenario_file: str
    servable: bool
    total: AreaFigures
    by_aimak: tuple[AreaFigures, ...]
    vehicle_days: tuple[VehicleDayCost, ...]
    vehicles_used: int
    vehicles_available: int
    vehicle_days_used: int
    vehicle_days_available: int
    hours_used_week: float
    hours_available_week: float
    unserved_by_reason: Mapping[str, int]
    price_labels: Mapping[str, str]
    assumptions: tuple[str, ...]
    priced: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (``weeks_per_month`` included)."""
        out = asdict(self)
        out["weeks_per_month"] = WEEKS_PER_MONTH
        for area, src in zip(
            [out["total"], *out["by_aimak"]], [self.total, *self.by_aimak], strict=True
        ):
            area["cost_month"] = src.cost_month
        return out


def depreciation_per_month(items: Iterable[PropertyItem], as_of: dt.date) -> float:
    """Straight-line depreciation of the items in the month of ``as_of`` (som).

    An item depreciates ``(price - salvage) / life_months`` in each of the ``life_months`` months
    after the month it was bought, nothing before or after.
    """
    total = 0.0
    for item in items:
        months = (as_of.year - item.purchased.year) * 12 + as_of.month - item.purchased.month
        if 1 <= months <= item.life_months:
            total += (item.price_som - item.salvage_som) / item.life_months
    return total


def vehicle_day_cost(vd: VehicleDay, scenario: Scenario) -> VehicleDayCost:
    """Fuel, wages, maintenance and landfill fees of one vehicle-day (see the module)."""
    spec = vehicle_spec(scenario, vd.vehicle)
    prices = scenario.prices
    stops = len(vd.collect_stops)
    fuel_l = (
        vd.km * spec.fuel_l_per_100km / 100
        + stops * spec.fuel_l_per_stop
        + vd.landfill_trips * spec.fuel_l_per_landfill
    )
    overtime_h = (
        max(0.0, vd.end_s - spec.shift_end_s) + max(0.0, spec.shift_start_s - vd.start_s)
    ) / 3600
    tonnes_at, kg_by_aimak = _loads(vd, scenario)
    fees = {lf.name: lf.fee_som_per_t for lf in scenario.landfills}
    diesel = prices.diesel_som_per_l if prices else 0.0
    wage = prices.wage_som_per_hour if prices else 0.0
    factor = prices.overtime_factor if prices else 1.0
    return VehicleDayCost(
        day=vd.day,
        vehicle=vd.vehicle,
        km=vd.km,
        hours=vd.hours,
        shift_hours=(spec.shift_end_s - spec.shift_start_s) / 3600,
        overtime_hours=overtime_h,
        stops=stops,
        landfill_trips=vd.landfill_trips,
        tonnes=sum(tonnes_at.values()),
        fuel_l=fuel_l,
        fuel=fuel_l * diesel,
        wages=spec.crew * wage * (vd.hours + (factor - 1) * overtime_h),
        maintenance=vd.km * spec.maintenance_som_per_km,
        landfill_fees=sum(t * fees.get(name, 0.0) for name, t in tonnes_at.items()),
        kg_by_aimak=kg_by_aimak,
    )


def vehicle_spec(scenario: Scenario, label: str) -> VehicleSpec:
    """The fleet entry of a vehicle-day's label (``"Truck"`` or ``"Truck #2"``)."""
    for spec in scenario.fleet:
        if label == spec.name or label.startswith(f"{spec.name} #"):
            return spec
    msg = f"vehicle {label!r} is not in the scenario's fleet"
    raise ValueError(msg)


def _loads(vd: VehicleDay, scenario: Scenario) -> tuple[dict[str, float], dict[str, float]]:
    """Tonnes unloaded at each landfill, and kg collected per aiyl aimak, on one vehicle-day."""
    tonnes: dict[str, float] = defaultdict(float)
    by_aimak: dict[str, float] = defaultdict(float)
    names = {lf.name for lf in scenario.landfills}
    carried = 0.0
    for stop in vd.stops:
        if stop.kind == "collect":
            carried += stop.demand_kg
            by_aimak[_aimak_of(scenario, stop.village)] += stop.demand_kg
        elif stop.kind == "landfill":
            name = stop.label if stop.label in names else scenario.landfills[0].name
            tonnes[name] += carried / 1000
            carried = 0.0
    return dict(tonnes), dict(by_aimak)


def _aimak_of(scenario: Scenario, village: str) -> str:
    spec = scenario.village(village) if village else None
    return spec.aiyl_aimak if spec is not None else ALL


def key_figures(plan: Plan) -> KeyFigures:
    """The key figures of a plan: work, costs, revenue, break-even tariff and coverage.

    Parameters
    ----------
    plan
        A planned week (:func:`routing.api.plan_week`).

    Returns
    -------
    KeyFigures
        For the whole scenario and per aiyl aimak. Without ``[costs]`` in the scenario, ``priced``
        is False and money figures are 0.
    """
    sc = plan.scenario
    costs = tuple(vehicle_day_cost(vd, sc) for vd in plan.vehicle_days)
    hh = plan.households
    aimak = hh["village_spec"].map(lambda v: _aimak_of(sc, str(v)) if v else ALL)
    served = hh["status"] == "served"
    near = _near_container(plan)
    fixed = {
        "depreciation": depreciation_per_month(sc.property_items, sc.prices.as_of)
        if sc.prices
        else 0.0,
        "overheads": sc.prices.overhead_som_per_month if sc.prices else 0.0,
    }
    names = sorted({a for a in aimak if a} | set(sc.tariffs))
    n_served = int(served.sum())
    areas = []
    for name in [ALL, *names]:
        mask = (aimak == name) if name else aimak.notna() | aimak.isna()
        share = 1.0 if not name else (int((served & mask).sum()) / n_served if n_served else 0.0)
        areas.append(
            _area(
                plan,
                name,
                costs,
                fixed,
                share,
                mask=mask.to_numpy(),
                served=served.to_numpy(),
                near=near,
            )
        )
    return _figures(plan, costs, areas)


def _figures(plan: Plan, costs: tuple[VehicleDayCost, ...], areas: list[AreaFigures]) -> KeyFigures:
    sc = plan.scenario
    days = len(sc.days)
    return KeyFigures(
        scenario=sc.name,
        scenario_file=str(sc.path),
        servable=plan.households_served > 0,
        total=areas[0],
        by_aimak=tuple(areas[1:]),
        vehicle_days=costs,
        vehicles_used=len({c.vehicle for c in costs}),
        vehicles_available=sum(v.count for v in sc.fleet),
        vehicle_days_used=len(costs),
        vehicle_days_available=sum(v.count for v in sc.fleet) * days,
        hours_used_week=sum(c.hours for c in costs),
        hours_available_week=sum(
            v.count * (v.shift_end_s - v.shift_start_s) / 3600 for v in sc.fleet
        )
        * days,
        unserved_by_reason={
            str(k): int(v) for k, v in plan.unserved["reason"].astype(str).value_counts().items()
        },
        price_labels=dict(sc.price_labels),
        assumptions=tuple(plan.assumptions),
        priced=sc.prices is not None,
    )


def _area(
    plan: Plan,
    name: str,
    costs: tuple[VehicleDayCost, ...],
    fixed: Mapping[str, float],
    share_fixed: float,
    *,
    mask: np.ndarray,
    served: np.ndarray,
    near: np.ndarray | None,
) -> AreaFigures:
    """One area's figures: vehicle-day figures shared by kg collected there, fixed costs by households."""
    sc = plan.scenario
    week: dict[str, float] = defaultdict(float)
    for c in costs:
        kg = sum(c.kg_by_aimak.values())
        part = 1.0 if not name else (c.kg_by_aimak.get(name, 0.0) / kg if kg else 0.0)
        for attr in (
            "km",
            "hours",
            "landfill_trips",
            "fuel_l",
            "fuel",
            "wages",
            "maintenance",
            "landfill_fees",
        ):
            week[attr] += part * float(getattr(c, attr))
    month = {
        k: week[k] * WEEKS_PER_MONTH for k in ("fuel", "wages", "maintenance", "landfill_fees")
    }
    month.update({k: v * share_fixed for k, v in fixed.items()})
    n_in, n_served = int(mask.sum()), int((mask & served).sum())
    rate = sc.prices.collection_rate if sc.prices else 1.0
    tariff = _tariff(sc, name, mask, served, plan)
    paying = n_served * rate
    revenue = _revenue(sc, plan, mask & served) * rate
    total = sum(month.values())
    per_hh = (lambda x: x / n_served) if n_served else (lambda x: None)
    per_payer = (lambda x: x / paying) if paying else (lambda x: None)
    near_share = None
    if near is not None and n_served:
        near_share = float((near & mask & served).sum()) / n_served
    return AreaFigures(
        name=name,
        households_in=n_in,
        households_served=n_served,
        households_unserved=n_in - n_served,
        km_week=week["km"],
        hours_week=week["hours"],
        landfill_trips_week=week["landfill_trips"],
        fuel_l_week=week["fuel_l"],
        co2_kg_week=week["fuel_l"] * (sc.prices.co2_kg_per_l if sc.prices else 0.0),
        costs_month={k: month[k] for k in COST_ITEMS},
        tariff=tariff,
        paying_households=paying,
        revenue_month=revenue,
        cost_per_household_month=per_hh(total),
        break_even_tariff=per_payer(total),
        break_even_tariff_without_depreciation=per_payer(total - month["depreciation"]),
        surplus_month=revenue - total if n_served else None,
        coverage=n_served / n_in if n_in else None,
        near_container_share=near_share,
    )


def _tariff(
    sc: Scenario, name: str, mask: np.ndarray, served: np.ndarray, plan: Plan
) -> float | None:
    """The area's tariff; for the whole scenario the mean over served households."""
    if name:
        return sc.tariffs.get(name)
    n = int(served.sum())
    return _revenue(sc, plan, served) / n if n else None


def _revenue(sc: Scenario, plan: Plan, rows: np.ndarray) -> float:
    """Tariff × households over the selected rows (before the collection rate)."""
    villages = plan.households.loc[rows, "village_spec"]
    return float(sum(sc.tariffs.get(_aimak_of(sc, str(v)), 0.0) for v in villages))


def _near_container(plan: Plan) -> np.ndarray | None:
    """Per household: within ``NEAR_CONTAINER_M`` of a container (None if the plan has none)."""
    pts = plan.points
    if len(pts) == 0 or "kind" not in pts or not (pts["kind"] == "container").any():
        return None
    crs = plan.network.crs
    cont = pts.loc[pts["kind"] == "container"].to_crs(crs).geometry
    hh = plan.households
    ok = hh.geometry.notna() & ~hh.geometry.is_empty
    out = np.zeros(len(hh), dtype=bool)
    if ok.any():
        xy = hh.loc[ok].to_crs(crs).geometry
        tree = cKDTree(np.column_stack([cont.x, cont.y]))
        dist, _ = tree.query(np.column_stack([xy.x, xy.y]))
        out[ok.to_numpy()] = dist <= NEAR_CONTAINER_M
    return out
