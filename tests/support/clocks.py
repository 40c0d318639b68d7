"""A clock the test moves by hand."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from renewals.clock import SYDNEY

DEMO_TODAY = date(2026, 11, 28)


class ManualClock:
    """Today is the demo date; now() starts at noon in Sydney and moves only when told. Thread-safe."""

    def __init__(self, start: Optional[datetime] = None):
        self._now = start or datetime.combine(DEMO_TODAY, time(12), SYDNEY).astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self, zone: ZoneInfo = SYDNEY) -> date:
        return self.now().astimezone(zone).date()

    def advance(self, **delta) -> None:
        with self._lock:
            self._now += timedelta(**delta)
