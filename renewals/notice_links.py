"""The "Check my renewal" link of a renewal notice: a signed token naming one notice until it expires.

A token is `<notice id>.<expiry, Unix seconds>.<signature>`, the signature being HMAC-SHA256 over the
first two parts with NOTICE_LINK_SECRET, base64url without padding. It holds no personal data: the
notice id leads to the licence only through the database. A token proves that whoever holds it
received that notice's email (docs/privacy.md says what that allows). It travels in the URL's fragment
(`/#renewal=<token>`), which browsers never send to a server or in a Referer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Mapping, Optional

SECRET_VARIABLE = "NOTICE_LINK_SECRET"
MIN_SECRET_LENGTH = 32
FRAGMENT_KEY = "renewal"
_CONTEXT = b"renewals-notice-link:"
_TOKEN = re.compile(r"([1-9][0-9]{0,11})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})")


class LinkSecretMissing(RuntimeError):
    """NOTICE_LINK_SECRET is unset or too short."""


def link_secret_from_env(environ: Mapping[str, str] = os.environ) -> bytes:
    value = environ.get(SECRET_VARIABLE, "")
    if len(value) < MIN_SECRET_LENGTH:
        raise LinkSecretMissing(
            f"{SECRET_VARIABLE} must be set to at least {MIN_SECRET_LENGTH} characters "
            "(scripts/secrets.sh generates one into var/notice-link-secret)"
        )
    return value.encode()


def _signature(secret: bytes, notice_id: int, expires: int) -> str:
    digest = hmac.new(secret, _CONTEXT + f"{notice_id}.{expires}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret: bytes, notice_id: int, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{notice_id}.{expires}.{_signature(secret, notice_id, expires)}"


def link_url(web_origin: str, token: str) -> str:
    return f"{web_origin.rstrip('/')}/#{FRAGMENT_KEY}={token}"


class LinkState(Enum):
    VALID = "valid"
    EXPIRED = "expired"  # genuine, but past its expiry
    INVALID = "invalid"  # malformed, tampered with or signed with another secret


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    notice_id: Optional[int] = None  # for VALID and EXPIRED
    expired_at: Optional[datetime] = None


def check(secret: bytes, token: Optional[str], now: datetime) -> LinkCheck:
    match = _TOKEN.fullmatch((token or "").strip())
    if match is None:
        return LinkCheck(LinkState.INVALID)
    notice_id, expires, signature = int(match.group(1)), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(signature, _signature(secret, notice_id, expires)):
        return LinkCheck(LinkState.INVALID)
    expired_at = datetime.fromtimestamp(expires, timezone.utc)
    state = LinkState.VALID if now < expired_at else LinkState.EXPIRED
    return LinkCheck(state, notice_id, expired_at)
