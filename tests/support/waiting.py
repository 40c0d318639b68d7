"""Waiting for something another process does, without a fixed sleep."""

from __future__ import annotations

import time
from typing import Callable


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Whether `check()` became true within `timeout` seconds (checked every 50 ms)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
