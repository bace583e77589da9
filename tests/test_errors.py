"""Input errors carry where the problem is, also across processes."""

from __future__ import annotations

import pickle
from pathlib import Path

from routing.errors import InputError
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
