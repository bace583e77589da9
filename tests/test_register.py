"""Register and container readers: formats, header languages, errors naming file, row and field."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from routing.errors import InputError
from routing.register import house_from_date, read_containers, read_households

RU_HEADER = "№,Село,Улица,Дом,ФИО главы семьи,Кол-во членов семьи,Широта,Долгота"
RU_ROWS = [
    "1,с. Терек-Суу,ул. Ленина,12а,Асанов Б.,5,41.882,72.705",
    "2,Терек-Суу,Ленина,14,Осмонова А.,3,,",
]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _check_two_rows(df) -> None:  # type: ignore[no-untyped-def]
    assert list(df.columns) == [
        "household_id", "source_row", "village", "street", "house", "head", "members", "lat", "lon",
        "house_note", "municipality",
    ]  # fmt: skip
    assert df["household_id"].tolist() == ["1", "2"]
    assert df["source_row"].tolist() == [2, 3]
    assert df["village"].tolist() == ["с. Терек-Суу", "Терек-Суу"]
    assert df["house"].tolist() == ["12а", "14"]
    assert df["members"].tolist() == [5, 3]
    assert df["lat"].iloc[0] == pytest.approx(41.882)
    assert math.isnan(df["lat"].iloc[1])


def test_csv_utf8_with_bom(tmp_path: Path) -> None:
    p = _write(tmp_path / "h.csv", "\ufeff" + "\n".join([RU_HEADER, *RU_ROWS]) + "\n")
    _check_two_rows(read_households(p))


def test_csv_windows_1251_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    text = "\n".join(
        [
            RU_HEADER.replace(",", ";"),
            "1;с. Терек-Суу;ул. Ленина;12а;Асанов Б.;5;41,882;72,705",
            "2;Терек-Суу;Ленина;14;Осмонова А.;3;;",
        ]
    )
    p = _write(tmp_path / "h.csv", text, "cp1251")
    _check_two_rows(read_households(p))


def test_input_file_is_not_modified(tmp_path: Path) -> None:
    p = _write(tmp_path / "h.csv", "\n".join([RU_HEADER, *RU_ROWS]))
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    read_households(p)
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before


def test_kyrgyz_headers(tmp_path: Path) -> None:
    text = "Катар,Айыл,Көчө,Үй,Үй-бүлө башчысы,Мүчөлөрү\n7,Терек-Суу,Манас көчөсү,3,Алиев,6\n"
    df = read_households(_write(tmp_path / "h.csv", text))
    rec = df.iloc[0]
    assert (rec.household_id, rec.village, rec.street, rec.house, rec["head"], rec.members) == (
        "7", "Терек-Суу", "Манас көчөсү", "3", "Алиев", 6,
    )  # fmt: skip


def test_english_headers_and_title_lines_above_the_header(tmp_path: Path) -> None:
    text = (
        "Household register 2024,,,,\n,,,,\n"
        "ID,Village,Street,House,Members,Latitude,Longitude\n"
        "a1,Terek-Suu,Manas,3,4,41.8,72.7\n"
    )
    df = read_households(_write(tmp_path / "h.csv", text))
    assert df["household_id"].tolist() == ["a1"]
    assert df["source_row"].tolist() == [4]
    assert df["lon"].tolist() == [72.7]


def test_columns_mapping_for_unknown_headers(tmp_path: Path) -> None:
    text = "Кыштак,Адрес,Адамдар\nТерек-Суу,Манас,4\n"
    df = read_households(
        _write(tmp_path / "h.csv", text),
        columns={"village": "Кыштак", "street": "Адрес", "members": "Адамдар"},
    )
    assert (df["village"].iloc[0], df["street"].iloc[0], df["members"].iloc[0]) == (
        "Терек-Суу", "Манас", 4,
    )  # fmt: skip
    assert df["household_id"].iloc[0] == "2"  # no id column: the row number


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Реестр домохозяйств"])
    ws.append(RU_HEADER.split(","))
    ws.append([1, "с. Терек-Суу", "ул. Ленина", "12а", "Асанов Б.", 5, 41.882, 72.705])
    ws.append([2, "Терек-Суу", "Ленина", 14, "Осмонова А.", 3.0, None, None])
    p = tmp_path / "h.xlsx"
    wb.save(p)
    df = read_households(p)
    assert df["source_row"].tolist() == [3, 4]
    assert df["house"].tolist() == ["12а", "14"]
    assert df["members"].tolist() == [5, 3]
    assert df["household_id"].tolist() == ["1", "2"]


def test_geojson_and_geopackage_take_points_from_geometry(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"Айыл": ["Терек-Суу", "Терек-Суу"], "Көчө": ["Манас", "Ленин"], "Мүчөлөрү": [4, 2]},
        geometry=[Point(72.70, 41.88), Point(72.71, 41.89)],
        crs="EPSG:4326",
    )
    for name, driver in (("h.geojson", "GeoJSON"), ("h.gpkg", "GPKG")):
        p = tmp_path / name
        gdf.to_file(p, driver=driver)
        df = read_households(p)
        assert df["members"].tolist() == [4, 2]
        assert df["lat"].tolist() == pytest.approx([41.88, 41.89])
        assert df["lon"].tolist() == pytest.approx([72.70, 72.71])
        assert df["source_row"].tolist() == [2, 3]


def test_missing_members_column_names_found_and_accepted_headers(tmp_path: Path) -> None:
    p = _write(tmp_path / "h.csv", "Село,Улица,Дом\nТерек-Суу,Манас,1\n")
    with pytest.raises(ValueError, match="members") as err:
        read_households(p)
    text = str(err.value)
    assert str(p) in text
    assert "Село" in text  # the headers that were found
    assert "Кол-во членов семьи" in text or "мүчөлөрү" in text.lower()  # accepted names


def test_members_not_a_positive_integer_names_row_and_field(tmp_path: Path) -> None:
    for bad in ("0", "3.5", "много", ""):
        p = _write(
            tmp_path / "h.csv", f"{RU_HEADER}\n{RU_ROWS[1]}\n3,Терек-Суу,Ленина,1,X,{bad},,\n"
        )
        with pytest.raises(ValueError, match=r"row 3, field 'Кол-во членов семьи'") as err:
            read_households(p)
        assert str(p) in str(err.value)


def test_coordinates_not_numbers_name_row_and_field(tmp_path: Path) -> None:
    p = _write(tmp_path / "h.csv", f"{RU_HEADER}\n1,Терек-Суу,Ленина,1,X,4,сорок два,72.7\n")
    with pytest.raises(ValueError, match=r"h\.csv: row 2, field 'Широта': 'сорок два'"):
        read_households(p)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    p = _write(tmp_path / "h.csv", f"{RU_HEADER}\n{RU_ROWS[0]}\n{RU_ROWS[0]}\n")
    with pytest.raises(ValueError, match=r"row 3, field 'household_id'.*row 2"):
        read_households(p)


def test_containers_with_defaults_and_percent_fill(tmp_path: Path) -> None:
    text = (
        "name,village,kind,lat,lon,volume_m3,count,fill_rate,collections_per_week\n"
        "School 1,Терек-Суу,school,41.88,72.70,0.75,2,80%,2\n"
        "Market,Терек-Суу,market,41.881,72.701,1.1,,,\n"
    )
    c = read_containers(_write(tmp_path / "c.csv", text))
    assert c.crs.to_epsg() == 4326
    assert c["count"].tolist() == [2, 1]
    assert c["fill_rate"].tolist() == pytest.approx([0.8, 1.0])
    assert c["collections_per_week"].iloc[0] == 2
    assert math.isnan(c["collections_per_week"].iloc[1])
    assert c.geometry.iloc[0].x == pytest.approx(72.70)


def test_containers_russian_headers(tmp_path: Path) -> None:
    text = "Название;Село;Тип;Широта;Долгота;Объем, м3\nШкола;Терек-Суу;школа;41,88;72,70;0,75\n"
    c = read_containers(_write(tmp_path / "c.csv", text, "cp1251"))
    assert c["volume_m3"].tolist() == [0.75]
    assert c["name"].tolist() == ["Школа"]


def test_container_errors_name_row_and_field(tmp_path: Path) -> None:
    head = "name,lat,lon,volume_m3,fill_rate\n"
    p = _write(tmp_path / "c.csv", head + "A,41.88,72.70,0.75,1.7\n")
    with pytest.raises(ValueError, match=r"row 2, field 'fill_rate'"):
        read_containers(p)
    p = _write(tmp_path / "c.csv", "name,lat,lon\nA,41.88,72.70\n")
    with pytest.raises(ValueError, match="volume_m3"):
        read_containers(p)


def test_embedded_register_reads_with_its_russian_header(repo: Path) -> None:
    path = repo / "data" / "taza-aimak" / "households.csv"
    if not path.exists():
        pytest.skip("embedded Taza Aimak register absent")
    df = read_households(path)
    assert len(df) > 400
    assert df["household_id"].is_unique
    assert (df["members"] > 0).all()
    assert df["village"].notna().all() and df["head"].notna().all()
    with_coords = df["lat"].notna()
    assert 0 < with_coords.sum() < len(df)
    assert (df.loc[with_coords, "lon"].notna()).all()


def test_single_address_column_is_split_into_street_and_house(tmp_path: Path) -> None:
    text = (
        "Адрес;Кол-во членов семьи\n"
        "с. Терек-Суу, ул. Манаса, д. 12;4\n"
        "Манас көчөсү 14а;3\n"
        "ул. 8 Марта;2\n"
    )
    df = read_households(_write(tmp_path / "h.csv", text))
    assert df["street"].tolist() == ["ул. Манаса", "Манас көчөсү", "ул. 8 Марта"]
    assert df["house"].tolist() == ["12", "14а", None]
    assert df["village"].tolist() == ["с. Терек-Суу", None, None]


# --- bad files (issue 19): a clear InputError naming the file, and the row where there is one ---


def test_broken_xlsx_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "register.xlsx"
    bad.write_bytes(b"this is no zip file at all")
    with pytest.raises(InputError, match=r"register\.xlsx: cannot be read as an Excel") as err:
        read_households(bad)
    assert err.value.file == bad


def test_zip_without_workbook_is_an_input_error(tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "register.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("readme.txt", "no workbook here")
    with pytest.raises(InputError, match="no workbook inside"):
        read_households(bad)


def test_file_of_blank_lines_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "blank.csv"
    f.write_text("\n\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="only blank lines"):
        read_households(f)


def test_nul_byte_names_its_row(tmp_path: Path) -> None:
    f = tmp_path / "nul.csv"
    f.write_bytes("Айыл;Көчө;Үй;Мүчөлөрү\nТерек-Суу;Манас;1;4\nТерек\x00-Суу;Манас;2;3\n".encode())
    with pytest.raises(InputError, match="row 3: the file holds a NUL byte") as err:
        read_households(f)
    assert err.value.row == 3


def test_header_only_register_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    f = tmp_path / "empty.csv"
    f.write_text("Айыл;Көчө;Үй;Мүчөлөрү\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        df = read_households(f)
    assert len(df) == 0
    assert "holds no households" in caplog.text


def test_house_number_made_a_date_by_excel_is_recovered(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Айыл", "Көчө", "Үй", "Мүчөлөрү"])
    ws.append(["Терек-Суу", "Манас", dt.datetime(2026, 1, 15), 4])
    ws.append(["Терек-Суу", "Манас", "12", 4])
    wb.save(tmp_path / "r.xlsx")
    df = read_households(tmp_path / "r.xlsx")
    assert df["house"].tolist() == ["15/1", "12"]
    assert "read as 15/1" in df.loc[0, "house_note"]
    assert df.loc[1, "house_note"] is None


@pytest.mark.parametrize(
    ("text", "fixed"),
    [("2026-01-15 00:00:00", "15/1"), ("15.01.2026", "15/1"), ("3.янв", "3/1"), ("7-Feb", "7/2")],
)
def test_house_dates_in_csv_forms(text: str, fixed: str) -> None:
    assert house_from_date(text)[0] == fixed
    assert house_from_date("15/1") == ("15/1", None)


def test_windows_1251_header_with_question_marks(tmp_path: Path) -> None:
    # Excel writes "?" for ө, ү, ң when it saves a Windows-1251 CSV, headers included.
    f = tmp_path / "r.csv"
    f.write_bytes("Айыл;К?ч?;?й;?й-б?л? м?ч?л?р?\nЧо?-Арык;Ч?й;5;3\n".encode("cp1251"))
    df = read_households(f)
    assert df.loc[0, "street"] == "Ч?й"
    assert df.loc[0, "members"] == 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("households.xlsx", b"PK\x03\x04 broken", "cannot be read as an Excel workbook"),
        ("households.csv", b"\n\n\n", "only blank lines"),
        ("households.csv", "Айыл;Мүчөлөрү\nТерек\x00;4\n".encode(), "NUL byte"),
    ],
)
def test_bad_register_exits_2_in_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, message: str
) -> None:
    from routing.cli import main

    data = Path(__file__).resolve().parents[1] / "data" / "taza-aimak"
    text = (data / "scenario.toml").read_text(encoding="utf-8")
    for f in ("taza-aimak.osm", "containers.csv", "property.csv"):
        text = text.replace(f'"{f}"', f'"{(data / f).as_posix()}"')
    text = text.replace('"households.csv"', f'"{name}"')
    (tmp_path / "scenario.toml").write_text(text, encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    args = ["-q", "plan", str(tmp_path / "scenario.toml"), "-o", str(tmp_path / "m")]
    assert main([*args, "--language", "en"]) == 2  # the scenario's own language is Kyrgyz
    err = capsys.readouterr().err
    assert message in err and name in err
    assert "Traceback" not in err


def test_a_municipality_column_is_read_where_the_register_has_one(tmp_path: Path) -> None:
    text = "№,Айыл,Көчө,Үй,Мүчөлөрү,Айыл аймак\n1,Кара-Суу,Манас,3,4,Кетмен-Дөбө\n2,Кара-Суу,Манас,5,2,\n"
    df = read_households(_write(tmp_path / "r.csv", text))
    assert list(df["municipality"]) == ["Кетмен-Дөбө", None]
