"""Who is typing in a chat with a person: the customer (shown to the agent) or the agent (shown to the
customer).

Each side's page reports typing at most every few seconds while keys are pressed; a report stays true
for FRESH_FOR after it, so an indicator goes by itself when typing stops or a page is closed. Kept in
the database (table chat_typing), so every web and console process sees the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

FRESH_FOR = timedelta(seconds=6)
CUSTOMER, AGENT = "customer", "agent"


@dataclass(frozen=True)
class Typing:
    customer: bool  # the customer is typing
    agent: Optional[str]  # the display name of the agent typing, or None


def typing_now(
    customer_at: Optional[datetime], agent_at: Optional[datetime], agent_name: Optional[str], now: datetime
) -> Typing:
    def fresh(at: Optional[datetime]) -> bool:
        return at is not None and now - FRESH_FOR <= at <= now + FRESH_FOR

    return Typing(customer=fresh(customer_at), agent=agent_name if fresh(agent_at) else None)
