"""The delivery worker: sends due outbox messages, with leases, retries and backoff.

Each round claims a batch of due messages by leasing them (`locked_until`,
`locked_by`) in a short transaction, sends them outside any transaction, then
records each outcome, but only while it still holds the lease. So:

* two workers, or a worker restarted after a crash, never send the same
  message at the same time: a leased message is not due for anyone else, and
  on PostgreSQL claiming uses FOR UPDATE SKIP LOCKED;
* a message whose worker died mid-send becomes due again when the lease
  expires and is sent again with the same X-Renewals-Delivery id, so a
  receiver that de-duplicates on it sees it once. A healthy endpoint that
  answered 2xx is never sent the message again;
* a failure keeps the message, records a short error (never the response
  body) and schedules the next attempt with exponential backoff.

`run_worker` loops until its stop event is set and survives any exception.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Protocol, Sequence

from sqlalchemy.engine import Engine

from renewals.clock import Clock
from renewals.jobs.health import RoundHealth
from renewals.outbox import Backoff, OutboxMessage
from renewals.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 10
DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_POLL_INTERVAL = 5.0
DEFAULT_BACKOFF = Backoff()  # frozen: one instance serves every worker


@dataclass(frozen=True)
class SendResult:
    delivered: bool
    status: Optional[int] = None  # HTTP status, when there was a response
    error: Optional[str] = None  # short, e.g. "HTTP 500" or "timeout"; never personal data
    flagged: bool = False  # the receiver refused the message: a person should look (it is still retried)
    retry_after: Optional[timedelta] = None  # the receiver asked to wait at least this long (e.g. HTTP 429)
    permanent: bool = False  # the receiver refused it for good (an SMTP 5xx): never attempted again


class Sender(Protocol):
    """Sends outbox messages of its `topics` (renewals.delivery.webhook.WebhookSender and
    renewals.delivery.slack_notices.SlackSender are two; SendersByTopic combines them)."""

    topics: tuple[str, ...]

    def send(self, message: OutboxMessage, now: datetime) -> SendResult: ...


class SendersByTopic:
    """One Sender for several topics: each message goes to the sender of its topic.

    `timeout` is the longest of the senders' timeouts, for sizing the worker's lease.
    """

    def __init__(self, senders: Sequence[Sender]):
        self._by_topic: dict[str, Sender] = {}
        for sender in senders:
            for topic in sender.topics:
                if topic in self._by_topic:
                    raise ValueError(f"two senders for topic {topic}")
                self._by_topic[topic] = sender
        self.topics = tuple(self._by_topic)
        self.timeout = max((getattr(sender, "timeout", 0.0) for sender in senders), default=0.0)

    def send(self, message: OutboxMessage, now: datetime) -> SendResult:
        return self._by_topic[message.topic].send(message, now)


@dataclass(frozen=True)
class DeliveryReport:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.claimed + other.claimed, self.delivered + other.delivered, self.failed + other.failed
        )


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DeliveryWorker:
    """Delivers due outbox messages for `sender.topics`.

    The lease must outlast a batch of sends: keep `lease` above
    `batch_size` times the sender's timeout (the defaults allow 30 s each).
    """

    def __init__(
        self,
        engine: Engine,
        sender: Sender,
        clock: Clock,
        *,
        worker_id: Optional[str] = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lease: timedelta = DEFAULT_LEASE,
        backoff: Backoff = DEFAULT_BACKOFF,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.engine = engine
        self.sender = sender
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.batch_size = batch_size
        self.lease = lease
        self.backoff = backoff

    def run_once(self) -> DeliveryReport:
        """Claim one batch of due messages, send them and record the outcomes."""
        messages = self._claim()
        report = DeliveryReport(claimed=len(messages))
        for message in messages:
            if message.locked_until is not None and self.clock.now() >= message.locked_until:
                # Too slow: the lease ran out, another worker may have this one now.
                log.warning("Lease on outbox message %s expired before sending; leaving it", message.id)
                continue
            if self._deliver(message):
                report += DeliveryReport(delivered=1)
            else:
                report += DeliveryReport(failed=1)
        return report

    def deliver_due(self) -> DeliveryReport:
        """Rounds of run_once until no due message is left (a failed one waits for its next attempt).

        A round that delivered something is followed by another: a case's next
        message only becomes due once the one before it is delivered.
        """
        total = DeliveryReport()
        while True:
            report = self.run_once()
            total += report
            if report.delivered == 0:
                return total

    def _claim(self) -> list[OutboxMessage]:
        now = self.clock.now()
        with UnitOfWork(self.engine, immediate=True) as uow:
            return uow.outbox.claim(
                self.sender.topics,
                now=now,
                worker_id=self.worker_id,
                lease_until=now + self.lease,
                limit=self.batch_size,
                skip_locked=uow.dialect_name == "postgresql",
            )

    def _deliver(self, message: OutboxMessage) -> bool:
        attempt = message.attempts + 1
        try:
            result = self.sender.send(message, self.clock.now())
        except Exception as error:  # a sender bug must not stop the worker or lose the message
            log.error("Sender raised %s for outbox message %s", type(error).__name__, message.id)
            result = SendResult(delivered=False, error=f"sender raised {type(error).__name__}")
        now = self.clock.now()
        with UnitOfWork(self.engine) as uow:
            if result.delivered:
                settled = uow.outbox.mark_delivered(message.id, self.worker_id, now)
            else:
                next_attempt_at = now + max(self.backoff.delay(attempt), result.retry_after or timedelta(0))
                settled = uow.outbox.mark_failed(
                    message.id,
                    self.worker_id,
                    now,
                    result.error or "failed",
                    next_attempt_at,
                    result.flagged,
                    permanent=result.permanent,
                )
        if not settled:
            log.warning(
                "Outbox message %s was no longer leased to this worker; outcome not recorded", message.id
            )
        elif result.delivered:
            log.info(
                "Delivered outbox message %s (%s, case %s) on attempt %d",
                message.id,
                message.topic,
                message.case_reference,
                attempt,
            )
        elif result.permanent:
            log.warning(
                "Delivery of outbox message %s (%s) was refused for good on attempt %d: %s; not retried",
                message.id,
                message.topic,
                attempt,
                result.error,
            )
        else:
            log.warning(
                "Delivery of outbox message %s (%s, case %s) failed on attempt %d: %s%s; will retry",
                message.id,
                message.topic,
                message.case_reference,
                attempt,
                result.error,
                " (flagged for attention)" if result.flagged else "",
            )
        return result.delivered and settled


def run_worker(
    engine: Engine,
    sender: Sender,
    clock: Clock,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    stop_event: Optional[threading.Event] = None,
    *,
    worker: Optional[DeliveryWorker] = None,
    health: Optional[RoundHealth] = None,
) -> None:
    """Deliver until `stop_event` is set: a round that delivered something is followed at once by the next
    (messages queued behind it are due now), else wait `poll_interval`.

    Any exception (database down, a bug) is logged and the loop goes on after `poll_interval`. Each
    round's outcome goes to `health`, which the worker's health check reports.
    """
    stop_event = stop_event or threading.Event()
    worker = worker or DeliveryWorker(engine, sender, clock)
    log.info("Outbox worker %s started for %s", worker.worker_id, ", ".join(sender.topics))
    while not stop_event.is_set():
        busy = False
        try:
            report = worker.run_once()
            busy = report.delivered > 0
            if health is not None:
                health.succeeded()
        except Exception as error:
            if health is not None:
                health.failed(error)
            # The stack, but not the exception's message: that might quote data.
            stack = "".join(traceback.format_tb(error.__traceback__))
            log.error(
                "Outbox delivery round failed (%s); trying again shortly\n%s", type(error).__name__, stack
            )
        if not busy:
            stop_event.wait(poll_interval)
    log.info("Outbox worker %s stopped", worker.worker_id)
