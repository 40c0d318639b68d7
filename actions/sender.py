"""Who sent the latest message: a reseller in Slack (sealed by the Slack channel), or a customer."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Tuple

from rasa_sdk import Tracker

from actions.backend import call
from renewals import slack_identity
from renewals.resellers import Reseller


def latest_user_event(tracker: Tracker) -> Optional[Dict[str, Any]]:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event
    return None


def slack_sender(tracker: Tracker) -> Optional[slack_identity.SlackIdentity]:
    """The Slack user who sent the latest message, if the Slack channel sealed it; else None."""
    event = latest_user_event(tracker)
    if event is None:
        return None
    secret = os.environ.get(slack_identity.SECRET_VARIABLE, "").strip()
    return slack_identity.verify(secret, event.get("metadata"), event.get("text") or "")


async def acting_reseller(tracker: Tracker) -> Tuple[Optional[slack_identity.SlackIdentity], Optional[Reseller]]:
    """(Slack identity, reseller) of the latest message's sender; the reseller is None for everyone else."""
    identity = slack_sender(tracker)
    if identity is None:
        return None, None
    reseller = await call(lambda service: service.reseller_for_slack(identity.user_id, identity.team_id))
    return identity, reseller
