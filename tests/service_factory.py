"""Helpers for the web service's tests: an installation in a temporary folder, a small register."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from routing.service.app import create_app
from routing.service.server import wait_until_up
from routing.service.settings import Settings
from routing.service.store import DONE, PlanJob, make_engine, session_factory
from tests.conftest import DATA

REGISTER = DATA / "taza-aimak" / "households.csv"
BROKEN_ROW = ["9001", "Терек-Суу", "Жок-Дегенде көчөсү", "5", "Асанов Асан", "4", "", ""]
# Where register row 2 (household 1) lies: a good position for the broken row's fix.
FIX_LAT, FIX_LON = "41.880192", "72.715238"


def small_register(path: Path, *, rows: int = 60, broken: bool = True) -> Path:
    """The first rows of the embedded register (all in Terek-Suu), plus one row no street matches."""
    with REGISTER.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(table[: rows + 1])
        if broken:
            writer.writerow(BROKEN_ROW)
    return path


def broken_row_number(rows: int = 60) -> int:
    """The file row of the broken row written by :func:`small_register` (header is row 1)."""
    return rows + 2


def settings(tmp_path: Path, **values: Any) -> Settings:
    """Settings of a test installation in ``tmp_path`` (queue polled quickly)."""
    base: dict[str, Any] = {"data_dir": tmp_path / "data", "plan_workers": 1, "poll_s": 0.2}
    return Settings(**{**base, **values})


def client(tmp_path: Path, *, run_queue: bool = False, **values: Any) -> TestClient:
    """A test client of a fresh installation (use it as a context manager to run the queue)."""
    return TestClient(create_app(settings(tmp_path, **values), run_queue=run_queue))


def database(tmp_path: Path) -> Any:
    """A session on the test installation's database (use it as a context manager)."""
    return session_factory(make_engine(settings(tmp_path).database_url))()


FINISHED_PLAN_DAYS = (("Truck", "mon-truck"), ("Tractor", "mon-tractor"))
"""The vehicle-days of :func:`finished_plan`: (vehicle, stem); Monday 2026-11-30."""


def finished_plan(tmp_path: Path, enterprise_id: int = 1, *, job_id: int = 77) -> int:
    """A done plan row with an output folder, as a worker leaves it: two vehicle-days on Monday
    2026-11-30, each with its sheet and GPX, the truck's also with KML and GeoJSON."""
    out = tmp_path / "data" / "plans" / str(job_id) / "out"
    (out / "sheets").mkdir(parents=True)
    (out / "gpx").mkdir()
    (out / "summary.json").write_text("{}", encoding="utf-8")
    for _vehicle, stem in FINISHED_PLAN_DAYS:
        (out / "sheets" / f"{stem}.pdf").write_bytes(b"%PDF-1.4 test " + stem.encode())
        (out / "gpx" / f"{stem}.gpx").write_text(f"<gpx>{stem}</gpx>", encoding="utf-8")
    (out / "gpx" / "mon-truck.kml").write_text("<kml/>", encoding="utf-8")
    (out / "gpx" / "mon-truck.geojson").write_text(
        '{"type": "FeatureCollection"}', encoding="utf-8"
    )
    (out / "stops.csv").write_text(
        "day,vehicle,kind,label,village,households,arrival,departure,lat,lon\n"
        "mon,Truck,depot,Garage,,0,08:00,08:00,41.88,72.70\n"
        "mon,Truck,collect,Манас көчөсү 1–9,Терек-Суу,9,08:20,08:30,41.88,72.71\n"
        "mon,Tractor,collect,Ленин көчөсү 4,Терек-Суу,0,09:20,09:30,41.88,72.72\n",
        encoding="utf-8",
    )
    days = [{"day": "mon", "date": "2026-11-30", "vehicle": vehicle, "km": 3.0, "stops": 1,
             "start": "08:00", "end": "09:00", "landfill_trips": 1} for vehicle, _ in FINISHED_PLAN_DAYS]  # fmt: skip
    summary = {
        "households_in": 9, "households_served": 9, "households_unserved": 0, "synthetic": True,
        "attribution": "© OpenStreetMap contributors", "totals": {"km": 3.0, "hours": 1.0, "landfill_trips": 1},
        "vehicle_days": days,
    }  # fmt: skip
    with database(tmp_path) as db:
        job = PlanJob(
            id=job_id, enterprise_id=enterprise_id, scenario_id=1, scenario_name="Taza", toml_text="",
            status=DONE, out_dir=f"plans/{job_id}/out", summary_json=json.dumps(summary), stage="outputs",
            stage_number=8, stage_total=8, public_url="https://taza.example.kg",
        )  # fmt: skip
        db.add(job)
        db.commit()
    return job_id


def csrf(c: TestClient) -> str:
    """The browser's CSRF token (the cookie the first page set)."""
    if c.cookies.get("taza_csrf") is None:
        c.get("/healthz")
    token = c.cookies.get("taza_csrf")
    assert token
    return token


def post(c: TestClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A form post with the CSRF token."""
    return c.post(
        url, data={"csrf_token": csrf(c), **(data or {})}, follow_redirects=False, **kwargs
    )


def texts(html: str, element_id: str) -> str:
    """The text of the element with that id (first one), for checking messages."""
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert m, f"no element #{element_id}"
    import html as html_lib

    return html_lib.unescape(m.group(1)).strip()


# ------------------------------------------------------------------------------------------------
# a real server in its own process (end-to-end and restart tests, load bench)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def start_server(data_dir: Path, port: int, *, password: str | None = None) -> Any:
    """``taza-route serve`` on loopback in a new process; waits until it answers."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TAZA_DATA_DIR": str(data_dir)}
    env.pop("TAZA_ADMIN_PASSWORD", None)
    if password:
        env["TAZA_ADMIN_PASSWORD"] = password
    command = [sys.executable, "-m", "routing.cli", "serve", "--port", str(port)]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "server.log").open("a", encoding="utf-8")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
    except RuntimeError as exc:
        log = (data_dir / "server.log").read_text(encoding="utf-8")
        msg = f"{exc}: {log}"
        raise RuntimeError(msg) from None
    return process
