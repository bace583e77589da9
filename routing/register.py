"""Read household registers and container lists in every format a manager keeps them.

CSV (UTF-8 with or without BOM, Windows-1251 and other legacy encodings detected; ``;``, ``,`` or tab
delimited), Excel ``.xlsx``, GeoJSON and GeoPackage. Column headers are recognised in Kyrgyz, Russian and
English or mapped explicitly (canonical name -> header in the file). Title lines above the header (common
in registers printed from Excel) are skipped. Errors name the file, the row and the field. Input files
are only read, never written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from routing.errors import InputError, library_text

__all__ = [
    "CONTAINER_ALIASES",
    "HOUSEHOLD_ALIASES",
    "HOUSE_DATE_NOTES",
    "decode_text",
    "house_from_date",
    "match_headers",
    "read_containers",
    "read_households",
    "read_table",
    "sniff_delimiter",
]

logger = logging.getLogger(__name__)

# The note of a house number recovered from a date (English ids of taza-geocode.po; the geocoding
# report shows them in the user's language).
HOUSE_DATE_NOTES = ("house number {house} was a date made by a spreadsheet", "read as {fixed}")

HOUSEHOLD_COLUMNS = (
    "household_id",
    "source_row",
    "village",
    "street",
    "house",
    "head",
    "members",
    "lat",
    "lon",
    "house_note",
    "municipality",
)

# Accepted headers per canonical column (compared after _header_key: lower case, ё->е, no punctuation).
HOUSEHOLD_ALIASES: dict[str, tuple[str, ...]] = {
    "household_id": (
        "household_id", "id", "№", "no", "nr", "number", "n", "номер", "№ п/п", "п/п", "№пп",
        "код", "катар", "катар саны", "реттик номер", "ид",
    ),
    "village": (
        "village", "айыл", "село", "settlement", "locality", "place", "city", "town", "айылы",
        "айыл аты", "кыштак", "конуш", "населенный пункт", "нас пункт", "нп", "поселок",
        "аил", "selo", "aiyl", "ayil", "ayyl",
    ),
    "street": (
        "street", "көчө", "улица", "road", "address street", "көчөсү", "кочо", "ул", "koch", "kocho",
        "köchö", "kochosu", "ulitsa", "addr:street",
    ),
    # One column with street and number ("ул. Манаса, д. 12"): split when no street column exists.
    "address": ("address", "адрес", "дарек", "дареги", "адрес проживания", "жашаган жери"),
    "house": (
        "house", "үй", "дом", "house number", "housenumber", "house no", "no house", "building",
        "үй номери", "үйдүн номери", "уй", "номер дома", "№ дома", "дом №", "addr:housenumber", "uy",
        "üy", "uy nomeri", "dom",
    ),
    "head": (
        "head", "head of household", "name", "full name", "householder", "owner", "фио",
        "фио главы семьи", "глава семьи", "глава хозяйства", "фио главы хозяйства", "владелец",
        "үй бүлө башчысы", "үй-бүлө башчысы", "аты-жөнү", "аты жөнү", "ээси",
    ),
    "members": (
        "members", "мүчөлөрү", "кол-во членов семьи", "household size", "persons", "people", "size",
        "residents", "family size", "mucholoru", "mücholörü", "adam sany", "мүчөлөр", "мүчө саны", "үй бүлө мүчөлөрү", "үй-бүлө мүчөлөрүнүн саны",
        "үй бүлө мүчөлөрүнүн саны", "адам саны", "жашоочулар", "кол-во членов семьи",
        "количество членов семьи", "членов семьи", "членов", "число членов семьи", "кол-во человек",
        "количество человек", "человек", "чел", "жильцов", "кол-во жильцов", "состав семьи",
    ),
    "lat": ("lat", "latitude", "y", "широта", "кеңдик", "кендик", "lat_wgs84", "shirota"),
    "lon": ("lon", "lng", "long", "longitude", "x", "долгота", "узундук", "lon_wgs84", "dolgota"),
    # the village's municipality: tells apart two villages of one name (routing.places)
    "municipality": (
        "municipality", "aiyl_aimak", "aiyl aimak", "айыл аймак", "айылдык аймак", "аил аймак",
        "айыл өкмөтү", "аильный аймак", "айыльный аймак", "муниципалитет", "commune", "gemeinde",
    ),
}  # fmt: skip

CONTAINER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "название", "наименование", "аталышы", "аты", "объект", "место", "site"),
    "village": HOUSEHOLD_ALIASES["village"],
    "kind": ("kind", "type", "тип", "вид", "түрү", "category", "категория"),
    "lat": HOUSEHOLD_ALIASES["lat"],
    "lon": HOUSEHOLD_ALIASES["lon"],
    "volume_m3": (
        "volume_m3", "volume", "volume m3", "capacity m3", "объем", "объем м3", "объём м3",
        "объем контейнера", "көлөмү", "көлөм", "колому",
    ),
    "count": ("count", "number of containers", "containers", "кол-во", "количество", "саны", "qty"),
    "fill_rate": (
        "fill_rate", "fill", "fill rate", "заполнение", "заполняемость", "коэффициент заполнения",
        "толтуруу", "толушу",
    ),
    "collections_per_week": (
        "collections_per_week", "collections per week", "per week", "вывозов в неделю",
        "раз в неделю", "вывоз в неделю", "жумасына", "жумасына канча жолу",
    ),
}  # fmt: skip

_MAX_TITLE_ROWS = 15


def _header_key(text: Any) -> str:
    s = unicodedata.normalize("NFC", str(text)).strip().lower().replace("ё", "е")
    s = s.replace("\ufeff", "")
    s = re.sub(r"\(.*?\)", " ", s)  # "Объем (м3)" -> "объем"
    s = re.sub(r"[\s_.,:;\-]+", " ", s)
    return s.strip()


def _alias_index(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for canon, names in aliases.items():
        index[_header_key(canon)] = canon
        for name in names:
            index.setdefault(_header_key(name), canon)
    return index


def match_headers(
    headers: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    columns: Mapping[str, str] | None,
    *,
    path: Path,
) -> dict[str, int]:
    """Map canonical column -> position in ``headers``.

    Parameters
    ----------
    headers
        The header row as read.
    aliases
        Canonical column -> accepted headers (compared in lower case without punctuation; a
        ``?`` that a Windows-1251 file wrote for ө, ү or ң stands for any letter).
    columns
        Explicit canonical column -> header, for headers that are not recognised.
    path
        The file, for the error message.

    Raises
    ------
    routing.errors.InputError
        When ``columns`` names an unknown field or a header the row does not have.
    """
    found: dict[str, int] = {}
    keys = [_header_key(h) for h in headers]
    if columns:
        for field, header in columns.items():
            if field not in aliases:
                allowed = ", ".join(aliases)
                msg = "{file}: columns mapping names unknown field {field!r}; allowed: {allowed}"
                raise InputError(msg, file=path, field=field, allowed=allowed)
            hk = _header_key(header)
            if hk not in keys:
                msg = (
                    "{file}: columns mapping says {field!r} is in column {header!r}, "
                    "but the header row has {headers}"
                )
                raise InputError(
                    msg, file=path, row=1, field=field, header=header, headers=list(headers)
                )
            found[field] = keys.index(hk)
    index = _alias_index(aliases)
    for pos, key in enumerate(keys):
        canon: str | None = index.get(key)
        if canon is None and "?" in key:
            canon = _wildcard_header(key, index)
        if canon is None and key:
            # "Кол-во членов семьи (чел.)", "Широта, °": accept a header that starts with an alias.
            for alias, c in index.items():
                if len(alias) >= 4 and key.startswith(alias + " "):
                    canon = c
                    break
        if canon is not None and canon not in found and pos not in found.values():
            found[canon] = pos
    return found


def _wildcard_header(key: str, index: Mapping[str, str]) -> str | None:
    """The column a header names whose ө, ү, ң a Windows-1251 file turned into ``?``."""
    pattern = re.compile(re.escape(key).replace(r"\?", "."))
    found = {c for alias, c in index.items() if pattern.fullmatch(alias)}
    return found.pop() if len(found) == 1 else None


def _header_score(row: Sequence[str], index: Mapping[str, str]) -> int:
    return sum(
        1
        for cell in row
        if _header_key(cell) in index
        or ("?" in str(cell) and _wildcard_header(_header_key(cell), index))
    )


def decode_text(data: bytes, path: Path) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else the legacy code
    page charset-normalizer finds likeliest (Windows-1251, KOI8-R, CP866 …).

    Raises
    ------
    routing.errors.InputError
        When no encoding fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp866", "mac_cyrillic", "cp1252"])
    match = best.best()
    if match is None:
        try:  # too short for a guess: the legacy code page of Kyrgyz and Russian Windows
            return data.decode("cp1251")
        except UnicodeDecodeError:
            pass
        msg = "{file}: cannot detect the text encoding; save the file as UTF-8 or Windows-1251"
        raise InputError(msg, file=path)
    return str(match)


def sniff_delimiter(text: str) -> str:
    """The delimiter (``;``, ``,``, tab or ``|``) that splits most lines alike."""
    sample = [line for line in text.splitlines()[: _MAX_TITLE_ROWS + 20] if line.strip()]
    best, best_score = ",", -1.0
    for delim in (";", ",", "\t", "|"):
        counts = [line.count(delim) for line in sample]
        if not counts or max(counts) == 0:
            continue
        # The delimiter appears the same number of times on most lines.
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * (common > 0) + 0.01 * common
        if score > best_score:
            best, best_score = delim, score
    return best


def read_table(path: Path, *, sheet: str | None = None) -> tuple[list[list[str]], list[int]]:
    """Read a CSV or Excel file as rows of strings, with the 1-based file row of each.

    Parameters
    ----------
    path
        A ``.csv`` (any delimiter and encoding `decode_text` reads) or ``.xlsx``/``.xlsm`` file.
    sheet
        The Excel sheet (default: the first).

    Raises
    ------
    routing.errors.InputError
        A file that is not a workbook (or a zip without one), an old ``.xls``, an unknown sheet, a
        NUL byte in a text file, a file of blank lines only.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows, numbers = _read_excel(path, sheet)
    elif suffix == ".xls":
        msg = "{file}: old Excel .xls is not read; save it as .xlsx or CSV"
        raise InputError(msg, file=path)
    else:
        rows, numbers = _read_csv(path)
    if not any(any(str(c).strip() for c in r) for r in rows):
        msg = "{file}: the file holds nothing; a header row and one row per household are needed"
        if rows:
            msg = "{file}: the file holds only blank lines; a header row and one row per household are needed"
        raise InputError(msg, file=path)
    return rows, numbers


