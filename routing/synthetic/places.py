"""The places table: real village names, populations and positions, and their order on the road.

Read from ``../shared/data/places/ketmen-dobo-cholpon-ata.csv`` (national statistics 2023, Ministry of
Health settlement table, GeoNames). A village without coordinates but with a road distance is placed
that far along the road (an assumption the OSM node says).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from routing.synthetic.geometry import Frame, unit

__all__ = [
    "PERSONS_PER_HOUSEHOLD",
    "PLACES_NAME",
    "Place",
    "assume_positions",
    "default_places_path",
    "read_places",
    "select",
    "valley_order",
]

PLACES_NAME = "ketmen-dobo-cholpon-ata.csv"
#: Assumed persons per household (rural Kyrgyzstan averages roughly 4.5-5; no count is published).
PERSONS_PER_HOUSEHOLD = 4.7


@dataclass(frozen=True)
class Place:
    """One row of the places table (a village, hamlet or town)."""

    soate_code: str
    aiyl_aimak: str
    name_ky: str
    name_ru: str
    name_en: str
    population: int
    lat: float | None
    lon: float | None
    coordinate_quality: str
    road_km_to_toktogul: float | None
    note: str


def default_places_path() -> Path:
    """Return ``../shared/data/places/ketmen-dobo-cholpon-ata.csv`` beside the repository."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "places" / PLACES_NAME


def _opt_float(value: str, *, path: Path, row: int, key: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        msg = f"{path}: row {row}: {key}={value!r} is not a number (allowed: a decimal or empty)"
        raise ValueError(msg) from None


def read_places(path: Path) -> list[Place]:
    """Read the places table (UTF-8 CSV).

    Parameters
    ----------
    path
        CSV with columns ``soate_code, aiyl_aimak, name_ky, name_ru, name_en, population_2023, lat,
        lon, coordinate_quality, road_km_to_toktogul, note``.

    Returns
    -------
    list of Place
        In file order.
    """
    required = (
        "soate_code", "aiyl_aimak", "name_ky", "name_ru", "name_en", "population_2023", "lat", "lon",
        "coordinate_quality", "road_km_to_toktogul", "note",
    )  # fmt: skip
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [k for k in required if k not in (reader.fieldnames or [])]
        if missing:
            msg = (
                f"{path}: missing column(s) {', '.join(missing)} (required: {', '.join(required)})"
            )
            raise ValueError(msg)
        places = []
        for row_no, row in enumerate(reader, start=2):
            try:
                population = int(row["population_2023"])
            except ValueError:
                msg = f"{path}: row {row_no}: population_2023={row['population_2023']!r} is not an integer"
                raise ValueError(msg) from None
            places.append(
                Place(
                    soate_code=row["soate_code"].strip(),
                    aiyl_aimak=row["aiyl_aimak"].strip(),
                    name_ky=row["name_ky"].strip(),
                    name_ru=row["name_ru"].strip(),
                    name_en=row["name_en"].strip(),
                    population=population,
                    lat=_opt_float(row["lat"], path=path, row=row_no, key="lat"),
                    lon=_opt_float(row["lon"], path=path, row=row_no, key="lon"),
                    coordinate_quality=row["coordinate_quality"].strip(),
                    road_km_to_toktogul=_opt_float(
                        row["road_km_to_toktogul"], path=path, row=row_no, key="road_km_to_toktogul"
                    ),
                    note=row["note"].strip(),
                )
            )
    return places


def valley_order(places: list[Place]) -> list[Place]:
    """Toktogul first, then the villages east to west (by longitude, ties south first)."""

    def key(p: Place) -> tuple[float, float]:
        assert p.lon is not None and p.lat is not None
        return (-p.lon, p.lat)

    return sorted(places, key=key)


def assume_positions(places: list[Place], town: Place) -> tuple[list[Place], set[str]]:
    """Place villages without coordinates a few km beyond the village before them on the road.

    A village with ``road_km_to_toktogul`` but no coordinates (Chong-Aryk) is put that many km
    (at least 3.5) beyond the known village with the largest smaller road distance, along the line
    to the next village westwards.
    """
    known = [p for p in places if p.lat is not None and p.lon is not None]
    assumed: set[str] = set()
    out = []
    for p in places:
        if p.lat is not None or p.population <= 0:
            out.append(p)
            continue
        if p.road_km_to_toktogul is None:
            msg = (
                f"places: {p.name_en} has population {p.population} but neither coordinates nor "
                "road_km_to_toktogul (one of them is required to place it)"
            )
            raise ValueError(msg)
        before = [
            k
            for k in known
            if k is not town and (k.road_km_to_toktogul or 1e9) < p.road_km_to_toktogul
        ]
        if not before:
            before = [town]
        anchor = max(before, key=lambda k: k.road_km_to_toktogul or 0.0)
        assert anchor.lat is not None and anchor.lon is not None
        west = [k for k in known if k.lon is not None and k.lon < anchor.lon and k is not town]
        frame = Frame(anchor.lat, anchor.lon)
        if west:
            nxt = max(west, key=lambda k: k.lon or 0.0)
            assert nxt.lat is not None and nxt.lon is not None
            direction = unit(frame.xy(nxt.lat, nxt.lon))
        else:
            direction = (-1.0, 0.0)
        km = max(3.5, p.road_km_to_toktogul - (anchor.road_km_to_toktogul or 0.0) + 0.5)
        lat, lon = frame.latlon((direction[0] * km * 1000, direction[1] * km * 1000))
        out.append(Place(**{**p.__dict__, "lat": lat, "lon": lon}))
        assumed.add(p.soate_code)
    return out, assumed


def select(places: list[Place], villages: Sequence[str] | None) -> list[Place]:
    """The places named in ``villages`` (any of their names), or all when None."""
    if villages is None:
        return places
    wanted = {v.casefold() for v in villages}
    known = {n.casefold() for p in places for n in (p.name_en, p.name_ky, p.name_ru)}
    unknown = [v for v in villages if v.casefold() not in known]
    if unknown:
        allowed = ", ".join(p.name_en for p in places if p.population > 0)
        msg = f"villages: {', '.join(unknown)} not in the places table (allowed: {allowed})"
        raise ValueError(msg)
    return [
        p
        for p in places
        if {p.name_en.casefold(), p.name_ky.casefold(), p.name_ru.casefold()} & wanted
    ]
