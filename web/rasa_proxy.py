"""The two paths of Rasa that face the internet, served through the web service.

Browsers need the web chat socket (`/socket.io/`, websocket or long-polling) and
Slack needs its events URL (`/webhooks/slack/webhook`). Forwarding just those
two lets Rasa listen on 127.0.0.1 only, so its HTTP API, the REST channel and
everything else on its port are out of reach from outside: the web service's
port is the only one a browser (or Slack) needs.

Nothing is interpreted here: the request goes to Rasa as it came (method,
query, body, the headers Rasa checks: Origin for the socket, Slack's signature
headers), and Rasa's answer comes back. The channels themselves keep checking
origins, session tokens and signatures.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Iterable

import aiohttp
from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)

SOCKETIO_PREFIX = "/socket.io/"
SLACK_EVENTS_PATH = "/webhooks/slack/webhook"
# Request headers passed on to Rasa; hop-by-hop and cookie headers are not.
_FORWARDED_REQUEST_HEADERS = (
    "Origin",
    "Content-Type",
    "Accept",
    "User-Agent",
    "X-Slack-Signature",
    "X-Slack-Request-Timestamp",
    "X-Slack-Retry-Num",
    "X-Slack-Retry-Reason",
)
_FORWARDED_RESPONSE_HEADERS = ("Content-Type", "Cache-Control", "Content-Encoding")
MAX_BODY_BYTES = 1024 * 1024  # as Rasa itself (scripts/rasa_run.py)


def _headers(source, names: Iterable[str]) -> dict:
    return {name: source[name] for name in names if name in source}


_CLIENT_KEY = web.AppKey("rasa_proxy_client", aiohttp.ClientSession)


def add_routes(app: web.Application, rasa_url: str) -> None:
    """Forward the socket and the Slack events URL to Rasa at `rasa_url`."""
    rasa_url = rasa_url.rstrip("/")

    async def client(app: web.Application):
        # No overall time limit: a socket lives as long as the page, and a long-poll waits up to 25 s.
        timeout = aiohttp.ClientTimeout(total=None, connect=10, sock_read=90)
        async with aiohttp.ClientSession(timeout=timeout, auto_decompress=False) as session:
            app[_CLIENT_KEY] = session
            yield

    async def forward(request: web.Request) -> web.StreamResponse:
        if (
            request.path.startswith(SOCKETIO_PREFIX)
            and request.headers.get("Upgrade", "").lower() == "websocket"
        ):
            return await _websocket(request, rasa_url, request.app[_CLIENT_KEY])
        return await _http(request, rasa_url, request.app[_CLIENT_KEY])

    app.cleanup_ctx.append(client)

    for method in ("GET", "POST"):
        app.router.add_route(method, SOCKETIO_PREFIX, forward)
    app.router.add_post(SLACK_EVENTS_PATH, forward)


async def _http(request: web.Request, rasa_url: str, client: aiohttp.ClientSession) -> web.StreamResponse:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.json_response({"error": "body_too_large"}, status=413)
    body = await request.read() if request.can_read_body else None
    try:
        async with client.request(
            request.method,
            f"{rasa_url}{request.path}",
            params=request.query,
            data=body,
            headers=_headers(request.headers, _FORWARDED_REQUEST_HEADERS),
            allow_redirects=False,
        ) as answer:
            payload = await answer.read()
            return web.Response(
                status=answer.status,
                body=payload,
                headers=_headers(answer.headers, _FORWARDED_RESPONSE_HEADERS),
            )
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        log.warning("web: the assistant did not answer a forwarded request (%s)", type(error).__name__)
        return web.json_response({"error": "assistant_unavailable"}, status=502)


async def _websocket(
    request: web.Request, rasa_url: str, client: aiohttp.ClientSession
) -> web.StreamResponse:
    try:
        upstream = await client.ws_connect(
            "ws" + rasa_url[len("http") :] + request.path,
            params=request.query,
            headers=_headers(request.headers, ("Origin", "User-Agent")),
            autoping=False,
        )
    except aiohttp.WSServerHandshakeError as refused:  # e.g. a foreign Origin: Rasa's answer stands
        return web.Response(status=refused.status)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        log.warning("web: could not open the assistant's socket (%s)", type(error).__name__)
        return web.json_response({"error": "assistant_unavailable"}, status=502)
    browser = web.WebSocketResponse(autoping=False, max_msg_size=MAX_BODY_BYTES)
    await browser.prepare(request)

    async def pump(source, target) -> None:
        async for message in source:
            if message.type == WSMsgType.TEXT:
                await target.send_str(message.data)
            elif message.type == WSMsgType.BINARY:
                await target.send_bytes(message.data)
            elif message.type == WSMsgType.PING:
                await target.ping(message.data)
            elif message.type == WSMsgType.PONG:
                await target.pong(message.data)
            else:  # closed or failed: end both sides
                break

    tasks = [asyncio.ensure_future(pump(browser, upstream)), asyncio.ensure_future(pump(upstream, browser))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await upstream.close()
        await browser.close()
    return browser
