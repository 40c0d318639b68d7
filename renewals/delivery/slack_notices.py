"""Case notices in the reseller's Slack channel, delivered from the outbox.

When a case is opened and routed to a reseller with a Slack channel
(`resellers.slack_channel_id`), a `case.slack` outbox message is written in
the same transaction (renewals.cases). The delivery worker (renewals.delivery.worker)
hands it to `SlackSender`, which posts it with Slack's `chat.postMessage`:
the reference, company, product, users and licence expiry; never the
contact's name, email, phone or address.

Never lost, never doubled:

* the message stays in the outbox until Slack answers `{"ok": true}`; an HTTP
  error, a timeout, `{"ok": false}` or HTTP 429 is a failed attempt, retried
  with backoff (429's Retry-After is respected). Errors that retrying will not
  fix (`channel_not_found`, `invalid_auth`, ...) are also flagged for a person;
* each post carries Slack message metadata naming the outbox message
  (`event_type` "renewals_case_notice", `event_payload.delivery` = its delivery id,
  a UUID that never repeats, not even after a database reset).
  Before posting, the sender reads the channel's latest messages for that id:
  if an earlier attempt reached Slack but its answer was lost (a timeout, a
  worker crash), it is recorded as delivered instead of being posted again.
  That needs the bot's `channels:history` (or `groups:history`) scope; without
  it, the check is skipped and delivery is at least once.

Settings: SLACK_BOT_TOKEN (the bot's xoxb- token; without it no notices are
queued), SLACK_API_URL (default https://slack.com/api/; tests point it at a
local fake) and SLACK_API_TIMEOUT (seconds per request, default 10).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Optional, Protocol

from sqlalchemy.engine import Engine

from renewals.delivery.http import describe_failure, is_http_url, no_redirect_opener
from renewals.delivery.worker import SendResult
from renewals.formatting import format_date
from renewals.outbox import CASE_SLACK_TOPIC, NOTICE_SLACK_TOPIC, OutboxMessage
from renewals.storage.unit_of_work import UnitOfWork

TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
API_URL_VARIABLE = "SLACK_API_URL"
TIMEOUT_VARIABLE = "SLACK_API_TIMEOUT"
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_TIMEOUT_SECONDS = 10.0

METADATA_EVENT_TYPE = "renewals_case_notice"
# Slack errors that mean "try again later"; any other `{"ok": false}` needs a person too.
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
HISTORY_PAGES = 3  # the channel's latest 3 x 200 messages are searched for an earlier delivery


class SlackConfigError(ValueError):
    """SLACK_* is set but unusable."""


@dataclass(frozen=True)
class SlackConfig:
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if not self.token:
            raise SlackConfigError(f"{TOKEN_VARIABLE} must be set")
        if not is_http_url(self.api_url):
            raise SlackConfigError(f"{API_URL_VARIABLE} must be an http:// or https:// URL")
        if not self.api_url.endswith("/"):
            object.__setattr__(self, "api_url", self.api_url + "/")
        if not 0 < self.timeout <= 300:
            raise SlackConfigError(f"{TIMEOUT_VARIABLE} must be a number of seconds from 1 to 300")

    def method_url(self, method: str) -> str:
        return self.api_url + method


def slack_notices_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """True when SLACK_BOT_TOKEN is set, i.e. cases routed to resellers should be queued for Slack."""
    return bool(environ.get(TOKEN_VARIABLE, "").strip())


def slack_config_from_env(environ: Mapping[str, str] = os.environ) -> Optional[SlackConfig]:
    """The Slack settings, or None without SLACK_BOT_TOKEN. Raises SlackConfigError if unusable."""
    if not slack_notices_configured(environ):
        return None
    raw_timeout = environ.get(TIMEOUT_VARIABLE, "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        raise SlackConfigError(f"{TIMEOUT_VARIABLE} must be a number of seconds from 1 to 300") from None
    return SlackConfig(
        token=environ[TOKEN_VARIABLE].strip(),
        api_url=environ.get(API_URL_VARIABLE, "").strip() or DEFAULT_API_URL,
        timeout=timeout,
    )


# --- what the notice says -------------------------------------------------------------------


def slack_escape(text: Any) -> str:
    """Text for a Slack message: &, < and > written as Slack wants them, so nothing becomes a link or
    mention."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def notice_text(document: Mapping[str, Any], product_name: Optional[str] = None) -> str:
    """The Slack message for a case document (renewals.cases.case_document), without contact details."""
    checklist = document.get("checklist") or {}
    reference = document.get("reference", "?")
    product = product_name or checklist.get("product_code") or "not given"
    if checklist.get("platform"):
        product = f"{product} ({checklist['platform']})"
    expiry = checklist.get("licence_expiry")
    try:
        expiry = format_date(date.fromisoformat(expiry)) if expiry else "not given"
    except ValueError:
        expiry = "not given"
    if document.get("event") == "handed_to_reseller":
        headline = f"Case *{reference}* has been handed to you by Trend Micro support."
    else:
        headline = f"New renewal case *{reference}* routed to you."
    lines = [
        headline,
        f"• Company: {slack_escape(checklist.get('company_name') or 'not given')}",
        f"• Product: {slack_escape(product)}",
        f"• Users: {checklist.get('user_count') or 'not given'}",
        f"• Licence expiry: {expiry}",
    ]
    if document.get("event") == "handed_to_reseller" and document.get("note"):
        lines.append(f"• Note: {slack_escape(document['note'])}")
    lines.append(
        f"Say `show my cases` to see your cases, or `mark {reference} in progress` when you pick it up."
    )
    return "\n".join(lines)


