"""Who sent the latest message: a reseller in Slack (sealed by the Slack channel), or a customer."""

from __future__ import annotations

import os
import time
from typing import Optional, Tuple

from rasa_sdk import Tracker

from actions.backend import call
from renewals import slack_identity
from renewals.resellers import Reseller


def slack_sender(tracker: Tracker) -> Optional[slack_identity.SlackIdentity]:
    """The Slack user who sent the latest message, if the Slack channel sealed it for this conversation
    minutes ago and no earlier message of it carried the same seal (a replay); else None."""
    users = [event for event in tracker.events if event.get("event") == "user"]
    if not users:
        return None
    latest, earlier = users[-1], users[:-1]
    secret = os.environ.get(slack_identity.SECRET_VARIABLE, "").strip()
    used = [seal for seal in (slack_identity.seal_of(event.get("metadata")) for event in earlier) if seal]
    return slack_identity.verify(
        secret, latest.get("metadata"), latest.get("text") or "", tracker.sender_id, time.time(), used
    )


async def acting_reseller(
    tracker: Tracker,
) -> Tuple[Optional[slack_identity.SlackIdentity], Optional[Reseller]]:
    """(Slack identity, reseller) of the latest message's sender; the reseller is None for everyone else."""
    identity = slack_sender(tracker)
    if identity is None:
        return None, None
    reseller = await call(lambda service: service.reseller_for_slack(identity.user_id, identity.team_id))
    return identity, reseller
