"""The time zone a licence's calendar dates are read in.

A licence expires at the end of a calendar day where the customer is, so
"today" for a licence is the date in its own time zone: New Zealand is up to
two hours ahead of Sydney, Perth up to three hours behind it, and Queensland
keeps standard time all year. The zone comes from the state (or postcode) in
an Australian address; without one, from the region.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Optional
from zoneinfo import ZoneInfo

from renewals.clock import SYDNEY, Clock
from renewals.licences import Licence

AUCKLAND = ZoneInfo("Pacific/Auckland")

_STATE_ZONES = {
    "NSW": SYDNEY,
    "ACT": SYDNEY,
    "VIC": ZoneInfo("Australia/Melbourne"),
    "TAS": ZoneInfo("Australia/Hobart"),
    "QLD": ZoneInfo("Australia/Brisbane"),  # no daylight saving
    "SA": ZoneInfo("Australia/Adelaide"),
    "NT": ZoneInfo("Australia/Darwin"),  # no daylight saving
    "WA": ZoneInfo("Australia/Perth"),  # no daylight saving
}
# Broken Hill is in New South Wales but keeps South Australian time.
_POSTCODE_EXCEPTIONS = {"2880": ZoneInfo("Australia/Broken_Hill")}
# Australian postcodes by first digit (ACT's 26xx/29xx share Sydney's time).
_POSTCODE_STATES = {"0": "NT", "2": "NSW", "3": "VIC", "4": "QLD", "5": "SA", "6": "WA", "7": "TAS"}

# Upper case only: addresses write states that way, and "wa" or "sa" can be part of a street name.
_STATE = re.compile(r"\b(NSW|ACT|VIC|TAS|QLD|SA|NT|WA)\b")
_POSTCODE = re.compile(r"\b(\d{4})\s*$")


def zone_for(region: str, address: Optional[str] = None) -> ZoneInfo:
    """The zone of an address in a region ("AU" or "NZ"); Sydney for an Australian address without a state."""
    if region == "NZ":
        return AUCKLAND  # the Chatham Islands have no customers
    address = (address or "").strip()
    postcode = _POSTCODE.search(address)
    if postcode and postcode.group(1) in _POSTCODE_EXCEPTIONS:
        return _POSTCODE_EXCEPTIONS[postcode.group(1)]
    states = _STATE.findall(address)
    if states:
        return _STATE_ZONES[states[-1]]  # the state comes after the street
    if postcode and postcode.group(1)[0] in _POSTCODE_STATES:
        return _STATE_ZONES[_POSTCODE_STATES[postcode.group(1)[0]]]
    return SYDNEY


def licence_zone(licence: Optional[Licence]) -> ZoneInfo:
    """The licence's zone; Sydney's when there is no licence."""
    return zone_for(licence.region, licence.address) if licence is not None else SYDNEY


def licence_today(clock: Clock, licence: Optional[Licence]) -> date:
    """Today where the licence is; Sydney's date when there is no licence."""
    return clock.today(licence_zone(licence))