def _read_excel(path: Path, sheet: str | None) -> tuple[list[list[str]], list[int]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, InvalidFileException, OSError, ValueError) as exc:
        msg = (
            "{file}: cannot be read as an Excel workbook (no workbook inside: {detail}); open it "
            "in Excel or LibreOffice and save it again as .xlsx, or export it as CSV"
        )
        if isinstance(exc, zipfile.BadZipFile):
            msg = (
                "{file}: cannot be read as an Excel workbook (not a zip file: {detail}); open it "
                "in Excel or LibreOffice and save it again as .xlsx, or export it as CSV"
            )
        raise InputError(msg, file=path, detail=library_text(exc, library="openpyxl")) from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            msg = "{file}: no sheet {sheet!r}; the workbook has {sheets}"
            raise InputError(msg, file=path, field="sheet", sheet=sheet, sheets=wb.sheetnames)
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        rows: list[list[str]] = []
        numbers: list[int] = []
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append(["" if v is None else _cell_text(v) for v in row])
            numbers.append(i)
    finally:
        wb.close()
    return rows, numbers


def _read_csv(path: Path) -> tuple[list[list[str]], list[int]]:
    text = decode_text(path.read_bytes(), path)
    if "\x00" in text:
        at = text[: text.index("\x00")].count("\n") + 1
        msg = (
            "{file}: row {row}: the file holds a NUL byte, so it is not a text table (a binary "
            "file, or UTF-16 without its byte-order mark); save it from Excel as CSV (UTF-8)"
        )
        raise InputError(msg, file=path, row=at)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[list[str]] = []
    numbers: list[int] = []
    for row in reader:
        rows.append(row)
        numbers.append(reader.line_num)
    # reader.line_num is the line where the record ended; a record spanning lines is rare.
    return rows, numbers


