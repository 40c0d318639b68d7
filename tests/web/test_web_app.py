"""The web chat service (web/app.py) against a stand-in for Rasa's HTTP API."""

import json
import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels import session_tokens
from web.app import Settings, conversation_messages, create_app

SECRET = b"k" * 40
RASA_TOKEN = "rasa-api-token-never-for-browsers"
ORIGIN = "http://chat.example.test"
ASKED = web.AppKey("asked", list)

EVENTS = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "user", "text": "hi"},
    {
        "event": "bot",
        "text": "G'day! What can I help with?",
        "data": {"buttons": [{"title": "How do I renew?", "payload": "How do I renew my maintenance?"}]},
    },
    {"event": "user", "text": "How do I renew my maintenance?"},
    {
        "event": "bot",
        "text": "Contact your reseller.\n\nI can collect the details:\n- Company\n- Product",
        "data": {},
    },
    {"event": "slot", "name": "contact_email", "value": "someone@example.com"},
    {"event": "action", "name": "action_listen"},
]


@pytest.fixture
async def rasa():
    """A stand-in for Rasa's tracker endpoint that records what it was asked."""
    app = web.Application()
    app[ASKED] = []

    async def tracker(request: web.Request) -> web.Response:
        if request.query.get("token") != RASA_TOKEN:
            return web.json_response({"status": "failure"}, status=401)
        app[ASKED].append(request.match_info["conversation_id"])
        return web.json_response({"sender_id": request.match_info["conversation_id"], "events": EVENTS})

    app.router.add_get("/conversations/{conversation_id}/tracker", tracker)
    async with TestServer(app) as server:
        yield server


def app_for(rasa, tmp_path, renewals=None) -> web.Application:
    """The web app against the Rasa stand-in, with a stand-in socket.io client file."""
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "socket.io.min.js").write_text("/* socket.io client */")
    settings = Settings(
        secret=SECRET,
        rasa_url=str(rasa.make_url("")).rstrip("/"),
        rasa_token=RASA_TOKEN,
        rasa_public_url="https://rasa.example.test",
        web_origin=ORIGIN,
    )
    return create_app(settings, vendor_dir=vendor, renewals=renewals)


@pytest.fixture
async def client(rasa, tmp_path):
    async with TestClient(TestServer(app_for(rasa, tmp_path))) as test_client:
        yield test_client


def host_of(origin: str) -> dict:
    return {"Host": origin.split("://", 1)[1]}


async def test_the_page_has_a_strict_policy_and_no_inline_script(client):
    response = await client.get("/", headers=host_of(ORIGIN))
    assert response.status == 200
    html = await response.text()
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "connect-src 'self' https://rasa.example.test wss://rasa.example.test" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "assets from another origin"
    assert 'aria-live="polite"' in html and '<label for="message-input"' in html
    assert RASA_TOKEN not in html


