"""Tables and data files of a plan (``stops.csv``, ``routes.geojson``, ``summary.json``, the run's table),
the registry of every output format, and the one way outputs are written: atomically.

Every file goes through `routing.atomic.atomic_write` and the whole folder through
`routing.atomic.atomic_folder` (see `routing.api.write_outputs`): a reader never sees half a file, and an
interrupted run leaves the previous outputs as they were.

:data:`FORMATS` maps each format's name to an :class:`OutputFormat` (its writer
``writer(plan, folder, options) -> paths``, the files it writes, the names it owns), in the order they
are written; a new output format is one writer function and one entry there.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from shapely.geometry import mapping

from routing.atomic import atomic_write
from routing.exports import write_geojson, write_gpx, write_kml
from routing.i18n import day_name, format_clock, translator
from routing.unserved import group_reasons, kind_text, reason_text

if TYPE_CHECKING:  # writers only read a Plan; the command line imports this module for --help
    from routing.plan import Plan

PLAN_FILE = "plan.json"
"""The saved plan's name in an output folder (`routing.planfile`)."""

STOP_FIELDS = [
    "day", "date", "vehicle", "trip", "sequence", "kind", "point_id", "label", "village", "street",
    "households", "sides", "arrival", "departure", "demand_kg", "load_kg_after", "load_m3_after", "lat", "lon",
]  # fmt: skip


def write_stops_csv(plan: Plan, path: Path) -> Path:
    """One row per visit: day, vehicle, trip, sequence, point, households, arrival, load after the visit."""

    def write(handle: io.TextIOBase) -> None:
        writer = csv.DictWriter(handle, fieldnames=STOP_FIELDS)
        writer.writeheader()
        for vd in plan.vehicle_days:
            for s in vd.stops:
                writer.writerow(
                    {
                        "day": s.day, "date": vd.date, "vehicle": s.vehicle, "trip": s.trip, "sequence": s.sequence,
                        "kind": s.kind, "point_id": s.point_id, "label": s.label, "village": s.village,
                        "street": s.street, "households": s.households, "sides": s.sides,
                        "arrival": format_clock(s.arrival_s), "departure": format_clock(s.departure_s),
                        "demand_kg": round(s.demand_kg, 1), "load_kg_after": round(s.load_kg, 1),
                        "load_m3_after": round(s.load_m3, 2), "lat": round(s.lat, 6), "lon": round(s.lon, 6),
                    }
                )  # fmt: skip

    return atomic_write(path, write)


def write_routes_geojson(plan: Plan, path: Path) -> Path:
    """One LineString feature per vehicle-day-trip, following the streets."""
    features = []
    for vd in plan.vehicle_days:
        for trip, line in enumerate(vd.trips):
            stops = [s for s in vd.stops if s.trip == trip and s.kind == "collect"]
            features.append(
                {
                    "type": "Feature",
                    "geometry": mapping(line),
                    "properties": {
                        "day": vd.day,
                        "date": vd.date,
                        "vehicle": vd.vehicle,
                        "trip": trip,
                        "stops": len(stops),
                        "households": sum(s.households for s in stops),
                        "load_kg": round(sum(s.demand_kg for s in stops), 1),
                    },
                }
            )
    doc = {
        "type": "FeatureCollection",
        "attribution": plan.attribution,
        "synthetic": plan.synthetic,
        "features": features,
    }
    return atomic_write(path, lambda h: json.dump(doc, h, ensure_ascii=False))


