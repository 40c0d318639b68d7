"""Storage on SQLite and PostgreSQL: migrations, repositories and the unit of work."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from renewals.pricelist import price_list_from_mapping
from renewals.resellers import Reseller
from renewals.storage.db import (
    PROJECT_ROOT,
    database_url_from_env,
    make_engine,
    metadata,
    migrate,
    schema_is_current,
)
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.renewals_data import QUOKKA_TRAVEL, make_licence

HARBOUR_SYSTEMS = Reseller(
    reseller_id="R-AU-002",
    name="Harbour Systems Pty Ltd",
    region="AU",
    email="renewals@harboursys.example",
    phone="+61 3 9555 0202",
    slack_channel_id="C02RENEW02",
)


@pytest.fixture
def stocked(engine, demo_price_list):
    """The engine with the demo price list and Quokka Travel's reseller in place."""
    with UnitOfWork(engine) as uow:
        uow.price_lists.replace_active(demo_price_list)
        uow.resellers.save(HARBOUR_SYSTEMS)
    return engine


def test_migrations_create_exactly_the_tables_the_code_describes(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []
    assert schema_is_current(engine)


def test_migrating_twice_changes_nothing(engine):
    migrate(engine)

    assert schema_is_current(engine)


def test_a_new_database_is_not_current_until_migrated(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")

    assert not schema_is_current(engine)
    migrate(engine)
    assert schema_is_current(engine)
    assert "licences" in inspect(engine).get_table_names()


def test_migrate_accepts_a_url_and_creates_missing_folders(tmp_path):
    path = tmp_path / "var" / "nested" / "renewals.db"

    migrate(f"sqlite:///{path}")

    assert path.is_file()


def test_database_url_defaults_to_var_renewals_db_under_the_project_root():
    assert database_url_from_env({}) == f"sqlite:///{PROJECT_ROOT / 'var' / 'renewals.db'}"
    assert (
        database_url_from_env({"DATABASE_URL": "postgresql+psycopg2://db/x"}) == "postgresql+psycopg2://db/x"
    )


def test_a_saved_licence_comes_back_unchanged(stocked):
    with UnitOfWork(stocked) as uow:
        uow.licences.save(QUOKKA_TRAVEL)

    with UnitOfWork(stocked) as uow:
        assert uow.licences.get(QUOKKA_TRAVEL.activation_code) == QUOKKA_TRAVEL
        assert uow.licences.get("WS-AAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA") is None


def test_saving_a_licence_again_updates_it_in_place(stocked):
    with UnitOfWork(stocked) as uow:
        uow.licences.save(QUOKKA_TRAVEL)
        uow.licences.save(replace(QUOKKA_TRAVEL, users=40, reseller_id=None))

    with UnitOfWork(stocked) as uow:
        assert uow.licences.count() == 1
        assert uow.licences.get(QUOKKA_TRAVEL.activation_code).users == 40


def test_licences_are_listed_soonest_expiry_first(stocked):
    later = make_licence(
        activation_code="WS-QAV5-EQ9YB-Y8GHH-RCF75-R2H4C-E9H5K",
        expiry_date=QUOKKA_TRAVEL.expiry_date.replace(year=2027),
    )
    with UnitOfWork(stocked) as uow:
        uow.licences.save(later)
        uow.licences.save(QUOKKA_TRAVEL)

    with UnitOfWork(stocked) as uow:
        assert [licence.activation_code for licence in uow.licences.list()] == [
            QUOKKA_TRAVEL.activation_code,
            later.activation_code,
        ]


def test_unit_of_work_rolls_back_everything_when_the_block_fails(stocked):
    with pytest.raises(RuntimeError):
        with UnitOfWork(stocked) as uow:
            uow.licences.save(QUOKKA_TRAVEL)
            raise RuntimeError("something went wrong after saving")

    with UnitOfWork(stocked) as uow:
        assert uow.licences.count() == 0


def test_a_licence_for_an_unknown_product_is_refused_by_the_database(stocked):
    with pytest.raises(IntegrityError):
        with UnitOfWork(stocked) as uow:
            uow.licences.save(make_licence(product_code="OFFICESCAN"))


def test_resellers_round_trip_and_update_in_place(engine):
    with UnitOfWork(engine) as uow:
        uow.resellers.save(HARBOUR_SYSTEMS)
        uow.resellers.save(replace(HARBOUR_SYSTEMS, name="Harbour Systems"))

    with UnitOfWork(engine) as uow:
        assert uow.resellers.list() == [replace(HARBOUR_SYSTEMS, name="Harbour Systems")]
        assert uow.resellers.get("R-AU-002").slack_channel_id == "C02RENEW02"
        assert uow.resellers.ids() == {"R-AU-002"}


def test_there_is_no_active_price_list_until_one_is_imported(engine):
    with UnitOfWork(engine) as uow:
        assert uow.price_lists.active() is None


def test_the_stored_price_list_equals_the_imported_one_to_the_cent(engine, demo_price_list):
    with UnitOfWork(engine) as uow:
        assert uow.price_lists.replace_active(demo_price_list) == 1

    with UnitOfWork(engine) as uow:
        stored = uow.price_lists.active()

    assert stored == demo_price_list
    assert stored.rate("WFBS-STD", "AU", 50) == Decimal("38.64")
    assert stored.terms("NZ").gst_rate == Decimal("0.15")
    assert stored.fingerprint() == demo_price_list.fingerprint()


def test_storing_the_same_price_list_again_keeps_the_active_version(engine, demo_price_list):
    with UnitOfWork(engine) as uow:
        uow.price_lists.replace_active(demo_price_list)
        assert uow.price_lists.replace_active(demo_price_list) == 1


def test_a_new_price_list_replaces_the_active_one(engine, demo_price_list):
    dearer = replace(
        demo_price_list,
        rates={key: tuple(rate + 1 for rate in rates) for key, rates in demo_price_list.rates.items()},
    )
    with UnitOfWork(engine) as uow:
        uow.price_lists.replace_active(demo_price_list)
        assert uow.price_lists.replace_active(dearer) == 2

    with UnitOfWork(engine) as uow:
        assert uow.price_lists.active_version() == 2
        assert uow.price_lists.active().rate("WFBS-STD", "AU", 50) == Decimal("39.64")


def test_a_failed_price_list_replacement_leaves_the_old_one_active(engine, demo_price_list):
    with UnitOfWork(engine) as uow:
        uow.price_lists.replace_active(demo_price_list)
    smaller = price_list_from_mapping(
        {
            "currency": {"AU": "AUD", "NZ": "NZD"},
            "gst_rate": {"AU": "0.10", "NZ": "0.15"},
            "days_per_year": 365,
            "user_bands": [{"min": 1, "max": None}],
            "products": [
                {
                    "code": "SMEX",
                    "name": "ScanMail",
                    "brand": "Enterprise",
                    "platforms": ["Windows"],
                    "activation_code_prefix": "SM",
                    "annual_rate_per_user": {"AU": ["20.00"], "NZ": ["22.00"]},
                }
            ],
        }
    )

    with pytest.raises(RuntimeError):
        with UnitOfWork(engine) as uow:
            uow.price_lists.replace_active(smaller)
            raise RuntimeError("import interrupted")

    with UnitOfWork(engine) as uow:
        assert uow.price_lists.active() == demo_price_list
