"""Expiry look-ups and quotes on the demo licences, with the clock at 2026-11-28."""

import pytest

from actions.context import ActionContinueTask
from actions.licences import ActionCheckLicenceExpiry
from actions.quote_requests import ActionQuoteRenewal
from tests.support.trackers import entity, run, slot_events, user_tracker

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # WFBS-STD AU, 50 users, expired 29 Oct 2026
ACACIA = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"  # active until 2 Jan 2028
LYREBIRD = "AO-MV3X-Z23R4-28NM5-4NKDR-R7993-X6J9S"  # expires 5 Dec 2026, notice sent
NULLARBOR = "SM-KYVR-4K5AD-GN4K2-5F3K3-DVKZC-4Y2JY"  # expires today
RIMU = "DS-XEDJ-G5Y4M-KTPTH-89HLA-3YU3G-D8L4F"  # NZ, Deep Security 50 users, expired 23 Nov 2026
UNKNOWN = "WS-AAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF"


def text_of(messages):
    return "\n".join(m["text"] for m in messages)


async def expiry(code_text):
    return await run(
        ActionCheckLicenceExpiry(), user_tracker(f"when does {code_text} expire", "check_license_expiry")
    )


async def test_an_active_licence_shows_product_users_expiry_and_days_left():
    messages, events = await expiry(ACACIA)
    text = text_of(messages)
    assert "Worry-Free Business Security Standard for Windows, 75 users" in text
    assert "active until 2 January 2028: 400 days left" in text
    assert slot_events(events)["product_brand"] == "SMB"


async def test_a_code_typed_in_lower_case_without_separators_is_found():
    messages, _ = await expiry(ACACIA.replace("-", "").lower())
    assert "2 January 2028" in text_of(messages)


async def test_a_licence_expiring_within_30_days_mentions_the_notice_sent():
    messages, events = await expiry(LYREBIRD)
    text = text_of(messages)
    assert "expires on 5 December 2026, in 7 days" in text
    assert "renewal notice was sent on 5 November 2026" in text
    assert slot_events(events)["offer"] == "quote"


async def test_a_licence_expiring_today_says_so():
    messages, _ = await expiry(NULLARBOR)
    assert "expires today, 28 November 2026" in text_of(messages)


async def test_a_lapsed_licence_explains_continuity_and_offers_a_quote():
    messages, events = await expiry(QUOKKA)
    text = text_of(messages)
    assert "lapsed 30 days ago: it expired on 29 October 2026" in text
    assert "continuous" in text
    assert messages[0]["buttons"][0]["title"] == "Quote my renewal"
    assert slot_events(events)["offer"] == "quote"


async def test_an_unknown_code_is_reported_without_guessing_and_offers_a_person():
    messages, events = await expiry(UNKNOWN)
    text = text_of(messages)
    assert "couldn't find a licence" in text
    assert "Talk to a person" in [b["title"] for b in messages[0]["buttons"]]
    assert slot_events(events)["failed_lookups"] == 1
    assert "Acacia" not in text and "@" not in text


async def test_after_five_unknown_codes_lookups_stop():
    tracker = user_tracker(f"check {UNKNOWN}", "check_license_expiry", slots={"failed_lookups": 4})
    messages, events = await run(ActionCheckLicenceExpiry(), tracker)
    assert "stopped looking up" in text_of(messages)
    # Even a real code is not looked up any more.
    tracker = user_tracker(f"check {ACACIA}", "check_license_expiry", slots={"failed_lookups": 5})
    messages, _ = await run(ActionCheckLicenceExpiry(), tracker)
    assert "stopped looking up" in text_of(messages)
    assert "2028" not in text_of(messages)


async def test_a_malformed_code_is_explained_and_nothing_is_looked_up():
    messages, events = await run(
        ActionCheckLicenceExpiry(), user_tracker("my code is WS-2ZDQ-YG9N8-TZCHQ", "check_license_expiry")
    )
    assert "37 characters" in text_of(messages)
    assert slot_events(events) == {"pending_task": "expiry", "activation_code": None}