# --- where it goes --------------------------------------------------------------------------


class NoticeDirectory(Protocol):
    def slack_channel(self, reseller_id: str) -> Optional[str]: ...

    def product_name(self, product_code: str) -> Optional[str]: ...


class DatabaseDirectory:
    """Reads the reseller's channel (at sending time, so a changed channel applies) and product names."""

    def __init__(self, engine: Engine):
        self._engine = engine

    def slack_channel(self, reseller_id: str) -> Optional[str]:
        with UnitOfWork(self._engine) as uow:
            reseller = uow.resellers.get(reseller_id)
        return reseller.slack_channel_id if reseller is not None else None

    def product_name(self, product_code: str) -> Optional[str]:
        with UnitOfWork(self._engine) as uow:
            price_list = uow.price_lists.active()
        product = price_list.products.get(product_code) if price_list is not None else None
        return product.name if product is not None else None


# --- sending --------------------------------------------------------------------------------


class _Failed(Exception):
    def __init__(self, result: SendResult):
        self.result = result


class SlackSender:
    """Posts `case.slack` outbox messages to the reseller's channel (see renewals.delivery.Sender)."""

    # Case notices, and renewal notices and digests (NOTICE_SLACK_TOPIC: the text is in the payload).
    topics: tuple[str, ...] = (CASE_SLACK_TOPIC, NOTICE_SLACK_TOPIC)

    def __init__(
        self,
        config: SlackConfig,
        directory: NoticeDirectory,
        opener: Optional[urllib.request.OpenerDirector] = None,
    ):
        self.config = config
        self.directory = directory
        self._opener = opener or no_redirect_opener()

    @property
    def timeout(self) -> float:
        # A send can make a few history requests and one post.
        return self.config.timeout * (HISTORY_PAGES + 1)

    def send(self, message: OutboxMessage, now: datetime) -> SendResult:
        try:
            document = json.loads(message.payload or "")
        except ValueError:
            return SendResult(delivered=False, error="payload is not JSON", flagged=True)
        if message.topic == NOTICE_SLACK_TOPIC:
            reseller_id = document.get("reseller_id")
        else:
            reseller_id = (document.get("routing") or {}).get("reseller_id")
        channel = self.directory.slack_channel(reseller_id) if reseller_id else None
        if not channel:
            return SendResult(delivered=False, error="the reseller has no Slack channel", flagged=True)
        if message.topic == NOTICE_SLACK_TOPIC:
            text = str(document.get("text") or "")
        else:
            product_code = (document.get("checklist") or {}).get("product_code")
            product_name = self.directory.product_name(product_code) if product_code else None
            text = notice_text(document, product_name)
        try:
            if self._posted_before(channel, message):
                return SendResult(delivered=True, status=200)
            self._call_json(
                "chat.postMessage",
                {
                    "channel": channel,
                    "text": text,
                    "unfurl_links": False,
                    "unfurl_media": False,
                    "metadata": {
                        "event_type": METADATA_EVENT_TYPE,
                        "event_payload": {
                            "delivery": message.delivery_id,
                            "reference": document.get("reference"),
                        },
                    },
                },
            )
        except _Failed as failed:
            return failed.result
        return SendResult(delivered=True, status=200)

    def _posted_before(self, channel: str, message: OutboxMessage) -> bool:
        """True when the channel already shows this outbox message; False when not, or when history can't be
        read."""
        # The latest messages, newest first; no `oldest` bound: the outbox's clock may be pinned for a demo.
        cursor = None
        for _ in range(HISTORY_PAGES):
            fields = {"channel": channel, "limit": "200", "include_all_metadata": "true"}
            if cursor:
                fields["cursor"] = cursor
            try:
                answer = self._call_form("conversations.history", fields)
            except _Failed as failed:
                if failed.result.status == 200:
                    return False  # {"ok": false}, e.g. missing_scope: no check possible, post anyway
                raise  # Slack unreachable or failing: posting now would fail too
            for posted in answer.get("messages") or []:
                metadata = posted.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if (
                    metadata.get("event_type") == METADATA_EVENT_TYPE
                    and payload.get("delivery") == message.delivery_id
                ):
                    return True
            cursor = ((answer.get("response_metadata") or {}).get("next_cursor")) or None
            if not answer.get("has_more") or not cursor:
                return False
        return False

    def _call_json(self, method: str, body: Mapping[str, Any]) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._call(method, data, "application/json; charset=utf-8")

    def _call_form(self, method: str, fields: Mapping[str, str]) -> dict:
        return self._call(
            method, urllib.parse.urlencode(fields).encode("ascii"), "application/x-www-form-urlencoded"
        )

    def _call(self, method: str, data: bytes, content_type: str) -> dict:
        request = urllib.request.Request(
            self.config.method_url(method),
            data=data,
            method="POST",
            headers={
                "Content-Type": content_type,
                "Authorization": f"Bearer {self.config.token}",
                "User-Agent": "renewals-slack/1",
            },
        )
        try:
            with self._opener.open(request, timeout=self.config.timeout) as response:
                raw, status = response.read(1_000_000), response.status
        except urllib.error.HTTPError as error:
            retry_after = _retry_after(error.headers.get("Retry-After") if error.headers else None)
            error.close()
            flagged = 400 <= error.code < 500 and error.code not in (408, 429) or 300 <= error.code < 400
            raise _Failed(
                SendResult(
                    delivered=False,
                    status=error.code,
                    error=f"{method}: HTTP {error.code}",
                    flagged=flagged,
                    retry_after=retry_after,
                )
            ) from None
        except urllib.error.URLError as error:
            reason = error.reason
            described = describe_failure(reason) if isinstance(reason, BaseException) else "URLError"
            raise _Failed(SendResult(delivered=False, error=f"{method}: {described}")) from None
        except (OSError, http.client.HTTPException, socket.timeout) as error:
            raise _Failed(SendResult(delivered=False, error=f"{method}: {describe_failure(error)}")) from None
        try:
            answer = json.loads(raw or b"null")
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise _Failed(SendResult(delivered=False, status=status, error=f"{method}: answer is not JSON"))
        if not answer.get("ok"):
            code = str(answer.get("error") or "unknown_error")[:60]
            raise _Failed(
                SendResult(
                    delivered=False,
                    status=status,
                    error=f"{method}: {code}",
                    flagged=code not in RETRYABLE_ERRORS,
                )
            )
        return answer


def _retry_after(value: Optional[str]) -> Optional[timedelta]:
    try:
        seconds = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return timedelta(seconds=min(max(seconds, 0), 3600))
