"""A subject gets its allowance per window, counted in the database, and no more: even in parallel."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from renewals.rate_limits import InvalidLimit, Limit, RateLimiter, messages_limit, sessions_limit
from tests.support.clocks import ManualClock

KEY = b"k" * 32
THREE_A_MINUTE = Limit("messages", 3, timedelta(minutes=1))


def test_the_fourth_message_in_a_minute_is_refused_and_the_next_minute_starts_afresh(demo_engine):
    clock = ManualClock()
    limiter = RateLimiter(demo_engine, clock, KEY)

    assert [limiter.allow(THREE_A_MINUTE, "conv-1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow(THREE_A_MINUTE, "conv-2") is True  # another conversation has its own
    clock.advance(minutes=1)
    assert limiter.allow(THREE_A_MINUTE, "conv-1") is True


def test_subjects_are_stored_only_as_keyed_hashes(demo_engine):
    from sqlalchemy import select

    from renewals.storage.db import rate_limits

    RateLimiter(demo_engine, ManualClock(), KEY).allow(THREE_A_MINUTE, "203.0.113.7")
    with demo_engine.connect() as connection:
        [stored] = connection.execute(select(rate_limits.c.subject_key)).scalars().all()
    assert "203.0.113" not in stored and len(stored) == 64


def test_parallel_requests_cannot_take_more_than_the_allowance(demo_engine):
    limiter = RateLimiter(demo_engine, ManualClock(), KEY)
    results, start = [], threading.Barrier(8)

    def attempt():
        start.wait()
        results.append(limiter.allow(THREE_A_MINUTE, "conv-race"))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 5 + [True] * 3


def test_limits_come_from_the_environment_and_zero_switches_one_off(demo_engine):
    assert messages_limit({}) == Limit("messages", 30, timedelta(minutes=1))
    assert sessions_limit({"RATE_LIMIT_SESSIONS_PER_HOUR": "5"}).allowed == 5
    off = messages_limit({"RATE_LIMIT_MESSAGES_PER_MINUTE": "0"})
    limiter = RateLimiter(demo_engine, ManualClock(), KEY)
    assert all(limiter.allow(off, "conv") for _ in range(100))
    with pytest.raises(InvalidLimit):
        messages_limit({"RATE_LIMIT_MESSAGES_PER_MINUTE": "lots"})
