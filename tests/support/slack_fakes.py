"""Test doubles for Slack (imported by name, like renewals_testdata).

- FakeSlackApi: a Slack Web API on 127.0.0.1 that records every call and
  answers like Slack; a script makes chat.postMessage fail first.
- Signed Events API requests, built the way Slack builds them.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Optional

from tests.support.http_servers import ServedInBackground

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-0000-not-a-real-token"
BOT_USER = "UBOT0001"

# From demo/resellers.csv: Southern Cross IT (R-AU-001) and Harbour Systems (R-AU-002).
SOUTHERN_CROSS = {"user": "U01SCIT01", "team": "T01SCIT"}
HARBOUR = {"user": "U02HARB01", "team": "T02HARB"}
# A Slack user linked to no reseller.
OUTSIDER = {"user": "U09CUST01", "team": "T09OTHER"}


@dataclass
class Call:
    method: str
    authorization: str
    params: dict


@dataclass
class FakeSlackApi(ServedInBackground):
    """Answers chat.postMessage and conversations.history like Slack.

    `script` says how to answer the first chat.postMessage calls: "ok",
    "500" (or another HTTP status), "429" (with Retry-After: 30),
    "error:<code>" (HTTP 200 with {"ok": false}) or "lost" (the message is
    posted, but the answer is an HTTP 500, as when the response is lost).
    `history` answers conversations.history: "ok" or "error:<code>".
    """

    script: list = field(default_factory=list)
    history: str = "ok"
    calls: list = field(default_factory=list)
    posted: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if (self.headers.get("Content-Type") or "").startswith("application/json"):
                    params = json.loads(raw or b"{}")
                else:
                    params = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                method = self.path.rsplit("/", 1)[-1]
                status, answer, headers = fake._answer(method, self.headers.get("Authorization", ""), params)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def _answer(self, method: str, authorization: str, params: dict):
        with self._lock:
            self.calls.append(Call(method, authorization, params))
            if authorization != f"Bearer {BOT_TOKEN}":
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            if method == "chat.postMessage":
                answer = self.script.pop(0) if self.script else "ok"
                if answer in ("ok", "lost"):
                    ts = f"{1795000000 + next(self._ts)}.000100"
                    self.posted.append({**params, "ts": ts})
                    self._lock.notify_all()
                    if answer == "lost":
                        return 500, {"ok": False}, {}
                    return 200, {"ok": True, "channel": params.get("channel"), "ts": ts}, {}
                if answer.startswith("error:"):
                    return 200, {"ok": False, "error": answer.split(":", 1)[1]}, {}
                if answer == "429":
                    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}
                return int(answer), {"ok": False}, {}
            if method == "conversations.history":
                if self.history.startswith("error:"):
                    return 200, {"ok": False, "error": self.history.split(":", 1)[1]}, {}
                oldest = float(params.get("oldest") or 0)
                messages = [
                    {"type": "message", "ts": m["ts"], "text": m.get("text"), "metadata": m.get("metadata")}
                    for m in reversed(self.posted)
                    if m.get("channel") == params.get("channel") and float(m["ts"]) >= oldest
                ]
                return 200, {"ok": True, "messages": messages, "has_more": False}, {}
            return 200, {"ok": False, "error": "unknown_method"}, {}

    def messages(self, channel: Optional[str] = None, thread_ts: Optional[str] = None) -> list:
        with self._lock:
            return [
                m
                for m in self.posted
                if (channel is None or m.get("channel") == channel)
                and (thread_ts is None or m.get("thread_ts") == thread_ts)
            ]

    def method_calls(self, method: str) -> list:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, check: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not check():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("Slack did not receive the expected messages in time")
                self._lock.wait(min(remaining, 0.2))


# --- the Events API side ---------------------------------------------------------------------

_event_ts = itertools.count(1)


def new_ts() -> str:
    return f"{int(time.time())}.{next(_event_ts):06d}"


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def message_event(
    text: str,
    who: dict,
    channel: str = "D0DIRECT1",
    ts: Optional[str] = None,
    thread_ts: Optional[str] = None,
    channel_type: str = "im",
    event_type: str = "message",
) -> dict:
    event = {
        "type": event_type,
        "channel_type": channel_type,
        "channel": channel,
        "user": who["user"],
        "team": who["team"],
        "text": text,
        "ts": ts or new_ts(),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "legacy-verification-token",
        "team_id": who["team"],
        "api_app_id": "A0RENEWALS",
        "type": "event_callback",
        "event_id": f"Ev{event['ts'].replace('.', '')}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": who["team"], "user_id": BOT_USER, "is_bot": True}],
        "event": event,
    }


def post_to_slack_webhook(
    rasa_url: str,
    body: bytes,
    content_type: str = "application/json",
    secret: str = SIGNING_SECRET,
    timestamp: Optional[str] = None,
    signature: Optional[str] = None,
    headers: Optional[dict] = None,
):
    """POST a body to the Slack webhook, signed like Slack signs it unless told otherwise; (status, text)."""
    timestamp = timestamp or str(int(time.time()))
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/slack/webhook",
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature
            if signature is not None
            else slack_signature(secret, timestamp, body),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
