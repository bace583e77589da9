"""Input errors carry where the problem is, also across processes."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from routing.errors import InputError, Localized, error_texts, library_text
from routing.scenario import ScenarioError


def test_an_input_error_is_a_value_error_with_file_row_and_field() -> None:
    err = InputError(
        "h.csv: row 3, field 'members': 'много' is not a number",
        file="h.csv",
        row=3,
        field="members",
    )
    assert isinstance(err, ValueError)
    assert (err.file, err.row, err.field) == (Path("h.csv"), 3, "members")
    assert str(err).startswith("h.csv: row 3")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is InputError and str(back) == str(err)
    assert (back.file, back.row, back.field) == (Path("h.csv"), 3, "members")


def test_scenario_errors_are_input_errors() -> None:
    err = ScenarioError("s.toml: [depot] lat is missing", file="s.toml", field="depot")
    assert isinstance(err, InputError)
    assert pickle.loads(pickle.dumps(err)).field == "depot"


def test_an_input_error_keeps_its_template_and_values_and_speaks_each_language() -> None:
    err = InputError(
        "{file}: row {row}, field {field!r}: {value!r} is not a number",
        file="h.csv",
        row=3,
        field="members",
        value="много",
    )
    assert str(err) == "h.csv: row 3, field 'members': 'много' is not a number"
    assert err.text("en") == str(err)
    assert err.text("ru") == "h.csv: строка 3, поле 'members': 'много' — не число"
    assert err.text("ky") == "h.csv: 3-сап, 'members' талаасы: 'много' сан эмес"
    assert err.texts() == {"ky": err.text("ky"), "ru": err.text("ru"), "en": str(err)}
    assert InputError("a sentence no catalogue has: {n}", n=2).text("ky") == (
        "a sentence no catalogue has: 2"
    )  # English rather than nothing


def test_pickling_keeps_the_template_and_its_values() -> None:
    err = ScenarioError(
        "{origin}: [{field}] {name} = {value!r} must be a number",
        file="s.toml",
        field="vehicle #1",
        origin="s.toml",
        name="capacity_kg",
        value="ten",
    )
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ScenarioError and str(back) == str(err)
    assert back.template == err.template and back.params == err.params
    assert back.text("ru") == "s.toml: [vehicle #1] capacity_kg = 'ten' должно быть числом"


def test_a_replaced_path_keeps_the_error_translatable() -> None:
    err = InputError(
        "{file}: row {row}, field {field!r}: {value!r} is not a number",
        file="/srv/data/in/h.csv",
        row=2,
        field="members",
        value="x",
    )
    shown = err.replaced("/srv/data/in/", "")
    assert type(shown) is InputError and shown.file == Path("h.csv")
    assert str(shown) == "h.csv: row 2, field 'members': 'x' is not a number"
    assert shown.text("ky").startswith("h.csv: 2-сап")


def test_a_template_with_a_placeholder_nobody_fills_is_a_bug_at_once() -> None:
    with pytest.raises(KeyError, match="value"):
        InputError("{file}: {value!r} is wrong", file="a.csv")


def test_a_value_said_in_each_language_shows_in_the_errors_language() -> None:
    inner = InputError("{file}: row {row}, field {field!r}: {value!r} is not a number",
                       file="/srv/in/h.csv", row=2, field="members", value="x")  # fmt: skip
    outer = ScenarioError(
        "{origin}: [{field}] {detail}",
        file="s.toml",
        field="register",
        origin="s.toml",
        detail=Localized(inner.texts()),
    )
    assert str(outer) == "s.toml: [register] " + str(inner)
    assert outer.text("ru") == "s.toml: [register] " + inner.text("ru")
    back = pickle.loads(pickle.dumps(outer.replaced("/srv/in/", "")))
    assert back.text("ky") == "s.toml: [register] h.csv: 2-сап, 'members' талаасы: 'x' сан эмес"
    assert Localized({"en": "only English"}).say("ky") == "only English"


def test_a_library_text_is_quoted_as_its_own_inside_a_translated_frame(tmp_path: Path) -> None:
    import tomllib

    from routing.region import load_region

    with pytest.raises(tomllib.TOMLDecodeError) as raised:
        tomllib.loads("name = ")
    said = library_text(raised.value)
    words = str(raised.value)  # tomllib's own, English
    assert said == {
        "en": f"tomllib: {words}",
        "ky": f"tomllib (анын өз сөзү, англисче): {words}",
        "ru": f"tomllib (его собственные слова, по-английски): {words}",
    }
    assert library_text(KeyError("x"))["en"] == "Python: 'x'"  # a built-in exception
    assert library_text(ValueError(), library="openpyxl")["en"] == "openpyxl: ValueError"
    bad = tmp_path / "region.toml"
    bad.write_text("[region]\nname = \n", encoding="utf-8")
    with pytest.raises(InputError) as failed:
        load_region(bad)
    error = pickle.loads(pickle.dumps(failed.value))  # as a worker process sends it
    assert error.text("ky").startswith(
        f"{bad}: туура эмес TOML (tomllib (анын өз сөзү, англисче): "
    )
    assert error.text("ru").startswith(f"{bad}: неверный TOML (tomllib (его собственные слова, ")
    assert str(error).startswith(f"{bad}: not valid TOML (tomllib: Invalid value")
    assert error_texts(error) == error.texts()  # bad input: its own words in each language
    assert error_texts(OSError("disk full"))["ru"] == (
        "непредвиденная ошибка (Python (его собственные слова, по-английски): disk full)"
    )
