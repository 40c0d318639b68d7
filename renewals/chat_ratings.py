"""End-of-chat ratings: the customer's answer to "Did this solve your problem?".

One answer per conversation; answering again replaces it (people change their mind, or tap the wrong
button). Only the conversation's opaque id and the answer are kept, no words of the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChatRating:
    conversation_id: str
    solved: bool
    rated_at: datetime


@dataclass(frozen=True)
class RatingSummary:
    """Answers given since a moment, for the dashboard."""

    solved: int
    not_solved: int

    @property
    def answered(self) -> int:
        return self.solved + self.not_solved
