"""Database: schema, engines, and migrations (SQLite or PostgreSQL).

The schema is SQLAlchemy Core rather than ORM-mapped classes: domain objects
are frozen dataclasses and the repositories translate rows explicitly.
Migrations in renewals/storage/migrations/ create these tables; a test checks the
two agree.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Optional, Union

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import TypeDecorator

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_PATH = PROJECT_ROOT / "var" / "renewals.db"
DATABASE_URL_VARIABLE = "DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Named constraints let Alembic alter them later, including SQLite batch migrations.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class ExactDecimal(TypeDecorator):
    """NUMERIC on PostgreSQL; text on SQLite, which would otherwise store money as binary floats.

    Migrations use this type too, so changing how it stores values needs a migration.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: Optional[Decimal], dialect):
        if value is not None and dialect.name == "sqlite":
            return str(value)
        return value

    def process_result_value(self, value, dialect) -> Optional[Decimal]:
        return None if value is None else Decimal(value)


class UtcDateTime(TypeDecorator):
    """An instant, always timezone-aware UTC in Python.

    PostgreSQL keeps it as timestamptz; SQLite, which has no time zones, keeps
    the UTC wall time, so stored values sort and compare as instants on both.
    Naive datetimes are refused: they are ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect):
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("UtcDateTime needs a timezone-aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


resellers = Table(
    "resellers",
    metadata,
    Column("reseller_id", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(2), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phone", String(50), nullable=False),
    # Where the reseller's case notifications are posted in Slack, if connected.
    Column("slack_channel_id", String(50)),
)

# Slack users and workspaces (teams) that act for a reseller in the Slack assistant
# (renewals.reseller_access). A Slack id belongs to at most one reseller.
slack_links = Table(
    "slack_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # "user" or "team"
    Column("slack_id", String(50), nullable=False),  # U0123ABCD / T0123ABCD
    Column("reseller_id", String(20), ForeignKey("resellers.reseller_id"), nullable=False),
    UniqueConstraint("kind", "slack_id", name="uq_slack_links_kind_slack_id"),
    CheckConstraint("kind IN ('user', 'team')", name="kind_user_or_team"),
)
Index("ix_slack_links_reseller_id", slack_links.c.reseller_id)

# Products outlive price lists: licences refer to them, and a new price list updates them.
products = Table(
    "products",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("brand", String(20), nullable=False),
    Column("activation_code_prefix", String(2), nullable=False),
)

product_platforms = Table(
    "product_platforms",
    metadata,
    Column("product_code", String(20), ForeignKey("products.code"), primary_key=True),
    Column("platform", String(50), primary_key=True),
    Column("position", Integer, nullable=False),  # keeps the price list's order for display
)

# Every imported price list is kept; the one with the highest version is active,
# so an import swaps prices in the same commit that adds the new rows.
price_lists = Table(
    "price_lists",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("fingerprint", String(64), nullable=False),
    Column("days_per_year", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()),
)

price_list_regions = Table(
    "price_list_regions",
    metadata,
    Column("price_list_version", Integer, ForeignKey("price_lists.version"), primary_key=True),
    Column("region", String(2), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("gst_rate", ExactDecimal(6, 4), nullable=False),
)

price_list_bands = Table(
    "price_list_bands",
    metadata,
    Column("price_list_version", Integer, ForeignKey("price_lists.version"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("min_users", Integer, nullable=False),
    Column("max_users", Integer),  # NULL: no upper limit
)

price_list_rates = Table(
    "price_list_rates",
    metadata,
    Column("price_list_version", Integer, primary_key=True),
    Column("product_code", String(20), ForeignKey("products.code"), primary_key=True),
    Column("region", String(2), primary_key=True),
    Column("band_position", Integer, primary_key=True),
    Column("annual_rate_per_user", ExactDecimal(12, 2), nullable=False),
    ForeignKeyConstraint(
        ["price_list_version", "region"],
        ["price_list_regions.price_list_version", "price_list_regions.region"],
        name="fk_price_list_rates_region_price_list_regions",
    ),
    ForeignKeyConstraint(
        ["price_list_version", "band_position"],
        ["price_list_bands.price_list_version", "price_list_bands.position"],
        name="fk_price_list_rates_band_price_list_bands",
    ),
)

# A surrogate key, because non-internet-facing customers get a new Activation
# Code on renewal and later tables (cases, notices) must keep pointing at the licence.
licences = Table(
    "licences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("activation_code", String(37), nullable=False, unique=True),
    Column("company", String(200), nullable=False),
    Column("address", String(500), nullable=False),
    Column("region", String(2), nullable=False),
    Column("contact_name", String(200), nullable=False),
    Column("contact_email", String(320), nullable=False),
    Column("phone", String(50), nullable=False),
    Column("product_code", String(20), ForeignKey("products.code"), nullable=False),
    Column("platform", String(50), nullable=False),
    Column("users", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("expiry_date", Date, nullable=False),
    Column("reseller_id", String(20), ForeignKey("resellers.reseller_id")),
    Column("internet_facing", Boolean, nullable=False),
    Column("renewal_notice_sent_on", Date),
    CheckConstraint("users > 0", name="users_positive"),
    CheckConstraint("expiry_date > start_date", name="expiry_after_start"),
)
# Renewal notices will scan by expiry date.
Index("ix_licences_expiry_date", licences.c.expiry_date)

# Support cases (renewals.cases). With the chat tracker store, this is the only
# place customers' contact details are kept (see docs/privacy.md).
cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),  # RN-2026-000123
    Column("reason", String(40), nullable=False),  # "renewal"; later e.g. "human_handoff"
    Column("status", String(30), nullable=False),
    # Same conversation, same details: same case (see renewals.cases.idempotency_key).
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("conversation_id", String(255)),  # the tracker store's sender_id
    Column("channel", String(50)),
    Column("licence_id", Integer, ForeignKey("licences.id")),
    Column("routed_to", String(50), nullable=False),  # a reseller id or "technical-support"
    # The renewal checklist. Nullable: a hand-off case may be opened before it is complete;
    # RenewalChecklist checks completeness for renewal cases.
    Column("company_name", String(200)),
    Column("address", String(500)),
    Column("phone", String(20)),  # E.164
    Column("contact_name", String(200)),
    Column("contact_email", String(320)),
    Column("product_code", String(20), ForeignKey("products.code")),
    Column("platform", String(50)),
    Column("user_count", Integer),
    Column("licence_expiry", Date),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # A hand-off case opened while the conversation had a renewal case open: that renewal case.
    Column("linked_case_id", Integer, ForeignKey("cases.id")),
    CheckConstraint("user_count > 0", name="user_count_positive"),
)
Index("ix_cases_conversation_id", cases.c.conversation_id)

# A case's history: status changes now; agents' notes and actions later.
case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(30), nullable=False),  # "status"; later e.g. "note"
    Column("status", String(30)),  # the new status, for kind "status"
    Column("actor", String(100), nullable=False),  # "assistant", an agent's name, ...
    Column("note", Text),
)
Index("ix_case_events_case_id", case_events.c.case_id)

# The last reference number handed out in each year; updating the row locks it,
# so concurrent cases get consecutive numbers on SQLite and PostgreSQL alike.
case_reference_counters = Table(
    "case_reference_counters",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)

# Messages to other systems, written in the same transaction as the change they
# announce and delivered afterwards by renewals.delivery. Rows are kept once
# delivered (payload cleared) and never deleted on failure.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("topic", String(50), nullable=False),  # "case.webhook", "case.slack"
    Column("dedupe_key", String(200), nullable=False, unique=True),  # one message per event, ever
    # A UUID sent with every attempt (X-Renewals-Delivery): unique across databases, unlike the row id.
    Column("delivery_id", String(36), nullable=False, unique=True),
    Column("case_id", Integer, ForeignKey("cases.id")),
    Column("payload", Text),  # JSON; holds personal data until delivered, then cleared
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),  # NULL: as soon as a worker is free
    Column("locked_until", UtcDateTime),  # a worker's lease on the row
    Column("locked_by", String(100)),
    Column("last_attempt_at", UtcDateTime),
    Column("last_error", String(500)),  # e.g. "HTTP 500"; never the response body
    Column("flagged", Boolean, nullable=False),  # refused (4xx): needs a person, still retried
    Column("delivered_at", UtcDateTime),
    # The renewal notice an email or Slack message carries (renewals.notices), when it carries one.
    Column("notice_id", Integer, ForeignKey("renewal_notices.id")),
    # The receiver refused it for good (an SMTP 5xx, a bad address): never attempted again.
    Column("gave_up_at", UtcDateTime),
)
Index("ix_outbox_next_attempt_at", outbox.c.next_attempt_at)
Index("ix_outbox_case_id", outbox.c.case_id)
Index("ix_outbox_notice_id", outbox.c.notice_id)

# Renewal notices (renewals.notices): one row per notice queued. The dedupe key makes the notice of a
# licence's term, and a re-send on a given day, impossible to queue twice, whoever runs the job.
renewal_notices = Table(
    "renewal_notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("licence_id", Integer, ForeignKey("licences.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # "expiring", "lapsed" or "resent"
    Column("term_expiry", Date, nullable=False),  # the licence's expiry date the notice is about
    Column("dedupe_key", String(100), nullable=False, unique=True),
    # Where it was sent: the licence's contact at the time. Personal data: cleared by forget-customer.
    Column("recipient", String(320)),
    Column("queued_at", UtcDateTime, nullable=False),
    Column("link_expires_at", UtcDateTime, nullable=False),
    Column("link_opened_at", UtcDateTime),  # the first time its "Check my renewal" link was opened
)
Index("ix_renewal_notices_licence_id", renewal_notices.c.licence_id)


# Rate limits (renewals.rate_limits): uses per subject and fixed time window. The subject
# (a conversation id, a client address) is stored only as a keyed hash.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject_key", String(64), nullable=False),
    Column("window_start", UtcDateTime, nullable=False),
    Column("used", Integer, nullable=False),
    UniqueConstraint("subject_key", "window_start", name="uq_rate_limits_subject_key"),
)
Index("ix_rate_limits_window_start", rate_limits.c.window_start)


# Support agents (renewals.agents): accounts, console sessions, API tokens and failed
# sign-ins. Secrets are stored only as hashes (scrypt for passwords, SHA-256 for tokens).
agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(50), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_hash", String(64), nullable=False, unique=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),  # absolute limit; idle expiry from last_seen_at
)

agent_api_tokens = Table(
    "agent_api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)

agent_login_failures = Table(
    "agent_login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(50), nullable=False),
    Column("client", String(64), nullable=False),  # the client's IP address
    Column("at", UtcDateTime, nullable=False),
)
Index("ix_agent_login_failures_username", agent_login_failures.c.username)


# Daily jobs (renewals.jobs.daily): one row per job and day, claimed before the job runs, so it runs
# once a day however many processes run the jobs.
job_runs = Table(
    "job_runs",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("run_on", Date, primary_key=True),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),  # NULL while it runs (or if its process died)
    Column("summary", String(500)),  # counts only, never personal data
)


# End-of-chat ratings (renewals.chat_ratings): "Did this solve your problem?", one answer per conversation
# (a later answer replaces it). The conversation id is Rasa's opaque sender id, nothing more.
chat_ratings = Table(
    "chat_ratings",
    metadata,
    Column("conversation_id", String(128), primary_key=True),
    Column("solved", Boolean, nullable=False),
    Column("rated_at", UtcDateTime, nullable=False),
)
Index("ix_chat_ratings_rated_at", chat_ratings.c.rated_at)


# Saved replies of the support team (renewals.canned_replies), shared by every agent.
canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(80), nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("updated_by", String(50), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)


# Who is typing in a chat with a person (renewals.typing): one row per conversation, the last report of each.
chat_typing = Table(
    "chat_typing",
    metadata,
    Column("conversation_id", String(128), primary_key=True),
    Column("customer_at", UtcDateTime),
    Column("agent_at", UtcDateTime),
    Column("agent_name", String(100)),
)


def database_url_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """DATABASE_URL, or the SQLite file var/renewals.db under the project root."""
    return environ.get(DATABASE_URL_VARIABLE, "").strip() or f"sqlite:///{DEFAULT_DATABASE_PATH}"


# A connection with this execution option set to True starts its transactions
# with BEGIN IMMEDIATE on SQLite (see UnitOfWork's `immediate`); PostgreSQL ignores it.
SQLITE_IMMEDIATE_OPTION = "renewals_sqlite_immediate"


def make_engine(url: str, **engine_options) -> Engine:
    """A 2.0-style engine; SQLite gets foreign keys and real transactions.

    Statement parameters hold personal data, so they are left out of error
    messages and logs (hide_parameters), and SQL logging stays off unless the
    `sqlalchemy.engine` logger's level is set on purpose: at DEBUG it would log
    every row read.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine_options.setdefault("hide_parameters", True)
    _keep_sql_logging_off()
    engine = create_engine(url, future=True, **engine_options)
    if engine.dialect.name == "sqlite":
        _make_sqlite_behave(engine)
    return engine


def _keep_sql_logging_off() -> None:
    # A root logger at DEBUG (e.g. a server's --debug flag) would otherwise turn
    # on SQLAlchemy's SQL and row logging through inheritance.
    sql_logger = logging.getLogger("sqlalchemy.engine")
    if sql_logger.level == logging.NOTSET:
        sql_logger.setLevel(logging.WARNING)


def _make_sqlite_behave(engine: Engine) -> None:
    # pysqlite ignores foreign keys by default and starts transactions lazily
    # (not before DDL); SQLAlchemy's documented recipe makes BEGIN explicit so a
    # unit of work or a migration is all-or-nothing, as on PostgreSQL.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # IMMEDIATE takes the write lock up front (waiting for it, up to the
        # busy timeout) so read-then-write work cannot deadlock with another writer.
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def migrate(engine_or_url: Union[Engine, str]) -> None:
    """Bring the database schema up to the latest migration."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        with engine.begin() as connection:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if engine is not engine_or_url:
            engine.dispose()


def schema_is_current(engine: Engine) -> bool:
    """True when every migration has been applied."""
    heads = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def _alembic_config() -> Config:
    # Built in code so no alembic.ini is needed at the project root.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config