async def test_the_page_under_another_host_name_redirects_to_the_allowed_origin(client):
    response = await client.get("/", headers={"Host": "127.0.0.1:8080"}, allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == ORIGIN + "/"


async def test_config_gives_the_socket_url_but_not_the_rasa_token(client):
    response = await client.get("/config.js")
    body = await response.text()
    assert response.content_type == "text/javascript"
    assert '"socketUrl": "https://rasa.example.test"' in body
    assert RASA_TOKEN not in body


async def test_static_assets_and_the_npm_socketio_client_are_served(client):
    for path in ("/static/chat.js", "/static/chat.css", "/vendor/socket.io.min.js"):
        response = await client.get(path)
        assert response.status == 200, path
        assert "Content-Security-Policy" in response.headers
    assert (await client.get("/static/../app.py")).status in (403, 404)


async def test_a_new_session_gets_a_signed_token(client):
    response = await client.post("/api/session", headers={"Origin": ORIGIN})
    assert response.status == 201
    assert response.headers["Cache-Control"] == "no-store"
    token = (await response.json())["token"]
    assert session_tokens.verify(SECRET, token)
    other = (await (await client.post("/api/session")).json())["token"]
    assert other != token


async def test_another_origin_cannot_start_a_session_or_read_history(client):
    assert (await client.post("/api/session", headers={"Origin": "http://evil.example"})).status == 403
    token = session_tokens.issue(SECRET)
    response = await client.get(
        "/api/history", headers={"Origin": "http://evil.example", "X-Chat-Session": token}
    )
    assert response.status == 403


async def test_history_of_a_genuine_token_is_that_conversations_messages(client, rasa):
    token = session_tokens.issue(SECRET)
    response = await client.get("/api/history", headers={"X-Chat-Session": token})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert rasa.app[ASKED] == [token.partition(".")[0]]
    assert body["messages"] == [
        {"sender": "user", "text": "hi"},
        {
            "sender": "bot",
            "text": "G'day! What can I help with?",
            "quick_replies": [{"title": "How do I renew?", "payload": "How do I renew my maintenance?"}],
        },
        {"sender": "user", "text": "How do I renew?"},
        {"sender": "bot", "text": "Contact your reseller."},
        {"sender": "bot", "text": "I can collect the details:\n- Company\n- Product", "quick_replies": []},
    ]
    assert "someone@example.com" not in await response.text()


@pytest.mark.parametrize("header", [None, "", "chosen-by-the-client", "forged"])
async def test_history_needs_a_genuine_token(client, rasa, header):
    if header == "forged":
        genuine = session_tokens.issue(SECRET)
        header = genuine.partition(".")[0] + "." + session_tokens.issue(b"z" * 40).partition(".")[2]
    headers = {} if header is None else {"X-Chat-Session": header}
    response = await client.get("/api/history", headers=headers)
    assert response.status == 401
    assert rasa.app[ASKED] == []


async def test_history_when_rasa_is_down_is_a_clear_error(tmp_path):
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "socket.io.min.js").write_text("")
    settings = Settings(
        secret=SECRET,
        rasa_url="http://127.0.0.1:9",
        rasa_token=RASA_TOKEN,
        rasa_public_url="http://localhost:5005",
        web_origin=ORIGIN,
    )
    async with TestClient(TestServer(create_app(settings, vendor_dir=vendor))) as client:
        response = await client.get("/api/history", headers={"X-Chat-Session": session_tokens.issue(SECRET)})
        assert response.status == 502
        assert await response.json() == {"error": "assistant_unavailable"}


def test_settings_come_from_the_environment_and_need_both_secrets():
    env = {"CHAT_SESSION_SECRET": "s" * 43, "RASA_AUTH_TOKEN": "t", "RASA_PORT": "5006", "WEB_PORT": "8081"}
    settings = Settings.from_env(env)
    assert settings.web_origin == "http://localhost:8081"
    assert settings.rasa_url == "http://127.0.0.1:5006"
    assert settings.rasa_public_url == "http://localhost:8081"  # the socket is reached through this service
    assert settings.port == 8081
    with pytest.raises(session_tokens.SecretMissing):
        Settings.from_env({**env, "CHAT_SESSION_SECRET": ""})
    with pytest.raises(RuntimeError):
        Settings.from_env({**env, "RASA_AUTH_TOKEN": ""})


def test_the_service_refuses_to_start_without_the_npm_installed_client(tmp_path):
    settings = Settings(
        secret=SECRET,
        rasa_url="http://127.0.0.1:9",
        rasa_token="t",
        rasa_public_url="http://localhost:5005",
        web_origin=ORIGIN,
    )
    with pytest.raises(RuntimeError, match="npm ci --prefix web"):
        create_app(settings, vendor_dir=tmp_path)


def test_bot_messages_without_text_or_buttons_are_left_out():
    assert conversation_messages([{"event": "bot", "text": None, "data": {"custom": {"x": 1}}}]) == []


