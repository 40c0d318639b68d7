"""What the chat actions call for cases, and the storage underneath them."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, select

from renewals.checklist import ProductMatch
from renewals.importers import load_demo
from renewals.quotes import PriceListUnavailable
from renewals.service import Renewals
from renewals.storage.db import _alembic_config, cases, make_engine, migrate, outbox
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.cases import ACME_CHECKLIST
from tests.support.clocks import ManualClock
from tests.support.renewals_data import DEMO_DIR

CASE_TABLES = {"cases", "case_events", "case_reference_counters", "outbox"}


@pytest.fixture
def renewals(sqlite_engine, sqlite_url):
    load_demo(sqlite_engine, DEMO_DIR)
    return Renewals.from_env({"DATABASE_URL": sqlite_url, "RENEWALS_TODAY": "2026-11-28"})


def test_the_facade_matches_products_against_the_active_price_list(renewals):
    assert renewals.match_product("deep securty on linux") == ProductMatch("DSEC", "Linux", 0.974, False)
    assert renewals.match_product("worry free") is None
    assert [m.product_code for m in renewals.product_candidates("worry free", limit=2)] == [
        "WFBS-ADV",
        "WFBS-STD",
    ]


def test_matching_without_a_price_list_says_prices_are_unavailable(sqlite_engine):
    with pytest.raises(PriceListUnavailable):
        Renewals(sqlite_engine, ManualClock()).match_product("apex one")


def test_the_facade_reads_expiry_dates_against_its_clock(renewals):
    assert renewals.validate_expiry("tomorrow").value == date(2026, 11, 29)


def test_the_facade_names_a_reseller(renewals):
    assert renewals.reseller_name("R-AU-002") == "Harbour Systems Pty Ltd"
    assert renewals.reseller_name("R-XX-999") is None


def test_without_a_webhook_url_cases_are_not_queued(renewals, sqlite_engine):
    renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    with UnitOfWork(sqlite_engine) as uow:
        assert uow.outbox.undelivered() == []


def test_with_a_webhook_url_every_new_case_is_queued(sqlite_engine, sqlite_url):
    load_demo(sqlite_engine, DEMO_DIR)
    renewals = Renewals.from_env(
        {"DATABASE_URL": sqlite_url, "CASE_WEBHOOK_URL": "https://bridge.example/cases"}
    )

    case = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    with UnitOfWork(sqlite_engine) as uow:
        assert [m.case_reference for m in uow.outbox.undelivered()] == [case.reference]


# --- storage ------------------------------------------------------------------


def test_instants_are_stored_and_read_back_as_utc(engine, demo_price_list):
    load_demo(engine, DEMO_DIR)
    auckland = datetime(2026, 11, 28, 14, 0, tzinfo=timezone(timedelta(hours=13)))
    clock = ManualClock(auckland)

    case = Renewals(engine, clock).open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    with engine.connect() as connection:
        stored = connection.execute(select(cases.c.created_at)).scalar_one()
    assert stored == auckland and stored.tzinfo == timezone.utc
    assert case.created_at == datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)


def test_naive_datetimes_are_refused(sqlite_engine):
    with pytest.raises(Exception, match="timezone-aware"):
        with UnitOfWork(sqlite_engine) as uow:
            uow.outbox.add(topic="t", dedupe_key="k", payload="{}", created_at=datetime(2026, 11, 28, 1, 0))


def test_the_case_migration_goes_down_and_up_again(sqlite_engine):
    with sqlite_engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert not CASE_TABLES & set(inspect(sqlite_engine).get_table_names())

    migrate(sqlite_engine)
    assert CASE_TABLES <= set(inspect(sqlite_engine).get_table_names())


def test_sql_logging_stays_off_when_the_root_logger_is_at_debug(sqlite_url, caplog):
    caplog.set_level(logging.DEBUG)
    engine = make_engine(sqlite_url)
    migrate(engine)

    with engine.connect() as connection:
        connection.execute(select(outbox.c.id)).all()
    engine.dispose()

    assert not [r for r in caplog.records if r.name.startswith("sqlalchemy.engine")]


def test_messages_queued_before_delivery_ids_existed_get_one_each(sqlite_engine):
    with sqlite_engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    created = datetime(2026, 11, 28, tzinfo=timezone.utc)
    with sqlite_engine.begin() as connection:
        for key in ("a", "b"):
            connection.exec_driver_sql(
                "INSERT INTO outbox (topic, dedupe_key, payload, created_at, attempts, flagged) "
                "VALUES ('case.webhook', ?, '{}', ?, 0, 0)",
                (key, created.isoformat()),
            )

    migrate(sqlite_engine)

    with sqlite_engine.connect() as connection:
        ids = [row[0] for row in connection.execute(select(outbox.c.delivery_id))]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(len(i) == 36 for i in ids)
