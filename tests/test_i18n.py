"""The message catalogue: three languages, the same messages, every writer string translated."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from pathlib import Path

import pytest

from routing.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    catalogue_path,
    catalogue_paths,
    choose_language,
    day_date,
    day_name,
    format_clock,
    format_distance,
    messages,
    translator,
)

ROUTING = Path(__file__).resolve().parents[1] / "routing"
WRITERS = ("maps.py", "sheets.py", "directions.py", "exports.py", "report.py")
# the modules printing the command line's own lines (catalogue taza-cli.po)
COMMAND_LINE = (
    "cli.py",
    "check.py",
    "snapping.py",
    "compare_cli.py",
    "region.py",
    "service/server.py",
)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_day_names_in_each_language() -> None:
    assert day_name("mon", "ky") == "Дүйшөмбү"
    assert day_name("mon", "ru") == "Понедельник"
    assert day_name("mon", "en") == "Monday"
    assert day_name("sun", "ky", short=True) == "Жк"
    assert [day_name(d, "ru") for d in ("tue", "wed", "thu", "fri", "sat", "sun")] == [
        "Вторник",
        "Среда",
        "Четверг",
        "Пятница",
        "Суббота",
        "Воскресенье",
    ]


def test_unknown_day_or_language_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="mon, tue, wed"):
        day_name("monday", "ky")
    with pytest.raises(ValueError, match="ky, ru, en"):
        translator("kz")


def test_catalogues_hold_the_same_messages_fully_translated() -> None:
    ids = {lang: set(messages(lang)) for lang in LANGUAGES}
    assert len(ids["en"]) > 50
    assert ids["ky"] == ids["en"] == ids["ru"]
    for lang in ("ky", "ru"):
        same = [m for m, t in messages(lang).items() if t == m and m not in ("km", "m", "kg")]
        # only names and symbols may be left as in English; real words must be translated
        assert not [m for m in same if re.search(r"[a-z]{3}", m)], (lang, same)


def test_a_message_in_several_catalogues_reads_the_same_in_each() -> None:
    """The catalogues of a language are merged into one mapping, so a message two of them hold
    with different texts would read as whichever is loaded last, wherever it is used."""
    from babel.messages.pofile import read_po

    for lang in LANGUAGES:
        texts: dict[str, dict[str, str]] = {}
        for path in catalogue_paths(lang):
            with path.open("rb") as fh:
                for entry in read_po(fh, locale=lang):
                    if isinstance(entry.id, str) and entry.id and entry.string:
                        texts.setdefault(entry.id, {})[path.name] = str(entry.string)
        clashes = {m: by for m, by in texts.items() if len(set(by.values())) > 1}
        assert not clashes, (lang, clashes)


def test_translations_keep_every_placeholder() -> None:
    for lang in ("ky", "ru"):
        for msgid, text in messages(lang).items():
            assert _placeholders(text) == _placeholders(msgid), (lang, msgid, text)


def test_every_string_the_writers_use_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for name in WRITERS:
        source = (ROUTING / name).read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b_\(\s*"((?:[^"\\]|\\.)+)\"""", source))
        used |= set(re.findall(r"""\b_\(\s*'((?:[^'\\]|\\.)+)'""", source))
    # texts held in tables and passed to _() through a variable
    from routing.directions import _TURN_TEXT

    used |= set(_TURN_TEXT.values())
    assert len(used) > 40
    missing = sorted(used - set(messages("en")))
    assert not missing


def test_translator_fills_placeholders_and_falls_back_to_english() -> None:
    _ = translator("ky")
    assert _("Turn left onto {street}", street="Манас көчөсү") == "Солго буруңуз: Манас көчөсү"
    assert translator("ru")("Strip map {i} of {n}", i=2, n=5) == "Участок 2 из 5"
    assert _("A sentence nobody translated") == "A sentence nobody translated"


def test_catalogues_are_po_files_inside_the_package() -> None:
    for lang in LANGUAGES:
        path = catalogue_path(lang)
        assert path.is_file()
        assert path.is_relative_to(ROUTING)
        assert f'"Language: {lang}' in path.read_text(encoding="utf-8")


def test_dates_clock_and_distances() -> None:
    monday = dt.date(2026, 11, 30)
    assert day_date(monday, "wed") == dt.date(2026, 12, 2)
    # a week that starts on a Thursday: Monday is four days later
    assert day_date(dt.date(2026, 12, 3), "mon") == dt.date(2026, 12, 7)
    assert day_date(None, "mon") is None
    assert format_clock(7 * 3600 + 30 * 60) == "07:30"
    assert format_clock(8 * 3600 + 59 * 60 + 40) == "09:00"
    assert format_distance(340, "ky") == "340 м"
    assert format_distance(2450, "en") == "2.5 km"


def test_choose_language_takes_the_option_then_the_scenario_then_the_environment() -> None:
    russian = {"LANG": "ru_RU.UTF-8"}
    assert choose_language("ky", "en", environ=russian) == "ky"
    assert choose_language(None, "en", environ=russian) == "en"
    assert choose_language(None, None, environ=russian) == "ru"
    assert choose_language(environ={"LANGUAGE": "de:ky", "LANG": "ru_RU.UTF-8"}) == "ky"
    assert choose_language(environ={"LC_ALL": "C.UTF-8", "LANG": "ky_KG.UTF-8"}) == "en"
    assert choose_language(environ={"LC_MESSAGES": "ky_KG.UTF-8", "LANG": "de_DE"}) == "ky"
    assert choose_language(environ={}) == "en"
    # TAZA_LANGUAGE: this program's own choice, before the locale's, after the scenario's
    chosen = {"TAZA_LANGUAGE": "ky", "LANGUAGE": "ru", "LANG": "ru_RU.UTF-8"}
    assert choose_language(environ=chosen) == "ky"
    assert choose_language(None, "en", environ=chosen) == "en"
    assert choose_language(environ={"TAZA_LANGUAGE": "fr", "LANG": "ru_RU.UTF-8"}) == "ru"
    with pytest.raises(ValueError, match="ky, ru, en"):
        choose_language("fr")


