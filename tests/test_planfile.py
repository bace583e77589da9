"""The saved plan (plan.json): written with the outputs, read back, and the same sheets drawn from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from routing.api import redraw_sheets, write_outputs
from routing.cli import main
from routing.errors import InputError
from routing.exports import file_stem
from routing.links import link_token
from routing.plan import Plan
from routing.planfile import FORMAT, PLAN_FILE, VERSION, read_plan_file
from routing.sheets import qr_payload
from tests import test_outputs
from tests.qr_reader import read_qr_codes

small_plan = test_outputs.small_plan  # the real 60-household plan: one fixture for both modules
FORMATS = ("plan", "sheets", "stops", "routes", "summary", "gpx", "kml", "geojson")


@pytest.fixture(scope="module")
def written(small_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "out"
    write_outputs(small_plan, out, formats=FORMATS, language="ky")
    return out


def _pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_the_plan_file_is_written_with_the_outputs_and_says_its_format(written: Path) -> None:
    doc = json.loads((written / PLAN_FILE).read_text(encoding="utf-8"))
    assert doc["format"] == FORMAT and doc["version"] == VERSION
    assert doc["synthetic"] is True and "OpenStreetMap" in doc["attribution"]
    assert doc["vehicle_days"] and all(vd["stops"] for vd in doc["vehicle_days"])
    assert not list(written.glob(".*")), "no temporary file is left"


def test_read_back_the_plan_draws_the_same_sheets_and_route_files(
    small_plan: Plan, written: Path, tmp_path: Path
) -> None:
    back = read_plan_file(written)
    assert [vd.stops for vd in back.vehicle_days] == [vd.stops for vd in small_plan.vehicle_days]
    assert [vd.node_path for vd in back.vehicle_days] == [
        vd.node_path for vd in small_plan.vehicle_days
    ]
    assert back.households_served == small_plan.households_served
    assert back.unserved["reason"].tolist() == small_plan.unserved["reason"].tolist()
    again = tmp_path / "again"
    write_outputs(back, again, formats=FORMATS, language="ky")
    for name in ("plan.json", "stops.csv", "routes.geojson", "summary.json"):
        assert (again / name).read_bytes() == (written / name).read_bytes(), name
    for gpx in sorted((written / "gpx").iterdir()):
        assert (again / "gpx" / gpx.name).read_bytes() == gpx.read_bytes(), gpx.name
    sheets = sorted((written / "sheets").glob("*.pdf"))
    assert len(sheets) == len(small_plan.vehicle_days) >= 2
    for sheet in sheets:
        assert _pages(again / "sheets" / sheet.name) == _pages(sheet), sheet.name
    for vd, vd_back in zip(small_plan.vehicle_days, back.vehicle_days, strict=True):
        assert qr_payload(back, vd_back) == qr_payload(small_plan, vd)


def test_new_links_redraw_the_sheets_with_the_new_token_only(written: Path, tmp_path: Path) -> None:
    template = "https://taza.example.kg/plans/5/driver/{stem}?t={token}"
    out = tmp_path / "sheets"
    out.mkdir()
    (out / "README.txt").write_text("kept", encoding="utf-8")
    (out / "old-day.pdf").write_bytes(b"%PDF-old")
    paths = redraw_sheets(
        written, out_dir=out, language="en", driver_url=template, driver_key="new-secret"
    )
    plan = read_plan_file(written)
    assert [p.name for p in paths] == [f"{file_stem(vd)}.pdf" for vd in plan.vehicle_days]
    assert sorted(p.name for p in out.iterdir()) == sorted([*(p.name for p in paths), "README.txt"])
    stem = file_stem(plan.vehicle_days[0])
    [code] = read_qr_codes(paths[0], tmp_path)
    assert (
        code == f"https://taza.example.kg/plans/5/driver/{stem}?t={link_token('new-secret', stem)}"
    )
    assert link_token("old-secret", stem) not in code
    assert "Scan: driver's page" in _pages(paths[0])[0]


def test_the_command_redraws_in_another_language(written: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "ru"
    assert main(["-q", "sheets", str(written), "--language", "ru", "-o", str(out)]) == 0
    assert f"{out}" in capsys.readouterr().out
    ky = _pages(sorted((written / "sheets").glob("*.pdf"))[0])[0]
    ru = _pages(sorted(out.glob("*.pdf"))[0])[0]
    assert "Водитель" in ru and "Водитель" not in ky
    assert "Айдоочу" in ky


def test_help_of_the_sheets_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sheets", "--help"])
    text = capsys.readouterr().out
    for option in ("PLAN_DIR", "--out", "--language", "--driver-url", "--progress", "plan.json"):
        assert option in text


def _damaged(written: Path, tmp_path: Path, change) -> Path:
    doc = json.loads((written / PLAN_FILE).read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / PLAN_FILE
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.update(version=VERSION + 1), "version", "newer than this taza-route reads"),
        (lambda d: d.update(format="geojson"), "format", "not a plan file of taza-route"),
        (lambda d: d["vehicle_days"][0]["stops"][1].pop("arrival_s"),
         "vehicle_days[0].stops[1].arrival_s", "is missing"),
        (lambda d: d["vehicle_days"][1].update(km="far"), "vehicle_days[1].km",
         "should be number, not '\"far\"'"),
        (lambda d: d["network"]["nodes"][0].pop(), "network.nodes", "cannot be read"),
        (lambda d: d["scenario"].update(week_start="next monday"), "scenario", "cannot be read"),
    ],
)  # fmt: skip
def test_a_bad_plan_file_is_refused_naming_the_file_and_field(
    written: Path, tmp_path: Path, change, field: str, words: str
) -> None:
    path = _damaged(written, tmp_path, change)
    with pytest.raises(InputError) as caught:
        read_plan_file(path)
    assert caught.value.file == path and caught.value.field == field
    assert str(path) in str(caught.value) and words in str(caught.value)
    assert caught.value.text("ru") != str(caught.value), "translated"


def test_no_plan_file_or_no_json_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no saved plan.*plan the week again"):
        read_plan_file(tmp_path)
    (tmp_path / PLAN_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not a plan file"):
        read_plan_file(tmp_path)
    assert main(["sheets", str(tmp_path / "missing")]) == 2
