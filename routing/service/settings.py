"""Settings of one installation of the web service, read once at start.

The data folder is the user's data directory (``platformdirs.user_data_dir("taza-routing")``) unless
``TAZA_DATA_DIR`` names another. It holds the database ``taza.sqlite3``, the uploaded inputs and the
outputs of each plan; nothing else is written.

``TAZA_PUBLIC_URL`` is the address phones reach the service at (``https://taza.example.kg/``, behind
a proxy or on the office network): the QR code on each driver sheet points to that day's driver page
under it. Without it, the address the manager's browser used to ask for the plan is taken.

``TAZA_DRIVER_LINK_DAYS`` is how many days after the plan's week its driver links (the tokened
addresses in the QR codes) keep opening; :data:`DRIVER_LINK_DAYS` when unset.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from routing.errors import InputError

LOOPBACK_NAMES = ("localhost",)

DRIVER_LINK_DAYS = 14
"""Assumption: a driver's link opens until 14 days after the last day of its plan's week (a sheet
is used during its week and may be looked up for a complaint shortly after; a stolen sheet stops
working within weeks). ``TAZA_DRIVER_LINK_DAYS`` or ``Settings.driver_link_days`` changes it."""


def default_data_dir() -> Path:
    """``$TAZA_DATA_DIR`` if set, else the user's data directory for ``taza-routing``."""
    env = os.environ.get("TAZA_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir("taza-routing", appauthor=False))


def default_public_url() -> str:
    """``$TAZA_PUBLIC_URL`` without its trailing slash, or "" (then each plan's request decides)."""
    return os.environ.get("TAZA_PUBLIC_URL", "").strip().rstrip("/")


def check_public_url(url: str) -> str:
    """Check the service's public address (``TAZA_PUBLIC_URL``) and return it.

    Raises
    ------
    routing.errors.InputError
        If it is not an ``http://`` or ``https://`` address with a host.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = (
            "{field}: {url!r} is not an http:// or https:// address with a host; "
            "write the address phones reach the service at, e.g. https://taza.example.kg"
        )
        raise InputError(msg, field="TAZA_PUBLIC_URL", url=url)
    return url


def default_driver_link_days() -> int:
    """``$TAZA_DRIVER_LINK_DAYS`` (a whole number of days, 0 or more), else :data:`DRIVER_LINK_DAYS`.

    Raises
    ------
    routing.errors.InputError
        If it is set to anything but a whole number of days, 0 or more.
    """
    text = os.environ.get("TAZA_DRIVER_LINK_DAYS", "").strip()
    if not text:
        return DRIVER_LINK_DAYS
    if not text.isdigit():
        msg = (
            "{field}: {value!r} is not a whole number of days; write e.g. "
            "{days} (driver links open until that many days after the plan's week)"
        )
        raise InputError(msg, field="TAZA_DRIVER_LINK_DAYS", value=text, days=DRIVER_LINK_DAYS)
    return int(text)


def default_plan_workers() -> int:
    """Plans run at once: one on a machine of up to two cores (the solver uses two), else half."""
    cores = os.cpu_count() or 1
    return max(1, cores // 2) if cores > 2 else 1


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only listens on this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """One installation's configuration (frozen: read once at start).

    Parameters
    ----------
    data_dir
        Database, uploads and plan outputs.
    host, port
        Where the server listens (loopback by default).
    plan_workers
        Plans running at once; the rest wait in the queue.
    session_hours
        A login lasts this long, then the user signs in again.
    max_upload_mb, max_rows
        Largest upload accepted and most rows in one register or container list.
    allowed_hosts
        ``Host`` headers accepted (loopback names when listening on loopback, against DNS rebinding);
        empty means any.
    poll_s
        How often the queue looks for plans to start, finish or cancel.
    public_url
        The service's address as phones reach it, for the driver sheets' QR codes (an
        ``http(s)://`` address; "" = the address each plan was asked from).
    driver_link_days
        A plan's driver links open until this many days after the last day of its week
        (:data:`DRIVER_LINK_DAYS`, an assumption).
    """

    data_dir: Path = field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8000
    plan_workers: int = field(default_factory=default_plan_workers)
    session_hours: float = 12.0
    max_upload_mb: float = 20.0
    max_rows: int = 100_000
    allowed_hosts: tuple[str, ...] = ()
    poll_s: float = 0.5
    public_url: str = field(default_factory=default_public_url)
    driver_link_days: int = field(default_factory=default_driver_link_days)

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the installation's SQLite database."""
        return f"sqlite:///{self.data_dir / 'taza.sqlite3'}"

    @property
    def loopback(self) -> bool:
        """Whether the server only listens on this machine."""
        return is_loopback(self.host)

    @property
    def max_upload_bytes(self) -> int:
        """:attr:`max_upload_mb` in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)
