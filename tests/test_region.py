"""Many service areas on Dask: the region file, the report, failures and a killed worker."""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
from pathlib import Path

import pytest

from routing.errors import InputError
from routing.region import (
    AreaResult,
    Region,
    RegionEvent,
    RegionReport,
    failed_area,
    load_region,
    plan_region,
    region_table,
    write_report,
)
from routing.synthetic import generate_town

REGION = """
[region]
name = "Test region"
max_iterations = 200
formats = ["summary", "stops"]

[[area]]
name = "Town one"
scenario = "t1/scenario.toml"

[[area]]
name = "Broken"
scenario = "bad/scenario.toml"

[[area]]
name = "Town two"
scenario = "t2/scenario.toml"
"""


@pytest.fixture(scope="module")
def region_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two small synthetic towns and an area whose OSM file is missing."""
    root = tmp_path_factory.mktemp("region")
    for seed in (1, 2):
        generate_town(root / f"t{seed}", households=250, seed=seed)
    bad = root / "bad"
    bad.mkdir()
    text = (root / "t1" / "scenario.toml").read_text(encoding="utf-8")
    (bad / "scenario.toml").write_text(text.replace("town.osm", "missing.osm"), encoding="utf-8")
    for name in ("households.csv", "containers.csv"):
        (bad / name).write_bytes((root / "t1" / name).read_bytes())
    (root / "region.toml").write_text(REGION, encoding="utf-8")
    return root / "region.toml"


def test_a_region_file_lists_its_areas_with_paths_beside_it(region_file: Path) -> None:
    region = load_region(region_file)
    assert [a.name for a in region.areas] == ["Town one", "Broken", "Town two"]
    assert region.areas[0].scenario == region_file.parent / "t1" / "scenario.toml"
    assert region.out_dir == region_file.parent / "region-out"
    assert region.max_iterations == 200 and region.formats == ("summary", "stops")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[region]\nname = 'x'\n", r"area: at least one"),
        (
            "[region]\ncolour = 1\n[[area]]\nname='a'\nscenario='t1/scenario.toml'\n",
            r"region\.colour",
        ),
        ("[[area]]\nname='a'\nscenario='nowhere.toml'\n", r"area #1\.scenario: .*does not exist"),
        ("[[area]]\nname='a'\n", r"area #1\.scenario: is missing"),
        ("[region]\ntime_limit_s = -1\n[[area]]\nname='a'\nscenario='t1/scenario.toml'\n", "> 0"),
    ],
)
def test_a_bad_region_file_is_an_input_error_naming_the_field(
    region_file: Path, tmp_path: Path, text: str, match: str
) -> None:
    path = region_file.parent / f"bad-{abs(hash(text))}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        load_region(path)


def test_the_report_lists_every_area_and_the_failed_ones_with_their_error(tmp_path: Path) -> None:
    region = Region("r", tmp_path / "r.toml", tmp_path / "out", ())
    areas = [
        AreaResult("A", households_in=10, households_served=9, vehicles=1, km=12.5, hours=3.0),
        AreaResult("B", error="ScenarioError: no such file"),
    ]
    report = RegionReport(region, areas, 12.0, "LocalCluster (2 workers)")
    text = region_table(report, language="ru")
    assert "Территория" in text and "ScenarioError: no such file" in text
    assert "Спланировано 1 из 2" in text
    json_path, csv_path = write_report(report)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["areas_ok"] == 1 and data["areas_failed"] == 1
    header = csv_path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("name,error,error_ky,error_ru,error_en,")


def test_a_failed_area_keeps_its_error_in_every_language(tmp_path: Path) -> None:
    from routing.scenario import load_scenario

    try:
        load_scenario(tmp_path / "nowhere.toml")
    except InputError as exc:
        bad_input = failed_area("A", exc, worker="pid 7")
    bug = failed_area("B", ZeroDivisionError("division by zero"))
    missing = tmp_path / "nowhere.toml"
    assert bad_input.error == f"routing.scenario.ScenarioError: scenario file not found: {missing}"
    assert bad_input.error_texts is not None and bad_input.worker == "pid 7"
    assert (
        bad_input.error_texts["ky"] == f"сценарий файлы табылган жок: {tmp_path / 'nowhere.toml'}"
    )
    assert bad_input.error_texts["ru"].startswith("файл сценария не найден: ")
    assert bug.error_texts == {
        "en": "unexpected error (Python: division by zero)",
        "ky": "күтүлбөгөн ката (Python (анын өз сөзү, англисче): division by zero)",
        "ru": "непредвиденная ошибка (Python (его собственные слова, по-английски): division by zero)",
    }
    region = Region("r", tmp_path / "r.toml", tmp_path / "out", ())
    report = RegionReport(region, [bad_input, bug], 3.0, "sequential")
    table = region_table(report, language="ky")
    assert "сценарий файлы табылган жок" in table and "күтүлбөгөн ката (Python" in table
    json_path, csv_path = write_report(report)
    areas = json.loads(json_path.read_text(encoding="utf-8"))["areas"]
    assert [a["error_texts"] for a in areas] == [bad_input.error_texts, bug.error_texts]
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[1]["error_ru"] == bug.error_texts["ru"] and rows[1]["error"].startswith("ZeroDiv")


@pytest.mark.slow
def test_areas_run_one_after_another_without_dask_and_a_failure_is_reported(
    region_file: Path,
) -> None:
    events: list[RegionEvent] = []
    report = plan_region(load_region(region_file), sequential=True, on_event=events.append)
    one, broken, two = report.areas
    assert (
        one.ok and two.ok and one.households_in == one.households_served + one.households_unserved
    )
    assert not broken.ok and "missing.osm" in (broken.error or "")
    assert (Path(one.out_dir) / "summary.json").exists()
    stages = [e.progress.stage for e in events if e.area == "Town one" and e.progress]
    assert "matrix" in stages and "search" in stages


@pytest.mark.slow
def test_a_worker_killed_mid_task_has_its_task_rerun_and_the_others_finish(
    region_file: Path,
) -> None:
    distributed = pytest.importorskip("distributed")
    killed: list[int] = []
    starts: list[RegionEvent] = []
    lock = threading.Lock()

    def on_event(event: RegionEvent) -> None:
        if event.status != "started":
            return
        with lock:
            starts.append(event)
            if event.area == "Town one" and not killed:
                killed.append(event.pid)
                os.kill(event.pid, signal.SIGKILL)  # the worker dies in the middle of the area

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        report = plan_region(
            load_region(region_file), scheduler=cluster.scheduler_address, on_event=on_event
        )
    one, broken, two = report.areas
    assert killed, "the worker planning Town one was killed"
    assert [e.area for e in starts].count("Town one") >= 2, "its task ran again"
    assert one.ok and one.worker != f"pid {killed[0]}"
    assert two.ok and not broken.ok
    assert (Path(two.out_dir) / "stops.csv").exists()
