"""Daily job runs: one row per job and day, claimed before the job runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from renewals.storage.db import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("claimed_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("summary", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("job", "run_on", name="pk_job_runs"),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
