"""Helpers for the web service's tests: an installation in a temporary folder, a small register."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from routing.service.app import create_app
from routing.service.server import wait_until_up
from routing.service.settings import Settings
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
