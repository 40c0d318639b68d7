"""Action tests: every test runs against a fresh copy of the demo data, the clock at 2026-11-28."""
import pytest

from tests.support.demo_data import demo_database, demo_database_template  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def every_action_test_has_the_demo_database(demo_database):
    return demo_database
