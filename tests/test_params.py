"""The solver's parameters object (routing/solver/params.py)."""

from __future__ import annotations

import dataclasses

import pytest

from routing.solver import SolveParams


def test_parameters_are_frozen_with_documented_defaults() -> None:
    params = SolveParams()
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.neighbours = 3  # type: ignore[misc]
    doc = SolveParams.__doc__ or ""
    for f in dataclasses.fields(SolveParams):
        assert f"    {f.name}\n" in doc, f"{f.name} is not documented"


@pytest.mark.parametrize(
    "bad",
    [
        {"neighbours": 0},
        {"keep": 0.0},
        {"keep": 1.5},
        {"history_length": -1},
        {"small_history_length": 0},
        {"small_max_clients": -1},
        {"plain_meetings": -1},
        {"plain_meetings": 1.5},
        {"plain_long_ruin_share": 1.0},  # the PyVRP search would get no time at all
        {"plain_long_ruin_share": -0.1},
        {"strings_blink": 1.0},  # every insertion place skipped
        {"strings_max_string": 2.5},
    ],
)
def test_bad_parameters_are_refused_naming_the_field(bad: dict[str, float]) -> None:
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        SolveParams(**bad)  # type: ignore[arg-type]
