"""The web chat's socket.io channel: a conversation only through a server-signed token.

Runs channels.signed_socketio in a small Sanic app (tests/web/webchat_channel_server.py) that
echoes "<conversation id>: <text>", and talks to it over websockets.
"""

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest
import websockets
from websockets.exceptions import InvalidStatusCode

from channels import session_tokens
from channels.signed_socketio import SignedSocketIOInput, allowed_origins
from scripts.live_assistant import free_port

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://chat.example.test"
SECRET = secrets.token_urlsafe(32)


@pytest.fixture(scope="module")
def channel_url(tmp_path_factory) -> str:
    port = free_port()
    work = tmp_path_factory.mktemp("channel")
    log = work / "server.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CHAT_SESSION_SECRET": SECRET,
        "WEB_ORIGIN": ORIGIN,
        "DATABASE_URL": f"sqlite:///{work / 'renewals.db'}",
    }  # where the channel counts messages
    subprocess.run(
        [sys.executable, "-m", "renewals", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "web" / "webchat_channel_server.py"), str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"channel server exited:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/webhooks/webchat/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("channel server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def token() -> str:
    return session_tokens.issue(SECRET.encode())


def conversation_of(value: str) -> str:
    return value.partition(".")[0]


class Client:
    """A minimal socket.io client (Engine.IO 4 over websocket) that records every event.

    python-socketio's own client needs a newer aiohttp than Rasa allows for websockets, and over
    long-polling its disconnect waits for the poll to time out; the protocol is small enough.
    """

    def __init__(self) -> None:
        self.events: List[Tuple[str, Any]] = []
        self.ws = None
        self.reader: Optional[asyncio.Task] = None

    async def connect(self, url: str, origin: Optional[str] = ORIGIN) -> "Client":
        ws_url = "ws" + url[len("http") :] + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await websockets.connect(ws_url, origin=origin, open_timeout=10)
        assert (await self.ws.recv()).startswith("0")  # Engine.IO open
        await self.ws.send("40")  # Socket.IO connect to the default namespace
        assert (await self.ws.recv()).startswith("40")
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for message in self.ws:
            if message == "2":  # ping
                await self.ws.send("3")
            elif message.startswith("42"):
                event, *args = json.loads(message[2:])
                self.events.append((event, args[0] if args else None))

    async def emit(self, event: str, *data: Any) -> None:
        await self.ws.send("42" + json.dumps([event, *data]))

    async def wait_for(self, event: str, count: int = 1, timeout: float = 10) -> List[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [data for name, data in self.events if name == event]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {event!r} (x{count}) within {timeout} s; got {self.events}")

    def texts(self) -> List[str]:
        return [data["text"] for name, data in self.events if name == "bot_uttered"]

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        if self.ws:
            await self.ws.close()


async def test_a_valid_token_binds_the_socket_to_its_conversation(channel_url):
    value = token()
    client = await Client().connect(channel_url)
    try:
        await client.emit("session_request", {"token": value})
        assert await client.wait_for("session_confirm") == [conversation_of(value)]
        await client.emit("user_uttered", {"message": "hi"})
        await client.wait_for("bot_uttered")
        assert client.texts() == [f"{conversation_of(value)}: hi"]
        typing = [data["typing"] for name, data in client.events if name == "bot_typing"]
        assert typing == [True, False]
    finally:
        await client.close()


@pytest.mark.parametrize(
    "request_body",
    [
        None,
        {},
        {"session_id": "chosen-by-the-client"},  # Rasa's own protocol: refused
        {"token": "chosen-by-the-client"},
        {"token": session_tokens.issue(b"w" * 32)},  # signed with another secret
        {"token": "tampered"},  # replaced below by a tampered genuine token
    ],
)
async def test_a_session_request_without_a_valid_token_is_refused(channel_url, request_body):
    if request_body == {"token": "tampered"}:
        genuine = token()
        request_body = {"token": ("B" if genuine[0] == "A" else "A") + genuine[1:]}
    client = await Client().connect(channel_url)
    try:
        await client.emit("session_request", *([] if request_body is None else [request_body]))
        assert await client.wait_for("session_error") == [{"error": "invalid_session_token"}]
        await client.emit("user_uttered", {"message": "hi", "session_id": "chosen-by-the-client"})
        assert (await client.wait_for("session_error", count=2))[1] == {"error": "no_session"}
        await asyncio.sleep(0.3)
        assert "session_confirm" not in [name for name, _ in client.events]
        assert client.texts() == []
    finally:
        await client.close()


async def test_a_session_id_sent_with_a_message_is_ignored(channel_url):
    victim_token, attacker_token = token(), token()
    victim, attacker = await Client().connect(channel_url), await Client().connect(channel_url)
    try:
        await victim.emit("session_request", {"token": victim_token})
        await attacker.emit("session_request", {"token": attacker_token})
        await victim.wait_for("session_confirm")
        await attacker.wait_for("session_confirm")
        await attacker.emit(
            "user_uttered", {"message": "mine now", "session_id": conversation_of(victim_token)}
        )
        await attacker.wait_for("bot_uttered")
        assert attacker.texts() == [f"{conversation_of(attacker_token)}: mine now"]
        await asyncio.sleep(0.3)
        assert victim.texts() == []
    finally:
        await victim.close()
        await attacker.close()


async def test_another_conversations_id_with_my_signature_is_refused(channel_url):
    victim_id = conversation_of(token())
    my_signature = token().partition(".")[2]
    client = await Client().connect(channel_url)
    try:
        await client.emit("session_request", {"token": f"{victim_id}.{my_signature}"})
        await client.wait_for("session_error")
    finally:
        await client.close()


async def test_later_bot_messages_reach_every_socket_of_the_conversation_only(channel_url):
    value, other = token(), token()
    first = await Client().connect(channel_url)
    second = await Client().connect(channel_url)
    stranger = await Client().connect(channel_url)
    try:
        for client, presented in ((first, value), (second, value), (stranger, other)):
            await client.emit("session_request", {"token": presented})
            await client.wait_for("session_confirm")
        request = urllib.request.Request(f"{channel_url}/deliver/{conversation_of(value)}", method="POST")
        await asyncio.to_thread(urllib.request.urlopen, request)
        await first.wait_for("bot_uttered")
        await second.wait_for("bot_uttered")
        assert first.texts() == second.texts() == ["later"]
        await asyncio.sleep(0.3)
        assert stranger.texts() == []
    finally:
        for client in (first, second, stranger):
            await client.close()


async def test_a_new_token_moves_the_socket_to_the_new_conversation(channel_url):
    old, new = token(), token()
    client = await Client().connect(channel_url)
    try:
        await client.emit("session_request", {"token": old})
        await client.wait_for("session_confirm")
        await client.emit("session_request", {"token": new})
        await client.wait_for("session_confirm", count=2)
        request = urllib.request.Request(f"{channel_url}/deliver/{conversation_of(old)}", method="POST")
        await asyncio.to_thread(urllib.request.urlopen, request)
        await asyncio.sleep(0.3)
        assert client.texts() == []
    finally:
        await client.close()


def polling_handshake(url: str, origin: str) -> int:
    request = urllib.request.Request(f"{url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_only_the_pages_origin_may_open_a_socket(channel_url):
    assert polling_handshake(channel_url, ORIGIN) == 200
    assert polling_handshake(channel_url, "http://evil.example") == 400
    assert polling_handshake(channel_url, "http://chat.example.test:8081") == 400


async def test_a_websocket_with_a_foreign_origin_cannot_connect(channel_url):
    with pytest.raises(InvalidStatusCode) as refused:
        await Client().connect(channel_url, origin="http://evil.example")
    assert refused.value.status_code == 400


def test_allowed_origins_come_from_credentials_or_web_origin_never_everyone():
    assert allowed_origins(None, {}) == ["http://localhost:8080"]
    assert allowed_origins(None, {"WEB_ORIGIN": "https://chat.example/, https://b.example"}) == [
        "https://chat.example",
        "https://b.example",
    ]
    assert allowed_origins(["https://x.example"], {"WEB_ORIGIN": "https://y.example"}) == [
        "https://x.example"
    ]
    with pytest.raises(ValueError):
        allowed_origins("*", {})


def test_the_channel_needs_the_secret(monkeypatch):
    monkeypatch.delenv("CHAT_SESSION_SECRET", raising=False)
    with pytest.raises(session_tokens.SecretMissing):
        SignedSocketIOInput.from_credentials({})


async def test_a_conversation_flooding_the_socket_is_asked_to_slow_down(channel_url):
    from channels.replies import SLOW_DOWN

    value = token()
    client = await Client().connect(channel_url)
    try:
        await client.emit("session_request", {"token": value})
        await client.wait_for("session_confirm")
        for number in range(31):  # the default allowance is 30 a minute
            await client.emit("user_uttered", {"message": f"message {number}"})
        await client.wait_for("bot_uttered", count=31)
        # socket.io handles a client's events concurrently, so which one is refused is not fixed.
        texts = client.texts()
        assert texts.count(SLOW_DOWN) == 1
        assert len({t for t in texts if t.startswith(conversation_of(value) + ": message ")}) == 30
    finally:
        await client.close()


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SOCKET_PAYLOADS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["message", "token", "session_id", "metadata", "x"]), children, max_size=3
        )
    ),
    max_leaves=6,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payloads=st.lists(SOCKET_PAYLOADS, max_size=3))
