"""Saved replies the support team keeps for answers they give often, with placeholders filled per case.

A body may name these placeholders, in braces: {customer_name}, {company}, {case_reference},
{agent_name}, {reseller}. Anything else in braces is refused when the reply is saved, so a typo never
reaches a customer as "{custmer_name}".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Optional

PLACEHOLDERS = ("customer_name", "company", "case_reference", "agent_name", "reseller")
# What a placeholder reads when the case does not know it.
_FALLBACKS = {
    "customer_name": "there",
    "company": "your organisation",
    "case_reference": "your case",
    "agent_name": "the support team",
    "reseller": "your reseller",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_TITLE = 80
MAX_BODY = 4000


class InvalidCannedReply(ValueError):
    """A saved reply that cannot be kept; str() says why, for the agent."""


@dataclass(frozen=True)
class CannedReply:
    reply_id: Optional[int]  # None until stored
    title: str
    body: str
    updated_by: str
    updated_at: datetime


def checked(title: str, body: str) -> tuple[str, str]:
    """The title and body as they will be stored, or InvalidCannedReply."""
    title, body = " ".join(title.split()), body.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidCannedReply(f"A saved reply needs a title of 1 to {MAX_TITLE} characters.")
    if not body or len(body) > MAX_BODY:
        raise InvalidCannedReply(f"A saved reply needs a text of 1 to {MAX_BODY:,} characters.")
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise InvalidCannedReply(
            f"Unknown placeholder {', '.join('{' + n + '}' for n in unknown)}. You can use {allowed}."
        )
    return title, body


def fill(body: str, values: Mapping[str, Optional[str]]) -> str:
    """The body with each placeholder replaced by the case's value, or a neutral wording without one."""
    return _PLACEHOLDER.sub(
        lambda match: values.get(match.group(1)) or _FALLBACKS.get(match.group(1)) or match.group(0), body
    )
