"""Slack links: the Slack users and workspaces that act for a reseller.

Until now a reseller row held one Slack team id and one Slack user id. They
become rows of `slack_links` (a reseller may have many), and the two columns
are dropped; `resellers.slack_channel_id` stays: it is where the reseller's
case notifications go.

Dropping a column uses ALTER TABLE ... DROP COLUMN, which SQLite has since 3.35.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        import sqlite3

        if sqlite3.sqlite_version_info < (3, 35):
            raise RuntimeError(f"SQLite 3.35 or later is needed (this is {sqlite3.sqlite_version})")
    slack_links = op.create_table(
        "slack_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("slack_id", sa.String(50), nullable=False),
        sa.Column("reseller_id", sa.String(20), nullable=False),
        sa.CheckConstraint("kind IN ('user', 'team')", name="ck_slack_links_kind_user_or_team"),
        sa.ForeignKeyConstraint(
            ["reseller_id"], ["resellers.reseller_id"], name="fk_slack_links_reseller_id_resellers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_slack_links"),
        sa.UniqueConstraint("kind", "slack_id", name="uq_slack_links_kind_slack_id"),
    )
    op.create_index("ix_slack_links_reseller_id", "slack_links", ["reseller_id"])

    resellers = sa.table(
        "resellers", sa.column("reseller_id"), sa.column("slack_team_id"), sa.column("slack_user_id")
    )
    rows, seen = [], set()
    for reseller_id, team_id, user_id in bind.execute(
        sa.select(resellers.c.reseller_id, resellers.c.slack_team_id, resellers.c.slack_user_id).order_by(
            resellers.c.reseller_id
        )
    ):
        for kind, slack_id in (("team", team_id), ("user", user_id)):
            if slack_id and (kind, slack_id) not in seen:  # the first reseller keeps a shared id
                seen.add((kind, slack_id))
                rows.append({"kind": kind, "slack_id": slack_id, "reseller_id": reseller_id})
    if rows:
        op.bulk_insert(slack_links, rows)

    op.drop_column("resellers", "slack_team_id")
    op.drop_column("resellers", "slack_user_id")


def downgrade() -> None:
    op.add_column("resellers", sa.Column("slack_team_id", sa.String(50)))
    op.add_column("resellers", sa.Column("slack_user_id", sa.String(50)))
    bind = op.get_bind()
    links = sa.table(
        "slack_links", sa.column("id"), sa.column("kind"), sa.column("slack_id"), sa.column("reseller_id")
    )
    resellers = sa.table(
        "resellers", sa.column("reseller_id"), sa.column("slack_team_id"), sa.column("slack_user_id")
    )
    # One of each kind per reseller fits the old columns: the earliest link.
    done = set()
    for kind, slack_id, reseller_id in bind.execute(
        sa.select(links.c.kind, links.c.slack_id, links.c.reseller_id).order_by(links.c.id)
    ):
        if (kind, reseller_id) in done:
            continue
        done.add((kind, reseller_id))
        column = "slack_team_id" if kind == "team" else "slack_user_id"
        bind.execute(
            sa.update(resellers).where(resellers.c.reseller_id == reseller_id).values({column: slack_id})
        )
    op.drop_index("ix_slack_links_reseller_id", table_name="slack_links")
    op.drop_table("slack_links")
