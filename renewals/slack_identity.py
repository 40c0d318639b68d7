"""Who sent a Slack message, as the Slack channel verified it, carried to the action server.

The Slack channel (channels/reseller_slack.py) accepts only requests signed by
Slack with the app's signing secret. It then puts the sender's Slack user,
workspace (team) and channel ids into the message metadata under
`METADATA_KEY`, sealed with an HMAC over those ids, the message text, the
conversation it is for and the time it was sealed. The key is derived from
SLACK_SIGNING_SECRET, which the action server has too.

The seal matters because metadata is not proof of anything by itself: Rasa's
REST channel copies `metadata` and even `input_channel` from the client's
request, and a seal can be read back from a tracker. The action server
therefore trusts an identity only when its seal checks out (`verify`) for the
very text of the message, in the very conversation, within SEAL_LIFETIME of
being sealed, and when no earlier message of the conversation carried it: a
seal is good for the one Slack event it came with, once.

Conversation ids for Slack are derived with the same key (`conversation_id`),
so they can't be guessed from a Slack user id and taken over through another
channel.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

METADATA_KEY = "slack_identity"
SEAL_LIFETIME_SECONDS = 300
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


def _seal(
    key: bytes,
    identity: SlackIdentity,
    text: str,
    conversation: str,
    sealed_at: int,
    message_ts: Optional[str],
) -> str:
    content = json.dumps(
        [
            identity.user_id,
            identity.team_id,
            identity.channel_id,
            (text or "").strip(),
            conversation,
            sealed_at,
            message_ts,
        ],
        ensure_ascii=False,
    )
    return hmac.new(key, b"message:v3:" + content.encode("utf-8"), hashlib.sha256).hexdigest()


def sealed_metadata(
    signing_secret: str,
    identity: SlackIdentity,
    text: str,
    conversation: str,
    sealed_at: float,
    message_ts: Optional[str] = None,
) -> dict[str, Any]:
    """The metadata entry (under METADATA_KEY) for a message with this text from this Slack user,
    for `conversation`, sealed at `sealed_at` (Unix seconds). `message_ts` is Slack's id of the message
    (or of the button click): with it, the same words sent twice in one second get two seals, and the
    second is not taken for a replay of the first."""
    at = int(sealed_at)
    return {
        "user_id": identity.user_id,
        "team_id": identity.team_id,
        "channel_id": identity.channel_id,
        "sealed_at": at,
        "message_ts": message_ts,
        "seal": _seal(_key(signing_secret), identity, text, conversation, at, message_ts),
    }


def seal_of(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    entry = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
    seal = entry.get("seal") if isinstance(entry, Mapping) else None
    return seal if isinstance(seal, str) else None


def verify(
    signing_secret: Optional[str],
    metadata: Optional[Mapping[str, Any]],
    text: str,
    conversation: str,
    now: float,
    used_seals: Iterable[str] = (),
) -> Optional[SlackIdentity]:
    """The Slack identity in a message's metadata if its seal is genuine for `text` in `conversation`,
    is at most SEAL_LIFETIME_SECONDS old at `now`, and is not among `used_seals` (those of the
    conversation's earlier messages); else None."""
    seal = seal_of(metadata)
    if not signing_secret or seal is None or metadata is None:
        return None
    entry = metadata[METADATA_KEY]
    values = {name: entry.get(name) for name in _FIELDS}
    if not isinstance(values["user_id"], str) or not values["user_id"]:
        return None
    if any(value is not None and not isinstance(value, str) for value in values.values()):
        return None
    sealed_at = entry.get("sealed_at")
    if (
        not isinstance(sealed_at, int)
        or isinstance(sealed_at, bool)
        or not 0 <= now - sealed_at <= SEAL_LIFETIME_SECONDS
    ):
        return None
    message_ts = entry.get("message_ts")
    if message_ts is not None and not isinstance(message_ts, str):
        return None
    identity = SlackIdentity(**values)
    expected = _seal(_key(signing_secret), identity, text, conversation, sealed_at, message_ts)
    if not hmac.compare_digest(expected.encode(), seal.encode("utf-8", "surrogateescape")) or seal in set(
        used_seals
    ):
        return None
    return identity


def conversation_id(signing_secret: str, team_id: Optional[str], user_id: str) -> str:
    """The tracker's conversation id for a Slack user: stable, and not derivable without the secret."""
    digest = hmac.new(
        _key(signing_secret), f"conversation:{team_id or ''}:{user_id}".encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return f"slack-{digest[:32]}"
