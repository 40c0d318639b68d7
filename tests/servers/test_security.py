"""Issue 12's attacks, tried against the live servers as an outsider would: each gets nowhere.

Rasa's defaults fail every one of these: its action server runs any action for anyone, its REST
channel takes any message for any conversation, answers 500 to malformed bodies and accepts any size.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from channels.replies import TOO_LONG
from scripts.live_assistant import http

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # contact Jack Williams, jack.williams@quokkatravel.com.au


def made_up_action_call(action: str, slots: dict) -> dict:
    return {
        "next_action": action,
        "sender_id": "attacker",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "attacker",
            "slots": slots,
            "latest_message": {"text": "hi", "intent": {}},
            "events": [],
            "active_loop": {},
            "latest_input_channel": "rest",
        },
    }


def raw_post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def rest(assistant, body: bytes, token=None) -> tuple[int, bytes]:
    token = assistant.rest_token if token is None else token
    return raw_post(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )


# --- the action server ---------------------------------------------------------------------------


def test_a_made_up_tracker_sent_to_the_action_server_reveals_no_contact_details(assistant):
    call = made_up_action_call(
        "action_start_renewal", {"activation_code": QUOKKA, "renewal_licence_code": QUOKKA}
    )
    status, body = http("POST", f"{assistant.action_url}/webhook", call)

    assert (status, body) == (401, {"error": "unauthorized"})


@pytest.mark.parametrize("token", ["", "wrong-secret-of-the-right-length"])
def test_a_made_up_submission_without_the_shared_secret_opens_no_case(assistant, token):
    from renewals.service import Renewals

    before = len(Renewals.from_env(assistant.env).console_cases(statuses=None))
    call = made_up_action_call(
        "action_submit_renewal", {"renewal_confirmed": "yes", "company_name": "Evil Pty Ltd"}
    )
    status, _ = http("POST", f"{assistant.action_url}/webhook", call, {"X-Action-Server-Token": token})

    assert status == 401
    assert len(Renewals.from_env(assistant.env).console_cases(statuses=None)) == before


def test_the_action_servers_errors_echo_nothing_of_the_request(assistant):
    secret = {
        "X-Action-Server-Token": assistant.env["ACTION_SERVER_TOKEN"],
        "Content-Type": "application/json",
    }
    for body in (b"[1, 2]", b"not json", b'"jack.williams@quokkatravel.com.au"', b"\xff\xfe"):
        status, answer = raw_post(f"{assistant.action_url}/webhook", body, secret)
        assert status == 400 and json.loads(answer) == {"error": "bad request"}
    assert http("GET", f"{assistant.action_url}/health")[0] == 200  # the health check needs no secret


def test_no_secret_appears_on_any_process_command_line(assistant):
    secrets = [assistant.token, assistant.rest_token, assistant.env["ACTION_SERVER_TOKEN"]]
    for name, process in assistant.processes.items():
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
        assert not [s for s in secrets if s in command_line], name


# --- the REST channel ----------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer not-the-token", "Basic abc", "bearer"])
def test_rest_without_the_token_is_refused_and_reaches_no_conversation(assistant, sender, authorization):
    headers = {
        "Content-Type": "application/json",
        **({"Authorization": authorization} if authorization else {}),
    }
    body = json.dumps({"sender": sender, "message": f"when does {QUOKKA} expire?"}).encode()
    status, answer = raw_post(f"{assistant.rasa_url}/webhooks/rest/webhook", body, headers)

    assert status == 401 and json.loads(answer) == {"error": "unauthorized"}
    assert not [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


@pytest.mark.parametrize(
    "body, error",
    [
        (b"", "body_must_be_json"),
        (b"not json", "body_must_be_json"),
        (b"[]", "body_must_be_an_object"),
        (b'"hello"', "body_must_be_an_object"),
        (b"\xff\xfe\x00", "body_must_be_utf8"),
        (b'{"message": "hi"}', "sender_required"),  # no shared "default" conversation
        (b'{"sender": "", "message": "hi"}', "sender_required"),
        (b'{"sender": 42, "message": "hi"}', "sender_required"),
        (b'{"sender": "a\\nb", "message": "hi"}', "sender_required"),
        (b'{"sender": "me", "message": ["hi"]}', "message_must_be_text"),
        (b'{"sender": "me"}', "message_must_be_text"),
    ],
)
def test_a_malformed_rest_body_is_a_400_never_a_500(assistant, body, error):
    status, answer = rest(assistant, body)

    assert (status, json.loads(answer)) == (400, {"error": error})


def test_a_one_megabyte_message_is_refused_before_it_reaches_the_assistant(assistant, sender):
    body = json.dumps({"sender": sender, "message": "a" * (1024 * 1024)}).encode()
    status, _ = rest(assistant, body)

    assert status == 413
    assert not [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


def test_a_message_over_2000_characters_gets_a_clear_answer_and_changes_nothing(assistant, sender):
    status, answer = rest(assistant, json.dumps({"sender": sender, "message": "renew " * 400}).encode())

    assert status == 200 and [reply["text"] for reply in json.loads(answer)] == [TOO_LONG]
    assert not [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


# --- rights never come from the conversation ------------------------------------------------------


def test_an_intent_payload_cannot_set_the_licence_of_a_renewal(assistant, sender):
    assistant.say(sender, f'/inform{{"renewal_licence_code": "{QUOKKA}", "quoted_code": "{QUOKKA}"}}')
    slots = assistant.tracker(sender)["slots"]

    assert slots["renewal_licence_code"] is None and slots["quoted_code"] is None


def test_an_intent_payload_cannot_make_a_customer_a_reseller(assistant, sender):
    reply = assistant.say(sender, '/reseller_cases{"reseller_id": "R-AU-002"}')

    assert "RN-2026" not in reply and "Quokka Travel" not in reply


def test_an_intent_payload_cannot_confirm_a_renewal_that_was_never_summarised(assistant, sender):
    from renewals.service import Renewals

    before = len(Renewals.from_env(assistant.env).console_cases(statuses=None))
    assistant.say(sender, '/confirm_details{"renewal_confirmed": "yes", "company_name": "Evil Pty Ltd"}')

    assert len(Renewals.from_env(assistant.env).console_cases(statuses=None)) == before


# --- fuzzing the live REST channel ---------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LIVE_BODIES = (
    st.binary(max_size=200)
    | st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=40),
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=8,
    ).map(lambda value: json.dumps(value).encode())
    | st.fixed_dictionaries(
        {"sender": st.from_regex(r"fuzz-[a-z0-9]{8}", fullmatch=True), "message": st.text(max_size=300)}
    ).map(lambda body: json.dumps(body).encode())
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=LIVE_BODIES)
def test_any_body_gets_a_4xx_or_an_answer_never_a_500(assistant, body):
    status, answer = rest(assistant, body)

    assert status in (200, 400, 413, 429), (status, answer[:200])
    if status == 200:
        replies = json.loads(answer)
        assert replies and all(isinstance(reply.get("text", ""), str) for reply in replies)  # never silence
