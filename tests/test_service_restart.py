"""A server killed mid-plan: after a restart the earlier plan is intact, the interrupted one marked."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from routing.service.server import free_port
from tests.service_factory import small_register, start_server

pytestmark = pytest.mark.slow


def _session(base: str) -> httpx.Client:
    """A browser-like client signed in as the local user (loopback, no password set)."""
    c = httpx.Client(base_url=base, timeout=60)
    c.get("/login")
    return c


def _post(c: httpx.Client, url: str, data: dict | None = None, **kwargs) -> httpx.Response:
    return c.post(url, data={"csrf_token": c.cookies["taza_csrf"], **(data or {})}, **kwargs)


def _wait(c: httpx.Client, url: str, ok, timeout_s: float = 240) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = c.get(url + "/status").json()
        if ok(status):
            return status
        time.sleep(0.3)
    raise AssertionError(f"{url}: {status}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_killed_server_marks_the_running_plan_interrupted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    server = start_server(data, port)
    c = _session(f"http://127.0.0.1:{port}")
    printed = (data / "server.log").read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port}/" in printed, "the server prints its address"
    files = {
        "file": ("register.csv", small_register(tmp_path / "r.csv", broken=False).read_bytes())
    }
    assert _post(c, "/scenarios/1/upload", {"kind": "households"}, files=files).status_code == 303
    assert _post(c, "/scenarios/1", {"solver.time_limit_s": "1"}).status_code == 200
    first = _post(c, "/scenarios/1/plan").headers["location"]
    assert _wait(c, first, lambda s: s["status"] in ("done", "failed"))["status"] == "done"
    pdf = c.get(first).text.split('class="packet" href="')[1].split('"')[0]
    packet = c.get(pdf).content
    assert _post(c, "/scenarios/1", {"solver.time_limit_s": "60"}).status_code == 200
    second = _post(c, "/scenarios/1/plan").headers["location"]
    _wait(c, second, lambda s: s["status"] == "running" and s["stage_number"] >= 2)
    con = sqlite3.connect(data / "taza.sqlite3")
    worker = con.execute("SELECT worker_pid FROM plan_job WHERE status = 'running'").fetchone()[0]
    con.close()
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker), "the worker stops when its server is gone"

    port = free_port()
    again = start_server(data, port)
    try:
        c = _session(f"http://127.0.0.1:{port}")
        done = c.get(first + "/status").json()
        assert done["status"] == "done" and done["error"] == ""
        assert c.get(pdf).content == packet, "the earlier plan's packet is intact"
        stopped = c.get(second + "/status").json()
        assert stopped["status"] == "interrupted"
        assert "the server stopped while this plan was running" in stopped["error"]
        page = c.get(second)
        assert 'id="plan-error"' in page.text and 'hx-trigger="every 1s"' not in page.text
    finally:
        again.terminate()
        again.wait(timeout=30)