def _cell_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date().isoformat()
    return str(v)


def _read_geo(path: Path, sheet: str | None) -> tuple[list[str], list[list[Any]], list[int]]:
    try:
        gdf = gpd.read_file(path, layer=sheet) if sheet else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own types
        msg = "{file}: cannot read as a GIS file ({detail})"
        raise InputError(msg, file=path, detail=library_text(exc)) from exc
    headers = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    rows: list[list[Any]] = []
    if gdf.crs is not None and not gdf.empty:
        gdf = gdf.to_crs(4326)
    has_geom = gdf.geometry.name in gdf.columns
    for _, rec in gdf.iterrows():
        row = [rec[c] for c in headers]
        geom = rec[gdf.geometry.name] if has_geom else None
        if geom is not None and not geom.is_empty:
            pt = geom if geom.geom_type == "Point" else geom.representative_point()
            row += [pt.y, pt.x]
        else:
            row += [None, None]
        rows.append(row)
    headers += ["__geom_lat", "__geom_lon"]
    # Feature n (1-based) is reported as row n + 1, as if the attribute table had a header row.
    return headers, rows, list(range(2, len(rows) + 2))


def _load(
    path: Path,
    aliases: Mapping[str, Sequence[str]],
    columns: Mapping[str, str] | None,
    sheet: str | None,
) -> tuple[list[str], list[list[Any]], list[int], dict[str, int]]:
    if not path.exists():
        msg = "{file}: file not found"
        raise InputError(msg, file=path)
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".gpkg", ".json", ".shp", ".fgb"):
        headers, rows, numbers = _read_geo(path, sheet)
        found = match_headers(headers, aliases, columns, path=path)
        if "lat" not in found and "lon" not in found:
            found["lat"] = headers.index("__geom_lat")
            found["lon"] = headers.index("__geom_lon")
        return headers, rows, numbers, found
    table, numbers = read_table(path, sheet=sheet)
    index = _alias_index(aliases)
    # The header is the row among the first few that names the most known columns.
    header_at = 0
    if not columns:
        scores = [_header_score(r, index) for r in table[:_MAX_TITLE_ROWS]]
        if scores and max(scores) > 0:
            header_at = scores.index(max(scores))
    else:
        wanted = {_header_key(h) for h in columns.values()}
        for i, r in enumerate(table[:_MAX_TITLE_ROWS]):
            if wanted <= {_header_key(c) for c in r}:
                header_at = i
                break
    headers = [str(h).strip().lstrip("\ufeff") for h in table[header_at]]
    found = match_headers(headers, aliases, columns, path=path)
    body = table[header_at + 1 :]
    body_numbers = numbers[header_at + 1 :]
    keep = [i for i, r in enumerate(body) if any(str(c).strip() for c in r)]
    return headers, [body[i] for i in keep], [body_numbers[i] for i in keep], found


