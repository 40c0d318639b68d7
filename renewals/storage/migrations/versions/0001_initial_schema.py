"""Resellers, products, versioned price lists and licences.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from renewals.storage.db import ExactDecimal

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resellers",
        sa.Column("reseller_id", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("slack_team_id", sa.String(50)),
        sa.Column("slack_user_id", sa.String(50)),
        sa.Column("slack_channel_id", sa.String(50)),
        sa.PrimaryKeyConstraint("reseller_id", name="pk_resellers"),
    )
    op.create_table(
        "products",
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("brand", sa.String(20), nullable=False),
        sa.Column("activation_code_prefix", sa.String(2), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_products"),
    )
    op.create_table(
        "product_platforms",
        sa.Column("product_code", sa.String(20), nullable=False),
        sa.Column("platform", sa.String(50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name="fk_product_platforms_product_code_products"
        ),
        sa.PrimaryKeyConstraint("product_code", "platform", name="pk_product_platforms"),
    )
    op.create_table(
        "price_lists",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("days_per_year", sa.Integer(), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("version", name="pk_price_lists"),
    )
    op.create_table(
        "price_list_regions",
        sa.Column("price_list_version", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("gst_rate", ExactDecimal(6, 4), nullable=False),
        sa.ForeignKeyConstraint(
            ["price_list_version"],
            ["price_lists.version"],
            name="fk_price_list_regions_price_list_version_price_lists",
        ),
        sa.PrimaryKeyConstraint("price_list_version", "region", name="pk_price_list_regions"),
    )
    op.create_table(
        "price_list_bands",
        sa.Column("price_list_version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_users", sa.Integer(), nullable=False),
        sa.Column("max_users", sa.Integer()),
        sa.ForeignKeyConstraint(
            ["price_list_version"],
            ["price_lists.version"],
            name="fk_price_list_bands_price_list_version_price_lists",
        ),
        sa.PrimaryKeyConstraint("price_list_version", "position", name="pk_price_list_bands"),
    )
    op.create_table(
        "price_list_rates",
        sa.Column("price_list_version", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(20), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("band_position", sa.Integer(), nullable=False),
        sa.Column("annual_rate_per_user", ExactDecimal(12, 2), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name="fk_price_list_rates_product_code_products"
        ),
        sa.ForeignKeyConstraint(
            ["price_list_version", "region"],
            ["price_list_regions.price_list_version", "price_list_regions.region"],
            name="fk_price_list_rates_region_price_list_regions",
        ),
        sa.ForeignKeyConstraint(
            ["price_list_version", "band_position"],
            ["price_list_bands.price_list_version", "price_list_bands.position"],
            name="fk_price_list_rates_band_price_list_bands",
        ),
        sa.PrimaryKeyConstraint(
            "price_list_version", "product_code", "region", "band_position", name="pk_price_list_rates"
        ),
    )
    op.create_table(
        "licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activation_code", sa.String(37), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("product_code", sa.String(20), nullable=False),
        sa.Column("platform", sa.String(50), nullable=False),
        sa.Column("users", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("reseller_id", sa.String(20)),
        sa.Column("internet_facing", sa.Boolean(), nullable=False),
        sa.Column("renewal_notice_sent_on", sa.Date()),
        sa.CheckConstraint("users > 0", name="ck_licences_users_positive"),
        sa.CheckConstraint("expiry_date > start_date", name="ck_licences_expiry_after_start"),
        sa.ForeignKeyConstraint(
            ["product_code"], ["products.code"], name="fk_licences_product_code_products"
        ),
        sa.ForeignKeyConstraint(
            ["reseller_id"], ["resellers.reseller_id"], name="fk_licences_reseller_id_resellers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_licences"),
        sa.UniqueConstraint("activation_code", name="uq_licences_activation_code"),
    )
    op.create_index("ix_licences_expiry_date", "licences", ["expiry_date"])


def downgrade() -> None:
    op.drop_index("ix_licences_expiry_date", table_name="licences")
    for table in (
        "licences",
        "price_list_rates",
        "price_list_bands",
        "price_list_regions",
        "price_lists",
        "product_platforms",
        "products",
        "resellers",
    ):
        op.drop_table(table)
