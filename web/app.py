"""The customer web chat service (aiohttp): the page, its assets, sessions and history.

Routes:

- ``GET /`` the chat page (redirects to ``WEB_ORIGIN`` when reached under another host name,
  as the Rasa socket accepts only that origin);
- ``GET /config.js`` where the page finds the Rasa socket (``RASA_PUBLIC_URL``, by default
  this service);
- ``/socket.io/`` and ``POST /webhooks/slack/webhook`` forwarded to Rasa (``web.rasa_proxy``),
  so Rasa itself can listen on 127.0.0.1;
- ``GET /static/…`` the page's own script and styles, ``GET /vendor/…`` the socket.io client
  installed by ``npm ci --prefix web``;
- ``POST /api/session`` a new signed session token (``channels.session_tokens``);
- ``GET /api/history`` with ``X-Chat-Session: <token>``: that conversation's user and bot
  messages, read from Rasa's HTTP API with the server's ``RASA_AUTH_TOKEN``, which never
  reaches the browser;
- ``GET /api/queue`` with ``X-Chat-Session``: where the conversation's request for a person stands
  (renewals.queue_standing), for the page's queue banner;
- ``POST /api/typing`` (the customer is typing) and ``GET /api/typing`` (``{"agent": <name or null>}``:
  an agent typing a reply) with ``X-Chat-Session`` (renewals.typing);
- ``POST /api/rating`` with ``X-Chat-Session`` and ``{"solved": true|false}``: the customer's answer to
  "Did this solve your problem?" (renewals.chat_ratings; the history says it as ``solved``);
- ``POST /api/renewal-link`` with ``X-Chat-Session`` and ``{"link": "<token>"}``: opens a renewal
  notice's "Check my renewal" link in that conversation (renewals.notice_links) and returns the
  assistant's first messages;
- ``GET /healthz``.

Every response carries a Content-Security-Policy that allows scripts, styles and connections
only from this origin, plus connections to the Rasa socket's origin.
``create_app`` is the factory; more pages (e.g. an agent console) are added to it as routes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, TypeVar
from urllib.parse import quote, urlsplit

import aiohttp
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from channels import session_tokens
from channels.replies import ASKS_FOR_A_RATING
from renewals.cases import NoConversation
from renewals.chat_emails import InvalidEmailAddress, TranscriptLine
from renewals.response_times import target_from_env
from web import rasa_proxy
from web.client_address import client_address

logger = logging.getLogger(__name__)

R = TypeVar("R", bound=web.StreamResponse)
HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
VENDOR_DIR = HERE / "node_modules" / "socket.io-client" / "dist"
SESSION_HEADER = "X-Chat-Session"
SOCKETIO_PATH = "/socket.io"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Settings:
    secret: bytes
    rasa_url: str  # how this service reaches Rasa's HTTP API
    rasa_token: str  # Rasa's HTTP API token; server side only
    rasa_public_url: str  # how browsers reach Rasa's socket
    web_origin: str  # this page's origin, the only one the socket accepts
    host: str = "0.0.0.0"
    port: int = 8080

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if environ is None else environ
        port = int(env.get("WEB_PORT") or 8080)
        rasa_port = env.get("RASA_PORT") or "5005"
        rasa_token = env.get("RASA_AUTH_TOKEN", "")
        if not rasa_token:
            raise RuntimeError("RASA_AUTH_TOKEN must be set (scripts/run.sh reads it from var/rasa-token)")
        web_origin = (env.get("WEB_ORIGIN") or f"http://localhost:{port}").split(",")[0].strip()
        return cls(
            secret=session_tokens.secret_from_env(env),
            rasa_url=(env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            rasa_token=rasa_token,
            # By default browsers reach the socket through this service (web.rasa_proxy).
            rasa_public_url=(env.get("RASA_PUBLIC_URL") or web_origin).rstrip("/"),
            web_origin=_origin(web_origin),
            host=env.get("WEB_HOST") or "0.0.0.0",
            port=port,
        )

    def content_security_policy(self) -> str:
        rasa = _origin(self.rasa_public_url)
        rasa_ws = "ws" + rasa[len("http") :]
        return "; ".join(
            [
                "default-src 'none'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self'",
                f"connect-src 'self' {rasa} {rasa_ws}",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )


SETTINGS_KEY = web.AppKey("settings", Settings)
CLIENT_KEY = web.AppKey("rasa_client", aiohttp.ClientSession)
SESSIONS_LIMIT_KEY = web.AppKey("sessions_limit", object)  # (RateLimiter, Limit) or None
RENEWALS_KEY = web.AppKey("renewals", object)  # renewals.service.Renewals, or None
TARGET_KEY = web.AppKey("first_response_target", timedelta)  # CONSOLE_FIRST_RESPONSE_MINUTES


# --- conversation history -------------------------------------------------------------------


def _buttons(data: Any) -> List[Dict[str, str]]:
    buttons = (data or {}).get("buttons") if isinstance(data, dict) else None
    return [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in buttons or []
        if isinstance(button, dict) and button.get("title")
    ]


def _sent_at(event: Mapping[str, Any]) -> Dict[str, str]:
    """{"at": ISO 8601 UTC} from a tracker event's timestamp (seconds since the epoch), or nothing."""
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
        return {}
    moment = datetime.fromtimestamp(stamp, tz=timezone.utc)
    return {"at": moment.isoformat(timespec="seconds").replace("+00:00", "Z")}


