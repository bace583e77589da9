"""Jobs have a kind: "plan" (one scenario's week) or "compare" (scenarios side by side).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="plan"))


def downgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.drop_column("kind")
