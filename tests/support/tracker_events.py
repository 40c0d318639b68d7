"""A stand-in for Rasa's SQL tracker store: its `events` table, with the columns our code reads."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert

from renewals.storage.db import make_engine

EVENTS = Table(
    "events", MetaData(), Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
    Column("type_name", String(255)), Column("timestamp", Float), Column("data", Text),
)  # fmt: skip


def event(sender: str, kind: str, at: datetime, **data) -> dict:
    return {"sender_id": sender, "type_name": kind, "timestamp": at.timestamp(), "data": json.dumps(data)}


def tracker_with(url: str, events: list) -> None:
    """Creates the table at `url` if missing, and adds `events` (rows made by `event`)."""
    engine = make_engine(url)
    EVENTS.metadata.create_all(engine)
    with engine.begin() as connection:
        if events:
            connection.execute(insert(EVENTS), events)
    engine.dispose()


def senders_left(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        left = sorted({row.sender_id for row in connection.execute(EVENTS.select())})
    engine.dispose()
    return left
