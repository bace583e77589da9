"""Uploaded registers and container lists: checked, stored under a server-chosen name, geocoded.

An upload is refused before it is read when it is too large, has a kind of name we do not read, or
its bytes are not what its name says (a renamed binary, an Excel file that is not a workbook, JSON
that is not GeoJSON). The name a user gave is kept only to be shown; the file on disk is named by a
random hexadecimal id plus one of the accepted suffixes, so no upload can choose a path.

The geocoding report lists the rows not located at house level, with why; fixes typed into the
page become a corrections file in the format ``[register] corrections`` already reads
(:func:`routing.geocode.read_corrections`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from routing.errors import InputError
from routing.scenario import Scenario

SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".json": "geojson"}
KINDS = ("households", "containers")
CORRECTION_FIELDS = ("source_row", "household_id", "village", "street", "house", "lat", "lon")
_SNIFF_BYTES = 64 * 1024


class UploadError(InputError):
    """A refused upload: its template is an English id of ``taza-web.po``, which
    ``error.text(language)`` translates like any input error's."""


def check_upload(filename: str, data: bytes, *, max_bytes: int) -> str:
    """Check an upload's size, name and content; return the suffix it will be stored with.

    Raises
    ------
    UploadError
        Saying what is wrong and what to send instead.
    """
    shown = display_name(filename)
    if not data:
        raise UploadError("{name} is empty.", name=shown)
    if len(data) > max_bytes:
        raise UploadError(
            "{name} is larger than the limit of {limit_mb} MB.",
            name=shown,
            limit_mb=round(max_bytes / 1024 / 1024, 1),
        )
    suffix = Path(shown).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError("{name}: only CSV, Excel .xlsx and GeoJSON files are read.", name=shown)
    kind = SUFFIXES[suffix]
    if kind == "xlsx":
        if not data.startswith(b"PK\x03\x04") or not _is_workbook(data):
            raise UploadError(
                "{name} is not an Excel workbook, though its name ends in .xlsx (a renamed file?).",
                name=shown,
            )
        return suffix
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head or _looks_binary(head):
        raise UploadError(
            "{name} holds binary data, not text (a renamed file of another kind?). Save the register as CSV, Excel .xlsx or GeoJSON.",
            name=shown,
        )
    if kind == "geojson":
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise UploadError("{name} is not valid GeoJSON.", name=shown) from None
        if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
            raise UploadError("{name} is not valid GeoJSON.", name=shown)
    return suffix


def _is_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _looks_binary(head: bytes) -> bool:
    """Control bytes other than tab, newline and carriage return are not in a text table."""
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return control > max(2, len(head) // 1000)


def display_name(filename: str | None) -> str:
    """The last part of an uploaded file's name, for showing only (never used as a path)."""
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable())[:200]
    return name or "upload"


def store(data: bytes, suffix: str, inputs: Path) -> str:
    """Write an accepted upload under a new random name in ``inputs``; return that name."""
    if suffix not in SUFFIXES:
        msg = f"suffix {suffix!r} is not one of {sorted(SUFFIXES)}"
        raise ValueError(msg)
    inputs.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{suffix}"
    (inputs / name).write_bytes(data)
    return name


@dataclass(frozen=True)
class Report:
    """What the geocoder made of a register: rows read, located, and the rows to fix.

    Each row's ``why`` keeps the geocoder's English words; the page shows them in its language
    (`routing.geocode.translate_reason`), so one report serves every language.
    """

    rows: int
    located: int
    to_fix: list[dict[str, Any]]


def count_rows(path: Path, kind: str, *, max_rows: int) -> int:
    """Read a register or container list as a plan would; refuse one with too many rows.

    Raises
    ------
    UploadError
        More rows than ``max_rows``.
    ValueError
        The reader's own message naming the file, row and field.
    """
    from routing.register import read_containers, read_households

    table = read_households(path) if kind == "households" else read_containers(path)
    if len(table) > max_rows:
        raise UploadError(
            "{name}: {rows} rows is more than the limit of {limit}.",
            name=path.name, rows=len(table), limit=max_rows,
        )  # fmt: skip
    return len(table)


def geocode_report(scenario: Scenario, cache_dir: Path) -> Report:
    """Locate the scenario's register (with its corrections) and list the rows not located well."""
    from routing.geocode import Gazetteer, geocode_households, read_corrections
    from routing.register import read_households

    assert scenario.households is not None
    frame = read_households(scenario.households, columns=scenario.households_columns)
    gazetteer = Gazetteer.from_osm(scenario.osm, cache_dir=cache_dir)
    corrections = read_corrections(scenario.corrections) if scenario.corrections else None
    gdf = geocode_households(frame, gazetteer, corrections=corrections)
    good = gdf["ok"].astype(bool) & gdf["match_level"].isin(
        ["coordinates", "house", "interpolated"]
    )
    rows = []
    for rec in gdf.loc[~good].to_dict("records"):
        rows.append(
            {
                "source_row": int(rec["source_row"]),
                "household_id": _text(rec.get("household_id")),
                "village": _text(rec.get("village")),
                "street": _text(rec.get("street")),
                "house": _text(rec.get("house")),
                "level": _text(rec.get("match_level")),
                "why": "; ".join(
                    p for p in (_text(rec.get("reason")), _text(rec.get("note"))) if p
                ),
            }
        )
    return Report(rows=len(gdf), located=int(good.sum()), to_fix=rows)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def write_corrections(
    fixes: Mapping[int, Mapping[str, str]], previous: Path | None, inputs: Path
) -> str:
    """Merge the page's fixes (by register row) with earlier ones into a new corrections file.

    Rows left blank are ignored; the file is checked with ``read_corrections`` before it is kept.

    Returns
    -------
    str
        The new file's name in ``inputs``.

    Raises
    ------
    routing.errors.InputError
        ``read_corrections``'s message naming the row and field (the file named corrections.csv).
    """
    from routing.geocode import read_corrections

    merged: dict[int, dict[str, str]] = {}
    if previous is not None and previous.is_file():
        for rec in read_corrections(previous).to_dict("records"):
            merged[int(rec["source_row"])] = {
                k: "" if pd.isna(rec.get(k)) else str(rec.get(k)) for k in CORRECTION_FIELDS
            }
    for row, values in fixes.items():
        clean = {k: str(values.get(k, "")).strip() for k in CORRECTION_FIELDS}
        if any(clean[k] for k in ("street", "lat", "lon")):
            clean["source_row"] = str(int(row))
            merged[int(row)] = clean
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CORRECTION_FIELDS)
    writer.writeheader()
    for row in sorted(merged):
        writer.writerow(merged[row])
    name = f"{uuid.uuid4().hex}-corrections.csv"
    path = inputs / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        read_corrections(path)
    except InputError as exc:
        path.unlink(missing_ok=True)
        raise exc.replaced(str(path), "corrections.csv") from None
    return name
