"""Messages from people into a customer's chat, sent through the outbox.

An agent's reply, and the message that gives a paused conversation back to the
assistant when its case is resolved, are recorded in the case's history and
queued in the same transaction, then delivered into the Rasa conversation
(renewals.delivery.rasa_conversations). So the history shows every message the customer
got, and a message is never lost while the chat server is down: it waits and
is retried.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from renewals.clock import Clock
from renewals.outbox import encode_payload

CONVERSATION_TOPIC = "conversation.message"


def signed(text: str, agent: str) -> str:
    """What the customer sees: the agent's words under their name, so a person is not taken for the bot."""
    return f"{agent} (support team): {text}"


def joined_message(agent: str) -> str:
    """The notice in a waiting chat when a person picks up its case."""
    return f"{agent} from the support team has joined the chat."


def reseller_resolved_message(reference: str, reseller_name: str) -> str:
    """What the customer reads when their reseller resolves the case that paused the chat."""
    return (
        f"{reseller_name}, your reseller, has marked case {reference} as resolved. I'm back: ask me anything "
        "about your licence or renewal, or ask for a person again if you still need one."
    )


def handed_to_reseller_message(reference: str, reseller_name: str) -> str:
    """What the customer reads when the support team passes their case to the reseller."""
    return (
        f"The support team has passed your case {reference} to {reseller_name}, your reseller, who will "
        "contact you by email or phone. I'm back: ask me anything about your licence or renewal meanwhile."
    )


def resolved_message(reference: str) -> str:
    return (
        f"Case {reference} has been resolved. I'm back: ask me anything about your licence or renewal, "
        "or ask for a person again if you still need one."
    )


def queue_message(
    uow,
    case_id: int,
    conversation_id: str,
    text: str,
    dedupe_key: str,
    *,
    agent: Optional[str],
    resume: bool,
    clock: Clock,
    notice: Optional[str] = None,
) -> int:
    """Queue `text` for the conversation; `agent` signs it (None: the assistant's voice);
    `resume` gives the conversation back to the assistant with it; `notice` ("joined") makes it a
    notice about the chat rather than words from anyone, for a channel that shows those apart."""
    document = {
        "conversation_id": conversation_id,
        "text": signed(text, agent) if agent else text,  # what every channel shows
        "agent": agent,
        "body": text,  # the words alone, for a channel that shows who wrote them its own way (the web chat)
        "resume": resume,
    }
    if notice:
        document["notice"] = notice
    return uow.outbox.add(
        topic=CONVERSATION_TOPIC,
        dedupe_key=dedupe_key,
        payload=encode_payload(document),
        case_id=case_id,
        created_at=clock.now(),
    )


def decode(payload: Optional[str]) -> dict[str, Any]:
    document = json.loads(payload or "{}")
    if not isinstance(document, dict) or not document.get("conversation_id") or not document.get("text"):
        raise ValueError("not a conversation message")
    return document
