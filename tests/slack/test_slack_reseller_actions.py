"""The reseller actions, fed trackers as Rasa sends them: who may see what depends on the sealed Slack
identity."""

from __future__ import annotations

import time
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import backend
from actions.context import ActionContinueTask
from actions.licences import ActionCheckLicenceExpiry
from actions.quote_requests import ActionQuoteRenewal
from actions.resellers import (
    ActionResellerCases,
    ActionResellerExpiring,
    ActionResellerLookup,
    ActionResellerUpdateCase,
)
from renewals import slack_identity
from renewals.service import Renewals
from tests.support.checklists import checklist_for
from tests.support.slack_fakes import HARBOUR, OUTSIDER, SIGNING_SECRET, SOUTHERN_CROSS

ACACIA = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"  # Southern Cross's customer
BANKSIA = "WA-ZPDN-QFEFG-ZHA3A-U3ZWL-CQGPP-2438D"  # Harbour Systems' customer
QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # Harbour Systems' customer
PLATYPUS = "PP-9LF5-B9FRX-XQUHC-266C8-C2LY8-TAZHD"  # Southern Cross's, lapsed 13 days ago
UNKNOWN = "WS-AAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF"
# What anyone but a linked reseller gets instead: their own licence (by its code) or their own case.
CUSTOMER_VERSION = (
    "Sure. What's your Activation Code?",
    "You haven't opened a case in this chat",
    "I can only give the status of a case opened in this chat",
)


@pytest.fixture(autouse=True)
def environment(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    monkeypatch.setenv("RENEWALS_TODAY", "2026-11-28")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("CASE_WEBHOOK_URL", raising=False)
    backend.renewals.cache_clear()
    yield
    backend.renewals.cache_clear()


def slack_metadata(who: dict, text: str, secret: str = SIGNING_SECRET) -> Dict[str, Any]:
    identity = slack_identity.SlackIdentity(user_id=who["user"], team_id=who["team"], channel_id="D0DIRECT1")
    sealed = slack_identity.sealed_metadata(secret, identity, text, "conversation", time.time())
    return {"out_channel": "D0DIRECT1", slack_identity.METADATA_KEY: sealed}


def tracker(
    text: str,
    intent: str,
    who: Optional[dict] = None,
    metadata: Optional[dict] = None,
    slots: Optional[dict] = None,
) -> Tracker:
    """The tracker after `text`, from a Slack user (`who`) or, without one, from the REST channel."""
    if who is not None and metadata is None:
        metadata = slack_metadata(who, text)
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
    event = {
        "event": "user",
        "text": text,
        "parse_data": parse,
        "input_channel": "slack" if who else "rest",
        "metadata": metadata or {},
    }
    return Tracker(
        "conversation",
        {"failed_lookups": 0, **(slots or {})},
        parse,
        [event],
        False,
        None,
        {},
        "action_listen",
    )


async def say(action, text: str, intent: str, who: Optional[dict] = None, **kwargs) -> tuple[str, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(text, intent, who, **kwargs), {})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


# --- look-ups and quotes ---------------------------------------------------------------------


async def test_a_reseller_looks_up_their_customer_by_code():
    reply, events = await say(
        ActionCheckLicenceExpiry(), f"when does {ACACIA} expire", "check_license_expiry", SOUTHERN_CROSS
    )
    assert f"*Acacia Dental Group* ({ACACIA})" in reply
    assert "active until 2 January 2028" in reply


async def test_a_reseller_looks_up_their_customer_by_company_name_and_can_then_quote_it():
    reply, events = await say(
        ActionResellerLookup(), "look up my customer platypus software", "reseller_lookup", SOUTHERN_CROSS
    )
    assert f"*Platypus Software* ({PLATYPUS})" in reply and "lapsed 13 days ago" in reply
    code = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}["activation_code"]
    quote, _ = await say(
        ActionQuoteRenewal(),
        "how much to renew it?",
        "lapse_charge_quote",
        SOUTHERN_CROSS,
        slots={"activation_code": code},
    )
    assert "*Platypus Software*" in quote and "Total: AUD" in quote and "Lapsed period" in quote


