"""Human hand-off in real browsers (Debian's chromium, headless, through Playwright): a customer in
the web chat asks for a person, an agent signed in to the console at /agent/ in a second browser
context sees the case arrive in the queue, reads the transcript, replies, and resolves; the bot then
answers the customer again.

One action server, Rasa server and web service (scripts/live_assistant.py, demo data, today is
2026-11-28, a Saturday, so the support team is closed). Screenshots of the console go to the
test's temporary folder, or to $WEB_CHAT_SCREENSHOTS when set.
"""

from __future__ import annotations

import re

import pytest

from scripts.live_assistant import running_assistant
from tests.support.web_chat import add_agent, say

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.live

DESKTOP = {"width": 1280, "height": 860}
TIMEOUT_MS = 20_000
QUEUE_POLL_TIMEOUT_MS = 15_000  # the queue polls every 3 s
AGENT, AGENT_NAME, PASSWORD = "alice", "Alice Nguyen", "a long enough password for tests"
REFERENCE = re.compile(r"RN-\d{4}-\d{6}")
WHILE_PAUSED = "hello, is anyone there?"
AGENT_REPLY = "Hi, Alice here from support. I can help with that."
CLOSING = "All sorted. I'm handing you back to the assistant now."


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("console-browser"), web=True) as assistant:
        add_agent(assistant, AGENT, AGENT_NAME, PASSWORD)
        yield assistant


