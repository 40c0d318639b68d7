"""Resellers: the partners who sell renewals and receive renewal requests."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Reseller:
    reseller_id: str  # e.g. "R-AU-001"
    name: str
    region: str  # "AU" or "NZ"
    # Contact details stay out of repr() so they never reach a log line.
    email: str = field(repr=False)
    phone: str = field(repr=False)
    # Where renewal requests are posted in the reseller's Slack workspace, if connected.
    slack_team_id: Optional[str]
    slack_user_id: Optional[str]
    slack_channel_id: Optional[str]
