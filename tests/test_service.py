"""The web service's routes, each with its refusals (FastAPI TestClient, a real SQLite database)."""

from __future__ import annotations

import io
import json
import sqlite3
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
import tomli_w
from sqlalchemy import select

from routing.errors import InputError
from routing.geocode import read_corrections
from routing.scenario import ScenarioError, load_scenario
from routing.service.jobs import inputs_dir
from routing.service.server import UnsafeSettings, check_safe, serve, set_admin_password
from routing.service.settings import Settings
from routing.service.store import DONE, RUNNING, PlanJob, ScenarioRow
from tests.qr_reader import read_qr_codes
from tests.service_factory import (
    FIX_LAT,
    FIX_LON,
    broken_row_number,
    client,
    database,
    finished_plan,
    post,
    settings,
    small_register,
    texts,
)

PASSWORD = "correct horse battery"


def _login(c, username: str = "admin", password: str = PASSWORD):
    return post(c, "/login", {"username": username, "password": password, "next": "/"})


def _scenario_text(tmp_path: Path, sid: int = 1) -> str:
    with database(tmp_path) as db:
        row = db.get(ScenarioRow, sid)
        assert row is not None
        return row.toml_text


# --------------------------------------------------------------------------------------------
# store, start, safety


def test_database_is_made_by_the_migrations_in_wal_mode(tmp_path: Path) -> None:
    client(tmp_path)
    client(tmp_path)  # a second start finds the schema current and the default already there
    con = sqlite3.connect(tmp_path / "data" / "taza.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0005"
    assert con.execute("SELECT count(*) FROM scenario").fetchone()[0] == 1
    con.close()


def test_the_default_scenario_is_loaded_and_valid(tmp_path: Path) -> None:
    c = client(tmp_path)
    page = c.get("/", follow_redirects=True)
    assert page.status_code == 200 and "Taza Aimak" in page.text
    text = _scenario_text(tmp_path)
    scenario = load_scenario(_write(inputs_dir(tmp_path / "data", 1) / "t.toml", text))
    assert scenario.households is not None and scenario.synthetic


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_off_loopback_refuses_to_start_without_an_admin_password(tmp_path: Path) -> None:
    wide = Settings(data_dir=tmp_path / "data", host="0.0.0.0")
    with pytest.raises(UnsafeSettings, match="administrator password"):
        check_safe(wide)
    check_safe(Settings(data_dir=tmp_path / "data", host="127.0.0.1"))  # loopback is fine
    set_admin_password(wide, PASSWORD)
    check_safe(wide)
    with pytest.raises(ValueError, match="at least 8"):
        set_admin_password(wide, "short")


def test_serve_command_refuses_off_loopback(tmp_path: Path, monkeypatch, capsys) -> None:
    from routing.cli import main

    monkeypatch.setenv("TAZA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TAZA_ADMIN_PASSWORD", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "8765"]) == 2
    assert "administrator password" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--language", "ru"]) == 2
    assert "пароль администратора" in capsys.readouterr().err


