"""Test data shared by the renewals tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from renewals.licences import Licence
from renewals.storage.db import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "demo"
# The demo data was written as of this date.
DEMO_TODAY = date(2026, 11, 28)

QUOKKA_TRAVEL = Licence(
    activation_code="WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD",
    company="Quokka Travel",
    address="16 King Street, Perth WA 6000",
    region="AU",
    contact_name="Test Contact",
    contact_email="contact@example.com",
    phone="+61 2 5550 0000",
    product_code="WFBS-STD",
    platform="Windows",
    users=50,
    start_date=date(2023, 10, 31),
    expiry_date=date(2026, 10, 29),
    reseller_id="R-AU-002",
    internet_facing=True,
    renewal_notice_sent_on=None,
)


def make_licence(**changes) -> Licence:
    """Quokka Travel's licence with `changes` applied."""
    return replace(QUOKKA_TRAVEL, **changes)
