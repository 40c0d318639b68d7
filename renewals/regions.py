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
