""" "I never got my renewal notice", answered from the record, in whole conversations over REST.

The notice job and the outbox worker run first, as `make run` runs them, with RENEWALS_TODAY=2026-11-28:
Jacaranda Schools Trust (29 days left) was sent its notice today; Kookaburra Media's was sent before the
data was imported (12 November 2026); Acacia Dental Group's is not due until 3 December 2027.
"""

import email
import re
import subprocess
import sys
from datetime import datetime, timezone
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from renewals.notice_links import issue
from scripts.live_assistant import http

ACACIA = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"
JACARANDA = "WA-DWLU-9TTDV-R9VHU-VU9H3-2LGXL-ANGGL"
KOOKABURRA = "WV-2MGL-LFHWH-MAYFW-P54LC-W8EM2-L8D5Z"
QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"
LYREBIRD = "AO-MV3X-Z23R4-28NM5-4NKDR-R7993-X6J9S"  # 7 days left, notice sent 5 November 2026
LYREBIRD_CONTACT = "mia.wilson@lyrebirdinsuranceb.com.au"
ROOT = Path(__file__).resolve().parents[2]


def renewals_command(assistant, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "renewals", *arguments],
        cwd=ROOT,
        env=assistant.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def notices_sent(assistant):
    renewals_command(assistant, "send-renewal-notices")
    renewals_command(assistant, "outbox-worker", "--once")
    return Path(assistant.env["MAIL_OUTBOX_DIR"])


def notice_emails(outbox: Path, to: str) -> list:
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]
    return [message for message in messages if message["To"] == to]


def test_given_a_notice_emailed_today_the_customer_hears_when_and_where_and_can_have_it_again(
    assistant, sender, notices_sent
):
    first = assistant.say(sender, "hi, we never got our renewal notice??")
    assert "junk or spam folder" in first
    assert "give me your Activation Code" in first
    record = assistant.say(sender, JACARANDA.lower())
    assert "emailed on 28 November 2026 to g…@jacarandaschoolstr.com.au" in record
    assert "Would you like me to send it again to g…@jacarandaschoolstr.com.au?" in record
    again = assistant.say(sender, "yup")
    assert "I've sent your renewal notice again to g…@jacarandaschoolstr.com.au" in again
    assert "open a case to change the registered contact" in again
    renewals_command(assistant, "outbox-worker", "--once")
    assert len(notice_emails(notices_sent, "grace.chen@jacarandaschoolstr.com.au")) == 2
    assert "Is there anything else" in assistant.say(sender, "nah all good")


def test_a_second_resend_on_the_same_day_is_refused_politely_and_sends_nothing(
    assistant, sender, notices_sent
):
    assistant.say(sender, f"didnt get the renewal email for {LYREBIRD}")
    assert "I've sent your renewal notice again" in assistant.say(sender, "yes please")
    other = f"{sender}-later"
    assistant.say(other, f"never received a renewal notification, code {LYREBIRD}")
    again = assistant.say(other, "ok")
    assert "already sent it again today" in again and "once a day" in again
    renewals_command(assistant, "outbox-worker", "--once")
    assert len(notice_emails(notices_sent, LYREBIRD_CONTACT)) == 1


def test_given_a_lapsed_licence_the_record_comes_with_the_lapse_and_the_quote(
    assistant, sender, notices_sent
):
    reply = assistant.say(sender, f"we never got any reminder before it ran out. {QUOKKA}")
    assert "emailed on 28 November 2026 to j…@quokkatravel.com.au" in reply
    assert "lapsed 30 days ago" in reply
    assert "Total: AUD 2,294.05 incl. GST" in assistant.say(sender, "go on then")


def test_the_notice_never_goes_to_an_address_typed_in_the_chat(assistant, sender, notices_sent):
    assistant.say(sender, f"I never got my renewal notice. {JACARANDA}")
    reply = assistant.say(sender, "yes send it to bob.smith@gmail.com")
    assert "only send the notice to the address registered" in reply
    assert "change the registered contact" in reply


def test_a_notice_sent_before_the_import_is_reported_with_its_date(assistant, sender, notices_sent):
    reply = assistant.say(sender, f"we havent received any renewal notice for {KOOKABURRA}")
    assert (
        "sent on 12 November 2026 to the contact registered with your licence (m…@kookaburramedia.com.au)"
        in reply
    )


