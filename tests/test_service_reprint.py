"""New sheets with new links: a finished plan's sheets drawn again from its saved plan by the queue.

The plan is a real one (the 60-household register of `tests.test_outputs`), its outputs written as
a worker writes them (tokened QR codes under the plan's key); the sheets job runs in a worker
process of the queue, as in the service.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader

from routing.api import write_outputs
from routing.exports import file_stem
from routing.plan import Plan
from routing.service import driverlinks
from routing.service.store import PlanJob
from tests import test_outputs
from tests.qr_reader import read_qr_codes
from tests.service_factory import client, database, finished_plan, post, texts

small_plan = test_outputs.small_plan  # the real 60-household plan: one fixture for the modules
HOST = "https://taza.example.kg"


def _real_outputs(tmp_path: Path, plan: Plan) -> Path:
    """Plan 77's output folder as its worker leaves it, from a real plan."""
    finished_plan(tmp_path)
    with database(tmp_path) as db:
        job = db.get(PlanJob, 77)
        assert job is not None
        out = tmp_path / "data" / job.out_dir
        write_outputs(
            plan, out, formats=("plan", "sheets", "stops", "summary", "gpx"), language="en",
            driver_url=driverlinks.driver_template(job.public_url, 77), driver_key=job.link_key,
        )  # fmt: skip
        job.summary_json = (out / "summary.json").read_text(encoding="utf-8")
        db.commit()
    return out


def _pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _done(c: TestClient, url: str, *, seconds: float = 90.0) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = c.get(f"{url}/status").json()["status"]
        if status not in ("waiting", "running"):
            return str(status)
        time.sleep(0.3)
    return "timed out"


def test_new_sheets_have_new_links_and_the_same_routes(small_plan: Plan, tmp_path: Path) -> None:
    with client(tmp_path, run_queue=True) as c:
        c.get("/lang/en", follow_redirects=True)  # the database is made, the local user signed in
        out = _real_outputs(tmp_path, small_plan)
        stem = file_stem(small_plan.vehicle_days[0])
        before = tmp_path / "before.pdf"
        before.write_bytes((out / "sheets" / f"{stem}.pdf").read_bytes())
        stops_before = (out / "stops.csv").read_bytes()
        [old] = read_qr_codes(before, tmp_path)
        phone = TestClient(c.app)  # never signs in: the token alone opens the page
        assert phone.get(old.removeprefix(HOST)).status_code == 200
        page = c.get("/plans/77").text
        assert 'id="new-sheets"' in page and 'id="no-saved-plan"' not in page
        asked = post(c, "/plans/77/sheets")
        assert asked.status_code == 303
        job_url = asked.headers["location"]
        assert _done(c, job_url) == "done"
        assert phone.get(old.removeprefix(HOST)).status_code == 403, "the old token is refused"
        after = tmp_path / "after.pdf"
        after.write_bytes(c.get(f"/plans/77/files/sheets/{stem}.pdf").content)
        [new] = read_qr_codes(after, tmp_path)
        assert (
            new != old
            and new.split("?t=")[0] == old.split("?t=")[0] == f"{HOST}/plans/77/driver/{stem}"
        )
        assert phone.get(new.removeprefix(HOST)).status_code == 200
        with database(tmp_path) as db:
            job = db.get(PlanJob, 77)
            assert job is not None and new == driverlinks.link_of(job, stem)
        assert _pages(after) == _pages(before), "the same stops in the same order, the same times"
        assert (out / "stops.csv").read_bytes() == stops_before
        assert not [p for p in out.iterdir() if p.name.startswith(".")], "no folder left behind"
        sheets_page = c.get(job_url).text
        assert (
            'href="/plans/77#packets"' in sheets_page and "drawn from its saved plan" in sheets_page
        )
        assert 'id="sheets-redrawn"' in c.get("/plans/77").text


def test_a_plan_without_a_saved_plan_offers_only_planning_again(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    finished_plan(tmp_path)  # its output folder has no plan.json: made before plans were saved
    page = c.get("/plans/77").text
    assert "made before plans were saved" in texts(page, "no-saved-plan")
    assert 'id="new-sheets"' not in page and 'id="plan-again"' in page
    with database(tmp_path) as db:
        job = db.get(PlanJob, 77)
        assert job is not None
        key = job.link_key
    assert post(c, "/plans/77/sheets").status_code == 404
    with database(tmp_path) as db:
        job = db.get(PlanJob, 77)
        assert job is not None and job.link_key == key, "nothing revoked"
    c.get("/lang/ky", follow_redirects=True)
    assert "пландар сакталганга чейин" in texts(c.get("/plans/77").text, "no-saved-plan")
