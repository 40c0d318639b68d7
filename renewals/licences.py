"""Licences and where they stand relative to their expiry date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Optional

# A renewal notice goes out at least this many days before expiry (see the FAQ).
EXPIRING_SOON_DAYS = 30


@dataclass(frozen=True)
class Licence:
    activation_code: str  # canonical form, see renewals.codes
    company: str
    address: str
    region: str  # "AU" or "NZ"
    # Personal data: kept out of repr() so a logged Licence never shows it.
    contact_name: str = field(repr=False)
    contact_email: str = field(repr=False)
    phone: str = field(repr=False)
    product_code: str
    platform: str
    users: int
    start_date: date
    expiry_date: date  # last day covered by maintenance
    reseller_id: Optional[str]
    internet_facing: bool  # non-internet-facing customers get a new code on renewal
    renewal_notice_sent_on: Optional[date]


class LicenceStatusKind(Enum):
    ACTIVE = "active"  # more than EXPIRING_SOON_DAYS days left
    EXPIRING_SOON = "expiring_soon"  # 1 to EXPIRING_SOON_DAYS days left
    EXPIRES_TODAY = "expires_today"  # today is the last covered day
    LAPSED = "lapsed"  # expiry date has passed


@dataclass(frozen=True)
class LicenceStatus:
    kind: LicenceStatusKind
    expiry_date: date
    days_until_expiry: int  # 0 once the expiry date is today or past
    days_since_expiry: int  # 0 unless lapsed; 1 on the day after the expiry date


def licence_status(licence: Licence, today: date) -> LicenceStatus:
    days_left = (licence.expiry_date - today).days
    if days_left > EXPIRING_SOON_DAYS:
        kind = LicenceStatusKind.ACTIVE
    elif days_left > 0:
        kind = LicenceStatusKind.EXPIRING_SOON
    elif days_left == 0:
        kind = LicenceStatusKind.EXPIRES_TODAY
    else:
        kind = LicenceStatusKind.LAPSED
    return LicenceStatus(
        kind=kind,
        expiry_date=licence.expiry_date,
        days_until_expiry=max(0, days_left),
        days_since_expiry=max(0, -days_left),
    )
