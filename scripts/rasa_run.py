"""`python -m scripts.rasa_run [rasa run options]`: `rasa run --enable-api`, configured for production use.

- The HTTP API token comes from RASA_AUTH_TOKEN, so it never appears on a command line (`ps`
  shows every process's arguments). Refuses to start without one: the API reads and writes
  every conversation.
- Every log line and warning is redacted (renewals.log_safety).
- Request bodies over 1 MB are refused before they are read.
- No silent memory fallback for conversations: Rasa wraps the tracker store in a
  FailSafeTrackerStore that, when the tracker database fails, starts each conversation afresh
  and keeps it in memory, silently and for good. Here a failure reaches the channels instead
  (REST answers 503 and its health check goes red; the web chat apologises), and once the
  database is back the next message finds the conversation where it was.
"""

from __future__ import annotations

import os
import sys

MIN_TOKEN_LENGTH = 16
MAX_REQUEST_BYTES = 1024 * 1024


def _without_memory_fallback() -> None:
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import InMemoryTrackerStore

    def tracker_store(store, domain):
        store = store if store is not None else InMemoryTrackerStore(domain)
        store.domain = domain
        return store

    Agent._create_tracker_store = staticmethod(tracker_store)


def main() -> None:
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    if len(token) < MIN_TOKEN_LENGTH:
        sys.exit("rasa_run: RASA_AUTH_TOKEN must be set (16 characters or more): it guards Rasa's HTTP API")
    if any(arg.startswith("--auth-token") for arg in sys.argv[1:]):
        sys.exit("rasa_run: pass the token in RASA_AUTH_TOKEN, not on the command line")
    # Sanic refuses bodies over 1 MB before reading them (the REST channel's own limit is 64 KB).
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    # Rasa reads its options from sys.argv; this process's own command line (in /proc) stays token-free.
    sys.argv = ["rasa", "run", *sys.argv[1:], "--enable-api", "--auth-token", token]
    from rasa.__main__ import main as rasa_main

    from renewals import log_safety

    log_safety.install()  # Rasa logs some messages verbatim (those starting with "/", for one)
    _without_memory_fallback()

    rasa_main()


if __name__ == "__main__":
    main()
