"""argparse in the command's language: the language chosen before parsing, argparse's own words."""

from __future__ import annotations

import argparse
import inspect
import re

import pytest

from routing.cli_parser import (
    ARGPARSE_TEMPLATES,
    ARGPARSE_TITLES,
    LocalizedParser,
    help_language,
    translate_argparse,
)
from routing.i18n import LANGUAGES, messages, translator


def test_language_is_the_option_anywhere_then_taza_language_then_the_locale() -> None:
    russian_locale = {"LANG": "ru_RU.UTF-8"}
    assert help_language(["--language", "ky", "plan"], environ=russian_locale) == "ky"
    assert help_language(["plan", "x.toml", "--language=en"], environ=russian_locale) == "en"
    assert help_language(["plan", "--lang", "ky"], environ=russian_locale) == "ky"  # abbreviated
    # the last one wins, as argparse keeps the last; a wrong value is left for argparse to refuse
    assert help_language(["--language", "ky", "plan", "--language", "en"], environ={}) == "en"
    assert help_language(["plan", "--language", "fr"], environ=russian_locale) == "ru"
    assert help_language(["plan", "--", "--language", "ky"], environ={}) == "en"  # a file name
    assert help_language(["plan", "--language"], environ={}) == "en"
    both = {"TAZA_LANGUAGE": "ky", "LANG": "ru_RU.UTF-8"}
    assert help_language(["plan"], environ=both) == "ky"
    assert help_language(["plan"], environ={"TAZA_LANGUAGE": "ru_RU.UTF-8"}) == "ru"
    assert help_language(["plan"], environ={"TAZA_LANGUAGE": "de", **russian_locale}) == "ru"
    assert help_language(["plan"], environ=russian_locale) == "ru"
    assert help_language(["plan"], environ={"LC_ALL": "C.UTF-8"}) == "en"
    assert help_language(["plan"], environ={}) == "en"


def test_every_template_is_argparse_own_text() -> None:
    """The table follows this Python's argparse: a template it no longer writes would never match."""
    source = inspect.getsource(argparse)
    for template, _msgid in ARGPARSE_TEMPLATES:
        assert f"'{template}'" in source, template
    for title in ARGPARSE_TITLES:
        assert f"_('{title}')" in source


@pytest.mark.parametrize("language", LANGUAGES)
def test_argparse_words_are_in_every_catalogue(language: str) -> None:
    known = messages(language)
    ids = [msgid for _, msgid in ARGPARSE_TEMPLATES]
    ids += [
        *ARGPARSE_TITLES,
        "usage: ",
        "{prog}: error: {message}",
        "show this help message and exit",
    ]
    for msgid in ids:
        assert msgid in known, (language, msgid)
        if language != "en":
            assert re.search("[а-яё]", known[msgid], re.IGNORECASE), (language, msgid)


def _error_of(argv: list[str]) -> str:
    """The message a plain (English) argparse parser gives for ``argv``."""
    seen: list[str] = []

    class Catching(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            seen.append(message)
            raise SystemExit(2)

    parser = Catching(prog="p")
    parser.add_argument("--n", type=int)
    parser.add_argument("--pick", choices=("a", "b"))
    parser.add_argument("--pair", nargs=2)
    parser.add_argument("--out", required=True)
    with pytest.raises(SystemExit):
        parser.parse_args(argv)
    return seen[0]


def test_argparse_own_messages_are_said_in_russian_and_kyrgyz() -> None:
    ru, ky = translator("ru"), translator("ky")
    required = _error_of([])
    assert required == "the following arguments are required: --out"
    assert translate_argparse(required, ru) == "обязательные аргументы не заданы: --out"
    assert translate_argparse(required, ky) == "төмөнкү аргументтер милдеттүү: --out"
    choice = _error_of(["--out", "x", "--pick", "c"])
    assert translate_argparse(choice, ru) == (
        "аргумент --pick: недопустимый выбор: 'c' (выберите из 'a', 'b')"
    )
    number = _error_of(["--out", "x", "--n", "many"])
    assert translate_argparse(number, ky) == "--n аргументи: int түрүнүн жараксыз мааниси: 'many'"
    pair = _error_of(["--out", "x", "--pair", "1"])
    assert translate_argparse(pair, ru) == "аргумент --pair: ожидалось аргументов: 2"
    extra = _error_of(["--out", "x", "y"])
    assert translate_argparse(extra, ru) == "нераспознанные аргументы: y"
    assert translate_argparse("something argparse never says", ru) == (
        "something argparse never says"
    )


def test_a_parser_in_kyrgyz_says_its_usage_help_and_errors_in_kyrgyz(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = LocalizedParser(prog="taza-route", translate=translator("ky"))
    parser.add_argument("scenario")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("plan").add_argument("--seed", type=int)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("колдонуу: taza-route ")
    assert "позициялык аргументтер:" in out and "параметрлер:" in out
    assert "ушул жардамды көрсөтүп, чыгуу" in out
    assert not re.search("usage|options|show this help", out)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["x.toml", "plan", "--seed", "one"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("колдонуу: taza-route scenario plan")  # the subcommand speaks it too
    said = "ката: --seed аргументи: int түрүнүн жараксыз мааниси: 'one'"
    assert err.endswith(f"taza-route scenario plan: {said}\n")
