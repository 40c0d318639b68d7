"""Dates and amounts as customers read them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from renewals.formatting import format_date, format_money


@pytest.mark.parametrize(
    "day, written",
    [
        (date(2027, 11, 27), "27 November 2027"),
        (date(2026, 1, 3), "3 January 2026"),
        (date(2028, 2, 29), "29 February 2028"),
    ],
)
def test_dates_have_no_leading_zero_and_the_month_in_full(day, written):
    assert format_date(day) == written


@pytest.mark.parametrize(
    "amount, currency, written",
    [
        (Decimal("2294.05"), "AUD", "AUD 2,294.05"),
        (Decimal("1932.16"), "NZD", "NZD 1,932.16"),
        (Decimal("0"), "AUD", "AUD 0.00"),
        (Decimal("5"), "AUD", "AUD 5.00"),
        (Decimal("1234567.8"), "AUD", "AUD 1,234,567.80"),
        (Decimal("2.345"), "AUD", "AUD 2.35"),
    ],
)
def test_money_has_the_currency_code_thousands_separators_and_cents(amount, currency, written):
    assert format_money(amount, currency) == written
