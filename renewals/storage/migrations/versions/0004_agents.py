"""Support agents: accounts, console sessions, API tokens, failed sign-ins.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from renewals.storage.db import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(50), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.UniqueConstraint("username", name="uq_agents_username"),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name="fk_agent_sessions_agent_id_agents"),
        sa.PrimaryKeyConstraint("id", name="pk_agent_sessions"),
        sa.UniqueConstraint("session_hash", name="uq_agent_sessions_session_hash"),
    )
    op.create_table(
        "agent_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime()),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name="fk_agent_api_tokens_agent_id_agents"),
        sa.PrimaryKeyConstraint("id", name="pk_agent_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_agent_api_tokens_token_hash"),
    )
    op.create_table(
        "agent_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(50), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agent_login_failures"),
    )
    op.create_index("ix_agent_login_failures_username", "agent_login_failures", ["username"])


def downgrade() -> None:
    op.drop_index("ix_agent_login_failures_username", table_name="agent_login_failures")
    op.drop_table("agent_login_failures")
    op.drop_table("agent_api_tokens")
    op.drop_table("agent_sessions")
    op.drop_table("agents")