async def test_a_failed_tracker_request_never_logs_the_rasa_token(tmp_path, caplog):
    # Rasa's HTTP API takes its token in the URL, and aiohttp's response errors quote the URL:
    # here Rasa answers 200 with a page instead of JSON.
    async def not_json(request: web.Request) -> web.Response:
        return web.Response(text="<html>proxy error</html>", content_type="text/html")

    rasa_app = web.Application()
    rasa_app.router.add_get("/conversations/{conversation_id}/tracker", not_json)
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "socket.io.min.js").write_text("/* socket.io client */")
    async with TestServer(rasa_app) as rasa:
        settings = Settings(
            secret=SECRET,
            rasa_url=str(rasa.make_url("")).rstrip("/"),
            rasa_token=RASA_TOKEN,
            rasa_public_url="https://rasa.example.test",
            web_origin=ORIGIN,
        )
        async with TestClient(TestServer(create_app(settings, vendor_dir=vendor))) as client:
            with caplog.at_level("DEBUG"):
                response = await client.get(
                    "/api/history", headers={"X-Chat-Session": session_tokens.issue(SECRET)}
                )
    assert response.status == 502
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name == "web.app"
    )  # not the fake Rasa's access log
    assert "tracker request failed" in ours
    assert RASA_TOKEN not in ours and "token=" not in ours


async def test_one_client_address_gets_its_allowance_of_new_sessions_an_hour_then_429(tmp_path):
    from datetime import timedelta

    from renewals.rate_limits import Limit, RateLimiter
    from renewals.storage.db import make_engine, migrate
    from tests.support.clocks import ManualClock

    engine = make_engine(f"sqlite:///{tmp_path / 'renewals.db'}")
    migrate(engine)
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "socket.io.min.js").write_text("")
    settings = Settings(
        secret=SECRET,
        rasa_url="http://127.0.0.1:9",
        rasa_token=RASA_TOKEN,
        rasa_public_url="http://localhost:5005",
        web_origin=ORIGIN,
    )
    limit = (RateLimiter(engine, ManualClock(), SECRET), Limit("sessions", 2, timedelta(hours=1)))
    async with TestClient(
        TestServer(create_app(settings, vendor_dir=vendor, sessions_limit=limit))
    ) as client:
        statuses = [(await client.post("/api/session", headers={"Origin": ORIGIN})).status for _ in range(3)]
        refused = await client.post("/api/session", headers={"Origin": ORIGIN})
        assert statuses == [201, 201, 429]
        assert await refused.json() == {"error": "too_many_sessions"}
    engine.dispose()


def test_a_button_chosen_from_an_earlier_message_of_the_turn_is_restored_as_its_label():
    # "Which detail would you like to change?" with its buttons, then the summary again, then the choice.
    events = [
        {
            "event": "bot",
            "text": "Which detail?",
            "data": {"buttons": [{"title": "Contact email", "payload": "change the contact email"}]},
        },
        {"event": "bot", "text": "Here is the summary again.", "data": {}},
        {"event": "user", "text": "change the contact email"},
        {"event": "bot", "text": "What's the new email?", "data": {}},
        {"event": "user", "text": "change the contact email"},
    ]
    users = [m["text"] for m in conversation_messages(events) if m["sender"] == "user"]
    # Offered before the first answer: the label. Typed again later, with no button offered: as typed.
    assert users == ["Contact email", "change the contact email"]


def test_a_persons_reply_is_restored_as_theirs_with_their_words_alone():
    events = [
        {"event": "user", "text": "can I talk to someone"},
        {
            "event": "bot",
            "text": "Alice Nguyen (support team): Hi, I'm Alice.",
            "metadata": {"agent": "Alice Nguyen", "body": "Hi, I'm Alice.", "delivery_id": "d-1"},
        },
    ]
    assert conversation_messages(events)[1] == {
        "sender": "agent",
        "agent": "Alice Nguyen",
        "text": "Hi, I'm Alice.",
    }


