"""Test data and helpers for the case, outbox and webhook tests (imported by name, like renewals_testdata)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from renewals.checklist import RenewalChecklist
from renewals.delivery.webhook import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from tests.support.http_servers import ServedInBackground

WEBHOOK_SECRET = "test-secret-please-rotate"

# A complete checklist as the chat form hands it over: normalised values.
ACME_CHECKLIST = RenewalChecklist(
    company_name="Acme Widgets Pty Ltd",
    address="12 Harbour Street, Parramatta NSW 2150",
    phone="+61412345678",
    contact_name="Jordan Quill",
    contact_email="jordan.quill@acmewidgets.com.au",
    product_code="WFBS-STD",
    platform="Windows",
    user_count=50,
    licence_expiry=date(2026, 10, 29),
)

# Everything in ACME_CHECKLIST that identifies a person, in the forms it may take.
ACME_PERSONAL_DATA = (
    "jordan.quill@acmewidgets.com.au",
    "jordan.quill",
    "+61412345678",
    "0412 345 678",
    "412345678",
    "Jordan Quill",
    "12 Harbour Street",
)


@dataclass
class ReceivedRequest:
    delivery_id: str
    timestamp: str
    signature: str
    content_type: str
    body: bytes
    answered: str  # "ok", "500", "drop", "404", ...

    @property
    def document(self) -> dict:
        return json.loads(self.body)

    def signature_is_valid(self, secret: str = WEBHOOK_SECRET) -> bool:
        return verify_signature(secret, self.timestamp, self.body, self.signature)


@dataclass
class WebhookReceiver(ServedInBackground):
    """A real HTTP server on 127.0.0.1 that answers from a script, then with 200.

    `script` lists how to answer the first requests: "500" (or any status),
    "drop" (close the connection without a response) or "ok". `delay` slows
    every answer, to widen race windows.
    """

    script: list = field(default_factory=list)
    delay: float = 0.0
    requests: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    answer = receiver.script.pop(0) if receiver.script else "ok"
                    receiver.requests.append(
                        ReceivedRequest(
                            delivery_id=self.headers.get(DELIVERY_HEADER, ""),
                            timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                            signature=self.headers.get(SIGNATURE_HEADER, ""),
                            content_type=self.headers.get("Content-Type", ""),
                            body=body,
                            answered=answer,
                        )
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                if answer == "drop":
                    self.close_connection = True
                    return  # no status line: the client sees the connection dropped
                status = 200 if answer == "ok" else int(answer)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format, *args):  # keep the test output quiet
                pass

        class QuietServer(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that timed out and left is expected here

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/cases"

    def accepted(self) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self.requests if r.answered == "ok"]

    def all_requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self.requests)
