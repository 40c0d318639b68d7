"""Whole conversations over the REST channel, through NLU, dialogue and the action server."""

import pytest
from sqlalchemy import create_engine, text

from scripts.live_assistant import http

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"


def test_an_faq_question_in_plain_words_gets_the_source_answer(assistant, sender):
    reply = assistant.say(sender, "how do I go about renewing our maintenance?")
    assert "Contact your preferred Trend Micro reseller" in reply


def test_lapsed_quote_from_question_to_code_to_follow_ups(assistant, sender):
    assert "What's your Activation Code" in assistant.say(sender, "my maintenance lapsed, how much to renew?")
    quote = assistant.say(sender, QUOKKA.lower().replace("-", " "))
    assert "Total: AUD 2,294.05 incl. GST" in quote
    two_years = assistant.say(sender, "what about 2 years?")
    assert "(2 years, 50 users): AUD 3,864.00" in two_years
    assert "Total: AUD 4,419.25 incl. GST" in two_years
    fewer = assistant.say(sender, "and for 20 users?")
    # 20 x 42.00 x 2 = 1,680.00; lapse at the old 50 users stays 153.50; GST 183.35
    assert "(2 years, 20 users): AUD 1,680.00" in fewer
    assert "Total: AUD 2,016.85 incl. GST" in fewer
    assert "in writing" in fewer


@pytest.mark.parametrize(
    "code, expected",
    [
        ("WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22", "active until 2 January 2028: 400 days left"),
        ("AO-MV3X-Z23R4-28NM5-4NKDR-R7993-X6J9S", "expires on 5 December 2026, in 7 days"),
        ("SM-KYVR-4K5AD-GN4K2-5F3K3-DVKZC-4Y2JY", "expires today, 28 November 2026"),
        ("PP-RRAR-DT7SG-WKD3X-LRD7U-CBCDB-NYH54", "lapsed 730 days ago"),
        ("WS-AAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF", "couldn't find a licence"),
    ],
)
def test_every_status_of_the_look_up(assistant, sender, code, expected):
    assert expected in assistant.say(sender, f"when does {code} expire?")


def test_certificate_steps_ask_for_the_brand_then_give_only_that_brand(assistant, sender):
    question = assistant.say(sender, "I got the updated licence certificate, what now?")
    assert "SMB product" in question and "Enterprise product" in question
    steps = assistant.say(sender, "Enterprise")
    assert "Click Administration" in steps and "Preferences" not in steps


def test_certificate_steps_use_the_brand_of_a_licence_looked_up_earlier(assistant, sender):
    assistant.say(sender, "when does WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22 expire")
    steps = assistant.say(sender, "what do I do after receiving the updated licence certificate?")
    assert "Click Preferences" in steps and "Administration" not in steps


def test_an_open_question_is_not_answered_with_yes(assistant, sender):
    reply = assistant.say(sender, "what do we get once we've paid")
    assert reply.startswith("Your reseller will email you a copy of your licence certificate")


def test_product_support_questions_are_declined_not_answered_from_the_faq(assistant, sender):
    reply = assistant.say(sender, "how do I add a scan exclusion for our SQL server folder")
    assert "outside what I can help with" in reply


@pytest.mark.parametrize(
    "message",
    ["'; DROP TABLE licences; --", "🔥🔥🔥🙂", "x" * 10_000, "WS-' OR '1'='1 expiry", "\u0000\u0007"],
)
def test_bad_input_gets_an_answer_and_changes_nothing(assistant, sender, message):
    engine = create_engine(assistant.env["DATABASE_URL"])
    with engine.connect() as connection:
        before = connection.execute(text("select count(*) from licences")).scalar()
    replies = assistant.send(sender, message)
    assert replies and all(reply.get("text") for reply in replies)
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from licences")).scalar() == before


def test_the_http_api_needs_the_token(assistant, sender):
    assistant.say(sender, "hello")
    status, _ = http("GET", f"{assistant.rasa_url}/conversations/{sender}/tracker")
    assert status == 401
    status, _ = http("GET", f"{assistant.rasa_url}/conversations/{sender}/tracker?token=wrong")
    assert status == 401
    assert assistant.tracker(sender)["sender_id"] == sender