def test_a_notice_about_the_chat_is_restored_as_a_notice():
    events = [
        {
            "event": "bot",
            "text": "Alice Nguyen from the support team has joined the chat.",
            "metadata": {"notice": "joined"},
        }
    ]
    assert conversation_messages(events) == [
        {"sender": "notice", "text": "Alice Nguyen from the support team has joined the chat."}
    ]


def test_restored_messages_carry_the_time_they_were_sent_in_utc():
    # 1795852800 is 2026-11-28 08:00:00 UTC, 7 pm in Sydney.
    events = [
        {"event": "user", "text": "hi", "timestamp": 1795852800.25},
        {"event": "bot", "text": "G'day!\n\nHow can I help?", "timestamp": 1795852801},
        {"event": "user", "text": "no time recorded"},
    ]
    assert [(m["text"], m.get("at")) for m in conversation_messages(events)] == [
        ("hi", "2026-11-28T08:00:00Z"),
        ("G'day!", "2026-11-28T08:00:01Z"),
        ("How can I help?", "2026-11-28T08:00:01Z"),
        ("no time recorded", None),
    ]


@pytest.fixture
async def rating_client(rasa, tmp_path):
    from renewals.service import Renewals
    from renewals.storage.db import make_engine, migrate
    from tests.support.clocks import ManualClock

    engine = make_engine(f"sqlite:///{tmp_path / 'renewals.db'}")
    migrate(engine)
    service = Renewals(engine, ManualClock())
    async with TestClient(TestServer(app_for(rasa, tmp_path, renewals=service))) as test_client:
        yield test_client, service
    engine.dispose()


async def test_a_customer_rates_the_chat_and_the_history_remembers_it(rating_client):
    client, service = rating_client
    token = session_tokens.issue(SECRET)
    headers = {"X-Chat-Session": token, "Origin": ORIGIN}
    assert (await (await client.get("/api/history", headers=headers)).json())["solved"] is None
    answer = await client.post("/api/rating", headers=headers, json={"solved": False})
    assert answer.status == 200
    assert service.chat_rating(token.partition(".")[0]).solved is False
    assert (await (await client.get("/api/history", headers=headers)).json())["solved"] is False


@pytest.mark.parametrize("body", [{}, {"solved": "yes"}, {"solved": 1}, ["solved"], None])
async def test_a_rating_that_is_not_true_or_false_is_refused_and_stores_nothing(rating_client, body):
    client, service = rating_client
    token = session_tokens.issue(SECRET)
    answer = await client.post("/api/rating", headers={"X-Chat-Session": token}, json=body)
    assert answer.status == 400 and "true or false" in (await answer.json())["error"]
    assert service.chat_rating(token.partition(".")[0]) is None


async def test_a_rating_needs_a_genuine_token_and_the_pages_origin(rating_client):
    client, _ = rating_client
    assert (await client.post("/api/rating", json={"solved": True})).status == 401
    token = session_tokens.issue(SECRET)
    elsewhere = {"X-Chat-Session": token, "Origin": "http://evil.example"}
    assert (await client.post("/api/rating", headers=elsewhere, json={"solved": True})).status == 403


def test_a_restored_goodbye_says_the_page_asks_for_a_rating_after_it():
    events = [
        {"event": "bot", "text": "You're welcome!", "metadata": {"utter_action": "utter_you_are_welcome"}},
        {"event": "bot", "text": "Bye for now!", "metadata": {"utter_action": "utter_goodbye"}},
    ]
    assert [m.get("asks_rating", False) for m in conversation_messages(events)] == [False, True]


