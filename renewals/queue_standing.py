"""Where a customer waiting for a person stands: their place in the queue and when to expect a reply.

The queue is every case whose chat waits for a person (asked for one, and no agent has taken, replied,
handed it on or resolved it since), oldest request first. The expected time is the first-reply target
(renewals.response_times) while the team is in, else the next opening of the region's support hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional, Tuple

from renewals.cases import Case, reply_email, waiting_since
from renewals.on_file import masked
from renewals.support_hours import describe_next_open, earliest


@dataclass(frozen=True)
class QueueStanding:
    reference: str
    position: int  # 1: next to be answered
    open_now: bool
    text: str  # what the customer reads
    # Where the agents' replies are also emailed (masked: "j…@example.com"), once the customer asked.
    emailing_to: Optional[str] = None
    # When a person will reply: "within 15 minutes", "from Monday 30 November at 8:30 am Sydney time".
    reply_expected: str = ""


def queue_standing(
    cases: Iterable[Tuple[Case, Optional[str]]], conversation_id: str, now: datetime, target: timedelta
) -> Optional[QueueStanding]:
    """The standing of the conversation's case among `cases` ((case, its licence's region or None)), or
    None when the conversation waits for nobody."""
    waiting = sorted(
        ((since, case, region) for case, region in cases if (since := waiting_since(case)) is not None),
        key=lambda entry: (entry[0], entry[1].reference),
    )
    for position, (_, case, region) in enumerate(waiting, start=1):
        if case.conversation_id != conversation_id:
            continue
        hours = earliest(now, region)
        place = "next in the queue" if position == 1 else f"number {position} in the queue"
        if hours.open_now:
            minutes = max(1, int(target.total_seconds() // 60))
            expected = f"within {minutes} minutes"
            text = f"You're {place} for a person. The support team aims to reply {expected}."
        else:
            expected = f"from {describe_next_open(hours)}"
            text = (
                f"You're {place} for a person. The support team is closed now: someone will reply here "
                f"{expected}. You can leave this page; your case {case.reference} "
                "stays open."
            )
        address = reply_email(case)
        emailing_to = masked("contact_email", address) if address else None
        if emailing_to:
            text += f" The reply will also be emailed to {emailing_to}."
        return QueueStanding(case.reference, position, hours.open_now, text, emailing_to, expected)
    return None


# What the customer typed while the chat waits for a person, as the channel reads it.
THANKS, BOT_QUESTION, ANYTHING_ELSE = "thanks", "bot_question", "anything_else"


def reply_while_waiting(kind: str, standing: Optional[QueueStanding]) -> str:
    """The channel's answer to a message typed while the chat is paused for a person (the assistant is
    quiet then): it reached the case, and when a person will reply. `standing` is None once an agent has
    taken the case."""
    if standing is None:
        then = "A person from the support team is on your case and will reply here"
        if kind == THANKS:
            return f"You're welcome. {then}."
        if kind == BOT_QUESTION:
            return f"I'm the virtual assistant, quiet for now: {then[0].lower()}{then[1:]}."
        return f"Added to your case. {then}: you can keep typing."
    reply = f"someone from the support team will reply here {standing.reply_expected}"
    if kind == THANKS:
        return f"You're welcome. Your case {standing.reference} stays open: {reply}."
    if kind == BOT_QUESTION:
        return (
            f"I'm the virtual assistant. You're waiting for a person: {reply}. What you type meanwhile is "
            f"added to your case {standing.reference}."
        )
    return f"Added to your case {standing.reference}. {reply[0].upper()}{reply[1:]}: you can keep typing."
