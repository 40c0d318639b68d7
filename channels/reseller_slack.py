"""The Slack channel of the assistant, for resellers (and anyone else in the workspace).

Rasa's own ``slack`` channel, with these changes:

- **Enabled by the environment.** With ``SLACK_BOT_TOKEN`` and
  ``SLACK_SIGNING_SECRET`` set, Slack events are accepted at
  ``POST /webhooks/slack/webhook``; without them the assistant starts without
  Slack, says so once in its log, and that URL answers 404. credentials.yml
  holds no secrets.
- **Configurable Slack Web API URL** (``SLACK_API_URL``, default
  https://slack.com/api/), so tests can point replies at a local fake.
- **Replies go into threads**: under the user's message, or in the thread the
  user wrote in (``use_threads``, on by default here).
- **Requests are authenticated before anything else**: a missing, wrong or
  stale (over 5 minutes) ``X-Slack-Signature`` is answered 401.
- **Each Slack message is handled once**: Slack retries an event it thinks
  was not received, and a mention in a channel the app listens to arrives
  both as ``app_mention`` and as ``message``; both are recognised by channel
  and message timestamp and acknowledged without a second reply.
- **The sender's identity reaches the actions, sealed**: the Slack user,
  workspace and channel ids from the signed event go into the message
  metadata with an HMAC (renewals.slack_identity), which the action server
  checks before treating anyone as a reseller.
- **Conversation ids are not Slack ids**: ``slack-<hmac of workspace and
  user>``, so no other channel can continue a Slack user's conversation.
- Messages sent later through Rasa's HTTP API (``output_channel=latest``, e.g. an
  agent's reply from the console) go to the conversation's latest Slack channel
  and thread (remembered in memory since the server started).
- Replies are one Slack message each (Rasa splits on blank lines, which
  would break tables), with ``&``, ``<`` and ``>`` escaped; text with buttons
  is a ``mrkdwn`` section, so formatting and code blocks still work.

credentials.yml::

    channels.reseller_slack.ResellerSlackInput:
      use_threads: true
      # slack_channel: C0123ABCD   # also answer plain messages (no @mention) in this channel
      # conversation_granularity: sender   # or "channel", "thread"
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from renewals import slack_identity
from renewals.delivery.slack_notices import API_URL_VARIABLE, DEFAULT_API_URL, TOKEN_VARIABLE, slack_escape

logger = logging.getLogger(__name__)

SECRET_VARIABLE = slack_identity.SECRET_VARIABLE
DISABLED_NOTICE = f"Slack: disabled (set {TOKEN_VARIABLE} and {SECRET_VARIABLE} to enable)"
MAX_MESSAGE_CHARS = 4000
SEEN_MESSAGES_KEPT = 5000
SEEN_MESSAGES_TTL_SECONDS = 3600
# Message subtypes that are a person writing; others (edits, joins, bots) are not answered.
USER_SUBTYPES = (None, "thread_broadcast", "file_share")


class ResellerSlackBot(SlackBot):
    """Rasa's Slack output, posting through ``api_url`` into the thread, one message per reply."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Text = DEFAULT_API_URL,
        places: Optional["_Places"] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)
        # Without a channel (messages sent later through Rasa's HTTP API, e.g. an agent's
        # reply): the conversation's latest Slack channel and thread.
        self.places = places

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)  # legacy: bot tokens of current Slack apps refuse it
        kwargs.pop("type", None)
        thread = self.thread_id
        if not self.slack_channel and self.places is not None:
            place = self.places.get(channel)
            if place is None:
                logger.warning(
                    "No Slack channel is known for this conversation (none since the server started)"
                )
                return
            channel, thread = place
        if thread:
            kwargs["thread_ts"] = thread
        try:
            await self.client.chat_postMessage(channel=channel, **kwargs)
        except SlackApiError as error:
            # The error code only: the response would quote the message.
            logger.warning(
                "Slack refused a reply: %s", error.response.get("error") if error.response else "error"
            )

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        await self._post_message(channel=recipient, text=slack_escape(text.strip())[:MAX_MESSAGE_CHARS])

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        if len(buttons) > 5:  # Slack shows at most five: send the text alone
            return await self.send_text_message(recipient_id, text, **kwargs)
        recipient = self.slack_channel or recipient_id
        escaped = slack_escape(text.strip())
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": escaped[:3000]}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": button["title"][:75]},
                        "value": str(button["payload"])[:2000],
                    }
                    for button in buttons
                ],
            },
        ]
        await self._post_message(channel=recipient, text=escaped[:MAX_MESSAGE_CHARS], blocks=blocks)


