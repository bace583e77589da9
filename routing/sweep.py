"""Sweeps: every combination of a few scenario values, planned and compared in one report.

``taza-route sweep BASE --vary vehicle.count=1,2,3 --vary village.days=1,2`` plans the base with each
combination as overrides (:func:`routing.scenario.apply_overrides`: a key through ``[[vehicle]]`` or
``[[village]]`` without ``[name]`` sets every entry) and writes the comparison report with a chart
of cost per household against coverage, the undominated combinations marked.

One key has a meaning of its own: ``village.days=N`` collects every village N times a week. Each
village's ``frequency`` becomes N and, where it lists fewer than N days, the working days after its
last listed day (Monday to Saturday, in week order, wrapping) are added until it has N.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.scenario import DAYS, ScenarioError, read_layers

__all__ = ["Vary", "combinations", "parse_vary", "sweep_tasks"]

WORKING_DAYS: tuple[str, ...] = DAYS[:6]


@dataclass(frozen=True)
class Vary:
    """One ``--vary KEY=V1,V2`` option: a dotted key and its values."""

    key: str
    values: tuple[Any, ...]


def parse_vary(text: str) -> Vary:
    """Parse ``KEY=V1,V2,...``; each value is read as TOML (``2``, ``0.5``, ``"text"``, ``true``).

    Raises
    ------
    ScenarioError
        No ``=``, no values, or a value that is not TOML.
    """
    key, sep, rest = text.partition("=")
    if not sep or not key.strip() or not rest.strip():
        msg = "--vary {text!r}: write KEY=VALUE1,VALUE2 (e.g. vehicle.count=1,2,3)"
        raise ScenarioError(msg, field="--vary", text=text)
    values = []
    for part in rest.split(","):
        try:
            values.append(tomllib.loads(f"v = {part.strip()}")["v"])
        except tomllib.TOMLDecodeError:
            values.append(part.strip())  # bare text, e.g. a village name
    return Vary(key=key.strip(), values=tuple(values))


def combinations(varies: Sequence[Vary]) -> list[dict[str, Any]]:
    """Every combination of the values, as ``{key: value}``, in the order given."""
    keys = [v.key for v in varies]
    return [
        dict(zip(keys, combo, strict=True))
        for combo in itertools.product(*(v.values for v in varies))
    ]


def sweep_tasks(base: Path, varies: Sequence[Vary]) -> list[tuple[str, dict[str, Any]]]:
    """(label, overrides) for each combination; ``village.days`` expanded as the module says."""
    raw = read_layers(base).raw
    out = []
    for combo in combinations(varies):
        label = ", ".join(f"{k}={v}" for k, v in combo.items())
        overrides: dict[str, Any] = {}
        for key, value in combo.items():
            if key == "village.days":
                overrides.update(_days_per_week(raw, value))
            else:
                overrides[key] = value
        out.append((label, overrides))
    return out


def _days_per_week(raw: Mapping[str, Any], n: Any) -> dict[str, Any]:
    if not isinstance(n, int) or not 1 <= n <= len(WORKING_DAYS):
        msg = "--vary village.days={value!r}: give collections per week, 1 to {days}"
        raise ScenarioError(msg, field="--vary", value=n, days=len(WORKING_DAYS))
    out: dict[str, Any] = {}
    for village in raw.get("village", []):
        name = village.get("name")
        days = [d for d in DAYS if d in village.get("days", [])]
        start = DAYS.index(days[-1]) if days else -1
        extra = [WORKING_DAYS[(start + 1 + i) % 6] for i in range(len(WORKING_DAYS))]
        for day in extra:
            if len(days) >= n:
                break
            if day not in days:
                days.append(day)
        out[f"village[{name}].days"] = [d for d in DAYS if d in days]
        out[f"village[{name}].frequency"] = n
    return out


def run_sweep(
    base: Path,
    varies: Sequence[Vary],
    out_dir: Path,
    *,
    language: str | None = None,
    workers: int | None = None,
    on_progress: Any = None,
    cancel: Any = None,
    time_limit_s: float | None = None,
    balance_rounds: int | None = None,
) -> tuple[list[Path], list[Any]]:
    """Plan the base and every combination in parallel and write the sweep report.

    ``time_limit_s`` and ``balance_rounds`` replace the base's search limits for every
    combination (a ``--vary`` of the same ``solver.`` key still wins); the report states them.

    Returns
    -------
    (files written, results): the base first, then the combinations in order.
    """
    from routing.compare import Task, common_limits, run_variants
    from routing.progress import CancelToken
    from routing.report import write_report

    speak = {"scenario.language": language} if language else {}  # progress messages too
    limits = common_limits(base, time_limit_s=time_limit_s, balance_rounds=balance_rounds)
    tasks = [Task(label="base", path=base, overrides={**limits, **speak})]
    tasks += [
        Task(label=label, path=base, overrides={**limits, **o, **speak})
        for label, o in sweep_tasks(base, varies)
    ]
    token = cancel or CancelToken()
    results = run_variants(tasks, workers=workers, on_progress=on_progress, cancel=token)
    token.check()  # cancelled: no report, the folder stays as it was
    points = [
        (r.figures.total.cost_per_household_month, r.figures.total.coverage)
        if r.figures
        else (None, None)
        for r in results
    ]
    files = write_report(results, out_dir, language=language, sweep=points)
    return files, results