def test_data_folder_is_taza_data_dir_or_the_users_data_directory(tmp_path, monkeypatch) -> None:
    from routing.service.settings import default_data_dir

    monkeypatch.setenv("TAZA_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path.resolve()
    monkeypatch.delenv("TAZA_DATA_DIR")
    assert "taza-routing" in str(default_data_dir())


def test_password_sign_in_and_refusals(tmp_path: Path) -> None:
    set_admin_password(settings(tmp_path), PASSWORD)
    c = client(tmp_path)
    first = c.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    assert _login(c, password="wrong password").status_code == 401
    assert _login(c, username="nobody").status_code == 401
    assert _login(c).status_code == 303
    assert c.get("/").status_code == 200
    post(c, "/logout")
    assert c.get("/", follow_redirects=False).status_code == 303
    with database(tmp_path) as db:
        from routing.service.store import User

        stored = db.scalars(select(User)).first()
        assert stored is not None and stored.password_hash.startswith("$argon2id$")


def test_sessions_expire(tmp_path: Path) -> None:
    set_admin_password(settings(tmp_path), PASSWORD)
    c = client(tmp_path, session_hours=0.5 / 3600)  # half a second
    assert _login(c).status_code == 303
    assert c.get("/").status_code == 200
    time.sleep(1.0)
    assert c.get("/", follow_redirects=False).status_code == 303


def test_on_loopback_without_a_password_the_local_user_is_signed_in(tmp_path: Path) -> None:
    c = client(tmp_path)
    assert c.get("/", follow_redirects=True).status_code == 200
    wide = client(tmp_path / "wide", host="0.0.0.0")
    assert "/login" in str(wide.get("/", follow_redirects=True).url)


def test_forms_without_the_csrf_token_are_refused(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/", follow_redirects=True)
    assert c.post("/scenarios/1/plan", data={}).status_code == 403
    assert c.post("/scenarios/1/plan", data={"csrf_token": "forged"}).status_code == 403
    assert c.post("/scenarios/1", data={"csrf_token": ""}).status_code == 403
    assert post(c, "/scenarios/1/plan").status_code == 303


def test_unknown_host_names_are_refused(tmp_path: Path) -> None:
    c = client(tmp_path, allowed_hosts=("127.0.0.1", "localhost"))
    assert c.get("http://evil.example/healthz").status_code == 400
    assert c.get("http://127.0.0.1/healthz").status_code == 200


def test_language_switch_on_every_page(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/", follow_redirects=True)
    for path in ("/", "/plans", "/scenarios/1", "/compare", "/admin"):
        page = c.get(path)
        assert all(f'href="/lang/{code}?next=' in page.text for code in ("ky", "ru", "en")), path
    c.get("/lang/ru?next=/plans")
    assert "Планы" in c.get("/plans").text
    c.get("/lang/ky")
    assert "Пландар" in c.get("/plans").text and "Сценарийлерди салыштыруу" in c.get("/").text
    assert c.get("/lang/xx").status_code == 404
    away = c.get("/lang/en?next=//evil.example/", follow_redirects=False)
    assert away.headers["location"] == "/"


def test_every_string_of_the_service_is_in_the_catalogue() -> None:
    import re

    from routing.i18n import messages

    root = Path(__file__).resolve().parents[1] / "routing" / "service"
    used: set[str] = set()
    for path in [*root.glob("*.py"), *(root / "templates").glob("*.html")]:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b_\(\s*"((?:[^"\\]|\\.)+)\"""", source))
        used |= set(re.findall(r"""UploadError\(\s*"((?:[^"\\]|\\.)+)\"""", source))
    assert len(used) > 100
    for lang in ("ky", "ru", "en"):
        assert not sorted(used - set(messages(lang))), lang


# --------------------------------------------------------------------------------------------
# scenario form


def test_scenario_form_refuses_as_the_toml_does_with_the_same_message(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    before = _scenario_text(tmp_path)
    page = post(c, "/scenarios/1", {"vehicle.0.capacity_kg": "a lot"})
    assert page.status_code == 422
    raw = tomllib.loads(before)
    raw["vehicle"][0]["capacity_kg"] = "a lot"
    folder = inputs_dir(tmp_path / "data", 1)
    with pytest.raises(ScenarioError) as refused:
        load_scenario(_write(folder / "scenario.toml", tomli_w.dumps(raw)))
    expected = str(refused.value).replace(str(folder / "scenario.toml"), "scenario.toml")
    assert texts(page.text, "scenario-error") == expected
    c.get("/lang/ky")  # the same message in the page's language
    shown = refused.value.replaced(str(folder / "scenario.toml"), "scenario.toml").text("ky")
    kyrgyz = post(c, "/scenarios/1", {"vehicle.0.capacity_kg": "a lot"})
    assert texts(kyrgyz.text, "scenario-error") == shown
    assert "capacity_kg = 'a lot' сан болушу керек" in shown
    c.get("/lang/en")
    assert _scenario_text(tmp_path) == before, "a refused form changes nothing"
    # every day of a village unticked: the TOML's message for days = []
    none = post(c, "/scenarios/1", {"village.0.present": "1"})
    assert none.status_code == 422
    assert "[village #1] days = [] must be a list of: mon, tue" in texts(
        none.text, "scenario-error"
    )
    late = post(c, "/scenarios/1", {"landfill.0.close": "25:00"})
    assert "is not a time of day" in texts(late.text, "scenario-error")


def test_scenario_form_saves_fleet_sites_days_and_tariffs(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/", follow_redirects=True)
    form = {
        "depot.lat": "41.8830", "depot.lon": "72.7020", "landfill.0.unload_min": "20",
        "vehicle.1.cost_per_km": "17.5", "vehicle.new.name": "Second tractor", "vehicle.new.count": "2",
        "village.0.present": "1", "village.0.days": ["mon", "fri"], "village.0.frequency": "2",
        "tariff.Ketmen-Dobo": "85", "solver.time_limit_s": "1",
    }  # fmt: skip
    page = post(c, "/scenarios/1", form)
    assert page.status_code == 200 and 'id="scenario-saved"' in page.text
    raw = tomllib.loads(_scenario_text(tmp_path))
    assert (raw["depot"]["lat"], raw["depot"]["lon"]) == (41.883, 72.702)
    assert raw["landfill"][0]["unload_min"] == 20 and raw["vehicle"][1]["cost_per_km"] == 17.5
    assert raw["vehicle"][2]["name"] == "Second tractor" and raw["vehicle"][2]["count"] == 2
    assert raw["village"][0]["days"] == ["mon", "fri"] and raw["village"][0]["frequency"] == 2
    assert raw["tariff"]["Ketmen-Dobo"] == 85 and raw["solver"]["time_limit_s"] == 1
    removed = post(c, "/scenarios/1", {"vehicle.2.remove": "1"})
    assert removed.status_code == 200
    assert len(tomllib.loads(_scenario_text(tmp_path))["vehicle"]) == 2


def test_scenario_copy(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    copied = post(c, "/scenarios/1/copy")
    assert copied.status_code == 303 and copied.headers["location"] == "/scenarios/2"
    assert "(copy)" in c.get("/scenarios/2").text


# --------------------------------------------------------------------------------------------
# uploads


def _upload(c, name: str, data: bytes, kind: str = "households"):
    return post(c, "/scenarios/1/upload", {"kind": kind}, files={"file": (name, data, "text/csv")})


def test_upload_register_report_and_fix_a_row(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    data = small_register(tmp_path / "register.csv").read_bytes()
    sent = _upload(c, "register.csv", data)
    assert sent.status_code == 303
    report = c.get(sent.headers["location"])
    row = broken_row_number()
    assert f'data-row="{row}"' in report.text
    assert texts(report.text, "located") == "60 of 61 rows located at house level or better."
    fixed = post(
        c, sent.headers["location"] + "/fix", {f"fix.{row}.lat": FIX_LAT, f"fix.{row}.lon": FIX_LON}
    )
    assert fixed.status_code == 303
    after = c.get(sent.headers["location"])
    assert f'data-row="{row}"' not in after.text
    assert texts(after.text, "located") == "61 of 61 rows located at house level or better."
    raw = tomllib.loads(_scenario_text(tmp_path))
    folder = inputs_dir(tmp_path / "data", 1)
    corrections = read_corrections(folder / raw["register"]["corrections"])
    assert list(corrections["source_row"]) == [row]
    assert corrections["lat"].iloc[0] == pytest.approx(float(FIX_LAT))
    assert (folder / raw["register"]["households"]).read_bytes() == data, (
        "the register is not changed"
    )
    download = c.get(sent.headers["location"] + "/corrections.csv")
    assert download.status_code == 200 and "source_row" in download.text


def test_a_bad_fix_is_refused_with_the_row_and_field(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    sent = _upload(c, "register.csv", small_register(tmp_path / "r.csv").read_bytes())
    row = broken_row_number()
    bad = post(
        c, sent.headers["location"] + "/fix", {f"fix.{row}.lat": "north", f"fix.{row}.lon": "1"}
    )
    assert bad.status_code == 422
    assert "'lat'" in texts(bad.text, "fix-error") and "corrections.csv" in bad.text


def test_upload_excel_and_geojson(tmp_path: Path) -> None:
    from openpyxl import Workbook

    c = client(tmp_path)
    c.get("/", follow_redirects=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Village", "Street", "House", "Members"])
    sheet.append(["Терек-Суу", "Курманжан Датка көч", "1", 5])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _upload(c, "register.xlsx", buffer.getvalue()).status_code == 303
    geo = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "School", "village": "Терек-Суу", "volume_m3": 0.75},
                "geometry": {"type": "Point", "coordinates": [72.7152, 41.8802]},
            }
        ],
    }
    sent = _upload(c, "containers.geojson", json.dumps(geo).encode(), kind="containers")
    assert sent.status_code == 303
    raw = tomllib.loads(_scenario_text(tmp_path))
    assert raw["register"]["households"].endswith(".xlsx")
    assert raw["register"]["containers"].endswith(".geojson")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("register.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "holds binary data"),
        ("register.xlsx", b"Village,Street\nA,B\n", "is not an Excel workbook"),
        ("register.geojson", b'{"rows": []}', "is not valid GeoJSON"),
        ("register.exe", b"MZ\x90\x00", "only CSV, Excel .xlsx and GeoJSON"),
        ("register.csv", b"", "is empty"),
        ("register.csv", b"Name,Colour\nx,y\n", "register.csv"),
    ],
)
def test_uploads_of_the_wrong_kind_are_refused_clearly(tmp_path: Path, name, data, message) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    before = sorted(p.name for p in inputs_dir(tmp_path / "data", 1).iterdir())
    page = _upload(c, name, data)
    assert page.status_code == 422
    assert message in texts(page.text, "upload-error")
    assert sorted(p.name for p in inputs_dir(tmp_path / "data", 1).iterdir()) == before


def test_upload_size_and_row_limits(tmp_path: Path) -> None:
    data = small_register(tmp_path / "r.csv").read_bytes()
    c = client(tmp_path, max_rows=20)
    c.get("/lang/en", follow_redirects=True)
    page = _upload(c, "register.csv", data)
    assert page.status_code == 422 and "more than the limit of 20" in texts(
        page.text, "upload-error"
    )
    small = client(tmp_path / "b", max_upload_mb=0.001)
    small.get("/lang/en", follow_redirects=True)
    refused = _upload(small, "register.csv", data)
    assert refused.status_code == 422 and "larger than the limit" in texts(
        refused.text, "upload-error"
    )
    huge = _upload(small, "register.csv", data * 40)  # refused before the body is read
    assert huge.status_code == 413 and "larger than the limit" in huge.text


def test_uploaded_file_names_never_become_paths(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/", follow_redirects=True)
    data = small_register(tmp_path / "r.csv", broken=False).read_bytes()
    sent = _upload(c, "../../../evil.csv", data)
    assert sent.status_code == 303
    assert not (tmp_path / "evil.csv").exists() and not (tmp_path / "data" / "evil.csv").exists()
    raw = tomllib.loads(_scenario_text(tmp_path))
    stored = raw["register"]["households"]
    assert stored.endswith(".csv") and len(stored) == 36 and "evil" not in stored
    assert "evil.csv" in c.get(sent.headers["location"]).text  # shown, not used


# --------------------------------------------------------------------------------------------
# plans and enterprises


def test_plan_page_files_driver_page_and_zip(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    jid = finished_plan(tmp_path)
    page = c.get(f"/plans/{jid}")
    assert page.status_code == 200 and "Households: 9 served, 0 unserved of 9." in page.text
    assert f"/plans/{jid}/driver/mon-truck" in page.text
    sheet = c.get(f"/plans/{jid}/files/sheets/mon-truck.pdf")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert "attachment" in sheet.headers["content-disposition"]
    driver = c.get(f"/plans/{jid}/driver/mon-truck")
    assert driver.status_code == 200 and "Манас көчөсү 1–9" in driver.text
    assert 'name="viewport"' in driver.text
    assert c.get(f"/plans/{jid}/driver/tue-truck").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(c.get(f"/plans/{jid}/all.zip").content))
    assert "sheets/mon-truck.pdf" in archive.namelist()
    assert c.get(f"/plans/{jid}/status").json()["status"] == DONE
    assert 'hx-trigger="every 1s"' not in c.get(f"/plans/{jid}/progress").text


def test_only_the_plans_files_are_served(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/", follow_redirects=True)
    jid = finished_plan(tmp_path)
    for name in ("../../../taza.sqlite3", "..%2F..%2F..%2Ftaza.sqlite3", "/etc/passwd", "nope.pdf"):
        assert c.get(f"/plans/{jid}/files/{name}").status_code == 404, name


def test_each_enterprise_sees_only_its_own(tmp_path: Path) -> None:
    set_admin_password(settings(tmp_path), PASSWORD)
    admin = client(tmp_path)
    _login(admin)
    jid = finished_plan(tmp_path)
    made = post(
        admin,
        "/admin/users",
        {"username": "bakyt", "password": "another secret", "new_enterprise": "Toktogul Taza"},
    )
    assert made.status_code == 200
    other = client(tmp_path)
    assert _login(other, "bakyt", "another secret").status_code == 303
    home = other.get("/").text
    assert "Toktogul Taza" in home and f"/plans/{jid}" not in home
    for url in (f"/plans/{jid}", f"/plans/{jid}/files/summary.json", f"/plans/{jid}/driver/mon-truck",
                f"/plans/{jid}/progress", f"/plans/{jid}/status", f"/plans/{jid}/all.zip", "/scenarios/1"):  # fmt: skip
        assert other.get(url).status_code == 404, url
    assert post(other, f"/plans/{jid}/cancel").status_code == 404
    assert post(other, f"/plans/{jid}/links/revoke").status_code == 404
    assert post(other, f"/plans/{jid}/again").status_code == 404
    assert post(other, "/scenarios/1/plan").status_code == 404
    assert other.get("/admin").status_code == 404, "only the administrator manages users"
    short = post(
        admin, "/admin/users", {"username": "x", "password": "short", "enterprise_id": "1"}
    )
    assert short.status_code == 422


def test_waiting_plan_is_cancelled_from_the_page(tmp_path: Path) -> None:
    c = client(tmp_path)  # no queue: the plan stays waiting
    c.get("/lang/en", follow_redirects=True)
    sent = post(c, "/scenarios/1/plan")
    url = sent.headers["location"]
    assert c.get(url + "/status").json()["status"] == "waiting"
    assert 'hx-trigger="every 1s"' in c.get(url).text
    assert post(c, url + "/cancel").status_code == 303
    status = c.get(url + "/status").json()
    assert status["status"] == "cancelled" and status["error"] == "cancelled from the page"


def test_a_restart_marks_running_plans_interrupted_and_keeps_the_rest(tmp_path: Path) -> None:
    client(tmp_path)
    done = finished_plan(tmp_path)
    with database(tmp_path) as db:
        db.add(PlanJob(id=78, enterprise_id=1, scenario_id=1, scenario_name="x", toml_text="",
                       status=RUNNING, stage="matrix", stage_number=5, stage_total=8))  # fmt: skip
        db.add(PlanJob(id=79, enterprise_id=1, scenario_id=1, scenario_name="x", toml_text=""))
        db.commit()
    c = client(tmp_path)
    c.get("/", follow_redirects=True)
    assert c.get(f"/plans/{done}/status").json()["status"] == DONE
    stopped = c.get("/plans/78/status").json()
    assert stopped["status"] == "interrupted" and "at stage 5/8 (matrix)" in stopped["error"]
    assert c.get("/plans/79/status").json()["status"] == "waiting"


def test_compare_page_offers_the_enterprises_scenarios_to_tick(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    page = c.get("/compare")
    assert page.status_code == 200
    assert 'name="scenario" value="1"' in page.text and 'id="compare"' in page.text


@pytest.mark.slow
def test_the_queue_runs_plans_one_at_a_time_with_progress_and_cancel(tmp_path: Path) -> None:
    with client(tmp_path, run_queue=True) as c:
        c.get("/lang/en", follow_redirects=True)
        sent = _upload(
            c, "register.csv", small_register(tmp_path / "r.csv", broken=False).read_bytes()
        )
        assert sent.status_code == 303
        assert post(c, "/scenarios/1", {"solver.time_limit_s": "1"}).status_code == 200
        first = post(c, "/scenarios/1/plan").headers["location"]
        second = post(c, "/scenarios/1/plan").headers["location"]
        seen = _follow(c, first, until={"done", "failed"}, also=second)
        assert seen["final"] == "done", seen
        assert seen["second_while_first_ran"] == {"waiting"}, "one plan at a time"
        assert seen["stages"] == sorted(seen["stages"]) and len(set(seen["stages"])) >= 3
        page = c.get(first)
        assert "week.html" in page.text and "sheets/" in page.text
        pdf = page.text.split('class="packet" href="')[1].split('"')[0]
        assert c.get(pdf).content.startswith(b"%PDF")
        _the_qr_code_opens_the_driver_page(c, first, pdf, tmp_path)
        _follow(c, second, until={"running"})  # the queue starts the next plan
        post(c, second + "/cancel")
        assert _follow(c, second, until={"cancelled", "done", "failed"})["final"] == "cancelled"


def _the_qr_code_opens_the_driver_page(c, plan_url: str, pdf_url: str, tmp_path: Path) -> None:
    """The sheet's QR code, decoded from the rendered page, is its day's tokened driver link,
    which a browser that never signed in opens."""
    from fastapi.testclient import TestClient

    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(c.get(pdf_url).content)
    stem = pdf_url.rsplit("/", 1)[1].removesuffix(".pdf")
    [url] = read_qr_codes(sheet, tmp_path)
    address, token = url.split("?t=")
    assert address == f"http://testserver{plan_url}/driver/{stem}"  # where the plan came from
    assert len(token) == 22 and f'href="{url}"' in c.get(plan_url).text.replace("&amp;", "&")
    phone = TestClient(c.app)  # no cookies: not signed in
    page = phone.get(url, follow_redirects=False)
    assert page.status_code == 200 and 'name="viewport"' in page.text
    assert 'id="stops"' in page.text and f"/driver/{stem}/pdf?t={token}" in page.text
    assert phone.get(f"{address}/pdf?t={token}").content == c.get(pdf_url).content


def test_plans_keep_the_public_address_for_the_qr_codes(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/", follow_redirects=True)  # the local user is signed in
    plan = post(c, "/scenarios/1/plan").headers["location"]
    configured = client(tmp_path, public_url="https://taza.example.kg/")
    configured.get("/", follow_redirects=True)
    other = post(configured, "/scenarios/1/plan").headers["location"]
    with database(tmp_path) as db:
        asked = {job.id: job.public_url for job in db.scalars(select(PlanJob))}
    assert asked[int(plan.rsplit("/", 1)[1])] == "http://testserver"  # where the request came
    assert asked[int(other.rsplit("/", 1)[1])] == "https://taza.example.kg"  # TAZA_PUBLIC_URL


def test_a_public_address_that_is_no_url_is_refused_at_start(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TAZA_PUBLIC_URL", "taza.example.kg")
    monkeypatch.setenv("TAZA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TAZA_ADMIN_PASSWORD", raising=False)
    with pytest.raises(InputError, match=r"TAZA_PUBLIC_URL: 'taza\.example\.kg' is not an http"):
        serve()


def _follow(c, url: str, *, until: set[str], also: str | None = None) -> dict:
    stages: list[int] = []
    other: set[str] = set()
    for _ in range(600):
        status = c.get(url + "/status").json()
        if status["stage_number"] and (not stages or stages[-1] != status["stage_number"]):
            stages.append(status["stage_number"])
        if also and status["status"] == "running":
            other.add(c.get(also + "/status").json()["status"])
        if status["status"] in until:
            return {
                "final": status["status"],
                "stages": stages,
                "second_while_first_ran": other,
                **status,
            }
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish: {status}")


def test_compare_needs_two_scenarios_of_ones_own(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/en", follow_redirects=True)
    one = post(c, "/compare", {"scenario": ["1"]})
    assert one.status_code == 422
    assert "at least two" in texts(one.text, "compare-error")
    assert post(c, "/compare", {"scenario": ["1", "999"]}).status_code == 404


@pytest.mark.slow
def test_compare_scenarios_makes_the_scenarios_report(tmp_path: Path) -> None:
    with client(tmp_path, run_queue=True) as c:
        c.get("/lang/en", follow_redirects=True)
        register = small_register(tmp_path / "r.csv", broken=False).read_bytes()
        assert _upload(c, "register.csv", register).status_code == 303
        assert post(c, "/scenarios/1", {"solver.time_limit_s": "1"}).status_code == 200
        assert post(c, "/scenarios/1/copy").status_code == 303
        assert post(c, "/scenarios/2", {"vehicle.1.count": "0"}).status_code == 200
        sent = post(c, "/compare", {"scenario": ["1", "2"]})
        assert sent.status_code == 303
        url = sent.headers["location"]
        assert _follow(c, url, until={"done", "failed"})["final"] == "done"
        assert 'id="report"' in c.get(url).text
        report = c.get(url + "/files/report.html")
        assert report.status_code == 200 and "(copy)" in report.text


# --------------------------------------------------------------------------------------------
# the service's own messages in the page's language


def _why_of_row(html: str, row: int) -> str:
    import html as html_lib
    import re

    m = re.search(rf'<tr data-row="{row}"><td>{row}</td><td>[^<]*</td><td>([^<]*)</td>', html)
    assert m, f"no row {row}"
    return html_lib.unescape(m.group(1))


def test_the_upload_page_says_why_in_the_pages_language(tmp_path: Path) -> None:
    from routing.geocode import translate_reason

    c = client(tmp_path)
    c.get("/lang/ru", follow_redirects=True)
    sent = _upload(c, "register.csv", small_register(tmp_path / "register.csv").read_bytes())
    page, row = sent.headers["location"], broken_row_number()
    russian = _why_of_row(c.get(page).text, row)
    c.get("/lang/en")
    english = _why_of_row(c.get(page).text, row)
    c.get("/lang/ky")
    kyrgyz = _why_of_row(c.get(page).text, row)
    assert "'Жок-Дегенде көчөсү'" in english and "not found" in english
    assert russian == translate_reason(english, language="ru") != english
    assert kyrgyz == translate_reason(english, language="ky") not in (english, russian)
    assert "улица" in russian and "көчөсү" in kyrgyz.replace("'Жок-Дегенде көчөсү'", "")
    limited = client(tmp_path / "b", max_rows=20)
    limited.get("/lang/ru", follow_redirects=True)
    refused = _upload(limited, "register.csv", (tmp_path / "register.csv").read_bytes())
    assert refused.status_code == 422
    assert texts(refused.text, "upload-error") == (
        "register.csv: строк 61, это больше предела в 20."
    )


def test_a_plans_cancel_and_interruption_are_told_in_the_pages_language(tmp_path: Path) -> None:
    from routing.progress import stage_title

    c = client(tmp_path)  # no queue: the plan stays waiting
    c.get("/lang/ru", follow_redirects=True)
    url = post(c, "/scenarios/1/plan").headers["location"]
    assert post(c, url + "/cancel").status_code == 303
    assert texts(c.get(url).text, "plan-error") == "Отменено со страницы."
    assert c.get(url + "/status").json()["error"] == "cancelled from the page"  # the API: English
    with database(tmp_path) as db:
        db.add(PlanJob(id=78, enterprise_id=1, scenario_id=1, scenario_name="x", toml_text="",
                       status=RUNNING, stage="matrix", stage_number=5, stage_total=8))  # fmt: skip
        db.commit()
    c = client(tmp_path)  # a restart: plan 78 was running
    c.get("/lang/ky", follow_redirects=True)
    said = texts(c.get("/plans/78").text, "plan-error")
    assert said == (
        "Бул план иштеп жатканда сервер токтоп калды: 8 этаптын 5-этабында "
        f"({stage_title('matrix', 'ky')}); планды кайра баштаңыз."
    )
    c.get("/lang/en")
    assert texts(c.get("/plans/78/progress").text, "plan-error").startswith(
        "The server stopped while this plan was running, at stage 5 of 8 ("
    )


def test_a_bad_register_is_refused_with_its_reason_in_russian(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/ru", follow_redirects=True)
    lines = small_register(tmp_path / "register.csv", rows=3, broken=False).read_text("utf-8")
    header, first, *rest = lines.splitlines()
    cells = first.split(",")
    cells[5] = "много"  # the members of the household: not a number
    data = "\n".join([header, ",".join(cells), *rest]) + "\n"
    refused = _upload(c, "мой реестр.csv", data.encode("utf-8"))
    assert refused.status_code == 422
    said = texts(refused.text, "upload-error")
    assert said == (
        "мой реестр.csv: строка 2, поле 'Кол-во членов семьи': 'много' — "
        "не положительное целое число"
    )  # the user's own file name, no folder of the server
    assert str(tmp_path) not in refused.text


def test_a_plan_failed_on_bad_input_says_why_in_the_viewers_language(tmp_path: Path) -> None:
    with client(tmp_path, run_queue=True) as c:
        c.get("/lang/ru", follow_redirects=True)
        with database(
            tmp_path
        ) as db:  # a scenario the form would refuse, written straight to the base
            row = db.get(ScenarioRow, 1)
            assert row is not None
            raw = tomllib.loads(row.toml_text)
            raw["vehicle"][0]["capacity_kg"] = "много"
            row.toml_text = tomli_w.dumps(raw)
            db.commit()
        url = post(c, "/scenarios/1/plan").headers["location"]
        status = _follow(c, url, until={"done", "failed"})
        assert status["final"] == "failed"
        assert "capacity_kg = 'много' must be a number" in status["error"]  # the API: English
        russian = texts(c.get(url).text, "plan-error")
        assert "capacity_kg = 'много' должно быть числом" in russian
        c.get("/lang/ky")
        kyrgyz = texts(c.get(url + "/progress").text, "plan-error")
        assert "capacity_kg = 'много' сан болушу керек" in kyrgyz
        assert str(tmp_path) not in russian + kyrgyz


def test_error_pages_speak_the_pages_language(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.get("/lang/ru", follow_redirects=True)
    missing = c.get("/plans/999")
    assert missing.status_code == 404 and "<html" in missing.text
    said = texts(missing.text, "error-title")
    assert said == "Такой страницы нет (или у вас нет права её видеть)."
    assert "not found" not in missing.text and 'id="error-detail"' not in missing.text
    assert texts(c.get("/no/such/address").text, "error-title") == said  # as another's plan
    assert texts(c.post("/plans").text, "error-title") == "Этот адрес не принимает такой запрос."
    forged = c.post("/scenarios/1/plan", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and texts(forged.text, "error-title") == "Это не разрешено."
    assert texts(forged.text, "error-detail").startswith("Токен безопасности формы отсутствует")
    c.get("/lang/ky")
    assert texts(c.get("/plans/999").text, "error-title").startswith("Мындай бет жок")
    api = c.get("/plans/999/status", headers={"accept": "application/json"})
    assert api.status_code == 404 and api.json() == {"detail": "not found"}
    assert c.get("/", follow_redirects=False).status_code in (200, 303)  # redirects stay redirects


def test_a_bug_answers_500_with_a_page_in_the_pages_language(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from routing.service.app import create_app

    app = create_app(settings(tmp_path), run_queue=False)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    c = TestClient(app, raise_server_exceptions=False)
    c.get("/lang/ru", follow_redirects=True)
    page = c.get("/boom")
    assert page.status_code == 500
    assert texts(page.text, "error-title").startswith("На сервере что-то пошло не так")
    assert "a bug" not in page.text
