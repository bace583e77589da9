"""Every bad-input message of the user-facing modules is in the catalogues, in ky, ru and en.

The messages are found in the source: each ``InputError(...)``, ``ScenarioError(...)`` and the
modules' helpers that make one, with its template a literal (written at the call or assigned to the
name it passes just before). A template built at run time (an f-string) could not be looked up in
a catalogue, so the scan fails on it.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from routing.i18n import LANGUAGES, LOCALE_DIR

ROUTING = Path(__file__).resolve().parents[1] / "routing"
# the modules whose input errors a user sees (the benchmark readers, routing/readers/, stay English)
USER_FACING = (
    "area.py",
    "scenario.py",
    "register.py",
    "geocode.py",
    "network.py",
    "fetch.py",
    "profile.py",
    "region.py",
    "settlements.py",
    "pipeline.py",
    "links.py",
    "planfile.py",
    "sweep.py",
    "cli.py",
    "atomic.py",
    "api.py",
    "service/settings.py",
    "service/server.py",
)
# every module that makes an input error: its templates must be literals whatever their audience
MAKING = sorted(
    str(p.relative_to(ROUTING))
    for p in ROUTING.rglob("*.py")
    if re.search(r"\b(InputError|ScenarioError|UnsafeSettings)\(", p.read_text(encoding="utf-8"))
)
# the callables that make an input error: the position of the template among their arguments, and
# the placeholders they fill themselves
MAKERS: dict[str, tuple[int, frozenset[str]]] = {
    "InputError": (0, frozenset()),
    "ScenarioError": (0, frozenset()),
    "UnsafeSettings": (0, frozenset()),
    "_fail": (1, frozenset({"origin", "field", "name"})),  # scenario._Reader._fail
    "_bad_key": (2, frozenset({"file", "field"})),  # region._bad_key
}
CATALOGUE = "taza-errors.po"


def _fields(text: str) -> set[tuple[str, str | None, str]]:
    """The placeholders of a template with their conversion and format: ``{value!r}`` → r."""
    return {
        (name, conversion, spec or "")
        for _, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    }


def _words(text: str) -> str:
    """A template without its placeholders."""
    return re.sub(r"\{[^}]*\}", "", text)


def _names(text: str) -> set[str]:
    return {name for name, _, _ in _fields(text)}


def _literal(node: ast.AST, constants: dict[str, ast.expr]) -> str | None:
    """The text of a literal: a string, a sum of literals or a module-level constant's."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, constants), _literal(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name) and node.id in constants:
        return _literal(constants[node.id], constants)
    return None


def _assigned(func: ast.AST, name: str, after: int, before: int) -> list[ast.expr]:
    """The values assigned to ``name`` in ``func`` between two lines."""
    return [
        node.value
        for node in ast.walk(func)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        and after < node.lineno < before
    ]


def _maker(call: ast.Call) -> str | None:
    func = call.func
    name = getattr(func, "id", None) or getattr(func, "attr", None)
    return name if name in MAKERS else None


def _own_calls(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Call]:
    """The makers' calls in ``func`` itself (not in the functions defined inside it), in order."""
    nested = {
        id(node)
        for inner in ast.walk(func)
        if inner is not func and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(inner)
    }
    calls = [
        node
        for node in ast.walk(func)
        if isinstance(node, ast.Call) and _maker(node) and id(node) not in nested
    ]
    return sorted(calls, key=lambda c: c.lineno)


def error_templates(module: Path) -> list[tuple[int, str, set[str] | None]]:
    """``(line, template, placeholders the call fills)`` of every input error the module makes.

    The template is ``"<not a literal>"`` where it is built at run time; the placeholders are
    None where the call passes ``**values``. A name passed as the template stands for the literals
    assigned to it since it was last read.
    """
    tree = ast.parse(module.read_text(encoding="utf-8"))
    constants = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    out: list[tuple[int, str, set[str] | None]] = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        parameters = {a.arg for a in (*func.args.args, *func.args.kwonlyargs)}
        for call in _own_calls(func):
            position, implicit = MAKERS[_maker(call) or ""]
            if len(call.args) <= position:
                continue
            arg = call.args[position]
            if isinstance(arg, ast.Attribute) and arg.attr == "template":
                continue  # another error's template, passed on with its values
            values: list[ast.expr] = [arg]
            if isinstance(arg, ast.Name) and arg.id not in constants:
                if arg.id in parameters:
                    continue  # a helper passing on its caller's template
                read = [
                    n.lineno
                    for n in ast.walk(func)
                    if isinstance(n, ast.Name)
                    and n.id == arg.id
                    and isinstance(n.ctx, ast.Load)
                    and n.lineno < call.lineno
                ]
                values = _assigned(func, arg.id, max(read, default=0), call.lineno)
            given: set[str] | None = {k.arg for k in call.keywords if k.arg} | implicit
            if any(k.arg is None for k in call.keywords):
                given = None
            for value in values or [arg]:
                text = _literal(value, constants)
                out.append((call.lineno, "<not a literal>" if text is None else text, given))
    return out


def _catalogue(language: str) -> dict[str, str]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / CATALOGUE).open("rb") as fh:
        return {
            e.id: str(e.string)
            for e in read_po(fh, locale=language)
            if isinstance(e.id, str) and e.id
        }


def _all_templates(
    modules: tuple[str, ...] | list[str] = USER_FACING,
) -> list[tuple[str, int, str, set[str] | None]]:
    return [(name, *found) for name in modules for found in error_templates(ROUTING / name)]


def test_the_scan_finds_the_messages() -> None:
    found = _all_templates()
    assert len(found) > 50
    assert any("is not a number" in t for _, _, t, _ in found)


def test_every_template_is_a_literal_whose_placeholders_the_call_fills() -> None:
    """In every module, also the benchmark readers: a message built at run time could not be
    translated, and one with a brace of its own would not format."""
    assert set(USER_FACING) <= set(MAKING) and "readers/kim.py" in MAKING
    found = _all_templates(MAKING)
    bad = [(name, line) for name, line, t, _ in found if t == "<not a literal>"]
    assert not bad, "a template built at run time cannot be translated"
    unfilled = [
        (name, line, t, sorted(_names(t) - given))
        for name, line, t, given in found
        if given is not None and not _names(t) <= given
    ]
    assert not unfilled


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_is_in_the_catalogue_with_its_placeholders(language: str) -> None:
    catalogue = _catalogue(language)
    worded = {t for _, _, t, _ in _all_templates() if re.search("[a-z]{2}", _words(t))}
    missing = sorted(worded - set(catalogue))  # "{file}: {problems}" has nothing to translate
    assert not missing, missing
    for template, text in catalogue.items():
        assert text, (language, template)
        assert _fields(text) == _fields(template), (language, template, text)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_translations_are_kyrgyz_and_russian(language: str) -> None:
    catalogue = _catalogue(language)
    for template, text in catalogue.items():
        assert re.search("[а-яё]", _words(text), re.IGNORECASE), (language, template, text)
    if language == "ky":
        assert sum(bool(re.search("[ңөү]", t)) for t in catalogue.values()) > len(catalogue) / 3


def test_the_english_catalogue_is_the_templates_themselves() -> None:
    english = _catalogue("en")
    assert all(text == template for template, text in english.items())
    assert set(english) == set(_catalogue("ky")) == set(_catalogue("ru"))
