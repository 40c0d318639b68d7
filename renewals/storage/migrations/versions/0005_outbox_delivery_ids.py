"""Outbox messages get a delivery id (a UUID) that never repeats, not even after a database reset.

Receivers de-duplicate on X-Renewals-Delivery; the row id it used to carry starts again at 1
in a new database, so a receiver could drop a genuinely new message as a repeat.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("delivery_id", sa.String(36), nullable=True))
    connection = op.get_bind()
    outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("delivery_id", sa.String(36)))
    for (message_id,) in connection.execute(sa.select(outbox.c.id)).fetchall():
        connection.execute(
            sa.update(outbox).where(outbox.c.id == message_id).values(delivery_id=str(uuid.uuid4()))
        )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("delivery_id", existing_type=sa.String(36), nullable=False)
        batch.create_unique_constraint("uq_outbox_delivery_id", ["delivery_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_delivery_id", type_="unique")
        batch.drop_column("delivery_id")
