"""Resellers: the partners who sell renewals and receive renewal requests.

A reseller can use the assistant in Slack. Who acts for a reseller there is a
set of Slack links: a *user* link names one Slack user, a *team* link names a
whole Slack workspace (every member of it acts for the reseller). A Slack id
belongs to at most one reseller; when a user's own link and their workspace's
link name different resellers, the user link wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Optional

USER, TEAM = "user", "team"

# Slack ids are upper-case letters and digits; the first letter says what they are.
_SLACK_ID_PATTERNS = {
    USER: re.compile(r"[UW][A-Z0-9]{2,49}"),  # W: Enterprise Grid users
    TEAM: re.compile(r"[TE][A-Z0-9]{2,49}"),  # E: Enterprise Grid organisations
    "channel": re.compile(r"[CGD][A-Z0-9]{2,49}"),  # public, private, direct
}


@dataclass(frozen=True)
class Reseller:
    reseller_id: str  # e.g. "R-AU-001"
    name: str
    region: str  # "AU" or "NZ"
    # Contact details stay out of repr() so they never reach a log line.
    email: str = field(repr=False)
    phone: str = field(repr=False)
    # Where case notifications are posted in Slack (a channel id), if connected.
    slack_channel_id: Optional[str] = None


@dataclass(frozen=True)
class SlackLink:
    kind: str  # USER or TEAM
    slack_id: str
    reseller_id: str


class InvalidSlackId(ValueError):
    """Not a Slack id of the expected kind. The message names the kind, not the value."""


def slack_id(kind: str, value: Optional[str]) -> str:
    """`value` as a Slack id of `kind` ("user", "team" or "channel"), upper-cased; InvalidSlackId if it is
    not one."""
    text = (value or "").strip().upper()
    if not _SLACK_ID_PATTERNS[kind].fullmatch(text):
        first = {"user": "U or W", "team": "T or E", "channel": "C, G or D"}[kind]
        raise InvalidSlackId(f"a Slack {kind} id is letters and digits starting with {first}")
    return text


def reseller_id_for_slack(
    links: Iterable[SlackLink], user_id: Optional[str], team_id: Optional[str]
) -> Optional[str]:
    """The reseller a Slack user acts for: their user link, else their workspace's link, else None."""
    by_kind = {}
    for link in links:
        if (link.kind == USER and link.slack_id == user_id) or (
            link.kind == TEAM and link.slack_id == team_id
        ):
            by_kind[link.kind] = link.reseller_id
    if user_id and USER in by_kind:
        return by_kind[USER]
    if team_id and TEAM in by_kind:
        return by_kind[TEAM]
    return None