def test_a_notice_not_due_yet_says_when_it_will_go_and_offers_a_contact_change_case(
    assistant, sender, notices_sent
):
    reply = assistant.say(sender, f"no renewal notice has arrived for {ACACIA}, is that normal?")
    assert "No notice is due yet" in reply
    assert "goes out on 3 December 2027, 30 days before, to t…@acaciadentalgroup.com.au" in reply
    case = assistant.say(sender, "yes please")
    reference = re.search(r"RN-\d{4}-\d{6}", case)
    assert reference and "Southern Cross IT Solutions to change the registered contact" in case
    engine = create_engine(assistant.env["DATABASE_URL"])
    with engine.connect() as connection:
        reason = connection.execute(
            text("select reason from cases where reference = :reference"), {"reference": reference.group()}
        ).scalar_one()
    assert reason == "contact_change"


def test_a_notice_the_mail_server_refused_is_reported_and_a_contact_change_offered(
    assistant, sender, notices_sent
):
    engine = create_engine(assistant.env["DATABASE_URL"])
    nullarbor = "SM-KYVR-4K5AD-GN4K2-5F3K3-DVKZC-4Y2JY"
    with engine.begin() as connection:
        # As the worker records an SMTP 550: given up, not delivered.
        connection.execute(
            text(
                "update outbox set delivered_at = null, gave_up_at = '2026-11-28 02:00:00', flagged = 1, "
                "last_error = 'SMTP 550: recipient refused' where topic = 'notice.email' and notice_id in "
                "(select n.id from renewal_notices n join licences l on l.id = n.licence_id "
                "where l.activation_code = :code)"
            ),
            {"code": nullarbor},
        )
    reply = assistant.say(sender, f"i never got the renewal reminder {nullarbor}")
    assert "mail server refused it" in reply
    assert "open a case to change the registered contact" in reply


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"#renewal=([A-Za-z0-9._-]+)", body).group(1)


def open_link(assistant, sender: str, token: str) -> str:
    """As the web service opens a link: the token into the slot, then the action (web/app.py)."""
    api = f"{assistant.rasa_url}/conversations/{sender}"
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {"event": "slot", "name": "notice_link", "value": token},
    ]
    assert http("POST", f"{api}/tracker/events?token={assistant.token}", events)[0] == 200
    status, answer = http(
        "POST", f"{api}/execute?token={assistant.token}", {"name": "action_open_renewal_link"}
    )
    assert status == 200
    _, tracker = http("GET", f"{api}/tracker?token={assistant.token}")
    assert tracker["slots"]["notice_link"] is None  # the token is used once and forgotten
    return "\n".join(message.get("text", "") for message in answer["messages"])


def test_the_link_in_a_notice_opens_a_chat_about_that_licence_and_the_quote_needs_no_code(
    assistant, sender, notices_sent
):
    (notice,) = notice_emails(notices_sent, "jack.williams@quokkatravel.com.au")[:1]
    greeting = open_link(assistant, sender, link_in(notice))
    assert (
        "Hello Jack! You've opened the renewal link from your notice for Quokka Travel's licence." in greeting
    )
    assert "lapsed 30 days ago" in greeting
    quote = assistant.say(sender, "yes")
    assert "Total: AUD 2,294.05 incl. GST" in quote


def test_a_tampered_or_expired_link_gets_a_clear_message_and_an_ordinary_chat(
    assistant, sender, notices_sent
):
    (notice,) = notice_emails(notices_sent, "jack.williams@quokkatravel.com.au")[:1]
    token = link_in(notice)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert "isn't valid" in open_link(assistant, sender, tampered)
    assert "What's your Activation Code" in assistant.say(sender, "how much to renew?")
    notice_id = int(token.split(".")[0])
    secret = assistant.env["NOTICE_LINK_SECRET"].encode()
    expired = issue(secret, notice_id, datetime(2026, 11, 1, tzinfo=timezone.utc))  # before 28 November
    assert "has expired" in open_link(assistant, f"{sender}-2", expired)
