"""A hand-off case opened during a renewal names the renewal case it belongs with.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("linked_case_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cases_linked_case_id_cases", "cases", ["linked_case_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_linked_case_id_cases", type_="foreignkey")
        batch.drop_column("linked_case_id")
