"""Driving the customer's web chat page in a browser test."""
from playwright.sync_api import expect


def say(page, text):
    """Type `text` into the chat box, send it, and wait until it shows as the customer's message."""
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".message--user").last).to_contain_text(text)
