"""Who sent a Slack message, as the Slack channel verified it, carried to the action server.

The Slack channel (channels/reseller_slack.py) accepts only requests signed by
Slack with the app's signing secret. It then puts the sender's Slack user,
workspace (team) and channel ids into the message metadata under
`METADATA_KEY`, sealed with an HMAC over those ids and the message text. The
key is derived from SLACK_SIGNING_SECRET, which the action server has too.

The seal matters because metadata is not proof of anything by itself: Rasa's
REST channel copies `metadata` and even `input_channel` from the client's
request. The action server therefore trusts an identity only when its seal
checks out for the very text of the message (`verify`), so nothing a user
types or posts elsewhere can make them a reseller.

Conversation ids for Slack are derived with the same key (`conversation_id`),
so they can't be guessed from a Slack user id and taken over through another
channel.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Mapping, Optional

METADATA_KEY = "slack_identity"
SECRET_VARIABLE = "SLACK_SIGNING_SECRET"
_KEY_LABEL = b"renewals/slack-identity/v1"
_FIELDS = ("user_id", "team_id", "channel_id")


@dataclass(frozen=True)
class SlackIdentity:
    user_id: str
    team_id: Optional[str]
    channel_id: Optional[str]


def _key(signing_secret: str) -> bytes:
    return hmac.new(signing_secret.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()


def _seal(key: bytes, identity: SlackIdentity, text: str) -> str:
    content = json.dumps(
        [identity.user_id, identity.team_id, identity.channel_id, (text or "").strip()], ensure_ascii=False
    )
    return hmac.new(key, b"message:" + content.encode("utf-8"), hashlib.sha256).hexdigest()


def sealed_metadata(signing_secret: str, identity: SlackIdentity, text: str) -> dict[str, Any]:
    """The metadata entry (under METADATA_KEY) for a message with this text from this Slack user."""
    return {
        "user_id": identity.user_id,
        "team_id": identity.team_id,
        "channel_id": identity.channel_id,
        "seal": _seal(_key(signing_secret), identity, text),
    }


def verify(signing_secret: Optional[str], metadata: Optional[Mapping[str, Any]], text: str) -> Optional[SlackIdentity]:
    """The Slack identity in a message's metadata if its seal is genuine for `text`; else None."""
    if not signing_secret or not isinstance(metadata, Mapping):
        return None
    entry = metadata.get(METADATA_KEY)
    if not isinstance(entry, Mapping) or not isinstance(entry.get("seal"), str):
        return None
    values = {name: entry.get(name) for name in _FIELDS}
    if not isinstance(values["user_id"], str) or not values["user_id"]:
        return None
    if any(value is not None and not isinstance(value, str) for value in values.values()):
        return None
    identity = SlackIdentity(**values)
    expected = _seal(_key(signing_secret), identity, text)
    return identity if hmac.compare_digest(expected, entry["seal"]) else None


def conversation_id(signing_secret: str, team_id: Optional[str], user_id: str) -> str:
    """The tracker's conversation id for a Slack user: stable, and not derivable without the secret."""
    digest = hmac.new(
        _key(signing_secret), f"conversation:{team_id or ''}:{user_id}".encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return f"slack-{digest[:32]}"
