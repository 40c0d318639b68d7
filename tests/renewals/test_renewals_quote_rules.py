"""Renewal quotes, one hand-computed case per rule (see docs/pricing-rules.md).

Rates come from demo/pricing.yml; every expected amount was worked out by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from renewals.quotes import (
    InvalidTerm,
    InvalidUserCount,
    ProductNotPriced,
    QuoteError,
    RegionNotPriced,
    RenewalBeforeLicenceStart,
    RenewalDateInPast,
    RenewalDateTooFarAhead,
    add_years,
    quote_renewal,
)
from tests.support.renewals_data import DEMO_TODAY, make_licence

D = Decimal


def test_licence_lapsed_29_days_ago_costs_aud_2294_05(demo_price_list):
    # Quokka Travel: WFBS-STD AU, 50 users at 38.64, expired 29 October 2026, renewed 28 November.
    quote = quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY)

    assert quote.lapsed_days == 29
    assert (quote.lapse_start, quote.lapse_end) == (date(2026, 10, 30), date(2026, 11, 27))
    assert quote.lapse_rate_per_user_year == D("38.64")
    assert quote.lapse_charge == D("153.50")  # 50 x 38.64 x 29 / 365 = 153.5013...
    assert (quote.term_start, quote.term_end) == (date(2026, 11, 28), date(2027, 11, 27))
    assert quote.rate_per_user_year == D("38.64")
    assert (quote.band.min_users, quote.band.max_users) == (26, 50)
    assert quote.renewal_charge == D("1932.00")
    assert quote.subtotal == D("2085.50")
    assert quote.gst_rate == D("0.10")
    assert quote.gst == D("208.55")
    assert quote.total == D("2294.05")
    assert quote.currency == "AUD"
    assert (quote.users, quote.previous_users, quote.requested_users, quote.years) == (50, 50, 50, 1)
    assert not quote.downsized
    assert quote.additional_users_requested == 0


def test_early_renewal_continues_from_the_old_expiry_with_no_lapse(demo_price_list):
    # Ironbark Construction: WFBS-STD AU, 18 users at 42.00, expires 28 December 2026.
    licence = make_licence(users=18, expiry_date=date(2026, 12, 28), start_date=date(2024, 12, 29))

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY)

    assert quote.lapsed_days == 0
    assert quote.lapse_start is None and quote.lapse_end is None
    assert quote.lapse_charge == D("0.00")
    assert (quote.term_start, quote.term_end) == (date(2026, 12, 29), date(2027, 12, 28))
    assert quote.renewal_charge == D("756.00")
    assert quote.gst == D("75.60")
    assert quote.total == D("831.60")


def test_renewal_on_the_expiry_date_costs_no_lapse(demo_price_list):
    # Nullarbor Mining Services: SMEX AU, 18 users at 24.00, expires today.
    licence = make_licence(
        product_code="SMEX", users=18, expiry_date=DEMO_TODAY, start_date=date(2024, 11, 29)
    )

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY)

    assert quote.lapsed_days == 0
    assert (quote.term_start, quote.term_end) == (date(2026, 11, 29), date(2027, 11, 28))
    assert quote.renewal_charge == D("432.00")
    assert quote.total == D("475.20")


def test_renewal_on_the_day_after_expiry_costs_no_lapse(demo_price_list):
    # Opal Financial Planning: IMSVA AU, 1,200 users at 11.78, expired yesterday.
    licence = make_licence(
        product_code="IMSVA", users=1200, expiry_date=date(2026, 11, 27), start_date=date(2025, 11, 28)
    )

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY)

    assert quote.lapsed_days == 0
    assert quote.lapse_charge == D("0.00")
    assert (quote.term_start, quote.term_end) == (date(2026, 11, 28), date(2027, 11, 27))
    assert quote.renewal_charge == D("14136.00")
    assert quote.gst == D("1413.60")
    assert quote.total == D("15549.60")


def test_renewal_two_days_after_expiry_pays_for_one_lapsed_day(demo_price_list):
    licence = make_licence(
        product_code="IMSVA", users=1200, expiry_date=date(2026, 11, 27), start_date=date(2025, 11, 28)
    )

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY, renewal_date=date(2026, 11, 29))

    assert quote.lapsed_days == 1
    assert (quote.lapse_start, quote.lapse_end) == (date(2026, 11, 28), date(2026, 11, 28))
    assert quote.lapse_charge == D("38.73")  # 1,200 x 11.78 / 365 = 38.7287...
    assert (quote.term_start, quote.term_end) == (date(2026, 11, 29), date(2027, 11, 28))
    assert quote.subtotal == D("14174.73")
    assert quote.gst == D("1417.47")
    assert quote.total == D("15592.20")


def test_licence_lapsed_for_two_years_pays_729_days_in_nzd(demo_price_list):
    # Fiordland Tours: PP-SP NZ, 26 users at 21.56, expired 28 November 2024.
    licence = make_licence(
        region="NZ",
        product_code="PP-SP",
        users=26,
        start_date=date(2022, 11, 30),
        expiry_date=date(2024, 11, 28),
    )

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY)

    assert quote.lapsed_days == 729
    assert (quote.lapse_start, quote.lapse_end) == (date(2024, 11, 29), date(2026, 11, 27))
    assert quote.lapse_charge == D("1119.58")  # 26 x 21.56 x 729 / 365 = 1119.5842...
    assert quote.renewal_charge == D("560.56")
    assert quote.subtotal == D("1680.14")
    assert quote.gst == D("252.02")  # 15 % of 1,680.14 = 252.021
    assert quote.total == D("1932.16")
    assert quote.currency == "NZD"
    assert (quote.term_start, quote.term_end) == (date(2026, 11, 28), date(2027, 11, 27))


def test_downsizing_prices_the_new_count_but_the_lapse_at_the_old_count(demo_price_list):
    quote = quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, users=20)

    assert quote.downsized
    assert (quote.users, quote.previous_users) == (20, 50)
    assert quote.rate_per_user_year == D("42.00")  # 20 users fall in the 1-25 band
    assert quote.renewal_charge == D("840.00")
    assert quote.lapse_rate_per_user_year == D("38.64")
    assert quote.lapse_charge == D("153.50")
    assert quote.total == D("1092.85")  # 993.50 + 99.35


def test_more_users_than_before_are_not_a_renewal_and_are_quoted_at_the_current_count(demo_price_list):
    quote = quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, users=60)

    assert quote.users == 50
    assert quote.requested_users == 60
    assert quote.additional_users_requested == 10
    assert not quote.downsized
    assert quote.total == D("2294.05")


@pytest.mark.parametrize(
    "users, rate, renewal_charge, total",
    [
        (26, "53.36", "1387.36", "1526.10"),  # 26-50 band; GST 138.736 -> 138.74
        (25, "58.00", "1450.00", "1595.00"),  # 1-25 band: fewer users can cost more
    ],
)
def test_user_band_boundary_between_25_and_26_users(demo_price_list, users, rate, renewal_charge, total):
    # Banksia Logistics: WFBS-ADV AU, 26 users, expires 4 October 2027.
    licence = make_licence(
        product_code="WFBS-ADV",
        platform="Mac",
        users=26,
        start_date=date(2026, 10, 5),
        expiry_date=date(2027, 10, 4),
    )

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY, users=users)

    assert quote.rate_per_user_year == D(rate)
    assert quote.renewal_charge == D(renewal_charge)
    assert quote.total == D(total)
    assert (quote.term_start, quote.term_end) == (date(2027, 10, 5), date(2028, 10, 4))


def test_expiry_on_29_february_renews_to_28_february(demo_price_list):
    licence = make_licence(start_date=date(2027, 3, 1), expiry_date=date(2028, 2, 29))

    quote = quote_renewal(licence, demo_price_list, today=date(2028, 1, 15))

    assert (quote.term_start, quote.term_end) == (date(2028, 3, 1), date(2029, 2, 28))


def test_lapsed_renewal_the_day_after_29_february_ends_on_28_february(demo_price_list):
    licence = make_licence(start_date=date(2027, 2, 11), expiry_date=date(2028, 2, 10))

    quote = quote_renewal(licence, demo_price_list, today=date(2028, 3, 1), years=3)

    assert quote.lapsed_days == 19  # 11 to 29 February 2028
    assert (quote.term_start, quote.term_end) == (date(2028, 3, 1), date(2031, 2, 28))


def test_nz_gst_is_15_percent_rounded_half_up(demo_price_list):
    # Rimu Timber Co: DSEC NZ, 50 users at 96.27, renewing early.
    licence = make_licence(
        region="NZ",
        product_code="DSEC",
        users=50,
        start_date=date(2025, 11, 24),
        expiry_date=date(2026, 11, 23),
    )

    quote = quote_renewal(licence, demo_price_list, today=date(2026, 11, 20))

    assert quote.renewal_charge == D("4813.50")
    assert quote.gst_rate == D("0.15")
    assert quote.gst == D("722.03")  # 722.025 rounds up, not to the even 722.02
    assert quote.total == D("5535.53")
    assert quote.currency == "NZD"


def test_three_year_renewal_charges_three_years(demo_price_list):
    # Kauri Legal Partners: WFBS-ADV NZ, 5 users at 63.22, expires 28 March 2027.
    licence = make_licence(
        region="NZ",
        product_code="WFBS-ADV",
        users=5,
        start_date=date(2026, 3, 29),
        expiry_date=date(2027, 3, 28),
    )

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY, years=3)

    assert quote.renewal_charge == D("948.30")
    assert quote.gst == D("142.25")  # 142.245 rounds up
    assert quote.total == D("1090.55")
    assert (quote.term_start, quote.term_end) == (date(2027, 3, 29), date(2030, 3, 28))


def test_two_year_renewal_after_a_lapse_pays_the_lapse_once(demo_price_list):
    quote = quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, years=2)

    assert quote.renewal_charge == D("3864.00")
    assert quote.lapse_charge == D("153.50")
    assert quote.total == D("4419.25")  # 4,017.50 + 401.75
    assert quote.term_end == date(2028, 11, 27)


@pytest.mark.parametrize("years", [0, 4, -1, True, 1.0, "1"])
def test_terms_other_than_1_2_or_3_years_are_refused(demo_price_list, years):
    with pytest.raises(InvalidTerm, match="1, 2 or 3 years"):
        quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, years=years)


@pytest.mark.parametrize("users", [0, -5, 2.5])
def test_user_counts_below_one_are_refused(demo_price_list, users):
    with pytest.raises(InvalidUserCount, match="at least 1"):
        quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, users=users)


def test_a_renewal_date_before_the_licence_starts_is_refused(demo_price_list):
    # Acacia Dental Group's current licence only starts on 3 January 2027.
    licence = make_licence(start_date=date(2027, 1, 3), expiry_date=date(2028, 1, 2))

    with pytest.raises(RenewalBeforeLicenceStart, match="starts on 3 January 2027"):
        quote_renewal(licence, demo_price_list, today=DEMO_TODAY, renewal_date=date(2026, 12, 1))


def test_a_licence_whose_term_starts_later_is_quoted_from_its_start_by_default(demo_price_list):
    # The default renewal date is the later of today and the start of the current term: the new
    # term still follows the current one, so nothing lapses and the price is one year's.
    licence = make_licence(start_date=date(2027, 1, 3), expiry_date=date(2028, 1, 2), users=50)

    quote = quote_renewal(licence, demo_price_list, today=DEMO_TODAY)

    assert quote.renewal_date == date(2027, 1, 3)
    assert quote.lapsed_days == 0
    assert (quote.term_start, quote.term_end) == (date(2028, 1, 3), date(2029, 1, 2))
    assert quote.total == Decimal("2125.20")  # 50 x 38.64 = 1,932.00 + GST 193.20


def test_backdated_renewal_is_refused(demo_price_list):
    with pytest.raises(RenewalDateInPast):
        quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, renewal_date=date(2026, 11, 1))


def test_renewal_dates_up_to_a_year_ahead_are_quoted_but_not_beyond(demo_price_list):
    assert quote_renewal(
        make_licence(), demo_price_list, today=DEMO_TODAY, renewal_date=date(2027, 11, 28)
    ).total

    with pytest.raises(RenewalDateTooFarAhead, match="28 November 2027"):
        quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, renewal_date=date(2027, 11, 29))


def test_product_missing_from_the_price_list_is_refused(demo_price_list):
    with pytest.raises(ProductNotPriced, match="reseller"):
        quote_renewal(make_licence(product_code="OFFICESCAN"), demo_price_list, today=DEMO_TODAY)


def test_region_missing_from_the_price_list_is_refused(demo_price_list):
    with pytest.raises(RegionNotPriced, match="Australia and New Zealand"):
        quote_renewal(make_licence(region="US"), demo_price_list, today=DEMO_TODAY)


def test_every_refusal_is_a_quote_error_with_a_customer_readable_message(demo_price_list):
    with pytest.raises(QuoteError) as refused:
        quote_renewal(make_licence(), demo_price_list, today=DEMO_TODAY, years=5)

    assert str(refused.value) == "Renewals can be quoted for 1, 2 or 3 years."


@pytest.mark.parametrize(
    "day, years, expected",
    [
        (date(2026, 11, 27), 1, date(2027, 11, 27)),
        (date(2028, 2, 29), 1, date(2029, 2, 28)),
        (date(2028, 2, 29), 3, date(2031, 2, 28)),
        (date(2027, 2, 28), 1, date(2028, 2, 28)),
    ],
)
def test_adding_calendar_years(day, years, expected):
    assert add_years(day, years) == expected
