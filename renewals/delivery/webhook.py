"""Delivering cases to a helpdesk by webhook: a signed JSON POST per case.

Set CASE_WEBHOOK_URL (and CASE_WEBHOOK_SECRET) to have every new case posted
to a helpdesk bridge (Zendesk, Jira, ServiceNow, ...). Without a URL, cases
stay in the local database only: that is the default.

Each request carries:

* `Content-Type: application/json` and the case document as the body
  (renewals.cases.case_document);
* `X-Renewals-Delivery`: the message's delivery id, a UUID stored with it. A
  retry after a lost response sends the same id again, so receivers
  de-duplicate on it; unlike a row id it never repeats, even after a reset;
* `X-Renewals-Timestamp`: Unix seconds when the request was signed;
* `X-Renewals-Signature`: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
  keyed with the shared secret. Receivers check it with `verify_signature`.

Only the standard library is used (urllib), with a timeout; redirects are not
followed, so a moved endpoint shows up as a failure instead of a lost POST.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping, Optional, Union

from renewals.delivery.http import describe_failure, is_http_url, no_redirect_opener
from renewals.delivery.worker import SendResult
from renewals.outbox import CASE_WEBHOOK_TOPIC, OutboxMessage

URL_VARIABLE = "CASE_WEBHOOK_URL"
SECRET_VARIABLE = "CASE_WEBHOOK_SECRET"
TIMEOUT_VARIABLE = "CASE_WEBHOOK_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 10.0

DELIVERY_HEADER = "X-Renewals-Delivery"
TIMESTAMP_HEADER = "X-Renewals-Timestamp"
SIGNATURE_HEADER = "X-Renewals-Signature"
SIGNATURE_PREFIX = "sha256="
# Statuses that mean "try again later" rather than "this request is wrong".
RETRYABLE_CLIENT_ERRORS = (408, 429)


class WebhookConfigError(ValueError):
    """CASE_WEBHOOK_* is set but unusable."""


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if not is_http_url(self.url):
            raise WebhookConfigError(f"{URL_VARIABLE} must be an http:// or https:// URL")
        if not self.secret:
            raise WebhookConfigError(
                f"{SECRET_VARIABLE} must be set when {URL_VARIABLE} is: requests are signed with it"
            )
        if not 0 < self.timeout <= 300:
            raise WebhookConfigError(f"{TIMEOUT_VARIABLE} must be a number of seconds from 1 to 300")


def webhook_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """True when CASE_WEBHOOK_URL is set, i.e. new cases should be queued for the webhook."""
    return bool(environ.get(URL_VARIABLE, "").strip())


def webhook_config_from_env(environ: Mapping[str, str] = os.environ) -> Optional[WebhookConfig]:
    """The webhook settings, or None when CASE_WEBHOOK_URL is not set. Raises WebhookConfigError if
    unusable."""
    if not webhook_configured(environ):
        return None
    raw_timeout = environ.get(TIMEOUT_VARIABLE, "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        raise WebhookConfigError(f"{TIMEOUT_VARIABLE} must be a number of seconds from 1 to 300") from None
    return WebhookConfig(
        url=environ[URL_VARIABLE].strip(), secret=environ.get(SECRET_VARIABLE, "").strip(), timeout=timeout
    )


def _as_bytes(value: Union[str, bytes]) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: str, timestamp: str, body: Union[str, bytes]) -> str:
    """The X-Renewals-Signature value for `body` sent at `timestamp`."""
    digest = hmac.new(
        _as_bytes(secret), _as_bytes(timestamp) + b"." + _as_bytes(body), hashlib.sha256
    ).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(
    secret: str,
    timestamp: str,
    body: Union[str, bytes],
    header: Optional[str],
    *,
    now: Optional[datetime] = None,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """True when `header` is the signature of `body` at `timestamp` with `secret`.

    For receivers: pass the raw request body, not re-serialised JSON. With
    `now`, a timestamp further than `tolerance` from it is refused too, so a
    captured request can't be replayed later.
    """
    if not header or not timestamp:
        return False
    if now is not None:
        try:
            sent = float(timestamp)
        except ValueError:
            return False
        if abs(now.timestamp() - sent) > tolerance.total_seconds():
            return False
    return hmac.compare_digest(
        sign(secret, timestamp, body).encode(), header.strip().encode("utf-8", "surrogateescape")
    )


class WebhookSender:
    """Posts `case.webhook` outbox messages to the configured URL (see renewals.delivery.Sender)."""

    topics: tuple[str, ...] = (CASE_WEBHOOK_TOPIC,)

    def __init__(self, config: WebhookConfig, opener: Optional[urllib.request.OpenerDirector] = None):
        self.config = config
        self._opener = opener or no_redirect_opener()

    @property
    def timeout(self) -> float:
        return self.config.timeout

    def send(self, message: OutboxMessage, now: datetime) -> SendResult:
        body = _as_bytes(message.payload or "")
        timestamp = str(int(now.timestamp()))
        request = urllib.request.Request(
            self.config.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "renewals-webhook/1",
                DELIVERY_HEADER: message.delivery_id,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self.config.secret, timestamp, body),
            },
        )
        try:
            with self._opener.open(request, timeout=self.config.timeout) as response:
                response.read(65536)  # drain a little so the connection closes cleanly; never logged
                status = response.status
        except urllib.error.HTTPError as error:
            error.close()
            return _result_for_status(error.code)
        except urllib.error.URLError as error:
            reason = error.reason
            return SendResult(
                delivered=False,
                error=describe_failure(reason) if isinstance(reason, BaseException) else "URLError",
            )
        except (OSError, http.client.HTTPException, socket.timeout) as error:
            return SendResult(delivered=False, error=describe_failure(error))
        return _result_for_status(status)


def _result_for_status(status: int) -> SendResult:
    if 200 <= status < 300:
        return SendResult(delivered=True, status=status)
    if 400 <= status < 500 and status not in RETRYABLE_CLIENT_ERRORS or 300 <= status < 400:
        # The receiver refused this request; retrying may not help, so a person should look.
        return SendResult(delivered=False, status=status, error=f"HTTP {status} (refused)", flagged=True)
    return SendResult(delivered=False, status=status, error=f"HTTP {status}")
