"""No personal data, and no raw control characters, in any server's log, whatever the customer types."""

from __future__ import annotations

import uuid

import pytest

from scripts.live_assistant import running_assistant

# Every kind of personal data the assistant handles, as a customer would type it.
PERSONAL = {
    "company": "Wombat Widgets Pty Ltd",
    "address": "17 Kurrajong Avenue, Wagga Wagga NSW 2650",
    "phone": "0412 987 654",
    "name": "Priyanka Oyelaran-Smith",
    "email": "priyanka.os@wombatwidgets.com.au",
}
FORGED_LOG_LINE = "ERROR forged: admin signed in"


@pytest.fixture(scope="module")
def conversation_logs(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("privacy")) as live:
        sender = f"privacy-{uuid.uuid4().hex}"
        live.say(sender, "I want to renew my maintenance")
        for answer in (
            PERSONAL["company"],
            PERSONAL["address"],
            PERSONAL["phone"],
            PERSONAL["name"],
            PERSONAL["email"],
            "Worry-Free Business Security Advanced on Windows",
            "20",
            "27/12/2026",
        ):
            live.say(sender, answer)
        live.say(sender, "Confirm, those details are correct")
        # Messages starting with "/" go around the NLU; Rasa logs some of them itself.
        live.say(sender, f'/inform{{"email": "{PERSONAL["email"]}"')
        live.say(sender, f"/inform{PERSONAL['phone']}")
        live.say(sender, f"/hello\n{FORGED_LOG_LINE}")  # Rasa logs this one
        live.say(f"{sender}-2", f"my email is {PERSONAL['email']} and phone {PERSONAL['phone']}, call me")
        yield {name: path.read_text(errors="replace") for name, path in live.logs.items()}


@pytest.mark.parametrize("kind", sorted(PERSONAL))
def test_no_server_logs_personal_data(conversation_logs, kind):
    value = PERSONAL[kind]
    for server, text in conversation_logs.items():
        assert value not in text, f"{kind} in the {server} log"
        if kind == "phone":  # in any format: 0412 987 654, +61412987654, 412-987-654
            subscriber = "".join(ch for ch in value if ch.isdigit())[-9:]
            assert not [
                line for line in text.splitlines() if subscriber in "".join(filter(str.isdigit, line))
            ], server


def test_a_newline_in_a_message_cannot_forge_a_log_line(conversation_logs):
    assert f"\\n{FORGED_LOG_LINE}" in conversation_logs["rasa"]  # logged, escaped
    for server, text in conversation_logs.items():
        assert not any(line.startswith(FORGED_LOG_LINE) for line in text.splitlines()), server
