"""The command line: complete help, scenario check, and clear errors with a non-zero exit."""

from __future__ import annotations

import re
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
        "--no-map",
        "--no-gpx",
        "--no-kml",
        "--no-geojson",
        "--no-geocoding",
        "--formats",
        "--workers",
        "--progress",
        "--screenshots",
        "--driver-url",
        "{stem}",
    ):
        assert option in text


def test_check_reports_the_default_scenario_in_its_language_or_the_one_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = str(DATA / "taza-aimak" / "scenario.toml")
    assert main(["check", scenario]) == 0  # the scenario says language = "ky"
    out = capsys.readouterr().out
    assert ": туура — Taza Aimak" in out and "(шарттуу синтетикалык көчөлөр)" in out
    assert "  Терек-Суу айылы: жумасына 1×, күндөрү: дүйшөмбү, шейшемби" in out
    assert "  божомол: waste generation 0.45 kg" in out  # the scenario's own note, as written
    assert main(["check", scenario, "--language", "ru"]) == 0
    out = capsys.readouterr().out
    assert "  автопарк: 1 × Compactor truck, 1 × Tractor with trailer" in out
    assert "  село Терек-Суу: 1× в неделю, дни: понедельник, вторник" in out
    assert "  допущение: " in out and "synthetic" not in out.split("\n")[1]
    assert main(["check", scenario, "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert ": OK — Taza Aimak" in out and "(synthetic stand-in)" in out
    assert "  village Терек-Суу: 1×/week on Monday, Tuesday" in out and "  assumption: " in out


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


def test_plan_writes_the_outputs_for_a_small_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (DATA / "taza-aimak" / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    scenario = tmp_path / "scenario.toml"
    text = (DATA / "taza-aimak" / "scenario.toml").read_text(encoding="utf-8")
    for name in ("taza-aimak.osm", "containers.csv", "property.csv"):
        text = text.replace(f'"{name}"', f'"{(DATA / "taza-aimak" / name).as_posix()}"')
    bad_row = "999,Терек-Суу,Нет такой көчөсү,1,,3,,"  # a street on no map: a row to fix
    (tmp_path / "households.csv").write_text(
        "\n".join([*lines[:31], bad_row]) + "\n", encoding="utf-8"
    )
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "maps"
    args = ["plan", str(scenario), "-o", str(out), "--time-limit", "2", "--no-sheets"]
    assert main(["-q", *args, "--no-kml"]) == 0
    assert {p.name for p in out.iterdir()} == {
        "stops.csv",
        "routes.geojson",
        "summary.json",
        "plan.json",  # the plan itself, to draw its sheets again (taza-route sheets)
        "week.html",
        "gpx",  # --no-sheets no longer skips the route files: each output has its own switch
        "geocoding.csv",  # the register's rows to fix, as `taza-route geocode` writes them
        "geocoding-aliases.csv",
        "geocoding.geojson",
    }
    assert {p.suffix for p in (out / "gpx").iterdir()} == {".gpx", ".geojson"}
    report = (out / "geocoding.csv").read_text(encoding="utf-8")
    assert "Нет такой көчөсү" in report and "табылган жок" in report  # why, in Kyrgyz
    assert main([*args, "--formats", "summary,stops", "--progress", "lines"]) == 0
    assert {p.name for p in out.iterdir()} == {"stops.csv", "summary.json"}
    err = capsys.readouterr().err
    assert "[1/8] Жол тармагын жүктөө" in err and "[8/8] Жыйынтыктарды жазуу" in err


def test_unknown_format_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = str(DATA / "taza-aimak" / "scenario.toml")
    assert main(["plan", scenario, "--formats", "summary,pdf", "--language", "en"]) == 2
    assert "error: --formats: unknown output(s) pdf" in capsys.readouterr().err
    assert main(["plan", scenario, "--formats", "summary,pdf"]) == 2  # the scenario's Kyrgyz
    assert "ката: --formats: белгисиз чыгаруу(лар) pdf" in capsys.readouterr().err


def test_a_bad_driver_url_is_refused_before_planning(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = str(DATA / "taza-aimak" / "scenario.toml")
    url = "https://h/plans/{plan}/{stem}"
    assert main(["plan", scenario, "--driver-url", url, "--language", "en"]) == 2
    err = capsys.readouterr().err
    assert "--driver-url: unknown field {plan}" in err
    assert "Жол тармагын" not in err  # refused before the first stage


def test_a_missing_scenario_is_bad_input_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(tmp_path / "nowhere.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere.toml" in err


def test_anything_but_bad_input_is_a_bug_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import routing.cli

    def broken(*args: object, **kwargs: object) -> None:
        msg = "a bug"
        raise ValueError(msg)

    monkeypatch.setattr(routing.cli, "load_scenario", broken)
    with pytest.raises(ValueError, match="a bug"):
        main(["check", str(DATA / "taza-aimak" / "scenario.toml")])


def _scenario_with_register(tmp_path: Path, register: str, language: str) -> Path:
    """The default scenario in ``language`` (its other files where they are), with ``register``."""
    text = (DATA / "taza-aimak" / "scenario.toml").read_text(encoding="utf-8")
    for name in ("taza-aimak.osm", "containers.csv", "property.csv"):
        text = text.replace(f'"{name}"', f'"{(DATA / "taza-aimak" / name).as_posix()}"')
    text = text.replace('language = "ky"', f'language = "{language}"')
    (tmp_path / "households.csv").write_text(register, encoding="utf-8")
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(text, encoding="utf-8")
    return scenario


def test_a_bad_register_is_said_in_kyrgyz_under_language_ky(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (DATA / "taza-aimak" / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = lines[2].split(",")
    bad[5] = "көп"  # members: not a number
    register = "\n".join([*lines[:2], ",".join(bad)]) + "\n"
    scenario = _scenario_with_register(tmp_path, register, "en")
    args = ["-q", "plan", str(scenario), "-o", str(tmp_path / "maps"), "--formats", "summary"]
    assert main([*args, "--language", "ky"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "households.csv") in err
    assert (
        "ката: " in err and "3-сап, 'Кол-во членов семьи' талаасы: 'көп' оң бүтүн сан эмес" in err
    )
    assert main(args) == 2  # without --language: the scenario's English
    assert "row 3, field 'Кол-во членов семьи': 'көп' is not a positive whole number" in (
        capsys.readouterr().err
    )


def test_a_bad_scenario_speaks_the_environment_language_when_the_file_names_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "scenario.toml"
    bad.write_text('[scenario]\nname = "x"\n[depot]\nname = "d"\nlat = 91\nlon = 72\n')
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert main(["check", str(bad)]) == 2
    assert "ошибка: " in capsys.readouterr().err


SUBCOMMAND_NAMES = (
    "plan", "sheets", "check", "serve", "compare", "sweep", "fetch", "region", "geocode",
)  # fmt: skip
LOCALE_VARIABLES = ("TAZA_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment naming no language, and help wrapped at 100 columns."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    return monkeypatch


def test_help_is_in_kyrgyz_with_its_own_letters(
    no_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _help(["--language", "ky", "--help"], capsys)
    assert text.startswith("колдонуу: taza-route ")
    assert "параметрлер:" in text and "ушул жардамды көрсөтүп, чыгуу" in text
    assert all(letter in text for letter in "ңөү")
    example = "Мисал: taza-route plan data/taza-aimak/scenario.toml --language ky"
    assert example in " ".join(text.split())
    for name in SUBCOMMAND_NAMES:
        assert f"\n    {name} " in text
    assert not re.search(r"usage|options|show this help|default", text)
    no_locale.setenv("TAZA_LANGUAGE", "ky")  # the environment's choice, without --language
    assert _help(["--help"], capsys) == text
    no_locale.setenv("LANG", "ru_RU.UTF-8")  # TAZA_LANGUAGE comes before the locale
    assert _help(["plan", "--help"], capsys).startswith("колдонуу: taza-route plan")
    no_locale.delenv("TAZA_LANGUAGE")
    assert _help(["plan", "--help"], capsys).startswith("использование: taza-route plan")
    assert _help(["plan", "--help", "--language", "en"], capsys).startswith("usage: ")


class Recording:
    """A translator in English that keeps every message asked of it."""

    language = "en"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, message: str, /, **values: object) -> str:
        self.asked.append(message)
        return message.format(**values) if values else message


def help_texts() -> list[str]:
    """Every text the command line's parser asks the catalogues for, in English."""
    from routing.cli import build_parser

    recording = Recording()
    build_parser(recording)
    return recording.asked


def _english_sentences() -> set[str]:
    """The help texts without placeholders, of two words or more."""
    return {t for t in help_texts() if "{" not in t and "%(" not in t and " " in t.strip()}


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_subcommand_help_is_translated(
    language: str, no_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    english = _english_sentences()
    assert len(english) > 60
    for name in SUBCOMMAND_NAMES:
        text = _help([name, "--help", "--language", language], capsys)
        flat = " ".join(text.split())
        left = sorted(t for t in english if " ".join(t.split()) in flat)
        assert not left, (name, left)
        assert not re.search(r"usage:|options:|\(default|required\)", text), name
        assert ("демейки" if language == "ky" else "по умолчанию") in text, name


def _option_entries(text: str) -> list[str]:
    """Each option of a help text with its help, on one line."""
    entries: list[str] = []
    inside = False  # within an option's entry
    for line in text.splitlines():
        if re.match(r"  -", line):
            entries.append(line.strip())
            inside = True
        elif inside and re.match(r"   +\S", line):
            entries[-1] += " " + line.strip()
        else:
            inside = False
    return entries


def test_every_option_says_its_default_and_unit(
    no_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in SUBCOMMAND_NAMES:
        entries = _option_entries(_help([name, "--help"], capsys))
        assert len(entries) >= 3, name
        for entry in entries:
            if entry.startswith(("-h, --help", "--no-")):  # the outputs' group says theirs
                continue
            assert re.search(r"\(default|default:|\(required|required\)", entry), (name, entry)
            if "SECONDS" in entry:
                assert "in seconds" in entry, (name, entry)
    plan = _help(["plan", "--help"], capsys)
    assert "by default all but the screenshots are written" in " ".join(plan.split())
