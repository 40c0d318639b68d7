"""Where "today" comes from.

Licences expire on calendar dates in Australia and New Zealand, so the system
clock reads the date in Sydney rather than the server's UTC date. Demos and
tests pin the date with RENEWALS_TODAY or a FixedClock.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping, Protocol
from zoneinfo import ZoneInfo

SYDNEY = ZoneInfo("Australia/Sydney")
TODAY_OVERRIDE_VARIABLE = "RENEWALS_TODAY"


class Clock(Protocol):
    def today(self) -> date:
        ...


class SystemClock:
    """Today's date in Sydney."""

    def today(self) -> date:
        return datetime.now(SYDNEY).date()


@dataclass(frozen=True)
class FixedClock:
    """Always the same date: for tests and demos."""

    fixed_date: date

    def today(self) -> date:
        return self.fixed_date


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
