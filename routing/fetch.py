"""``taza-route fetch``: download an area from OpenStreetMap and start a scenario for it.

One Overpass query (the endpoint and user agent of osmnx's settings, so a user who configured
osmnx for a mirror gets the same one) asks for the roads (``highway=*`` ways), the buildings
(households are estimated from them when there is no register), the named places and any
``landuse=landfill`` inside the bbox, with the nodes they use. The answer is OSM XML, written
as it came (nodes first, so osmium and osmnx read it) into ``<out>/<name>.osm``; next to it a
``scenario.toml`` started from a template scenario (the default's fleet, depot, landfill
hours and tariffs): one ``[[village]]`` per named place, the depot and landfill kept where they
lie inside the area, else moved to a mapped landfill or the area's centre with an
``assumption`` note saying so. Both files are written whole (temporary file, then renamed).

Data © OpenStreetMap contributors, ODbL 1.0; the scenario says so.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.errors import InputError, library_text
from routing.i18n import LANGUAGES
from routing.network import PLACE_KINDS, read_places
from routing.outputs import atomic_write
from routing.scenario import DAYS

__all__ = [
    "COUNT_WORDS",
    "DEFAULT_TEMPLATE",
    "FetchResult",
    "fetch_area",
    "overpass_query",
    "parse_bbox",
]

#: The scenario whose fleet, depot, landfill hours, waste figures and tariffs a fetched area starts from.
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "taza-aimak" / "scenario.toml"
#: Places that become a ``[[village]]`` (a city's suburbs are left to the user).
VILLAGE_PLACES = ("town", "village", "hamlet", "isolated_dwelling", "city")

Download = Callable[[str, str, float], bytes]
#: The words of each count in `FetchResult.counts` (English ids of ``taza-cli.po``; "roads: 3"
#: rather than "3 roads", so no language needs a plural form).
COUNT_WORDS: Mapping[str, str] = {
    "roads": "roads: {count}",
    "buildings": "buildings: {count}",
    "places": "places: {count}",
    "landfills": "landfills: {count}",
}


@dataclass(frozen=True)
class FetchResult:
    """What `fetch_area` wrote.

    Attributes
    ----------
    osm_path, scenario_path
        The extract and the scenario started for it.
    counts
        ``roads``, ``buildings``, ``places``, ``landfills`` found in the answer.
    notes
        What was assumed (depot or landfill moved), in the words of the scenario's notes (English
        ids of ``taza-cli.po``, so the command line can print them in its language).
    language
        The scenario's ``language`` as copied from the template (None when it has none).
    """

    osm_path: Path
    scenario_path: Path
    counts: Mapping[str, int]
    notes: tuple[str, ...]
    language: str | None = None


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``"WEST,SOUTH,EAST,NORTH"`` in degrees, else raise an InputError saying how to write it."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        msg = "{field} {text!r}: write it as WEST,SOUTH,EAST,NORTH in degrees, e.g. 72.45,41.85,72.98,42.02"
        raise InputError(msg, field="--bbox", text=text) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        msg = (
            "{field} {text!r}: west must be less than east and south less than north, in degrees "
            "(WEST,SOUTH,EAST,NORTH: longitude first)"
        )
        raise InputError(msg, field="--bbox", text=text)
    return west, south, east, north


def overpass_query(bbox: tuple[float, float, float, float], *, timeout_s: int = 180) -> str:
    """Return the Overpass QL query for the roads, buildings, places and landfills of ``bbox``."""
    west, south, east, north = bbox
    b = f"{south},{west},{north},{east}"  # Overpass wants south, west, north, east
    return (
        f"[out:xml][timeout:{timeout_s}];\n"
        f'(way["highway"]({b});way["building"]({b});node["place"]({b});'
        f'way["landuse"="landfill"]({b}););\n'
        "(._;>;);\nout body;\n"
    )


def _download(url: str, query: str, timeout_s: float) -> bytes:
    import osmnx as ox
    import requests

    headers = {"User-Agent": ox.settings.http_user_agent}
    response = requests.post(
        url.rstrip("/") + "/interpreter", data={"data": query}, headers=headers, timeout=timeout_s
    )
    if response.status_code != 200:
        msg = "{field}: the Overpass server at {url} answered HTTP {status} ({answer}); try again later or another server"
        answer = response.text[:200]  # the server's own words, as it wrote them
        raise InputError(
            msg, field="--overpass-url", url=url, status=response.status_code, answer=answer
        )
    return response.content


def fetch_area(
    bbox: tuple[float, float, float, float],
    out_dir: Path,
    *,
    name: str | None = None,
    template: Path = DEFAULT_TEMPLATE,
    overpass_url: str | None = None,
    timeout_s: float = 300.0,
    overwrite: bool = False,
    download: Download | None = None,
) -> FetchResult:
    """Download an area's roads, buildings and places and write an extract and a scenario.

    Parameters
    ----------
    bbox
        ``(west, south, east, north)`` in degrees.
    out_dir
        Folder for ``<name>.osm`` and ``scenario.toml`` (created).
    name
        Stem of the extract; default the folder's name.
    template
        Scenario whose fleet, depot, landfill hours, waste figures and tariffs are copied.
    overpass_url
        Overpass API base URL; default osmnx's ``settings.overpass_url``.
    timeout_s
        Seconds the download may take.
    overwrite
        Replace an existing ``scenario.toml`` (the extract is always replaced).
    download
        ``(url, query, timeout_s) -> bytes``; default an HTTP POST with osmnx's user agent.

    Returns
    -------
    FetchResult

    Raises
    ------
    routing.errors.InputError
        When ``scenario.toml`` exists and ``overwrite`` is false, when the download fails
        (offline, or the server refused: the library's or server's own words quoted, labelled),
        or when the answer is not OSM data or holds no road.
    """
    import osmnx as ox

    out_dir = Path(out_dir)
    scenario_path = out_dir / "scenario.toml"
    if scenario_path.exists() and not overwrite:
        msg = "{file} exists: pass --force to replace it, or choose another --out"
        raise InputError(msg, file=scenario_path, field="--out")
    url = overpass_url or ox.settings.overpass_url
    try:
        data = (download or _download)(
            url, overpass_query(bbox, timeout_s=int(timeout_s)), timeout_s
        )
    except OSError as exc:  # requests' errors are OSErrors too
        msg = (
            "{field}: could not download the area from {url} ({detail}); offline? Get an extract "
            "instead as the README says under 'Plan your own area'"
        )
        detail = library_text(exc)
        raise InputError(msg, field="--overpass-url", url=url, detail=detail) from exc
    if b"<osm" not in data[:2000]:
        msg = "the answer from {url} is not OpenStreetMap XML: {start!r}"
        raise InputError(msg, field="--overpass-url", url=url, start=data[:200])
    out_dir.mkdir(parents=True, exist_ok=True)
    osm_path = out_dir / f"{name or out_dir.resolve().name}.osm"
    atomic_write(osm_path, lambda h: h.write(data), mode="wb")
    counts, landfills = _inventory(osm_path)
    if counts["roads"] == 0:
        msg = (
            "{file}: the area {bbox} holds no road (highway=*); is the bbox WEST,SOUTH,EAST,NORTH?"
        )
        raise InputError(msg, file=osm_path, field="--bbox", bbox=bbox)
    raw, notes = _scenario(
        tomllib.loads(template.read_text(encoding="utf-8")), bbox, osm_path, landfills
    )
    text = _toml(raw, header=_header(bbox, template))
    atomic_write(scenario_path, lambda h: h.write(text))
    language = raw["scenario"].get("language")
    language = language if language in LANGUAGES else None  # a wrong one is for `check` to name
    return FetchResult(osm_path, scenario_path, counts, tuple(notes), language)


def _inventory(path: Path) -> tuple[dict[str, int], list[tuple[str, float, float]]]:
    """Count roads, buildings, places and landfills; return the landfills' centres."""
    import osmium

    counts = {"roads": 0, "buildings": 0, "places": len(read_places(path)), "landfills": 0}
    landfills: list[tuple[str, float, float]] = []
    keys = osmium.filter.KeyFilter("highway", "building", "landuse")
    for obj in osmium.FileProcessor(str(path)).with_locations().with_filter(keys):
        if not isinstance(obj, osmium.osm.Way):
            continue
        if "highway" in obj.tags:
            counts["roads"] += 1
        if "building" in obj.tags:
            counts["buildings"] += 1
        if obj.tags.get("landuse") == "landfill":
            pts = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
            if pts:
                counts["landfills"] += 1
                lon = sum(p[0] for p in pts) / len(pts)
                lat = sum(p[1] for p in pts) / len(pts)
                landfills.append((obj.tags.get("name") or "landfill", lon, lat))
    return counts, landfills


