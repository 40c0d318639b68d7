"""The agent console over HTTP: sign-in, CSRF, rate limiting, authorisation, pages, actions and the JSON API.

Rasa is replaced by a small fake HTTP server that checks the server token and records what it is sent.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from unittest.mock import ANY
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from console import mount_console
from renewals.agents import AgentAccounts
from renewals.cases import CaseStatus, EventKind
from renewals.checklist import RenewalChecklist
from renewals.delivery.email import EmailConfig, EmailSender
from renewals.delivery.rasa_conversations import RasaApiConfig, RasaConversationSender
from renewals.delivery.worker import DeliveryWorker
from renewals.notice_links import issue
from renewals.notice_service import NoticeSettings, open_link, resend_notice, send_renewal_notices
from renewals.service import Renewals
from renewals.storage.db import make_engine, outbox
from tests.support.demo_data import copy_of
from tests.support.tracker_events import event, tracker_with

RASA_TOKEN = "rasa-server-token-never-in-a-browser"
PASSWORD = "a long enough password"
QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"
PREFIX = "/agent"


class FakeRasa:
    def __init__(self):
        self.trackers = {}
        self.appended = []  # (conversation id, query, events)

    def app(self) -> web.Application:
        app = web.Application()

        async def tracker(request):
            if request.query.get("token") != RASA_TOKEN:
                return web.json_response({"error": "bad token"}, status=401)
            conversation = request.match_info["id"]
            return web.json_response(
                self.trackers.get(conversation, {"sender_id": conversation, "events": [], "paused": False})
            )

        async def events(request):
            if request.query.get("token") != RASA_TOKEN:
                return web.json_response({"error": "bad token"}, status=401)
            conversation = request.match_info["id"]
            body = await request.json()
            self.appended.append((conversation, dict(request.query), body))
            tracker = self.trackers.setdefault(
                conversation, {"sender_id": conversation, "events": [], "paused": False}
            )
            tracker["events"].extend(body)
            return web.json_response(tracker)

        app.router.add_get("/conversations/{id}/tracker", tracker)
        app.router.add_post("/conversations/{id}/tracker/events", events)
        return app


@pytest.fixture
def renewals(demo_database_template, tmp_path):
    engine = make_engine(copy_of(demo_database_template, tmp_path))
    from datetime import date

    from renewals.clock import FixedClock

    yield Renewals(engine, FixedClock(date(2026, 11, 28)))
    engine.dispose()


@pytest.fixture
def accounts(renewals):
    from renewals.clock import SystemClock

    accounts = AgentAccounts(renewals.engine, SystemClock())
    accounts.add("alice", "Alice Nguyen", PASSWORD)
    return accounts


@pytest.fixture
async def rasa():
    fake = FakeRasa()
    server = TestServer(fake.app())
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


@pytest.fixture
async def client(renewals, accounts, rasa):
    app = web.Application()

    async def customer_page(request):  # stands in for the customer web chat's own routes
        return web.Response(text="customer chat")

    app.router.add_get("/", customer_page)
    mount_console(app, renewals, rasa.url, RASA_TOKEN, tracker_db_url=None)
    async with TestClient(TestServer(app)) as client:
        yield client


async def sign_in(client, username="alice", password=PASSWORD):
    page = await client.get(f"{PREFIX}/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
    return await client.post(
        f"{PREFIX}/login",
        data={"csrf_token": csrf, "username": username, "password": password},
        allow_redirects=False,
    )


async def page_csrf(client, path=f"{PREFIX}/") -> str:
    page = await client.get(path)
    assert page.status == 200, await page.text()
    return re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)


def handoff_case(renewals, conversation="conv-1", licence=True):
    licence = renewals.find_licence(QUOKKA) if licence else None
    return renewals.open_handoff_case(
        conversation,
        "socketio",
        "asked for a person",
        RenewalChecklist(company_name="Quokka Travel"),
        licence,
    )


ROUTES = [
    ("GET", "/"),
    ("GET", "/cases"),
    ("GET", "/queue.json"),
    ("GET", "/dashboard.json"),
    ("GET", "/cases/RN-2026-000001"),
    ("GET", "/cases/RN-2026-000001/live.json"),
    ("GET", "/cases/RN-2026-000001/events"),
    ("POST", "/cases/RN-2026-000001/take"),
    ("POST", "/cases/RN-2026-000001/reply"),
    ("POST", "/cases/RN-2026-000001/note"),
    ("POST", "/cases/RN-2026-000001/hand"),
    ("POST", "/cases/RN-2026-000001/resolve"),
    ("POST", "/logout"),
    ("GET", "/replies"),
    ("POST", "/replies"),
    ("POST", "/replies/1/delete"),
    ("POST", "/cases/RN-2026-000001/typing"),
    ("GET", "/api/cases"),
    ("GET", "/api/dashboard"),
    ("GET", "/api/cases/RN-2026-000001"),
    ("POST", "/api/cases/RN-2026-000001/take"),
    ("POST", "/api/cases/RN-2026-000001/reply"),
    ("POST", "/api/cases/RN-2026-000001/note"),
    ("POST", "/api/cases/RN-2026-000001/hand-to-reseller"),
    ("POST", "/api/cases/RN-2026-000001/resolve"),
]


async def test_every_page_and_api_call_is_refused_without_a_session_or_token(client, renewals):
    handoff_case(renewals)
    for method, path in ROUTES:
        response = await client.request(
            method, PREFIX + path, allow_redirects=False, headers={"Authorization": "Bearer rat_made_up"}
        )
        body = await response.text()
        assert response.status == 401, (method, path, response.status)
        assert "Quokka" not in body and "RN-2026-000001" not in body.replace(
            "/agent/cases/RN-2026-000001", ""
        )


async def test_a_customer_chat_token_or_the_rasa_token_opens_nothing(client, renewals, accounts):
    handoff_case(renewals)
    for header in (
        {"X-Chat-Session": "abc.def"},
        {"Authorization": f"Bearer {RASA_TOKEN}"},
        {"Authorization": "Token " + accounts.issue_api_token("alice")},
    ):
        assert (await client.get(f"{PREFIX}/api/cases", headers=header)).status == 401
        assert (await client.get(f"{PREFIX}/queue.json", headers=header)).status == 401


async def test_sign_in_sets_a_strict_http_only_session_cookie(client):
    response = await sign_in(client)
    assert response.status == 303 and response.headers["Location"] == f"{PREFIX}/"
    cookie = next(v for v in response.headers.getall("Set-Cookie") if v.startswith("agent_session="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/agent" in cookie
    home = await client.get(f"{PREFIX}/")
    assert home.status == 200 and "Alice Nguyen" in await home.text()
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in home.headers["Content-Security-Policy"]


async def test_sign_in_needs_the_login_csrf_token(client):
    await client.get(f"{PREFIX}/login")
    response = await client.post(
        f"{PREFIX}/login", data={"csrf_token": "forged", "username": "alice", "password": PASSWORD}
    )
    assert response.status == 403


async def test_a_wrong_password_is_refused_and_five_failures_lock_the_username(client):
    assert (await sign_in(client, password="wrong password here")).status == 401
    for _ in range(4):
        await sign_in(client, password="wrong password here")
    locked = await sign_in(client)
    assert locked.status == 429 and "Too many" in await locked.text()


async def test_posts_from_pages_need_the_sessions_csrf_token_and_our_origin(client, renewals):
    case = handoff_case(renewals)
    await sign_in(client)
    csrf = await page_csrf(client)
    url = f"{PREFIX}/cases/{case.reference}/note"
    assert (await client.post(url, data={"text": "x"})).status == 403
    assert (await client.post(url, data={"text": "x", "csrf_token": "wrong"})).status == 403
    foreign = await client.post(
        url, data={"text": "x", "csrf_token": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status == 403
    done = await client.post(url, data={"text": "internal", "csrf_token": csrf}, allow_redirects=False)
    assert done.status == 303
    assert renewals.case(case.reference).history[-1].kind == EventKind.NOTE


async def test_sign_out_ends_the_session(client):
    await sign_in(client)
    csrf = await page_csrf(client)
    await client.post(f"{PREFIX}/logout", data={"csrf_token": csrf}, allow_redirects=False)
    assert (await client.get(f"{PREFIX}/")).status == 401


async def test_the_queue_shows_waiting_chats_and_filters(client, renewals):
    waiting = handoff_case(renewals, "conv-w")
    other = handoff_case(renewals, "conv-o", licence=False)
    renewals.take_case(other.reference, "bob")
    await sign_in(client)
    data = await (await client.get(f"{PREFIX}/queue.json")).json()
    assert [c["reference"] for c in data["cases"]] == [waiting.reference, other.reference]
    assert data["cases"][0]["waiting"] is True and data["cases"][1]["assigned_to"] == "bob"
    au = await (await client.get(f"{PREFIX}/queue.json?region=AU")).json()
    assert [c["reference"] for c in au["cases"]] == [waiting.reference]
    page = await (await client.get(f"{PREFIX}/cases?status=in_progress")).text()
    assert other.reference in page and f'data-reference="{waiting.reference}"' not in page


async def test_the_case_page_shows_transcript_checklist_licence_and_quote_without_the_rasa_token(
    client, renewals, rasa
):
    case = handoff_case(renewals)
    rasa.trackers["conv-1"] = {
        "sender_id": "conv-1",
        "paused": True,
        "events": [
            {"event": "user", "text": "I want a person"},
            {"event": "bot", "text": "I've opened case " + case.reference},
            {"event": "pause"},
            {"event": "user", "text": "hello? <script>alert(1)</script>"},
        ],
    }
    await sign_in(client)
    page = await client.get(f"{PREFIX}/cases/{case.reference}")
    html = await page.text()
    assert "I want a person" in html and "(while paused)" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Quokka Travel" in html and QUOKKA in html and "Total" in html and "lapsed" in html
    assert RASA_TOKEN not in html
    live = await (await client.get(f"{PREFIX}/cases/{case.reference}/live.json")).json()
    assert live["transcript"][-1] == {
        "from": "customer",
        "text": "hello? <script>alert(1)</script>",
        "at": None,
        "while_paused": True,
    }
    assert RASA_TOKEN not in str(live)


async def test_reply_goes_through_rasa_to_the_customers_channel_and_resolve_gives_the_chat_back(
    client, renewals, rasa
):
    case = handoff_case(renewals)
    await sign_in(client)
    csrf = await page_csrf(client)
    base = f"{PREFIX}/cases/{case.reference}"
    assert (await client.post(f"{base}/take", data={"csrf_token": csrf}, allow_redirects=False)).status == 303
    await client.post(
        f"{base}/reply", data={"csrf_token": csrf, "text": "Hi, Alice here."}, allow_redirects=False
    )
    conversation, query, events = rasa.appended[-1]
    assert (
        conversation == "conv-1"
        and query["output_channel"] == "latest"
        and query["execute_side_effects"] == "true"
    )
    # The customer sees who is writing; the console's transcript shows the words alone.
    assert events == [
        {
            "event": "bot",
            "text": "Alice Nguyen (support team): Hi, Alice here.",
            "metadata": {"agent": "Alice Nguyen", "body": "Hi, Alice here.", "delivery_id": ANY},
        }
    ]
    await client.post(f"{base}/resolve", data={"csrf_token": csrf, "text": ""}, allow_redirects=False)
    _, _, events = rasa.appended[-1]
    assert (
        events[0] == {"event": "resume"}
        and events[1]["event"] == "bot"
        and events[-1]["name"] == "action_listen"
    )
    stored = renewals.case(case.reference)
    assert stored.status is CaseStatus.RESOLVED
    assert [(e.kind, e.actor) for e in stored.history[2:]] == [
        (EventKind.TAKEN, "alice"),
        (EventKind.REPLY, "alice"),
        (EventKind.RESOLVED, "alice"),
    ]
    page = await (await client.get(base)).text()
    assert "Hi, Alice here." in page and "Alice Nguyen (agent)" in page


async def test_when_the_chat_is_down_a_reply_is_recorded_queued_and_delivered_once_it_is_back(
    client, renewals, rasa
):
    case = handoff_case(renewals)
    await sign_in(client)
    csrf = await page_csrf(client)
    from console.app import CONSOLE_KEY

    console = client.server.app[CONSOLE_KEY]
    working = console.conversations
    console.conversations = RasaConversationSender(
        RasaApiConfig("http://127.0.0.1:9", RASA_TOKEN)
    )  # nobody there
    response = await client.post(
        f"{PREFIX}/cases/{case.reference}/reply",
        data={"csrf_token": csrf, "text": "hello"},
        allow_redirects=False,
    )

    assert "notice=queued" in response.headers["Location"]
    page = await (await client.get(response.headers["Location"])).text()
    assert "Saved in the case history. The customer&#x27;s chat could not be reached just now" in page
    assert renewals.case(case.reference).history[-1].kind == EventKind.REPLY  # recorded first
    assert rasa.appended == []

    # The chat is back; the outbox worker's next attempt delivers it.
    with renewals.engine.begin() as connection:
        connection.execute(update(outbox).values(next_attempt_at=None))
    assert (
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: renewals.deliver_conversation_messages(working, case.reference)
        )
        == 0
    )
    assert [e["text"] for _, _, events in rasa.appended for e in events] == [
        "Alice Nguyen (support team): hello"
    ]


async def test_hand_to_reseller(client, renewals):
    case = handoff_case(renewals)
    await sign_in(client)
    csrf = await page_csrf(client)
    response = await client.post(
        f"{PREFIX}/cases/{case.reference}/hand",
        data={"csrf_token": csrf, "text": "call them"},
        allow_redirects=False,
    )
    stored = renewals.case(case.reference)
    assert stored.status is CaseStatus.HANDED_TO_RESELLER and stored.history[-1].note == "call them"
    # Slack notices are off in this set-up: the agent is told nothing reached the reseller, and how to reach
    # them.
    page = await (await client.get(response.headers["Location"])).text()
    assert (
        "Handed to Harbour Systems Pty Ltd, but nothing was sent to them: they have no Slack channel linked "
        "here. Email them at renewals@harboursys.example or call (03) 9555 0202."  # as people write it
    ) in page


async def test_the_dashboard_draws_charts(client, renewals):
    handoff_case(renewals, "conv-a")
    handoff_case(renewals, "conv-b", licence=False)
    await sign_in(client)
    html = await (await client.get(f"{PREFIX}/")).text()
    assert html.count("<svg") == 5 and "live chats waiting" in html
    assert "&quot;Did this solve your problem?&quot; in the last 7 days" in html  # escaped
    figures = await (await client.get(f"{PREFIX}/dashboard.json")).json()
    assert figures["open_by_region"] == {"AU": 1, "unknown": 1} and figures["handed_off_today"] == 2


async def test_the_json_api_with_a_bearer_token(client, renewals, accounts, rasa):
    case = handoff_case(renewals)
    headers = {"Authorization": f"Bearer {accounts.issue_api_token('alice')}"}
    listed = await (await client.get(f"{PREFIX}/api/cases", headers=headers)).json()
    assert listed["cases"][0]["reference"] == case.reference
    detail = await (await client.get(f"{PREFIX}/api/cases/{case.reference}", headers=headers)).json()
    assert detail["licence"]["activation_code"] == QUOKKA and "transcript" in detail
    api = f"{PREFIX}/api/cases/{case.reference}"
    assert (await client.post(f"{api}/take", headers=headers)).status == 200
    assert (await client.post(f"{api}/reply", headers=headers, json={"text": ""})).status == 400
    reply = await client.post(f"{api}/reply", headers=headers, json={"text": "From the API"})
    assert (
        reply.status == 200 and rasa.appended[-1][2][0]["text"] == "Alice Nguyen (support team): From the API"
    )
    assert (await client.post(f"{api}/note", headers=headers, json={"text": "n"})).status == 200
    resolved = await client.post(f"{api}/resolve", headers=headers, json={"text": "Bye"})
    assert resolved.status == 200 and (await resolved.json())["status"] == "resolved"
    assert (await client.post(f"{api}/resolve", headers=headers, json={})).status == 409
    assert (await client.get(f"{PREFIX}/api/cases/RN-2026-999999", headers=headers)).status == 404
    assert (await client.get(f"{PREFIX}/api/dashboard", headers=headers)).status == 200


async def test_a_session_cookie_does_not_open_the_api(client):
    await sign_in(client)
    assert (await client.get(f"{PREFIX}/api/cases")).status == 401


async def test_agent_redirects_and_the_customer_page_is_untouched(client):
    assert (await client.get(PREFIX, allow_redirects=False)).headers["Location"] == f"{PREFIX}/"
    assert await (await client.get("/")).text() == "customer chat"


@pytest.mark.parametrize("body", [b"username=\xff\xfe&password=x", b"csrf_token=%ff%fe&username=a"])
async def test_a_sign_in_body_that_is_not_utf8_is_a_400_not_a_500(client, body):
    await client.get(f"{PREFIX}/login")
    response = await client.post(
        f"{PREFIX}/login", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status in (400, 403)  # refused, either as malformed or for its missing CSRF token
    assert response.status != 500


async def test_the_dashboard_counts_todays_conversations_from_the_tracker_store(
    renewals, accounts, rasa, tmp_path
):
    noon = datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Australia/Sydney"))
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker_with(tracker_url, [
        event("conv-a", "user", noon, text="I need a person"),
        event("conv-chat", "user", noon, text="when does my licence expire"),
        event("conv-yesterday", "user", noon - timedelta(days=1), text="hi"),
    ])  # fmt: skip
    handoff_case(renewals, "conv-a")
    app = web.Application()
    mount_console(app, renewals, rasa.url, RASA_TOKEN, tracker_db_url=tracker_url)
    async with TestClient(TestServer(app)) as client:
        await sign_in(client)
        figures = await (await client.get(f"{PREFIX}/dashboard.json")).json()
    assert figures["conversations_today"] == 2 and figures["answered_by_bot_today"] == 1


async def test_the_case_page_shows_the_licences_renewal_notices_sent_failed_resent_and_link_opened(
    client, renewals, tmp_path
):
    settings = NoticeSettings(b"a-secret-for-the-console-notices-test", "http://localhost:8080")
    send_renewal_notices(renewals.engine, renewals.clock, settings)
    files = EmailConfig(sender="r@example.com", unsubscribe="mailto:r@example.com", outbox_dir=tmp_path)
    DeliveryWorker(renewals.engine, EmailSender(files), renewals.clock).deliver_due()
    quokka = renewals.find_licence(QUOKKA)
    (sent,) = renewals.notice_history(quokka)
    open_link(
        renewals.engine, renewals.clock, settings, issue(settings.link_secret, sent.id, sent.link_expires_at)
    )
    resend_notice(renewals.engine, renewals.clock, settings, quokka)
    resent = renewals.notice_history(quokka)[0]
    with renewals.engine.begin() as connection:  # as the worker records an SMTP 550: given up
        connection.execute(
            update(outbox)
            .where(outbox.c.notice_id == resent.id)
            .values(attempts=1, gave_up_at=renewals.clock.now(), last_error="SMTP 550: recipient refused")
        )
    case = handoff_case(renewals)
    await sign_in(client)
    html = await (await client.get(f"{PREFIX}/cases/{case.reference}")).text()
    notices = html[html.index("<h3>Renewal notices</h3>") :]
    assert notices.index("Re-sent on request") < notices.index("Lapsed notice")  # newest first
    assert "<strong>failed</strong>: SMTP 550: recipient refused" in notices
    # The fixed clock's midday in Sydney, in the console's time zone (the browser then shows its own).
    midday = '<time datetime="2026-11-28T01:00:00+00:00">Sat 28 Nov 2026, 12:00 pm AEDT</time>'
    assert f"sent {midday}" in notices and f"link opened {midday}" in notices
    assert "jack.williams@quokkatravel.com.au" in notices


async def test_once_taken_the_take_button_says_so_and_is_disabled_for_that_agent(client, renewals):
    case = handoff_case(renewals)
    await sign_in(client)
    base = f"{PREFIX}/cases/{case.reference}"
    assert '<button type="submit">Take the case</button>' in await (await client.get(base)).text()
    csrf = await page_csrf(client)
    await client.post(f"{base}/take", data={"csrf_token": csrf}, allow_redirects=False)
    assert '<button type="submit" disabled>Taken by you</button>' in await (await client.get(base)).text()


async def test_queue_rows_show_the_customers_last_message_and_when_the_first_reply_is_due(
    renewals, accounts, rasa, tmp_path
):
    noon = datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Australia/Sydney"))
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker_with(tracker_url, [
        event("conv-w", "user", noon - timedelta(minutes=3), text="I need a person"),
        event("conv-w", "user", noon, text="hello?? is anyone there, our licence lapsed last week and "
              "the directors want to know what it will cost us to renew it today"),
    ])  # fmt: skip
    case = handoff_case(renewals, "conv-w")
    app = web.Application()
    mount_console(app, renewals, rasa.url, RASA_TOKEN, tracker_db_url=tracker_url)
    async with TestClient(TestServer(app)) as client:
        await sign_in(client)
        (row,) = (await (await client.get(f"{PREFIX}/queue.json")).json())["cases"]
        page = await (await client.get(f"{PREFIX}/cases")).text()

    assert row["company_name"] == "Quokka Travel" and row["region"] == "AU"
    assert row["labels"]["reason"] == "Asked for a person"
    assert row["last_message"]["text"] == (  # 80 characters at most
        "hello?? is anyone there, our licence lapsed last week and the directors want to…"
    )
    # Asked on a Saturday: the first reply is due 15 minutes after Sydney opens on Monday.
    assert row["first_response"]["due_at"] == "2026-11-29T21:45:00+00:00"  # Monday 8:45 am AEDT
    assert row["first_response"]["overdue"] is False
    assert row["first_response"]["due_in_seconds"] == (44 * 60 + 45) * 60
    assert f'<a href="{PREFIX}/cases/{case.reference}">{case.reference}</a>' in page
    assert '<span class="due" data-due-in="161100">in 1 d 20 h</span>' in page
    assert '<span class="preview">hello?? is anyone there' in page


async def test_the_assignment_filter_shows_mine_unassigned_or_all(client, renewals, accounts):
    unassigned = handoff_case(renewals, "conv-u")
    mine = handoff_case(renewals, "conv-m")
    theirs = handoff_case(renewals, "conv-t")
    renewals.take_case(mine.reference, "alice")
    renewals.take_case(theirs.reference, "bob")
    await sign_in(client)

    async def references(assigned):
        data = await (await client.get(f"{PREFIX}/queue.json?assigned={assigned}")).json()
        return {c["reference"] for c in data["cases"]}

    assert await references("mine") == {mine.reference}
    assert await references("unassigned") == {unassigned.reference}
    assert await references("") == {unassigned.reference, mine.reference, theirs.reference}
    page = await (await client.get(f"{PREFIX}/cases?assigned=mine")).text()
    assert '<option value="mine" selected>Mine</option>' in page


async def test_a_reply_overdue_is_flagged_and_the_boxes_have_labels_and_shortcuts(
    renewals, accounts, rasa, monkeypatch
):
    from renewals.clock import FixedClock

    friday = FixedClock.at(datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Australia/Sydney")))
    case = handoff_case(Renewals(renewals.engine, friday))  # asked at 10:00 on a Friday
    monkeypatch.setenv("CONSOLE_FIRST_RESPONSE_MINUTES", "10")
    later = Renewals(
        renewals.engine, FixedClock.at(datetime(2026, 11, 27, 10, 25, tzinfo=ZoneInfo("Australia/Sydney")))
    )
    app = web.Application()
    mount_console(app, later, rasa.url, RASA_TOKEN, tracker_db_url=None)
    async with TestClient(TestServer(app)) as client:
        await sign_in(client)
        page = await (await client.get(f"{PREFIX}/cases/{case.reference}")).text()

    assert 'first reply <span class="due overdue" data-due-in="-900">overdue 15 min</span>' in page
    assert (
        '<label for="text-reply">Reply to the customer (sent live into their chat) <kbd>r</kbd></label>'
        in page
    )
    assert '<textarea id="text-reply" name="text" maxlength="4000" aria-keyshortcuts="r">' in page
    assert '<label for="text-note">Internal note (never shown to the customer) <kbd>n</kbd></label>' in page
    assert "placeholder=" not in page


async def test_a_handoff_asked_for_during_a_renewal_links_to_the_renewal_case(client, renewals):
    from tests.support.cases import ACME_CHECKLIST

    renewal = renewals.open_renewal_case(ACME_CHECKLIST, "conv-r", "socketio")
    handoff = handoff_case(renewals, "conv-r")
    await sign_in(client)
    page = await (await client.get(f"{PREFIX}/cases/{handoff.reference}")).text()
    row = await (await client.get(f"{PREFIX}/cases/{handoff.reference}/live.json")).json()

    assert (
        f'Asked for during the renewal in case <a href="{PREFIX}/cases/{renewal.reference}">'
        f"{renewal.reference}</a>, which stays open." in page
    )
    assert row["linked_to"] == renewal.reference
    # ... and the renewal case links back to it.
    renewal_page = await (await client.get(f"{PREFIX}/cases/{renewal.reference}")).text()
    assert (
        "The customer asked for a person during this renewal: "
        f'<a href="{PREFIX}/cases/{handoff.reference}">{handoff.reference}</a>.' in renewal_page
    )


async def test_a_saved_reply_is_added_and_fills_the_reply_box_with_the_cases_values(client, renewals):
    case = handoff_case(renewals)
    await sign_in(client)
    csrf = await page_csrf(client, f"{PREFIX}/replies")
    text = (
        "Hi {customer_name}, {agent_name} here. I'm on {case_reference} for {company}; {reseller} renews it."
    )
    added = await client.post(
        f"{PREFIX}/replies",
        data={"csrf_token": csrf, "title": "Greeting", "body": text},
        allow_redirects=False,
    )
    assert added.status == 303
    listed = await (await client.get(added.headers["Location"])).text()
    assert "Saved “Greeting”." in listed and "{customer_name}" in listed
    page = await (await client.get(f"{PREFIX}/cases/{case.reference}")).text()
    # The chat gave no contact name: the licence's contact, by first name; the rest from the case and licence.
    first_name = renewals.find_licence(QUOKKA).contact_name.split()[0]
    filled = (
        f"Hi {first_name}, Alice Nguyen here. I&#x27;m on {case.reference} for Quokka Travel; "
        "Harbour Systems Pty Ltd renews it."
    )
    assert f'data-text="{filled}">Greeting</option>' in page


async def test_a_saved_reply_with_a_mistyped_placeholder_is_refused_and_kept_for_mending(client, renewals):
    await sign_in(client)
    csrf = await page_csrf(client, f"{PREFIX}/replies")
    refused = await client.post(
        f"{PREFIX}/replies", data={"csrf_token": csrf, "title": "Oops", "body": "Hi {custmer_name}"}
    )
    page = await refused.text()
    assert refused.status == 400 and "Unknown placeholder {custmer_name}" in page
    assert 'value="Oops"' in page and ">Hi {custmer_name}</textarea>" in page
    assert renewals.canned_replies() == []


async def test_a_saved_reply_is_changed_and_deleted(client, renewals):
    reply = renewals.save_canned_reply(None, "Greeting", "Hi {customer_name}", "bob")
    await sign_in(client)
    csrf = await page_csrf(client, f"{PREFIX}/replies")
    form = {"csrf_token": csrf, "reply_id": str(reply.reply_id), "title": "Greeting", "body": "Hello!"}
    await client.post(f"{PREFIX}/replies", data=form)
    assert [r.body for r in renewals.canned_replies()] == ["Hello!"]
    await client.post(f"{PREFIX}/replies/{reply.reply_id}/delete", data={"csrf_token": csrf})
    assert renewals.canned_replies() == []


async def test_a_hand_off_after_a_look_up_shows_the_details_on_file_the_chat_did_not_give(client, renewals):
    case = handoff_case(renewals)  # the chat gave only the company; the licence is known
    await sign_in(client)
    page = await (await client.get(f"{PREFIX}/cases/{case.reference}")).text()
    assert "Details the chat did not give are shown from the licence on file: address, " in page
    detail = await (await client.get(f"{PREFIX}/cases/{case.reference}/live.json")).json()
    licence = renewals.find_licence(QUOKKA)
    assert detail["checklist"]["company_name"] == "Quokka Travel"  # the chat's own value stays
    assert detail["checklist"]["contact_email"] == licence.contact_email
    assert detail["checklist"]["user_count"] == licence.users
    assert "company_name" not in detail["checklist_from_licence"]


async def test_the_console_quotes_the_term_and_users_the_customer_asked_for(client, renewals, rasa):
    case = handoff_case(renewals, conversation="conv-quoted")
    rasa.trackers["conv-quoted"] = {
        "sender_id": "conv-quoted",
        "events": [],
        "paused": True,
        "slots": {"quoted_code": QUOKKA, "term_years": 2.0, "user_count": 20.0, "renewal_date": None},
    }
    await sign_in(client)
    detail = await (await client.get(f"{PREFIX}/cases/{case.reference}/live.json")).json()
    assert (detail["quote"]["years"], detail["quote"]["users"]) == (2, 20)
    page = await (await client.get(f"{PREFIX}/cases/{case.reference}")).text()
    assert "Renewal quote (2 years, renewing 2026-11-28)" in page


async def test_a_quote_asked_for_another_licence_leaves_the_console_quote_at_its_defaults(
    client, renewals, rasa
):
    case = handoff_case(renewals, conversation="conv-other")
    rasa.trackers["conv-other"] = {
        "sender_id": "conv-other",
        "events": [],
        "paused": True,
        "slots": {
            "quoted_code": "AO-MV3X-Z23R4-28NM5-4NKDR-R7993-X6J9S",
            "term_years": 3.0,
            "user_count": 5.0,
        },
    }
    await sign_in(client)
    detail = await (await client.get(f"{PREFIX}/cases/{case.reference}/live.json")).json()
    assert (detail["quote"]["years"], detail["quote"]["users"]) == (1, renewals.find_licence(QUOKKA).users)


async def test_a_saved_reply_greets_a_customer_nobody_knows_neutrally(client, renewals):
    case = handoff_case(renewals, licence=False)
    renewals.save_canned_reply(None, "Greeting", "Hi {customer_name}, about {reseller}.", "bob")
    await sign_in(client)
    page = await (await client.get(f"{PREFIX}/cases/{case.reference}")).text()
    assert 'data-text="Hi there, about your reseller.">Greeting</option>' in page


async def test_the_agent_typing_reaches_the_chat_and_the_customer_typing_reaches_the_case_page(
    client, renewals
):
    case = handoff_case(renewals, conversation="conv-typing")
    await sign_in(client)
    csrf = await page_csrf(client, f"{PREFIX}/cases/{case.reference}")
    detail = await (await client.get(f"{PREFIX}/cases/{case.reference}/live.json")).json()
    assert detail["customer_typing"] is False
    renewals.report_typing("conv-typing")
    detail = await (await client.get(f"{PREFIX}/cases/{case.reference}/live.json")).json()
    assert detail["customer_typing"] is True
    typed = await client.post(f"{PREFIX}/cases/{case.reference}/typing", headers={"X-CSRF-Token": csrf})
    assert typed.status == 200 and renewals.typing("conv-typing").agent == "Alice Nguyen"
    refused = await client.post(f"{PREFIX}/cases/{case.reference}/typing", headers={"X-CSRF-Token": "forged"})
    assert refused.status == 403


async def read_event(response, timeout=10):
    """The next server-sent event's data, as JSON (comment lines skipped)."""
    import json

    while True:
        line = (await asyncio.wait_for(response.content.readline(), timeout)).decode()
        if line.startswith("data: "):
            return json.loads(line[len("data: ") :])


async def test_the_case_page_is_pushed_the_case_again_when_it_changes(client, renewals):
    case = handoff_case(renewals)
    await sign_in(client)
    response = await client.get(f"{PREFIX}/cases/{case.reference}/events")
    assert response.status == 200 and response.headers["Content-Type"] == "text/event-stream"
    first = await read_event(response)
    assert first["reference"] == case.reference and first["status"] == "open"
    renewals.add_note(case.reference, "alice", "Called the reseller")
    changed = await read_event(response)
    assert changed["history"][-1]["note"] == "Called the reseller"
    response.close()


async def test_the_event_stream_needs_a_session_and_a_real_case(client, renewals):
    case = handoff_case(renewals)
    assert (await client.get(f"{PREFIX}/cases/{case.reference}/events")).status == 401
    await sign_in(client)
    assert (await client.get(f"{PREFIX}/cases/RN-2026-999999/events")).status == 404
