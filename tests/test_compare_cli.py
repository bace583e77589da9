"""The compare and sweep subcommands, and check's listing of the merged scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "taza-aimak"


def test_check_shows_the_merged_scenario_and_where_each_value_came_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", str(DATA / "variants" / "second-truck.toml"), "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "fleet: 2 × Compactor truck, 1 × Tractor with trailer" in out
    assert "  merged scenario (value  <- file):" in out
    line = next(x for x in out.splitlines() if "vehicle[Compactor truck].count = 2" in x)
    assert line.endswith("second-truck.toml")
    line = next(x for x in out.splitlines() if "vehicle[Compactor truck].capacity_kg = 5000" in x)
    assert line.endswith("taza-aimak/scenario.toml")
    assert main(["check", str(DATA / "variants" / "second-truck.toml")]) == 0  # Kyrgyz, as it says
    out = capsys.readouterr().out
    assert "  унаалар: 2 × Compactor truck" in out
    assert "  бириктирилген сценарий (маани  <- файл):" in out


def test_compare_reports_a_failing_variant_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "nowhere.toml"\n', encoding="utf-8")
    missing = tmp_path / "missing.toml"
    code = main(
        ["compare", str(bad), str(missing), "-o", str(tmp_path / "out"), "--language", "en"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "bad: " in err and "extends = 'nowhere.toml': file not found" in err
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "bad: failed:" in md and "missing: failed: scenario file not found" in md


def test_a_scenario_that_cannot_be_read_is_told_in_the_environments_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --language and no readable base: the lines and the report speak $TAZA_LANGUAGE."""
    monkeypatch.setenv("TAZA_LANGUAGE", "ky")
    missing, other = tmp_path / "missing.toml", tmp_path / "other.toml"
    assert main(["compare", str(missing), str(other), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"missing: сценарий файлы табылган жок: {missing}" in err
    assert f"other: сценарий файлы табылган жок: {other}" in err
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"сценарий файлы табылган жок: {missing}" in md and "not found" not in md


def test_help_of_compare_and_sweep(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("compare", "sweep"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "--language" in text and "--time-limit" in text and "--balance-rounds" in text
        assert "the same limits" in text