def _inside(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> bool:
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def _scenario(
    raw: dict[str, Any],
    bbox: tuple[float, float, float, float],
    osm_path: Path,
    landfills: list[tuple[str, float, float]],
) -> tuple[dict[str, Any], list[str]]:
    """The template's tables with this area's source, sites and villages."""
    today = dt.date.today().isoformat()
    centre = ((bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2)
    notes: list[str] = []
    sc = dict(raw.get("scenario", {}))
    sc["name"] = (
        f"{osm_path.stem}: OpenStreetMap area {', '.join(f'{x:g}' for x in bbox)} (fetched {today})"
    )
    sc["assumptions"] = [
        "households are estimated from the residential buildings of the extract (no register)",
        "fleet, depot, landfill hours, waste figures and tariffs are copied from the template scenario",
    ]
    net = dict(raw.get("network", {}))
    net.update(source=osm_path.name, synthetic=False)
    depot = dict(raw["depot"])
    if not _inside(depot["lat"], depot["lon"], bbox):
        depot.update(
            name=f"Depot (area centre), {osm_path.stem}",
            lat=round(centre[0], 6),
            lon=round(centre[1], 6),
        )
        depot["assumption"] = (
            "the template's depot lies outside this area: placed at its centre; move it to the real garage"
        )
        notes.append(depot["assumption"])
    first = dict(raw["landfill"][0])
    if landfills:
        lf_name, lon, lat = landfills[0]
        first.update(name=lf_name, lat=round(lat, 6), lon=round(lon, 6))
        first["assumption"] = (
            "the landfill mapped in OSM (landuse=landfill), its centre; opening hours copied from the template"
        )
        notes.append(first["assumption"])
    elif not _inside(first["lat"], first["lon"], bbox):
        first.update(
            name=f"Landfill (assumed), {osm_path.stem}",
            lat=round(centre[0], 6),
            lon=round(centre[1], 6),
        )
        first["assumption"] = (
            "no landfill in the data and the template's lies outside this area: placed at the area's centre; set the real one"
        )
        notes.append(first["assumption"])
    villages = _villages(raw.get("village", []), read_places(osm_path))
    out = {
        "scenario": sc, "network": net,
        "register": {"household_size": raw.get("register", {}).get("household_size", 4.7)},
        "waste": raw.get("waste", {}), "solver": raw.get("solver", {}), "depot": depot,
        "landfill": [first], "vehicle": raw.get("vehicle", []), "village": villages,
        "tariff": raw.get("tariff", {}),
    }  # fmt: skip
    return out, notes


def _villages(
    template: list[dict[str, Any]], places: list[tuple[str, str, float, float]]
) -> list[dict[str, Any]]:
    """One ``[[village]]`` per named place, collection days spread over Monday to Friday."""
    known = {str(v["name"]).casefold(): v for v in template}
    for v in template:
        for alias in v.get("aliases", []):
            known.setdefault(str(alias).casefold(), v)
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    order = sorted(places, key=lambda p: (PLACE_KINDS.index(p[1]), p[0]))
    for name, kind, _, _ in order:
        if kind not in VILLAGE_PLACES or name in seen:
            continue
        seen.add(name)
        spec = known.get(name.casefold(), {})
        day = DAYS[len(out) % 5]
        village: dict[str, Any] = {
            "name": name, "aiyl_aimak": spec.get("aiyl_aimak", ""), "days": [day], "frequency": 1,
        }  # fmt: skip
        if "population" in spec:
            village["population"] = spec["population"]
        out.append(village)
    if not out:
        out.append({"name": "*", "days": list(DAYS[:5]), "frequency": 1})
    return out


def _header(bbox: tuple[float, float, float, float], template: Path) -> str:
    return (
        f"# Started by `taza-route fetch --bbox {','.join(f'{x:g}' for x in bbox)}` on {dt.date.today()}"
        f" from {template.name}.\n# Map data © OpenStreetMap contributors, ODbL 1.0"
        " (https://www.openstreetmap.org/copyright).\n# Check every value marked `assumption`,"
        " then `taza-route check --deep scenario.toml`.\n\n"
    )


def _value(value: Any) -> str:
    """One TOML value (strings as JSON strings, which TOML reads the same)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if math.isfinite(value) else '"nan"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key, ensure_ascii=False)


def _toml(raw: Mapping[str, Any], *, header: str = "") -> str:
    """Write tables and arrays of tables of scalars, lists and inline tables as TOML."""
    lines = [header.rstrip("\n")] if header else []
    for name, table in raw.items():
        for item in table if isinstance(table, list) else [table]:
            lines.append(f"\n[[{name}]]" if isinstance(table, list) else f"\n[{name}]")
            lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines).lstrip("\n") + "\n"
