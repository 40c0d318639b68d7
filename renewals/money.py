"""Money arithmetic: Decimal only, rounded to the cent half-up as on an invoice."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded to whole cents, halves away from zero (2.345 -> 2.35)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
