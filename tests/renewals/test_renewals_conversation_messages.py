"""What people write into a customer's chat is recorded first and then delivered, in order, exactly once;
resolving the case that paused a chat gives it back to the assistant, whoever resolves it and from
wherever."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from renewals.cases import EventKind, NoConversation
from renewals.conversation_messages import CONVERSATION_TOPIC, decode
from renewals.delivery.rasa_conversations import (
    RasaApiConfig,
    RasaConversationSender,
    rasa_api_config_from_env,
)
from renewals.service import Renewals
from renewals.storage.db import cases, outbox
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.cases import ACME_CHECKLIST
from tests.support.clocks import ManualClock
from tests.support.renewals_data import QUOKKA_TRAVEL

TOKEN = "rasa-test-token"


class FakeRasa:
    """Rasa's tracker API, as far as the sender uses it: GET a tracker, POST events to it."""

    def __init__(self):
        self.trackers: dict[str, list] = {}
        self.posts: list[tuple[str, list, dict]] = []
        self.fail_next_posts = 0
        self.lose_next_answer = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _conversation(self):
                parts = urlsplit(self.path)
                return parts.path.split("/")[2], {k: v[0] for k, v in parse_qs(parts.query).items()}

            def do_GET(self):
                conversation, query = self._conversation()
                if query.get("token") != TOKEN:
                    return self._answer(401, {})
                self._answer(200, {"sender_id": conversation, "events": fake.trackers.get(conversation, [])})

            def do_POST(self):
                conversation, query = self._conversation()
                events = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if query.get("token") != TOKEN:
                    return self._answer(401, {})
                if fake.fail_next_posts:
                    fake.fail_next_posts -= 1
                    return self._answer(503, {})
                fake.posts.append((conversation, events, query))
                fake.trackers.setdefault(conversation, []).extend(events)
                if fake.lose_next_answer:
                    fake.lose_next_answer = False
                    self.connection.close()  # appended, but the answer never arrives
                    return
                self._answer(200, {"sender_id": conversation})

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def texts(self, conversation):
        return [e["text"] for e in self.trackers.get(conversation, []) if e.get("event") == "bot"]

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def rasa():
    fake = FakeRasa()
    yield fake
    fake.close()


@pytest.fixture
def service(demo_engine):
    return Renewals(demo_engine, ManualClock())


def sender_for(rasa, token=TOKEN) -> RasaConversationSender:
    return RasaConversationSender(RasaApiConfig(url=rasa.url, token=token, timeout=2))


def queued(service, reference):
    with UnitOfWork(service.engine) as uow:
        return [uow.outbox.get(m.id) for m in uow.outbox.for_case(reference) if m.topic == CONVERSATION_TOPIC]


def test_an_agents_reply_is_in_the_case_history_before_it_is_sent_and_reaches_the_chat_signed(service, rasa):
    case = service.open_handoff_case("chat-1", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)

    service.record_reply(
        case.reference, "alice", "Hi, I'm Alice. Let me look at your licence.", "Alice Nguyen"
    )
    assert service.case(case.reference).history[-1].kind == EventKind.REPLY
    assert rasa.texts("chat-1") == []  # recorded and queued, not sent yet

    assert service.deliver_conversation_messages(sender_for(rasa), case.reference) == 0
    assert rasa.texts("chat-1") == [
        "Alice Nguyen (support team): Hi, I'm Alice. Let me look at your licence."
    ]
    conversation, events, query = rasa.posts[0]
    assert events[0]["metadata"]["agent"] == "Alice Nguyen"
    assert query == {"token": TOKEN, "execute_side_effects": "true", "output_channel": "latest"}


def test_while_the_chat_server_is_down_a_reply_waits_and_later_replies_queue_behind_it(service, rasa):
    case = service.open_handoff_case("chat-2", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)
    rasa.fail_next_posts = 1
    service.record_reply(case.reference, "alice", "First", "Alice")
    assert (
        service.deliver_conversation_messages(sender_for(rasa), case.reference) == 1
    )  # failed, still queued
    service.record_reply(case.reference, "alice", "Second", "Alice")

    # The second is not sent before the first, even though the first is waiting for its retry.
    assert service.deliver_conversation_messages(sender_for(rasa), case.reference) == 2
    assert rasa.texts("chat-2") == []

    with service.engine.begin() as connection:  # the retry time comes
        connection.execute(update(outbox).values(next_attempt_at=None))
    assert service.deliver_conversation_messages(sender_for(rasa), case.reference) == 0
    assert rasa.texts("chat-2") == ["Alice (support team): First", "Alice (support team): Second"]


def test_a_retry_after_a_lost_answer_does_not_show_the_customer_the_message_twice(service, rasa):
    case = service.open_handoff_case("chat-3", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)
    service.record_reply(case.reference, "alice", "Only once, please", "Alice")
    rasa.lose_next_answer = True
    [message] = queued(service, case.reference)
    sender = sender_for(rasa)

    assert sender.send(message, service.clock.now()).delivered is False  # Rasa appended it; we never heard
    assert sender.send(message, service.clock.now()).delivered is True  # the retry finds it there

    assert rasa.texts("chat-3") == ["Alice (support team): Only once, please"]


def test_resolving_a_handoff_gives_the_chat_back_to_the_assistant_with_the_agents_closing(service, rasa):
    case = service.open_handoff_case("chat-4", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)
    service.resolve_case(
        case.reference, "alice", "sorted", "Alice", "All done, handing you back to the assistant."
    )

    service.deliver_conversation_messages(sender_for(rasa), case.reference)
    [(_, events, _)] = rasa.posts
    assert [e["event"] for e in events] == ["resume", "bot", "action"]
    assert events[1]["text"] == "Alice (support team): All done, handing you back to the assistant."


