"""The outbox worker: every case reaches the helpdesk once, through failures, restarts and rival workers."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from renewals.cases import case_document
from renewals.delivery.webhook import WebhookConfig, WebhookSender
from renewals.delivery.worker import DeliveryWorker, SendResult, run_worker
from renewals.outbox import CASE_WEBHOOK_TOPIC, Backoff
from renewals.service import Renewals
from renewals.storage.db import outbox
from renewals.storage.repositories import OutboxRepository
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.cases import ACME_CHECKLIST, WebhookReceiver
from tests.support.clocks import ManualClock

NO_JITTER = Backoff(random=lambda: 0.0)
IMMEDIATE_RETRY = Backoff(base=timedelta(0), random=lambda: 0.0)


@pytest.fixture
def clock():
    return ManualClock()


def open_cases(engine, clock, count: int) -> list:
    renewals = Renewals(engine, clock, case_delivery_topics=(CASE_WEBHOOK_TOPIC,))
    return [renewals.open_renewal_case(ACME_CHECKLIST, f"conversation-{i}", "web") for i in range(count)]


def webhook(receiver: WebhookReceiver, timeout: float = 5.0) -> WebhookSender:
    return WebhookSender(WebhookConfig(url=receiver.url, secret="test-secret-please-rotate", timeout=timeout))


def outbox_rows(engine) -> list:
    with engine.connect() as connection:
        ids = connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars().all()
    with UnitOfWork(engine) as uow:
        return [uow.outbox.get(message_id) for message_id in ids]


def assert_each_case_accepted_once(receiver, cases):
    accepted = receiver.accepted()
    assert sorted(r.document["reference"] for r in accepted) == sorted(c.reference for c in cases)
    assert all(r.signature_is_valid() for r in receiver.all_requests())
    by_reference = {c.reference: c for c in cases}
    assert all(r.document == case_document(by_reference[r.document["reference"]]) for r in accepted)
    # Nothing is sent again once the endpoint has answered 2xx.
    accepted_ids = [r.delivery_id for r in accepted]
    assert len(set(accepted_ids)) == len(accepted_ids)
    for request in receiver.all_requests():
        later = receiver.all_requests()[receiver.all_requests().index(request) + 1 :]
        if request.answered == "ok":
            assert request.delivery_id not in [r.delivery_id for r in later]


# --- backoff ------------------------------------------------------------------------


def test_backoff_doubles_from_five_seconds_up_to_fifteen_minutes():
    delays = [NO_JITTER.delay(n).total_seconds() for n in range(1, 12)]

    assert delays == [5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]
    assert NO_JITTER.delay(10_000) == timedelta(minutes=15)


def test_jitter_adds_at_most_a_tenth():
    assert Backoff(random=lambda: 1.0).delay(1) == timedelta(seconds=5.5)
    assert Backoff(random=lambda: 0.5).delay(9) == timedelta(seconds=945)


# --- delivery through failures -----------------------------------------------------------


def test_every_case_arrives_once_with_a_valid_signature_despite_failures(demo_engine, clock):
    cases = open_cases(demo_engine, clock, 5)
    failures = ["500", "drop", "500", "drop", "503", "500"]
    with WebhookReceiver(script=list(failures)) as receiver:
        worker = DeliveryWorker(demo_engine, webhook(receiver), clock, backoff=NO_JITTER, batch_size=2)
        for _ in range(20):
            worker.deliver_due()
            if len(receiver.accepted()) == len(cases):
                break
            clock.advance(minutes=15)

    assert_each_case_accepted_once(receiver, cases)
    assert len(receiver.all_requests()) == len(cases) + len(failures)
    rows = outbox_rows(demo_engine)
    assert all(
        row.delivered_at is not None and row.payload is None and row.last_error is None for row in rows
    )
    assert sum(row.attempts for row in rows) == len(cases) + len(failures)


def test_a_failure_is_recorded_and_retried_after_an_exponential_backoff(demo_engine, clock):
    [case] = open_cases(demo_engine, clock, 1)
    with WebhookReceiver(script=["500", "drop", "500"]) as receiver:
        worker = DeliveryWorker(demo_engine, webhook(receiver), clock, backoff=NO_JITTER)
        schedule = []
        for wait in (5, 10, 20):
            assert worker.deliver_due().failed == 1
            [row] = outbox_rows(demo_engine)
            schedule.append((row.attempts, row.last_error, row.next_attempt_at - clock.now()))
            clock.advance(seconds=wait - 1)
            assert worker.deliver_due().claimed == 0  # not due yet
            clock.advance(seconds=1)
        assert worker.deliver_due().delivered == 1

    assert schedule == [
        (1, "HTTP 500", timedelta(seconds=5)),
        (2, "RemoteDisconnected", timedelta(seconds=10)),
        (3, "HTTP 500", timedelta(seconds=20)),
    ]
    assert_each_case_accepted_once(receiver, [case])


def test_a_refused_message_is_flagged_but_still_retried(demo_engine, clock):
    [case] = open_cases(demo_engine, clock, 1)
    with WebhookReceiver(script=["404"]) as receiver:
        worker = DeliveryWorker(demo_engine, webhook(receiver), clock, backoff=NO_JITTER)
        worker.deliver_due()
        with UnitOfWork(demo_engine) as uow:
            [pending] = uow.outbox.undelivered()
        clock.advance(seconds=5)
        worker.deliver_due()

    assert (pending.flagged, pending.last_error) == (True, "HTTP 404 (refused)")
    [row] = outbox_rows(demo_engine)
    assert row.delivered_at is not None and not row.flagged
    assert_each_case_accepted_once(receiver, [case])


def test_failed_messages_are_never_deleted(demo_engine, clock):
    open_cases(demo_engine, clock, 3)
    with WebhookReceiver(script=["500"] * 30) as receiver:
        worker = DeliveryWorker(demo_engine, webhook(receiver), clock, backoff=NO_JITTER)
        for _ in range(5):
            worker.deliver_due()
            clock.advance(minutes=15)

    with UnitOfWork(demo_engine) as uow:
        pending = uow.outbox.undelivered()
    assert [m.attempts for m in pending] == [5, 5, 5]


def test_once_mode_stops_when_only_failed_messages_are_left(demo_engine, clock):
    open_cases(demo_engine, clock, 3)
    with WebhookReceiver(script=["500"] * 3) as receiver:
        report = DeliveryWorker(demo_engine, webhook(receiver), clock, batch_size=1).deliver_due()

    assert (report.delivered, report.failed) == (0, 1)  # a full batch that all failed ends the run


def test_a_worker_only_takes_messages_of_its_own_topics(demo_engine, clock):
    with UnitOfWork(demo_engine) as uow:
        uow.outbox.add(topic="slack.reseller", dedupe_key="slack:1", payload="{}", created_at=clock.now())
    with WebhookReceiver() as receiver:
        report = DeliveryWorker(demo_engine, webhook(receiver), clock).deliver_due()

    assert report.claimed == 0 and receiver.all_requests() == []


# --- restarts and rival workers ------------------------------------------------------------


def test_a_restarted_worker_delivers_what_the_previous_one_left(demo_engine, clock):
    cases = open_cases(demo_engine, clock, 4)
    with WebhookReceiver(script=["500", "500"]) as receiver:
        first = DeliveryWorker(demo_engine, webhook(receiver), clock, backoff=NO_JITTER, batch_size=2)
        first.run_once()  # two attempts fail, then the worker "stops"
        first._claim()  # and a crash leaves two more leased but never sent
        restarted = DeliveryWorker(demo_engine, webhook(receiver), clock, backoff=NO_JITTER)

        assert restarted.deliver_due().claimed == 0  # leases and backoff still hold
        clock.advance(minutes=6)  # past the 5-minute lease
        restarted.deliver_due()

    assert_each_case_accepted_once(receiver, cases)


def test_a_crash_between_sending_and_recording_resends_with_the_same_delivery_id(
    demo_engine, clock, monkeypatch
):
    [case] = open_cases(demo_engine, clock, 1)
    with WebhookReceiver() as receiver:
        crashing = DeliveryWorker(demo_engine, webhook(receiver), clock)
        with monkeypatch.context() as patch:
            patch.setattr(
                OutboxRepository, "mark_delivered", lambda *a: (_ for _ in ()).throw(ConnectionError())
            )
            with pytest.raises(ConnectionError):
                crashing.run_once()
        clock.advance(minutes=6)
        DeliveryWorker(demo_engine, webhook(receiver), clock).deliver_due()

    first, second = receiver.all_requests()
    # The receiver saw it twice, under one delivery id it can de-duplicate on.
    assert first.delivery_id == second.delivery_id and first.body == second.body
    [row] = outbox_rows(demo_engine)
    assert row.delivered_at is not None


def test_a_lease_that_ran_out_before_sending_is_left_to_others(demo_engine, clock):
    open_cases(demo_engine, clock, 2)

    class SlowSender:
        topics = (CASE_WEBHOOK_TOPIC,)
        sent = []

        def send(self, message, now):
            self.sent.append(message.id)
            clock.advance(minutes=10)  # slower than the lease
            return SendResult(delivered=True, status=200)

    report = DeliveryWorker(demo_engine, SlowSender(), clock, batch_size=2).run_once()

    # The first was sent and, as no other worker had taken it over, recorded; the second was not sent.
    assert (report.claimed, report.delivered, len(SlowSender.sent)) == (2, 1, 1)
    with UnitOfWork(demo_engine) as uow:
        [left] = uow.outbox.undelivered()
    assert left.attempts == 0 and left.locked_until <= clock.now()  # due for any worker again


def test_two_workers_running_at_once_never_send_a_case_twice(demo_engine, clock):
    cases = open_cases(demo_engine, clock, 16)
    stop = threading.Event()
    delivered_by = Counter()

    class CountingWorker(DeliveryWorker):
        def run_once(self):
            report = super().run_once()
            delivered_by[self.worker_id] += report.delivered
            return report

    with WebhookReceiver(delay=0.01) as receiver:
        workers = [
            threading.Thread(
                target=run_worker,
                args=(demo_engine, webhook(receiver), clock, 0.01, stop),
                kwargs={"worker": CountingWorker(demo_engine, webhook(receiver), clock, batch_size=3)},
            )
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 20
        while len(receiver.all_requests()) < len(cases) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # room for a wrongful second send to show up
        stop.set()
        for worker in workers:
            worker.join(timeout=10)

    assert Counter(r.delivery_id for r in receiver.all_requests()).most_common(1)[0][1] == 1
    assert len(delivered_by) == 2 and all(delivered_by.values())  # both workers really took part
    assert_each_case_accepted_once(receiver, cases)
    with demo_engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).where(outbox.c.delivered_at.is_(None))).scalar_one() == 0
        )


def test_the_worker_loop_survives_exceptions_and_keeps_delivering(demo_engine, clock, caplog):
    cases = open_cases(demo_engine, clock, 2)
    with WebhookReceiver() as receiver:
        worker = DeliveryWorker(demo_engine, webhook(receiver), clock, backoff=IMMEDIATE_RETRY)
        real_run_once = worker.run_once
        rounds = []

        def flaky_run_once():
            rounds.append(1)
            if len(rounds) <= 2:
                raise RuntimeError("database went away")
            return real_run_once()

        worker.run_once = flaky_run_once
        stop = threading.Event()
        thread = threading.Thread(
            target=run_worker, args=(demo_engine, worker.sender, clock, 0.01, stop), kwargs={"worker": worker}
        )
        with caplog.at_level(logging.ERROR, logger="renewals.delivery.worker"):
            thread.start()
            deadline = time.monotonic() + 10
            while len(receiver.accepted()) < len(cases) and time.monotonic() < deadline:
                time.sleep(0.02)
            stop.set()
            thread.join(timeout=10)

    assert not thread.is_alive()
    assert_each_case_accepted_once(receiver, cases)
    assert caplog.text.count("Outbox delivery round failed (RuntimeError)") == 2


def test_a_sender_that_raises_is_a_failed_attempt_not_a_lost_message(demo_engine, clock):
    open_cases(demo_engine, clock, 1)

    class BrokenSender:
        topics = (CASE_WEBHOOK_TOPIC,)

        def send(self, message, now):
            raise KeyError("bug")

    report = DeliveryWorker(demo_engine, BrokenSender(), clock).run_once()

    [row] = outbox_rows(demo_engine)
    assert report.failed == 1
    assert (row.attempts, row.last_error, row.delivered_at) == (1, "sender raised KeyError", None)
    assert json.loads(row.payload)["reference"] == "RN-2026-000001"


def test_delivery_ids_are_uuids_that_do_not_repeat_after_a_database_reset(tmp_path):
    """A receiver de-duplicating on X-Renewals-Delivery must not drop the first message of a new database."""
    import uuid as uuid_module

    from renewals.storage.db import make_engine, migrate
    from renewals.storage.unit_of_work import UnitOfWork

    def first_delivery_id(name: str) -> str:
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        migrate(engine)
        with UnitOfWork(engine) as uow:
            message_id = uow.outbox.add(
                "case.webhook", "k1", "{}", datetime(2026, 11, 28, tzinfo=timezone.utc)
            )
            message = uow.outbox.get(message_id)
        engine.dispose()
        assert message.id == 1
        return message.delivery_id

    before_reset, after_reset = first_delivery_id("first.db"), first_delivery_id("reset.db")

    assert before_reset != after_reset
    assert str(uuid_module.UUID(before_reset)) == before_reset
