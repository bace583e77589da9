"""Seeded synthetic stand-ins: the Taza Aimak valley, and towns of any size, for tests and benches.

No OpenStreetMap extract of the Ketmen-Dobo valley can be had, so the embedded default ships its own:
an OSM XML file with the valley road, a street network per village sized to its population, houses
with addresses, communal sites, the depot and an (assumed) landfill; beside it a household register
typed the way an aiyl okmotu clerk types it, the ground truth of that register, and communal
containers. Real facts (village names, populations, coordinates) come from the places table in
``../shared/data/places``; everything else is drawn from seeded random streams, so the same seed
gives byte-identical files. A town (``generate_town``) adds blocks of flats served by container
sites, private houses served at the gate, a centre and one-way streets, up to 30,000 households.

This package is not on the planning path: nothing in ``routing`` imports it. It keeps its own
transliteration and name tables on purpose, so that test data do not share code with what they test.

Modules, by phase: ``places`` (the places table), ``geometry`` (local frame, vectors), ``names``
(street names that never run out, heads of family), ``village`` (one village's streets, sites and
houses), ``town`` (a town), ``register`` (the clerk's register and its truth), ``osm`` (the OSM model
and writer), ``area`` (the valley), ``readme``, ``cli``.

Run ``python -m routing.synthetic --out data/taza-aimak`` to regenerate the committed files.
"""

from routing.synthetic.area import DEFAULT_SEED, SyntheticArea, VillageSummary, generate
from routing.synthetic.cli import main
from routing.synthetic.places import PERSONS_PER_HOUSEHOLD, Place, default_places_path, read_places
from routing.synthetic.town import MAX_TOWN_HOUSEHOLDS, SyntheticTown, generate_town

__all__ = [
    "DEFAULT_SEED",
    "MAX_TOWN_HOUSEHOLDS",
    "PERSONS_PER_HOUSEHOLD",
    "Place",
    "SyntheticArea",
    "SyntheticTown",
    "VillageSummary",
    "default_places_path",
    "generate",
    "generate_town",
    "main",
    "read_places",
]