def test_whatever_a_client_emits_the_channel_keeps_answering_properly(channel_url, payloads):
    async def session() -> List[str]:
        client = await Client().connect(channel_url)
        try:
            for payload in payloads:
                await client.emit("user_uttered", payload)
                await client.emit("session_request", payload)
            value = token()
            await client.emit("session_request", {"token": value})
            await client.wait_for("session_confirm")
            await client.emit("user_uttered", {"message": "hi"})
            await client.wait_for("bot_uttered")
            return client.texts(), conversation_of(value)
        finally:
            await client.close()

    texts, conversation = asyncio.run(session())
    assert texts == [f"{conversation}: hi"]  # nothing sent before the binding reached any conversation


# --- through the web service: the only port a browser needs -------------------------------------


async def _web_service_in_front_of(channel_url, tmp_path):
    from aiohttp.test_utils import TestServer

    from web.app import Settings, create_app

    vendor = tmp_path / "vendor"
    vendor.mkdir(exist_ok=True)
    (vendor / "socket.io.min.js").write_text("")
    settings = Settings(
        secret=SECRET.encode(),
        rasa_url=channel_url,
        rasa_token="t" * 20,
        rasa_public_url=ORIGIN,
        web_origin=ORIGIN,
    )
    server = TestServer(create_app(settings, vendor_dir=vendor))
    await server.start_server()
    return server


