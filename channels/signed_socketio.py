"""The customer web chat's Rasa input channel: socket.io with server-signed sessions.

Rasa's own ``socketio`` channel lets the client pick its conversation id
(``session_request`` with any ``session_id``, and every ``user_uttered`` names
its own ``session_id``), and allows every origin. This channel keeps Rasa's
socket.io wire format and output channel but:

- accepts only the origins in ``cors_allowed_origins`` (credentials.yml) or
  ``WEB_ORIGIN`` (comma-separated; default ``http://localhost:8080``), for both
  polling and websocket transports;
- binds a socket to a conversation only through ``session_request`` with
  ``{"token": "<session_id>.<signature>"}`` issued by the web service
  (``channels.session_tokens``); a missing, forged or tampered token gets a
  ``session_error`` event and no conversation, and a client-sent ``session_id``
  is ignored;
- takes the conversation id of every ``user_uttered`` from that binding, never
  from the message;
- puts every socket of a conversation in a room named after its id, so bot
  messages sent later through Rasa's HTTP API with ``output_channel=latest``
  (e.g. a live agent's reply) reach the customer's open page;
- emits ``bot_typing`` ``{"typing": true}`` when a message is received and
  ``{"typing": false}`` once the assistant has sent its replies; a message over 2,000
  characters gets ``message_error`` instead;
- never leaves the customer with silence: a turn with no reply (the action
  server down, say) in a conversation not paused for a person gets an apology
  and where to get help (channels.replies); in a paused one, a ``chat_notice``
  event says the message was added to the case;
- a conversation sending more than RATE_LIMIT_MESSAGES_PER_MINUTE gets a request
  to slow down, and the message is not passed on.

credentials.yml::

    channels.signed_socketio.SignedSocketIOInput:
      socketio_path: /socket.io
      session_persistence: true

The signing secret comes from ``CHAT_SESSION_SECRET`` (required).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels import session_tokens
from channels.replies import (
    ASKS_FOR_A_RATING,
    MAX_MESSAGE_CHARS,
    NO_REPLY_APOLOGY,
    SLOW_DOWN,
    message_limiter,
    paused_conversation,
    reply_while_paused,
    within_limit,
)

logger = logging.getLogger(__name__)

DEFAULT_WEB_ORIGIN = "http://localhost:8080"
SESSION_KEY = "conversation_id"


def allowed_origins(configured: Any = None, environ: Optional[Dict[str, str]] = None) -> List[str]:
    """Origins allowed to open a socket: from credentials, else ``WEB_ORIGIN``, else the default."""
    if configured is None or configured == [] or configured == "":
        configured = (environ if environ is not None else os.environ).get("WEB_ORIGIN") or DEFAULT_WEB_ORIGIN
    values: Iterable[str] = configured.split(",") if isinstance(configured, str) else configured
    origins = [str(value).strip().rstrip("/") for value in values if str(value).strip()]
    if not origins or "*" in origins:
        raise ValueError("the web chat channel needs explicit allowed origins, not '*' or nothing")
    return origins


class _WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output; a message from a person (bot event metadata `agent`, from
    renewals.delivery.rasa_conversations) goes out as `{"text": <their words>, "agent": <their name>}`, so
    the page shows it as theirs, not the assistant's; a notice about the chat (metadata `notice`) as the
    `chat_notice` event; a goodbye is followed by `rating_request`, the page's cue to ask for a rating."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        if kwargs.get("notice"):  # about the chat, from no one: "Alice … has joined the chat"
            notice = {"kind": str(kwargs["notice"]), "text": text}
            await self.sio.emit("chat_notice", notice, room=recipient_id)
            return
        agent = kwargs.get("agent")
        if not agent:
            await super().send_text_message(recipient_id, text, **kwargs)
            if kwargs.get("utter_action") in ASKS_FOR_A_RATING:
                await self.sio.emit("rating_request", {}, room=recipient_id)
            return
        await self._send_message(recipient_id, {"text": kwargs.get("body") or text, "agent": str(agent)})


class _CountingOutput(_WebChatOutput):
    """The output of a customer's turn, counting what it sends: a turn that sent nothing gets the apology."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


