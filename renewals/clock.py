"""Where "today" and "now" come from.

Licences expire on calendar dates in Australia and New Zealand, so "today" is
a date in a time zone, never the server's UTC date: `today(zone)` is the date
in `zone` (a licence's own, see renewals.time_zones), Sydney's by default.

`now()` is the instant, always timezone-aware in UTC: it stamps cases, their
history and outbox deliveries, and says whether support is open.

RENEWALS_TODAY pins the date the licence rules use, and nothing else: waits and
timestamps keep the real time. Tests that need the instant too (support hours)
stop the clock with RENEWALS_NOW, or build a FixedClock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable, Mapping, Optional, Protocol, TypeVar
from zoneinfo import ZoneInfo

SYDNEY = ZoneInfo("Australia/Sydney")
TODAY_OVERRIDE_VARIABLE = "RENEWALS_TODAY"
NOW_OVERRIDE_VARIABLE = "RENEWALS_NOW"
T = TypeVar("T")


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
class PinnedDateClock:
    """Today is `fixed_date` in every zone; now() is the real instant (RENEWALS_TODAY)."""

    fixed_date: date

    def today(self, zone: ZoneInfo = SYDNEY) -> date:
        return self.fixed_date

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


class InvalidClockOverride(ValueError):
    """RENEWALS_TODAY or RENEWALS_NOW is set but cannot be read, or they disagree."""


def clock_from_env(environ: Mapping[str, str] = os.environ) -> Clock:
    """The system clock, with the date pinned by RENEWALS_TODAY, or stopped by RENEWALS_NOW."""
    today = _read(
        environ,
        TODAY_OVERRIDE_VARIABLE,
        date.fromisoformat,
        "a date written YYYY-MM-DD (for example 2026-11-28)",
    )
    now = _read(
        environ,
        NOW_OVERRIDE_VARIABLE,
        datetime.fromisoformat,
        "an instant with its offset (for example 2026-11-28T12:00+11:00)",
    )
    if now is not None:
        if now.utcoffset() is None:
            raise InvalidClockOverride(
                f"{NOW_OVERRIDE_VARIABLE} needs an offset, as in 2026-11-28T12:00+11:00"
            )
        if today is not None and now.astimezone(SYDNEY).date() != today:
            raise InvalidClockOverride(
                f"{NOW_OVERRIDE_VARIABLE} must fall on {TODAY_OVERRIDE_VARIABLE} in Sydney"
            )
        return FixedClock.at(now)
    return SystemClock() if today is None else PinnedDateClock(today)


def _read(environ: Mapping[str, str], name: str, parse: Callable[[str], T], form: str) -> Optional[T]:
    value = environ.get(name, "").strip()
    if not value:
        return None
    try:
        return parse(value)
    except ValueError:
        raise InvalidClockOverride(f"{name} must be {form}, not {value!r}") from None
