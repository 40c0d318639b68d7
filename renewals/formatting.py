"""How dates and amounts are written to customers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from renewals.money import to_cents
from renewals.pricelist import UserBand

# Spelled out rather than strftime("%B"), which follows the server's locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day: date) -> str:
    """`27 November 2027`: day without a leading zero, month in full."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def format_days(count: int) -> str:
    """`1 day`, `29 days`."""
    return f"{count} day" if count == 1 else f"{count} days"


def format_band(band: UserBand) -> str:
    """A user band as the price list reads: "26\u201350 users", "251+ users"."""
    if band.max_users is None:
        return f"{band.min_users}+ users"
    return f"{band.min_users}\u2013{band.max_users} users"


def format_money(amount: Decimal, currency: str) -> str:
    """`AUD 2,294.05`: currency code, thousands separators, always two decimals."""
    return f"{currency} {to_cents(amount):,.2f}"


def format_short_date(day: date) -> str:
    """`2 Jan 2028`: for tables, where the full month name is too wide."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def monospace_table(headers, rows, right_aligned=(), max_widths=None) -> str:
    """Rows as aligned columns in a code block (```), for chat apps that show it in a fixed-width font.

    `right_aligned`: indexes of numeric columns. `max_widths`: {index: width}; longer cells end in "…".
    """
    max_widths = max_widths or {}

    def cell(index: int, value) -> str:
        text = " ".join(str(value).split())
        limit = max_widths.get(index)
        return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"

    table = [[cell(i, value) for i, value in enumerate(row)] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = [
        "  ".join(
            value.rjust(widths[i]) if i in right_aligned else value.ljust(widths[i])
            for i, value in enumerate(row)
        ).rstrip()
        for row in table
    ]
    return "```\n" + "\n".join(lines) + "\n```"
