"""Rate limits: how often one subject (a conversation, a client address) may do something.

Fixed windows counted in the database (table `rate_limits`), so every process
and every instance shares them and a restart forgets nothing. Subjects are
stored only as a keyed hash. Each limit comes from an environment variable;
0 switches it off.

| limit | subject | variable | default |
| --- | --- | --- | --- |
| messages | a conversation | RATE_LIMIT_MESSAGES_PER_MINUTE | 30 a minute |
| sessions | a client address (new web chat sessions) | RATE_LIMIT_SESSIONS_PER_HOUR | 120 an hour |

Failed Activation Code look-ups are limited per conversation in the
conversation itself (RATE_LIMIT_FAILED_LOOKUPS, actions/licences.py); the
sessions limit bounds how many conversations one address can open to go on.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping

from sqlalchemy.engine import Engine

from renewals.clock import Clock
from renewals.storage.unit_of_work import UnitOfWork

_PRUNE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    name: str
    allowed: int  # uses per window; 0: no limit
    window: timedelta


class InvalidLimit(ValueError):
    """A RATE_LIMIT_* variable is not a whole number of 0 or more."""


def _limit(environ: Mapping[str, str], variable: str, name: str, default: int, window: timedelta) -> Limit:
    raw = environ.get(variable, "").strip()
    try:
        allowed = int(raw) if raw else default
    except ValueError:
        raise InvalidLimit(f"{variable} must be a whole number (0 switches the limit off)") from None
    if allowed < 0:
        raise InvalidLimit(f"{variable} must be a whole number (0 switches the limit off)")
    return Limit(name, allowed, window)


def messages_limit(environ: Mapping[str, str] = os.environ) -> Limit:
    return _limit(environ, "RATE_LIMIT_MESSAGES_PER_MINUTE", "messages", 30, timedelta(minutes=1))


def sessions_limit(environ: Mapping[str, str] = os.environ) -> Limit:
    return _limit(environ, "RATE_LIMIT_SESSIONS_PER_HOUR", "sessions", 120, timedelta(hours=1))


class RateLimiter:
    def __init__(self, engine: Engine, clock: Clock, key: bytes):
        """`key` keys the subjects' hashes, so the table reveals no address or conversation id
        (the channels and the web service use the web chat's CHAT_SESSION_SECRET)."""
        self._engine = engine
        self._clock = clock
        self._key = key

    def allow(self, limit: Limit, subject: str) -> bool:
        """Count one use by `subject`; False (and nothing counted) once its window's allowance is used up."""
        if limit.allowed == 0:
            return True
        now = self._clock.now()
        seconds = int(limit.window.total_seconds())
        window_start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, timezone.utc)
        subject_key = hashlib.blake2b(
            f"{limit.name}:{subject}".encode("utf-8"), key=self._key[:64], digest_size=32
        ).hexdigest()
        with UnitOfWork(self._engine, immediate=True) as uow:
            uow.rate_limits.prune(now - _PRUNE_AFTER)  # by index; usually nothing
            return uow.rate_limits.take(subject_key, window_start, limit.allowed)
