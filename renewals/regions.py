"""Sales regions: every licence, reseller and price belongs to one of these."""
from __future__ import annotations

# Australia and New Zealand have their own currency and GST rate (see the price list).
REGIONS = ("AU", "NZ")