async def test_no_code_asks_for_it_and_the_next_message_answers():
    messages, events = await run(
        ActionCheckLicenceExpiry(), user_tracker("when does my licence expire", "check_license_expiry")
    )
    assert "What's your Activation Code" in text_of(messages)
    assert slot_events(events) == {"pending_task": "expiry"}
    tracker = user_tracker(ACACIA, "inform", slots={"pending_task": "expiry", "activation_code": ACACIA})
    messages, _ = await run(ActionContinueTask(), tracker)
    assert "2 January 2028" in text_of(messages)


@pytest.mark.parametrize(
    "message",
    ["' OR 1=1; DROP TABLE licences; --", "🙂🙂🙂", "x" * 10_000, "WS-' OR '1'='1"],
)
async def test_bad_input_gets_a_clear_answer_and_no_exception(message):
    messages, events = await run(ActionCheckLicenceExpiry(), user_tracker(message, "check_license_expiry"))
    assert messages and messages[0]["text"]
    assert "failed_lookups" not in slot_events(events)


async def test_licence_lapsed_29_days_ago_costs_aud_2294_05():
    tracker = user_tracker(
        f"how much to renew {QUOKKA}", "lapse_charge_quote", slots={"activation_code": QUOKKA}
    )
    messages, events = await run(ActionQuoteRenewal(), tracker)
    text = text_of(messages)
    assert "Lapsed period 30 October 2026 to 27 November 2026 (29 days, 50 users): AUD 153.50" in text
    assert "New term 28 November 2026 to 27 November 2027 (1 year, 50 users): AUD 1,932.00" in text
    assert "Subtotal: AUD 2,085.50" in text
    assert "GST (10%): AUD 208.55" in text
    assert "Total: AUD 2,294.05 incl. GST" in text
    assert slot_events(events)["quoted_code"] == QUOKKA


async def test_a_quote_shows_the_rate_per_user_and_the_band_that_sets_it():
    tracker = user_tracker(
        f"how much to renew {QUOKKA}", "lapse_charge_quote", slots={"activation_code": QUOKKA}
    )
    text = text_of((await run(ActionQuoteRenewal(), tracker))[0])
    # 50 users x AUD 38.64 = AUD 1,932.00
    assert "(1 year, 50 users): AUD 1,932.00 (AUD 38.64 per user per year, the 26\u201350 users band)" in text


async def test_a_lapsed_quote_says_why_it_charges_one_day_fewer_than_the_days_since_expiry():
    tracker = user_tracker(
        f"how much to renew {QUOKKA}", "lapse_charge_quote", slots={"activation_code": QUOKKA}
    )
    text = text_of((await run(ActionQuoteRenewal(), tracker))[0])
    # The look-up says it expired 30 days ago; the renewal day itself is the new term's first day.
    assert (
        "It expired on 29 October 2026, so the 29 days after that, up to the day before the new term starts "
        "on 28 November 2026, are charged at your previous user count."
    ) in text


async def test_a_follow_up_changes_the_term_without_the_code_again():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA, "term_years": 2.0}
    tracker = user_tracker(
        "what about 2 years?", "adjust_quote", slots=slots, entities=[entity("term_years", 2)]
    )
    messages, _ = await run(ActionQuoteRenewal(), tracker)
    text = text_of(messages)
    # 50 x 38.64 x 2 = 3,864.00; + 153.50 lapse = 4,017.50; GST 401.75
    assert "(2 years, 50 users): AUD 3,864.00" in text
    assert "Total: AUD 4,419.25 incl. GST" in text


async def test_fewer_users_is_a_downsize_that_the_reseller_needs_in_writing():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA, "user_count": 20.0}
    tracker = user_tracker(
        "and for 20 users?", "adjust_quote", slots=slots, entities=[entity("user_count", 20)]
    )
    messages, _ = await run(ActionQuoteRenewal(), tracker)
    text = text_of(messages)
    assert "(1 year, 20 users): AUD 840.00" in text  # band 1-25 at 42.00
    assert "in writing" in text and "additional user purchase" in text


async def test_more_users_than_before_is_quoted_at_the_current_count():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA, "user_count": 80.0}
    tracker = user_tracker("quote 80 users", "adjust_quote", slots=slots, entities=[entity("user_count", 80)])
    text = text_of((await run(ActionQuoteRenewal(), tracker))[0])
    assert "(1 year, 50 users)" in text
    assert "30 extra are a separate additional user purchase" in text


