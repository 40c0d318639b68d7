"""Where a customer waiting for a person stands: their place in the queue and when to expect a reply.

The queue is every case whose chat waits for a person (asked for one, and no agent has taken, replied,
handed it on or resolved it since), oldest request first. The expected time is the first-reply target
(renewals.response_times) while the team is in, else the next opening of the region's support hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional, Tuple

from renewals.cases import Case, waiting_since
from renewals.support_hours import describe_next_open, earliest


@dataclass(frozen=True)
class QueueStanding:
    reference: str
    position: int  # 1: next to be answered
    open_now: bool
    text: str  # what the customer reads


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
            text = f"You're {place} for a person. The support team aims to reply within {minutes} minutes."
        else:
            text = (
                f"You're {place} for a person. The support team is closed now: someone will reply here "
                f"from {describe_next_open(hours)}. You can leave this page; your case {case.reference} "
                "stays open."
            )
        return QueueStanding(case.reference, position, hours.open_now, text)
    return None