@pytest.fixture(autouse=True)
def patient_expect():
    """Rasa, the action server and the queue's polling take longer than expect's default 5 s at times."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


def new_page(browser, **options):
    context = browser.new_context(viewport=DESKTOP, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def test_a_customer_is_handed_to_an_agent_and_back_to_the_bot(browser, live, screenshots):
    # The agent signs in and watches the queue before anyone asks for a person.
    # An agent in Auckland: the console shows times in their zone.
    agent_context, agent, agent_errors = new_page(browser, locale="en-NZ", timezone_id="Pacific/Auckland")
    agent.goto(live.web_url + "/agent/")
    agent.get_by_role("link", name="Sign in").click()  # signed out: a 401 page pointing to the sign-in
    expect(agent.get_by_role("heading", name="Sign in")).to_be_visible()
    agent.get_by_label("Username").fill(AGENT)
    agent.get_by_label("Password").fill(PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(agent.locator("header .who")).to_have_text(AGENT_NAME)
    agent.get_by_role("link", name="Cases", exact=True).click()
    expect(agent.get_by_role("heading", name="Cases")).to_be_visible()
    expect(agent.locator("#queue-body tr")).to_have_count(0)  # a fresh database: nothing to do yet
    agent.evaluate("window.__sameDocument = true")  # gone if the page were reloaded

    # The customer asks for a person: the case reference, and honestly that nobody can join now.
    customer_context, customer, customer_errors = new_page(browser)
    customer.goto(live.web_url + "/")
    expect(customer.locator("#connection")).to_have_attribute("data-state", "connected")
    say(customer, "I'd like to talk to a person")
    handoff = customer.locator(".message--bot", has_text=REFERENCE)
    expect(handoff).to_have_count(1)
    handoff_text = handoff.inner_text()
    reference = REFERENCE.search(handoff_text).group(0)
    assert "nobody can join this chat right now" in handoff_text
    assert "Monday to Friday" in handoff_text and "keeps your place in the queue" in handoff_text
    # The banner: the customer's place in the queue, and, on a Saturday, when the team opens.
    banner = customer.locator("#queue-banner")
    expect(banner).to_contain_text("You're next in the queue for a person.")
    expect(banner).to_contain_text("from Monday 30 November at 8:30 am")
    say(customer, WHILE_PAUSED)  # recorded for the agent; the bot stays quiet, the page says it arrived
    expect(customer.locator(".message--notice").last).to_contain_text("Added to your case")
    expect(customer.locator("#typing")).to_be_hidden()
    bot_messages_while_paused = customer.locator(".message--bot").count()

    # The customer's page cannot read console data: no session cookie, no API token.
    for path in ("/agent/api/cases", "/agent/queue.json", f"/agent/api/cases/{reference}"):
        status = customer.evaluate("p => fetch(p, {credentials: 'include'}).then(r => r.status)", path)
        assert status == 401, path

    # The case appears in the agent's queue by itself, as a chat waiting for a person.
    row = agent.locator(f'#queue-body tr[data-reference="{reference}"]')
    expect(row).to_be_visible(timeout=QUEUE_POLL_TIMEOUT_MS)
    expect(row).to_have_class("waiting-row")
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text("webchat")
    expect(row.locator(".preview")).to_have_text(WHILE_PAUSED)  # the customer's last message
    # Asked on a Saturday: the first reply is due once Sydney opens on Monday (+ 15 minutes).
    expect(row.locator(".due")).to_have_text(re.compile(r"^in 1 d \d+ h$"))
    expect(row.locator(".waiting")).to_have_text(re.compile(r"^\d+ min$"))
    assert agent.evaluate("window.__sameDocument") is True
    agent.screenshot(path=str(screenshots / "console-queue.png"), full_page=True)

    # The agent opens the case and reads the transcript, including the message sent while paused.
    row.get_by_role("link", name=reference).click()
    expect(agent.get_by_role("heading", name=f"Case {reference}")).to_be_visible()
    transcript = agent.locator("#transcript")
    expect(transcript.locator(".msg.customer", has_text="I'd like to talk to a person")).to_have_count(1)
    expect(transcript.locator(".msg.assistant", has_text=reference)).to_have_count(1)
    expect(transcript.locator(".msg.system")).to_contain_text("Assistant paused")
    expect(transcript.locator(".msg.system .from")).to_have_text("")
    paused = transcript.locator(".msg.customer", has_text=WHILE_PAUSED)
    expect(paused.locator(".from")).to_have_text("Customer (while paused)")
    # The transcript ends with the customer's paused message: the bot did not answer it ...
    expect(transcript.locator(".msg").last).to_contain_text(WHILE_PAUSED)
    # (the page as the server renders it, before the first poll, labels the pause as no one's)
    served = agent.evaluate("fetch(location.href).then(r => r.text())")
    assert '<span class="from"></span> <span class="text">Assistant paused' in served
    assert served.count("(agent)") == 0
    # ... and, Rasa having finished that turn, nothing reached the customer's chat either.
    assert customer.locator(".message--bot").count() == bot_messages_while_paused
    expect(customer.locator("#typing")).to_be_hidden()
    agent.screenshot(path=str(screenshots / "console-case.png"), full_page=True)

    # The case page's updates are pushed to it (server-sent events), not polled.
    expect(agent.locator("body")).to_have_attribute("data-live", "events")

    # Times read in the agent's zone: the hand-off request, Saturday in Sydney, as Auckland time.
    expect(agent.locator("#history time").first).to_contain_text("NZDT")
    expect(agent.locator("#case-status .due")).to_contain_text("in 1 d")

    # A saved reply: added once on its page, then picked on the case page, where it fills the reply box
    # with this case's values, to be read and edited before sending.
    agent.get_by_role("link", name="Saved replies").click()
    agent.get_by_label("Title").last.fill("Out of hours")
    agent.get_by_label("Text").last.fill("Hi {customer_name}, {agent_name} here about {case_reference}.")
    agent.get_by_role("button", name="Add saved reply").click()
    expect(agent.get_by_role("status")).to_contain_text("Saved “Out of hours”.")
    agent.goto(live.web_url + f"/agent/cases/{reference}")
    agent.get_by_label("Saved reply").select_option(label="Out of hours")
    reply_box = agent.get_by_label(re.compile("^Reply to the customer"))
    expect(reply_box).to_have_value(f"Hi there, {AGENT_NAME} here about {reference}.")
    expect(reply_box).to_be_focused()
    reply_box.fill("")

    # The agent takes the case; the customer's chat says who joined.
    agent.get_by_role("button", name="Take the case").click()
    expect(agent.get_by_role("button", name="Taken by you")).to_be_disabled()  # the button follows the case
    expect(customer.locator(".message--notice").last).to_contain_text(
        f"{AGENT_NAME} from the support team has joined the chat."
    )
    expect(banner).to_be_hidden()  # a person is here: no queue any more

    # The customer types (without sending): the agent's case page says so.
    customer.get_by_label("Your message").press_sequentially("one more thing", delay=20)
    expect(agent.locator("#customer-typing")).to_be_visible(timeout=QUEUE_POLL_TIMEOUT_MS)
    customer.get_by_label("Your message").fill("")

    # The agent replies; the reply appears live in the customer's chat.
    # By keyboard: r goes to the reply box, Ctrl+Enter sends. While they type, the customer sees it.
    agent.evaluate("document.activeElement && document.activeElement.blur()")
    agent.keyboard.press("r")
    expect(agent.get_by_label(re.compile("^Reply to the customer"))).to_be_focused()
    agent.keyboard.type(AGENT_REPLY[:12])
    expect(customer.locator("#agent-typing")).to_have_text(f"{AGENT_NAME} is typing…")
    agent.keyboard.type(AGENT_REPLY[12:])
    agent.keyboard.press("Control+Enter")
    expect(transcript.locator(".msg.agent").last).to_contain_text(AGENT_REPLY)
    expect(transcript.locator(".msg.agent .from").last).to_have_text(f"{AGENT_NAME} (agent)")
    expect(agent.locator(".error")).to_have_count(0)
    # In the customer's chat it is the agent's message, under their name, not the assistant's.
    answer = customer.locator(".message--agent").last
    expect(answer.locator(".bubble")).to_contain_text(AGENT_REPLY)
    expect(customer.locator("#agent-typing")).to_be_hidden()  # their words are in
    expect(answer.locator(".agent__name")).to_have_text(f"{AGENT_NAME} · support team")

    # The agent resolves with a closing message; the customer gets it and the bot is back.
    resolve = agent.locator("#form-resolve")
    resolve.locator("textarea").fill(CLOSING)
    resolve.get_by_role("button", name="Resolve and give back to the assistant").click()
    expect(agent.locator("#form-reply button")).to_be_disabled()  # the page after the redirect
    expect(agent.locator("#case-status strong")).to_have_text("Resolved")
    expect(agent.locator(".error")).to_have_count(0)
    expect(transcript.locator(".msg.system").last).to_contain_text("given back to the assistant")
    expect(customer.locator(".message--agent").last).to_contain_text(CLOSING)  # the agent's last words

    say(customer, "How do I renew my Trend Micro product maintenance?")
    answer = customer.locator(".message--bot", has_text="Contact your preferred Trend Micro reseller")
    expect(answer).to_have_count(1)  # the bot's answer (a follow-up offer comes after it)
    expect(customer.locator("#typing")).to_be_hidden()
    agent.screenshot(path=str(screenshots / "console-case-resolved.png"), full_page=True)
    customer.screenshot(path=str(screenshots / "console-customer-chat.png"), full_page=True)

    # The resolved case leaves the default (not resolved) queue.
    agent.get_by_role("link", name="Cases", exact=True).click()
    expect(agent.get_by_role("heading", name="Cases")).to_be_visible()
    expect(agent.locator(f'#queue-body tr[data-reference="{reference}"]')).to_have_count(0)

    # The dashboard's charts: every label fits left of its bar (none cut off, none under a bar).
    agent.get_by_role("link", name="Dashboard", exact=True).click()
    expect(agent.locator("#chart-today svg text.label")).not_to_have_count(0)
    overlaps = agent.evaluate(
        """() => [...document.querySelectorAll('svg text.label')].filter(label => {
            const bar = label.nextElementSibling;
            return label.getBBox().x + label.getBBox().width > bar.x.baseVal.value;
        }).map(label => label.textContent)"""
    )
    assert overlaps == []
    agent.screenshot(path=str(screenshots / "console-dashboard.png"), full_page=True)

    assert customer_errors == [] and agent_errors == []
    customer_context.close()
    agent_context.close()
