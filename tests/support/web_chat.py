"""Driving the customer's web chat page in a browser test."""

from playwright.sync_api import expect


def say(page, text):
    """Type `text` into the chat box, send it, and wait until the assistant's whole reply is in.

    A reply can be several bubbles. The page shows the typing indicator from the moment a message is
    sent until the channel's `bot_typing: false`, which Rasa's socket sends after the last bubble;
    sending the next message before then would put it between two bubbles of this reply on screen,
    while the tracker (and so the history restored after a reload) has it after all of them.
    """
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".message--user").last).to_contain_text(text)
    expect(page.locator("#typing")).to_be_hidden()


def add_agent(assistant, username: str, name: str, password: str) -> None:
    """A support agent account in the live assistant's database, made as the README says."""
    import subprocess

    from scripts.live_assistant import ROOT

    created = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "renewals", "agents", "add", username]
        + ["--name", name, "--password-stdin"],
        cwd=ROOT,
        env=assistant.env,
        input=password + "\n",
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
