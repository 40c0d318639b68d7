"""Action tests: every test runs against a fresh copy of the demo data, the clock at 2026-11-28."""

import pytest


@pytest.fixture(autouse=True)
def every_action_test_has_the_demo_database(demo_database):
    return demo_database
