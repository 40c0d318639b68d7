"""How dates and amounts are written to customers."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from renewals.money import to_cents

# Spelled out rather than strftime("%B"), which follows the server's locale.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def format_date(day: date) -> str:
    """`27 November 2027`: day without a leading zero, month in full."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def format_money(amount: Decimal, currency: str) -> str:
    """`AUD 2,294.05`: currency code, thousands separators, always two decimals."""
    return f"{currency} {to_cents(amount):,.2f}"