async def test_the_queue_banner_reads_the_conversations_place_for_a_person(rating_client):
    client, service = rating_client
    token = session_tokens.issue(SECRET)
    headers = {"X-Chat-Session": token}
    assert await (await client.get("/api/queue", headers=headers)).json() == {"waiting": False}
    service.open_handoff_case("someone-else", "socketio", "asked for a person")
    case = service.open_handoff_case(token.partition(".")[0], "socketio", "asked for a person")
    standing = await (await client.get("/api/queue", headers=headers)).json()
    # Saturday noon in Sydney (the test clock): closed, so the opening time is given.
    assert standing["waiting"] and standing["position"] == 2 and standing["reference"] == case.reference
    assert standing["open_now"] is False and "from Monday 30 November at 8:30 am" in standing["text"]
    assert (await client.get("/api/queue")).status == 401


async def test_the_customer_reports_typing_and_reads_whether_an_agent_is_typing(rating_client):
    client, service = rating_client
    token = session_tokens.issue(SECRET)
    conversation = token.partition(".")[0]
    headers = {"X-Chat-Session": token}
    assert await (await client.get("/api/typing", headers=headers)).json() == {"agent": None}
    assert (await client.post("/api/typing", headers=headers)).status == 200
    assert service.typing(conversation).customer is True
    service.report_typing(conversation, agent_name="Alice Nguyen")
    assert await (await client.get("/api/typing", headers=headers)).json() == {"agent": "Alice Nguyen"}
    assert (await client.post("/api/typing")).status == 401


async def test_a_customer_emails_themselves_a_copy_of_the_chat_as_rasa_recorded_it(rating_client):
    from renewals.storage.unit_of_work import UnitOfWork

    client, service = rating_client
    headers = {"X-Chat-Session": session_tokens.issue(SECRET)}
    answer = await client.post("/api/email-transcript", headers=headers, json={"email": "kim@acacia.com.au"})
    assert answer.status == 202
    with UnitOfWork(service.engine) as uow:
        [listed] = uow.outbox.undelivered()
        text = json.loads(uow.outbox.get(listed.id).payload)["text"]
    # The button the customer pressed reads as its title, as on the page; the bot's parts stay in order.
    assert "You: How do I renew?" in text and "Assistant: Contact your reseller." in text
    assert "[How do I renew?]" in text


@pytest.mark.parametrize("path", ["/api/email-transcript", "/api/answer-by-email"])
async def test_an_address_that_is_not_one_gets_a_message_to_show_and_queues_nothing(rating_client, path):
    from renewals.storage.unit_of_work import UnitOfWork

    client, service = rating_client
    token = session_tokens.issue(SECRET)
    service.open_handoff_case(token.partition(".")[0], "socketio", "asked for a person")
    answer = await client.post(path, headers={"X-Chat-Session": token}, json={"email": "kim at acacia"})
    assert answer.status == 400
    assert (await answer.json())["message"] == (
        "Please type the email address to send it to, like name@company.com.au."
    )
    with UnitOfWork(service.engine) as uow:
        assert [m.topic for m in uow.outbox.undelivered()] == []
    assert (await client.post(path, json={"email": "kim@acacia.com.au"})).status == 401


async def test_out_of_hours_the_queue_banner_says_where_the_reply_will_be_emailed(rating_client):
    client, service = rating_client
    token = session_tokens.issue(SECRET)
    headers = {"X-Chat-Session": token}
    refused = await client.post("/api/answer-by-email", headers=headers, json={"email": "kim@acacia.com.au"})
    assert refused.status == 409 and "not waiting for a person" in (await refused.json())["message"]
    service.open_handoff_case(token.partition(".")[0], "socketio", "asked for a person")
    answer = await client.post("/api/answer-by-email", headers=headers, json={"email": "kim@acacia.com.au"})
    assert answer.status == 200
    standing = await (await client.get("/api/queue", headers=headers)).json()
    assert standing["emailing_to"] == "k…@acacia.com.au"
    assert standing["text"].endswith("The reply will also be emailed to k…@acacia.com.au.")
