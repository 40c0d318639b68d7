"""Where "today" and "now" come from.

Licences expire on calendar dates in Australia and New Zealand, so "today" is
a date in a time zone, never the server's UTC date: `today(zone)` is the date
in `zone` (a licence's own, see renewals.time_zones), Sydney's by default.
Demos and tests pin the date with RENEWALS_TODAY or a FixedClock.

`now()` is the instant, always timezone-aware in UTC: it stamps cases, their
history and outbox deliveries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Mapping, Optional, Protocol
from zoneinfo import ZoneInfo

SYDNEY = ZoneInfo("Australia/Sydney")
TODAY_OVERRIDE_VARIABLE = "RENEWALS_TODAY"


class Clock(Protocol):
    def today(self, zone: ZoneInfo = SYDNEY) -> date:
        """The calendar date in `zone` now."""
        ...

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The date in the zone asked for; the current instant in UTC."""

    def today(self, zone: ZoneInfo = SYDNEY) -> date:
        return datetime.now(zone).date()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass(frozen=True)
class FixedClock:
    """Always the same date (and instant): for tests and demos.

    Without `fixed_now`, today is `fixed_date` in every zone (a demo date is
    the same everywhere) and now() is midday in Sydney on it. With `fixed_now`,
    today is that instant's date in the zone asked for, and `fixed_date` must
    be its date in Sydney; `FixedClock.at(instant)` builds one.
    """

    fixed_date: date
    fixed_now: Optional[datetime] = None

    def __post_init__(self) -> None:
        if self.fixed_now is not None and self.fixed_now.utcoffset() is None:
            raise ValueError("fixed_now must be timezone-aware")
        if self.fixed_now is not None and self.fixed_now.astimezone(SYDNEY).date() != self.fixed_date:
            raise ValueError("fixed_date must be fixed_now's date in Sydney")

    @classmethod
    def at(cls, instant: datetime) -> FixedClock:
        """A clock stopped at `instant` (timezone-aware)."""
        if instant.utcoffset() is None:
            raise ValueError("fixed_now must be timezone-aware")
        return cls(instant.astimezone(SYDNEY).date(), instant)

    def today(self, zone: ZoneInfo = SYDNEY) -> date:
        if self.fixed_now is not None:
            return self.fixed_now.astimezone(zone).date()
        return self.fixed_date

    def now(self) -> datetime:
        if self.fixed_now is not None:
            return self.fixed_now.astimezone(timezone.utc)
        return datetime.combine(self.fixed_date, time(12), SYDNEY).astimezone(timezone.utc)


class InvalidTodayOverride(ValueError):
    """RENEWALS_TODAY is set but is not a YYYY-MM-DD date."""


def clock_from_env(environ: Mapping[str, str] = os.environ) -> Clock:
    """A FixedClock when RENEWALS_TODAY is set (and not blank), else the system clock."""
    override = environ.get(TODAY_OVERRIDE_VARIABLE, "").strip()
    if not override:
        return SystemClock()
    try:
        return FixedClock(date.fromisoformat(override))
    except ValueError:
        raise InvalidTodayOverride(
            f"{TODAY_OVERRIDE_VARIABLE} must be a date written YYYY-MM-DD "
            f"(for example 2026-11-28), not {override!r}"
        ) from None
