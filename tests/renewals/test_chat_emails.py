"""A customer asks in the chat for emails: the support team's reply, out of hours, and a copy of the chat."""

from __future__ import annotations

import email
from datetime import datetime, timedelta, timezone

import pytest

from renewals.cases import EventKind, NoConversation
from renewals.chat_emails import InvalidEmailAddress, TranscriptLine
from renewals.delivery.email import EmailConfig, EmailSender
from renewals.delivery.worker import DeliveryWorker
from renewals.service import Renewals
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.clocks import ManualClock

FIFTEEN_MINUTES = timedelta(minutes=15)


@pytest.fixture
def renewals(engine):
    return Renewals(engine, ManualClock())


def delivered_emails(renewals, folder) -> list[email.message.EmailMessage]:
    config = EmailConfig(sender="Licensing <renewals@example.com>", unsubscribe="mailto:x@example.com")
    sender = EmailSender(EmailConfig(config.sender, config.unsubscribe, smtp=None, outbox_dir=folder))
    DeliveryWorker(renewals.engine, sender, renewals.clock).deliver_due()
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_out_of_hours_a_waiting_customer_leaves_an_address_and_the_agents_reply_is_emailed_there(
    renewals, tmp_path
):
    case = renewals.open_handoff_case("web-1", "socketio", "asked for a person")
    renewals.request_answer_by_email("web-1", "you can reach me at kim.ng@acacia.com.au thanks")

    standing = renewals.queue_standing("web-1", FIFTEEN_MINUTES)
    assert standing.emailing_to == "k…@acacia.com.au"
    assert standing.text.endswith("The reply will also be emailed to k…@acacia.com.au.")

    renewals.record_reply(case.reference, "alice", "Your renewal is with Harbour Systems.", "Alice Nguyen")
    [sent] = delivered_emails(renewals, tmp_path / "mail")
    assert sent["To"] == "kim.ng@acacia.com.au"
    assert sent["Subject"] == f"Reply to your request {case.reference}"
    assert "List-Unsubscribe" not in sent
    assert body_of(sent).startswith(
        f"Alice Nguyen from the support team replied to your request {case.reference}:\n\n"
        "Your renewal is with Harbour Systems."
    )


def test_the_address_becomes_the_cases_contact_so_the_agent_sees_it_and_forgetting_the_customer_finds_it(
    renewals,
):
    case = renewals.open_handoff_case("web-1", "socketio", "asked for a person")
    renewals.request_answer_by_email("web-1", "Kim.Ng@Acacia.com.au")
    stored = renewals.case(case.reference)
    assert stored.checklist.contact_email == "Kim.Ng@acacia.com.au"
    assert [e.kind for e in stored.history][-1] == EventKind.ANSWER_BY_EMAIL


def test_giving_the_same_address_twice_records_it_once(renewals):
    case = renewals.open_handoff_case("web-1", "socketio", "asked for a person")
    renewals.request_answer_by_email("web-1", "kim.ng@acacia.com.au")
    renewals.request_answer_by_email("web-1", "kim.ng@acacia.com.au")
    history = renewals.case(case.reference).history
    assert sum(1 for e in history if e.kind == EventKind.ANSWER_BY_EMAIL) == 1


@pytest.mark.parametrize("text", ["", "kim at acacia", "kim@example.com", "a@b.com.au c@d.com.au", None])
def test_text_that_is_not_one_real_address_is_refused_and_changes_nothing(renewals, text):
    case = renewals.open_handoff_case("web-1", "socketio", "asked for a person")
    with pytest.raises(InvalidEmailAddress, match="like name@company.com.au"):
        renewals.request_answer_by_email("web-1", text)
    assert renewals.case(case.reference) == case


def test_a_chat_that_waits_for_nobody_cannot_ask_for_the_reply_by_email(renewals):
    with pytest.raises(NoConversation):
        renewals.request_answer_by_email("web-1", "kim.ng@acacia.com.au")


def test_without_an_address_the_agents_reply_goes_to_the_chat_only(renewals, tmp_path):
    case = renewals.open_handoff_case("web-1", "socketio", "asked for a person")
    renewals.record_reply(case.reference, "alice", "On it.", "Alice Nguyen")
    assert delivered_emails(renewals, tmp_path / "mail") == []


LINES = [
    TranscriptLine("You", "when does my licence expire", datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)),
    TranscriptLine("Assistant", "It expires on 27 May 2027.\n[Get a quote]", None),
    TranscriptLine("Alice Nguyen", "Hi, Alice here <b>from support</b>.", None),
]


def test_a_copy_of_the_chat_is_emailed_with_who_said_what(renewals, tmp_path):
    assert renewals.email_transcript("web-1", "kim.ng@acacia.com.au", LINES) == "kim.ng@acacia.com.au"
    [sent] = delivered_emails(renewals, tmp_path / "mail")
    assert sent["Subject"] == "Your chat with Trend Micro licensing, 28 November 2026"
    text = body_of(sent)
    assert "28 Nov 2026 01:00 UTC  You: when does my licence expire" in text
    assert "Assistant: It expires on 27 May 2027.\n[Get a quote]" in text
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;from support&lt;/b&gt;" in html and "<b>from support</b>" not in html


def test_the_same_copy_asked_for_twice_is_sent_once(renewals, tmp_path):
    renewals.email_transcript("web-1", "kim.ng@acacia.com.au", LINES)
    renewals.email_transcript("web-1", "KIM.NG@acacia.com.au", LINES)
    assert len(delivered_emails(renewals, tmp_path / "mail")) == 1
    renewals.email_transcript("web-1", "kim.ng@acacia.com.au", LINES + [TranscriptLine("You", "thanks")])
    assert len(delivered_emails(renewals, tmp_path / "mail2")) == 1  # the longer chat is a new copy


def test_a_copy_to_no_real_address_queues_nothing(renewals):
    with pytest.raises(InvalidEmailAddress):
        renewals.email_transcript("web-1", "kim at acacia", LINES)
    with UnitOfWork(renewals.engine) as uow:
        assert uow.outbox.undelivered() == []
