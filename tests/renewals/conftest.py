"""Fixtures for the renewals domain tests.

Storage tests run on SQLite (a file under tmp_path) and on PostgreSQL. The
PostgreSQL tests use RENEWALS_TEST_POSTGRES_URL (default: the local server)
and work in a schema of their own, created for the session and dropped after,
so they never touch other data. An unreachable server fails them loudly.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from renewals.importers import import_licences, import_price_list, import_resellers, load_demo
from renewals.pricelist import load_price_list
from renewals.storage.db import make_engine, metadata, migrate
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.renewals_data import DEMO_DIR

DEFAULT_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def demo_price_list():
    return load_price_list(DEMO_DIR / "pricing.yml")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'renewals.db'}"


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = make_engine(sqlite_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine():
    """An engine whose connections work in a fresh, migrated schema, dropped at session end."""
    url = os.environ.get("RENEWALS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    shown_url = make_url(url).render_as_string(hide_password=True)
    schema = f"renewals_test_{secrets.token_hex(4)}"
    admin = make_engine(url, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except SQLAlchemyError as error:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL tests need a server at {shown_url} (set RENEWALS_TEST_POSTGRES_URL to change it): "
            f"{error.__class__.__name__}: {str(error).splitlines()[0]}",
            pytrace=False,
        )
    engine = make_engine(url, connect_args={"connect_timeout": 5, "options": f"-csearch_path={schema}"})
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_engine")
    engine = request.getfixturevalue("postgres_engine")
    with engine.begin() as connection:
        tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    return engine


@pytest.fixture(scope="session")
def demo_sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated and loaded with the demo data once, for tests to copy."""
    path = tmp_path_factory.mktemp("demo") / "renewals.db"
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, DEMO_DIR)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_engine(request, tmp_path):
    """A migrated database on each backend, holding the demo resellers, price list and licences."""
    if request.param == "sqlite":
        path = tmp_path / "renewals.db"
        shutil.copyfile(request.getfixturevalue("demo_sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    with engine.begin() as connection:
        tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    with UnitOfWork(engine) as uow:
        import_resellers(uow, DEMO_DIR / "resellers.csv")
        import_price_list(uow, DEMO_DIR / "pricing.yml")
        import_licences(uow, DEMO_DIR / "licenses.csv")
    yield engine


@pytest.fixture
def demo_sqlite_engine(demo_sqlite_template, tmp_path):
    """The demo database on SQLite only, for rules that don't depend on the backend."""
    path = tmp_path / "renewals.db"
    shutil.copyfile(demo_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
