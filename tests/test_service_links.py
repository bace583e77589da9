"""Driver links: a vehicle-day's tokened address opens its page and files without sign-in, only those.

Off loopback is simulated as elsewhere: an administrator password is set and the server listens on
0.0.0.0, so nothing but a session (or a driver link) opens a page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from routing.errors import InputError
from routing.links import link_token
from routing.service import driverlinks
from routing.service.server import set_admin_password
from routing.service.settings import DRIVER_LINK_DAYS, default_driver_link_days
from routing.service.store import PlanJob, migrate
from tests.service_factory import client, database, finished_plan, post, settings, texts

PASSWORD = "correct horse battery"
HEADERS = {"referrer-policy": "no-referrer", "x-robots-tag": "noindex, nofollow"}
REFUSED_EN = "The link is mistyped, or the office has withdrawn it."


def _off_loopback(tmp_path: Path, **values):
    set_admin_password(settings(tmp_path), PASSWORD)
    return client(tmp_path, host="0.0.0.0", **values)


def _manager(tmp_path: Path, **values):
    c = _off_loopback(tmp_path, **values)
    signed = post(c, "/login", {"username": "admin", "password": PASSWORD, "next": "/"})
    assert signed.status_code == 303
    return c


def _link(tmp_path: Path, stem: str, job_id: int = 77) -> str:
    """The tokened path of a vehicle-day (as its sheet's QR code holds it, without the host)."""
    with database(tmp_path) as db:
        job = db.get(PlanJob, job_id)
        assert job is not None
        url = driverlinks.link_of(job, stem)
    assert url.startswith("https://taza.example.kg/plans/")
    return url.removeprefix("https://taza.example.kg")


def _token(link: str) -> str:
    return link.split("?t=")[1]


def _assert_refused(response, text: str = REFUSED_EN) -> None:
    assert response.status_code == 403
    assert text in texts(response.text, "refused")
    assert "/login" not in response.headers.get("location", ""), "no sign-in loop"
    for name, value in HEADERS.items():
        assert response.headers[name] == value


def test_a_driver_link_opens_its_page_and_files_without_sign_in(tmp_path: Path) -> None:
    c = _off_loopback(tmp_path)
    c.get("/lang/en")
    finished_plan(tmp_path)
    assert c.get("/plans/77/driver/mon-truck", follow_redirects=False).status_code == 303
    link = _link(tmp_path, "mon-truck")
    page = c.get(link, follow_redirects=False)
    stops = page.text.split('id="stops"')[1].split("</ol>")[0]
    assert page.status_code == 200 and "Манас көчөсү 1–9" in stops
    assert "Ленин көчөсү 4" not in page.text, "another vehicle's stops are not shown"
    for name, value in HEADERS.items():
        assert page.headers[name] == value
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert 'href="/plans"' not in page.text and 'href="/compare"' not in page.text
    assert "taza_session" not in page.headers.get("set-cookie", ""), "no session is opened"
    files = re.findall(r'href="(/plans/77/driver/mon-truck/[a-z]+\?t=[^"]+)"', page.text)
    assert [urlsplit(f).path.rsplit("/", 1)[1] for f in files] == ["pdf", "gpx", "kml", "geojson"]
    for url in files:
        got = c.get(url.replace("&amp;", "&"))
        assert got.status_code == 200 and got.headers["referrer-policy"] == "no-referrer"
    assert c.get(files[0]).content == b"%PDF-1.4 test mon-truck"
    assert c.get(files[1]).text == "<gpx>mon-truck</gpx>"
    token = _token(link)
    for other in ("stops", "summary", "..%2Fsummary.json", "pdf%2F..%2F..%2Fstops.csv"):
        assert c.get(f"/plans/77/driver/mon-truck/{other}?t={token}").status_code == 404, other
    for url in (
        "/plans/77",
        "/plans/77/files/summary.json",
        "/plans/77/all.zip",
        "/plans/77/status",
    ):
        assert c.get(f"{url}?t={token}", follow_redirects=False).status_code == 303, url


def test_a_days_token_does_not_open_another_days_page_or_files(tmp_path: Path) -> None:
    c = _off_loopback(tmp_path)
    c.get("/lang/en")
    finished_plan(tmp_path)
    finished_plan(tmp_path, job_id=78)
    truck = _token(_link(tmp_path, "mon-truck"))
    assert c.get(_link(tmp_path, "mon-tractor")).status_code == 200  # its own opens
    _assert_refused(c.get(f"/plans/77/driver/mon-tractor?t={truck}"))
    for kind in ("pdf", "gpx"):
        _assert_refused(c.get(f"/plans/77/driver/mon-tractor/{kind}?t={truck}"))
    _assert_refused(c.get(f"/plans/78/driver/mon-truck?t={truck}"))  # another plan, its own key


def test_tampered_tokens_are_refused_alike_whether_the_plan_exists_or_not(tmp_path: Path) -> None:
    c = _off_loopback(tmp_path)
    c.get("/lang/en")
    finished_plan(tmp_path)
    token = _token(_link(tmp_path, "mon-truck"))
    flipped = ("B" if token[0] == "A" else "A") + token[1:]
    answers = [
        c.get(f"/plans/77/driver/mon-truck?t={flipped}"),
        c.get(f"/plans/77/driver/mon-truck?t={token[:-1]}"),
        c.get("/plans/77/driver/mon-truck?t="),
        c.get(f"/plans/77/driver/mon-truck?t={quote('ü' + token)}"),
        c.get(f"/plans/99/driver/mon-truck?t={token}"),  # no such plan: the same answer
        c.get(f"/plans/77/driver/mon-truck/gpx?t={flipped}"),
    ]
    for answer in answers:
        _assert_refused(answer)
    assert len({texts(a.text, "refused") for a in answers}) == 1


def test_the_refusal_speaks_the_viewers_language_and_keeps_it_on_switching(tmp_path: Path) -> None:
    c = _off_loopback(tmp_path)
    finished_plan(tmp_path)
    bad = "/plans/77/driver/mon-truck?t=" + "A" * 22
    _assert_refused(c.get(bad), "Шилтеме ката терилген")  # Kyrgyz by default
    c.get("/lang/ru")
    _assert_refused(c.get(bad), "Ссылка набрана с ошибкой")
    link = _link(tmp_path, "mon-truck")
    switch = c.get(f"/lang/en?next={quote(link, safe='')}", follow_redirects=False)
    assert switch.headers["location"] == link, "the language switch keeps the token"
    assert c.get(link).status_code == 200


def test_revoking_the_links_refuses_every_printed_token(tmp_path: Path) -> None:
    c = _manager(tmp_path)
    c.get("/lang/en")
    finished_plan(tmp_path)
    old = _link(tmp_path, "mon-truck")
    page = c.get("/plans/77")
    assert old in page.text.replace("&amp;", "&") and "until 2026-12-20" in page.text
    assert c.post("/plans/77/links/revoke", data={}).status_code == 403, "CSRF is still checked"
    assert _link(tmp_path, "mon-truck") == old
    assert post(c, "/plans/77/links/revoke").status_code == 303
    driver = _off_loopback(tmp_path)
    _assert_refused(driver.get(old), "Шилтеме ката терилген")  # a phone: Kyrgyz
    new = _link(tmp_path, "mon-truck")
    assert new != old and driver.get(new).status_code == 200
    revoked = c.get("/plans/77").text
    assert "the sheets printed before then no longer open" in texts(revoked, "links-revoked")
    assert 'id="plan-again"' in revoked
    with database(tmp_path) as db:
        job = db.get(PlanJob, 77)
        assert job is not None and job.links_revoked_at is not None


def test_planning_again_queues_the_same_scenario_text(tmp_path: Path) -> None:
    c = _manager(tmp_path)
    finished_plan(tmp_path)
    with database(tmp_path) as db:
        job = db.get(PlanJob, 77)
        assert job is not None
        job.toml_text, job.kind = "[scenario]\nname = 'x'\n", "plan"
        db.commit()
    again = post(c, "/plans/77/again")
    assert again.status_code == 303
    new_id = int(again.headers["location"].rsplit("/", 1)[1])
    with database(tmp_path) as db:
        new = db.get(PlanJob, new_id)
        assert (
            new is not None and new.status == "waiting" and new.toml_text.startswith("[scenario]")
        )
        old = db.get(PlanJob, 77)
        assert old is not None and new.link_key != old.link_key, "new sheets, new links"


def test_links_expire_a_configured_number_of_days_after_the_plans_week(tmp_path: Path) -> None:
    c = _off_loopback(tmp_path, driver_link_days=3)
    c.get("/lang/en")
    finished_plan(tmp_path)
    link = _link(tmp_path, "mon-truck")
    with database(tmp_path) as db:
        job = db.get(PlanJob, 77)
        assert job is not None
        summary = json.loads(job.summary_json)
        for vd in summary["vehicle_days"]:
            vd["date"] = "2026-01-05"  # a Monday: the week ends on Sunday the 11th
        job.summary_json = json.dumps(summary)
        db.commit()
        assert driverlinks.links_expire(job, days=3) == dt.datetime(2026, 1, 15)
    _assert_refused(c.get(link), "This driver's link expired on 2026-01-15.")
    _assert_refused(c.get(link.replace("?t=", "/gpx?t=")), "expired on 2026-01-15")
    later = _off_loopback(tmp_path, driver_link_days=400)  # one setting changes it
    assert later.get(link).status_code == 200


def test_check_token_at_the_edges_of_the_week(tmp_path: Path) -> None:
    _off_loopback(tmp_path)
    finished_plan(tmp_path)
    with database(tmp_path) as db:
        job = db.get(PlanJob, 77)
        assert job is not None
    token = link_token(job.link_key, "mon-truck")
    end = dt.datetime(2026, 12, 6 + 14 + 1)  # Sunday 6 December, then 14 days
    check = driverlinks.check_token
    assert check(job, "mon-truck", token, days=14, now=end - dt.timedelta(seconds=1)) == "open"
    assert check(job, "mon-truck", token, days=14, now=end) == "expired"
    assert check(job, "mon-tractor", token, days=14, now=end) == "refused"
    assert check(None, "mon-truck", token, days=14, now=end) == "refused"
    job.status = "running"
    assert check(job, "mon-truck", token, days=0, now=end) == "refused", "only finished plans"


def test_the_link_days_setting_is_read_and_checked(monkeypatch) -> None:
    monkeypatch.delenv("TAZA_DRIVER_LINK_DAYS", raising=False)
    assert default_driver_link_days() == DRIVER_LINK_DAYS == 14
    monkeypatch.setenv("TAZA_DRIVER_LINK_DAYS", "30")
    assert default_driver_link_days() == 30
    monkeypatch.setenv("TAZA_DRIVER_LINK_DAYS", "two weeks")
    with pytest.raises(InputError, match=r"TAZA_DRIVER_LINK_DAYS: 'two weeks' is not a whole"):
        default_driver_link_days()


def test_the_migration_gives_every_existing_plan_a_key_of_its_own(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from routing.service.store import MIGRATIONS, make_engine

    url = settings(tmp_path).database_url
    (tmp_path / "data").mkdir()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0003")  # a database as the previous version left it
    engine = make_engine(url)
    with engine.begin() as con:
        con.exec_driver_sql(
            "INSERT INTO enterprise (id, name, created_at) VALUES (1, 'T', '2026-11-01')"
        )
        con.exec_driver_sql("INSERT INTO scenario (id, enterprise_id, name, toml_text, created_at, updated_at) "
                            "VALUES (1, 1, 's', '', '2026-11-01', '2026-11-01')")  # fmt: skip
        for job_id in (5, 6):
            con.exec_driver_sql(
                "INSERT INTO plan_job (id, enterprise_id, scenario_id, scenario_name, toml_text, language, "
                "status, stage, stage_number, stage_total, message, error, cancel_requested, out_dir, "
                f"summary_json, created_at) VALUES ({job_id}, 1, 1, 's', '', 'ky', 'done', '', 0, 0, '', '', 0, "
                "'', '', '2026-11-01')"
            )  # fmt: skip
    engine.dispose()
    migrate(url)
    engine = make_engine(url)
    with engine.connect() as con:
        rows = con.exec_driver_sql("SELECT id, link_key, links_revoked_at FROM plan_job").all()
        version = con.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    assert version == "0005"  # the head: 0004 made the keys, 0005 the error texts
    keys = [key for _id, key, _revoked in rows]
    assert len(rows) == 2 and all(len(k) >= 43 for k in keys) and len(set(keys)) == 2
    assert all(revoked is None for *_, revoked in rows)


def test_the_server_keeps_no_access_log_where_tokens_would_land(
    tmp_path: Path, monkeypatch
) -> None:
    import uvicorn

    from routing.service.server import serve

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("TAZA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TAZA_ADMIN_PASSWORD", raising=False)
    assert serve(port=8765) == 0
    assert seen["access_log"] is False and seen["log_level"] == "warning"
