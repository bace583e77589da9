"""The household register as an aiyl okmotu clerk types it, and its ground truth.

Houses are numbered odd on the left and even on the right, increasing along the street, some ``12А``
or ``12/1``. Each register row writes the village, street and house the way people write them
(Kyrgyz and Russian forms, abbreviations, ``ө/ү/ң`` typed as ``о/у/н``, Latin, one-letter typos);
about 1 % cannot be located at house level; 10 % carry GPS coordinates with a few metres of noise (a
few swapped, a couple outside the area). The truth file says, row by row, what each variation was.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from routing.synthetic.geometry import Frame
from routing.synthetic.names import (
    OLD_STREETS,
    PLAIN,
    StreetName,
    head_name,
    members,
    translit,
    typo,
)
from routing.synthetic.osm import fmt
from routing.synthetic.places import Place
from routing.synthetic.village import House

__all__ = [
    "csv_text",
    "number_houses",
    "write_house",
    "write_register",
    "write_street",
    "write_village",
]


def number_houses(houses: list[House], rng: random.Random) -> None:
    """Odd numbers on the left, even on the right, increasing along the street; some 12А, 12/1."""
    by_street: dict[tuple[str, int, int], list[House]] = defaultdict(list)
    for h in houses:
        by_street[(h.street.ky, h.order[0], h.side)].append(h)
    for (_, _, side), group in sorted(by_street.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        group.sort(key=lambda h: h.order)
        n = 1 if side == 1 else 2
        last: int | None = None
        used_suffix = False
        for h in group:
            roll = rng.random()
            if last is not None and not used_suffix and roll < 0.025:
                h.number = f"{last}А"
                used_suffix = True
                continue
            if last is not None and not used_suffix and roll < 0.04:
                h.number = f"{last}/1"
                used_suffix = True
                continue
            if roll > 0.95:
                n += 2  # a number skipped (a plot without a house)
            h.number = str(n)
            last, used_suffix = n, False
            n += 2


def write_street(name: StreetName, rng: random.Random) -> tuple[str, str]:
    """A street as a clerk types it, and the kind of variation."""
    kinds = (
        ("canonical", 50), ("ru_full", 7), ("ru_abbrev", 12), ("ru_bare", 4), ("ky_abbrev", 6),
        ("ky_abbrev_barred", 2), ("ky_plain_letters", 8), ("ky_bare", 3), ("latin", 3), ("typo", 5),
    )  # fmt: skip
    kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
    core = name.ky_core
    letters = sum(ch.isalpha() for ch in core)
    if kind == "typo" and letters < 6:
        kind = "ky_plain_letters"
    if kind == "canonical":
        return name.ky, kind
    if kind == "ru_full":
        return name.ru_full, kind
    ru_short = "пер." if name.lane else "ул."
    if kind == "ru_abbrev":
        return rng.choice(
            (
                f"{ru_short} {name.ru_core}",
                f"{ru_short}{name.ru_core}",
                f"{name.ru_core} {ru_short}",
            )
        ), kind
    if kind == "ru_bare":
        return name.ru_core, kind
    if kind == "ky_abbrev":
        if name.lane:
            return rng.choice((f"{core} тык.", f"{core} тыкыр")), kind
        return rng.choice((f"{core} көч.", f"{core} к.", f"{core} көч")), kind
    if kind == "ky_abbrev_barred":
        bar = rng.choice(("ɵ", "ѳ"))  # Latin barred o and Cyrillic fita typed for ө
        suffix = "тык." if name.lane else f"к{bar}ч."
        return f"{core.replace('ө', bar)} {suffix}", kind
    if kind == "ky_plain_letters":
        return name.ky.translate(PLAIN), kind
    if kind == "ky_bare":
        return core, kind
    if kind == "latin":
        lat = translit(core)
        word = "tykyry" if name.lane else "kochosu"
        return rng.choice((lat, f"{lat} {word}", f"{lat} str.")), kind
    base = rng.choice((name.ky, f"{ru_short} {name.ru_core}", name.ky.translate(PLAIN)))
    if base.startswith(f"{ru_short} "):
        return f"{ru_short} " + typo(base[len(ru_short) + 1 :], rng), kind
    word_end = base.index(" ") if " " in base else len(base)
    return typo(base[:word_end], rng) + base[word_end:], kind


def write_village(place: Place, rng: random.Random) -> tuple[str, str]:
    """A village as a clerk types it, and the kind of variation."""
    kinds = (
        ("canonical", 70),
        ("ru", 14),
        ("prefix", 9),
        ("no_hyphen", 7),
        ("latin", 4),
        ("lower", 3),
        ("typo", 3),
        ("joined", 2),
    )
    kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
    ky, ru = place.name_ky, place.name_ru
    if kind == "canonical":
        return ky, kind
    if kind == "ru":
        return rng.choice((ru, ru.replace("ё", "е"))), kind
    if kind == "prefix":
        return rng.choice((f"с. {ky}", f"с.{ru}", f"айыл {ky}")), kind
    if kind == "no_hyphen":
        return ky.replace("-", " "), kind
    if kind == "latin":
        return place.name_en, kind
    if kind == "lower":
        return ru.lower().replace("ё", "е"), kind
    if kind == "joined":
        joined = ky.replace("-", "")
        return joined[0] + joined[1:].lower(), kind
    return typo(ky, rng) if sum(ch.isalpha() for ch in ky) >= 6 else ky.translate(PLAIN), kind


def write_house(number: str, rng: random.Random) -> tuple[str, str]:
    """A house number as a clerk types it, and the kind of variation."""
    kinds = (("plain", 80), ("d", 7), ("no", 5), ("dom", 3), ("spaced", 3), ("lower", 2))
    kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
    if number.endswith("А") and rng.random() < 0.6:
        return rng.choice((number[:-1] + "а", number[:-1] + " А", number[:-1] + "-а")), "letter"
    if kind == "plain":
        return number, kind
    if kind == "d":
        return rng.choice((f"д. {number}", f"д.{number}")), kind
    if kind == "no":
        return rng.choice((f"№{number}", f"№ {number}")), kind
    if kind == "dom":
        return f"дом {number}", kind
    if kind == "spaced":
        return f" {number} ", kind
    return number.lower(), "plain"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with ``\\n`` line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _clerk_order(houses: list[House], served: list[Place], rng: random.Random) -> list[House]:
    """The clerk's order: the places table, then street by street; some rows added at the end."""
    by_village: dict[str, list[House]] = defaultdict(list)
    for h in houses:
        by_village[h.village.soate_code].append(h)
    ordered: list[House] = []
    for place in served:
        group = by_village.get(place.soate_code, [])
        street_order = {st: k for k, st in enumerate(dict.fromkeys(h.street.ky for h in group))}
        group.sort(
            key=lambda h: (
                street_order[h.street.ky],
                int("".join(c for c in h.number.split("/")[0] if c.isdigit()) or 0),
                h.number,
            )
        )
        late = [h for h in group if rng.random() < 0.12]  # added later, typed at the end
        late_ids = {id(h) for h in late}
        ordered.extend([h for h in group if id(h) not in late_ids] + late)
    return ordered