async def test_the_socket_works_through_the_web_service(channel_url, tmp_path):
    server = await _web_service_in_front_of(channel_url, tmp_path)
    value = token()
    client = await Client().connect(str(server.make_url("")).rstrip("/"))
    try:
        await client.emit("session_request", {"token": value})
        assert await client.wait_for("session_confirm") == [conversation_of(value)]
        await client.emit("user_uttered", {"message": "hi through the proxy"})
        await client.wait_for("bot_uttered")
        assert client.texts() == [f"{conversation_of(value)}: hi through the proxy"]
    finally:
        await client.close()
        await server.close()


async def test_long_polling_works_through_the_web_service_and_a_foreign_origin_is_still_refused(
    channel_url, tmp_path
):
    import aiohttp

    server = await _web_service_in_front_of(channel_url, tmp_path)
    try:
        async with aiohttp.ClientSession() as session:
            url = str(server.make_url("/socket.io/"))
            async with session.get(
                url, params={"EIO": "4", "transport": "polling"}, headers={"Origin": ORIGIN}
            ) as ok:
                assert ok.status == 200 and (await ok.text()).startswith("0{")  # Engine.IO's open packet
            async with session.get(
                url, params={"EIO": "4", "transport": "polling"}, headers={"Origin": "https://evil.example"}
            ) as foreign:
                assert foreign.status == 400  # Rasa's channel refuses it, through the proxy too
    finally:
        await server.close()


async def test_the_web_service_forwards_nothing_else_of_rasa(channel_url, tmp_path):
    import aiohttp

    server = await _web_service_in_front_of(channel_url, tmp_path)
    try:
        async with aiohttp.ClientSession() as session:
            for method, path in (
                ("POST", "/webhooks/rest/webhook"),
                ("GET", "/conversations/x/tracker"),
                ("GET", "/status"),
                ("PUT", "/model"),
                ("GET", "/webhooks/webchat/"),
            ):
                async with session.request(method, str(server.make_url(path))) as answer:
                    assert answer.status in (404, 405), path
    finally:
        await server.close()


class RecordingSocket:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data, room=None, **_):
        self.emitted.append((event, data, room))


def output_recording_emits():
    """The web chat channel's output, on a socket that records what it emits."""
    from channels.signed_socketio import SignedSocketIOInput

    channel = SignedSocketIOInput.__new__(SignedSocketIOInput)
    channel.sio, channel.bot_message_evt = RecordingSocket(), "bot_uttered"
    return channel.get_output_channel(), channel


async def test_a_persons_reply_sent_through_rasas_api_reaches_the_page_as_theirs():
    output, channel = output_recording_emits()
    # As Rasa passes a bot event appended with output_channel=latest: its metadata comes as keywords.
    await output.send_response(
        "conversation-1",
        {"text": "Alice (support team): Hi", "agent": "Alice", "body": "Hi", "delivery_id": "d-1"},
    )
    await output.send_response("conversation-1", {"text": "From the assistant"})
    await output.send_response("conversation-1", {"text": "Alice joined.", "notice": "joined"})
    assert channel.sio.emitted == [
        ("bot_uttered", {"text": "Hi", "agent": "Alice"}, "conversation-1"),
        ("bot_uttered", {"text": "From the assistant"}, "conversation-1"),
        ("chat_notice", {"kind": "joined", "text": "Alice joined."}, "conversation-1"),
    ]


async def test_a_goodbye_is_followed_by_the_pages_cue_to_ask_for_a_rating():
    output, channel = output_recording_emits()
    # A templated response's name comes with it as `utter_action`, as Rasa sends it.
    await output.send_response("c-1", {"text": "You're welcome!", "utter_action": "utter_you_are_welcome"})
    await output.send_response("c-1", {"text": "Bye for now!", "utter_action": "utter_goodbye"})
    assert [event for event, _, _ in channel.sio.emitted] == ["bot_uttered", "bot_uttered", "rating_request"]
