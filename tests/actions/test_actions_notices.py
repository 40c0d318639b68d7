""" "I never got my renewal notice", the re-send and the contact-change case, and a notice's link: the
actions on the demo data, today 2026-11-28, before and after the notice job has run."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine

from actions.faq import ActionAnswerFaq
from actions.notice_link import ActionOpenRenewalLink
from actions.offers import ActionAcceptOffer
from renewals.clock import clock_from_env
from renewals.notice_links import issue
from renewals.notice_service import NoticeSettings, send_renewal_notices
from tests.support.trackers import run, slot_events, user_tracker

ACACIA = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"  # expires 2 January 2028: notice due 3 December 2027
JACARANDA = "WA-DWLU-9TTDV-R9VHU-VU9H3-2LGXL-ANGGL"  # 29 days left: notice due now
KOOKABURRA = "WV-2MGL-LFHWH-MAYFW-P54LC-W8EM2-L8D5Z"  # notice sent 12 November 2026, before the import
SECRET = b"a-test-secret-for-renewal-notice-links"


def text_of(messages):
    return "\n".join(m["text"] for m in messages)


def answer_to(offer, text, code):
    """The tracker after the assistant offered `offer` and the customer answered `text`."""
    tracker = user_tracker(text, "affirm", slots={"offer": offer, "activation_code": code})
    tracker.events[:0] = [
        {"event": "user", "text": "..."},
        {"event": "slot", "name": "offer", "value": offer},
    ]
    return tracker


def notice_question(text, slots=None):
    tracker = user_tracker(text, "faq", slots=slots)
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": "faq/renewal_notice_missing", "confidence": 0.9}}
    }
    return tracker


@pytest.fixture
def notices_queued(demo_database):
    send_renewal_notices(
        create_engine(demo_database), clock_from_env(), NoticeSettings(SECRET, "http://localhost:8080")
    )


async def test_without_a_code_the_advice_is_general_and_a_code_is_asked_for():
    messages, events = await run(ActionAnswerFaq(), notice_question("never got my renewal notice"))
    assert messages[0]["response"] == "utter_faq/renewal_notice_missing"
    assert slot_events(events)["pending_task"] == "notice"


async def test_given_a_licence_expiring_in_400_days_no_notice_is_due_until_3_december_2027():
    messages, events = await run(ActionAnswerFaq(), notice_question(f"no notice for {ACACIA}?"))
    text = text_of(messages)
    assert "No notice is due yet" in text
    assert "goes out on 3 December 2027, 30 days before, to t…@acaciadentalgroup.com.au" in text
    assert slot_events(events)["offer"] == "contact_change"


async def test_given_a_notice_sent_before_the_import_its_date_is_given_and_a_resend_offered():
    messages, events = await run(ActionAnswerFaq(), notice_question(f"didn't get it {KOOKABURRA}"))
    assert "sent on 12 November 2026" in text_of(messages)
    assert slot_events(events)["offer"] == "resend_notice"


async def test_given_a_notice_queued_today_it_is_on_its_way_to_the_registered_address(notices_queued):
    messages, _ = await run(
        ActionAnswerFaq(), notice_question("we never got the notice", {"activation_code": JACARANDA})
    )
    assert "on its way to g…@jacarandaschoolstr.com.au" in text_of(messages)


async def test_yes_to_a_resend_sends_it_once_that_day_and_only_to_the_registered_address(notices_queued):
    first, events = await run(ActionAcceptOffer(), answer_to("resend_notice", "yes", JACARANDA))
    assert "I've sent your renewal notice again to g…@jacarandaschoolstr.com.au" in text_of(first)
    assert slot_events(events)["offer"] == "contact_change"
    second, _ = await run(ActionAcceptOffer(), answer_to("resend_notice", "yes", JACARANDA))
    assert "already sent it again today" in text_of(second)
    typed, _ = await run(ActionAcceptOffer(), answer_to("resend_notice", "yes to me@gmail.com", JACARANDA))
    assert "never to one typed in the chat" in text_of(typed)


async def test_yes_to_a_contact_change_opens_one_case_for_the_reseller():
    messages, events = await run(ActionAcceptOffer(), answer_to("contact_change", "yes please", ACACIA))
    assert "for Southern Cross IT Solutions to change the registered contact" in text_of(messages)
    reference = slot_events(events)["case_reference"]
    _, again_events = await run(ActionAcceptOffer(), answer_to("contact_change", "yes", ACACIA))
    assert slot_events(again_events)["case_reference"] == reference


async def test_a_valid_link_greets_the_holder_with_the_licence_status(notices_queued):
    link = issue(SECRET, 1, datetime(2026, 12, 12, tzinfo=timezone.utc))
    tracker = user_tracker("", "greet", slots={"notice_link": link})
    messages, events = await run(ActionOpenRenewalLink(), tracker)
    text = text_of(messages)
    assert text.startswith("Hello ")
    assert "You've opened the renewal link from your notice" in text
    assert slot_events(events)["activation_code"]


@pytest.mark.parametrize(
    "link, expected",
    [
        (issue(SECRET, 1, datetime(2026, 11, 1, tzinfo=timezone.utc)), "has expired"),
        (
            issue(b"another-secret-another-secret-another", 1, datetime(2026, 12, 12, tzinfo=timezone.utc)),
            "isn't valid",
        ),
        ("invalid", "isn't valid"),
    ],
)
async def test_an_expired_or_forged_link_names_no_licence(notices_queued, link, expected):
    tracker = user_tracker("", "greet", slots={"notice_link": link})
    messages, events = await run(ActionOpenRenewalLink(), tracker)
    assert expected in text_of(messages)
    assert slot_events(events) == {"notice_link": None}
    assert events[-1] == {
        "event": "action",
        "name": "action_listen",
        "policy": None,
        "confidence": None,
        "timestamp": None,
    }


async def test_given_a_notice_due_that_the_days_job_has_not_sent_yet_it_goes_out_today():
    messages, events = await run(
        ActionAnswerFaq(), notice_question(f"where is my renewal notice {JACARANDA}")
    )
    assert "Your renewal notice is due now and goes out today to g…@jacarandaschoolstr.com.au" in text_of(
        messages
    )
    assert slot_events(events)["offer"] == "contact_change"  # nothing to send again yet
