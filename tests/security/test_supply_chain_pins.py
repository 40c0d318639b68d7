"""Each pinned package stays at or above the release that fixed its known advisory (docs/security.md)."""

from importlib.metadata import version

import pytest

FIXED_IN = {
    "rasa": ("3.6.21", "CVE-2024-49375, remote code execution through model loading"),
    "sanic": ("21.12.2", "CVE-2022-35920, path traversal in static files"),
}


def release(text: str) -> tuple:
    return tuple(int(part) for part in text.split("+")[0].split(".")[:3])


@pytest.mark.parametrize("package", sorted(FIXED_IN))
def test_the_installed_version_has_the_fix(package):
    fixed, advisory = FIXED_IN[package]
    assert release(version(package)) >= release(fixed), (
        f"{package} {version(package)} is exposed to {advisory}"
    )


def test_requirements_pin_a_fixed_rasa():
    """Sanic is not pinned by us: Rasa's own pin brings it, and the installed version is checked above."""
    from pathlib import Path

    pins = {
        line.split("==")[0].strip().lower(): line.split("==")[1].split(";")[0].strip()
        for line in (Path(__file__).resolve().parents[2] / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    assert release(pins["rasa"]) >= release(FIXED_IN["rasa"][0])
