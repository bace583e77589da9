"""A plan that failed on bad input keeps its message in every language, for the viewer's.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.add_column(sa.Column("error_texts", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("plan_job") as batch:
        batch.drop_column("error_texts")