async def test_a_quote_can_name_the_customer_instead_of_the_code():
    quote, _ = await say(
        ActionQuoteRenewal(), "how much to renew Platypus Software?", "lapse_charge_quote", SOUTHERN_CROSS
    )
    assert "*Platypus Software*" in quote and "Total: AUD" in quote


@pytest.mark.parametrize("code", [BANKSIA, UNKNOWN], ids=["another reseller's customer", "unknown code"])
async def test_another_resellers_customer_and_an_unknown_code_get_the_same_refusal(code):
    for action, intent in (
        (ActionCheckLicenceExpiry(), "check_license_expiry"),
        (ActionQuoteRenewal(), "lapse_charge_quote"),
    ):
        reply, events = await say(action, f"tell me about {code}", intent, SOUTHERN_CROSS)
        assert reply == (
            "That Activation Code isn't one of Southern Cross IT Solutions' customers, so I can't show or "
            "quote it. "
            "If the customer has moved to you, ask your Trend Micro partner contact to update the licence "
            "record."
        )
        assert "Banksia" not in reply
        assert {"event": "slot", "timestamp": None, "name": "failed_lookups", "value": 1} not in events


async def test_another_resellers_customer_is_not_found_by_name():
    reply, _ = await say(
        ActionResellerLookup(), "look up Banksia Logistics", "reseller_lookup", SOUTHERN_CROSS
    )
    assert "None of your customers' company names matches" in reply and "Banksia" not in reply
    theirs, _ = await say(ActionResellerLookup(), "look up Banksia Logistics", "reseller_lookup", HARBOUR)
    assert f"*Banksia Logistics* ({BANKSIA})" in theirs


async def test_a_bare_company_name_from_a_reseller_is_a_look_up():
    reply, _ = await say(ActionContinueTask(), "Acacia Dental", "inform", SOUTHERN_CROSS)
    assert "*Acacia Dental Group*" in reply


# --- who is not a reseller -------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, text, intent",
    [
        (ActionResellerExpiring(), "which of my customers expire in the next 60 days", "reseller_expiring"),
        (ActionResellerCases(), "show my cases", "reseller_cases"),
        (ActionResellerUpdateCase(), "mark RN-2026-000001 resolved", "reseller_update_case"),
        (ActionResellerLookup(), "look up my customer Acacia Dental", "reseller_lookup"),
    ],
)
@pytest.mark.parametrize("who", ["unlinked Slack user", "REST", "forged seal", "seal for other text"])
async def test_anyone_but_a_linked_reseller_gets_the_customer_version_of_reseller_requests(
    action, text, intent, who
):
    metadata = None
    sender = OUTSIDER if who == "unlinked Slack user" else None
    if who == "forged seal":
        sender, metadata = SOUTHERN_CROSS, slack_metadata(SOUTHERN_CROSS, text, secret="guessed-secret")
    elif who == "seal for other text":
        sender, metadata = SOUTHERN_CROSS, slack_metadata(SOUTHERN_CROSS, "hello")
    reply, _ = await say(action, text, intent, sender, metadata=metadata)
    assert reply.startswith(CUSTOMER_VERSION)
    assert "Acacia" not in reply and "Southern Cross" not in reply and "resolved" not in reply


async def test_a_non_reseller_in_slack_looks_up_any_code_like_a_customer():
    reply, _ = await say(
        ActionCheckLicenceExpiry(), f"when does {BANKSIA} expire", "check_license_expiry", OUTSIDER
    )
    assert "Worry-Free Business Security Advanced for Mac, 26 users" in reply
    assert "Banksia" not in reply  # customers' answers don't name the company


async def test_without_the_signing_secret_the_action_server_trusts_no_one(monkeypatch):
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    reply, _ = await say(ActionResellerCases(), "show my cases", "reseller_cases", SOUTHERN_CROSS)
    assert reply.startswith(CUSTOMER_VERSION)


# --- expiry lists and cases ------------------------------------------------------------------