async def test_nz_licence_is_quoted_in_nzd_with_15_percent_gst():
    tracker = user_tracker(f"quote {RIMU}", "lapse_charge_quote", slots={"activation_code": RIMU})
    text = text_of((await run(ActionQuoteRenewal(), tracker))[0])
    # 50 x 96.27 = 4,813.50; lapse 50 x 96.27 x 4 / 365 = 52.75; subtotal 4,866.25; GST 729.94
    assert "NZD 52.75" in text and "NZD 4,813.50" in text
    assert "GST (15%): NZD 729.94" in text
    assert "Total: NZD 5,596.19 incl. GST" in text


async def test_a_named_renewal_date_is_read_day_first():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA, "renewal_date": "1/12/2026"}
    tracker = user_tracker(
        "what if I renew on 1/12/2026", "adjust_quote", slots=slots, entities=[entity("date", "1/12/2026")]
    )
    text = text_of((await run(ActionQuoteRenewal(), tracker))[0])
    assert "renewing on 1 December 2026" in text
    assert "(32 days, 50 users)" in text


async def test_an_impossible_term_is_explained_and_forgotten():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA, "term_years": 7.0}
    tracker = user_tracker("make it 7 years", "adjust_quote", slots=slots, entities=[entity("term_years", 7)])
    messages, events = await run(ActionQuoteRenewal(), tracker)
    assert "Total" not in text_of(messages)
    assert slot_events(events)["term_years"] is None


async def test_a_different_licence_does_not_inherit_the_previous_follow_ups():
    slots = {"activation_code": RIMU, "quoted_code": QUOKKA, "term_years": 3.0, "user_count": 10.0}
    tracker = user_tracker(
        f"now quote {RIMU}", "lapse_charge_quote", slots=slots, entities=[entity("activation_code", RIMU)]
    )
    messages, events = await run(ActionQuoteRenewal(), tracker)
    assert "(1 year, 50 users)" in text_of(messages)
    assert slot_events(events)["term_years"] is None and slot_events(events)["user_count"] is None


async def test_an_expiry_date_the_customer_mentions_is_not_taken_for_the_renewal_date():
    text = f"{QUOKKA} expired 29/10/2026, how much to renew?"
    tracker = user_tracker(text, "lapse_charge_quote", entities=[entity("date", "29/10/2026")])
    messages, events = await run(ActionQuoteRenewal(), tracker)
    assert "renewing on 28 November 2026" in text_of(messages)
    assert "Total: AUD 2,294.05" in text_of(messages)
    assert "renewal_date" not in slot_events(events)


async def test_a_date_stated_as_the_renewal_date_prices_renewing_then():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA}
    tracker = user_tracker(
        "what if we renew on 5 December", "adjust_quote", slots=slots, entities=[entity("date", "5 December")]
    )
    messages, events = await run(ActionQuoteRenewal(), tracker)
    assert "renewing on 5 December 2026" in text_of(messages)
    assert slot_events(events)["renewal_date"] == "5 December"


def change_or_faq(text, slots):
    """A message the NLU takes for a change to a quote, with an FAQ topic it is sure of next."""
    tracker = user_tracker(text, "adjust_quote", slots=slots)
    tracker.latest_message["intent_ranking"] = [
        {"name": "adjust_quote", "confidence": 0.55},
        {"name": "faq", "confidence": 0.3},
    ]
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": "faq/no_renewal_consequences", "confidence": 0.99}}
    }
    return tracker


async def test_what_happens_if_it_runs_out_tomorrow_before_any_quote_gets_the_faq_answer_not_a_quote():
    tracker = change_or_faq("tomorrow?! what happens if it runs out", {"activation_code": QUOKKA})
    messages, _ = await run(ActionQuoteRenewal(), tracker)
    assert messages[0]["response"] == "utter_faq/no_renewal_consequences"


async def test_after_a_quote_the_same_guesses_change_the_quote():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA}
    messages, _ = await run(ActionQuoteRenewal(), change_or_faq("what about if we do it tomorrow", slots))
    assert "Total: AUD" in text_of(messages)
