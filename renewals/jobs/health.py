"""`GET /health` for the background processes (the outbox worker, the daily jobs), which serve no web page.

A background process is healthy when its latest round went through and was recent: a round that
failed (the database is down, say) or a loop that stopped turning makes the check red (503), and the
next round that goes through makes it green again. The answer says which, without personal data:

    {"status": "ok", "last_round": "2026-12-01T23:10:02+00:00"}
    {"status": "failing", "error": "OperationalError", "last_round": "…"}

The server listens on loopback only (a supervisor, a container probe or a load balancer's agent asks
there), in a daemon thread beside the process's own loop.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional, Tuple

from renewals.clock import Clock

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"


class RoundHealth:
    """The outcome of a loop's latest round, as its health check reports it."""

    def __init__(self, clock: Clock, stale_after: timedelta):
        self._clock = clock
        self._stale_after = stale_after
        self._lock = threading.Lock()
        self._last_success: Optional[datetime] = None
        self._failure: Optional[str] = None

    def succeeded(self) -> None:
        with self._lock:
            self._last_success, self._failure = self._clock.now(), None

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._failure = type(error).__name__  # never the message, which can quote data

    def report(self) -> Tuple[bool, dict]:
        """(healthy, the JSON document that says so)."""
        with self._lock:
            last = self._last_success.isoformat() if self._last_success else None
            if self._failure is not None:
                return False, {"status": "failing", "error": self._failure, "last_round": last}
            if self._last_success is None:
                return False, {"status": "starting", "last_round": None}
            if self._clock.now() - self._last_success > self._stale_after:
                return False, {"status": "stalled", "last_round": last}
            return True, {"status": "ok", "last_round": last}


def serve_health(health: RoundHealth, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Answers `GET /health` from `health` on host:port (port 0: any free port, see `server_port`) until
    the process ends or `shutdown()` is called."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            if self.path.split("?", 1)[0] != HEALTH_PATH:
                self._answer(404, {"error": "not found"})
                return
            healthy, document = health.report()
            self._answer(200 if healthy else 503, document)

        def _answer(self, status: int, document: dict) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # probes every few seconds would flood the log
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    log.info("Health check on http://%s:%d%s", host, server.server_port, HEALTH_PATH)
    return server