async def test_the_expiring_list_is_a_table_of_the_resellers_licences():
    reply, _ = await say(
        ActionResellerExpiring(),
        "which of my customers expire in the next 60 days?",
        "reseller_expiring",
        SOUTHERN_CROSS,
    )
    table = reply.split("```")[1]
    lines = table.strip().splitlines()
    assert lines[0].split() == ["Expiry", "Left", "Company", "Product", "Users", "Activation", "Code"]
    assert [line.split("  ")[0] for line in lines[1:]] == ["29 Nov 2026", "27 Dec 2026", "12 Jan 2027"]
    assert "Mallee Agricultural Supplies" in lines[1] and "1d" in lines[1]
    assert "Platypus" not in reply  # lapsed ones only when asked for
    lapsed, _ = await say(ActionResellerExpiring(), "show lapsed", "reseller_expiring", SOUTHERN_CROSS)
    assert "Platypus Software" in lapsed and "Saltbush Veterinary Clinic" in lapsed and "Mallee" not in lapsed


def open_case(code: str) -> str:
    renewals = Renewals.from_env()
    licence = renewals.find_licence(code)
    return renewals.open_renewal_case(checklist_for(licence), "slack-x", "slack", licence=licence).reference


async def test_a_reseller_lists_their_cases_and_marks_one_in_progress_then_resolved():
    reference = open_case(QUOKKA)
    cases, _ = await say(ActionResellerCases(), "show my cases", "reseller_cases", HARBOUR)
    assert reference in cases and "Quokka Travel" in cases and "open" in cases and "```" in cases
    started, _ = await say(
        ActionResellerUpdateCase(), f"mark {reference} in progress", "reseller_update_case", HARBOUR
    )
    assert started == f"Done: {reference} (Quokka Travel) is now in progress."
    done, _ = await say(
        ActionResellerUpdateCase(), f"{reference.lower()} resolved", "reseller_update_case", HARBOUR
    )
    assert done == f"Done: {reference} (Quokka Travel) is now resolved."
    again, _ = await say(
        ActionResellerUpdateCase(), f"mark {reference} in progress", "reseller_update_case", HARBOUR
    )
    assert "already resolved" in again
    history = Renewals.from_env().case(reference).history
    assert [e.actor for e in history[1:]] == ["R-AU-002 in Slack (U02HARB01)"] * 2


async def test_another_resellers_case_is_refused_and_left_alone():
    reference = open_case(QUOKKA)
    reply, _ = await say(
        ActionResellerUpdateCase(), f"mark {reference} resolved", "reseller_update_case", SOUTHERN_CROSS
    )
    assert reply.startswith(f"{reference} isn't one of the cases routed to Southern Cross IT Solutions")
    cases, _ = await say(ActionResellerCases(), "show my cases", "reseller_cases", SOUTHERN_CROSS)
    assert reference not in cases
    assert Renewals.from_env().case(reference).status.value == "open"


async def test_a_case_update_without_a_reference_or_a_status_asks_for_it():
    reply, _ = await say(ActionResellerUpdateCase(), "mark it resolved", "reseller_update_case", HARBOUR)
    assert "Which case?" in reply
    dispatcher = CollectingDispatcher()
    await ActionResellerUpdateCase().run(
        dispatcher, tracker("RN-2026-000001 please", "reseller_update_case", HARBOUR), {}
    )
    [message] = dispatcher.messages
    assert message["text"] == "Should I mark RN-2026-000001 in progress or resolved?"
    assert [b["payload"] for b in message["buttons"]] == [
        "mark RN-2026-000001 in progress",
        "mark RN-2026-000001 resolved",
    ]


# --- renewals ----------------------------------------------------------------------------------


async def test_a_reseller_cannot_start_a_renewal_for_another_resellers_customer():
    from actions.renewal_form import ActionStartRenewal

    reply, events = await say(ActionStartRenewal(), f"renew {BANKSIA}", "renewal_request", SOUTHERN_CROSS)

    assert reply.startswith("That Activation Code isn't one of Southern Cross IT Solutions' customers")
    assert {"event": "followup", "timestamp": None, "name": "action_listen"} in events  # no checklist starts
    assert not [e for e in events if e.get("name") == "renewal_licence_code"]


async def test_a_reseller_renews_their_own_customer_from_the_record():
    from actions.renewal_form import ActionStartRenewal

    reply, events = await say(ActionStartRenewal(), f"renew {BANKSIA}", "renewal_request", HARBOUR)

    assert "filled in the renewal details we have on file" in reply
    assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"}[
        "renewal_licence_code"
    ] == BANKSIA
