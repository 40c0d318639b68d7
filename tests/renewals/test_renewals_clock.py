"""Where "today" and "now" come from: Sydney's date unless RENEWALS_TODAY pins it, and the real
instant unless a test stops the clock with RENEWALS_NOW."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from renewals.clock import FixedClock, InvalidClockOverride, SystemClock, clock_from_env


def test_renewals_today_pins_the_date_in_every_zone():
    clock = clock_from_env({"RENEWALS_TODAY": "2026-11-28"})

    assert clock.today() == date(2026, 11, 28) == clock.today(ZoneInfo("Pacific/Auckland"))


def test_renewals_today_leaves_the_time_real_so_waits_and_timestamps_move():
    before = datetime.now(timezone.utc)
    now = clock_from_env({"RENEWALS_TODAY": "2026-11-28"}).now()

    assert before <= now <= datetime.now(timezone.utc) and now.tzinfo is timezone.utc


def test_renewals_now_stops_the_clock_at_an_instant_for_tests():
    clock = clock_from_env({"RENEWALS_TODAY": "2026-11-28", "RENEWALS_NOW": "2026-11-28T12:00+11:00"})

    assert clock.now() == datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)
    assert clock.today() == date(2026, 11, 28)
    assert clock_from_env({"RENEWALS_NOW": "2026-11-27T23:30+11:00"}).today() == date(2026, 11, 27)


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"RENEWALS_NOW": "2026-11-28T12:00"}, "needs an offset"),
        ({"RENEWALS_NOW": "midday"}, "RENEWALS_NOW must be an instant with its offset"),
        (
            {"RENEWALS_TODAY": "2026-11-27", "RENEWALS_NOW": "2026-11-28T12:00+11:00"},
            "must fall on RENEWALS_TODAY",
        ),
    ],
)
def test_an_unreadable_or_contradicting_instant_is_a_clear_error(environ, message):
    with pytest.raises(InvalidClockOverride, match=message):
        clock_from_env(environ)


@pytest.mark.parametrize("environ", [{}, {"RENEWALS_TODAY": ""}, {"RENEWALS_TODAY": "  "}])
def test_without_an_override_the_system_clock_is_used(environ):
    assert type(clock_from_env(environ)) is SystemClock


@pytest.mark.parametrize("value", ["28/11/2026", "2026-13-01", "tomorrow", "2026-11-28T10:00"])
def test_an_unreadable_override_is_a_clear_error(value):
    with pytest.raises(InvalidClockOverride, match=r"RENEWALS_TODAY must be a date written YYYY-MM-DD"):
        clock_from_env({"RENEWALS_TODAY": value})


def test_system_clock_gives_the_date_in_sydney():
    sydney = ZoneInfo("Australia/Sydney")
    before = datetime.now(sydney).date()
    today = SystemClock().today()
    after = datetime.now(sydney).date()

    assert today in (before, after)


def test_fixed_clock_always_gives_its_date():
    assert FixedClock(date(2028, 2, 29)).today() == date(2028, 2, 29)


def test_now_is_an_aware_utc_instant():
    before = datetime.now(timezone.utc)
    now = SystemClock().now()

    assert now.tzinfo is timezone.utc and before <= now <= datetime.now(timezone.utc)


def test_a_fixed_clocks_now_is_midday_in_sydney_on_its_date():
    now = FixedClock(date(2026, 11, 28)).now()

    assert now == datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)  # 12:00 AEDT
    assert now.astimezone(ZoneInfo("Australia/Sydney")).date() == date(2026, 11, 28)


def test_a_fixed_clock_can_pin_the_instant_too():
    pinned = datetime(2026, 11, 28, 9, 30, tzinfo=ZoneInfo("Pacific/Auckland"))

    assert FixedClock(date(2026, 11, 28), fixed_now=pinned).now() == pinned
    assert FixedClock(date(2026, 11, 28), fixed_now=pinned).now().tzinfo is timezone.utc
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(date(2026, 11, 28), fixed_now=datetime(2026, 11, 28, 9, 30))


def test_a_clock_stopped_at_an_instant_gives_that_instants_date_in_each_zone():
    clock = FixedClock.at(datetime(2026, 11, 28, 11, 30, tzinfo=timezone.utc))

    assert clock.today() == date(2026, 11, 28)  # 22:30 in Sydney
    assert clock.today(ZoneInfo("Pacific/Auckland")) == date(2026, 11, 29)  # 00:30 in Auckland
    with pytest.raises(ValueError, match="date in Sydney"):
        FixedClock(date(2026, 11, 29), fixed_now=datetime(2026, 11, 28, 11, 30, tzinfo=timezone.utc))
