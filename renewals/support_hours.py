"""When a person from the support team can join a chat.

The team works business hours, Monday to Friday 08:30–17:30, in Sydney (AU
customers) and Auckland (NZ customers). Public holidays are not modelled: on
one, a customer is told a person will join and waits until the next working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

OPENS = time(8, 30)
CLOSES = time(17, 30)
WORKDAYS = frozenset(range(5))  # Monday .. Friday
ZONES = {"AU": ZoneInfo("Australia/Sydney"), "NZ": ZoneInfo("Pacific/Auckland")}
ZONE_NAMES = {"AU": "Sydney time", "NZ": "Auckland time"}


@dataclass(frozen=True)
class Availability:
    region: str  # "AU" or "NZ"
    open_now: bool
    next_open: datetime  # local time in the region's zone; now (local) when open

    def __iter__(self):
        # Lets callers write `open_now, next_open = availability(...)`.
        return iter((self.open_now, self.next_open))


def _is_open(local: datetime) -> bool:
    return local.weekday() in WORKDAYS and OPENS <= local.time() < CLOSES


def availability(now_utc: datetime, region: str) -> Availability:
    """Whether the team for `region` ("AU" / "NZ") is in now, and when it next opens (local time)."""
    if now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")
    region = (region or "AU").upper()
    zone = ZONES.get(region)
    if zone is None:
        raise ValueError(f"unknown region {region!r}")
    local = now_utc.astimezone(zone)
    if _is_open(local):
        return Availability(region, True, local)
    day = local.date()
    if local.weekday() in WORKDAYS and local.time() < OPENS:
        candidate_day = day
    else:
        candidate_day = day + timedelta(days=1)
    while candidate_day.weekday() not in WORKDAYS:
        candidate_day += timedelta(days=1)
    return Availability(region, False, datetime.combine(candidate_day, OPENS, zone))


def earliest(now_utc: datetime, region: Optional[str] = None) -> Availability:
    """The region's availability; with no region, whichever team is in now or opens first."""
    if region:
        return availability(now_utc, region)
    options = [availability(now_utc, r) for r in ZONES]
    open_now = [a for a in options if a.open_now]
    if open_now:
        return open_now[0]
    return min(options, key=lambda a: a.next_open.astimezone(timezone.utc))


def describe_next_open(a: Availability) -> str:
    """ "Monday 30 November at 8:30 am Sydney time"."""
    when = a.next_open
    hour = when.strftime("%I").lstrip("0")
    return (
        f"{when.strftime('%A')} {when.day} {when.strftime('%B')} at {hour}:{when.strftime('%M')} "
        f"{when.strftime('%p').lower()} {ZONE_NAMES[a.region]}"
    )
