"""Renewal notice emails end to end: the daily job queues them, the outbox worker delivers them to a real
SMTP server on 127.0.0.1 (aiosmtpd) or, without one, as .eml files, each exactly once, through temporary
refusals, and gives up for good on a permanent one."""

from __future__ import annotations

import re
import socket
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from renewals.clock import SYDNEY
from renewals.delivery.email import (
    EmailConfig,
    EmailConfigError,
    EmailSender,
    SmtpServer,
    email_config_from_env,
    smtp_server,
)
from renewals.delivery.worker import DeliveryWorker
from renewals.notice_service import NoticeSettings, resend_notice, send_renewal_notices, standing
from renewals.notices import DeliveryState, StandingKind
from renewals.outbox import NOTICE_EMAIL_TOPIC, Backoff
from renewals.storage.db import outbox
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.clocks import ManualClock
from tests.support.notices import DEMO_LICENCES, NOTICED_COMPANIES

SETTINGS = NoticeSettings(link_secret=b"k" * 32, web_origin="https://renewals.example")
SENDER = "Trend Micro Licensing ANZ <renewals@example.com>"
UNSUBSCRIBE = "mailto:renewals@example.com?subject=unsubscribe"
IMMEDIATE_RETRY = Backoff(base=timedelta(0), random=lambda: 0.0)

EXPECTED_RECIPIENTS = sorted(DEMO_LICENCES[company]["contact_email"] for company in NOTICED_COMPANIES)
NULLARBOR = DEMO_LICENCES["Nullarbor Mining Services"]
JACARANDA = DEMO_LICENCES["Jacaranda Schools Trust"]


@pytest.fixture
def engine(demo_sqlite_engine):
    return demo_sqlite_engine


@pytest.fixture
def clock():
    return ManualClock()  # noon in Sydney on 28 November 2026


# --- a real SMTP server ----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    content: bytes

    @property
    def message(self):
        return message_from_bytes(self.content, policy=policy.default)


class MailServer:
    """An aiosmtpd handler that records what it accepts, refuses the recipients in `refuse` with a 550, and
    answers the first `busy` deliveries with 451 (at RCPT or DATA, as `busy_at` says)."""

    def __init__(self, busy: int = 0, busy_at: str = "DATA", refuse: tuple = ()):
        self.received: list[Received] = []
        self.deferred: list[bytes] = []  # the messages refused with 451 at DATA
        self.recipients_tried: list[str] = []
        self._busy, self._busy_at, self._refuse = busy, busy_at, set(refuse)
        self._lock = threading.Lock()

    def _take_busy(self, stage: str) -> bool:
        with self._lock:
            if self._busy_at == stage and self._busy > 0:
                self._busy -= 1
                return True
            return False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.recipients_tried.append(address)
        if address in self._refuse:
            return "550 no such user"
        if self._take_busy("RCPT"):
            return "451 try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._take_busy("DATA"):
            self.deferred.append(envelope.content)
            return "451 try later"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return sorted(address for received in self.received for address in received.rcpt_tos)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(handler: MailServer, port: int = 0):
    controller = Controller(
        handler, hostname="127.0.0.1", port=port or free_port(), server_hostname="localhost", ready_timeout=5
    )
    controller.start()
    try:
        yield SmtpServer(controller.hostname, controller.port)
    finally:
        controller.stop()


def smtp_worker(engine, clock, server: SmtpServer, **options) -> DeliveryWorker:
    config = EmailConfig(sender=SENDER, unsubscribe=UNSUBSCRIBE, smtp=server, timeout=5)
    return DeliveryWorker(engine, EmailSender(config), clock, **options)


def email_rows(engine) -> list:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(outbox).where(outbox.c.topic == NOTICE_EMAIL_TOPIC).order_by(outbox.c.id)
            )
        )


def notice_record(engine, activation_code: str):
    with UnitOfWork(engine) as uow:
        [record] = uow.notices.for_licence(activation_code)
        return record, uow.licences.get(activation_code)


def assert_is_a_notice(received: Received, delivery_ids: dict):
    message = received.message
    [to] = received.rcpt_tos
    assert received.mail_from == "renewals@example.com"
    assert message["To"] == to
    assert message["From"] == SENDER
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == f"<{delivery_ids[to]}@renewals.notices>"
    assert message["Message-ID"].endswith("@renewals.notices>")
    assert message["Date"] is not None
    text, html = parts[0].get_content(), parts[1].get_content()
    assert re.search(r"maintenance (expires|lapsed) on \d{1,2} \w+ \d{4}$", message["Subject"])
    assert re.search(r"https://renewals\.example/#renewal=\d+\.\d+\.[A-Za-z0-9_-]{43}\r?\n", text)
    assert "Company name" in text and "Licence expiry date" in text
    assert '<a href="https://renewals.example/#renewal=' in html and "<li>Number of users</li>" in html


