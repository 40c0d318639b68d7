"""Support cases, their history, reference counters and the delivery outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from renewals.storage.db import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(255)),
        sa.Column("channel", sa.String(50)),
        sa.Column("licence_id", sa.Integer()),
        sa.Column("routed_to", sa.String(50), nullable=False),
        sa.Column("company_name", sa.String(200)),
        sa.Column("address", sa.String(500)),
        sa.Column("phone", sa.String(20)),
        sa.Column("contact_name", sa.String(200)),
        sa.Column("contact_email", sa.String(320)),
        sa.Column("product_code", sa.String(20)),
        sa.Column("platform", sa.String(50)),
        sa.Column("user_count", sa.Integer()),
        sa.Column("licence_expiry", sa.Date()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("user_count > 0", name="ck_cases_user_count_positive"),
        sa.ForeignKeyConstraint(["licence_id"], ["licences.id"], name="fk_cases_licence_id_licences"),
        sa.ForeignKeyConstraint(["product_code"], ["products.code"], name="fk_cases_product_code_products"),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("reference", name="uq_cases_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_cases_idempotency_key"),
    )
    op.create_index("ix_cases_conversation_id", "cases", ["conversation_id"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("status", sa.String(30)),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text()),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_case_reference_counters"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(50), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("case_id", sa.Integer()),
        sa.Column("payload", sa.Text()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime()),
        sa.Column("locked_until", UtcDateTime()),
        sa.Column("locked_by", sa.String(100)),
        sa.Column("last_attempt_at", UtcDateTime()),
        sa.Column("last_error", sa.String(500)),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("delivered_at", UtcDateTime()),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_outbox_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"])
    op.create_index("ix_outbox_case_id", "outbox", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_case_id", table_name="outbox")
    op.drop_index("ix_outbox_next_attempt_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("case_reference_counters")
    op.drop_index("ix_case_events_case_id", table_name="case_events")
    op.drop_table("case_events")
    op.drop_index("ix_cases_conversation_id", table_name="cases")
    op.drop_table("cases")
