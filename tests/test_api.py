"""The planning API: progress in order over every stage, cancellation, outputs written as a whole."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from routing.api import ALL_FORMATS, plan_week, write_outputs
from routing.errors import InputError
from routing.outputs import FORMATS
from routing.plan import Plan
from routing.progress import STAGES, Cancelled, CancelToken, Progress
from routing.scenario import Scenario, load_scenario
from tests.conftest import DATA


def _scenario(tmp: Path, rows: int = 60, **overrides: object) -> Scenario:
    lines = (DATA / "taza-aimak" / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    register = tmp / "register.csv"
    register.write_text("\n".join(lines[: rows + 1]) + "\n", encoding="utf-8")
    values = {"register.households": str(register), "solver.max_iterations": 100, **overrides}
    return load_scenario(DATA / "taza-aimak" / "scenario.toml", overrides=values)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, list[Progress]]:
    events: list[Progress] = []
    plan = plan_week(_scenario(tmp_path_factory.mktemp("api")), on_progress=events.append)
    return plan, events


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_progress_events_arrive_in_order_and_cover_every_stage(
    planned: tuple[Plan, list[Progress]], tmp_path: Path
) -> None:
    plan, events = planned
    write_outputs(plan, tmp_path / "out", formats=("summary", "stops"), on_progress=events.append)
    assert [e.stage for e in events if e.fraction == 1.0] == list(STAGES)
    numbers = [e.number for e in events]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, len(STAGES) + 1))
    assert all(e.total == len(STAGES) and e.stage == STAGES[e.number - 1] for e in events)
    for stage in STAGES:
        mine = [e.fraction for e in events if e.stage == stage]
        assert mine[0] in (None, 0.0) and mine[-1] == 1.0
        known = [f for f in mine if f is not None]
        assert known == sorted(known) and all(0.0 <= f <= 1.0 for f in known)
    # the matrix reports its rows and the search its days, in the scenario's language (ky)
    assert len([e for e in events if e.stage == "matrix"]) >= 3
    days = list(
        dict.fromkeys(e.message for e in events if e.stage == "search" and "/" in e.message)
    )
    assert len(days) == len({vd.day for vd in plan.vehicle_days})
    assert days[0].startswith("Күндөрдүн каттамдары: Дүйшөмбү (1/")
    assert events[0].message == "Жол тармагын жүктөө"
    assert {f"seconds_{s}" for s in STAGES[:-1]} <= set(plan.stats)


def test_two_plans_of_one_scenario_in_one_process_are_the_same(
    planned: tuple[Plan, list[Progress]], tmp_path: Path
) -> None:
    first, _ = planned
    again = plan_week(_scenario(tmp_path))
    assert [
        (s.day, s.vehicle, s.point_id, s.arrival_s) for vd in again.vehicle_days for s in vd.stops
    ] == [
        (s.day, s.vehicle, s.point_id, s.arrival_s) for vd in first.vehicle_days for s in vd.stops
    ]
    assert again.unserved.equals(first.unserved)


def test_one_worker_gives_the_same_plan_as_two(
    planned: tuple[Plan, list[Progress]], tmp_path: Path
) -> None:
    first, _ = planned
    one = plan_week(_scenario(tmp_path), workers=1)
    assert [(s.day, s.vehicle, s.point_id) for vd in one.vehicle_days for s in vd.stops] == [
        (s.day, s.vehicle, s.point_id) for vd in first.vehicle_days for s in vd.stops
    ]


def test_cancelling_during_the_matrix_stops_at_once(tmp_path: Path) -> None:
    token = CancelToken()
    seen: list[Progress] = []

    def on_progress(event: Progress) -> None:
        seen.append(event)
        if event.stage == "matrix":
            token.cancel()

    with pytest.raises(Cancelled):
        plan_week(_scenario(tmp_path), on_progress=on_progress, cancel=token)
    assert seen[-1].stage == "matrix" and seen[-1].fraction == 0.0


def _old_outputs(folder: Path) -> dict[str, bytes]:
    (folder / "gpx").mkdir(parents=True)
    (folder / "summary.json").write_text('{"old": true}', encoding="utf-8")
    (folder / "gpx" / "mon-old.gpx").write_text("<gpx/>", encoding="utf-8")
    (folder / "README.md").write_text("kept", encoding="utf-8")
    return _snapshot(folder)


def test_a_cancel_while_writing_leaves_the_previous_folder_as_it_was(
    planned: tuple[Plan, list[Progress]], tmp_path: Path
) -> None:
    plan, _ = planned
    out = tmp_path / "maps"
    before = _old_outputs(out)
    token = CancelToken()

    def on_progress(event: Progress) -> None:
        if event.message.endswith("routes.geojson"):  # after two formats were written
            token.cancel()

    with pytest.raises(Cancelled):
        write_outputs(plan, out, formats=ALL_FORMATS, on_progress=on_progress, cancel=token)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["maps"]  # no temporary folder left


def test_a_crashing_writer_leaves_the_previous_folder_as_it_was(
    planned: tuple[Plan, list[Progress]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, _ = planned
    out = tmp_path / "maps"
    before = _old_outputs(out)

    def broken(*args: object) -> list[Path]:
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setitem(FORMATS, "kml", replace(FORMATS["kml"], writer=broken))  # type: ignore[index]
    with pytest.raises(OSError, match="disk full"):
        write_outputs(plan, out, formats=("summary", "gpx", "kml"))
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["maps"]


def test_outputs_replace_the_folder_as_a_whole(
    planned: tuple[Plan, list[Progress]], tmp_path: Path
) -> None:
    plan, _ = planned
    out = tmp_path / "maps"
    _old_outputs(out)
    written = write_outputs(plan, out, formats=("summary", "stops", "gpx"))
    names = _snapshot(out)
    # the old run's files are gone, the README stays, every path returned is in place
    assert "gpx/mon-old.gpx" not in names and names["README.md"] == b"kept"
    assert b'"old"' not in names["summary.json"]
    assert {str(p.relative_to(out)) for p in written} == set(names) - {"README.md"}
    assert all(p.is_file() for p in written)
    assert [p.name for p in tmp_path.iterdir()] == ["maps"]


def test_each_output_has_its_own_switch(
    planned: tuple[Plan, list[Progress]], tmp_path: Path
) -> None:
    plan, _ = planned
    written = write_outputs(plan, tmp_path / "a", formats=("kml",))
    assert written and all(p.suffix == ".kml" and p.parent.name == "gpx" for p in written)
    written = write_outputs(plan, tmp_path / "b", formats=("geojson", "summary"))
    assert {p.suffix for p in written} == {".geojson", ".json"}


def test_bad_output_requests_are_input_errors(
    planned: tuple[Plan, list[Progress]], tmp_path: Path
) -> None:
    plan, _ = planned
    with pytest.raises(InputError, match="unknown output format"):
        write_outputs(plan, tmp_path / "x", formats=("pdf",))
    with pytest.raises(InputError, match=r"driver_url: unknown field \{plan\}"):
        write_outputs(plan, tmp_path / "x", formats=("sheets",), driver_url="http://h/{plan}")
    assert not (tmp_path / "x").exists()
    other = tmp_path / "documents"
    other.mkdir()
    (other / "letter.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="holds other files"):
        write_outputs(plan, other, formats=("summary",))
    assert [p.name for p in other.iterdir()] == ["letter.txt"]


def test_cancelling_during_the_search_stops_within_two_seconds_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """A front end's stop button: the token is cancelled from another thread mid-search."""
    out = tmp_path / "maps"
    before = _old_outputs(out)
    token = CancelToken()
    cancelled_at: list[float] = []

    def cancel() -> None:
        cancelled_at.append(time.monotonic())
        token.cancel()

    timer = threading.Timer(1.0, cancel)

    def on_progress(event: Progress) -> None:
        if event.stage == "search" and "/" in event.message and not timer.ident:
            timer.start()  # one second into the first day's search (a minute without a cancel)

    overrides = {"solver.max_iterations": None, "solver.time_limit_s": 60.0}
    scenario = _scenario(tmp_path, 400, **overrides)
    with pytest.raises(Cancelled):
        plan = plan_week(scenario, on_progress=on_progress, cancel=token)
        write_outputs(plan, out, formats=ALL_FORMATS, cancel=token)
    stopped = time.monotonic()
    timer.join()
    assert cancelled_at and stopped - cancelled_at[0] < 2.0
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps", "register.csv"]
