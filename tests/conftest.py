"""Fixtures for every test folder."""

import os
from pathlib import Path

import pytest

# Shared fixtures (the demo database) for every folder, so no test module imports a fixture by name.
pytest_plugins = ["tests.support.demo_data"]


def pytest_collection_modifyitems(items):
    """Test tiers, as markers: `live` starts servers or processes, `browser` drives chromium, `postgres`
    needs the PostgreSQL server. `make test-fast` runs the rest (the unit tier); `make test` runs all."""
    for item in items:
        fixtures = set(item.fixturenames)
        module = vars(item.module)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if item.path.parent.name == "servers" or "running_assistant" in module or "subprocess" in module:
            item.add_marker(pytest.mark.live)
        params = item.callspec.params.values() if hasattr(item, "callspec") else ()
        if "postgres_engine" in fixtures or "postgresql" in params:
            item.add_marker(pytest.mark.postgres)


CHROMIUM = Path("/usr/bin/chromium")
# Headless, as root, with nothing that reaches out to the (closed) network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)"
        )
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path):
    """Where browser tests save their screenshots: $WEB_CHAT_SCREENSHOTS when set (to look at them),
    else the test's temporary folder."""
    folder = Path(os.environ.get("WEB_CHAT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
