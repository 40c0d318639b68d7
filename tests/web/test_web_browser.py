"""The customer web chat in a real browser (Debian's chromium, headless, through Playwright).

One action server, Rasa server and web service (scripts/live_assistant.py, demo data, today is
2026-11-28); each test opens its own browser context, i.e. its own browser profile.
Screenshots go to the test's temporary folder, or to $WEB_CHAT_SCREENSHOTS when set.
"""

import asyncio
import concurrent.futures
import email
import email.policy
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from sqlalchemy import create_engine, text
from websockets.exceptions import InvalidStatusCode

from scripts.live_assistant import ROOT, http, running_assistant
from tests.support.web_chat import say

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.live

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}
DEMO_CODE = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"
TOKEN_KEY = "trend-anz-renewals-chat-token"
TIMEOUT_MS = 20_000

# Records whether the typing indicator was ever shown, however briefly.
WATCH_TYPING = """
document.addEventListener("DOMContentLoaded", () => {
  const typing = document.getElementById("typing");
  window.__typingShown = 0;
  new MutationObserver(() => { if (!typing.hidden) window.__typingShown += 1; })
    .observe(typing, { attributes: true, attributeFilter: ["hidden"] });
});
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("webchat"), web=True) as assistant:
        yield assistant


def open_chat(browser, live, viewport=DESKTOP, **options):
    context = browser.new_context(viewport=viewport, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.add_init_script(WATCH_TYPING)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live.web_url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    return context, page, errors


def messages(page):
    """Each message's words and buttons, without its time: a live message is stamped with the browser's
    clock when it arrives, a restored one with the server's record of it, which may be a minute apart."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#messages > li')].map(item => {
            const copy = item.cloneNode(true);
            copy.querySelectorAll('time').forEach(time => time.remove());
            document.body.appendChild(copy);
            const text = copy.innerText;
            copy.remove();
            return text;
        })"""
    )


def times(page):
    return page.locator("#messages time").evaluate_all("all => all.map(t => [t.dateTime, t.textContent])")


def conversation_id(page) -> str:
    return page.evaluate(f"localStorage.getItem('{TOKEN_KEY}')").partition(".")[0]


def test_a_customer_chats_reloads_and_keeps_the_conversation(browser, live, screenshots):
    context, page, errors = open_chat(browser, live)
    log = page.locator("#messages")
    assert page.locator("#conversation").get_attribute("aria-live") == "polite"
    expect(page.locator("#message-input")).to_be_focused()  # ready to type on load

    say(page, "hi")
    expect(log).to_contain_text("G'day!")
    assert page.evaluate("window.__typingShown") >= 1
    expect(page.locator("#typing")).to_be_hidden()
    expect(page.locator("#message-input")).to_be_focused()

    # Quick replies are real buttons in the keyboard order, just before the message box.
    page.get_by_label("Your message").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "quick-reply"
    assert page.evaluate("document.activeElement.textContent") == "What does renewing cost?"
    renew = page.get_by_role("group", name="Suggested replies").get_by_role("button", name="How do I renew?")
    renew.click()
    expect(page.locator(".message--user .bubble").last).to_have_text("You said: How do I renew?")
    expect(log).to_contain_text("Contact your preferred Trend Micro reseller")
    expect(page.locator("#typing")).to_be_hidden()  # the answer's last bubble is in too
    expect(page.locator("#message-input")).to_be_focused()

    say(page, "I never got a renewal notice")
    notice = page.locator(".message--bot", has_text="junk or spam folder")
    expect(notice.locator("ul > li")).to_have_count(4)

    say(page, f"when does {DEMO_CODE} expire?")
    expect(log).to_contain_text("2 January 2028")
    expect(page.locator("#typing")).to_be_hidden()
    page.screenshot(path=str(screenshots / "webchat-desktop.png"))
    before = messages(page)

    # Every turn says when it was sent, in the customer's time zone (this browser's: UTC).
    stamped = times(page)
    assert stamped and all(re.fullmatch(r"\d{1,2}:\d{2}\s?(am|pm|AM|PM)?", text) for _, text in stamped)

    page.reload()
    expect(page.locator("#messages > li")).to_have_count(len(before))
    assert messages(page) == before
    # Restored messages carry the times the server recorded: a reply's first bubble, each question.
    restored = times(page)
    assert len(restored) >= 4 and all(moment.endswith("Z") for moment, _ in restored)
    expect(page.locator("#intro")).to_be_hidden()
    expect(page.locator("#conversation")).to_have_attribute("aria-live", "polite")

    # The reloaded page is back in its conversation: a bot message added later through Rasa's API
    # with output_channel=latest (how the agent console replies) reaches it.
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    status, _ = http(
        "POST",
        f"{live.rasa_url}/conversations/{conversation_id(page)}/tracker/events"
        f"?execute_side_effects=true&output_channel=latest&token={live.token}",
        [
            {
                "event": "bot",
                "text": "Alice Nguyen (support team): Hi, Alice here from support.",
                "metadata": {"agent": "Alice Nguyen", "body": "Hi, Alice here from support."},
            }
        ],
    )
    assert status == 200
    agent = page.locator(".message--agent").last
    expect(agent).to_contain_text("Hi, Alice here from support.")
    expect(agent.locator(".agent__avatar")).to_have_text("AN")
    expect(agent.locator(".agent__name")).to_have_text("Alice Nguyen · support team")
    expect(agent.locator(".bubble .visually-hidden")).to_have_text("Alice Nguyen from the support team: ")
    assert "Alice Nguyen (support team):" not in agent.inner_text()  # the name is shown once, as a name
    say(page, "thanks")
    expect(log).to_contain_text("You're welcome")
    assert errors == []
    context.close()


def test_new_chat_asks_first_names_the_open_case_and_offers_a_copy(browser, live, screenshots):
    context, page, errors = open_chat(browser, live, accept_downloads=True)
    say(page, "can I talk to a person please")
    reference = re.search(r"RN-\d{4}-\d{6}", page.locator("#messages").inner_text()).group(0)
    first_id = conversation_id(page)

    # Keeping the chat changes nothing.
    page.get_by_role("button", name="New chat").click()
    dialog = page.get_by_role("dialog", name="Start a new chat?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Your case {reference} stays open")
    page.screenshot(path=str(screenshots / "webchat-new-chat-confirm.png"))
    dialog.get_by_role("button", name="Keep this chat").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text(reference)
    assert conversation_id(page) == first_id
    # The page moves focus in the dialog's close event, which the browser fires after hiding the dialog
    # (and after putting focus back on "New chat"): wait for it rather than read it at once.
    expect(page.locator("#message-input")).to_be_focused()

    # A copy of the chat, with the reference, can be saved before it is cleared.
    page.get_by_role("button", name="New chat").click()
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Save a copy first").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert "You:\ncan I talk to a person please" in saved and reference in saved
    expect(dialog).to_be_visible()  # saving leaves the choice open

    dialog.get_by_role("button", name="Start a new chat").click()
    expect(page.locator("#messages > li")).to_have_count(0)
    expect(page.locator("#intro")).to_be_visible()
    stored = f"localStorage.getItem('{TOKEN_KEY}')"
    page.wait_for_function(f"{stored} && !{stored}.startsWith('{first_id}')")  # a new conversation
    say(page, "hi")
    expect(page.locator("#messages")).to_contain_text("G'day!")
    assert errors == []
    context.close()


def test_a_goodbye_asks_whether_the_chat_solved_the_problem_and_stores_the_answer(browser, live):
    context, page, errors = open_chat(browser, live)
    say(page, "how do i renew")
    expect(page.locator(".rating")).to_have_count(0)  # only a goodbye asks
    say(page, "thats all thanks, bye")
    rating = page.get_by_role("group", name="Did this solve your problem?")
    expect(rating).to_be_visible()
    rating.get_by_role("button", name="No").click()
    expect(page.locator(".rating")).to_contain_text("If you still need help")
    conversation = conversation_id(page)
    engine = create_engine(live.env["DATABASE_URL"])
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT solved FROM chat_ratings WHERE conversation_id = :c"), {"c": conversation}
        ).scalar_one()
    engine.dispose()
    assert stored in (False, 0)
    # Answered: a reload does not ask again.
    page.reload()
    expect(page.locator("#messages")).to_contain_text("Bye for now")
    expect(page.locator(".rating")).to_have_count(0)
    assert errors == []
    context.close()


def test_a_second_browser_cannot_read_or_join_the_first_ones_conversation(browser, live):
    first, first_page, _ = open_chat(browser, live)
    say(first_page, f"when does {DEMO_CODE} expire?")
    expect(first_page.locator("#messages")).to_contain_text("2 January 2028")
    victim = conversation_id(first_page)
    shown_to_victim = len(messages(first_page))

    second, page, _ = open_chat(browser, live)
    expect(page.locator("#messages > li")).to_have_count(0)
    assert conversation_id(page) != victim
    assert DEMO_CODE not in page.content()

    # Its own signature on the victim's id, or the bare id, opens neither history nor socket.
    own_signature = page.evaluate(f"localStorage.getItem('{TOKEN_KEY}')").partition(".")[2]
    for presented in (f"{victim}.{own_signature}", victim):
        status = page.evaluate(
            "t => fetch('/api/history', {headers: {'X-Chat-Session': t}}).then(r => r.status)", presented
        )
        assert status == 401
    events = page.evaluate(
        """([url, path, victim, forged]) => new Promise(resolve => {
             const seen = [];
             const socket = io(url, {path, transports: ["websocket"], forceNew: true});
             socket.onAny((event, data) => seen.push([event, data]));
             socket.on("connect", () => {
               socket.emit("session_request", {session_id: victim});
               socket.emit("session_request", {token: forged});
               socket.emit("user_uttered", {message: "hi", session_id: victim});
               setTimeout(() => { socket.close(); resolve(seen); }, 1500);
             });
           })""",
        [live.web_url, "/socket.io", victim, f"{victim}.{own_signature}"],  # the socket as pages reach it
    )
    assert [event for event, _ in events] == ["session_error", "session_error", "session_error"]
    assert "session_confirm" not in json.dumps(events)

    first_page.wait_for_timeout(500)
    assert len(messages(first_page)) == shown_to_victim
    first.close()
    second.close()


def test_the_chat_works_on_a_phone_sized_screen(browser, live, screenshots):
    context, page, errors = open_chat(browser, live, viewport=PHONE, is_mobile=True, has_touch=True)
    say(page, "hi")
    buttons = page.get_by_role("group", name="Suggested replies").get_by_role("button")
    expect(buttons).to_have_count(3)
    for box in [button.bounding_box() for button in buttons.all()] + [
        page.get_by_role("button", name="Send").bounding_box(),
        page.get_by_label("Your message").bounding_box(),
    ]:
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 40  # touch-sized
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    buttons.first.tap()
    expect(page.locator("#messages")).to_contain_text("Activation Code")
    page.screenshot(path=str(screenshots / "webchat-phone.png"))
    assert errors == []
    context.close()


@pytest.mark.parametrize("through", ["the web service", "rasa itself"])
def test_only_the_pages_origin_can_open_a_socket(live, through):
    base = live.web_url if through == "the web service" else live.rasa_url

    def polling_handshake(origin: str) -> int:
        request = urllib.request.Request(
            f"{base}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert polling_handshake(live.web_url) == 200
    assert polling_handshake("http://evil.example") == 400

    async def websocket_from(origin: str) -> None:
        url = "ws" + base[len("http") :] + "/socket.io/?EIO=4&transport=websocket"
        async with websockets.connect(url, origin=origin, open_timeout=10):
            pass

    def run(coroutine):  # in a thread of its own: Playwright's event loop may be running in this one
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    with pytest.raises(InvalidStatusCode):
        run(websocket_from("http://evil.example"))
    run(websocket_from(live.web_url))


def emails_to(live, to: str, jobs=(["outbox-worker", "--once"],)) -> list[str]:
    """Runs `jobs` as `make run` does; the plain text of every .eml sent to `to`."""
    for command in jobs:
        subprocess.run(
            [sys.executable, "-m", "renewals", *command],
            cwd=ROOT,
            env=live.env,
            check=True,
            capture_output=True,
        )
    found = []
    for path in sorted(Path(live.env["MAIL_OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to:
            found.append(message.get_body(("plain",)).get_content())
    return found


def notice_link_for(live, to: str) -> str:
    """Runs the notice job and the outbox worker; the link in the notice sent to `to`."""
    sent = emails_to(live, to, jobs=(["send-renewal-notices"], ["outbox-worker", "--once"]))
    assert sent, f"no notice to {to}"
    return re.search(r"https?://\S+#renewal=\S+", sent[0]).group()


def test_out_of_hours_a_waiting_customer_gets_the_reply_by_email_and_a_copy_of_the_chat(
    browser, live, screenshots
):
    context, page, errors = open_chat(browser, live)
    say(page, "can I talk to a person please")
    banner = page.locator("#queue-banner")
    expect(banner).to_contain_text("closed now")
    offer = page.locator("#answer-email")
    expect(offer).to_be_visible()
    page.screenshot(path=str(screenshots / "webchat-reply-by-email-offer.png"))

    offer.get_by_label("Rather get the reply by email?").fill("mia at tasman")
    offer.get_by_role("button", name="Email me the reply").click()
    expect(offer.get_by_role("status")).to_contain_text("like name@company.com.au")
    offer.get_by_label("Rather get the reply by email?").fill("mia.chen@tasmantech.co.nz")
    offer.get_by_role("button", name="Email me the reply").click()
    expect(page.locator("#messages")).to_contain_text("also be emailed to mia.chen@tasmantech.co.nz")
    expect(banner).to_contain_text("The reply will also be emailed to m…@tasmantech.co.nz.")
    expect(offer).to_be_hidden()

    page.get_by_role("button", name="New chat").click()
    dialog = page.get_by_role("dialog", name="Start a new chat?")
    dialog.get_by_label("Email a copy of this chat to").fill("mia.chen@tasmantech.co.nz")
    dialog.get_by_role("button", name="Email me a copy").click()
    expect(dialog.get_by_role("status")).to_contain_text("on its way to mia.chen@tasmantech.co.nz")
    page.screenshot(path=str(screenshots / "webchat-email-a-copy.png"))
    [copy] = emails_to(live, "mia.chen@tasmantech.co.nz")
    assert "You: can I talk to a person please" in copy and re.search(r"RN-\d{4}-\d{6}", copy)
    # The browser logs the refused address's 400, which the page showed as a message; nothing else.
    assert [e for e in errors if "status of 400" not in e] == [] and len(errors) == 1
    context.close()


def test_the_link_in_a_notice_email_opens_a_chat_about_that_licence(browser, live, screenshots):
    link = notice_link_for(live, "jack.williams@quokkatravel.com.au")
    assert link.startswith(live.web_url + "/#renewal=")
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(link)
    log = page.locator("#messages")
    expect(log).to_contain_text("Hello Jack! You've opened the renewal link from your notice")
    expect(log).to_contain_text("lapsed 30 days ago")
    assert "#renewal" not in page.url  # the token leaves the address bar at once
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    say(page, "yes")  # "Would you like a quote?": no code to type
    expect(log).to_contain_text("Total: AUD 2,294.05 incl. GST")
    page.screenshot(path=str(screenshots / "webchat-notice-link.png"))
    context.close()


def test_an_altered_notice_link_gets_a_clear_message_and_an_ordinary_chat(browser, live):
    link = notice_link_for(live, "jack.williams@quokkatravel.com.au")
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(link[:-3] + "abc")
    log = page.locator("#messages")
    expect(log).to_contain_text("That renewal link isn't valid")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    say(page, "how do I renew?")
    expect(log).to_contain_text("Contact your preferred Trend Micro reseller")
    context.close()