class _Places:
    """Each conversation's latest Slack channel and thread (the most recent conversations, in memory)."""

    def __init__(self, kept: int = SEEN_MESSAGES_KEPT) -> None:
        self._places: "OrderedDict[str, tuple]" = OrderedDict()
        self._kept = kept

    def remember(self, conversation: str, channel: Optional[str], thread: Optional[str]) -> None:
        if not channel:
            return
        self._places.pop(conversation, None)
        self._places[conversation] = (channel, thread)
        while len(self._places) > self._kept:
            self._places.popitem(last=False)

    def get(self, conversation: str) -> Optional[tuple]:
        return self._places.get(conversation)


class _SeenMessages:
    """Slack messages already taken in (channel and timestamp), for an hour."""

    def __init__(self) -> None:
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    def first_time(self, key: str, now: float) -> bool:
        while self._seen and (
            len(self._seen) > SEEN_MESSAGES_KEPT
            or next(iter(self._seen.values())) < now - SEEN_MESSAGES_TTL_SECONDS
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


class ResellerSlackInput(SlackInput):
    """See the module docstring."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        secret = os.environ.get(SECRET_VARIABLE, "").strip()
        if not token or not secret:
            logger.warning(DISABLED_NOTICE)
            return cls(slack_token="", slack_signing_secret="", enabled=False)
        return cls(
            slack_token=token,
            slack_channel=credentials.get("slack_channel"),
            proxy=credentials.get("proxy"),
            use_threads=credentials.get("use_threads", True),
            slack_signing_secret=secret,
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
            api_url=os.environ.get(API_URL_VARIABLE, "").strip()
            or credentials.get("api_url")
            or DEFAULT_API_URL,
        )

    def __init__(
        self,
        slack_token: Text,
        slack_channel: Optional[Text] = None,
        proxy: Optional[Text] = None,
        use_threads: bool = True,
        slack_signing_secret: Text = "",
        conversation_granularity: Text = "sender",
        api_url: Text = DEFAULT_API_URL,
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled
        self.api_url = api_url
        self._seen = _SeenMessages()
        self._places = _Places()
        super().__init__(
            slack_token,
            slack_channel=slack_channel,
            proxy=proxy,
            use_threads=use_threads,
            slack_signing_secret=slack_signing_secret,
            conversation_granularity=conversation_granularity,
        )
        if enabled:
            logger.info("Slack: enabled, replies through %s", api_url)

    def _validate_credentials(self) -> None:
        if self.enabled:
            super()._validate_credentials()

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> OutputChannel:
        """Replies to a message go to its channel and thread. Without them (Rasa's HTTP API with
        `output_channel=latest`, e.g. an agent's reply from the console) a message goes to where the
        conversation last was: its channel and thread, as remembered since the server started."""
        if channel is None and thread_id is None and not self.slack_channel:
            return ResellerSlackBot(
                self.slack_token, None, None, self.proxy, self.api_url, places=self._places
            )
        return ResellerSlackBot(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url
        )

    # --- requests -------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("reseller_slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"error": DISABLED_NOTICE}, status=HTTPStatus.NOT_FOUND)
            if not self.is_request_from_slack_authentic(request):
                return response.json(
                    {"error": "missing, wrong or stale X-Slack-Signature"}, status=HTTPStatus.UNAUTHORIZED
                )
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            if content_type == "application/json":
                return await self._event(request, on_new_message)
            if content_type == "application/x-www-form-urlencoded":
                return await self._interaction(request, on_new_message)
            return response.json({"error": "unsupported content type"}, status=HTTPStatus.BAD_REQUEST)

        return slack_webhook

    async def _event(self, request: Request, on_new_message) -> HTTPResponse:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return response.json({"error": "body is not a JSON object"}, status=HTTPStatus.BAD_REQUEST)
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge")})
        event = body.get("event")
        if not isinstance(event, dict) or not self._is_person_writing(body, event):
            return response.text("ignored")
        channel, user = event.get("channel"), event.get("user")
        if not self._is_supported_channel(body, {"out_channel": channel}):
            return response.text("channel not supported")
        if not self._seen.first_time(f"{channel}:{event.get('ts')}", time.monotonic()):
            return response.text("already received")
        team = event.get("user_team") or event.get("team") or body.get("team_id")
        thread = event.get("thread_ts") or event.get("ts")
        bot_users = self._bot_users(body)
        text = self._sanitize_user_message(str(event.get("text") or ""), bot_users)
        return self._take_in(on_new_message, text, user, team, channel, thread, bot_users, event.get("ts"))

    async def _interaction(self, request: Request, on_new_message) -> HTTPResponse:
        try:
            payload = json.loads(request.form.get("payload") or "null")
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not self._is_interactive_message(payload):
            return response.text("ignored")
        text = self._get_interactive_response(payload["actions"][0])
        if not text:
            return response.text("ignored")
        user = (payload.get("user") or {}).get("id")
        team = (payload.get("user") or {}).get("team_id") or (payload.get("team") or {}).get("id")
        channel = (payload.get("channel") or {}).get("id")
        message = payload.get("message") or {}
        thread = message.get("thread_ts") or message.get("ts")
        action_ts = payload["actions"][0].get("action_ts") or payload.get("trigger_id")
        if action_ts and not self._seen.first_time(f"{channel}:action:{action_ts}", time.monotonic()):
            return response.text("already received")
        return self._take_in(on_new_message, text, user, team, channel, thread, [], action_ts)

    def _take_in(
        self, on_new_message, text, user, team, channel, thread, bot_users, message_ts
    ) -> HTTPResponse:
        if not user or not text:
            return response.text("ignored")
        identity = slack_identity.SlackIdentity(user_id=user, team_id=team, channel_id=channel)
        text = text.strip()
        conversation = self._conversation(team, user, channel, thread)
        metadata = {
            "out_channel": channel,
            "thread_id": thread if self.use_threads else None,
            "message_ts": message_ts,  # Slack's id of the message (or of the button click)
            "users": bot_users,
            slack_identity.METADATA_KEY: slack_identity.sealed_metadata(
                self.slack_signing_secret, identity, text, conversation, time.time(), message_ts
            ),
        }
        self._places.remember(conversation, channel, metadata["thread_id"])
        message = UserMessage(
            text,
            self.get_output_channel(channel, metadata["thread_id"]),
            conversation,
            input_channel=self.name(),
            metadata=metadata,
        )
        # Slack wants an answer within 3 seconds: handle the message in the background.
        task = asyncio.create_task(self._handle(on_new_message, message))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return response.text("")

    @staticmethod
    async def _handle(on_new_message, message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception as error:  # the type only: messages can quote the user's text
            logger.error("Handling a Slack message failed: %s", type(error).__name__)

    def _conversation(
        self, team: Optional[str], user: str, channel: Optional[str], thread: Optional[str]
    ) -> str:
        scope = user
        if self.conversation_granularity in ("channel", "thread") and channel:
            scope += f":{channel}"
        if self.conversation_granularity == "thread" and channel and thread:
            scope += f":{thread}"
        return slack_identity.conversation_id(self.slack_signing_secret, team, scope)

    @staticmethod
    def _bot_users(body: Dict[str, Any]) -> List[str]:
        users = list(body.get("authed_users") or [])
        for authorization in body.get("authorizations") or []:
            if isinstance(authorization, dict) and authorization.get("user_id"):
                users.append(authorization["user_id"])
        return [user for user in users if isinstance(user, str)]

    def _is_person_writing(self, body: Dict[str, Any], event: Dict[str, Any]) -> bool:
        return (
            event.get("type") in ("message", "app_mention")
            and bool(event.get("text"))
            and bool(event.get("user"))
            and not event.get("bot_id")
            and event.get("subtype") in USER_SUBTYPES
            and event.get("user") not in self._bot_users(body)
        )
