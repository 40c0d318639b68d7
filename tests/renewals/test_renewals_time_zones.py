"""Today is the date where the licence is: New Zealand runs ahead of Sydney, Perth behind it."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from renewals.clock import FixedClock
from renewals.importers import load_demo
from renewals.licences import LicenceStatusKind
from renewals.reseller_reports import ExpiryRequest
from renewals.service import Renewals
from renewals.time_zones import zone_for
from tests.support.renewals_data import DEMO_DIR

KALGOORLIE_WA = "SM-KYVR-4K5AD-GN4K2-5F3K3-DVKZC-4Y2JY"  # expires 28 November 2026
TAURANGA_NZ = "AO-4ZUV-XFEYR-S8BBQ-9AKJ7-MMJ34-3PDD5"  # expires 18 December 2026
ROTORUA_NZ = "DS-XEDJ-G5Y4M-KTPTH-89HLA-3YU3G-D8L4F"  # expired 23 November 2026
MILDURA_VIC = "DS-MP3B-X6E48-7TPKC-RW7A6-PKP8C-3SBSA"  # expires 29 November 2026


@pytest.mark.parametrize(
    "region, address, zone",
    [
        ("AU", "231 Queen Street, Sydney NSW 2000", "Australia/Sydney"),
        ("AU", "121 Station Street, Canberra ACT 2600", "Australia/Sydney"),
        ("AU", "95 Queen Street, Melbourne VIC 3000", "Australia/Melbourne"),
        ("AU", "22 King Street, Hobart TAS 7000", "Australia/Hobart"),
        ("AU", "249 Station Street, Brisbane QLD 4000", "Australia/Brisbane"),
        ("AU", "224 George Street, Adelaide SA 5000", "Australia/Adelaide"),
        ("AU", "157 Queen Street, Darwin NT 0800", "Australia/Darwin"),
        ("AU", "16 King Street, Perth WA 6000", "Australia/Perth"),
        ("AU", "173 Victoria Street, Broken Hill NSW 2880", "Australia/Broken_Hill"),
        ("AU", "12 Hay Street, Subiaco 6008", "Australia/Perth"),  # no state: the postcode says
        ("AU", "PO Box 12", "Australia/Sydney"),  # nothing to go on
        ("AU", "10 Wattle Way, Sandy Bay TAS 7005", "Australia/Hobart"),  # "Sandy" is not SA
        ("NZ", "80 George Street, Auckland 1010", "Pacific/Auckland"),
        ("NZ", "213 Victoria Street, Te Anau 9600", "Pacific/Auckland"),
    ],
)
def test_the_zone_comes_from_the_state_or_postcode_or_region(region, address, zone):
    assert zone_for(region, address).key == zone


def service_at(engine, instant: datetime) -> Renewals:
    load_demo(engine, DEMO_DIR)
    return Renewals(engine, FixedClock.at(instant))


def test_at_half_past_midnight_in_new_zealand_a_licence_that_expired_yesterday_there_has_lapsed(
    sqlite_engine,
):
    # 11:30 UTC on 18 December: 00:30 on the 19th in Tauranga, still 22:30 on the 18th in Sydney.
    renewals = service_at(sqlite_engine, datetime(2026, 12, 18, 11, 30, tzinfo=timezone.utc))
    status = renewals.status(renewals.find_licence(TAURANGA_NZ))

    assert (status.kind, status.days_since_expiry) == (LicenceStatusKind.LAPSED, 1)
    assert renewals.today() == date(2026, 12, 18)  # Sydney's date is still the 18th


def test_at_half_past_one_in_sydney_a_perth_licence_still_expires_today(sqlite_engine):
    # 14:30 UTC on 28 November: 01:30 on the 29th in Sydney, 22:30 on the 28th in Kalgoorlie.
    renewals = service_at(sqlite_engine, datetime(2026, 11, 28, 14, 30, tzinfo=timezone.utc))

    assert renewals.status(renewals.find_licence(KALGOORLIE_WA)).kind is LicenceStatusKind.EXPIRES_TODAY
    assert renewals.status(renewals.find_licence(MILDURA_VIC)).kind is LicenceStatusKind.EXPIRES_TODAY


def test_the_lapsed_days_of_a_quote_are_counted_in_the_licences_own_time_zone(sqlite_engine):
    # 11:30 UTC on 28 November: 29 November in Rotorua, so 24 to 28 November lapsed (Sydney's date would give
    # 4).
    renewals = service_at(sqlite_engine, datetime(2026, 11, 28, 11, 30, tzinfo=timezone.utc))
    quote = renewals.quote(renewals.find_licence(ROTORUA_NZ))

    assert (quote.renewal_date, quote.lapsed_days) == (date(2026, 11, 29), 5)


def test_a_reseller_report_counts_each_licence_in_its_own_time_zone(sqlite_engine):
    renewals = service_at(sqlite_engine, datetime(2026, 11, 28, 14, 30, tzinfo=timezone.utc))
    kalgoorlie = renewals.find_licence(KALGOORLIE_WA)
    report = renewals.expiry_report(kalgoorlie.reseller_id, ExpiryRequest(days=30))

    assert kalgoorlie.activation_code in [licence.activation_code for licence, _ in report.expiring]


def test_a_pinned_demo_date_is_the_same_date_everywhere():
    clock = FixedClock(date(2026, 11, 28))

    assert clock.today(zone_for("NZ")) == clock.today(zone_for("AU", "Perth WA 6000")) == date(2026, 11, 28)
