"""Where a licence stands: active, expiring soon, expiring today, or lapsed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from renewals.licences import LicenceStatusKind, licence_status
from tests.support.renewals_data import QUOKKA_TRAVEL, make_licence

EXPIRY = date(2026, 12, 28)


@pytest.mark.parametrize(
    "days_before_expiry, kind, days_until_expiry, days_since_expiry",
    [
        (365, LicenceStatusKind.ACTIVE, 365, 0),
        (31, LicenceStatusKind.ACTIVE, 31, 0),
        (30, LicenceStatusKind.EXPIRING_SOON, 30, 0),
        (1, LicenceStatusKind.EXPIRING_SOON, 1, 0),
        (0, LicenceStatusKind.EXPIRES_TODAY, 0, 0),
        (-1, LicenceStatusKind.LAPSED, 0, 1),
        (-30, LicenceStatusKind.LAPSED, 0, 30),
    ],
)
def test_status_around_the_30_day_and_expiry_day_boundaries(
    days_before_expiry, kind, days_until_expiry, days_since_expiry
):
    status = licence_status(make_licence(expiry_date=EXPIRY), EXPIRY - timedelta(days=days_before_expiry))

    assert status.kind is kind
    assert status.days_until_expiry == days_until_expiry
    assert status.days_since_expiry == days_since_expiry
    assert status.expiry_date == EXPIRY


def test_quokka_travel_lapsed_30_days_before_the_demo_date():
    status = licence_status(QUOKKA_TRAVEL, date(2026, 11, 28))

    assert status.kind is LicenceStatusKind.LAPSED
    assert status.days_since_expiry == 30


def test_a_licence_printed_in_a_log_shows_no_contact_details():
    shown = repr(QUOKKA_TRAVEL)

    assert QUOKKA_TRAVEL.contact_name not in shown
    assert QUOKKA_TRAVEL.contact_email not in shown
    assert QUOKKA_TRAVEL.phone not in shown
    assert QUOKKA_TRAVEL.activation_code in shown
