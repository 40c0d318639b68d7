"""Rasa's HTTP API as the console uses it: read a conversation and show it to agents.

Agents' messages go the other way, through the outbox (renewals.conversation_messages).

The server token stays here, on the server side: it is sent to Rasa only and never to a browser.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence
from urllib.parse import quote

import aiohttp

from renewals.conversation_messages import signed
from renewals.storage.tracker_store import CustomerMessage

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    def __init__(self, url: str, token: str, session: Optional[aiohttp.ClientSession] = None):
        self._url = url.rstrip("/")
        self._token = token
        self.session = session

    def _conversation(self, conversation_id: str, tail: str) -> str:
        return f"{self._url}/conversations/{quote(conversation_id, safe='')}/{tail}"

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return await self._request(
            "GET", self._conversation(conversation_id, "tracker"), {"token": self._token}
        )

    async def _request(self, method: str, url: str, params: Mapping[str, str]) -> Any:
        if self.session is None:
            raise RasaUnavailable("no HTTP session")
        try:
            async with self.session.request(method, url, params=params) as reply:
                if reply.status != 200:
                    log.warning("console: Rasa answered %s to %s %s", reply.status, method, url.split("?")[0])
                    raise RasaUnavailable(f"Rasa answered {reply.status}")
                return await reply.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(str(error)) from None


def last_customer_message(events: Sequence[Mapping[str, Any]]) -> Optional[CustomerMessage]:
    """The customer's latest message in a tracker's events, as the tracker store would give it."""
    for event in reversed(events or []):
        stamp = event.get("timestamp")
        if event.get("event") == "user" and isinstance(stamp, (int, float)):
            return CustomerMessage(
                (event.get("text") or "").strip(), datetime.fromtimestamp(stamp, timezone.utc)
            )
    return None


def transcript(events: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The conversation as agents read it: customer, assistant and agent messages, and pauses."""
    lines: List[Dict[str, Any]] = []
    paused = False
    for event in events or []:
        kind = event.get("event")
        at = event.get("timestamp")
        if kind == "user":
            lines.append(
                {"from": "customer", "text": event.get("text") or "", "at": at, "while_paused": paused}
            )
        elif kind == "bot":
            text = event.get("text") or ""
            buttons = [
                b.get("title")
                for b in ((event.get("data") or {}).get("buttons") or [])
                if isinstance(b, dict)
            ]
            agent = (event.get("metadata") or {}).get("agent")
            if agent and text.startswith(signed("", agent)):
                text = text[len(signed("", agent)) :]
            if not text and not buttons:
                continue
            lines.append(
                {
                    "from": f"agent:{agent}" if agent else "assistant",
                    "text": text,
                    "buttons": [b for b in buttons if b],
                    "at": at,
                }
            )
        elif kind == "pause":
            paused = True
            lines.append({"from": "system", "text": "Assistant paused: waiting for a person", "at": at})
        elif kind == "resume":
            paused = False
            lines.append({"from": "system", "text": "Conversation given back to the assistant", "at": at})
    return lines
