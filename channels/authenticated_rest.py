"""The REST channel, for our own services and tests only: a bearer token, bounded input, never silence.

Rasa's `rest` channel takes anyone's message for any conversation id (a web
chat's included, so it would bypass the signed web chat sessions), falls back
to a shared "default" conversation without a sender, answers 500 to a body
that is not a JSON object, accepts any size, and logs the text of a message it
failed on. This channel keeps the URL and wire format
(`POST /webhooks/rest/webhook {"sender": "...", "message": "..."}`) but:

- needs `Authorization: Bearer <REST_CHANNEL_TOKEN>` (401 otherwise);
- refuses a body over 64 KB (413) and anything but a JSON object with a
  non-empty `sender` and a text `message` (400), invalid UTF-8 included;
- answers a message over 2,000 characters with a request to shorten it, and
  passes nothing to the assistant;
- never leaves the customer with silence: when the assistant produced no
  reply (the action server is down, say), it answers with an apology and where
  to get help; in a conversation paused for a person, with a notice that the
  message reached the case and when a person will reply (`"custom": {"notice": true}`);
- answers 503 (with the apology) while the conversations' database is down,
  and its health check (`GET /webhooks/rest/`) is red meanwhile;
- answers 429 with a request to slow down when a conversation sends more
  than RATE_LIMIT_MESSAGES_PER_MINUTE (renewals.rate_limits).

credentials.yml::

    channels.authenticated_rest.AuthenticatedRestInput:
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.replies import (
    MAX_MESSAGE_CHARS,
    NO_REPLY_APOLOGY,
    SLOW_DOWN,
    TOO_LONG,
    message_limiter,
    paused_conversation,
    reply_while_paused,
    tracker_store_available,
    within_limit,
)

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "REST_CHANNEL_TOKEN"
MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128
_SENDER = re.compile(r"[A-Za-z0-9._:@-]+")


def token_from_env(environ=os.environ) -> str:
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if len(token) < 16:
        raise ValueError(f"{TOKEN_VARIABLE} must be set (16 characters or more): the REST channel needs it")
    return token


class AuthenticatedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(token_from_env(), *message_limiter())

    def __init__(self, token: str, limiter=None, limit=None) -> None:
        self._token = token.encode("utf-8")
        self._limiter, self._limit = limiter, limit

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        rest = Blueprint("authenticated_rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            """Red (503) while the conversations' database can't be read."""
            if not await tracker_store_available(request.app):
                return response.json({"status": "tracker store unavailable"}, status=503)
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorized"}, status=401)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "body_too_large", "max_bytes": MAX_BODY_BYTES}, status=413)
            body, error = _parse(request.body)
            if error:
                return response.json({"error": error}, status=400)
            sender, text = body["sender"], body["message"]
            if len(text) > MAX_MESSAGE_CHARS:
                return response.json([{"recipient_id": sender, "text": TOO_LONG}])
            if not await within_limit(self._limiter, self._limit, sender):
                return response.json([{"recipient_id": sender, "text": SLOW_DOWN}], status=429)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
                )
            except Exception as failure:  # the type only: the text can hold personal data
                logger.error("rest: handling a message failed (%s)", type(failure).__name__)
                if not await tracker_store_available(request.app):
                    return response.json(
                        {"error": "temporarily_unavailable", "text": NO_REPLY_APOLOGY}, status=503
                    )
            if not collector.messages:
                paused = await paused_conversation(request.app, sender)
                if paused is not None:
                    # Not the assistant's answer: a notice that the message reached the case, and when.
                    notice = await reply_while_paused(paused, text)
                    return response.json(
                        [{"recipient_id": sender, "text": notice, "custom": {"notice": True}}]
                    )
                logger.warning("rest: the assistant gave no reply; answered with the apology")
                return response.json([{"recipient_id": sender, "text": NO_REPLY_APOLOGY}])
            return response.json(collector.messages)

        return rest

    def _authorised(self, request: Request) -> bool:
        scheme, _, supplied = (request.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            supplied.strip().encode("utf-8"), self._token
        )


def _parse(raw: Optional[bytes]) -> tuple[Dict[str, Any], Optional[str]]:
    """The body as a dict, or an error code: every malformed body is a 400, never a 500."""
    try:
        body = json.loads((raw or b"").decode("utf-8"))
    except UnicodeDecodeError:
        return {}, "body_must_be_utf8"
    except ValueError:
        return {}, "body_must_be_json"
    if not isinstance(body, dict):
        return {}, "body_must_be_an_object"
    sender = body.get("sender")
    if (
        not isinstance(sender, str)
        or not sender
        or len(sender) > MAX_SENDER_CHARS
        or not _SENDER.fullmatch(sender)
    ):
        return {}, "sender_required"  # letters, digits and . _ : @ - only, up to 128
    if not isinstance(body.get("message"), str):
        return {}, "message_must_be_text"
    return body, None
