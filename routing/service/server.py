"""``taza-route serve``: check the settings are safe, then run the service under Uvicorn.

Off loopback the server refuses to start until the administrator has a password (from
``TAZA_ADMIN_PASSWORD`` or ``--set-password``); on loopback with none set, the one local user is
signed in without a password and only loopback host names are accepted (against DNS rebinding).
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from routing.errors import InputError
from routing.i18n import choose_language, translator
from routing.service.settings import Settings
from routing.service.store import User, make_engine, migrate, session_factory

ADMIN_PASSWORD_ENV = "TAZA_ADMIN_PASSWORD"


class UnsafeSettings(InputError):
    """The server would listen beyond this machine with no administrator password."""


def set_admin_password(settings: Settings, password: str) -> None:
    """Store the administrator's password (Argon2 hash) in the installation's database."""
    from routing.service import security
    from routing.service.app import ensure_default

    hashed = security.hash_password(password)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as db:
        ensure_default(db, settings.data_dir)
        admin = db.scalars(select(User).where(User.is_admin.is_(True)).order_by(User.id)).first()
        assert admin is not None
        admin.password_hash = hashed
        db.commit()
    engine.dispose()


def admin_has_password(settings: Settings) -> bool:
    """Whether the installation's administrator has a password."""
    if not (settings.data_dir / "taza.sqlite3").exists():
        return False
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as db:
        admins = db.scalars(select(User).where(User.is_admin.is_(True))).all()
    engine.dispose()
    return any(a.password_hash for a in admins)


def check_safe(settings: Settings) -> None:
    """Refuse to listen off loopback without an administrator password.

    Raises
    ------
    UnsafeSettings
        Saying how to set one.
    """
    if settings.loopback or admin_has_password(settings):
        return
    msg = (
        "refusing to listen on {host}: beyond this machine the service needs an "
        "administrator password first. Set one with `taza-route serve --set-password` or the "
        "{variable} environment variable, then start again."
    )
    raise UnsafeSettings(msg, field="host", host=settings.host, variable=ADMIN_PASSWORD_ENV)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    plan_workers: int | None = None,
    prompt: bool = False,
    language: str | None = None,
) -> int:
    """Start the service and block until it is stopped (Ctrl+C).

    Parameters
    ----------
    host, port
        Where to listen (loopback by default).
    plan_workers
        Plans at once (default: one on a machine of up to two cores).
    prompt
        Ask for a new administrator password on the terminal first.
    language
        The language of the lines printed (ky, ru or en; default: the environment's, as
        `routing.i18n.choose_language` reads it, else English).
    """
    import uvicorn

    from routing.service.app import create_app
    from routing.service.settings import check_public_url, is_loopback

    settings = Settings(host=host, port=port)
    if plan_workers is not None:
        settings = replace(settings, plan_workers=plan_workers)
    if is_loopback(host):
        names = ("127.0.0.1", "localhost", "[::1]", "::1")
        settings = replace(settings, allowed_hosts=names)
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    _ = translator(choose_language(language))  # no scenario yet: else the environment's
    if prompt:
        password = getpass.getpass(_("new administrator password: "))
        if getpass.getpass(_("again: ")) != password:
            print(_("error: the two passwords differ"), file=sys.stderr)
            return 2
    if password:
        set_admin_password(settings, password)
    check_safe(settings)
    if settings.public_url:
        check_public_url(settings.public_url)
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    print(
        _(
            "Taza routing: {url}  (data: {folder})",
            url=f"http://{shown}:{port}/",
            folder=settings.data_dir,
        ),
        flush=True,
    )
    # no access log: the query of a driver link is its token (routing.service.driverlinks)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    return 0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now (for a server started by a test or the bench)."""
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: Any, *, timeout_s: float = 90.0) -> None:
    """Wait until a server started in ``process`` answers ``url``/healthz.

    Raises
    ------
    RuntimeError
        If the process ended or the server did not answer in time.
    """
    import time
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"the server ended at start (exit status {process.returncode})"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    process.kill()
    msg = f"the server did not answer within {timeout_s:.0f} s"
    raise RuntimeError(msg)
