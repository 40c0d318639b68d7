"""A customer waiting for a person reads their place in the queue and when to expect a reply."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from renewals.cases import CaseEvent, EventKind
from renewals.queue_standing import ANYTHING_ELSE, BOT_QUESTION, THANKS, queue_standing, reply_while_waiting
from tests.renewals.test_response_times import asked, at, with_history

FIFTEEN = timedelta(minutes=15)


def waiting(reference, conversation, when):
    return replace(with_history(asked(when)), reference=reference, conversation_id=conversation)


def test_in_hours_the_second_request_is_number_2_and_told_the_reply_target():
    queue = [
        (waiting("RN-2026-000002", "web-2", at(2026, 11, 27, 10, 5)), "AU"),
        (waiting("RN-2026-000001", "web-1", at(2026, 11, 27, 10, 0)), "AU"),
    ]
    standing = queue_standing(queue, "web-2", at(2026, 11, 27, 10, 6), FIFTEEN)
    assert (standing.reference, standing.position, standing.open_now) == ("RN-2026-000002", 2, True)
    assert standing.text == (
        "You're number 2 in the queue for a person. The support team aims to reply within 15 minutes."
    )


def test_on_saturday_the_customer_is_told_when_the_team_opens_and_that_the_case_stays_open():
    queue = [(waiting("RN-2026-000001", "web-1", at(2026, 11, 28, 12, 0)), "NZ")]
    standing = queue_standing(queue, "web-1", at(2026, 11, 28, 12, 1), FIFTEEN)
    assert standing.text == (
        "You're next in the queue for a person. The support team is closed now: someone will reply here "
        "from Monday 30 November at 8:30 am Auckland time. You can leave this page; your case "
        "RN-2026-000001 stays open."
    )


def test_once_an_agent_has_taken_the_case_the_customer_waits_in_no_queue():
    taken = CaseEvent(at=at(2026, 11, 27, 10, 2), kind=EventKind.TAKEN, actor="alice")
    case = waiting("RN-2026-000001", "web-1", at(2026, 11, 27, 10, 0))
    case = replace(case, history=case.history + (taken,))
    assert queue_standing([(case, "AU")], "web-1", at(2026, 11, 27, 10, 3), FIFTEEN) is None


def test_a_taken_case_ahead_does_not_count_towards_the_place():
    taken = CaseEvent(at=at(2026, 11, 27, 10, 2), kind=EventKind.TAKEN, actor="alice")
    first = waiting("RN-2026-000001", "web-1", at(2026, 11, 27, 10, 0))
    queue = [
        (replace(first, history=first.history + (taken,)), "AU"),
        (waiting("RN-2026-000002", "web-2", at(2026, 11, 27, 10, 1)), "AU"),
    ]
    assert queue_standing(queue, "web-2", at(2026, 11, 27, 10, 3), FIFTEEN).position == 1


def test_a_conversation_without_a_request_for_a_person_has_no_standing():
    queue = [(waiting("RN-2026-000001", "web-1", at(2026, 11, 27, 10, 0)), "AU")]
    assert queue_standing(queue, "web-9", at(2026, 11, 27, 10, 3), FIFTEEN) is None


def closed_saturday_standing():
    queue = [(waiting("RN-2026-000001", "web-1", at(2026, 11, 28, 12, 0)), "AU")]
    return queue_standing(queue, "web-1", at(2026, 11, 28, 12, 1), FIFTEEN)


def test_a_message_typed_while_waiting_out_of_hours_is_added_to_the_case_and_says_when_someone_replies():
    assert reply_while_waiting(ANYTHING_ELSE, closed_saturday_standing()) == (
        "Added to your case RN-2026-000001. Someone from the support team will reply here from Monday "
        "30 November at 8:30 am Sydney time: you can keep typing."
    )


def test_a_thanks_while_waiting_is_welcomed_and_told_the_case_stays_open():
    assert reply_while_waiting(THANKS, closed_saturday_standing()) == (
        "You're welcome. Your case RN-2026-000001 stays open: someone from the support team will reply "
        "here from Monday 30 November at 8:30 am Sydney time."
    )


def test_are_you_a_bot_while_waiting_is_answered_by_the_virtual_assistant():
    reply = reply_while_waiting(BOT_QUESTION, closed_saturday_standing())
    assert reply.startswith("I'm the virtual assistant. You're waiting for a person: someone from the")


def test_in_hours_the_wait_is_the_reply_target():
    queue = [(waiting("RN-2026-000001", "web-1", at(2026, 11, 27, 10, 0)), "AU")]
    standing = queue_standing(queue, "web-1", at(2026, 11, 27, 10, 1), FIFTEEN)
    assert "will reply here within 15 minutes" in reply_while_waiting(ANYTHING_ELSE, standing)


def test_once_an_agent_has_the_case_the_customer_is_told_a_person_is_on_it():
    assert reply_while_waiting(ANYTHING_ELSE, None) == (
        "Added to your case. A person from the support team is on your case and will reply here: you can "
        "keep typing."
    )
