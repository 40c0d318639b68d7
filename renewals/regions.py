"""Sales regions: every licence, reseller and price belongs to one of these."""

from __future__ import annotations

import re
from typing import Optional

# Australia and New Zealand have their own currency and GST rate (see the price list).
REGIONS = ("AU", "NZ")

_NAMED = (
    ("NZ", re.compile(r"\b(nz|nzd|new zealand|kiwi\w*|aotearoa)\b", re.IGNORECASE)),
    ("AU", re.compile(r"\b(au|aud|aus|australia\w*|aussie\w*|oz)\b", re.IGNORECASE)),
)


def region_named(text: str) -> Optional[str]:
    """The region a message names ("the nz prices": "NZ"), or None."""
    for region, pattern in _NAMED:
        if pattern.search(text or ""):
            return region
    return None


# An address names its country, an Australian state or territory, or a New Zealand city or region.
_ADDRESS_MARKS = (
    (
        "NZ",
        re.compile(
            r"\b(new zealand|nz|auckland|wellington|christchurch|hamilton|tauranga|dunedin|palmerston north|"
            r"napier|nelson|rotorua|new plymouth|whangarei|whangārei|invercargill|taupo|taupō|queenstown|"
            r"lower hutt|upper hutt|porirua|gisborne|timaru|whanganui|blenheim|masterton)\b",
            re.IGNORECASE,
        ),
    ),
    ("AU", re.compile(r"\b(australia|nsw|vic|qld|sa|wa|tas|act|nt)\b", re.IGNORECASE)),
)


def region_of_address(address: Optional[str]) -> Optional[str]:
    """The region an address is in, when it says so ("Level 2, 10 Queen St, Auckland 1010": "NZ"), else
    None. An Australian state wins over a city name both countries use."""
    marks = [region for region, pattern in _ADDRESS_MARKS if pattern.search(address or "")]
    if len(marks) == 2:
        return (
            "AU" if re.search(r"\b(australia|nsw|vic|qld|tas|act)\b", address or "", re.IGNORECASE) else "NZ"
        )
    return marks[0] if marks else None