def delivery_ids_by_recipient(engine) -> dict:
    rows = email_rows(engine)
    with UnitOfWork(engine) as uow:
        recipients = {row.id: _recipient_of(uow, row.notice_id) for row in rows}
    return {recipients[row.id]: row.delivery_id for row in rows}


def _recipient_of(uow, notice_id):
    record, _ = uow.notices.get(notice_id)
    return record.recipient


# --- by SMTP ----------------------------------------------------------------------------


def test_the_days_notices_reach_the_mail_server_once_each_as_text_and_html(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    delivery_ids = delivery_ids_by_recipient(engine)
    handler = MailServer()

    with serving(handler) as server:
        report = smtp_worker(engine, clock, server).deliver_due()

    assert (report.claimed, report.delivered, report.failed) == (14, 14, 0)
    assert handler.recipients() == EXPECTED_RECIPIENTS
    assert len(handler.received) == 14
    for received in handler.received:
        assert_is_a_notice(received, delivery_ids)
    [jacaranda] = [r.message for r in handler.received if r.rcpt_tos == [JACARANDA["contact_email"]]]
    assert jacaranda["Subject"] == (
        "Your Worry-Free Business Security Advanced maintenance expires on 27 December 2026"
    )
    jacaranda_text = jacaranda.get_body(("plain",)).get_content()
    assert "Dear Grace Chen," in jacaranda_text
    assert "Southern Cross IT Solutions (orders@southerncross-it.example, +61 2 9555 0101)" in jacaranda_text
    rows = email_rows(engine)
    assert all(row.delivered_at == clock.now() and row.payload is None for row in rows)
    record, licence = notice_record(engine, JACARANDA["activation_code"])
    assert record.state is DeliveryState.SENT and record.attempts == 1
    sent = standing(engine, clock, licence)
    assert (sent.kind, sent.on, sent.recipient) == (
        StandingKind.SENT,
        clock.today(),
        JACARANDA["contact_email"],
    )


def test_running_the_job_and_the_worker_again_sends_nothing_twice(engine, clock):
    handler = MailServer()

    with serving(handler) as server:
        worker = smtp_worker(engine, clock, server)
        send_renewal_notices(engine, clock, SETTINGS)
        worker.deliver_due()
        clock.advance(hours=6)
        send_renewal_notices(engine, clock, SETTINGS)
        second = worker.deliver_due()
        # Another worker, another process: the same.
        third = smtp_worker(engine, clock, server).deliver_due()

    assert second.claimed == third.claimed == 0
    assert handler.recipients() == EXPECTED_RECIPIENTS
    assert len(handler.recipients_tried) == 14


@pytest.mark.parametrize("busy_at", ["RCPT", "DATA"])
def test_a_busy_mail_server_gets_every_notice_exactly_once_after_retries(engine, clock, busy_at):
    send_renewal_notices(engine, clock, SETTINGS)
    delivery_ids = delivery_ids_by_recipient(engine)
    handler = MailServer(busy=4, busy_at=busy_at)

    with serving(handler) as server:
        worker = smtp_worker(engine, clock, server, backoff=IMMEDIATE_RETRY, batch_size=3)
        rounds = 0
        while len(handler.received) < 14 and rounds < 10:
            worker.deliver_due()
            rounds += 1
        leftover = worker.deliver_due()

    assert leftover.claimed == 0
    assert handler.recipients() == EXPECTED_RECIPIENTS
    assert Counter(handler.recipients()).most_common(1)[0][1] == 1
    for received in handler.received:
        assert_is_a_notice(received, delivery_ids)
    # A retried notice keeps its Message-ID, so a receiver could de-duplicate it.
    accepted_ids = {r.message["Message-ID"] for r in handler.received}
    assert all(
        message_from_bytes(d, policy=policy.default)["Message-ID"] in accepted_ids for d in handler.deferred
    )
    rows = email_rows(engine)
    assert sum(row.attempts for row in rows) == 14 + 4
    assert all(row.delivered_at is not None and row.gave_up_at is None for row in rows)
    assert all(row.last_error is None for row in rows)


def test_a_busy_mail_server_is_tried_again_after_the_backoff_not_before(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    handler = MailServer(busy=1)

    with serving(handler) as server:
        worker = smtp_worker(engine, clock, server, backoff=Backoff(random=lambda: 0.0))
        tried_at = clock.now()
        first = worker.deliver_due()
        [waiting] = [row for row in email_rows(engine) if row.delivered_at is None]
        clock.advance(seconds=4)
        early = worker.deliver_due()
        clock.advance(seconds=1)
        due = worker.deliver_due()

    assert (first.delivered, first.failed) == (13, 1)
    assert waiting.last_error == "SMTP 451: refused"
    assert waiting.gave_up_at is None and waiting.next_attempt_at == tried_at + timedelta(seconds=5)
    assert early.claimed == 0
    assert due.delivered == 1
    assert handler.recipients() == EXPECTED_RECIPIENTS


def test_a_recipient_the_mail_server_refuses_for_good_is_given_up_and_the_others_arrive(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    handler = MailServer(refuse=(NULLARBOR["contact_email"],))

    with serving(handler) as server:
        worker = smtp_worker(engine, clock, server, backoff=IMMEDIATE_RETRY)
        report = worker.deliver_due()
        refused_at = clock.now()
        clock.advance(days=1)
        later = worker.deliver_due()

    assert (report.delivered, report.failed) == (13, 1)
    assert later.claimed == 0
    assert handler.recipients() == [r for r in EXPECTED_RECIPIENTS if r != NULLARBOR["contact_email"]]
    assert handler.recipients_tried.count(NULLARBOR["contact_email"]) == 1  # not retried
    record, licence = notice_record(engine, NULLARBOR["activation_code"])
    assert record.state is DeliveryState.FAILED
    assert record.last_error == "SMTP 550: recipient refused"
    assert "no such user" not in record.last_error  # never the server's text
    assert record.gave_up_at == refused_at and record.delivered_at is None and record.attempts == 1
    [row] = [row for row in email_rows(engine) if row.notice_id == record.id]
    assert row.gave_up_at == refused_at and row.next_attempt_at is None and row.flagged
    failed = standing(engine, clock, licence)
    assert (failed.kind, failed.on, failed.recipient) == (
        StandingKind.FAILED,
        date(2026, 11, 28),
        NULLARBOR["contact_email"],
    )


def test_while_the_mail_server_is_down_the_notices_wait_and_then_arrive_once(engine, clock):
    send_renewal_notices(engine, clock, SETTINGS)
    port = free_port()
    worker = smtp_worker(engine, clock, SmtpServer("127.0.0.1", port), backoff=IMMEDIATE_RETRY)

    down = worker.deliver_due()
    failures = {row.last_error for row in email_rows(engine) if row.attempts}
    handler = MailServer()
    with serving(handler, port):
        up = worker.deliver_due()

    assert down.delivered == 0 and down.failed == 10  # one batch, then it waits
    assert failures == {"SMTP: ConnectionRefusedError"}
    assert all(row.gave_up_at is None for row in email_rows(engine))
    assert up.delivered == 14
    assert handler.recipients() == EXPECTED_RECIPIENTS


# --- without SMTP: .eml files ------------------------------------------------------------------------


def file_sender(folder) -> EmailSender:
    return EmailSender(EmailConfig(sender=SENDER, unsubscribe=UNSUBSCRIBE, smtp=None, outbox_dir=folder))


def queued_messages(engine) -> list:
    with UnitOfWork(engine) as uow:
        return [uow.outbox.get(row.id) for row in email_rows(engine)]


def test_without_smtp_each_notice_is_written_once_as_an_eml_file(engine, clock, tmp_path):
    folder = tmp_path / "outbox"
    send_renewal_notices(engine, clock, SETTINGS)
    delivery_ids = delivery_ids_by_recipient(engine)
    pending = queued_messages(engine)
    sender = file_sender(folder)

    report = DeliveryWorker(engine, sender, clock).deliver_due()

    files = sorted(folder.iterdir())
    assert report.delivered == 14
    assert len(files) == 14 and all(path.suffix == ".eml" for path in files)  # no temporary files left
    assert sorted(path.name for path in files) == sorted(
        f"20261128T010000Z-{message.delivery_id}.eml" for message in pending
    )
    recipients = []
    for path in files:
        to = message_from_bytes(path.read_bytes(), policy=policy.default)["To"]
        recipients.append(to)
        assert_is_a_notice(Received("renewals@example.com", [to], path.read_bytes()), delivery_ids)
    assert sorted(recipients) == EXPECTED_RECIPIENTS

    # The same message delivered again (a worker that died before recording it) writes no second file.
    before = {path.name: path.read_bytes() for path in files}
    for message in pending:
        assert sender.send(message, clock.now()).delivered
    assert {path.name: path.read_bytes() for path in sorted(folder.iterdir())} == before


def test_a_file_written_before_a_crash_is_not_written_again_by_the_worker(engine, clock, tmp_path):
    folder = tmp_path / "outbox"
    send_renewal_notices(engine, clock, SETTINGS)
    sender = file_sender(folder)
    first = queued_messages(engine)[0]
    assert sender.send(first, clock.now()).delivered  # written, but never recorded as delivered
    written = (folder / f"20261128T010000Z-{first.delivery_id}.eml").read_bytes()

    DeliveryWorker(engine, sender, clock).deliver_due()

    assert len(list(folder.glob("*.eml"))) == 14
    assert (folder / f"20261128T010000Z-{first.delivery_id}.eml").read_bytes() == written
    assert all(row.delivered_at is not None for row in email_rows(engine))


def test_an_unusable_address_fails_the_notice_for_good_without_a_file(engine, clock, tmp_path):
    folder = tmp_path / "outbox"
    with UnitOfWork(engine) as uow:
        licence = uow.licences.get(NULLARBOR["activation_code"])
        uow.licences.save(replace(licence, contact_email="thomas.taylor at nullarbor"))
    send_renewal_notices(engine, clock, SETTINGS)

    report = DeliveryWorker(engine, file_sender(folder), clock).deliver_due()

    assert (report.delivered, report.failed) == (13, 1)
    assert len(list(folder.glob("*.eml"))) == 13
    record, _ = notice_record(engine, NULLARBOR["activation_code"])
    assert record.state is DeliveryState.FAILED
    assert record.last_error == "not a usable email address"


def test_a_notice_delivered_early_in_the_sydney_morning_was_sent_that_day_not_the_utc_day_before(
    engine, tmp_path
):
    # 07:30 on 29 November in Sydney is 20:30 on 28 November in UTC.
    clock = ManualClock(datetime(2026, 11, 29, 7, 30, tzinfo=SYDNEY).astimezone(timezone.utc))
    send_renewal_notices(engine, clock, SETTINGS)
    DeliveryWorker(engine, file_sender(tmp_path / "outbox"), clock).deliver_due()
    _, jacaranda = notice_record(engine, JACARANDA["activation_code"])

    sent = standing(engine, clock, jacaranda)
    resend_notice(engine, clock, SETTINGS, jacaranda)
    resent = standing(engine, clock, jacaranda)

    assert (sent.kind, sent.on, sent.resent_today) == (StandingKind.SENT, date(2026, 11, 29), False)
    assert (resent.kind, resent.on, resent.resent_today) == (StandingKind.SENT, date(2026, 11, 29), True)


# --- configuration --------------------------------------------------------------------------


def test_the_smtp_url_gives_the_server_port_tls_and_credentials():
    plain = smtp_server("smtp://mail.example")
    starttls = smtp_server("smtp://relay%40example:p%40ss@mail.example:2525?starttls=true")
    tls = smtp_server("smtps://mail.example")

    assert (plain.host, plain.port, plain.tls, plain.starttls, plain.username) == (
        "mail.example",
        25,
        False,
        False,
        None,
    )
    assert (starttls.port, starttls.starttls, starttls.username, starttls.password) == (
        2525,
        True,
        "relay@example",
        "p@ss",
    )
    assert "p@ss" not in repr(starttls)
    assert (tls.port, tls.tls, tls.starttls) == (465, True, False)
    for bad in ("http://mail.example", "smtp://", "smtp://mail.example:notaport"):
        with pytest.raises(EmailConfigError):
            smtp_server(bad)


def test_without_smtp_url_the_emails_go_to_files_from_the_default_sender(tmp_path):
    config = email_config_from_env({"MAIL_OUTBOX_DIR": str(tmp_path)})

    assert (config.smtp, config.outbox_dir, config.sender) == (None, tmp_path, SENDER)
    assert config.unsubscribe == UNSUBSCRIBE
    with pytest.raises(EmailConfigError):
        email_config_from_env({"NOTICE_FROM": "Renewals"})
