"""The one `Renewals` service per action-server process, called off the event loop."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Callable, TypeVar

from renewals.service import Renewals

T = TypeVar("T")


@lru_cache(maxsize=1)
def renewals() -> Renewals:
    return Renewals.from_env()


async def call(work: Callable[[Renewals], T]) -> T:
    """Runs `work(renewals)` in a worker thread: database calls must not block the loop."""
    service = renewals()
    return await asyncio.to_thread(work, service)
