"""One real action server and Rasa server for every test in this folder."""

import uuid

import pytest

from scripts.live_assistant import Assistant, running_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> Assistant:
    with running_assistant(tmp_path_factory.mktemp("servers")) as live:
        yield live


@pytest.fixture
def sender() -> str:
    """A fresh conversation id for each test."""
    return f"test-{uuid.uuid4().hex}"
