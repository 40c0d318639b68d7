"""rasa_sdk's action server, hardened.

rasa_sdk trusts whatever tracker it is sent, so anyone who can reach it can
run any action with made-up slots (read a licence's contact details, open a
real case). Here:

* every request but `GET /health` must carry the shared secret in the
  `X-Action-Server-Token` header (Rasa sends it, see endpoints.yml); without
  it: 401 and nothing runs;
* the server listens on 127.0.0.1 unless ACTION_SERVER_HOST says otherwise;
* an error answers `{"error": "internal error"}`: rasa_sdk's own handler
  echoes the whole request body (contact details included) and logs the
  exception's text;
* no CORS: browsers have no business here.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from typing import Mapping

from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Server-Token"
TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
HOST_VARIABLE = "ACTION_SERVER_HOST"
DEFAULT_HOST = "127.0.0.1"
OPEN_PATHS = ("/health",)


class MissingToken(RuntimeError):
    """ACTION_SERVER_TOKEN is not set."""


def token_from_env(environ: Mapping[str, str] = os.environ) -> str:
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if len(token) < 16:
        raise MissingToken(
            f"{TOKEN_VARIABLE} must be set (16 characters or more): Rasa sends it to the action server"
        )
    return token


def host_from_env(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(HOST_VARIABLE, "").strip() or DEFAULT_HOST


def create_app(token: str, action_package: str = "actions") -> Sanic:
    app = create_sdk_app(action_package, cors_origins=None)
    expected = token.encode("utf-8")

    @app.middleware("request")
    async def require_token(request: Request):
        if request.path in OPEN_PATHS:
            return None
        supplied = request.headers.get(TOKEN_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(supplied, expected):
            log.warning(
                "action server: refused a request to %s without the shared secret", request.path[:100]
            )
            return response.json({"error": "unauthorized"}, status=401)
        if request.method == "POST" and request.headers.get("Content-Encoding") != "deflate":
            try:
                body = json.loads(request.body or b"")
            except ValueError:  # invalid JSON or UTF-8
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "bad request"}, status=400)
        return None

    async def minimal_error(request: Request, exception: Exception):
        # The type only: the message or the request body can hold personal data.
        log.error("action server: %s while handling %s", type(exception).__name__, request.path[:100])
        status = getattr(exception, "status_code", 500) or 500
        return response.json({"error": "internal error" if status >= 500 else "bad request"}, status=status)

    app.error_handler.add(Exception, minimal_error)
    return app
