"""Who is typing in a chat with a person: the last report of the customer and of the agent.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from renewals.storage.db import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_typing",
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("customer_at", UtcDateTime(), nullable=True),
        sa.Column("agent_at", UtcDateTime(), nullable=True),
        sa.Column("agent_name", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_chat_typing"),
    )


def downgrade() -> None:
    op.drop_table("chat_typing")