def _missing(path: Path, headers: Sequence[str], need: str, aliases: Mapping[str, Sequence[str]]):
    shown = [h for h in headers if not h.startswith("__geom")]
    # The first names of each list are English, Kyrgyz and Russian.
    accepted = ", ".join(repr(a) for a in aliases[need][:10])
    msg = (
        "{file}: required column {field!r} not found; the header row has {headers}; "
        "accepted names for {field!r} include {accepted} (or map it with columns={{{field!r}: ...}})"
    )
    return InputError(msg, file=path, row=1, field=need, headers=shown, accepted=accepted)


def _cell(row: Sequence[Any], pos: int | None) -> Any:
    if pos is None or pos >= len(row):
        return None
    v = row[pos]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def _number(v: Any, path: Path, row: int, field: str) -> float:
    if v is None:
        return math.nan
    if isinstance(v, int | float | np.integer | np.floating):
        return float(v)
    s = str(v).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    s = s.rstrip("°")
    try:
        return float(s)
    except ValueError:
        msg = "{file}: row {row}, field {field!r}: {value!r} is not a number"
        raise InputError(msg, file=path, row=row, field=field, value=v) from None


def _positive_int(v: Any, path: Path, row: int, field: str) -> int:
    if v is None:
        msg = "{file}: row {row}, field {field!r}: empty; a positive whole number is required"
        raise InputError(msg, file=path, row=row, field=field)
    x: float
    try:
        x = float(str(v).strip().replace(",", ".")) if not isinstance(v, int | float) else float(v)
    except ValueError:
        x = math.nan
    if not (x > 0 and float(x).is_integer()):
        msg = "{file}: row {row}, field {field!r}: {value!r} is not a positive whole number"
        raise InputError(msg, file=path, row=row, field=field, value=v)
    return int(x)


