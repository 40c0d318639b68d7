"""Delivering conversation messages (renewals.conversation_messages) through Rasa's HTTP API.

Each message is appended to the conversation's tracker as a bot event (with a
`resume` event first and `action_listen` after when it gives the chat back to
the assistant), and Rasa sends it to the customer's latest channel: the web
chat or Slack. The bot event carries the message's delivery id, and the sender
looks for it in the tracker before appending, so a retry after a lost answer
never shows the customer the same message twice.

Set RASA_URL (default http://localhost:5005) and RASA_AUTH_TOKEN, the token of
Rasa's HTTP API. The token travels in the query string, as Rasa requires, so
no URL is ever logged or stored in an error.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Optional
from urllib.parse import quote, urlencode

from renewals.conversation_messages import CONVERSATION_TOPIC, decode
from renewals.delivery.http import describe_failure, is_http_url, no_redirect_opener
from renewals.delivery.worker import SendResult
from renewals.outbox import OutboxMessage

URL_VARIABLE = "RASA_URL"
TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
DEFAULT_URL = "http://localhost:5005"
TIMEOUT_SECONDS = 10.0


class RasaApiConfigError(ValueError):
    """RASA_URL is unusable."""


@dataclass(frozen=True)
class RasaApiConfig:
    url: str
    token: str = field(repr=False)
    timeout: float = TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if not is_http_url(self.url):
            raise RasaApiConfigError(f"{URL_VARIABLE} must be an http:// or https:// URL")


def rasa_api_config_from_env(environ: Mapping[str, str] = os.environ) -> Optional[RasaApiConfig]:
    """The API settings, or None without RASA_AUTH_TOKEN (then conversation messages wait in the outbox)."""
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        return None
    return RasaApiConfig(url=(environ.get(URL_VARIABLE, "").strip() or DEFAULT_URL).rstrip("/"), token=token)


class RasaConversationSender:
    """Sends `conversation.message` outbox messages into Rasa conversations (see renewals.delivery.Sender)."""

    topics: tuple[str, ...] = (CONVERSATION_TOPIC,)

    def __init__(self, config: RasaApiConfig, opener: Optional[urllib.request.OpenerDirector] = None):
        self.config = config
        self._opener = opener or no_redirect_opener()

    @property
    def timeout(self) -> float:
        return self.config.timeout

    def send(self, message: OutboxMessage, now: datetime) -> SendResult:
        try:
            document = decode(message.payload)
        except ValueError:
            return SendResult(delivered=False, error="unreadable payload", flagged=True)
        conversation = quote(document["conversation_id"], safe="")
        try:
            tracker = self._request("GET", f"/conversations/{conversation}/tracker", {})
            if _already_delivered(tracker, message.delivery_id):
                return SendResult(delivered=True, status=200)
            bot = {"event": "bot", "text": document["text"], "metadata": {"delivery_id": message.delivery_id}}
            if document.get("agent"):
                bot["metadata"].update(agent=document["agent"], body=document.get("body") or document["text"])
            if document.get("notice"):
                bot["metadata"]["notice"] = document["notice"]
            events: list[dict[str, Any]] = [bot]
            if document.get("resume"):
                events = [{"event": "resume"}, bot, {"event": "action", "name": "action_listen"}]
            self._request(
                "POST",
                f"/conversations/{conversation}/tracker/events",
                {"execute_side_effects": "true", "output_channel": "latest"},
                events,
            )
        except _Failed as failure:
            return failure.result
        return SendResult(delivered=True, status=200)

    def _request(self, method: str, path: str, params: Mapping[str, str], body: Any = None) -> Any:
        query = urlencode({"token": self.config.token, **params})
        request = urllib.request.Request(
            f"{self.config.url}{path}?{query}",
            data=json.dumps(body).encode("utf-8") if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json", "User-Agent": "renewals-conversations/1"},
        )
        try:
            with self._opener.open(request, timeout=self.config.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            error.close()
            # 4xx other than a timeout or throttling: the request itself is refused (a bad token).
            refused = 400 <= error.code < 500 and error.code not in (408, 429)
            raise _Failed(
                SendResult(delivered=False, status=error.code, error=f"HTTP {error.code}", flagged=refused)
            ) from None
        except urllib.error.URLError as error:
            reason = error.reason
            raise _Failed(
                SendResult(
                    delivered=False,
                    error=describe_failure(reason) if isinstance(reason, BaseException) else "URLError",
                )
            ) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise _Failed(SendResult(delivered=False, error=describe_failure(error))) from None


class _Failed(Exception):
    def __init__(self, result: SendResult):
        super().__init__(result.error)
        self.result = result


def _already_delivered(tracker: Any, delivery_id: str) -> bool:
    events = tracker.get("events") if isinstance(tracker, dict) else None
    return any(
        event.get("event") == "bot" and (event.get("metadata") or {}).get("delivery_id") == delivery_id
        for event in events or ()
        if isinstance(event, dict)
    )
