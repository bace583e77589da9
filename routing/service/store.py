"""The service's tables (SQLAlchemy 2 declarative) and the database they live in.

SQLite in WAL mode, so pages keep reading while a worker process writes a plan's progress. The
schema is made only by the Alembic migrations in ``routing/service/migrations``, run at start by
:func:`migrate`; the classes here describe the same tables for queries. Files (uploads, outputs) stay
on disk under the data folder; rows hold their server-chosen names, never a name a user typed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Plan states: waiting -> running -> done | failed | cancelled | interrupted
WAITING, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED = (
    "waiting", "running", "done", "failed", "cancelled", "interrupted",
)  # fmt: skip
FINISHED = (DONE, FAILED, CANCELLED, INTERRUPTED)


def utcnow() -> dt.datetime:
    """Now in UTC, without tzinfo (SQLite keeps naive timestamps)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_link_key() -> str:
    """A plan's new secret for its driver links (256 random bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


class Base(DeclarativeBase):
    """Declarative base of the service's tables."""


class Enterprise(Base):
    """A waste-collection enterprise; its users see only its own scenarios, uploads and plans."""

    __tablename__ = "enterprise"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    """A person who signs in; ``is_admin`` may add enterprises and users."""

    __tablename__ = "user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginSession(Base):
    """A signed-in browser: the SHA-256 of its cookie token, and when it expires."""

    __tablename__ = "login_session"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ScenarioRow(Base):
    """A scenario: its TOML text, whose input paths are stored file names in the enterprise folder."""

    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    name: Mapped[str] = mapped_column(String(300))
    toml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Upload(Base):
    """An uploaded register or container list, and its geocoding report (JSON rows to fix)."""

    __tablename__ = "upload"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    kind: Mapped[str] = mapped_column(String(20))  # "households" | "containers"
    original_name: Mapped[str] = mapped_column(String(300))  # shown only, never a path
    stored_name: Mapped[str] = mapped_column(String(100))
    corrections_name: Mapped[str] = mapped_column(String(100), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    located: Mapped[int] = mapped_column(Integer, default=0)
    report_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PlanJob(Base):
    """A plan: queued, run by a worker process, its progress, outcome and output folder."""

    __tablename__ = "plan_job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"))
    scenario_name: Mapped[str] = mapped_column(String(300))
    # "plan": toml_text is the scenario as it was when the plan was asked; "compare": a JSON list
    # of {"name", "toml"}, the base first; "sheets": {"plan": id}, a finished plan whose driver
    # sheets it draws again from the saved plan (routing.service.jobs.run_job)
    kind: Mapped[str] = mapped_column(String(20), default="plan", server_default="plan")
    toml_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5), default="ky")
    status: Mapped[str] = mapped_column(String(20), default=WAITING, index=True)
    stage: Mapped[str] = mapped_column(String(40), default="")
    stage_number: Mapped[int] = mapped_column(Integer, default=0)
    stage_total: Mapped[int] = mapped_column(Integer, default=0)
    fraction: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    # bad input: the message in every language, JSON {"ky": ..., "ru": ..., "en": ...}, written
    # when the plan failed (InputError.texts), so each viewer reads it in the page's language
    error_texts: Mapped[str] = mapped_column(Text, default="", server_default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    out_dir: Mapped[str] = mapped_column(String(200), default="")  # relative to the data folder
    # the service's address for the driver sheets' QR codes (Settings.public_url or the request's)
    public_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    summary_json: Mapped[str] = mapped_column(Text, default="")
    # the secret the driver links' tokens are made with (routing.links.link_token); a new one
    # when the manager revokes the links, at links_revoked_at (routing.service.driver)
    link_key: Mapped[str] = mapped_column(String(64), default=new_link_key)
    links_revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


def make_engine(url: str) -> Engine:
    """An engine on the SQLite database in WAL mode, waiting up to 30 s for a writer's lock."""
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Any]:
    """Sessions that keep loaded rows readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema with the shipped Alembic migrations."""
    log = logging.getLogger("alembic")
    level = log.level
    log.setLevel(max(logging.WARNING, level))  # its set-up lines are not news at each start
    try:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", url)
        command.upgrade(config, "head")
    finally:
        log.setLevel(level)
