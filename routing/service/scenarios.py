"""Scenarios in the service: the embedded default, the edit form, and validation as the TOML is.

A scenario is kept as TOML text whose input paths are file names in the enterprise's inputs folder.
The form changes values of the parsed TOML; the result is written back as TOML and read with
:func:`routing.scenario.load_scenario`, so a value the form accepts is exactly one the file would,
and a refused one gets the same message (with the file named ``scenario.toml``).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tomllib
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from routing.scenario import DAYS, Scenario, ScenarioError, load_scenario

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "data" / "taza-aimak" / "scenario.toml"
SHOWN_NAME = "scenario.toml"

# Form fields by table: (key, kind) with kind "number", "text" or "time".
SCENARIO_FIELDS = (
    ("name", "text"),
    ("language", "text"),
    ("currency", "text"),
    ("week_start", "date"),
)
SOLVER_FIELDS = (("time_limit_s", "number"), ("max_iterations", "number"), ("seed", "number"))
WASTE_FIELDS = (("kg_per_person_day", "number"), ("service_s_per_household", "number"))
SITE_FIELDS = (("name", "text"), ("lat", "number"), ("lon", "number"))
LANDFILL_FIELDS = (*SITE_FIELDS, ("open", "time"), ("close", "time"), ("unload_min", "number"))
VEHICLE_FIELDS = (
    ("name", "text"), ("kind", "text"), ("count", "number"), ("capacity_kg", "number"),
    ("capacity_m3", "number"), ("shift_start", "time"), ("shift_end", "time"),
    ("lunch_min", "number"), ("cost_per_km", "number"), ("cost_per_hour", "number"),
    ("fixed_cost", "number"), ("driver", "text"),
)  # fmt: skip
VILLAGE_FIELDS = (("frequency", "number"),)
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+[.,]?\d*|[.,]\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse(toml_text: str) -> dict[str, Any]:
    """The TOML text of a stored scenario as nested dicts and lists."""
    return tomllib.loads(toml_text)


def dump(raw: Mapping[str, Any]) -> str:
    """Nested dicts and lists as TOML text (empty values left out)."""
    return tomli_w.dumps(_prune(raw))


def _prune(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def seed_default(inputs: Path) -> tuple[str, str]:
    """Copy the embedded default scenario's inputs into an enterprise folder.

    Returns
    -------
    tuple
        The scenario's name and its TOML text referring to the copies.
    """
    raw = tomllib.loads(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    inputs.mkdir(parents=True, exist_ok=True)
    _copy_files(raw, DEFAULT_SCENARIO.parent, inputs)
    return str(raw["scenario"]["name"]), dump(raw)


def _copy_files(node: Any, base: Path, inputs: Path) -> None:
    """Copy every file a scenario names (OSM source, register, ...) and refer to the copies."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if isinstance(value, dict | list):
            _copy_files(value, base, inputs)
        elif isinstance(value, str) and value and (base / value).is_file():
            stored = f"default-{Path(value).name}"
            shutil.copyfile(base / value, inputs / stored)
            node[key] = stored


def validate(toml_text: str, inputs: Path) -> Scenario:
    """Read a scenario's TOML as ``taza-route check`` would, from the enterprise's inputs folder.

    Raises
    ------
    ScenarioError
        With the message the file would give, the file named ``scenario.toml``.
    """
    inputs.mkdir(parents=True, exist_ok=True)
    path = inputs / f"check-{uuid.uuid4().hex}.toml"
    path.write_text(toml_text, encoding="utf-8")
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        shown = exc.replaced(str(path.resolve()), SHOWN_NAME).replaced(str(path), SHOWN_NAME)
        shown = shown.replaced(str(inputs.resolve()) + "/", "").replaced(str(inputs) + "/", "")
        raise shown from None
    finally:
        path.unlink(missing_ok=True)


def _value(text: str, kind: str) -> Any:
    """A form value as the TOML would hold it; text that is not a number stays text (and is refused)."""
    text = text.strip()
    if text == "":
        return None
    if kind == "number":
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text):
            return float(text.replace(",", "."))
    if kind == "date" and _DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    return text


def _apply(table: dict[str, Any], form: Mapping[str, str], prefix: str, fields: Any) -> None:
    for key, kind in fields:
        name = f"{prefix}.{key}"
        if name in form:
            value = _value(form[name], kind)
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value


def apply_form(
    raw: dict[str, Any], form: Mapping[str, str], days: Mapping[int, list[str]]
) -> dict[str, Any]:
    """The scenario with the form's values put in (a new dict; ``raw`` is not changed).

    Parameters
    ----------
    raw
        The parsed TOML.
    form
        Field name -> text, names like ``vehicle.0.capacity_kg`` or ``depot.lat``.
    days
        Village index -> the weekdays ticked.
    """
    out = tomllib.loads(dump(raw))
    for table, fields in (
        ("scenario", SCENARIO_FIELDS),
        ("solver", SOLVER_FIELDS),
        ("waste", WASTE_FIELDS),
        ("depot", SITE_FIELDS),
    ):
        _apply(out.setdefault(table, {}), form, table, fields)
    for i, lf in enumerate(out.get("landfill", [])):
        _apply(lf, form, f"landfill.{i}", LANDFILL_FIELDS)
    vehicles = out.get("vehicle", [])
    for i, vehicle in enumerate(vehicles):
        _apply(vehicle, form, f"vehicle.{i}", VEHICLE_FIELDS)
    removed = {i for i in range(len(vehicles)) if form.get(f"vehicle.{i}.remove")}
    out["vehicle"] = [v for i, v in enumerate(vehicles) if i not in removed]
    if form.get("vehicle.new.name", "").strip():
        new = dict(vehicles[0]) if vehicles else {}
        new.pop("assumption", None)
        _apply(new, form, "vehicle.new", VEHICLE_FIELDS)
        out["vehicle"].append(new)
    for i, village in enumerate(out.get("village", [])):
        _apply(village, form, f"village.{i}", VILLAGE_FIELDS)
        if i in days:
            village["days"] = [d for d in DAYS if d in days[i]]
    tariffs = out.setdefault("tariff", {})
    for aimak in list(tariffs):
        name = f"tariff.{aimak}"
        if name in form:
            value = _value(form[name], "number")
            tariffs[aimak] = value if value is not None else ""
    return out


def input_name(raw: Mapping[str, Any], table: str, key: str) -> str | None:
    """The stored file name an input of the scenario refers to (``register.households`` …)."""
    value = raw.get(table, {}).get(key)
    return value if isinstance(value, str) and value else None
