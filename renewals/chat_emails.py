"""Emails a customer asks for in the chat: a copy of the conversation, and the support team's answer.

* A copy of the conversation ("Email me a copy" before a new chat): the messages as the page showed them.
* The answer by email: a customer waiting for a person, typically out of hours, leaves an address on the
  hand-off case; every reply an agent then writes in the chat is also emailed to it, so the customer can
  leave the page.

Both go through the outbox on the `chat.email` topic, delivered like renewal notices
(renewals.delivery.email); the documents have the same fields: to, subject, text, html.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Optional, Sequence

from renewals.checklist import validate_email
from renewals.outbox import CHAT_EMAIL_TOPIC

MAX_TRANSCRIPT_MESSAGES = 500
INVALID_ADDRESS = "Please type the email address to send it to, like name@company.com.au."
SIGN_OFF = "Trend Micro Licensing, Australia and New Zealand"


@dataclass(frozen=True)
class TranscriptLine:
    sender: str  # who the page showed it from: "You", "Assistant", an agent's name, "Notice"
    text: str
    sent_at: Optional[datetime] = None


class InvalidEmailAddress(ValueError):
    """The customer's text is not one usable email address; the message says what to type."""


def email_address(text: object) -> str:
    """The address in the customer's text, or InvalidEmailAddress."""
    check = validate_email(text)
    if check.value is None:
        raise InvalidEmailAddress(INVALID_ADDRESS)
    return check.value


def transcript_email(to: str, lines: Sequence[TranscriptLine], requested_at: datetime) -> dict[str, str]:
    """The copy of a conversation, newest message last."""
    shown = list(lines)[-MAX_TRANSCRIPT_MESSAGES:]
    intro = "Here is a copy of your chat with the Trend Micro licensing assistant."

    def when(line: TranscriptLine) -> str:
        return f"{line.sent_at:%d %b %Y %H:%M} UTC  " if line.sent_at else ""

    text = "\n\n".join([intro, *(f"{when(line)}{line.sender}: {line.text}" for line in shown), SIGN_OFF])
    rows = "".join(
        f"<p><small>{escape(when(line))}</small><strong>{escape(line.sender)}:</strong> "
        f"{escape(line.text).replace(chr(10), '<br>')}</p>"
        for line in shown
    )
    html = f"<p>{escape(intro)}</p>{rows}<p>{escape(SIGN_OFF)}</p>"
    return {
        "to": to,
        "subject": f"Your chat with Trend Micro licensing, {requested_at:%d %B %Y}",
        "text": text,
        "html": html,
    }


def transcript_dedupe_key(conversation_id: str, to: str, lines: Sequence[TranscriptLine]) -> str:
    """The same copy to the same address is queued once, however often the button is pressed."""
    digest = hashlib.sha256()
    for part in (conversation_id, to.casefold(), *(f"{line.sender}\0{line.text}" for line in lines)):
        digest.update(part.encode("utf-8") + b"\0")
    return f"{CHAT_EMAIL_TOPIC}:transcript:{digest.hexdigest()}"


def answer_email(to: str, reference: str, agent: str, text: str) -> dict[str, str]:
    """An agent's reply in the chat of case `reference`, for a customer who asked for it by email."""
    intro = f"{agent} from the support team replied to your request {reference}:"
    after = "You can reply in the chat on our website, or to your reseller, quoting the reference above."
    return {
        "to": to,
        "subject": f"Reply to your request {reference}",
        "text": "\n\n".join([intro, text, after, SIGN_OFF]),
        "html": (
            f"<p>{escape(intro)}</p><blockquote>{escape(text).replace(chr(10), '<br>')}</blockquote>"
            f"<p>{escape(after)}</p><p>{escape(SIGN_OFF)}</p>"
        ),
    }