def summary(plan: Plan) -> dict[str, Any]:
    """The plan's figures: households in = served + unserved, reasons, and each vehicle-day's work."""
    sc = plan.scenario
    hh = plan.households
    reasons = Counter(str(r) for r in plan.unserved["reason"])
    levels = Counter(str(x) for x in hh["match_level"].fillna("none"))
    per_vd = [
        {
            "day": vd.day,
            "date": vd.date,
            "vehicle": vd.vehicle,
            "km": round(vd.km, 2),
            "hours": round(vd.hours, 2),
            "start": format_clock(vd.start_s),
            "end": format_clock(vd.end_s),
            "landfill_trips": vd.landfill_trips,
            "uturns": vd.uturns,
            "stops": len(vd.collect_stops),
            "households": vd.households,
            "load_kg": round(vd.load_kg, 1),
            "load_m3": round(vd.load_m3, 2),
        }
        for vd in plan.vehicle_days
    ]
    served = hh[hh["status"] == "served"]
    aimak_of = {v.name: v.aiyl_aimak for v in sc.villages}
    revenue: Counter[str] = Counter()
    for village, n in served["village_spec"].value_counts().items():
        aimak = aimak_of.get(str(village), "")
        revenue[aimak] += n * sc.tariffs.get(aimak, 0.0)
    return {
        "scenario": sc.name,
        "scenario_file": sc.path.name,
        "attribution": plan.attribution,
        "synthetic": plan.synthetic,
        "assumptions": plan.assumptions,
        "households_in": plan.households_in,
        "households_served": plan.households_served,
        "households_unserved": plan.households_unserved,
        "unserved_by_reason": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        "unserved_by_kind": {k: n for k, n, _ in group_reasons(plan.unserved["reason"])},
        "households_outside_area": int(plan.stats.get("households_outside_area", 0)),
        "warnings": list(plan.warnings),
        "unserved": [
            {k: _plain(v) for k, v in row.items()}
            for row in plan.unserved.to_dict(orient="records")
        ],
        "match_levels": dict(levels),
        "vehicle_days": per_vd,
        "totals": {
            "km": round(sum(v.km for v in plan.vehicle_days), 1),
            "hours": round(sum(v.hours for v in plan.vehicle_days), 1),
            "landfill_trips": sum(v.landfill_trips for v in plan.vehicle_days),
            "uturns": sum(v.uturns for v in plan.vehicle_days),
            "load_kg": round(sum(v.load_kg for v in plan.vehicle_days), 1),
        },
        "tariff_revenue_per_month": {k: round(v, 2) for k, v in revenue.items() if k},
        "currency": sc.currency,
        "shortfall": plan.shortfall,
        "stats": plan.stats,
    }


def _plain(value: Any) -> Any:
    """A table cell as a JSON value: numpy scalars unwrapped, missing values as null."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def write_summary_json(plan: Plan, path: Path) -> Path:
    """``summary.json``: see :func:`summary`."""
    doc = summary(plan)
    return atomic_write(
        path, lambda h: json.dump(doc, h, ensure_ascii=False, indent=2, default=str)
    )


def table(plan: Plan, *, language: str | None = None) -> str:
    """A short text table of the week for the end of the run, in the scenario's language."""
    language = language or plan.scenario.language
    _ = translator(language)
    head = (
        _("Day"),
        _("Vehicle"),
        _("Stops"),
        _("Households"),
        _("km"),
        _("h"),
        _("Trips"),
        _("kg"),
    )
    lines = [
        f"{head[0][:9]:<9} {head[1][:24]:<24} {head[2][:6]:>6} {head[3][:9]:>9} {head[4]:>7} {head[5]:>5} {head[6][:6]:>6} {head[7]:>8}"
    ]
    for vd in plan.vehicle_days:
        lines.append(
            f"{day_name(vd.day, plan.scenario.language, short=True):<9} {vd.vehicle[:24]:<24} "
            f"{len(vd.collect_stops):>6} {vd.households:>9} {vd.km:>7.1f} {vd.hours:>5.1f} "
            f"{vd.landfill_trips:>6} {vd.load_kg:>8.0f}"
        )
    lines.append(
        f"{_('Households in register')}: {plan.households_in} = {_('Served households')} "
        f"{plan.households_served} + {_('Unserved households')} {plan.households_unserved}"
    )
    for kind, n, detail in group_reasons(plan.unserved["reason"]):
        shown = reason_text(detail[0][0], language)  # in the table's language (routing.unserved)
        example = f" ({shown}{', …' if len(detail) > 1 else ''})" if kind != detail[0][0] else ""
        lines.append(f"  {_('Unserved')} {n:>5}: {kind_text(kind, language)}{example}")
    outside = int(plan.stats.get("households_outside_area", 0))
    if outside:
        lines.append(_("Outside the plan area (not counted): {n} households", n=outside))
    lines += [f"{_('Warning')}: {warning}" for warning in plan.warnings]
    lines += shortfall_lines(plan, _)
    lines.append(plan.attribution)
    if plan.synthetic:
        lines.append(_("Synthetic stand-in streets: not the real street network."))
    return "\n".join(lines)


def shortfall_lines(plan: Plan, _: Callable[..., str]) -> list[str]:
    """What would serve the households still left out on full days (`routing.schedule`)."""
    short, language = plan.shortfall, plan.scenario.language
    lines = []
    for day, hours in short.get("hours_short", {}).items():
        more = short["more_vehicles"][day]
        text = _(
            "{day}: {hours} vehicle-hours short; {count} more {vehicle} would serve them",
            day=day_name(day, language),
            hours=hours,
            count=more["count"],
            vehicle=more["vehicle"],
        )
        lines.append(f"  {text}")
    for move in short.get("moves", []):
        if move["to"]:
            text = _(
                "{village} ({hours} h on {day}) could move to {days}",
                village=move["village"],
                hours=move["hours"],
                day=day_name(move["from"], language),
                days=", ".join(day_name(d, language) for d in move["to"]),
            )
            lines.append(f"  {text}")
    return lines


