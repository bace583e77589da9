"""Plans keep a secret key for their driver links, and when those links were last revoked.

Every plan already in the database gets a random key of its own, so its driver pages can be
opened with a token once its sheets are printed again (their earlier QR codes held no token).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.add_column(sa.Column("link_key", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("links_revoked_at", sa.DateTime(), nullable=True))
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM plan_job WHERE link_key = ''"))]
    for job_id in ids:  # a key each, never one shared: a token must open its own plan only
        bind.execute(
            sa.text("UPDATE plan_job SET link_key = :key WHERE id = :id"),
            {"key": secrets.token_urlsafe(32), "id": job_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.drop_column("links_revoked_at")
        batch.drop_column("link_key")