def test_handing_a_waiting_chat_to_the_reseller_tells_the_customer_who_and_gives_the_chat_back(service, rasa):
    case = service.open_handoff_case("chat-5", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)
    service.hand_to_reseller(case.reference, "alice", "please call them")

    service.deliver_conversation_messages(sender_for(rasa), case.reference)
    [(_, events, _)] = rasa.posts
    assert [e["event"] for e in events] == ["resume", "bot", "action"]
    assert events[1]["text"] == (
        f"The support team has passed your case {case.reference} to Harbour Systems Pty Ltd, your reseller, "
        "who will contact you by email or phone. I'm back: ask me anything about your licence or renewal "
        "meanwhile."
    )
    assert "agent" not in events[1]["metadata"]  # the assistant's own voice


def test_a_reseller_resolving_a_case_handed_to_them_sends_the_chat_nothing_more(service, rasa):
    case = service.open_handoff_case("chat-8", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)
    service.hand_to_reseller(case.reference, "alice", "please call them")
    service.mark_case(QUOKKA_TRAVEL.reseller_id, case.reference, "resolved", "R-AU-002 in Slack (U02HARB01)")

    service.deliver_conversation_messages(sender_for(rasa), case.reference)
    assert len(rasa.posts) == 1  # the hand-over message only: the chat was given back then


def test_a_reseller_resolving_a_chat_still_waiting_resumes_it_and_tells_the_customer(service, rasa):
    case = service.open_handoff_case("chat-9b", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)
    service.mark_case(QUOKKA_TRAVEL.reseller_id, case.reference, "resolved", "R-AU-002 in Slack (U02HARB01)")

    service.deliver_conversation_messages(sender_for(rasa), case.reference)
    [(_, events, _)] = rasa.posts
    assert events[1]["text"].startswith(
        f"Harbour Systems Pty Ltd, your reseller, has marked case {case.reference}"
    )


def test_resolving_a_case_that_never_paused_a_chat_sends_nothing(service, rasa):
    case = service.open_renewal_case(ACME_CHECKLIST, "chat-6", "rest")
    service.resolve_case(case.reference, "alice", "renewed")

    assert queued(service, case.reference) == []


def test_a_reply_to_a_case_without_a_chat_is_refused_and_records_nothing(service):
    case = service.open_handoff_case("chat-7", "rest", "asked for a person")
    with service.engine.begin() as connection:
        connection.execute(update(cases).values(conversation_id=None))
    with pytest.raises(NoConversation):
        service.record_reply(case.reference, "alice", "hello?", "Alice")
    assert [e.kind for e in service.case(case.reference).history][-1] == EventKind.HANDOFF_REQUESTED


def test_a_refused_token_is_flagged_and_the_token_never_reaches_the_error(service, rasa):
    case = service.open_handoff_case("chat-8", "socketio", "asked for a person")
    service.record_reply(case.reference, "alice", "Hello", "Alice")
    [message] = queued(service, case.reference)

    result = sender_for(rasa, token="wrong-token").send(message, service.clock.now())

    assert (result.delivered, result.flagged, result.error) == (False, True, "HTTP 401")


def test_the_payload_is_the_conversation_the_text_and_whether_to_resume(service):
    case = service.open_handoff_case("chat-9", "socketio", "asked for a person")
    service.record_reply(case.reference, "alice", "Hello", "Alice")
    with UnitOfWork(service.engine) as uow:
        [message] = [m for m in uow.outbox.undelivered() if m.topic == CONVERSATION_TOPIC]
        payload = uow.outbox.get(message.id).payload

    assert decode(payload) == {
        "conversation_id": "chat-9",
        "text": "Alice (support team): Hello",
        "agent": "Alice",
        "body": "Hello",
        "resume": False,
    }


def test_without_a_rasa_token_there_is_no_conversation_sender_and_messages_wait():
    assert rasa_api_config_from_env({}) is None
    config = rasa_api_config_from_env({"RASA_AUTH_TOKEN": "s3cr3t-token"})
    assert (config.url, config.token) == ("http://localhost:5005", "s3cr3t-token")
    assert "s3cr3t" not in repr(config)


def test_an_agent_taking_a_waiting_chat_is_announced_in_it_as_a_notice(service, rasa):
    case = service.open_handoff_case("chat-10", "socketio", "asked for a person", licence=QUOKKA_TRAVEL)
    service.take_case(case.reference, "alice", "Alice Nguyen")
    service.take_case(case.reference, "alice", "Alice Nguyen")  # a repeated click announces nothing new
    service.take_case(case.reference, "bob", "Bob Tane")  # a colleague takes over

    service.deliver_conversation_messages(sender_for(rasa), case.reference)
    assert rasa.texts("chat-10") == [
        "Alice Nguyen from the support team has joined the chat.",
        "Bob Tane from the support team has joined the chat.",
    ]
    bots = [e for _, events, _ in rasa.posts for e in events if e["event"] == "bot"]
    assert all(e["metadata"]["notice"] == "joined" and "agent" not in e["metadata"] for e in bots)


def test_taking_a_case_nobody_is_waiting_for_in_a_chat_announces_nothing(service, rasa):
    case = service.open_renewal_case(ACME_CHECKLIST, "chat-11", "rest")
    service.take_case(case.reference, "alice", "Alice Nguyen")
    assert queued(service, case.reference) == []