class SignedSocketIOInput(SocketIOInput):
    """socket.io input channel whose conversation ids come only from signed tokens."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For messages sent through Rasa's HTTP API (output_channel=latest): people's replies included."""
        return _WebChatOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        limiter, limit = message_limiter()
        return cls(
            limiter=limiter,
            limit=limit,
            secret=session_tokens.secret_from_env(),
            cors_allowed_origins=allowed_origins(credentials.get("cors_allowed_origins")),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            metadata_key=credentials.get("metadata_key", "metadata"),
        )

    def __init__(
        self,
        secret: bytes,
        cors_allowed_origins: List[str],
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        socketio_path: Optional[Text] = "/socket.io",
        metadata_key: Optional[Text] = "metadata",
        limiter=None,
        limit=None,
    ) -> None:
        # Rooms per conversation are what make later deliveries work, so persistence is always
        # on; the default namespace only, as Rasa's output channel emits there.
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            namespace=None,
            session_persistence=True,
            socketio_path=socketio_path,
            metadata_key=metadata_key,
        )
        self.secret = session_tokens.check_secret(secret)
        self.app = None  # the Sanic app, once the server runs
        self.limiter, self.limit = limiter, limit  # messages per conversation (renewals.rate_limits)
        self.cors_allowed_origins = allowed_origins(cors_allowed_origins)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @socketio_webhook.listener("after_server_start")
        async def remember_app(app, _loop) -> None:
            self.app = app  # its agent tells whether a conversation is paused for a person

        async def bound_conversation(sid: Text) -> Optional[Text]:
            session = await sio.get_session(sid, namespace=namespace)
            return session.get(SESSION_KEY)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            token = data.get("token") if isinstance(data, dict) else None
            conversation_id = session_tokens.verify(self.secret, token)
            if conversation_id is None:
                # A client-chosen session_id (Rasa's protocol) lands here too: no token, no session.
                logger.warning("webchat: refused a session_request without a valid token (socket %s)", sid)
                await sio.emit(
                    "session_error", {"error": "invalid_session_token"}, room=sid, namespace=namespace
                )
                return
            previous = await bound_conversation(sid)
            if previous and previous != conversation_id:
                await sio.leave_room(sid, previous, namespace=namespace)
            await sio.enter_room(sid, conversation_id, namespace=namespace)
            await sio.save_session(sid, {SESSION_KEY: conversation_id}, namespace=namespace)
            await sio.emit("session_confirm", conversation_id, room=sid, namespace=namespace)
            logger.debug("webchat: socket %s joined its conversation", sid)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            conversation_id = await bound_conversation(sid)
            if conversation_id is None:
                await sio.emit("session_error", {"error": "no_session"}, room=sid, namespace=namespace)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                return
            if len(text) > MAX_MESSAGE_CHARS:
                await sio.emit(
                    "message_error",
                    {"error": "message_too_long", "max": MAX_MESSAGE_CHARS},
                    room=sid,
                    namespace=namespace,
                )
                return
            output = _CountingOutput(sio, self.bot_message_evt)
            if not await within_limit(self.limiter, self.limit, conversation_id):
                await output.send_text_message(conversation_id, SLOW_DOWN)
                return
            metadata = data.get(self.metadata_key)
            message = UserMessage(
                text,
                output,
                conversation_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await sio.emit("bot_typing", {"typing": True}, room=conversation_id, namespace=namespace)
            try:
                await on_new_message(message)
            except Exception as failure:  # the type only: the text can hold personal data
                logger.error("webchat: handling a message failed (%s)", type(failure).__name__)
            finally:
                if not output.sent:
                    paused = await paused_conversation(self.app, conversation_id)
                    if paused is not None:
                        # Not the assistant speaking: a notice on the page that the message reached the case.
                        text = await reply_while_paused(paused, message.text or "")
                        notice = {"kind": "added_to_case", "text": text}
                        await sio.emit("chat_notice", notice, room=conversation_id, namespace=namespace)
                    else:
                        logger.warning("webchat: the assistant gave no reply; answered with the apology")
                        await output.send_text_message(conversation_id, NO_REPLY_APOLOGY)
                await sio.emit("bot_typing", {"typing": False}, room=conversation_id, namespace=namespace)

        return socketio_webhook
