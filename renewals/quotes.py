"""Renewal quotes. The rules are written out in docs/pricing-rules.md.

Maintenance must be continuous: a renewal after expiry also pays for the
lapsed days, and the new term runs on from the old expiry (or from the
renewal date when it has lapsed) for whole calendar years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from renewals.formatting import format_date
from renewals.licences import Licence
from renewals.money import to_cents
from renewals.pricelist import PriceList, UserBand

TERM_YEARS = (1, 2, 3)
# Guards against typos in the year rather than a business rule about how early one may renew.
MAX_YEARS_AHEAD = 1
ONE_DAY = timedelta(days=1)


class QuoteError(ValueError):
    """Why a quote cannot be given; str() is written for the customer."""


class InvalidTerm(QuoteError):
    pass


class InvalidUserCount(QuoteError):
    pass


class RenewalBeforeLicenceStart(QuoteError):
    pass


class RenewalDateInPast(QuoteError):
    pass


class RenewalDateTooFarAhead(QuoteError):
    pass


class ProductNotPriced(QuoteError):
    pass


class RegionNotPriced(QuoteError):
    pass


class PriceListUnavailable(QuoteError):
    pass


@dataclass(frozen=True)
class Quote:
    activation_code: str
    product_code: str
    region: str
    currency: str
    renewal_date: date
    previous_expiry_date: date

    previous_users: int
    requested_users: int
    users: int  # users quoted: the requested count, but never more than before
    years: int

    # Lapsed period: the days between the old expiry and the renewal date, paid at the old user count.
    lapsed_days: int
    lapse_start: Optional[date]  # None when nothing lapsed
    lapse_end: Optional[date]
    lapse_rate_per_user_year: Decimal
    lapse_charge: Decimal

    term_start: date
    term_end: date  # the new expiry date
    rate_per_user_year: Decimal
    band: UserBand  # the price list's band the quoted users fall in, which sets the rate
    renewal_charge: Decimal

    subtotal: Decimal
    gst_rate: Decimal
    gst: Decimal
    total: Decimal

    # The customer asked for fewer users: the reseller needs that in writing, and
    # going back up later is an additional user purchase, not a renewal.
    downsized: bool
    # Users asked for beyond the current count: not part of a renewal (quoted at the
    # current count); the customer buys them separately.
    additional_users_requested: int


def quote_renewal(
    licence: Licence,
    price_list: PriceList,
    *,
    today: date,
    renewal_date: Optional[date] = None,
    years: int = 1,
    users: Optional[int] = None,
) -> Quote:
    """Price renewing `licence` on `renewal_date` for `years` years.

    The default renewal date is the later of today and the start of the licence's current term:
    a term that has not started yet can't be renewed before it does (docs/pricing-rules.md).
    """
    renewal_date = max(today, licence.start_date) if renewal_date is None else renewal_date
    requested_users = licence.users if users is None else users
    _check_request(licence, price_list, today, renewal_date, years, requested_users)

    quoted_users = min(requested_users, licence.users)
    lapsed_days = max(0, (renewal_date - licence.expiry_date).days - 1)
    # Renewing early or on the day after expiry continues from the old expiry;
    # after a lapse the new term starts on the renewal date.
    term_base = max(licence.expiry_date, renewal_date - ONE_DAY)

    terms = price_list.terms(licence.region)
    rate = price_list.rate(licence.product_code, licence.region, quoted_users)
    lapse_rate = price_list.rate(licence.product_code, licence.region, licence.users)
    renewal_charge = to_cents(quoted_users * rate * years)
    lapse_charge = to_cents(licence.users * lapse_rate * lapsed_days / price_list.days_per_year)
    subtotal = renewal_charge + lapse_charge
    gst = to_cents(subtotal * terms.gst_rate)

    return Quote(
        activation_code=licence.activation_code,
        product_code=licence.product_code,
        region=licence.region,
        currency=terms.currency,
        renewal_date=renewal_date,
        previous_expiry_date=licence.expiry_date,
        previous_users=licence.users,
        requested_users=requested_users,
        users=quoted_users,
        years=years,
        lapsed_days=lapsed_days,
        lapse_start=licence.expiry_date + ONE_DAY if lapsed_days else None,
        lapse_end=renewal_date - ONE_DAY if lapsed_days else None,
        lapse_rate_per_user_year=lapse_rate,
        lapse_charge=lapse_charge,
        term_start=term_base + ONE_DAY,
        term_end=add_years(term_base, years),
        rate_per_user_year=rate,
        band=price_list.band(quoted_users),
        renewal_charge=renewal_charge,
        subtotal=subtotal,
        gst_rate=terms.gst_rate,
        gst=gst,
        total=subtotal + gst,
        downsized=requested_users < licence.users,
        additional_users_requested=max(0, requested_users - licence.users),
    )


def add_years(day: date, years: int) -> date:
    """Same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _check_request(
    licence: Licence, price_list: PriceList, today: date, renewal_date: date, years: int, users: int
) -> None:
    if not _is_int(years) or years not in TERM_YEARS:
        raise InvalidTerm("Renewals can be quoted for 1, 2 or 3 years.")
    if not _is_int(users) or users < 1:
        raise InvalidUserCount("The number of users must be a whole number of at least 1.")
    if licence.product_code not in price_list.products:
        raise ProductNotPriced(
            "This product isn't on our current price list, so we can't quote it here. "
            "Your reseller can prepare the quote."
        )
    if licence.region not in price_list.regions:
        raise RegionNotPriced(
            "We can only quote renewals for Australia and New Zealand here. Your reseller can prepare the "
            "quote."
        )
    if renewal_date < licence.start_date:
        raise RenewalBeforeLicenceStart(
            f"This licence starts on {format_date(licence.start_date)}, "
            "so the renewal date can't be before then."
        )
    if renewal_date < today:
        raise RenewalDateInPast("The renewal date can't be in the past.")
    latest = add_years(today, MAX_YEARS_AHEAD)
    if renewal_date > latest:
        raise RenewalDateTooFarAhead(
            f"We can quote renewal dates up to {format_date(latest)}. Please choose an earlier date."
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# "it expired 29/10/2026", "ran out on 5 May": a date that says when maintenance ended, not when to renew.
_EXPIRY_STATEMENT = re.compile(r"\b(expir\w*|lapsed|runs? out|ran out|finished|ended)\b", re.IGNORECASE)
_RENEWING_ON = re.compile(r"\b(renew\w*|do it|go ahead|pay|start\w*)\b[^.?!]*\b(on|from|by)\b", re.IGNORECASE)


def asks_to_renew_on(text: str) -> bool:
    """ "PO approval takes a few days, what if we renew on 1 December": a date to renew on, said outright."""
    return bool(_RENEWING_ON.search(text or ""))


def states_renewal_date(text: str) -> bool:
    """Whether a date in a quote request is the date to renew on ("what if we renew on 5 December",
    "make it 1 July") rather than the expiry the customer is telling us about."""
    return asks_to_renew_on(text) or not _EXPIRY_STATEMENT.search(text or "")