@dataclass(frozen=True)
class OutputOptions:
    """What every writer may need besides the plan: the language, whether the map is offline and
    the template of each vehicle-day's driver-page address for the sheets' QR codes
    (`routing.links`; None: the QR code names the GPX file) and the secret key its ``{token}``
    field is made with."""

    language: str
    offline: bool = False
    driver_url: str | None = None
    driver_key: str | None = None


Writer: TypeAlias = "Callable[[Plan, Path, OutputOptions], list[Path]]"


def _write_map(plan: Plan, folder: Path, options: OutputOptions) -> list[Path]:
    from routing.maps import write_week_map  # folium is slow to import; only when asked

    return [
        write_week_map(
            plan, folder / "week.html", language=options.language, offline=options.offline
        )
    ]


def _write_plan_file(plan: Plan, folder: Path, options: OutputOptions) -> list[Path]:
    from routing.planfile import write_plan_file  # geopandas: only when asked

    return [write_plan_file(plan, folder / PLAN_FILE)]


def _write_sheets(plan: Plan, folder: Path, options: OutputOptions) -> list[Path]:
    from routing.sheets import write_driver_sheets  # reportlab: only when asked

    return write_driver_sheets(
        plan,
        folder / "sheets",
        language=options.language,
        driver_url=options.driver_url,
        driver_key=options.driver_key,
    )


def _write_geocoding(plan: Plan, folder: Path, options: OutputOptions) -> list[Path]:
    from routing.geocode import write_plan_geocoding

    return write_plan_geocoding(plan, folder, language=options.language)


def _write_screenshots(plan: Plan, folder: Path, options: OutputOptions) -> list[Path]:
    from routing.screenshots import keep_screenshots

    return keep_screenshots(folder)


@dataclass(frozen=True)
class OutputFormat:
    """One output: its writer, what it writes (for messages and ``--help``) and the names it owns.

    ``owns`` are the entries it writes at the top of the output folder; a run that does not write
    the format leaves none of them (see `routing.atomic.atomic_folder`).
    """

    writer: Writer
    files: str
    about: str
    owns: tuple[str, ...]


FORMATS: Mapping[str, OutputFormat] = {
    "summary": OutputFormat(
        lambda plan, folder, _: [write_summary_json(plan, folder / "summary.json")],
        "summary.json", "figures, unserved households with reasons", ("summary.json",),
    ),
    "stops": OutputFormat(
        lambda plan, folder, _: [write_stops_csv(plan, folder / "stops.csv")],
        "stops.csv", "every visit in order", ("stops.csv",),
    ),
    "routes": OutputFormat(
        lambda plan, folder, _: [write_routes_geojson(plan, folder / "routes.geojson")],
        "routes.geojson", "every trip's line", ("routes.geojson",),
    ),
    "plan": OutputFormat(
        _write_plan_file, PLAN_FILE, "the plan itself, to draw its sheets again (taza-route sheets)",
        (PLAN_FILE,),
    ),
    "map": OutputFormat(
        _write_map, "week.html", "the interactive map", ("week.html", "week_files")
    ),
    "sheets": OutputFormat(
        _write_sheets, "sheets/<day>-<vehicle>.pdf", "driver sheets", ("sheets",)
    ),
    "gpx": OutputFormat(
        lambda plan, folder, _: write_gpx(plan, folder / "gpx"),
        "gpx/<day>-<vehicle>.gpx", "GPX tracks", ("gpx",),
    ),
    "kml": OutputFormat(
        lambda plan, folder, _: write_kml(plan, folder / "gpx"),
        "gpx/<day>-<vehicle>.kml", "KML files", ("gpx",),
    ),
    "geojson": OutputFormat(
        lambda plan, folder, _: write_geojson(plan, folder / "gpx"),
        "gpx/<day>-<vehicle>.geojson", "GeoJSON per vehicle-day", ("gpx",),
    ),
    "geocoding": OutputFormat(
        _write_geocoding, "geocoding.csv, geocoding-aliases.csv, geocoding.geojson",
        "register rows to fix, with why", ("geocoding.csv", "geocoding-aliases.csv",
                                           "geocoding.geojson"),
    ),
    # last: it looks at the map and the sheets written before it
    "screenshots": OutputFormat(
        _write_screenshots, "week.png, sheet.png", "needs chromium and pdftoppm",
        ("week.png", "sheet.png"),
    ),
}  # fmt: skip
"""Every output format by name, in the order they are written."""

OWNED_NAMES = frozenset(name for fmt in FORMATS.values() for name in fmt.owns)
"""What the formats write at the top of an output folder; anything else there is carried over."""
