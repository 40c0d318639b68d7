"""The outbox: messages to other systems, stored with the change they announce.

A message is written in the same transaction as the case it is about, so a
committed case always has its message and a rolled-back one never does. The
delivery worker (renewals.delivery.worker) sends messages afterwards, retrying with
backoff; a message is only ever marked delivered, never deleted on failure.

Each message has a `topic` naming where it goes ("case.webhook": the helpdesk
webhook; "case.slack": the reseller's Slack channel; "notice.email" and
"notice.slack": renewal notices, to the customer and to their reseller) and a
`dedupe_key` that is unique forever, so the same event can never be queued twice.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Optional

CASE_WEBHOOK_TOPIC = "case.webhook"
# A notice in the Slack channel of the reseller a case is routed to (renewals.delivery.slack_notices).
CASE_SLACK_TOPIC = "case.slack"
# A renewal notice (renewals.notices) by email to the licence contact (renewals.delivery.email), and the
# reseller's Slack messages about their customers' notices and their weekly digest.
NOTICE_EMAIL_TOPIC = "notice.email"
NOTICE_SLACK_TOPIC = "notice.slack"
# Emails a customer asked for in the chat: a copy of it, an agent's reply (renewals.chat_emails).
CHAT_EMAIL_TOPIC = "chat.email"


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    delivery_id: str  # a UUID, the same on every attempt: receivers de-duplicate on it
    topic: str
    case_reference: Optional[str]
    # The JSON document to send; it holds personal data, hence kept out of repr().
    # None once delivered (the payload is cleared then) and in listings.
    payload: Optional[str] = field(repr=False)
    created_at: datetime
    attempts: int  # attempts made so far
    next_attempt_at: Optional[datetime]  # None: as soon as a worker is free
    last_attempt_at: Optional[datetime]
    last_error: Optional[str]
    flagged: bool  # the receiver refused it (4xx): a person should look
    delivered_at: Optional[datetime]
    locked_until: Optional[datetime]


def encode_payload(document: Mapping[str, Any]) -> str:
    """The canonical JSON text stored and sent: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Backoff:
    """How long to wait before the next attempt: base * 2^(failures - 1), capped, plus a little jitter.

    With the defaults: 5 s, 10 s, 20 s, ... up to 15 minutes, each plus up to
    10 %, so workers that failed together do not retry in lockstep. Tests pass
    `random=lambda: 0.0` for exact times.
    """

    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(minutes=15)
    jitter: float = 0.1  # fraction of the delay added at most
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def delay(self, failed_attempts: int) -> timedelta:
        """The wait after the `failed_attempts`-th failure in a row (1 for the first)."""
        exponent = max(0, failed_attempts - 1)
        # Cap the exponent first so a long outage never builds a huge number.
        seconds = min(self.base.total_seconds() * 2 ** min(exponent, 32), self.cap.total_seconds())
        return timedelta(seconds=seconds * (1 + self.jitter * self.random()))
