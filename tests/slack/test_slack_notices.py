"""Case notices reach the reseller's Slack channel once: through failures, lost answers and retries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from renewals.delivery.slack_notices import (
    METADATA_EVENT_TYPE,
    DatabaseDirectory,
    SlackConfig,
    SlackConfigError,
    SlackSender,
    slack_config_from_env,
)
from renewals.delivery.worker import DeliveryWorker, SendersByTopic
from renewals.notice_service import NoticeSettings, send_renewal_notices, send_reseller_digests
from renewals.outbox import CASE_SLACK_TOPIC, CASE_WEBHOOK_TOPIC, Backoff
from renewals.service import Renewals
from renewals.storage.db import outbox
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.checklists import checklist_for
from tests.support.slack_fakes import BOT_TOKEN, FakeSlackApi

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # Harbour Systems (R-AU-002), channel C02RENEW02
ACACIA = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"  # Southern Cross (R-AU-001), channel C01RENEW01
NO_RESELLER = "DS-TEB5-6QTU4-WLSYG-N4QJV-MVGTP-6FLYA"  # Eucalypt Legal: Technical Support
NO_JITTER = Backoff(random=lambda: 0.0)
CONTACT = (
    "Jordan Quill",
    "jordan.quill@quokkatravel.com.au",
    "+61412345678",
    "0412 345 678",
    "16 King Street",
)


def open_case(engine, clock, code, conversation="slack-conversation-1", topics=(CASE_SLACK_TOPIC,)):
    renewals = Renewals(engine, clock, case_delivery_topics=topics)
    licence = renewals.find_licence(code)
    return renewals.open_renewal_case(checklist_for(licence), conversation, "slack", licence=licence)


def slack_sender(engine, fake: FakeSlackApi) -> SlackSender:
    return SlackSender(SlackConfig(token=BOT_TOKEN, api_url=fake.url, timeout=5), DatabaseDirectory(engine))


def outbox_rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(outbox).order_by(outbox.c.id)).all()


def deliver_until_done(engine, sender, clock, rounds=10):
    worker = DeliveryWorker(engine, sender, clock, backoff=NO_JITTER)
    for _ in range(rounds):
        worker.deliver_due()
        clock.advance(minutes=20)  # past any backoff
    return worker


# --- what is queued ------------------------------------------------------------------------


def test_a_case_routed_to_a_reseller_with_a_channel_queues_one_slack_notice(demo_engine, clock):
    case = open_case(demo_engine, clock, QUOKKA)
    open_case(demo_engine, clock, QUOKKA)  # the same details again: the same case, no second notice

    [row] = outbox_rows(demo_engine)
    assert (row.topic, row.dedupe_key) == (CASE_SLACK_TOPIC, f"case.slack:{case.reference}:opened")


def test_no_notice_for_technical_support_cases_or_resellers_without_a_channel(demo_engine, clock):
    with UnitOfWork(demo_engine) as uow:
        uow.resellers.set_slack_channel("R-AU-001", None)
    open_case(demo_engine, clock, NO_RESELLER, "c1")
    open_case(demo_engine, clock, ACACIA, "c2")

    assert outbox_rows(demo_engine) == []


def test_without_a_slack_bot_token_no_notices_are_queued(demo_engine, clock, monkeypatch, demo_url):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("CASE_WEBHOOK_URL", raising=False)
    assert Renewals.from_env()._case_delivery_topics == ()
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    assert Renewals.from_env()._case_delivery_topics == (CASE_SLACK_TOPIC,)


def test_slack_settings_come_from_the_environment():
    assert slack_config_from_env({}) is None
    config = slack_config_from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert config.method_url("chat.postMessage") == "http://127.0.0.1:9/api/chat.postMessage"
    assert slack_config_from_env({"SLACK_BOT_TOKEN": BOT_TOKEN}).api_url == "https://slack.com/api/"
    assert BOT_TOKEN not in repr(config)
    with pytest.raises(SlackConfigError):
        slack_config_from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": "ftp://slack"})


# --- what the reseller sees -----------------------------------------------------------------


def test_the_notice_names_reference_company_product_users_and_expiry_but_no_contact(demo_engine, clock):
    case = open_case(demo_engine, clock, QUOKKA)
    with FakeSlackApi() as fake:
        report = DeliveryWorker(demo_engine, slack_sender(demo_engine, fake), clock).deliver_due()

    assert report.delivered == 1
    [notice] = fake.messages()
    assert notice["channel"] == "C02RENEW02"
    text = notice["text"]
    for expected in (
        case.reference,
        "Quokka Travel",
        "Worry-Free Business Security Standard (Windows)",
        "Users: 50",
        "Licence expiry: 29 October 2026",
    ):
        assert expected in text
    assert not any(detail in json.dumps(notice) for detail in CONTACT)
    assert notice["metadata"]["event_type"] == METADATA_EVENT_TYPE
    assert fake.method_calls("chat.postMessage")[0].authorization == f"Bearer {BOT_TOKEN}"
    [row] = outbox_rows(demo_engine)
    assert row.delivered_at is not None and row.payload is None  # personal data cleared once delivered


# --- never lost, never doubled --------------------------------------------------------------


@pytest.mark.parametrize("failures", [1, 3, 6])
def test_slack_failing_n_times_then_accepting_gets_each_notice_once(demo_engine, clock, failures):
    cases = [open_case(demo_engine, clock, QUOKKA, f"c{i}") for i in range(2)]
    script = ["500", "error:internal_error", "503", "error:service_unavailable", "502", "500"][:failures]
    with FakeSlackApi(script=list(script)) as fake:
        deliver_until_done(demo_engine, slack_sender(demo_engine, fake), clock)

    posted = [m["metadata"]["event_payload"]["reference"] for m in fake.messages("C02RENEW02")]
    assert sorted(posted) == sorted(c.reference for c in cases)
    assert len(fake.method_calls("chat.postMessage")) == len(cases) + failures
    rows = outbox_rows(demo_engine)
    assert all(row.delivered_at is not None for row in rows)
    assert sum(row.attempts for row in rows) == len(cases) + failures
    assert not any(row.flagged for row in rows)


def test_a_failed_attempt_waits_for_the_backoff_and_is_kept(demo_engine, clock):
    open_case(demo_engine, clock, QUOKKA)
    with FakeSlackApi(script=["500"]) as fake:
        worker = DeliveryWorker(demo_engine, slack_sender(demo_engine, fake), clock, backoff=NO_JITTER)
        assert worker.deliver_due().failed == 1
        assert worker.deliver_due().claimed == 0  # not due yet
        clock.advance(seconds=6)
        assert worker.deliver_due().delivered == 1
    [row] = outbox_rows(demo_engine)
    assert row.attempts == 2 and row.last_error is None


def test_a_posted_notice_whose_answer_was_lost_is_not_posted_again(demo_engine, clock):
    case = open_case(demo_engine, clock, QUOKKA)
    with FakeSlackApi(script=["lost"]) as fake:
        deliver_until_done(demo_engine, slack_sender(demo_engine, fake), clock)

    [notice] = fake.messages("C02RENEW02")
    assert notice["metadata"]["event_payload"]["reference"] == case.reference
    assert len(fake.method_calls("chat.postMessage")) == 1  # the retry found it in the channel's history
    [row] = outbox_rows(demo_engine)
    assert row.delivered_at is not None and row.attempts == 2


def test_without_history_access_a_lost_answer_means_a_second_post(demo_engine, clock):
    open_case(demo_engine, clock, QUOKKA)
    with FakeSlackApi(script=["lost"], history="error:missing_scope") as fake:
        deliver_until_done(demo_engine, slack_sender(demo_engine, fake), clock)

    assert len(fake.messages("C02RENEW02")) == 2  # at least once; documented in docs/channels.md


def test_a_refusal_slack_will_not_change_is_flagged_and_still_retried(demo_engine, clock):
    open_case(demo_engine, clock, QUOKKA)
    with FakeSlackApi(script=["error:channel_not_found", "error:channel_not_found"]) as fake:
        worker = DeliveryWorker(demo_engine, slack_sender(demo_engine, fake), clock, backoff=NO_JITTER)
        worker.deliver_due()
        [row] = outbox_rows(demo_engine)
        assert row.flagged and row.last_error == "chat.postMessage: channel_not_found"
        deliver_until_done(demo_engine, slack_sender(demo_engine, fake), clock)
    [row] = outbox_rows(demo_engine)
    assert row.delivered_at is not None and len(fake.messages()) == 1


def test_rate_limiting_waits_as_long_as_slack_asks(demo_engine, clock):
    open_case(demo_engine, clock, QUOKKA)
    with FakeSlackApi(script=["429"]) as fake:
        DeliveryWorker(demo_engine, slack_sender(demo_engine, fake), clock, backoff=NO_JITTER).deliver_due()
    [row] = outbox_rows(demo_engine)
    assert not row.flagged
    assert row.next_attempt_at - clock.now() == timedelta(seconds=30)  # Retry-After, not the 5 s backoff


def test_slack_down_altogether_keeps_the_notice_for_later(demo_engine, clock):
    open_case(demo_engine, clock, QUOKKA)
    config = SlackConfig(token=BOT_TOKEN, api_url="http://127.0.0.1:9/api/", timeout=2)  # nothing listens
    DeliveryWorker(demo_engine, SlackSender(config, DatabaseDirectory(demo_engine)), clock).deliver_due()
    [row] = outbox_rows(demo_engine)
    assert row.delivered_at is None and row.attempts == 1 and "ConnectionRefusedError" in row.last_error


def test_one_worker_delivers_both_topics_each_to_its_own_sender(demo_engine, clock):
    class Helpdesk:
        topics = (CASE_WEBHOOK_TOPIC,)
        timeout = 1.0
        sent = []

        def send(self, message, now):
            from renewals.delivery.worker import SendResult

            self.sent.append(message.topic)
            return SendResult(delivered=True, status=200)

    open_case(demo_engine, clock, QUOKKA, topics=(CASE_WEBHOOK_TOPIC, CASE_SLACK_TOPIC))
    helpdesk = Helpdesk()
    with FakeSlackApi() as fake:
        sender = SendersByTopic([helpdesk, slack_sender(demo_engine, fake)])
        report = DeliveryWorker(demo_engine, sender, clock).deliver_due()
    assert report.delivered == 2
    assert helpdesk.sent == [CASE_WEBHOOK_TOPIC] and len(fake.messages("C02RENEW02")) == 1


# --- renewal notices and the weekly digest ----------------------------------------------------


def test_renewal_notices_and_the_weekly_digest_reach_each_resellers_channel_once(demo_engine, clock):
    settings = NoticeSettings(b"a-secret-for-the-slack-notices-test", "http://localhost:8080", slack=True)
    send_renewal_notices(demo_engine, clock, settings)
    send_reseller_digests(demo_engine, clock, settings)
    with FakeSlackApi() as fake:
        sender = SendersByTopic([slack_sender(demo_engine, fake)])
        DeliveryWorker(demo_engine, sender, clock).deliver_due()
        send_renewal_notices(demo_engine, clock, settings)  # the same day again: nothing new
        send_reseller_digests(demo_engine, clock, settings)
        DeliveryWorker(demo_engine, sender, clock).deliver_due()
    posts = fake.messages()
    quokka = [post for post in posts if "Quokka Travel's" in post["text"]]
    assert len(quokka) == 1 and quokka[0]["channel"] == "C02RENEW02"
    assert (
        "lapsed on 29 October 2026; the customer was sent the lapsed-maintenance notice" in quokka[0]["text"]
    )
    assert "jack.williams" not in json.dumps(posts)  # no contact details in Slack
    digests = [post for post in posts if post["text"].startswith("Weekly renewals digest.")]
    assert sorted(post["channel"] for post in digests) == sorted(set(post["channel"] for post in digests))
    harbour = next(post for post in digests if post["channel"] == "C02RENEW02")
    assert "Quokka Travel" in harbour["text"] and "```" in harbour["text"]
