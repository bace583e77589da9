"""The scenario file and README written beside a generated town (both say it is synthetic)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing.synthetic.places import PERSONS_PER_HOUSEHOLD, Place

if TYPE_CHECKING:
    from routing.synthetic.town import SyntheticTown

__all__ = ["town_readme", "town_scenario"]


def town_scenario(town: SyntheticTown, place: Place) -> str:
    """A scenario for the town: its files, the garage, the landfill, a fleet sized to it."""
    return f"""# {place.name_en}: a SYNTHETIC town of {town.households} households (python -m routing.synthetic --town).
# Streets, houses, flats, register, garage and landfill are invented; see README.md here.

[scenario]
name = "{place.name_en} (synthetic town), {town.households} households"
language = "ky"
currency = "som"
week_start = 2026-11-30
assumptions = [
  "the town, its streets, houses, flats and register are a synthetic stand-in (routing.synthetic.town)",
  "waste generation 0.45 kg per person per day; households average {PERSONS_PER_HOUSEHOLD} persons",
  "{town.flats} households live in flats and bring their waste to {town.container_sites} container sites",
]

[network]
source = "town.osm"
synthetic = true
max_snap_m = 250

[network.profile]
collect_speed_kmh = 6
uturn_penalty_s = 60

[register]
households = "households.csv"
containers = "containers.csv"
household_size = {PERSONS_PER_HOUSEHOLD}

[waste]
kg_per_person_day = 0.45
bulk_density_kg_m3 = 150
container_density_kg_m3 = 120
service_s_per_household = 20
service_s_per_container = 150

[solver]
seed = 1
time_limit_s = 5

[depot]
name = "«Таза Аймак» garage (synthetic)"
lat = {town.depot[0]}
lon = {town.depot[1]}
assumption = "invented garage on the town square"

[[landfill]]
name = "landfill (synthetic)"
lat = {town.landfill[0]}
lon = {town.landfill[1]}
open = "07:00"
close = "19:00"
unload_min = 15
assumption = "invented landfill 3 km beyond the town"

[[vehicle]]
name = "Compactor truck"
kind = "compactor"
count = {town.vehicles}
capacity_kg = 5000
capacity_m3 = 12
compaction = 3.0
shift_start = "08:00"
shift_end = "17:00"
lunch_earliest = "12:00"
lunch_latest = "13:00"
lunch_min = 60
cost_per_km = 25
cost_per_hour = 250
assumption = "fleet assumed: one compactor truck per 2,500 households"

[[village]]
name = "{place.name_ky}"
aiyl_aimak = "{place.aiyl_aimak}"
days = ["mon", "tue", "wed", "thu", "fri", "sat"]
frequency = 1
aliases = ["{place.name_ru}", "{place.name_en}"]

[tariff]
{place.aiyl_aimak} = 100
"""


def town_readme(town: SyntheticTown, place: Place) -> str:
    """What the town is made of and that all of it is invented."""
    return f"""# {place.name_en} ({place.name_ky}): a synthetic town

**Everything here is synthetic**: the town, its streets, houses, blocks of flats, register, garage
and landfill are invented by `routing.synthetic.town` (seed {town.seed}); every OSM element carries
`source=synthetic`. It is test data for planning at town scale, not a real place.

- {town.households} households: {town.houses} in private houses (the register, `households.csv`,
  collected at the gate) and {town.flats} in {town.blocks} blocks of flats (not in the register: they
  bring their waste to the container sites in `containers.csv`, kind `flats`, sized to their waste).
- The centre: a grid of 130 m blocks; interior streets one-way, alternating; the town square with
  the market, the town hall and the garage; schools with containers.
- {town.quarters} quarters of private houses around the centre, laid out like the valley's villages;
  {town.streets} named streets in all (names numbered when the 38 common names run out).
- `scenario.toml`: {town.vehicles} compactor trucks (an assumption), collection Monday to Saturday.

OSM: {town.osm_nodes} nodes, {town.osm_ways} ways.
"""
