"""The command line: complete help, scenario check, and clear errors with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.cli import main
from tests.conftest import DATA


def test_help_lists_every_plan_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["plan", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--out",
        "--language",
        "--seed",
        "--time-limit",
        "--max-iterations",
        "--offline",
        "--no-sheets",
        "--screenshots",
    ):
        assert option in text


def test_check_reports_the_default_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(DATA / "taza-aimak" / "scenario.toml")]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "synthetic stand-in" in out and "assumption:" in out


def test_bad_scenario_exits_2_with_the_key_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (DATA / "taza-aimak" / "scenario.toml").read_text(encoding="utf-8")
    bad = tmp_path / "scenario.toml"
    bad.write_text(text.replace('language = "ky"', 'language = "fr"'), encoding="utf-8")
    (tmp_path / "taza-aimak.osm").write_text("<osm/>", encoding="utf-8")
    for name in ("households.csv", "containers.csv"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    assert "language = 'fr' is not one of: ky, ru, en" in capsys.readouterr().err


def test_plan_writes_the_outputs_for_a_small_register(tmp_path: Path) -> None:
    lines = (DATA / "taza-aimak" / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    scenario = tmp_path / "scenario.toml"
    text = (DATA / "taza-aimak" / "scenario.toml").read_text(encoding="utf-8")
    for name in ("taza-aimak.osm", "containers.csv", "property.csv"):
        text = text.replace(f'"{name}"', f'"{(DATA / "taza-aimak" / name).as_posix()}"')
    (tmp_path / "households.csv").write_text("\n".join(lines[:31]) + "\n", encoding="utf-8")
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "maps"
    assert (
        main(["-q", "plan", str(scenario), "-o", str(out), "--time-limit", "2", "--no-sheets"]) == 0
    )
    assert {p.name for p in out.iterdir()} >= {
        "stops.csv",
        "routes.geojson",
        "summary.json",
        "week.html",
    }
