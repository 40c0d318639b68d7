"""Web chat session tokens: server-issued, unguessable, signed.

A token is ``<session_id>.<signature>``: the session id is 192 random bits
(``secrets.token_urlsafe(24)``) and is used as the Rasa conversation id; the
signature is HMAC-SHA256 over the session id with the server's secret
(``CHAT_SESSION_SECRET``), base64url without padding. Only the web service
issues tokens; the socket.io channel and the history API accept a
conversation id only from a token whose signature checks out, so a client can
neither choose its id nor take over another conversation's.
Standard library only: both the Rasa channel and the web service import it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from typing import Mapping, Optional

SECRET_ENV = "CHAT_SESSION_SECRET"
MIN_SECRET_LENGTH = 32
SESSION_ID_BYTES = 24  # 192 bits
# A session id is base64url text of at least 128 bits (22 characters).
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{43}")
# Domain separation: this secret signs nothing else, but a prefix keeps it that way.
_CONTEXT = b"renewals-web-chat-session:"


class SecretMissing(RuntimeError):
    """The signing secret is unset or too short to be safe."""


def secret_from_env(environ: Optional[Mapping[str, str]] = None) -> bytes:
    """The signing secret from ``CHAT_SESSION_SECRET``; raises if it is unset or short."""
    value = (environ if environ is not None else os.environ).get(SECRET_ENV, "")
    return check_secret(value)


def check_secret(value: str | bytes) -> bytes:
    secret = value.encode() if isinstance(value, str) else bytes(value)
    if len(secret) < MIN_SECRET_LENGTH:
        raise SecretMissing(
            f"{SECRET_ENV} must be set to at least {MIN_SECRET_LENGTH} characters "
            "(scripts/run.sh generates one into var/chat-session-secret)"
        )
    return secret


def _sign(secret: bytes, session_id: str) -> str:
    digest = hmac.new(secret, _CONTEXT + session_id.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def issue(secret: bytes, session_id: Optional[str] = None) -> str:
    """A token for a new session (or for ``session_id``, e.g. in tests)."""
    session_id = session_id or new_session_id()
    if not _SESSION_ID.fullmatch(session_id):
        raise ValueError("a session id is 22 to 64 base64url characters")
    return f"{session_id}.{_sign(secret, session_id)}"


def verify(secret: bytes, token: object) -> Optional[str]:
    """The session id of a genuine token, else None (never raises on bad input)."""
    if not isinstance(token, str) or len(token) > 200:
        return None
    session_id, dot, signature = token.rpartition(".")
    if not dot or not _SESSION_ID.fullmatch(session_id) or not _SIGNATURE.fullmatch(signature):
        return None
    if not hmac.compare_digest(signature.encode("ascii"), _sign(secret, session_id).encode("ascii")):
        return None
    return session_id
