"""Slack end to end: signed Events API requests to a running Rasa server, replies captured by a fake Slack.

One action server and one Rasa server with the Slack channel enabled; the Slack
Web API they post to is FakeSlackApi on 127.0.0.1. Users: Southern Cross IT
(R-AU-001) and Harbour Systems (R-AU-002) from demo/resellers.csv, and a
Slack user linked to no reseller.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from renewals.service import Renewals
from renewals.slack_identity import conversation_id
from scripts.live_assistant import http, running_assistant
from tests.support.slack_fakes import (
    BOT_TOKEN,
    BOT_USER,
    HARBOUR,
    OUTSIDER,
    SIGNING_SECRET,
    SOUTHERN_CROSS,
    FakeSlackApi,
    message_event,
    new_ts,
    post_to_slack_webhook,
    slack_signature,
)

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
ACACIA = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"  # Southern Cross's customer
BANKSIA = "WA-ZPDN-QFEFG-ZHA3A-U3ZWL-CQGPP-2438D"  # Harbour Systems' customer
QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # Harbour Systems' customer
PLATYPUS = "PP-9LF5-B9FRX-XQUHC-266C8-C2LY8-TAZHD"  # Southern Cross's, lapsed


@pytest.fixture(scope="module")
def slack(tmp_path_factory):
    with FakeSlackApi() as fake:
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
        }
        with running_assistant(tmp_path_factory.mktemp("slack"), extra_env=env) as live:
            yield Slack(live, fake)


class Slack:
    def __init__(self, live, fake: FakeSlackApi):
        self.live, self.fake = live, fake

    def post(self, body: dict, **kwargs):
        return post_to_slack_webhook(self.live.rasa_url, json.dumps(body).encode(), **kwargs)

    def wait_until_handled(self, who: dict, message_ts: str) -> None:
        """Until the tracker shows the message answered (the replies are posted before the tracker is
        saved)."""
        conversation = conversation_id(SIGNING_SECRET, who["team"], who["user"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, tracker = http(
                "GET", f"{self.live.rasa_url}/conversations/{conversation}/tracker?token={self.live.token}"
            )
            events = tracker.get("events", []) if status == 200 else []
            for index, event in enumerate(events):
                if (
                    event.get("event") == "user"
                    and (event.get("metadata") or {}).get("message_ts") == message_ts
                ):
                    later = events[index + 1 :]
                    if any(
                        e.get("event") == "action" and e.get("name") == "action_listen" for e in later
                    ) or any(
                        e.get("event") == "pause"
                        for e in later  # handed to a person: the assistant stops
                    ):
                        return
            time.sleep(0.2)
        raise AssertionError(f"the message {message_ts} was not handled within 60 s")

    def say(self, who: dict, text: str, channel: str = "D0DIRECT1", thread_ts=None, **event_options) -> list:
        """Send a message as `who`; the replies posted to Slack for it (each a chat.postMessage call)."""
        body = message_event(text, who, channel=channel, thread_ts=thread_ts, **event_options)
        ts = body["event"]["ts"]
        thread = thread_ts or ts
        before = len(self.fake.messages(channel, thread))
        status, _ = self.post(body)
        assert status == 200
        self.wait_until_handled(who, ts)
        return self.fake.messages(channel, thread)[before:]

    def text(self, who: dict, text: str, **kwargs) -> str:
        return "\n".join(m["text"] for m in self.say(who, text, **kwargs))


# --- the request is Slack's, or it is refused -------------------------------------------------


def test_slack_checks_the_url_with_a_signed_challenge(slack):
    status, body = slack.post(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    assert status == 200 and json.loads(body) == {
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    }


@pytest.mark.parametrize(
    "forgery",
    ["wrong secret", "tampered body", "no signature", "stale timestamp", "timestamp from the future"],
)
def test_requests_not_signed_by_slack_now_are_refused_and_not_answered(slack, forgery):
    body = json.dumps(message_event(f"show my cases ({forgery})", SOUTHERN_CROSS)).encode()
    now = int(time.time())
    options = {
        "wrong secret": {"secret": "not-the-signing-secret"},
        "no signature": {"signature": ""},
        "stale timestamp": {"timestamp": str(now - 6 * 60)},
        "timestamp from the future": {"timestamp": str(now + 6 * 60)},
    }.get(forgery, {})
    if forgery == "tampered body":
        options = {
            "signature": slack_signature(SIGNING_SECRET, str(now), body.replace(b"cases", b"cases!")),
            "timestamp": str(now),
        }
    before = len(slack.fake.posted)
    status, _ = post_to_slack_webhook(slack.live.rasa_url, body, **options)
    assert status == 401
    time.sleep(1)
    assert len(slack.fake.posted) == before


def test_a_retried_or_repeated_event_is_answered_once(slack):
    body = message_event("how do I renew my maintenance?", OUTSIDER)
    ts = body["event"]["ts"]
    assert slack.post(body)[0] == 200
    assert (
        slack.post(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})[0] == 200
    )
    mention = {**body, "event": {**body["event"], "type": "app_mention"}}
    assert slack.post(mention)[0] == 200
    slack.wait_until_handled(OUTSIDER, ts)
    time.sleep(1)
    assert len(slack.fake.messages("D0DIRECT1", ts)) == 1


# --- resellers -------------------------------------------------------------------------------


def test_a_reseller_looks_up_their_customer_by_code_and_the_reply_is_in_the_thread(slack):
    [reply] = slack.say(SOUTHERN_CROSS, f"when does {ACACIA} expire?", channel="D01SCIT")
    assert reply["channel"] == "D01SCIT"
    assert reply["thread_ts"]  # under the reseller's message
    assert reply["text"].startswith(f"*Acacia Dental Group* ({ACACIA})")
    assert "active until 2 January 2028: 400 days left" in reply["text"]


def test_a_reseller_looks_up_their_customer_by_company_name(slack):
    reply = slack.text(SOUTHERN_CROSS, "look up my customer Platypus Software")
    assert f"*Platypus Software* ({PLATYPUS})" in reply and "lapsed 13 days ago" in reply


def test_a_reseller_quotes_a_renewal_for_their_customer(slack):
    reply = slack.text(SOUTHERN_CROSS, f"quote me a renewal for {PLATYPUS}")
    assert (
        "*Platypus Software*" in reply
        and "Lapsed period" in reply
        and re.search(r"Total: AUD [\d,]+\.\d\d incl\. GST", reply)
    )


def test_another_resellers_customer_is_refused_without_saying_whose_it_is(slack):
    by_code = slack.text(SOUTHERN_CROSS, f"when does {BANKSIA} expire?")
    assert by_code.startswith("That Activation Code isn't one of Southern Cross IT Solutions' customers")
    assert "Banksia" not in by_code and "Mac" not in by_code
    unknown = slack.text(SOUTHERN_CROSS, "when does WS-AAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF expire?")
    assert unknown == by_code
    by_name = slack.text(SOUTHERN_CROSS, "look up my customer Banksia Logistics")
    assert "None of your customers' company names matches" in by_name


def test_a_reseller_lists_customers_expiring_soon_and_lapsed_as_tables(slack):
    [reply] = slack.say(SOUTHERN_CROSS, "which of my customers expire in the next 60 days?")
    text = reply["text"]
    table = text.split("```")[1].strip().splitlines()
    assert table[0].split()[:5] == ["Expiry", "Left", "Company", "Product", "Users"]
    assert [row.split("  ")[0] for row in table[1:]] == ["29 Nov 2026", "27 Dec 2026", "12 Jan 2027"]
    assert "Mallee Agricultural Supplies" in table[1] and "DS-MP3B-X6E48-7TPKC-RW7A6-PKP8C-3SBSA" in table[1]
    # The columns line up: every row starts each column where the header does.
    company = table[0].index("Company")
    assert all(row[company - 2 : company] == "  " and row[company] != " " for row in table[1:])
    lapsed = slack.text(SOUTHERN_CROSS, "show me which customers have already lapsed")
    assert "Platypus Software" in lapsed and "Saltbush Veterinary Clinic" in lapsed and "Mallee" not in lapsed


# --- not a reseller --------------------------------------------------------------------------


def test_a_slack_user_who_is_not_a_reseller_gets_the_customer_version_of_reseller_requests(slack):
    [reply] = slack.say(OUTSIDER, "which of my customers expire in the next 30 days?")
    assert "What's your Activation Code?" in reply["text"]  # their own licence, by its code
    assert "Acacia" not in reply["text"] and "Southern Cross" not in reply["text"]
    cases = slack.text(OUTSIDER, "show my cases")
    assert "haven't opened a case in this chat" in cases and "RN-" not in cases


def test_a_non_reseller_can_still_ask_the_faq_and_look_up_a_code_like_a_customer(slack):
    assert "Contact your preferred Trend Micro reseller" in slack.text(
        OUTSIDER, "how do I renew my maintenance?"
    )
    reply = slack.text(OUTSIDER, f"when does {BANKSIA} expire?")
    assert "Worry-Free Business Security Advanced for Mac, 26 users" in reply and "Banksia" not in reply


def test_a_button_click_is_a_signed_interaction_answered_in_the_thread(slack):
    clicker = {"user": "U08CLICKER", "team": OUTSIDER["team"]}  # a fresh conversation: no code known yet
    [refusal] = slack.say(clicker, "hi")  # the greeting offers "When does my licence expire?" first
    button = refusal["blocks"][1]["elements"][0]
    click_ts = new_ts()
    payload = {
        "type": "block_actions",
        "user": {"id": clicker["user"], "team_id": clicker["team"]},
        "team": {"id": OUTSIDER["team"]},
        "channel": {"id": "D0DIRECT1"},
        "message": {"ts": refusal["ts"], "thread_ts": refusal["thread_ts"]},
        "actions": [{"type": "button", "value": button["value"], "action_ts": click_ts}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    before = len(slack.fake.messages("D0DIRECT1", refusal["thread_ts"]))
    status, _ = post_to_slack_webhook(
        slack.live.rasa_url, body, content_type="application/x-www-form-urlencoded"
    )
    assert status == 200
    slack.wait_until_handled(clicker, click_ts)
    [reply] = slack.fake.messages("D0DIRECT1", refusal["thread_ts"])[before:]
    assert "What's your Activation Code?" in reply["text"]


def test_a_mention_in_a_channel_is_answered_in_a_thread_there(slack):
    [reply] = slack.say(
        SOUTHERN_CROSS,
        f"<@{BOT_USER}> look up my customer Acacia Dental",
        channel="C0SHARED1",
        channel_type="channel",
        event_type="app_mention",
    )
    assert reply["channel"] == "C0SHARED1" and "*Acacia Dental Group*" in reply["text"]


# --- cases and their notices -----------------------------------------------------------------


def test_a_case_opened_in_slack_is_noticed_in_the_resellers_channel_once_and_worked_there(slack):
    customer = {"user": "U08QUOKKA", "team": "T08QUOKKA"}
    slack.text(customer, f"when does {QUOKKA} expire?")
    assert "on file" in slack.text(customer, "I want to renew it")
    done = slack.text(customer, "Confirm, those details are correct")
    reference = re.search(r"RN-2026-\d{6}", done).group(0)
    assert "Harbour Systems Pty Ltd will contact" in done

    worker_env = {**slack.live.env}
    for _ in range(2):  # delivering again sends nothing more
        result = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-m", "renewals", "outbox-worker", "--once"],
            cwd=ROOT,
            env=worker_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    [notice] = slack.fake.messages("C02RENEW02")
    for expected in (
        reference,
        "Quokka Travel",
        "Worry-Free Business Security Standard (Windows)",
        "Users: 50",
        "Licence expiry: 29 October 2026",
    ):
        assert expected in notice["text"]
    assert "jack.williams" not in notice["text"]
    assert "thread_ts" not in notice  # a message of its own in the channel

    cases = slack.text(HARBOUR, "show my cases")
    assert reference in cases and "Quokka Travel" in cases and "```" in cases
    assert reference not in slack.text(SOUTHERN_CROSS, "show my cases")
    assert slack.text(SOUTHERN_CROSS, f"mark {reference} resolved").startswith(
        f"{reference} isn't one of the cases"
    )
    assert (
        slack.text(HARBOUR, f"mark {reference} in progress")
        == f"Done: {reference} (Quokka Travel) is now in progress."
    )
    assert "in progress" in slack.text(HARBOUR, "show my cases")


def test_a_message_sent_later_through_rasas_api_reaches_the_users_latest_thread(slack):
    """As the agent console replies live: a bot event with output_channel=latest."""
    someone = {"user": "U08LATER01", "team": OUTSIDER["team"]}
    [first] = slack.say(someone, "I'd like to talk to a person", channel="D08LATER")
    conversation = conversation_id(SIGNING_SECRET, someone["team"], someone["user"])
    status, _ = http(
        "POST",
        f"{slack.live.rasa_url}/conversations/{conversation}/tracker/events"
        f"?token={slack.live.token}&execute_side_effects=true&output_channel=latest",
        [
            {
                "event": "bot",
                "text": "Hi, this is Alice from support & renewals.",
                "metadata": {"agent": "alice"},
            }
        ],
    )
    assert status == 200
    slack.fake.wait_for(lambda: any("Alice" in m["text"] for m in slack.fake.messages("D08LATER")))
    [reply] = [m for m in slack.fake.messages("D08LATER") if "Alice" in m["text"]]
    assert reply["thread_ts"] == first["thread_ts"]
    assert reply["text"] == "Hi, this is Alice from support &amp; renewals."


def test_a_handed_over_chat_is_given_back_at_once_and_the_resellers_resolution_adds_nothing(slack):
    """Issue 11 #3 and issue 17: the customer's chat was paused for a person; handed to the reseller, the
    customer is told who takes it from here and the assistant answers again; the reseller then resolves
    the case in Slack."""
    customer = f"web-{uuid.uuid4().hex[:12]}"
    slack.live.say(customer, f"when does {QUOKKA} expire?")
    reference = re.search(
        r"RN-2026-\d{6}", slack.live.say(customer, "can I talk to a real person pls")
    ).group(0)
    assert slack.live.tracker(customer)["paused"] is True
    renewals = Renewals.from_env(slack.live.env)
    renewals.hand_to_reseller(reference, "alice", "customer wants a call back")

    done = slack.text(HARBOUR, f"mark {reference} resolved")
    assert done == f"Done: {reference} (Quokka Travel) is now resolved."
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "renewals", "outbox-worker", "--once"],
        cwd=ROOT,
        env=slack.live.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    tracker = slack.live.tracker(customer)
    assert tracker["paused"] is False
    assert [e["text"] for e in tracker["events"] if e["event"] == "bot"][-1] == (
        f"The support team has passed your case {reference} to Harbour Systems Pty Ltd, your reseller, who "
        "will contact you by email or phone. I'm back: ask me anything about your licence or renewal "
        "meanwhile."
    )
    assert (
        "reseller" in slack.live.say(customer, "how do i renew my maintenance?").lower()
    )  # the bot answers again
