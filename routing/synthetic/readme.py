"""The README written beside the generated data: what is real, what is synthetic or assumed.

Its wording names the generator as ``routing/synthetic.py`` (the module it was before it became a
package): kept so that the committed README regenerates byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from routing.synthetic.places import PERSONS_PER_HOUSEHOLD, PLACES_NAME, Place

if TYPE_CHECKING:
    from routing.synthetic.area import SyntheticArea

__all__ = ["valley_readme"]


def valley_readme(
    area: SyntheticArea, depot_village: Place | None, places_path: Path, n_containers: int
) -> str:
    """The README of a generated valley: what is real, what is synthetic or assumed, the places."""
    rows = "\n".join(
        f"| {v.name_ky} | {v.name_ru} | {v.name_en} | {v.lat:.6f} | {v.lon:.6f} | {v.households} | {v.streets} | "
        f"{'assumed' if v.position_assumed else 'places table'} |"
        for v in area.villages
    )
    dv = depot_village.name_ky if depot_village else "?"
    return f"""# Taza Aimak: synthetic stand-in data

**The streets, houses, addresses, register and landfill in this folder are synthetic.** No
OpenStreetMap extract of the Ketmen-Dobo valley could be had, so `routing/synthetic.py` generates a
stand-in from one seeded random generator (seed {area.seed}). Every OSM element carries
`source=synthetic`; maps made from it must say the streets are a stand-in. A real extract replaces
it by changing the `osm` line of the scenario file.

Regenerate (byte-identical for the same seed and places table; each village, road section, the
landfill and the register draw from their own seeded stream, so changing one leaves the others):

    python -m routing.synthetic --out data/taza-aimak --seed {area.seed} --places ../shared/data/places/{PLACES_NAME}

## What is real

From `../shared/data/places/{places_path.name}` (national statistics, 2023; Ministry of Health
settlement table; GeoNames for Toktogul): the village names (Kyrgyz, Russian, English), populations,
SOATE codes (`ref:soate`) and approximate positions of the place nodes, and the order of the villages
along the valley (east to west by longitude).

## What is synthetic or assumed

- **Streets and houses**: each village gets an irregular street grid around the valley road sized to
  its population (households = population / {PERSONS_PER_HOUSEHOLD}, rounded: an assumption, no counts are published),
  houses 20-25 m apart on both sides (closed `building=house` ways, a few address nodes), odd numbers
  on the left and even on the right, increasing along the street, some `12А` / `12/1`. Street names
  are common Kyrgyz street names (`name`, Kyrgyz) with Russian forms (`name:ru`); they are not the
  real streets of these villages; a few one-block lanes are `тыкыр` (`переулок`). Some streets are dead ends, some cross links are one-way
  (`oneway=yes`), one bridge has `maxweight=3.5`, footways and paths are not for trucks, tracks lead
  to fields, sheds have no address.
- **The valley road** (`highway=secondary`, asphalt) is drawn through the villages in order, with a
  wiggle; its length only roughly matches the published road distances.
- **Chong-Aryk**: its published coordinate is wrong; it is placed a few km beyond Terek-Suu along the
  road away from Toktogul (node tagged `note=assumption: ...`).
- **Balykty and Mazar-Suu**: their published coordinates are *suspect* (same longitude); they are
  kept as published, 2.2 km apart, as distinct villages.
- **Beke-Chal and Eshsay** (no population in 2023): a `place=hamlet` node each at an invented
  position, no streets.
- **Toktogul** (district centre, not in the service area): a `place=town` node where the road starts;
  no households.
- **The depot**: the enterprise's garage beside the aiyl okmotu (`amenity=townhall`) in {dv}; its
  position on the village grid is invented and it is set back from the street (not on a road).
- **The landfill**: `landuse=landfill` at an **invented position** about 4 km off the valley road
  between Toktogul and Terek-Suu, reached by a gravel road (`highway=unclassified`); tagged
  `note=assumption`. No landfill location was found in any public source: the enterprise must supply it.
- **Communal sites** (schools, clinics / ФАП, the market) and their containers (`containers.csv`,
  {n_containers} rows): invented positions, volumes, counts and fill rates.
- **The register** (`households.csv`, {area.households} rows): one household per house; heads of
  family are invented names; members 1-11 (mean about 4.7). Addresses are typed as people write them:
  Kyrgyz and Russian forms, abbreviations (`көч.`, `ул.`), `ө/ү/ң` typed as `о/у/н` or `ɵ/ѳ`, Latin,
  one-letter typos, village written `с. …`, without hyphen or in Latin, house `д. 12`, `№12`, `12а`.
  {area.messy_rows} rows differ from the canonical spelling; {area.coordinate_rows} rows carry coordinates (GPS noise of a few
  metres; a few with latitude and longitude swapped, a couple outside the service area); about 1% cannot be
  located at house level (a Soviet-era street name absent from the map, or no house number).
- **The ground truth** (`households_truth.csv`, joined on `№`): true village and street (as `name` in
  the OSM), house number, house position, `locatable` (the row identifies its house), `best_level`
  (house / street / village: the best a correct geocoder can do) and the kind of each variation.

## Places

| name (ky) | name (ru) | name (en) | lat | lon | households | streets | position |
|---|---|---|---|---|---|---|---|
{rows}

- Depot (garage, not on a road): {area.depot[0]:.6f}, {area.depot[1]:.6f}
- Landfill gate (end of the access road): {area.landfill[0]:.6f}, {area.landfill[1]:.6f}; polygon
  centroid {area.landfill_centroid[0]:.6f}, {area.landfill_centroid[1]:.6f}

OSM: {area.osm_nodes} nodes, {area.osm_ways} ways. The data are synthetic; village facts are from
public statistics tables; Toktogul's coordinates from GeoNames (CC-BY 4.0).
"""