def _po(language: str, name: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / language / "LC_MESSAGES" / name).open("rb") as fh:
        return {e.id: e.string for e in read_po(fh, locale=language) if e.id}


def _calls_of_underscore(path: Path) -> set[str]:
    """The literal first arguments of every ``_(...)`` call (implicit concatenation joined)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def test_the_command_line_catalogue_is_translated_into_kyrgyz_and_russian() -> None:
    english = _po("en", "taza-cli.po")
    assert len(english) > 25 and all(english[m] == m for m in english)
    for lang in ("ky", "ru"):
        texts = _po(lang, "taza-cli.po")
        assert set(texts) == set(english), lang
        for msgid, text in texts.items():
            assert text and text != msgid, (lang, msgid)
            assert _placeholders(text) == _placeholders(msgid), (lang, msgid)
            assert re.search("[а-яё]", text, re.IGNORECASE), (lang, msgid, text)
    assert any(re.search("[ңөү]", t) for t in _po("ky", "taza-cli.po").values())
    others = {
        m for path in catalogue_paths("en") if path.name != "taza-cli.po"
        for m in _po("en", path.name)
    }  # fmt: skip
    assert not set(english) & others, "an id in two catalogues"


def test_every_line_the_command_line_prints_is_in_the_catalogues() -> None:
    from routing.fetch import COUNT_WORDS
    from routing.region import STATUS_TEXT

    used: set[str] = set().union(*(_calls_of_underscore(ROUTING / name) for name in COMMAND_LINE))
    used |= set(COUNT_WORDS.values()) | set(STATUS_TEXT.values())
    assert len(used) > 30
    for lang in ("ky", "ru"):
        known = messages(lang)
        assert not sorted(m for m in used if known.get(m, m) == m), lang


# the modules building the command line's parsers (catalogue taza-help.po)
PARSERS = ("cli.py", "compare_cli.py", "region.py")
PARSER_CALLS = {"add_argument", "add_parser", "add_argument_group", "add_subparsers"}
HELP_KEYWORDS = {"help", "description", "epilog", "title"}


def _help_arguments(path: Path) -> list[tuple[int, ast.expr, ast.AST]]:
    """``(line, text argument, enclosing function)`` of every text given to argparse in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, ast.expr, ast.AST]] = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in PARSER_CALLS and name != "LocalizedParser":
                continue
            texts = [k.value for k in node.keywords if k.arg in HELP_KEYWORDS]
            if name == "add_argument_group":
                texts += node.args  # title, description
            found += [(node.lineno, text, func) for text in texts]
    return found


def _constants(path: Path) -> dict[str, str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        t.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for t in node.targets if isinstance(t, ast.Name)
    }  # fmt: skip


def _msgid(call: ast.expr, constants: dict[str, str]) -> str | None:
    """The catalogue id of ``_(literal or CONSTANT, ...)``, else None."""
    if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "_" and call.args):
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.Name):
        return constants.get(first.id)
    return None


def test_every_help_text_goes_through_the_catalogues() -> None:
    """Each text given to argparse is ``_("literal")`` (or a name bound to one just before), in
    every catalogue of taza-help.po, translated, with its placeholders and %-fields kept."""
    ids: set[str] = set()
    for name in PARSERS:
        path = ROUTING / name
        constants = _constants(path)
        for line, text, func in _help_arguments(path):
            if isinstance(text, ast.Name):  # text = _(...) earlier in the function
                bound = [
                    n.value for n in ast.walk(func)
                    if isinstance(n, ast.Assign) and n.lineno < line
                    and any(isinstance(t, ast.Name) and t.id == text.id for t in n.targets)
                ]  # fmt: skip
                assert bound, (name, line)
                msgids = [_msgid(value, constants) for value in bound]
            else:
                msgids = [_msgid(text, constants)]
            assert all(msgids), f"{name}:{line}: a help text not given through _()"
            ids |= {m for m in msgids if m}
    assert len(ids) > 70
    for lang in LANGUAGES:
        texts = _po(lang, "taza-help.po")
        assert not sorted(ids - set(texts)), lang
        for msgid, text in texts.items():
            assert _placeholders(text) == _placeholders(msgid), (lang, msgid)
            assert re.findall(r"%\(\w+\)s", text) == re.findall(r"%\(\w+\)s", msgid), (lang, msgid)
            if lang != "en":
                assert text != msgid and re.search("[а-яё]", text, re.IGNORECASE), (lang, msgid)
    assert sum(bool(re.search("[ңөү]", t)) for t in _po("ky", "taza-help.po").values()) > 50


def test_every_text_the_parser_asks_for_is_in_the_help_catalogue() -> None:
    """Also the texts passed through a variable (the outputs' own words, routing.outputs.FORMATS)."""
    from tests.test_cli import help_texts

    asked = set(help_texts())
    for lang in LANGUAGES:
        assert not sorted(asked - set(_po(lang, "taza-help.po"))), lang
