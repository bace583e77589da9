"""Jobs keep the service's public address, which the driver sheets' QR codes point under.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.add_column(sa.Column("public_url", sa.String(300), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.drop_column("public_url")
