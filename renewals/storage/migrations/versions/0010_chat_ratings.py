"""End-of-chat ratings: whether the chat solved the customer's problem, one answer per conversation.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from renewals.storage.db import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_ratings",
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("solved", sa.Boolean(), nullable=False),
        sa.Column("rated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_chat_ratings"),
    )
    op.create_index("ix_chat_ratings_rated_at", "chat_ratings", ["rated_at"])


def downgrade() -> None:
    op.drop_index("ix_chat_ratings_rated_at", table_name="chat_ratings")
    op.drop_table("chat_ratings")
