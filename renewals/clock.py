"""Where "today" and "now" come from.

Licences expire on calendar dates in Australia and New Zealand, so the system
clock reads the date in Sydney rather than the server's UTC date. Demos and
tests pin the date with RENEWALS_TODAY or a FixedClock.

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
    def today(self) -> date:
        ...

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Today's date in Sydney; the current instant in UTC."""

    def today(self) -> date:
        return datetime.now(SYDNEY).date()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass(frozen=True)
class FixedClock:
    """Always the same date (and instant): for tests and demos.

    Without `fixed_now`, now() is midday in Sydney on `fixed_date`, so its UTC
    instant falls on the same calendar date.
    """

    fixed_date: date
    fixed_now: Optional[datetime] = None

    def __post_init__(self) -> None:
        if self.fixed_now is not None and self.fixed_now.utcoffset() is None:
            raise ValueError("fixed_now must be timezone-aware")

    def today(self) -> date:
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
