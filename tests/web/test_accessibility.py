"""Accessibility: axe-core (web/node_modules, from npm) finds no serious or critical violation on the
customer page and the console's pages, at desktop and phone size, in Debian's headless Chromium.

Each page is checked in the state people use it in: the chat with a conversation, buttons, a notice and
a person's reply in it; the console signed in, with a case in the queue and on its page. Screenshots go to
the test's temporary folder, or to $WEB_CHAT_SCREENSHOTS when set.
"""

from __future__ import annotations

import re

import pytest

from scripts.live_assistant import ROOT, running_assistant
from tests.support.web_chat import add_agent, say

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.live

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}
AGENT, PASSWORD = "ama", "a long enough password for tests"
REFERENCE = re.compile(r"RN-\d{4}-\d{6}")
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("accessibility"), web=True) as assistant:
        add_agent(assistant, AGENT, "Ama Tauroa", PASSWORD)
        yield assistant


def blocking_violations(page) -> list:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def new_page(browser, size):
    # The pages' Content-Security-Policy allows only their own scripts; axe is injected by the test.
    context = browser.new_context(viewport=SIZES[size], bypass_csp=True)
    context.set_default_timeout(20_000)
    return context, context.new_page()


@pytest.mark.parametrize("size", SIZES)
def test_the_customer_page_mid_conversation_has_no_serious_accessibility_violation(
    browser, live, screenshots, size
):
    context, page = new_page(browser, size)
    page.goto(live.web_url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
    assert blocking_violations(page) == []  # the empty chat, intro shown
    say(page, "when does WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD expire")
    expect(page.locator(".quick-reply").first).to_be_visible()
    say(page, "can I talk to a person")
    expect(page.locator(".message--bot", has_text=REFERENCE)).to_have_count(1)
    say(page, "hello?")
    expect(page.locator(".message--notice").last).to_contain_text("Added to your case")
    page.screenshot(path=str(screenshots / f"customer-chat-{size}.png"), full_page=True)
    assert blocking_violations(page) == []
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_console_pages_have_no_serious_accessibility_violation(browser, live, screenshots, size):
    customer_context, customer = new_page(browser, "desktop")
    customer.goto(live.web_url + "/")
    expect(customer.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
    say(customer, "I'd like to talk to a person")
    reference = REFERENCE.search(customer.locator(".message--bot", has_text=REFERENCE).inner_text()).group(0)

    context, agent = new_page(browser, size)
    agent.goto(live.web_url + "/agent/login")
    expect(agent.get_by_role("heading", name="Sign in")).to_be_visible()
    assert blocking_violations(agent) == [], "sign-in page"
    agent.get_by_label("Username").fill(AGENT)
    agent.get_by_label("Password").fill(PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent.get_by_role("heading", name="Dashboard")).to_be_visible()
    agent.screenshot(path=str(screenshots / f"console-dashboard-{size}.png"), full_page=True)
    assert blocking_violations(agent) == [], "dashboard"

    agent.goto(live.web_url + "/agent/cases")
    expect(agent.locator(f'#queue-body tr[data-reference="{reference}"]')).to_be_visible()
    agent.screenshot(path=str(screenshots / f"console-queue-{size}.png"), full_page=True)
    assert blocking_violations(agent) == [], "queue"

    agent.goto(live.web_url + f"/agent/cases/{reference}")
    expect(agent.get_by_role("heading", name=f"Case {reference}")).to_be_visible()
    # Nothing wider than the screen: the page never scrolls sideways.
    assert agent.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    agent.screenshot(path=str(screenshots / f"console-case-{size}.png"), full_page=True)
    assert blocking_violations(agent) == [], "case page"
    context.close()
    customer_context.close()