def read_households(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read a household register.

    Parameters
    ----------
    path
        CSV, .xlsx, GeoJSON or GeoPackage file.
    columns
        Optional mapping canonical name -> header in the file, e.g. ``{"members": "Адамдар"}``, for
        headers that are not recognised automatically.
    sheet
        Excel sheet or GIS layer to read (default: the first).

    Returns
    -------
    pandas.DataFrame
        Columns ``household_id`` (str), ``source_row`` (int, the row in the file; header = row 1),
        ``village``, ``street``, ``house``, ``head`` (str or None), ``members`` (int), ``lat``, ``lon``
        (float, NaN where absent), ``house_note`` (str or None: a house number recovered from the
        date a spreadsheet made of it, "15/1" for 15 January). A register with a header row only
        gives an empty frame and a logged warning.

    Raises
    ------
    routing.errors.InputError
        Naming the file, row and field: a missing required column, members that are not a positive
        whole number, coordinates that are not numbers, duplicate household ids; a broken
        workbook, a NUL byte, a file of blank lines (see `read_table`).
    """
    path = Path(path)
    headers, rows, numbers, found = _load(path, HOUSEHOLD_ALIASES, columns, sheet)
    if "members" not in found:
        raise _missing(path, headers, "members", HOUSEHOLD_ALIASES)
    if ("lat" in found) != ("lon" in found):
        raise _missing(path, headers, "lon" if "lat" in found else "lat", HOUSEHOLD_ALIASES)
    if not any(k in found for k in ("village", "street", "address", "lat")):
        raise _missing(path, headers, "village", HOUSEHOLD_ALIASES)
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row, rownum in zip(rows, numbers, strict=True):
        rec = _household(row, rownum, headers, found, path)
        if rec["household_id"] in seen:
            msg = (
                "{file}: row {row}, field {field!r}: {value!r} already used on row {first}; "
                "household ids must be unique"
            )
            raise InputError(
                msg,
                file=path,
                row=rownum,
                field="household_id",
                value=rec["household_id"],
                first=seen[rec["household_id"]],
            )
        seen[rec["household_id"]] = rownum
        records.append(rec)
    if not records:
        logger.warning("%s: the register holds no households (a header row only)", path)
    df = pd.DataFrame.from_records(records, columns=list(HOUSEHOLD_COLUMNS))
    df["members"] = df["members"].astype("int64")
    df["source_row"] = df["source_row"].astype("int64")
    df["lat"] = df["lat"].astype("float64")
    df["lon"] = df["lon"].astype("float64")
    for c in ("village", "street", "house", "head", "house_note", "municipality"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def _household(
    row: Sequence[Any], rownum: int, headers: list[str], found: dict[str, int], path: Path
) -> dict[str, Any]:
    """One register row as a record of `HOUSEHOLD_COLUMNS`."""
    hid = _text(_cell(row, found.get("household_id"))) or str(rownum)
    lat = lon = math.nan
    if "lat" in found:
        lat = _number(_cell(row, found["lat"]), path, rownum, headers[found["lat"]])
        lon = _number(_cell(row, found["lon"]), path, rownum, headers[found["lon"]])
    # A geometry beats nothing but never a lat/lon column written in the table.
    if math.isnan(lat) and "__geom_lat" in headers:
        lat = _number(_cell(row, headers.index("__geom_lat")), path, rownum, "geometry")
        lon = _number(_cell(row, headers.index("__geom_lon")), path, rownum, "geometry")
    street = _text(_cell(row, found.get("street")))
    house = _text(_cell(row, found.get("house")))
    village = _text(_cell(row, found.get("village")))
    if street is None and "address" in found:
        street, in_address, place = _split_address(_text(_cell(row, found["address"])))
        house = house or in_address
        village = village or place
    house, note = house_from_date(house)
    members_at = headers[found["members"]]
    return {
        "household_id": hid,
        "source_row": rownum,
        "village": village,
        "street": street,
        "house": house,
        "head": _text(_cell(row, found.get("head"))),
        "members": _positive_int(_cell(row, found["members"]), path, rownum, members_at),
        "lat": lat,
        "lon": lon,
        "house_note": note,
        "municipality": _text(_cell(row, found.get("municipality"))),
    }


_MONTHS = {
    m: i
    for names in (
        ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    )
    for i, m in enumerate(names, start=1)
}
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?: 00:00:00)?"),  # an Excel date cell
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"),  # a CSV saved in a Russian locale
    re.compile(r"(?P<d>\d{1,2})[.\- ](?P<mon>[^\W\d_]{3})\.?", re.UNICODE),  # "15.янв", "15-Jan"
)


def house_from_date(house: str | None) -> tuple[str | None, str | None]:
    """Recover a house number that a spreadsheet turned into a date ("15/1" -> 15 January).

    Returns the house number and a note for the report (None when the number was no date).
    The day comes first, as Kyrgyz and Russian spreadsheets read "15/1" (an assumption: a
    spreadsheet set to the US order reads "5/12" as 12 May, and gives "12/5" here).
    """
    if not house:
        return house, None
    for form in _DATE_FORMS:
        m = form.fullmatch(house.strip().lower())
        if m is None:
            continue
        month = _MONTHS.get(m.group("mon")) if "mon" in form.groupindex else int(m.group("m"))
        if month is None:
            return house, None
        fixed = f"{int(m.group('d'))}/{month}"
        was, read = HOUSE_DATE_NOTES
        return fixed, f"{was.format(house=repr(house))}; {read.format(fixed=fixed)}"
    return house, None


_ADDRESS_HOUSE = re.compile(
    r"^(?P<street>.*?)[,\s]+(?:д\.?|дом|үй|уй|№|no\.?|house)?\s*"
    r"(?P<house>\d+(?:\s*[-/]?\s*(?:\d+|[^\W\d_]))?)\s*(?:,.*)?$",
    re.IGNORECASE | re.UNICODE,
)


def _split_address(text: str | None) -> tuple[str | None, str | None, str | None]:
    """Split an address cell into (street, house, place).

    "ул. Манаса, д. 12" -> ("ул. Манаса", "12", None); "с. Терек-Суу, Манас көчөсү 12а" ->
    ("Манас көчөсү", "12а", "с. Терек-Суу"); without a trailing number the house is None.
    """
    if not text:
        return None, None, None
    m = _ADDRESS_HOUSE.match(text.strip())
    head, house = (m.group("street"), m.group("house").strip()) if m else (text, None)
    parts = [p.strip() for p in head.split(",") if p.strip()]
    if not parts:
        return text, None, None
    place = ", ".join(parts[:-1]) or None
    return parts[-1], house, place


def _fill_rate(v: Any, path: Path, row: int, field: str) -> float:
    if v is None:
        return 1.0
    s = str(v).strip()
    pct = s.endswith("%")
    x = _number(s.rstrip("%").strip() if pct else v, path, row, field)
    if pct:
        x /= 100.0
    if not (0.0 < x <= 1.0):
        msg = (
            "{file}: row {row}, field {field!r}: {value!r} is not a fill rate; "
            "give a fraction between 0 and 1 (or a percentage such as 80%)"
        )
        raise InputError(msg, file=path, row=row, field=field, value=v)
    return x


def read_containers(
    path: str | Path, *, columns: Mapping[str, str] | None = None
) -> gpd.GeoDataFrame:
    """Read a list of communal containers (schools, clinics, markets …).

    Parameters
    ----------
    path
        CSV, .xlsx, GeoJSON or GeoPackage file.
    columns
        Optional mapping canonical name -> header in the file.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``village``, ``kind`` (str), ``volume_m3`` (float, one container), ``count``
        (int, default 1), ``fill_rate`` (0-1, default 1), ``collections_per_week`` (float, NaN when not
        given), ``source_row`` and Point geometry (WGS84).
    """
    path = Path(path)
    headers, rows, numbers, found = _load(path, CONTAINER_ALIASES, columns, None)
    for need in ("volume_m3", "lat", "lon"):
        if need not in found:
            raise _missing(path, headers, need, CONTAINER_ALIASES)
    records = []
    for row, rownum in zip(rows, numbers, strict=True):
        lat = _number(_cell(row, found["lat"]), path, rownum, headers[found["lat"]])
        lon = _number(_cell(row, found["lon"]), path, rownum, headers[found["lon"]])
        if math.isnan(lat) or math.isnan(lon) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            msg = (
                "{file}: row {row}, field 'lat'/'lon': a container needs valid WGS84 "
                "coordinates (got {lat}, {lon})"
            )
            raise InputError(msg, file=path, row=rownum, field="lat", lat=lat, lon=lon)
        vol = _number(_cell(row, found["volume_m3"]), path, rownum, headers[found["volume_m3"]])
        if not vol > 0:
            field = headers[found["volume_m3"]]
            msg = "{file}: row {row}, field {field!r}: volume must be > 0"
            raise InputError(msg, file=path, row=rownum, field=field)
        count_v = _cell(row, found.get("count"))
        count = (
            1 if count_v is None else _positive_int(count_v, path, rownum, headers[found["count"]])
        )
        fill = _fill_rate(
            _cell(row, found.get("fill_rate")),
            path,
            rownum,
            headers[found["fill_rate"]] if "fill_rate" in found else "fill_rate",
        )
        cpw_v = _cell(row, found.get("collections_per_week"))
        cpw = math.nan
        if cpw_v is not None:
            field = headers[found["collections_per_week"]]
            cpw = _number(cpw_v, path, rownum, field)
            if not (0 < cpw <= 7):
                msg = "{file}: row {row}, field {field!r}: {value!r} must be between 1 and 7"
                raise InputError(msg, file=path, row=rownum, field=field, value=cpw_v)
        records.append(
            {
                "name": _text(_cell(row, found.get("name"))) or f"container {rownum}",
                "village": _text(_cell(row, found.get("village"))),
                "kind": _text(_cell(row, found.get("kind"))),
                "volume_m3": vol,
                "count": count,
                "fill_rate": fill,
                "collections_per_week": cpw,
                "source_row": rownum,
                "geometry": Point(lon, lat),
            }
        )
    cols = [
        "name", "village", "kind", "volume_m3", "count", "fill_rate", "collections_per_week",
        "source_row", "geometry",
    ]  # fmt: skip
    return gpd.GeoDataFrame(records, columns=cols, geometry="geometry", crs="EPSG:4326")
