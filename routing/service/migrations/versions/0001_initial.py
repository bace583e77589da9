"""The first schema: enterprises, users, login sessions, scenarios, uploads and plans.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "login_session",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id"), nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("toml_text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "upload",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenario.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("original_name", sa.String(300), nullable=False),
        sa.Column("stored_name", sa.String(100), nullable=False),
        sa.Column("corrections_name", sa.String(100), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("located", sa.Integer, nullable=False),
        sa.Column("report_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "plan_job",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenario.id"), nullable=False),
        sa.Column("scenario_name", sa.String(300), nullable=False),
        sa.Column("toml_text", sa.Text, nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("stage_number", sa.Integer, nullable=False),
        sa.Column("stage_total", sa.Integer, nullable=False),
        sa.Column("fraction", sa.Float, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("worker_pid", sa.Integer, nullable=True),
        sa.Column("out_dir", sa.String(200), nullable=False),
        sa.Column("summary_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=True),
        sa.Column("finished_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_plan_job_status", "plan_job", ["status"])


def downgrade() -> None:
    op.drop_index("ix_plan_job_status", "plan_job")
    for table in ("plan_job", "upload", "scenario", "login_session", "user", "enterprise"):
        op.drop_table(table)
