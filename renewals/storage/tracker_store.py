"""Rasa's SQL tracker store, read and pruned from outside Rasa: the one module that knows its tables.

Rasa keeps every event of every conversation in one table, `events` (`sender_id`, `type_name`,
`timestamp` in epoch seconds, `data` as JSON text); it creates the table with the first conversation.
The console counts today's conversations and shows each case's last customer message from here, and
retention and erasure delete here.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterable, NamedTuple

from sqlalchemy import and_, column, delete, func, inspect, select, table
from sqlalchemy.engine import Engine

EVENTS = table("events", column("sender_id"), column("type_name"), column("timestamp"), column("data"))
_CHUNK = 500  # conversations per statement: below every database's limit on bound parameters


class CustomerMessage(NamedTuple):
    text: str
    at: datetime  # UTC


class TrackerStore:
    def __init__(self, engine: Engine):
        self._engine = engine

    def close(self) -> None:
        self._engine.dispose()

    def _has_events(self) -> bool:
        return inspect(self._engine).has_table(EVENTS.name)

    def customers_since(self, start: datetime) -> set[str]:
        """Conversations with a customer message since `start`."""
        if not self._has_events():
            return set()
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(EVENTS.c.sender_id)
                .where(EVENTS.c.type_name == "user", EVENTS.c.timestamp >= start.timestamp())
                .distinct()
            )
            return {row.sender_id for row in rows}

    def last_customer_messages(self, conversations: Iterable[str]) -> dict[str, CustomerMessage]:
        """Each conversation's latest customer message, for those that have one."""
        conversations = sorted(set(conversations))
        if not conversations or not self._has_events():
            return {}
        found: dict[str, CustomerMessage] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(conversations), _CHUNK):
                chunk = conversations[start : start + _CHUNK]
                latest = (
                    select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp).label("at"))
                    .where(EVENTS.c.type_name == "user", EVENTS.c.sender_id.in_(chunk))
                    .group_by(EVENTS.c.sender_id)
                    .subquery()
                )
                rows = connection.execute(
                    select(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data)
                    .join(
                        latest,
                        and_(EVENTS.c.sender_id == latest.c.sender_id, EVENTS.c.timestamp == latest.c.at),
                    )
                    .where(EVENTS.c.type_name == "user")
                )
                for row in rows:
                    text = (json.loads(row.data or "{}").get("text") or "").strip()
                    found[row.sender_id] = CustomerMessage(
                        text, datetime.fromtimestamp(row.timestamp, timezone.utc)
                    )
        return found

    def idle_since(self, cutoff: datetime) -> list[str]:
        """Conversations whose last event is older than `cutoff`."""
        if not self._has_events():
            return []
        with self._engine.connect() as connection:
            return list(
                connection.execute(
                    select(EVENTS.c.sender_id)
                    .group_by(EVENTS.c.sender_id)
                    .having(func.max(EVENTS.c.timestamp) < cutoff.timestamp())
                ).scalars()
            )

    def mentioning(self, text: str) -> set[str]:
        """Conversations with an event whose data contains `text` (any letter case)."""
        if not self._has_events():
            return set()
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(EVENTS.c.sender_id)
                .where(func.lower(EVENTS.c.data).like(pattern, escape="\\"))
                .distinct()
            )
            return {row.sender_id for row in rows}

    def delete(self, conversations: Iterable[str]) -> tuple[int, int]:
        """Delete the conversations' events, in one transaction; returns (conversations that had events,
        events deleted)."""
        conversations = sorted(conversations)
        if not conversations or not self._has_events():
            return 0, 0
        found = deleted = 0
        with self._engine.begin() as connection:
            for start in range(0, len(conversations), _CHUNK):
                chunk = EVENTS.c.sender_id.in_(conversations[start : start + _CHUNK])
                found += connection.execute(
                    select(func.count(EVENTS.c.sender_id.distinct())).where(chunk)
                ).scalar_one()
                deleted += connection.execute(delete(EVENTS).where(chunk)).rowcount
        return found, deleted