def conversation_messages(events: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """User and bot messages of a tracker's events, shaped like the socket's messages, each with the
    time it was sent (``at``) when the event has one.

    Bot text is split at blank lines as Rasa's socket.io output does, with the buttons on the
    last part; a user message that was the payload of a button of the bot's turn before it (whichever
    of its messages carried the button) is shown as that button's title.
    """
    messages: List[Dict[str, Any]] = []
    offered: List[Dict[str, str]] = []  # every button of the bot's turn, not only its last message's
    for event in events:
        at = _sent_at(event)
        kind = event.get("event")
        if kind == "user":
            text = event.get("text") or ""
            title = next((b["title"] for b in offered if b["payload"] == text), None)
            messages.append({"sender": "user", "text": title or text, **at})
            offered = []
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            if metadata.get("notice"):  # about the chat, e.g. a person joined
                messages.append({"sender": "notice", "text": str(event.get("text") or "").strip(), **at})
                continue
            if metadata.get("agent"):  # a person's reply (renewals.delivery.rasa_conversations)
                body = str(metadata.get("body") or event.get("text") or "").strip()
                messages.append({"sender": "agent", "agent": str(metadata["agent"]), "text": body, **at})
                continue
            buttons = _buttons(event.get("data"))
            offered = offered + buttons
            text = (event.get("text") or "").strip()
            if not text and not buttons:
                continue
            parts = text.split("\n\n") if text else [""]
            for part in parts[:-1]:
                messages.append({"sender": "bot", "text": part, **at})
            last = {"sender": "bot", "text": parts[-1], "quick_replies": buttons, **at}
            if metadata.get("utter_action") in ASKS_FOR_A_RATING:
                last["asks_rating"] = True  # the page asks "Did this solve your problem?" after it
            messages.append(last)
    return messages


# --- handlers -------------------------------------------------------------------------------


def _settings(request: web.Request) -> Settings:
    return request.app[SETTINGS_KEY]


def _no_store(response: R) -> R:
    response.headers["Cache-Control"] = "no-store"
    return response


def _assistant_unavailable() -> web.Response:
    return _no_store(web.json_response({"error": "assistant_unavailable"}, status=502))


async def index(request: web.Request) -> web.StreamResponse:
    settings = _settings(request)
    canonical = urlsplit(settings.web_origin).netloc
    if request.host and request.host != canonical:
        raise web.HTTPFound(settings.web_origin + "/")
    response = web.FileResponse(STATIC_DIR / "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


async def config_js(request: web.Request) -> web.Response:
    settings = _settings(request)
    config = {"socketUrl": settings.rasa_public_url, "socketPath": SOCKETIO_PATH}
    body = f"window.WEB_CHAT_CONFIG = Object.freeze({json.dumps(config)});\n"
    return _no_store(web.Response(text=body, content_type="text/javascript"))


def _check_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is not None and origin != _settings(request).web_origin:
        raise web.HTTPForbidden(
            text=json.dumps({"error": "origin_not_allowed"}), content_type="application/json"
        )


def _conversation_of(request: web.Request) -> str:
    """The conversation the request's session token signs, after the origin check; a 401 without one."""
    _check_origin(request)
    conversation_id = session_tokens.verify(_settings(request).secret, request.headers.get(SESSION_HEADER))
    if conversation_id is None:
        raise web.HTTPUnauthorized(
            text=json.dumps({"error": "invalid_session_token"}),
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )
    return conversation_id


async def new_session(request: web.Request) -> web.Response:
    _check_origin(request)
    sessions = request.app.get(SESSIONS_LIMIT_KEY)
    if sessions is not None:
        limiter, limit = sessions
        allowed = await asyncio.get_running_loop().run_in_executor(
            None,
            limiter.allow,
            limit,
            client_address(request),  # behind a proxy: TRUSTED_PROXIES
        )
        if not allowed:
            return _no_store(web.json_response({"error": "too_many_sessions"}, status=429))
    token = session_tokens.issue(_settings(request).secret)
    return _no_store(web.json_response({"token": token}, status=201))


async def _messages_of(request: web.Request, conversation_id: str) -> Optional[List[Dict[str, Any]]]:
    """The conversation's messages as the page shows them, read from Rasa's tracker; None when Rasa can't
    be read."""
    settings = _settings(request)
    url = f"{settings.rasa_url}/conversations/{quote(conversation_id, safe='')}/tracker"
    try:
        async with request.app[CLIENT_KEY].get(url, params={"token": settings.rasa_token}) as reply:
            if reply.status != 200:
                logger.warning("web: Rasa answered %s to a tracker request", reply.status)
                return None
            tracker = await reply.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        # Only the kind of error: aiohttp's messages quote the URL, and the URL carries the Rasa token.
        logger.warning("web: tracker request failed (%s)", type(error).__name__)
        return None
    return conversation_messages(tracker.get("events") or [])


async def history(request: web.Request) -> web.Response:
    conversation_id = _conversation_of(request)
    messages = await _messages_of(request, conversation_id)
    if messages is None:
        return _assistant_unavailable()
    rated = await _rating_of(request, conversation_id)
    return _no_store(web.json_response({"messages": messages, "solved": rated}))


TRANSCRIPT_SENDERS = {"user": "You", "bot": "Assistant", "notice": "Notice"}


def transcript_lines(messages: Sequence[Mapping[str, Any]]) -> List[TranscriptLine]:
    """The page's messages as the lines of an emailed copy: who sent each, its words (with the buttons it
    offered) and when."""
    lines = []
    for message in messages:
        sender = str(message.get("agent") or "") or TRANSCRIPT_SENDERS.get(str(message.get("sender")), "")
        text = str(message.get("text") or "")
        buttons = [str(button.get("title")) for button in message.get("quick_replies") or []]
        if buttons:
            text = (text + "\n" if text else "") + " ".join(f"[{title}]" for title in buttons)
        stamp = message.get("at")
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00")) if isinstance(stamp, str) else None
        lines.append(TranscriptLine(sender or "Assistant", text, at))
    return lines


async def _email_in(request: web.Request) -> Any:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body.get("email") if isinstance(body, dict) else None


EMAIL_UNAVAILABLE = "That couldn't be sent just now. Please try again in a minute."


def _email_problem(error: str, message: str, status: int = 400) -> web.Response:
    """``{"error": code, "message": what the customer reads}``."""
    return _no_store(web.json_response({"error": error, "message": message}, status=status))


async def email_transcript(request: web.Request) -> web.Response:
    """``{"email": "..."}``: a copy of this conversation is emailed there (queued in the outbox)."""
    conversation_id = _conversation_of(request)
    text = await _email_in(request)
    renewals = request.app[RENEWALS_KEY]
    if renewals is None:
        return _email_problem("email_unavailable", EMAIL_UNAVAILABLE, 503)
    messages = await _messages_of(request, conversation_id)
    if messages is None:
        return _assistant_unavailable()
    if not messages:
        return _email_problem("empty_chat", "There is nothing in this chat to send yet.")
    try:
        await asyncio.to_thread(renewals.email_transcript, conversation_id, text, transcript_lines(messages))
    except InvalidEmailAddress as problem:
        return _email_problem("invalid_email", str(problem))
    except SQLAlchemyError as error:
        logger.warning("web: a chat copy could not be queued (%s)", type(error).__name__)
        return _email_problem("email_unavailable", EMAIL_UNAVAILABLE, 503)
    return _no_store(web.json_response({"queued": True}, status=202))


async def answer_by_email(request: web.Request) -> web.Response:
    """``{"email": "..."}`` from a customer waiting for a person: the replies are also emailed there."""
    conversation_id = _conversation_of(request)
    text = await _email_in(request)
    renewals = request.app[RENEWALS_KEY]
    if renewals is None:
        return _email_problem("email_unavailable", EMAIL_UNAVAILABLE, 503)
    try:
        await asyncio.to_thread(renewals.request_answer_by_email, conversation_id, text)
    except InvalidEmailAddress as problem:
        return _email_problem("invalid_email", str(problem))
    except NoConversation:
        return _email_problem("not_waiting", "You're not waiting for a person in this chat any more.", 409)
    except SQLAlchemyError as error:
        logger.warning("web: an address for replies could not be stored (%s)", type(error).__name__)
        return _email_problem("email_unavailable", EMAIL_UNAVAILABLE, 503)
    return _no_store(web.json_response({"emailing": True}))


LINK_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,200}")
NOTICE_LINK_SLOT = "notice_link"
OPEN_RENEWAL_LINK_ACTION = "action_open_renewal_link"


async def renewal_link(request: web.Request) -> web.Response:
    """The "Check my renewal" link of a notice, opened in this session's (new) conversation: its token goes
    into the conversation's `notice_link` slot and Rasa runs action_open_renewal_link, which answers with
    that licence's status (or, for an expired or altered link, a clear message); the replies come back in
    the answer."""
    settings = _settings(request)
    conversation_id = _conversation_of(request)
    try:
        body = await request.json()
    except ValueError:
        body = None
    link = body.get("link") if isinstance(body, dict) else None
    if not isinstance(link, str) or not LINK_TOKEN.fullmatch(link):
        link = "invalid"  # the assistant still answers: the link is not valid, here is what I can do
    conversation = f"{settings.rasa_url}/conversations/{quote(conversation_id, safe='')}"
    token = {"token": settings.rasa_token}
    try:
        client = request.app[CLIENT_KEY]
        # A new session whose slot holds the token, then the action that checks it: no NLU, no intent.
        # The events are sent in order in one request: a slot sent alone would be time-stamped before the
        # session Rasa starts for it, and Rasa reads a conversation from its latest session start.
        events = [
            {"event": "action", "name": "action_session_start"},
            {"event": "session_started"},
            {"event": "action", "name": "action_listen"},
            {"event": "slot", "name": NOTICE_LINK_SLOT, "value": link},
        ]
        async with client.post(f"{conversation}/tracker/events", params=token, json=events) as reply:
            if reply.status != 200:
                logger.warning("web: Rasa answered %s to a renewal link's slot", reply.status)
                return _assistant_unavailable()
        action = {"name": OPEN_RENEWAL_LINK_ACTION}
        async with client.post(f"{conversation}/execute", params=token, json=action) as reply:
            if reply.status != 200:
                logger.warning("web: Rasa answered %s to a renewal link", reply.status)
                return _assistant_unavailable()
            answer = await reply.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        logger.warning("web: renewal link request failed (%s)", type(error).__name__)
        return _assistant_unavailable()
    bot_events = [
        {"event": "bot", "text": message.get("text"), "data": {"buttons": message.get("buttons")}}
        for message in answer.get("messages") or []
        if isinstance(message, dict)
    ]
    return _no_store(web.json_response({"messages": conversation_messages(bot_events)}))


async def rate_chat(request: web.Request) -> web.Response:
    """The customer's answer to "Did this solve your problem?": ``{"solved": true|false}``."""
    conversation_id = _conversation_of(request)
    try:
        body = await request.json()
    except ValueError:
        body = None
    solved = body.get("solved") if isinstance(body, dict) else None
    if not isinstance(solved, bool):
        return _no_store(web.json_response({"error": "solved must be true or false"}, status=400))
    renewals = request.app[RENEWALS_KEY]
    if renewals is None:
        return _no_store(web.json_response({"error": "ratings_unavailable"}, status=503))
    try:
        await asyncio.to_thread(renewals.rate_chat, conversation_id, solved)
    except SQLAlchemyError as error:
        logger.warning("web: a chat rating could not be stored (%s)", type(error).__name__)
        return _no_store(web.json_response({"error": "ratings_unavailable"}, status=503))
    return _no_store(web.json_response({"solved": solved}))


async def queue(request: web.Request) -> web.Response:
    """Where this conversation's request for a person stands: ``{"waiting": false}``, or
    ``{"waiting": true, "reference", "position", "open_now", "text"}`` for the page's queue banner."""
    conversation_id = _conversation_of(request)
    renewals = request.app[RENEWALS_KEY]
    if renewals is None:
        return _no_store(web.json_response({"waiting": False}))
    try:
        standing = await asyncio.to_thread(renewals.queue_standing, conversation_id, request.app[TARGET_KEY])
    except SQLAlchemyError as error:
        logger.warning("web: the queue could not be read (%s)", type(error).__name__)
        return _no_store(web.json_response({"error": "queue_unavailable"}, status=503))
    if standing is None:
        return _no_store(web.json_response({"waiting": False}))
    return _no_store(
        web.json_response(
            {
                "waiting": True,
                "reference": standing.reference,
                "position": standing.position,
                "open_now": standing.open_now,
                "text": standing.text,
                "emailing_to": standing.emailing_to,
            }
        )
    )


async def typing(request: web.Request) -> web.Response:
    """POST: the customer is typing (shown to an agent in the chat). GET: ``{"agent": "<name>"}`` while an
    agent is typing a reply in this conversation, else ``{"agent": null}``."""
    conversation_id = _conversation_of(request)
    renewals = request.app[RENEWALS_KEY]
    if renewals is None:
        return _no_store(web.json_response({"agent": None}))
    try:
        if request.method == "POST":
            await asyncio.to_thread(renewals.report_typing, conversation_id)
            return _no_store(web.json_response({"reported": True}))
        now = await asyncio.to_thread(renewals.typing, conversation_id)
    except SQLAlchemyError as error:
        logger.warning("web: typing could not be read or reported (%s)", type(error).__name__)
        return _no_store(web.json_response({"error": "typing_unavailable"}, status=503))
    return _no_store(web.json_response({"agent": now.agent}))


async def _rating_of(request: web.Request, conversation_id: str) -> Optional[bool]:
    renewals = request.app[RENEWALS_KEY]
    if renewals is None:
        return None
    try:
        rating = await asyncio.to_thread(renewals.chat_rating, conversation_id)
    except SQLAlchemyError as error:
        logger.warning("web: a chat rating could not be read (%s)", type(error).__name__)
        return None
    return None if rating is None else rating.solved


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


# --- application ----------------------------------------------------------------------------


def create_app(
    settings: Settings, vendor_dir: Path = VENDOR_DIR, sessions_limit=None, renewals=None
) -> web.Application:
    """`sessions_limit`: (RateLimiter, Limit) for new chat sessions per client address, or None for no
    limit. `renewals`: the renewals service (renewals.service.Renewals), which keeps end-of-chat ratings
    and knows the queue for a person; None when the page has neither."""
    if not (vendor_dir / "socket.io.min.js").is_file():
        raise RuntimeError(
            f"{vendor_dir} has no socket.io.min.js: run `npm ci --prefix web` (make setup does)"
        )
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app[SESSIONS_LIMIT_KEY] = sessions_limit
    app[RENEWALS_KEY] = renewals
    app[TARGET_KEY] = target_from_env()
    csp = settings.content_security_policy()

    async def security_headers(_: web.Request, response: web.StreamResponse) -> None:
        # Defaults for every route; routes mounted later (e.g. /agent) may set stricter ones.
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")

    async def rasa_client(app: web.Application):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as client:
            app[CLIENT_KEY] = client
            yield

    app.on_response_prepare.append(security_headers)
    app.cleanup_ctx.append(rasa_client)
    app.router.add_get("/", index)
    app.router.add_get("/config.js", config_js)
    app.router.add_post("/api/session", new_session)
    app.router.add_get("/api/history", history)
    app.router.add_post("/api/renewal-link", renewal_link)
    app.router.add_post("/api/rating", rate_chat)
    app.router.add_get("/api/queue", queue)
    app.router.add_post("/api/email-transcript", email_transcript)
    app.router.add_post("/api/answer-by-email", answer_by_email)
    app.router.add_get("/api/typing", typing)
    app.router.add_post("/api/typing", typing)
    app.router.add_get("/healthz", healthz)
    rasa_proxy.add_routes(
        app, settings.rasa_url
    )  # the socket and Slack's events URL, and nothing else of Rasa
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_static("/vendor/", vendor_dir)
    return app
