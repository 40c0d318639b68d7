"""`python -m scripts.rasa_run [rasa run options]`: `rasa run --enable-api` with the HTTP API token from
RASA_AUTH_TOKEN, so it never appears on a command line (`ps` shows every process's arguments).

Refuses to start without a token: Rasa's HTTP API reads and writes every conversation.
"""
from __future__ import annotations

import os
import sys

MIN_TOKEN_LENGTH = 16
MAX_REQUEST_BYTES = 1024 * 1024


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

    rasa_main()


if __name__ == "__main__":
    main()
