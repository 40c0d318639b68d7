"""What the channels themselves say, and the check both customer channels make before saying it."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
TOO_LONG = (
    f"That message is too long for me: please keep it under {MAX_MESSAGE_CHARS:,} characters, "
    "or split it into a few messages."
)
# When the assistant could not answer at all (its action server down or failing): never silence.
NO_REPLY_APOLOGY = (
    "Sorry, something went wrong on my side and I couldn't answer that. Please try again in a minute. "
    "If it keeps happening: for renewals, pricing or your licence records, contact your reseller; "
    "for anything else, submit a case to Trend Micro Technical Support."
)


async def _tracker(app: Any, conversation_id: str) -> Any:
    """The conversation's tracker from Rasa's store, or None when it can't be read."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    try:
        return await agent.tracker_store.retrieve(conversation_id)
    except Exception as error:
        logger.warning("could not read the conversation (%s)", type(error).__name__)
        return None


async def paused_conversation(app: Any, conversation_id: str) -> Any:
    """The conversation's tracker when it waits for a person (the assistant stays quiet then, on purpose),
    else None."""
    tracker = await _tracker(app, conversation_id)
    return tracker if tracker is not None and tracker.is_paused() else None


# After these responses the web page asks "Did this solve your problem?" (web/app.py stores the answer).
ASKS_FOR_A_RATING = frozenset({"utter_goodbye"})

# A message typed while the chat waits for a person: the assistant stays quiet, but the customer is
# not left wondering whether it arrived (this when the case can't be read; see reply_while_paused).
ADDED_TO_CASE = "Added to your case. A person from the support team will reply here: you can keep typing."
_THANKS_INTENTS = frozenset({"thank", "goodbye"})
# "Thanks, have a lovely weekend": a sign-off that opens with thanks.
_SIGNS_OFF = re.compile(r"^\W*(thanks|thank you|ta|cheers)\b.{0,40}$", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _renewals():
    """The renewals service (one connection pool per process) and the first-reply target."""
    from renewals.response_times import target_from_env
    from renewals.service import Renewals

    return Renewals.from_env(), target_from_env()


async def reply_while_paused(tracker: Any, text: str) -> str:
    """What a customer reads after typing `text` while the chat waits for a person: it reached their case,
    and when a person will reply; a thanks is welcomed and "are you a bot?" answered."""
    from renewals.answers import is_closing, is_thanks
    from renewals.queue_standing import ANYTHING_ELSE, BOT_QUESTION, THANKS, reply_while_waiting

    # Rasa read the message before it saw the pause: its intent is on the paused tracker already.
    latest = tracker.latest_message
    intent = (latest.intent or {}).get("name") if latest is not None else None
    try:
        renewals, target = _renewals()
        standing = await asyncio.to_thread(renewals.queue_standing, tracker.sender_id, target)
    except Exception as error:
        logger.warning("could not read the case of a paused conversation (%s)", type(error).__name__)
        return ADDED_TO_CASE
    thanks = intent in _THANKS_INTENTS or is_thanks(text) or is_closing(text) or _SIGNS_OFF.search(text)
    kind = THANKS if thanks else BOT_QUESTION if intent == "bot_challenge" else ANYTHING_ELSE
    return reply_while_waiting(kind, standing)


SLOW_DOWN = (
    "You're sending messages faster than I can take them. Please wait a minute, then carry on: "
    "nothing you've told me so far is lost."
)


def message_limiter():
    """The per-conversation message limit (renewals.rate_limits), counted in the renewals database."""
    from channels import session_tokens
    from renewals.clock import SystemClock
    from renewals.rate_limits import RateLimiter, messages_limit
    from renewals.storage.db import database_url_from_env, make_engine

    limiter = RateLimiter(
        make_engine(database_url_from_env()), SystemClock(), session_tokens.secret_from_env()
    )
    return limiter, messages_limit()


async def within_limit(limiter, limit, conversation_id: str) -> bool:
    """Whether the conversation may send another message now; True without a limiter, and when the
    count can't be taken (the database is down: the chat goes on, and the failure is logged).
    The count is a database write: it runs off the event loop."""
    if limiter is None:
        return True
    try:
        return await asyncio.get_running_loop().run_in_executor(None, limiter.allow, limit, conversation_id)
    except Exception as error:
        logger.warning("could not count a message against the rate limit (%s)", type(error).__name__)
        return True


HEALTH_PROBE_ID = "__health_probe__"


async def tracker_store_available(app: Any) -> bool:
    """Whether the conversations' database answers (a look-up of a conversation that never exists)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or agent.tracker_store is None:
        return False
    try:
        await agent.tracker_store.retrieve(HEALTH_PROBE_ID)
    except Exception as error:
        logger.warning("the tracker store is unavailable (%s)", type(error).__name__)
        return False
    return True