def _special_rows(n: int, rng: random.Random) -> dict[str, set[int]]:
    """Rows with an unknown street, no number, coordinates (some swapped or outside the area)."""
    idx = list(range(n))
    rng.shuffle(idx)
    n_unloc = round(0.01 * n)
    rest = idx[n_unloc:]
    with_coords = rest[: round(0.10 * n)]
    n_swapped = max(1, round(n * 0.0015)) if n >= 200 else 0
    n_outside = max(1, round(n * 0.0006)) if n >= 200 else 0
    return {
        "unknown_street": set(idx[: n_unloc // 2 + n_unloc % 2]),
        "no_number": set(idx[n_unloc // 2 + n_unloc % 2 : n_unloc]),
        "swapped": set(with_coords[:n_swapped]),
        "outside": set(with_coords[n_swapped : n_swapped + n_outside]),
        "coords": set(with_coords),
    }


def _coordinates(
    k: int, lat: float, lon: float, special: dict[str, set[int]], frame: Frame, rng: random.Random
) -> tuple[str, str, str]:
    """Latitude, longitude as typed (with GPS noise; some swapped or outside) and their kind."""
    jlat = lat + rng.gauss(0, 4.0) / frame.k_lat
    jlon = lon + rng.gauss(0, 4.0) / frame.k_lon
    c_kind = "ok"
    if k in special["swapped"]:
        jlat, jlon, c_kind = jlon, jlat, "swapped"
    elif k in special["outside"]:
        if rng.random() < 0.5:
            jlat, c_kind = jlat + 1.0, "outside"
        else:
            jlon, c_kind = jlon + 1.0, "outside"
    return fmt(jlat, 6), fmt(jlon, 6), c_kind


_HEADER = [
    "№",
    "Село",
    "Улица",
    "Дом",
    "ФИО главы семьи",
    "Кол-во членов семьи",
    "Широта",
    "Долгота",
]
_TRUTH_HEADER = [
    "№", "village", "street", "house", "lat", "lon", "locatable", "best_level",
    "village_variant", "street_variant", "house_variant", "coordinates",
]  # fmt: skip


def write_register(
    path: Path,
    truth_path: Path,
    houses: list[House],
    served: list[Place],
    frame: Frame,
    rng: random.Random,
) -> tuple[int, int]:
    """Write the clerk's register and its ground truth; return (messy rows, rows with coordinates)."""
    ordered = _clerk_order(houses, served, rng)
    special = _special_rows(len(ordered), rng)
    reg_rows = []
    truth_rows = []
    messy = 0
    for k, h in enumerate(ordered):
        village, v_kind = write_village(h.village, rng)
        street, s_kind = write_street(h.street, rng)
        house, h_kind = write_house(h.number, rng)
        best = "house"
        if k in special["unknown_street"]:
            street, s_kind, best = rng.choice(OLD_STREETS), "unknown_street", "village"
        if k in special["no_number"]:
            house, h_kind, best = "", "missing", "street"
        lat, lon = frame.latlon(h.centre)
        lat_s = lon_s = c_kind = ""
        if k in special["coords"]:
            lat_s, lon_s, c_kind = _coordinates(k, lat, lon, special, frame, rng)
            best = "house"
        if (v_kind, s_kind, h_kind) != ("canonical", "canonical", "plain"):
            messy += 1
        reg_rows.append([k + 1, village, street, house, head_name(rng), members(rng), lat_s, lon_s])
        truth_rows.append([
            k + 1, h.village.name_ky, h.street.ky, h.number, fmt(lat), fmt(lon), best == "house", best,
            v_kind, s_kind, h_kind, c_kind,
        ])  # fmt: skip
    path.write_text(csv_text(_HEADER, reg_rows), encoding="utf-8", newline="\n")
    truth_path.write_text(csv_text(_TRUTH_HEADER, truth_rows), encoding="utf-8", newline="\n")
    return messy, len(special["coords"])
