"""Renewal notices, and outbox messages that carry one or were given up.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from renewals.storage.db import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "renewal_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("term_expiry", sa.Date(), nullable=False),
        sa.Column("dedupe_key", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=True),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.Column("link_expires_at", UtcDateTime(), nullable=False),
        sa.Column("link_opened_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name="fk_renewal_notices_licence_id_licences"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_renewal_notices"),
        sa.UniqueConstraint("dedupe_key", name="uq_renewal_notices_dedupe_key"),
    )
    op.create_index("ix_renewal_notices_licence_id", "renewal_notices", ["licence_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("notice_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("gave_up_at", UtcDateTime(), nullable=True))
        batch.create_foreign_key(
            "fk_outbox_notice_id_renewal_notices", "renewal_notices", ["notice_id"], ["id"]
        )
        batch.create_index("ix_outbox_notice_id", ["notice_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_notice_id")
        batch.drop_constraint("fk_outbox_notice_id_renewal_notices", type_="foreignkey")
        batch.drop_column("gave_up_at")
        batch.drop_column("notice_id")
    op.drop_index("ix_renewal_notices_licence_id", table_name="renewal_notices")
    op.drop_table("renewal_notices")
